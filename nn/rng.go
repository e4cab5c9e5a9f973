package nn

// Stream identifiers: the initialisation and the shuffling draw from their
// own PCG streams, data.NewStream(seed, id), so that, e.g., the
// initialisation does not change when the data set grows. The ids are 100
// and above, outside the range of the data sets' own streams.
const (
	streamInit uint64 = 101 + iota
	streamShuffle
)
