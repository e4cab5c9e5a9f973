//go:build gc && !purego

package asm

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestAVX512Emulated runs the AVX-512 GEMM kernels of this very test binary
// in the small x86 interpreter of testdata/avx512emu.py, so that their
// machine code (decoded by binutils' objdump, independently of the Go
// assembler) is checked on CPUs without AVX-512, where the variant tests
// skip them: results within the error bound, loads inside the operands,
// stores inside the C tile, also when the tile is rows of B (in place).
// It needs python3 and objdump (binutils).
func TestAVX512Emulated(t *testing.T) {
	if testing.Short() {
		t.Skip("emulation takes a few seconds")
	}
	for _, tool := range []string{"python3", "objdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"testdata/avx512emu.py", exe}
	for _, name := range []string{"gemm8x24F64AVX512", "gemm8x48F32AVX512"} {
		lo, hi, err := codeRange(exe, "github.com/spurious-ml/spurious/asm."+name)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, fmt.Sprintf("%s=%#x:%#x", name, lo, hi))
	}
	out, err := exec.Command("python3", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("avx512emu.py: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// codeRange returns the code addresses of the function sym in the ELF file
// exe, read from the Go line table (present even in stripped binaries).
func codeRange(exe, sym string) (lo, hi uint64, err error) {
	f, err := elf.Open(exe)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return 0, 0, fmt.Errorf("%s: no .gopclntab or .text section", exe)
	}
	data, err := pcln.Data()
	if err != nil {
		return 0, 0, err
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return 0, 0, err
	}
	fn := tab.LookupFunc(sym)
	if fn == nil {
		return 0, 0, fmt.Errorf("%s: no function %s in the line table", exe, sym)
	}
	return fn.Entry, fn.End, nil
}
