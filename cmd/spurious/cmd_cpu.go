package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spurious-ml/spurious/bench"
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

// selectISA is bench.SelectISA with errors that say what to do with --isa.
func selectISA(name string) (restore func(), err error) {
	restore, err = bench.SelectISA(name)
	switch {
	case err != nil && name == "":
		return nil, fmt.Errorf("%w; name an instruction set with --isa", err)
	case err != nil:
		return nil, fmt.Errorf("--isa: %w", err)
	}
	return restore, nil
}
