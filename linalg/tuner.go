package linalg

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// DefaultTuneBudget is the measuring time of Tune when TuneOptions.Budget
// is zero, for all precisions together.
const DefaultTuneBudget = 40 * time.Second

// The decision rule of Tune (clearlyFaster): a candidate blocking replaces
// the current one only when its median time over paired rounds is at
// least tuneMinSpeedup times shorter and it wins so many of the pairs
// that a coin would do as well with probability at most alpha (a
// one-sided sign test). A shared host's capacity drifts by tens of
// percent within minutes; pairs measured back to back see the same drift,
// and the two conditions together reject a candidate that owes its median
// to a few lucky rounds. A stage picks among its candidates on
// tuneRounds rounds at tuneStageAlpha (4 wins of 5); the winner of all
// stages, a maximum over noisy candidates, must then beat the derived
// blocking again on fresh tuneConfirmRounds rounds at tuneConfirmAlpha
// (8 of 9). On a simulated host with 5-10% noise per run, stalls and
// drift, fewer than 2% of searches among candidates that are all as fast
// as the derived blocking keep one (TestTunerSearch).
const (
	tuneRounds        = 5
	tuneConfirmRounds = 9
	tuneMinSpeedup    = 1.03
	tuneStageAlpha    = 0.2
	tuneConfirmAlpha  = 0.02
)

// tuneShapes are the products Tune times (m, k, n of C = A*B^T, as in the
// Gram and projection products of the RF trial), before scaling to the
// budget: a square one and the paper-size RF shapes.
var tuneShapes = []tuneShape{{1536, 1536, 1536}, {1000, 4096, 1000}, {1000, 1000, 4096}}

// tuneMinScale is the smallest linear scale of the shapes Tune picks from
// the budget: below about half the trials' sizes, products no longer
// exercise the block sizes the way the trials do, and what wins there can
// lose on them. When the budget is too short for it, Tune takes longer
// than the budget.
const tuneMinScale = 0.5

// tuneCalibration is the linear scale of the shapes of the first, timed
// run that sizes the rest to the budget.
const tuneCalibration = 0.25

// The candidates of each block size, as multiples of its derived value;
// KC is rounded to a multiple of tuneKCStep (micro-panels of whole cache
// lines for any tile and precision), MC and NC to multiples of MR and NR.
const tuneKCStep = 16

var (
	tuneKCFactors = []float64{0.5, 0.75, 1.25, 1.5, 2}
	tuneMCFactors = []float64{0.5, 0.75, 1.5, 2}
	tuneNCFactors = []float64{0.5, 0.75, 1.5, 2}
)

// TuneOptions configures Tune.
type TuneOptions struct {
	// Budget is the measuring time for all precisions together (about;
	// the shapes are scaled so that the measurements fit in it); 0 means
	// DefaultTuneBudget.
	Budget time.Duration
	// Precisions lists "f64" and/or "f32"; empty means both.
	Precisions []string
	// Progress, if not nil, receives a one-line status after each round.
	Progress func(line string)
	// Scale, if not 0, fixes the linear scale of the timed products
	// relative to the trials' sizes, in (0, 1], instead of the largest
	// from 0.5 to 1 that fits the budget. Smaller products are quicker to
	// time but use the caches less like the trials do.
	Scale float64
}

// tuneMu makes concurrent calls of Tune wait for each other.
var tuneMu sync.Mutex

// Tune measures, on this machine and the active instruction set, candidate
// GEMM block sizes around the derived ones (KC from 0.5x to 2x, then MC,
// then NC, each keeping the best so far) on products of the sizes the RF
// and NTK trials run (square n ~ 1500, 1000 x 4096 x 1000, scaled down to
// fit the budget) at Threads() goroutines, and returns for each precision
// the blocking to keep: a candidate only when it beat the derived blocking
// clearly (see tuneMinSpeedup) in its stage and again in a final
// confirmation against the derived blocking, else the derived one. It
// takes about Budget and returns ctx's error, and no Tuning, when ctx is
// cancelled.
//
// While it runs, Gemm and the routines built on it use the candidate
// block sizes in the whole process: run nothing else meanwhile. Save the
// result with WriteTuning(TuningFile()) for the engine to load it in later
// processes.
func Tune(ctx context.Context, o TuneOptions) (Tuning, error) {
	budget := o.Budget
	if budget <= 0 {
		budget = DefaultTuneBudget
	}
	precs := o.Precisions
	if len(precs) == 0 {
		precs = []string{"f64", "f32"}
	}
	for _, p := range precs {
		if p != "f64" && p != "f32" {
			return Tuning{}, fmt.Errorf("linalg: Tune: precision %q is neither f64 nor f32", p)
		}
	}
	if !(o.Scale >= 0 && o.Scale <= 1) {
		return Tuning{}, fmt.Errorf("linalg: Tune: scale %v is outside (0, 1]", o.Scale)
	}
	progress := o.Progress
	if progress == nil {
		progress = func(string) {}
	}
	tuneMu.Lock()
	defer tuneMu.Unlock()
	t := Tuning{Format: TuningFormat, CPU: CPUModel()}
	start := time.Now()
	for i, p := range precs {
		share := (budget - time.Since(start)) / time.Duration(len(precs)-i)
		var e TunedBlocks
		var err error
		if p == "f64" {
			e, err = tunePrecision[float64](ctx, share, o.Scale, progress)
		} else {
			e, err = tunePrecision[float32](ctx, share, o.Scale, progress)
		}
		if err != nil {
			return Tuning{}, err
		}
		t.Entries = append(t.Entries, e)
	}
	t.Created = time.Now().UTC().Format(time.RFC3339)
	return t, nil
}

// tunePrecision tunes the block sizes of T within about budget, on
// products scaled by fixedScale, or from the budget when it is 0.
func tunePrecision[T Float](ctx context.Context, budget time.Duration, fixedScale float64, progress func(string)) (TunedBlocks, error) {
	start := time.Now()
	k := newKernel[T]()
	size := int(unsafe.Sizeof(T(0)))
	prec := precisionName(size)
	tuningBypass.Add(1)
	defer tuningBypass.Add(-1)
	prevOverride := blockOverride.Swap(nil)
	defer blockOverride.Store(prevOverride)
	derived := blockSizes(k.isa, k.rule, k.mr, k.nr, size)
	entry := TunedBlocks{
		ISA: k.isa, Precision: prec, MR: k.mr, NR: k.nr,
		DerivedKC: derived.kc, DerivedMC: derived.mc, DerivedNC: derived.nc, Speedup: 1, Threads: Threads(),
	}

	// measureAt times one run of w's products with blocking b; once ctx is
	// done it does nothing, so that cancellation waits for one run at most.
	measureAt := func(w *tuneWork[T], b blocking) float64 {
		if ctx.Err() != nil {
			return 0
		}
		restore := setBlockSizes(b.kc, b.mc, b.nc)
		defer restore()
		t0 := time.Now()
		w.run()
		return time.Since(t0).Seconds()
	}
	stages := tuneStages(derived, k.mr, k.nr)
	n := 0
	for _, s := range stages {
		for _, c := range s.cands(derived) {
			if relevantFor(tuneShapes, derived, c) {
				n++
			}
		}
	}
	meas := float64(n*(2*tuneRounds+1) + 2*tuneConfirmRounds + 2) // stages, confirmation, warm-ups
	scale := fixedScale
	if scale == 0 {
		// Time the shapes at a small scale, extrapolate the full size as
		// flops (the cube of the scale), and pick the scale at which the
		// planned measurements fit in what is left of the budget.
		w := newTuneWork[T](tuneShapes, tuneCalibration)
		measureAt(w, derived)
		tCal := measureAt(w, derived)
		if err := ctx.Err(); err != nil {
			return TunedBlocks{}, err
		}
		target := max((budget-time.Since(start)).Seconds(), 0) / meas
		scale = min(max(math.Cbrt(target/(tCal/math.Pow(tuneCalibration, 3))), tuneMinScale), 1)
	}
	w := newTuneWork[T](tuneShapes, scale)
	measureAt(w, derived)
	t1 := measureAt(w, derived)
	if err := ctx.Err(); err != nil {
		return TunedBlocks{}, err
	}
	if fixedScale == 0 {
		// Small products run at fewer flop/s than big ones: correct the
		// scale from this time at the chosen one.
		target := max((budget-time.Since(start)).Seconds(), 0) / meas
		if s := min(max(scale*math.Cbrt(target/t1), tuneMinScale), 1); math.Abs(s/scale-1) > 0.1 {
			t1 *= math.Pow(s/scale, 3)
			scale = s
			w = newTuneWork[T](tuneShapes, scale)
		}
	}
	expect := max(budget, time.Since(start)+time.Duration(meas*t1*float64(time.Second)))
	if expect > 3*budget/2 {
		progress(fmt.Sprintf("tune %s %s: a budget of %v is short for products of the trials' sizes at this speed: this takes about %v",
			k.isa, prec, budget.Round(time.Second), expect.Round(time.Second)))
	}

	tn := &tuner{
		measure:  func(b blocking) float64 { return measureAt(w, b) },
		relevant: func(x, y blocking) bool { return relevantFor(w.shapes, x, y) },
		deadline: start.Add(3 * expect / 2), // a loaded host runs late
		progress: func(s string) {
			progress(fmt.Sprintf("tune %s %s: %s (%.0f s of ~%.0f s)", k.isa, prec, s, time.Since(start).Seconds(), expect.Seconds()))
		},
	}
	res, err := tn.search(ctx, derived, stages)
	if err != nil {
		return TunedBlocks{}, err
	}
	entry.KC, entry.MC, entry.NC = res.best.kc, res.best.mc, res.best.nc
	if res.best != derived {
		entry.Speedup, entry.Wins, entry.Rounds = res.speedup, res.wins, res.rounds
	}
	return entry, nil
}

// tuneShape is one product C (m x n) = A (m x k) * B^T (B n x k).
type tuneShape struct{ m, k, n int }

// tuneWork holds the operands of the timed products.
type tuneWork[T Float] struct {
	shapes  []tuneShape
	a, b, c []Matrix[T]
}

// newTuneWork scales the shapes by scale (each dimension at least 16) and
// fills their operands with uniform random numbers in one buffer sized for
// the largest product.
func newTuneWork[T Float](shapes []tuneShape, scale float64) *tuneWork[T] {
	dim := func(v int) int { return max(16, int(math.Round(float64(v)*scale))) }
	w := &tuneWork[T]{}
	most := 0
	for _, s := range shapes {
		s = tuneShape{dim(s.m), dim(s.k), dim(s.n)}
		w.shapes = append(w.shapes, s)
		most = max(most, s.m*s.k+s.n*s.k+s.m*s.n)
	}
	buf := make([]T, most)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range buf {
		buf[i] = T(rng.Float64() - 0.5)
	}
	for _, s := range w.shapes {
		w.a = append(w.a, MatrixFrom(s.m, s.k, buf[:s.m*s.k]))
		w.b = append(w.b, MatrixFrom(s.n, s.k, buf[s.m*s.k:s.m*s.k+s.n*s.k]))
		w.c = append(w.c, MatrixFrom(s.m, s.n, buf[s.m*s.k+s.n*s.k:s.m*s.k+s.n*s.k+s.m*s.n]))
	}
	return w
}

// run computes every product once.
func (w *tuneWork[T]) run() {
	for i := range w.shapes {
		Gemm(NoTrans, Trans, 1, w.a[i], w.b[i], 0, w.c[i])
	}
}

// relevantFor reports whether blockings x and y cut some of the products
// differently; when they do not, timing them against each other is moot.
func relevantFor(shapes []tuneShape, x, y blocking) bool {
	differs := func(dim, u, v int) bool { return u != v && dim > min(u, v) }
	for _, s := range shapes {
		if differs(s.k, x.kc, y.kc) || differs(s.m, x.mc, y.mc) || differs(s.n, x.nc, y.nc) {
			return true
		}
	}
	return false
}

// tuneStage is one coordinate of the search: the candidates of one block
// size around its derived value, the others as in from.
type tuneStage struct {
	name  string
	cands func(from blocking) []blocking
}

// tuneStages returns the KC, MC and NC stages around the derived blocking
// d of an mr x nr kernel.
func tuneStages(d blocking, mr, nr int) []tuneStage {
	values := func(base, step int, factors []float64) []int {
		var vs []int
		for _, f := range factors {
			v := max(step, int(math.Round(f*float64(base)/float64(step)))*step)
			if v != base && !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		return vs
	}
	kcs := values(d.kc, tuneKCStep, tuneKCFactors)
	mcs := values(d.mc, mr, tuneMCFactors)
	ncs := values(d.nc, nr, tuneNCFactors)
	return []tuneStage{
		{"KC", func(from blocking) (bs []blocking) {
			for _, v := range kcs {
				bs = append(bs, blocking{kc: v, mc: from.mc, nc: from.nc})
			}
			return bs
		}},
		{"MC", func(from blocking) (bs []blocking) {
			for _, v := range mcs {
				bs = append(bs, blocking{kc: from.kc, mc: v, nc: from.nc})
			}
			return bs
		}},
		{"NC", func(from blocking) (bs []blocking) {
			for _, v := range ncs {
				bs = append(bs, blocking{kc: from.kc, mc: from.mc, nc: v})
			}
			return bs
		}},
	}
}

// tuner is the search of Tune, independent of what is timed.
type tuner struct {
	measure  func(blocking) float64 // seconds of one run of the products
	relevant func(x, y blocking) bool
	deadline time.Time // no stage starts after it (the confirmation does)
	progress func(string)
}

// tuneResult is the blocking a search keeps and, when it is not the
// derived one, the evidence of the confirmation.
type tuneResult struct {
	best         blocking
	speedup      float64
	wins, rounds int
}

// search runs the stages in turn, each comparing its candidates against
// the best blocking so far and keeping the clear winner with the largest
// speedup, then confirms the final blocking against the derived one d in
// fresh rounds. It returns d unless that confirmation is clear too.
func (tn *tuner) search(ctx context.Context, d blocking, stages []tuneStage) (tuneResult, error) {
	best := d
	for _, s := range stages {
		if time.Now().After(tn.deadline) {
			tn.progress(fmt.Sprintf("%s skipped: budget spent", s.name))
			continue
		}
		var cands []blocking
		for _, c := range s.cands(best) {
			if tn.relevant(best, c) {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			continue
		}
		base, times, err := tn.compare(ctx, s.name, tuneRounds, best, cands)
		if err != nil {
			return tuneResult{}, err
		}
		top, pick := 0.0, -1
		for i := range cands {
			if sp, _, keep := clearlyFaster(base[i], times[i], tuneStageAlpha); keep && sp > top {
				top, pick = sp, i
			}
		}
		if pick >= 0 {
			tn.progress(fmt.Sprintf("%s: KC %d MC %d NC %d beats KC %d MC %d NC %d by %.1f%%",
				s.name, cands[pick].kc, cands[pick].mc, cands[pick].nc, best.kc, best.mc, best.nc, 100*(top-1)))
			best = cands[pick]
		}
	}
	if best == d {
		tn.progress("keeping the derived block sizes")
		return tuneResult{best: d, speedup: 1}, nil
	}
	base, times, err := tn.compare(ctx, "confirmation", tuneConfirmRounds, d, []blocking{best})
	if err != nil {
		return tuneResult{}, err
	}
	sp, wins, keep := clearlyFaster(base[0], times[0], tuneConfirmAlpha)
	if !keep {
		tn.progress(fmt.Sprintf("KC %d MC %d NC %d not confirmed (%.3fx, won %d of %d): keeping the derived block sizes",
			best.kc, best.mc, best.nc, sp, wins, len(base[0])))
		return tuneResult{best: d, speedup: 1}, nil
	}
	tn.progress(fmt.Sprintf("keeping KC %d MC %d NC %d: %.3fx the derived KC %d MC %d NC %d, won %d of %d rounds",
		best.kc, best.mc, best.nc, sp, d.kc, d.mc, d.nc, wins, len(base[0])))
	return tuneResult{best: best, speedup: sp, wins: wins, rounds: len(base[0])}, nil
}

// compare times b against each candidate over rounds rounds, each
// round measuring b, cands[0], b, cands[1], ... (candidate first in odd
// rounds, so that a steady drift of the host's speed favours neither) so
// that every candidate time has a time of b taken next to it. After one
// untimed warm-up run of each, it returns the paired times: base[i][r]
// and times[i][r] for candidate i in round r.
func (tn *tuner) compare(ctx context.Context, stage string, rounds int, b blocking, cands []blocking) (base, times [][]float64, err error) {
	for _, c := range append([]blocking{b}, cands...) {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		tn.measure(c)
	}
	base = make([][]float64, len(cands))
	times = make([][]float64, len(cands))
	for r := range rounds {
		for i, c := range cands {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			var tb, tc float64
			if r%2 == 0 {
				tb = tn.measure(b)
				tc = tn.measure(c)
			} else {
				tc = tn.measure(c)
				tb = tn.measure(b)
			}
			base[i] = append(base[i], tb)
			times[i] = append(times[i], tc)
		}
		tn.progress(fmt.Sprintf("%s, %d candidates, round %d/%d", stage, len(cands), r+1, rounds))
	}
	return base, times, nil
}

// clearlyFaster applies the decision rule to paired times: base[r] and
// cand[r] were measured back to back in round r. speedup is the median of
// base over the median of cand; wins counts the rounds cand was faster in;
// keep says whether speedup >= tuneMinSpeedup and the probability of at
// least wins heads in len(base) fair coin flips is at most alpha.
func clearlyFaster(base, cand []float64, alpha float64) (speedup float64, wins int, keep bool) {
	if len(base) != len(cand) {
		panic("linalg: clearlyFaster: unpaired times")
	}
	if len(base) == 0 {
		return 1, 0, false
	}
	for r := range base {
		if cand[r] < base[r] {
			wins++
		}
	}
	speedup = median(base) / median(cand)
	keep = speedup >= tuneMinSpeedup && signTail(len(base), wins) <= alpha
	return speedup, wins, keep
}

// signTail returns the probability of at least wins heads in n fair coin
// flips.
func signTail(n, wins int) float64 {
	p, c := 0.0, 1.0 // c = binomial(n, i)
	for i := 0; i <= n; i++ {
		if i >= wins {
			p += c
		}
		c = c * float64(n-i) / float64(i+1)
	}
	return p / math.Exp2(float64(n))
}

// median returns the median of xs (not modified).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
