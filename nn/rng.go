package nn

import "math/rand/v2"

// Stream identifiers: each random quantity of a run draws from its own
// PCG stream derived from the seed, so that, e.g., the initialisation does
// not change when the data set grows.
const (
	streamInit uint64 = 101 + iota
	streamShuffle
	streamPickTrain
	streamPickTest
	streamBorderTrain
	streamBorderTest
)

// splitmix64 is the SplitMix64 finalizer: a bijective mix of 64 bits.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newStream returns a PCG generator whose state is a SplitMix64 hash of
// the seed and the stream path ids.
func newStream(seed uint64, ids ...uint64) *rand.Rand {
	h := splitmix64(seed)
	for _, id := range ids {
		h = splitmix64(h ^ splitmix64(id+0x632be59bd9b4e019))
	}
	return rand.New(rand.NewPCG(h, splitmix64(h^0xd1b54a32d192ed03)))
}
