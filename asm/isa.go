package asm

import (
	"fmt"
	"os"

	"github.com/spurious-ml/spurious/internal/impl"
)

// Names of the instruction-set paths.
const (
	Generic = impl.Generic
	AVX2    = "avx2"
	AVX512  = "avx512"
	NEON    = "neon"
)

// EnvISA is the environment variable that forces an instruction set.
const EnvISA = "SPURIOUS_ISA"

func init() {
	registerPaths()
	if name := os.Getenv(EnvISA); name != "" {
		if err := impl.Select(name); err != nil {
			// A forced path that cannot run must stop the program: falling
			// back silently would mislabel every measurement.
			fmt.Fprintf(os.Stderr, "%s=%s: %v\n", EnvISA, name, err)
			os.Exit(2)
		}
	}
}

// Active returns the name of the instruction set the kernels use now.
func Active() string { return impl.Active() }

// Available lists the instruction sets this CPU and build can run, generic
// first and the default last.
func Available() []string { return impl.Available() }
