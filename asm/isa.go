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

// envErr is why SPURIOUS_ISA could not be honoured at start-up, or nil.
var envErr error

func init() {
	registerPaths()
	if name := os.Getenv(EnvISA); name != "" {
		if err := impl.Select(name); err != nil {
			// Kept for whoever asks for the default engine (linalg.NewEngine
			// with no instruction set): failing here would stop even --help,
			// and an explicit choice must be able to override the variable.
			envErr = fmt.Errorf("%s=%s: %w", EnvISA, name, err)
		}
	}
}

// EnvError returns the error of an unusable SPURIOUS_ISA (unknown, or not
// supported by this CPU), or nil when the variable is unset or selected the
// active path. The active path is then still the best available one, so a
// caller that reports the instruction set it ran must check EnvError first.
func EnvError() error { return envErr }

// Check returns the canonical name of the instruction set name (lower case,
// trimmed) when this build and CPU can run it, else an error naming the
// available ones. It changes nothing.
func Check(name string) (string, error) { return impl.Check(name) }

// Active returns the name of the instruction set the kernels use now.
func Active() string { return impl.Active() }

// Available lists the instruction sets this CPU and build can run, generic
// first and the default last.
func Available() []string { return impl.Available() }
