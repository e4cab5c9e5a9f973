package trial

// Streams of a trial's own randomness, separate from the data package's.
const (
	StreamWeights uint64 = 0xa5a5_0001 // random weights of rf and ntk
	StreamHeldout uint64 = 0xa5a5_0002 // cores of synthetic held-out queries
)

// DeriveSeed returns the seed of stream under the trial seed: the
// SplitMix64 finalizer of seed ^ stream*0x9e3779b97f4a7c15.
func DeriveSeed(seed, stream uint64) uint64 {
	x := seed ^ stream*0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
