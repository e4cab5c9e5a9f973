package linalg

import (
	"os"
	"unsafe"
)

// HugePagesEnv names the environment variable that switches the huge-page
// advice off: SPURIOUS_HUGEPAGES=off.
const HugePagesEnv = "SPURIOUS_HUGEPAGES"

// hugeMinBytes is the smallest buffer that is advised: an advised range
// must hold whole 2 MiB pages to gain anything.
const hugeMinBytes = 4 << 20

// hugeAdvice is whether makeBuf advises huge pages; read once.
var hugeAdvice = os.Getenv(HugePagesEnv) != "off" && thpMode() != ""

// HugePages reports whether NewMatrix and the engine's packing buffers of
// 4 MiB or more ask the operating system to back them with transparent
// huge pages, and the system's mode of those pages ("always", "madvise",
// "never"; "" where there are none, or not on Linux). The advice matters in
// mode madvise: the packed panels and the feature blocks of a paper-size
// trial span thousands of 4 KiB pages, and fewer TLB misses made the RF
// trial about 2% faster on an Intel Xeon (model 167). It never changes a
// result. Off when $SPURIOUS_HUGEPAGES is "off".
func HugePages() (advised bool, mode string) { return hugeAdvice, thpMode() }

// makeBuf returns make([]T, n), advising huge pages when it is large.
func makeBuf[T Float](n int) []T {
	s := make([]T, n)
	var zero T
	if size := uintptr(n) * unsafe.Sizeof(zero); hugeAdvice && size >= hugeMinBytes {
		adviseHugePages(unsafe.Pointer(unsafe.SliceData(s)), size)
	}
	return s
}
