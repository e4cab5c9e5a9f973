package linalg

import (
	"os"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePageBytes = 2 << 20

// adviseHugePages applies madvise(MADV_HUGEPAGE) to the 2 MiB-aligned
// interior of the size bytes at p; a failure only loses the advice.
func adviseHugePages(p unsafe.Pointer, size uintptr) {
	lo := uintptr(p)
	alo := (lo + hugePageBytes - 1) &^ (hugePageBytes - 1)
	ahi := (lo + size) &^ (hugePageBytes - 1)
	if ahi > alo {
		b := unsafe.Slice((*byte)(p), size)
		_ = unix.Madvise(b[alo-lo:ahi-lo], unix.MADV_HUGEPAGE)
	}
}

// thpMode returns the selected word of
// /sys/kernel/mm/transparent_hugepage/enabled, or "" without one.
var thpMode = sync.OnceValue(func() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	s := string(b)
	i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return ""
	}
	return s[i+1 : j]
})
