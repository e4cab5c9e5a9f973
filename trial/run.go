package trial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/ntk"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/theory"
)

// Result is one finished trial. Its JSON form is the record of `spurious
// run --json` and of sweep results files (snake_case keys; null for the
// quantities the trial has no data for); the per-sample values are not
// part of it.
type Result struct {
	Model     string  `json:"model"`
	Act       string  `json:"act"`
	NTKDeriv  string  `json:"ntk_deriv,omitempty"`
	Dataset   string  `json:"dataset"`
	Alpha     float64 `json:"alpha"`
	D         int     `json:"d"`
	K         *int    `json:"k"`
	N         int     `json:"n"`
	Nt        int     `json:"nt"`
	Nh        int     `json:"n_heldout"`
	Seed      uint64  `json:"seed"`
	Ridge     float64 `json:"ridge"`
	Precision string  `json:"precision"`

	TrainAcc             float64  `json:"train_acc"`
	TestAcc              *float64 `json:"test_acc"`
	SpuriousAcc          float64  `json:"spurious_acc"`
	TestMSE              *float64 `json:"test_mse"`
	LOOMSE               float64  `json:"loo_mse"`
	FeatureAlignmentMean float64  `json:"feature_alignment_mean"`
	FeatureAlignmentStd  float64  `json:"feature_alignment_std"`
	StabilityMean        float64  `json:"stability_mean"`
	StabilityAbsMean     float64  `json:"stability_abs_mean"`
	CovSpurious          float64  `json:"cov_spurious"`
	CovLemma             float64  `json:"cov_lemma"`
	LemmaMaxRelErr       float64  `json:"lemma_max_rel_err"`
	AUC                  *float64 `json:"auc"`
	TPRAt1PctFPR         *float64 `json:"tpr_at_1pct_fpr"`
	GammaTheory          *float64 `json:"gamma_theory"`
	GramCondition        float64  `json:"gram_condition"`
	Warnings             []string `json:"warnings,omitempty"`

	VerifyLOO            int      `json:"verify_loo,omitempty"`
	VerifyLOOMaxRelErr   *float64 `json:"verify_loo_max_rel_err,omitempty"`
	VerifyLemmaMaxRelErr *float64 `json:"verify_lemma_max_rel_err,omitempty"`

	ISA          string  `json:"isa"`
	KC           int     `json:"kc"` // GEMM block sizes of the Gram precision (they change the last bits)
	MC           int     `json:"mc"`
	NC           int     `json:"nc"`
	Blocking     string  `json:"blocking"` // "tuned" (spurious tune) or "derived"
	Threads      int     `json:"threads"`
	GramFlops    float64 `json:"gram_flops"`
	GramSeconds  float64 `json:"gram_seconds"`
	SolveSeconds float64 `json:"solve_seconds"`
	Seconds      float64 `json:"seconds"`

	// Samples holds the per-sample values of the solve and G the training
	// labels (see WritePerSample).
	Samples *memorize.Result `json:"-"`
	G       []float64        `json:"-"`
}

// Options are the optional hooks of Run.
type Options struct {
	// Progress, if not nil, is called during the Gram computation with the
	// features (or hidden units) done so far and their total.
	Progress func(done, total int)
	// Warn, if not nil, receives the problems a trial runs despite (an
	// image trial without held-out queries has no memorization AUC).
	Warn func(error)
}

// Run validates s, checks that the trial fits in memory (an
// *memory.Error naming the Spec fields to reduce), loads its data,
// computes the Grams, solves, and returns the result. Invalid fields are
// *FieldError values; an ill-posed trial (a singular Gram) is a
// *FieldError on Ridge that wraps memorize.ErrSingular (and
// linalg.ErrNotPositiveDefinite). Results dominated by rounding are
// reported in Result.Warnings (and to Options.Warn). The cost is that of the data, the Grams
// (Result.GramFlops) and the solve (N^3 flops plus VerifyLOO*(N-1)^3/3).
func Run(ctx context.Context, s Spec, opt Options) (*Result, error) {
	start := time.Now()
	act, err := s.normalize()
	if err != nil {
		return nil, err
	}
	if s.Dataset == "synthetic" { // other data sets: checked once their sizes are known
		if err := memoryEstimate(&s).CheckAvailable(); err != nil {
			return nil, fmt.Errorf("trial: %w", err)
		}
	}
	td, err := loadData(ctx, &s)
	if err != nil {
		return nil, err
	}
	if err := memoryEstimate(&s).CheckAvailable(); err != nil {
		return nil, fmt.Errorf("trial: %w", err)
	}
	if td.Warning != nil && opt.Warn != nil {
		opt.Warn(td.Warning)
	}
	if s.Model == "linear" && s.Ridge == 0 && s.N >= s.D {
		return nil, fieldErr("N", "the linear model cannot interpolate n=%d samples in d=%d dimensions (it needs n < d): use fewer samples or add a ridge", s.N, s.D)
	}
	gramStart := time.Now()
	k, cross, flops, err := grams(ctx, &s, act, td, 0, s.K, opt.Progress)
	if err != nil {
		return nil, err
	}
	g := &Grams{K: k, Ks: cross[0], Kt: cross[1], Kh: cross[2], G: td.G, Gt: td.Gt, Gh: td.Gh,
		Flops: flops, Seconds: time.Since(gramStart).Seconds()}
	r, err := solve(s, act, g, opt)
	if err != nil {
		return nil, err
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// Grams are the Gram matrices of a trial and its labels, the input of
// Solve: K (N x N), the cross Grams of the spurious queries Ks (N x N),
// the test set Kt (Nt x N) and the held-out queries Kh (Nh x N), and the
// labels of the training, test and held-out samples.
type Grams struct {
	K, Ks, Kt, Kh linalg.Matrix[float64]
	G, Gt, Gh     []float64
	Flops         float64 // the flops of computing the Grams
	Seconds       float64 // the time it took
}

// FeatureGrams computes the part of the Grams of an rf or ntk trial that
// the feature rows [lo, hi) contribute (rf.GramRange, ntk.GramRange: rows
// of V, or hidden units), on the data td and the spec s that LoadData
// returns. The matrices are scaled by 1/K, so the parts of a partition of
// [0, K) sum to the trial's Grams up to the order of the additions, and
// FeatureGrams(0, K) computes exactly the Grams of Run. It does not check
// the memory (see Run). Cost: the model's Flops with hi-lo features.
func FeatureGrams(ctx context.Context, s Spec, td *Data, lo, hi int, progress func(done, total int)) (*Grams, error) {
	act, err := s.normalize()
	if err != nil {
		return nil, err
	}
	if s.Model != "rf" && s.Model != "ntk" {
		return nil, fieldErr("Model", "model %s has no features to split (rf and ntk have)", s.Model)
	}
	if lo < 0 || hi > s.K || lo >= hi {
		return nil, fieldErr("K", "feature rows [%d, %d) empty or outside [0, %d)", lo, hi, s.K)
	}
	start := time.Now()
	k, cross, flops, err := grams(ctx, &s, act, td, lo, hi, progress)
	if err != nil {
		return nil, err
	}
	return &Grams{K: k, Ks: cross[0], Kt: cross[1], Kh: cross[2], G: td.G, Gt: td.Gt, Gh: td.Gh,
		Flops: flops, Seconds: time.Since(start).Seconds()}, nil
}

// Solve fits the trial s (the spec LoadData returns) to its Grams g and
// measures it, as Run does after computing the Grams: the Result has
// g's Flops and Seconds as GramFlops and GramSeconds, and Seconds is
// GramSeconds plus the solve's time. g.K is overwritten. Errors are as
// Run's; the cost is the solve's (N^3 flops plus VerifyLOO*(N-1)^3/3).
func Solve(s Spec, g *Grams, opt Options) (*Result, error) {
	act, err := s.normalize()
	if err != nil {
		return nil, err
	}
	r, err := solve(s, act, g, opt)
	if err != nil {
		return nil, err
	}
	r.Seconds = r.GramSeconds + r.SolveSeconds
	return r, nil
}

// solve is Solve on a normalized spec.
func solve(s Spec, act *activation.Activation, g *Grams, opt Options) (*Result, error) {
	solveStart := time.Now()
	res, err := memorize.Solve(memorize.Input{
		K: g.K, Ks: g.Ks, Kt: g.Kt, Kh: g.Kh,
		G: g.G, Gt: g.Gt, Gh: g.Gh,
	}, memorize.Options{Ridge: s.Ridge, VerifyLOO: s.VerifyLOO, Seed: s.Seed, Engine: s.Engine})
	if errors.Is(err, linalg.ErrNotPositiveDefinite) {
		return nil, &FieldError{Field: "Ridge", Err: fmt.Errorf("%s: %w", s.Model, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("trial: %s: %w", s.Model, err)
	}
	r := &Result{
		Model: s.Model, Act: s.Act, Dataset: s.Dataset, Alpha: s.Alpha, D: s.D, N: s.N, Nt: s.Nt, Nh: res.Nh,
		Seed: s.Seed, Ridge: s.Ridge, Precision: s.Precision.String(),
		TrainAcc: res.TrainAcc, TestAcc: finite(res.TestAcc), SpuriousAcc: res.SpuriousAcc,
		TestMSE: finite(res.TestMSE), LOOMSE: res.LOOMSE,
		FeatureAlignmentMean: res.FMean, FeatureAlignmentStd: res.FStd,
		StabilityMean: res.StabilityMean, StabilityAbsMean: res.StabilityAbsMean,
		CovSpurious: res.CovSpurious, CovLemma: res.CovLemma, LemmaMaxRelErr: res.LemmaMaxRelErr,
		AUC: finite(res.AUC), TPRAt1PctFPR: finite(res.TPRAt1FPR), GammaTheory: gammaTheory(s, act),
		GramCondition: res.Condition,
		ISA:           s.Engine.ISA, Threads: s.Engine.Threads, GramFlops: g.Flops,
		GramSeconds: g.Seconds, SolveSeconds: time.Since(solveStart).Seconds(),
		Samples: res, G: g.G,
	}
	bl, err := gramBlocking(s)
	if err != nil {
		return nil, err
	}
	r.KC, r.MC, r.NC, r.Blocking = bl.KC, bl.MC, bl.NC, bl.Origin
	if s.Model == "rf" || s.Model == "ntk" {
		r.K = &s.K
	}
	if w := res.RoundingWarning(); w != "" {
		r.Warnings = append(r.Warnings, w)
		if opt.Warn != nil {
			opt.Warn(fmt.Errorf("warning: %s (raise the ridge)", w))
		}
	}
	if s.Model == "ntk" || s.Model == "ntk-inf" {
		r.NTKDeriv = s.Deriv.String()
	}
	if res.VerifyLOO > 0 {
		r.VerifyLOO = res.VerifyLOO
		r.VerifyLOOMaxRelErr = ptr(res.VerifyMaxRelErr)
		r.VerifyLemmaMaxRelErr = ptr(res.VerifyLemmaMaxRelErr)
	}
	return r, nil
}

// grams computes the trial's Gram matrices on s.Engine: K, then cross
// Grams for the spurious queries, the test set and the held-out queries,
// in that order; for rf and ntk only the part of feature rows [lo, hi)
// (the others ignore the range). It returns the flop count of the Gram
// computation.
func grams(ctx context.Context, s *Spec, act *activation.Activation, td *Data, lo, hi int, progress func(done, total int)) (linalg.Matrix[float64], []linalg.Matrix[float64], float64, error) {
	d, n, nt, nh := td.D, td.N(), td.Nt(), len(td.Gh)
	z := linalg.MatrixFrom(n, d, td.Z)
	qs := []linalg.Matrix[float64]{linalg.MatrixFrom(n, d, td.Zs), linalg.MatrixFrom(nt, d, td.Zt), linalg.MatrixFrom(nh, d, td.Zh)}
	q := n + nt + nh
	wseed := DeriveSeed(s.Seed, StreamWeights)
	// Synthetic queries keep the spurious columns [dx, d) of their training
	// (Zs) or test (held-out) sample: the products on those are shared.
	var shared []rf.Shared
	if s.Dataset == "synthetic" {
		dx, _ := data.SyntheticConfig{D: d, Alpha: s.Alpha}.Split()
		shared = []rf.Shared{{Query: 0, Base: -1, Lo: dx, Hi: d}, {Query: 2, Base: 1, Lo: dx, Hi: d}}
	}
	rows := []int{n, nt, nh}
	switch s.Model {
	case "rf":
		k, c, err := rf.GramRange(ctx, rf.Config{Act: act, K: s.K, Seed: wseed, Block: s.Block, Precision: s.Precision,
			Shared: shared, Progress: progress, Engine: s.Engine}, lo, hi, z, qs...)
		return k, c, rf.Flops(n, q, d, hi-lo) - rf.SharedFlops(shared, rows, hi-lo), err
	case "ntk":
		k, c, err := ntk.GramRange(ctx, ntk.Config{Act: act, Deriv: s.Deriv, K: s.K, Seed: wseed, Block: s.Block,
			Shared: shared, Progress: progress, Engine: s.Engine}, lo, hi, z, qs...)
		return k, c, ntk.Flops(n, q, d, hi-lo) - ntk.SharedFlops(shared, n, rows) - rf.SharedFlops(shared, rows, hi-lo), err
	}
	en, err := linalg.NewEngine[float64](s.Engine)
	if err != nil {
		return linalg.Matrix[float64]{}, nil, 0, &FieldError{Field: "Engine.ISA", Err: err}
	}
	if s.Model == "linear" {
		k, c, err := ntk.LinearShared(en, shared, z, qs...)
		return k, c, ntk.LinearFlops(n, q, d) - ntk.SharedFlops(shared, n, rows), err
	}
	m := theory.RF // rf-inf, ntk-inf
	if s.Model == "ntk-inf" {
		m = theory.NTK
	}
	k, c := ntk.DotKernelGram(en, theory.Kernel(m, act, s.Deriv), z, qs...)
	return k, c, ntk.LinearFlops(n, q, d), nil
}

// gramBlocking returns the GEMM blocking of the Gram's precision on the
// trial's engine settings.
func gramBlocking(s Spec) (linalg.Blocking, error) {
	if s.Precision == rf.F32 {
		en, err := linalg.NewEngine[float32](s.Engine)
		if err != nil {
			return linalg.Blocking{}, &FieldError{Field: "Engine.ISA", Err: err}
		}
		return en.Blocking(), nil
	}
	en, err := linalg.NewEngine[float64](s.Engine)
	if err != nil {
		return linalg.Blocking{}, &FieldError{Field: "Engine.ISA", Err: err}
	}
	return en.Blocking(), nil
}

// Theory returns the predicted mean feature alignment gamma(psi) of the
// trial s (theory.GammaPsi of its model and activation at its alpha, N and
// D), or nil when the theory has none (e.g. a linear activation, or an
// unknown one). For the linear model it is alpha (the mu_1-only case,
// paper §5 item 7). Images set alpha from the border: use the Spec that
// LoadData returns.
func Theory(s Spec) *float64 {
	act, err := activation.Lookup(s.Act)
	if err != nil {
		return nil
	}
	return gammaTheory(s, act)
}

func gammaTheory(s Spec, act *activation.Activation) *float64 {
	if s.Model == "linear" {
		return ptr(s.Alpha)
	}
	m := theory.RF
	if s.Model == "ntk" || s.Model == "ntk-inf" {
		m = theory.NTK
	}
	g, err := theory.GammaPsi(m, act, s.Deriv, s.Alpha, s.N, s.D)
	if err != nil || math.IsNaN(g) {
		return nil
	}
	return &g
}

func ptr(v float64) *float64 { return &v }

// finite returns &v, or nil for NaN/Inf (JSON null).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// WritePerSample writes the per-sample CSV of r: a header
// i,g,f_spurious,f_spurious_loo,feature_alignment,stability and one row
// per training sample, numbers in their shortest round-trip form.
func (r *Result) WritePerSample(w io.Writer) error {
	res, g := r.Samples, r.G
	b := []byte("i,g,f_spurious,f_spurious_loo,feature_alignment,stability\n")
	for i := range res.F {
		b = strconv.AppendInt(b, int64(i), 10)
		for _, v := range []float64{g[i], res.FSpurious[i], res.FSpuriousLOO[i], res.F[i], res.S[i]} {
			b = append(b, ',')
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		b = append(b, '\n')
		if len(b) > 1<<16 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}
