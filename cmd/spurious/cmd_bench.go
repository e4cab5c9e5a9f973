package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/linalg"
)

func init() {
	register("bench", "GFLOP/s and % of the measured FMA peak of gemm, syrk, potrf, trsm, rf, ntk", runBench)
}

// intList parses a comma-separated list of positive integers.
func intList(flagName, s string) ([]int, error) {
	if s == "" {
		return []int{0}, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("--%s: %q is not a positive integer", flagName, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// runBench implements `spurious bench OP`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", fmt.Sprintf("usage: spurious bench %s [--n N | --m M --n N --k K] [--nrhs R] [--d D] "+
		"[--threads T] [--precision f64|f32] [--isa X] [--reps R] [--min-time D] [--json]\n", strings.Join(bench.Names(), "|")), stderr)
	mFlag := fs.String("m", "", "rows of C (default: --n); comma-separated list for several cases")
	nFlag := fs.String("n", "", "size n (gemm: columns of C; syrk/potrf: order); comma-separated list for several cases")
	kFlag := fs.String("k", "", "inner dimension (default: --n); comma-separated list for several cases")
	nrhs := fs.Int("nrhs", 0, "right-hand sides (trsm)")
	d := fs.Int("d", 0, "input dimension (rf, ntk)")
	threadsFlag := fs.String("threads", "", "goroutines (default: all cores); comma-separated list for several cases")
	precFlag := fs.String("precision", "f64", "f64 or f32; comma-separated list for several cases")
	isa := fs.String("isa", "", "instruction set: generic, avx2, avx512 or neon (default: the best available, or $SPURIOUS_ISA)")
	reps := fs.Int("reps", 5, "timed samples after one warm-up run; the median is reported")
	minTime := fs.Duration("min-time", 250*time.Millisecond, "a sample repeats the operation until it has run this long and counts the mean (openblas_bench.py does the same)")
	asJSON := fs.Bool("json", false, "print one JSON object per case instead of a table")
	var op string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		op, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if op == "" && fs.NArg() > 0 {
		op = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return cli.Usagef("bench: unexpected argument %q", fs.Arg(0))
	}
	if op == "" {
		fs.Usage()
		return cli.Usagef("bench: name an operation: %s", strings.Join(bench.Names(), ", "))
	}
	prepare, ok := bench.Lookup(op)
	if !ok {
		return cli.Usagef("bench: unknown operation %q: known are %s", op, strings.Join(bench.Names(), ", "))
	}
	if *reps < 1 {
		return cli.Usagef("bench: --reps %d: need at least 1", *reps)
	}
	if *minTime < 0 {
		return cli.Usagef("bench: --min-time %v: need 0 or more", *minTime)
	}
	if *nrhs < 0 || *d < 0 {
		return cli.Usagef("bench: --nrhs and --d must be positive")
	}
	ms, err := intList("m", *mFlag)
	if err != nil {
		return err
	}
	ns, err := intList("n", *nFlag)
	if err != nil {
		return err
	}
	ks, err := intList("k", *kFlag)
	if err != nil {
		return err
	}
	count := max(len(ms), len(ns), len(ks))
	for _, l := range [][]int{ms, ns, ks} {
		if len(l) != 1 && len(l) != count {
			return cli.Usagef("bench: --m, --n and --k lists must have one value or the same length (%d)", count)
		}
	}
	threads, err := intList("threads", *threadsFlag)
	if err != nil {
		return err
	}
	var precs []string
	for _, p := range strings.Split(*precFlag, ",") {
		p = strings.TrimSpace(p)
		if p != "f64" && p != "f32" {
			return cli.Usagef("bench: --precision %q: want f64 or f32", p)
		}
		precs = append(precs, p)
	}
	restore, err := selectISA(*isa)
	if err != nil {
		return err
	}
	defer restore()
	defer linalg.SetThreads(linalg.SetThreads(0))

	if !*asJSON {
		fmt.Fprintln(stdout, bench.Header())
	}
	peak := bench.MeasurePeak()
	var results []bench.Result
	for _, cfg := range bench.Cases(ms, ns, ks, threads, precs, bench.Config{NRHS: *nrhs, D: *d}) {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := bench.Run(ctx, op, prepare, cfg, *reps, *minTime, peak)
		if err != nil {
			return fmt.Errorf("bench %s: %w", op, err)
		}
		if *asJSON {
			if err := json.NewEncoder(stdout).Encode(r); err != nil {
				return err
			}
		}
		results = append(results, r)
	}
	if !*asJSON {
		bench.WriteTable(stdout, results, peak)
	}
	return nil
}
