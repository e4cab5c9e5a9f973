package data

import "math/rand/v2"

// Stream identifiers: each random quantity of a data set draws from its own
// stream, derived from the user's seed and these constants, so adding
// samples to one part never changes another part.
const (
	streamSynthU uint64 = 1 + iota
	streamSynthTrain
	streamSynthSpurious
	streamSynthTest
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

// NewStream returns a PCG generator whose 128-bit state is a SplitMix64
// hash of seed and the stream path ids, so that distinct paths give
// statistically independent streams. The data sets of this package draw
// from paths whose first id is below 100; packages that derive further
// streams from the same user seed (such as nn's initialisation and
// shuffling) use first ids of 100 and above. Cost: O(len(ids)).
func NewStream(seed uint64, ids ...uint64) *rand.Rand {
	h := splitmix64(seed)
	for _, id := range ids {
		h = splitmix64(h ^ splitmix64(id+0x632be59bd9b4e019))
	}
	return rand.New(rand.NewPCG(h, splitmix64(h^0xd1b54a32d192ed03)))
}
