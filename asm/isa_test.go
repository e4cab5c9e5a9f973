package asm

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// TestKernelFor checks that KernelFor hands out the
// kernel of the named path, bit for bit that path's variant, whatever path
// is active, and leave the active path alone.
func TestKernelFor(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		active := Active()
		for _, name := range Available() {
			k64, err := KernelFor[float64](strings.ToUpper(name))
			if err != nil {
				t.Fatal(err)
			}
			k32, err := KernelFor[float32](name)
			if err != nil {
				t.Fatal(err)
			}
			if k64.ISA != name || k32.ISA != name {
				t.Fatalf("KernelFor[float64](%q).ISA = %q, KernelFor[float32](%q).ISA = %q", name, k64.ISA, name, k32.ISA)
			}
			r := rand.New(rand.NewPCG(5, 0))
			dispatchCase(t, r, name, k64.MR, k64.NR, gemmF64Variants, k64.MulAdd)
			dispatchCase(t, r, name, k32.MR, k32.NR, gemmF32Variants, k32.MulAdd)
		}
		if Active() != active {
			t.Fatalf("KernelFor switched the active path from %q to %q", active, Active())
		}
	})
	if _, err := KernelFor[float64]("sse9"); err == nil || !strings.Contains(err.Error(), "available") {
		t.Fatalf("KernelFor[float64](sse9): err = %v, want one naming the available sets", err)
	}
	if _, err := KernelFor[float32](""); err == nil {
		t.Fatal("KernelFor[float32](\"\"): no error")
	}
}

// TestEnvISA runs this test binary with a bad SPURIOUS_ISA: the package
// must load (no exit from init) and report the variable through EnvError.
func TestEnvISA(t *testing.T) {
	if os.Getenv("ASM_ENV_CHILD") == "1" {
		err := EnvError()
		if err == nil || !strings.Contains(err.Error(), EnvISA+"=sse9") {
			t.Fatalf("EnvError() = %v, want an error naming %s=sse9", err, EnvISA)
		}
		if Active() != Available()[len(Available())-1] {
			t.Fatalf("active path %q, want the best available", Active())
		}
		return
	}
	if EnvError() != nil {
		t.Skipf("%s is set to an unusable value: %v", EnvISA, EnvError())
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnvISA$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ASM_ENV_CHILD=1", EnvISA+"=sse9")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		// js/wasm has no processes, and under qemu-user the test binary
		// cannot exec itself without the emulator.
		t.Skipf("cannot start the child process here: %v", err)
	}
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child with %s=sse9: %v\n%s", EnvISA, err, out)
	}
}
