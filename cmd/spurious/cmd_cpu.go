package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/internal/impl"
)

func init() {
	register("cpu", "detected instruction sets, GEMM kernels, cache and block sizes", runCPU)
}

// runCPU implements `spurious cpu`.
func runCPU(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cpu", "usage: spurious cpu [--isa X] [--json]\n", stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	isa := fs.String("isa", "", isaUsage)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	restore, err := selectISA(*isa)
	if err != nil {
		return err
	}
	defer restore()
	r, err := bench.DescribeMachine()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	return r.WriteText(stdout)
}

// selectISA makes name the active instruction set (when empty: the one
// SPURIOUS_ISA selected) and returns a function restoring the previous one.
// An unknown or unsupported name, or an unusable SPURIOUS_ISA when name is
// empty, is an error, never a fallback.
func selectISA(name string) (restore func(), err error) {
	if name == "" {
		if err := asm.EnvError(); err != nil {
			return nil, fmt.Errorf("%w; name an instruction set with --isa", err)
		}
		return func() {}, nil
	}
	prev := impl.Active()
	if err := impl.Select(name); err != nil {
		return nil, fmt.Errorf("--isa: %w", err)
	}
	return func() { impl.Select(prev) }, nil //nolint:errcheck // prev was active, so it is available
}
