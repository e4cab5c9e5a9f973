package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/internal/impl"
	"github.com/spurious-ml/spurious/linalg"
)

func init() {
	register("cpu", "detected instruction sets, GEMM kernels, cache and block sizes", runCPU)
}

// runCPU implements `spurious cpu`.
func runCPU(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cpu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	isa := fs.String("isa", "", isaUsage)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: spurious cpu [--isa X] [--json]")
		fs.PrintDefaults()
	}
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
	fmt.Fprintf(stdout, "cpu:        %s (%s, %d physical / %d logical cores)\n", r.CPU, r.Vendor, r.PhysicalCores, r.LogicalCores)
	fmt.Fprintf(stdout, "isa:        %s (available: %s)\n", r.ISA, strings.Join(r.AvailableISAs, ", "))
	fmt.Fprintf(stdout, "caches:     L1D %d KiB, L2 %d KiB per core, L3 %d MiB (%s)\n", r.L1DBytes>>10, r.L2Bytes>>10, r.L3Bytes>>20, r.CacheSource)
	fmt.Fprintf(stdout, "threads:    %d (GOMAXPROCS %d)\n", r.Threads, r.GOMAXPROCS)
	fmt.Fprintf(stdout, "go:         %s %s\n", r.GoVersion, r.Platform)
	switch {
	case r.TuningOff:
		fmt.Fprintf(stdout, "tuning:     off (%s=off): block sizes derived from the caches\n", linalg.TuningEnv)
	case r.TuningEntries > 0:
		fmt.Fprintf(stdout, "tuning:     %s (%d entries for this CPU; blocks column: f64/f32)\n", r.TuningFile, r.TuningEntries)
	default:
		fmt.Fprintf(stdout, "tuning:     none loaded (%s): block sizes derived from the caches; spurious tune measures them\n", r.TuningFile)
	}
	if r.TuningNote != "" {
		fmt.Fprintf(stdout, "            note: %s\n", r.TuningNote)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "isa\tf64 tile\tKC\tMC\tNC\tf32 tile\tKC\tMC\tNC\tblocks\t\t")
	for _, k := range r.Kernels {
		mark := ""
		if k.Active {
			mark = "active"
		}
		fmt.Fprintf(tw, "%s\t%dx%d\t%d\t%d\t%d\t%dx%d\t%d\t%d\t%d\t%s/%s\t%s\t\n", k.ISA,
			k.F64.MR, k.F64.NR, k.F64.KC, k.F64.MC, k.F64.NC,
			k.F32.MR, k.F32.NR, k.F32.KC, k.F32.MC, k.F32.NC, k.F64.Blocking, k.F32.Blocking, mark)
	}
	return tw.Flush()
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
