package linalg

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping of /proc/self/smaps that
// holds address p.
func vmFlags(t *testing.T, p uintptr) []string {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(line, ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = uint64(p) >= a && uint64(p) < b
				continue
			}
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Fields(line)[1:]
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return nil
}

func TestHugePageAdvice(t *testing.T) {
	advised, mode := HugePages()
	if mode == "" {
		t.Skip("no transparent huge pages on this system")
	}
	if !advised {
		t.Skipf("%s=off", HugePagesEnv)
	}
	m := NewMatrix[float64](1024, 1024) // 8 MiB
	mid := uintptr(unsafe.Pointer(&m.Data[len(m.Data)/2])) &^ (hugePageBytes - 1)
	if flags := vmFlags(t, mid); !contains(flags, "hg") {
		t.Errorf("an 8 MiB matrix is not advised: VmFlags %v", flags)
	}
	b := getBuf[float32](3 << 20) // 12 MiB
	defer putBuf(b)
	mid = uintptr(unsafe.Pointer(&(*b)[len(*b)/2])) &^ (hugePageBytes - 1)
	if flags := vmFlags(t, mid); !contains(flags, "hg") {
		t.Errorf("a 12 MiB packing buffer is not advised: VmFlags %v", flags)
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
