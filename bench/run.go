package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"time"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

// Result is one measured case; JSON adds the op's sizes as keys.
type Result struct {
	Op           string
	Sizes        map[string]int
	Threads      int
	Precision    string
	ISA          string
	Blocking     linalg.Blocking // the GEMM block sizes of Precision (they change the last bits)
	Seconds      float64         // median over the repetitions
	GFLOPS       float64         // flops / median seconds
	PeakGFLOPS   float64         // measured FMA peak per thread x threads
	PeakFraction float64
	BoundSeconds float64 // flop bound: flops / (peak per thread x threads)
}

// MarshalJSON writes the result as one flat object: op, the size keys,
// threads, precision, isa, kc, mc, nc, blocking ("tuned" or "derived"),
// seconds, gflops, peak_gflops, peak_fraction, bound_seconds (the time at
// the measured peak) and bound_ratio (seconds / bound_seconds).
func (r Result) MarshalJSON() ([]byte, error) {
	o := map[string]any{
		"op": r.Op, "threads": r.Threads, "precision": r.Precision, "isa": r.ISA,
		"kc": r.Blocking.KC, "mc": r.Blocking.MC, "nc": r.Blocking.NC, "blocking": r.Blocking.Origin,
		"seconds": r.Seconds, "gflops": r.GFLOPS, "peak_gflops": r.PeakGFLOPS, "peak_fraction": r.PeakFraction,
		"bound_seconds": r.BoundSeconds, "bound_ratio": r.Seconds / r.BoundSeconds,
	}
	for k, v := range r.Sizes {
		o[k] = v
	}
	return json.Marshal(o)
}

// Names lists the operations, sorted.
func Names() []string { return slices.Sorted(maps.Keys(ops)) }

// Lookup returns the preparation of the operation name.
func Lookup(name string) (Op, bool) {
	op, ok := ops[name]
	return op, ok
}

// Run prepares one case of operation op, runs it once to warm up, then takes reps
// timed samples and reports their median. A sample runs the case inner
// times, inner chosen from the warm-up so that a sample lasts at least
// minTime, and counts the mean time of a run: a short operation is then
// measured over as long a window as a long one, as openblas_bench.py does,
// instead of over a few milliseconds that a burst of load on a shared
// machine can cover. The case's Reset, if any, runs before each Run,
// outside the timed interval. Run sets the process-wide thread count
// (linalg.SetThreads) to cfg.Threads, since the cases measure the
// package-level routines; the caller restores it.
func Run(ctx context.Context, op string, prepare Op, cfg Config, reps int, minTime time.Duration, peak float64) (Result, error) {
	linalg.SetThreads(cfg.Threads)
	threads := linalg.Threads()
	c, err := prepare(cfg)
	if err != nil {
		return Result{}, err
	}
	reset := c.Reset
	if reset == nil {
		reset = func() {}
	}
	timed := func() (time.Duration, error) {
		reset()
		start := time.Now()
		err := c.Run()
		return time.Since(start), err
	}
	warm, err := timed()
	if err != nil {
		return Result{}, err
	}
	inner := 1
	if warm > 0 && warm < minTime {
		inner = int(minTime / warm)
	}
	times := make([]float64, reps)
	for i := range times {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		var total time.Duration
		for range inner {
			t, err := timed()
			if err != nil {
				return Result{}, err
			}
			total += t
		}
		times[i] = total.Seconds() / float64(inner)
	}
	sort.Float64s(times)
	med := times[reps/2]
	if reps%2 == 0 {
		med = (times[reps/2-1] + times[reps/2]) / 2
	}
	peakAll := peak * float64(min(threads, runtime.NumCPU()))
	if cfg.Precision == "f32" && asm.Active() != asm.Generic {
		peakAll *= 2 // twice the lanes per vector; scalar Go runs float32 at the float64 rate
	}
	r := Result{
		Op: op, Sizes: c.Sizes, Threads: threads, Precision: cfg.Precision, ISA: asm.Active(),
		Blocking: linalg.GemmBlocking[float64](), Seconds: med, GFLOPS: c.Flops / med / 1e9, PeakGFLOPS: peakAll / 1e9,
	}
	if cfg.Precision == "f32" {
		r.Blocking = linalg.GemmBlocking[float32]()
	}
	r.PeakFraction = r.GFLOPS / r.PeakGFLOPS
	r.BoundSeconds = c.Flops / peakAll
	return r, nil
}

// MeasurePeak returns the float64 FMA peak of one thread on the active
// instruction set, in flop/s: the best of five timed runs of asm.FMALoop,
// each long enough (>= 20 ms) for the timer and clock ramp-up not to
// matter. The best, not the median, because the peak is an upper bound
// and interference only ever slows a run down.
func MeasurePeak() float64 {
	iters := 1 << 16
	for {
		start := time.Now()
		asm.FMALoop(iters)
		if time.Since(start) >= 20*time.Millisecond || iters >= 1<<30 {
			break
		}
		iters *= 2
	}
	best := 0.0
	for range 5 {
		start := time.Now()
		flops := asm.FMALoop(iters)
		best = max(best, flops/time.Since(start).Seconds())
	}
	return best
}

// Cases returns the configurations of a run of several cases, as `spurious
// bench` takes them: case i has the i-th value of ms, ns and ks (a list of
// one value serves every case) and runs on each thread count of threads,
// and for each of those in each precision of precs, in that order; the
// other fields come from base. A list longer than one whose length differs
// from the longest one is a programmer error (panic).
func Cases(ms, ns, ks, threads []int, precs []string, base Config) []Config {
	count := max(len(ms), len(ns), len(ks))
	pick := func(l []int, i int) int {
		if len(l) != 1 && len(l) != count {
			panic(fmt.Sprintf("bench: size lists of lengths %d, %d, %d", len(ms), len(ns), len(ks)))
		}
		return l[min(i, len(l)-1)]
	}
	var out []Config
	for i := range count {
		for _, th := range threads {
			for _, prec := range precs {
				c := base
				c.M, c.N, c.K, c.Threads, c.Precision = pick(ms, i), pick(ns, i), pick(ks, i), th, prec
				out = append(out, c)
			}
		}
	}
	return out
}
