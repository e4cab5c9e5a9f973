package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/internal/outfile"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/ntk"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/theory"
)

func init() {
	register("run", "one trial: fit a model, measure per-sample memorization of spurious features", runRun)
}

// runModels lists the feature models of `spurious run`.
var runModels = []string{"rf", "ntk", "linear", "rf-inf", "ntk-inf"}

// defaultWidth is the paper's k per model (0: the model has no k).
var defaultWidth = map[string]int{"rf": 100000, "ntk": 100}

// trialSpec is one parsed `spurious run` request.
type trialSpec struct {
	Model, Act, Dataset  string
	Alpha                float64
	D, K, N, Nt, Heldout int
	Seed                 uint64
	Ridge                float64
	Deriv                activation.DerivMode
	Precision            rf.Precision
	Block, Threads       int
	VerifyLOO            int
	DataDir              string
	Classes              [2]int
	Border               int

	act *activation.Activation
}

// runReport is the JSON output of `spurious run` (snake_case keys; null
// for quantities the trial has no data for).
type runReport struct {
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
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "rf", "feature model: "+strings.Join(runModels, ", "))
	act := fs.String("act", "phi2", "activation: "+strings.Join(activation.Names(), ", ")+" (model linear has none and ignores it, so that sweeps can mix models)")
	dataset := fs.String("dataset", "synthetic", "data: synthetic, npy, "+strings.Join(data.ImageDataSets, ", "))
	alpha := fs.Float64("alpha", 0.5, "spurious fraction d_y/d in (0,1): synthetic data; for npy data, the fraction used by the theory (images: set by the border, an error here)")
	d := fs.Int("d", 1000, "input dimension (synthetic data)")
	k := fs.Int("k", 0, "features (rf) or hidden width (ntk); 0: the paper's 100000 (rf), 100 (ntk)")
	n := fs.Int("n", 1000, "training samples (npy: the files' rows)")
	nt := fs.Int("nt", 1000, "test samples (0: none; npy: the files' rows)")
	heldout := fs.Int("heldout", -1, "held-out spurious queries for the memorization AUC (-1: as many as test samples, 0: none)")
	seed := fs.Uint64("seed", 1, "seed of the data and of the random weights")
	ridge := fs.Float64("ridge", 0, "ridge lambda >= 0, relative to the mean diagonal of the Gram matrix (0: min-norm interpolation)")
	deriv := fs.String("ntk-deriv", "paper", "NTK derivative: paper (the authors' phi') or true")
	precision := fs.String("precision", "f64", "rf feature blocks: f64 or f32")
	block := fs.Int("block", 0, "rows of the weight matrix per streamed block (0: default)")
	verify := fs.Int("verify-loo", 0, "retrain without M random samples by brute force and report the closed forms' error")
	perSample := fs.String("per-sample", "", "write per-sample values to this CSV file (-: standard output, and the report goes to stderr)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	dir := fs.String("data", "", dataFlagUsage)
	classes := fs.String("classes", "", "image class pair A,B mapped to -1,+1 (default: MNIST 1,7; CIFAR-10 3,8)")
	border := fs.Int("border", 0, "noise border width in pixels for image data (0: the paper's 10 for MNIST, 8 for CIFAR-10)")
	var eng engineFlags
	eng.register(fs, "threads for the linear algebra")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: spurious run --model rf|ntk|linear|rf-inf|ntk-inf --act NAME --dataset synthetic|npy|mnist|fashion-mnist|cifar10\n"+
			"       [--alpha A --d D] [--k K] [--n N --nt NT] [--seed S] [--ridge L] [--ntk-deriv paper|true]\n"+
			"       [--precision f64|f32] [--block B] [--threads T] [--verify-loo M] [--per-sample FILE.csv] [--json]\n"+
			"       [--data DIR] [--classes A,B] [--border W] [--heldout H] [--isa X]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	// Flags the chosen data ignores are errors, not silently dropped.
	set := setFlags(fs)
	if err := rejectInapplicable("run", "dataset", *dataset, set, map[string][]string{
		"synthetic": {"data", "classes", "border"},
		"npy":       {"d", "n", "nt", "classes", "border"},
		"images":    {"alpha", "d"},
	}); err != nil {
		return err
	}
	if err := rejectInapplicable("run", "model", *model, set, map[string][]string{
		"linear":  {"ntk-deriv", "block"},
		"rf":      {"ntk-deriv"},
		"rf-inf":  {"ntk-deriv", "block"},
		"ntk-inf": {"block"},
	}); err != nil {
		return err
	}
	spec := trialSpec{
		Model: *model, Act: *act, Dataset: *dataset, Alpha: *alpha, D: *d, K: *k, N: *n, Nt: *nt,
		Heldout: *heldout, Seed: *seed, Ridge: *ridge, Block: *block, Threads: eng.threads,
		VerifyLOO: *verify, DataDir: *dir, Border: *border,
	}
	var err error
	if spec.Deriv, err = activation.ParseDerivMode(*deriv); err != nil {
		return asUsage(err)
	}
	if spec.Precision, err = rf.ParsePrecision(*precision); err != nil {
		return asUsage(err)
	}
	if *classes != "" {
		if spec.Classes, err = parseClasses(*classes); err != nil {
			return asUsage(err)
		}
	}
	if err := spec.validate(); err != nil {
		return asUsage(err)
	}
	restore, err := eng.apply()
	if err != nil {
		return usageErrorf("run: %w", err)
	}
	defer restore()
	rep, res, g, err := runTrial(ctx, spec, stderr)
	if err != nil {
		return err
	}
	if *perSample != "" {
		if err := writePerSample(*perSample, stdout, res, g); err != nil {
			return err
		}
		if *perSample == "-" {
			stdout = stderr // the per-sample CSV went to stdout
		}
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	return printRun(stdout, rep)
}

func parseClasses(s string) ([2]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return [2]int{}, fmt.Errorf("run: --classes %q: want two class labels A,B", s)
	}
	var c [2]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return c, fmt.Errorf("run: --classes %q: %q is not a class label (an integer >= 0)", s, p)
		}
		c[i] = v
	}
	return c, nil
}

// validate checks the flags that do not need the data and fills defaults.
func (s *trialSpec) validate() error {
	known := false
	for _, m := range runModels {
		known = known || s.Model == m
	}
	if !known {
		return fmt.Errorf("run: unknown model %q (valid: %s)", s.Model, strings.Join(runModels, ", "))
	}
	a, err := activation.Lookup(s.Act)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	s.act, s.Act = a, a.Name
	if s.K == 0 {
		s.K = defaultWidth[s.Model]
	}
	switch {
	case s.Model == "rf" || s.Model == "ntk":
		if s.K < 1 {
			return fmt.Errorf("run: k=%d, want k >= 1 features", s.K)
		}
	case s.K != 0:
		return fmt.Errorf("run: --k does not apply to model %s", s.Model)
	}
	switch {
	case !(s.Alpha > 0 && s.Alpha < 1):
		return fmt.Errorf("run: alpha=%v, want 0 < alpha < 1", s.Alpha)
	case s.N < 1:
		return fmt.Errorf("run: n=%d, want n >= 1", s.N)
	case s.Nt < 0:
		return fmt.Errorf("run: nt=%d, want nt >= 0", s.Nt)
	case !(s.Ridge >= 0) || math.IsInf(s.Ridge, 0):
		return fmt.Errorf("run: ridge=%v, want a finite lambda >= 0", s.Ridge)
	case s.Ridge > memorize.MaxRidge:
		return fmt.Errorf("run: ridge=%v, want at most %g: a larger ridge drowns the Gram matrix in rounding (lambda -> infinity is the zero predictor)", s.Ridge, memorize.MaxRidge)
	case s.Block < 0:
		return fmt.Errorf("run: block=%d, want >= 0", s.Block)
	case s.Threads < 0:
		return fmt.Errorf("run: threads=%d, want >= 0 (0: all cores)", s.Threads)
	case s.VerifyLOO < 0:
		return fmt.Errorf("run: verify-loo=%d, want >= 0", s.VerifyLOO)
	case s.Heldout < -1:
		return fmt.Errorf("run: heldout=%d, want >= 0 (or -1: as many as test samples)", s.Heldout)
	case s.Precision == rf.F32 && s.Model != "rf":
		return fmt.Errorf("run: --precision f32 applies to model rf only")
	}
	if s.Heldout == -1 {
		s.Heldout = s.Nt
	}
	switch s.Dataset {
	case "synthetic":
		if s.D < 2 {
			return fmt.Errorf("run: d=%d, want d >= 2", s.D)
		}
	case "npy":
		if s.DataDir == "" {
			return errors.New("run: --dataset npy needs --data DIR (holding z.npy, zs.npy, zt.npy, g.npy, gt.npy)")
		}
	default:
		isImage := false
		for _, name := range data.ImageDataSets {
			isImage = isImage || s.Dataset == name
		}
		if !isImage {
			return fmt.Errorf("run: unknown dataset %q (valid: synthetic, npy, %s)", s.Dataset, strings.Join(data.ImageDataSets, ", "))
		}
	}
	return nil
}

// trialData is a loaded trial: the data set plus the held-out spurious
// queries (rows of d values) and their labels.
type trialData struct {
	ds     *data.Dataset
	zh, gh []float64
}

// Streams of the CLI's own randomness, separate from the data package's.
const (
	streamWeights uint64 = 0xa5a5_0001
	streamHeldout uint64 = 0xa5a5_0002
)

func deriveSeed(seed, stream uint64) uint64 {
	x := seed ^ stream*0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// loadData builds the trial's data and held-out spurious queries.
func loadData(ctx context.Context, s *trialSpec, stderr io.Writer) (*trialData, error) {
	td := &trialData{}
	switch s.Dataset {
	case "synthetic":
		ds, err := data.Synthetic(data.SyntheticConfig{D: s.D, Alpha: s.Alpha, N: s.N, Nt: s.Nt, Seed: s.Seed})
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		td.ds = ds
		// Held-out query h: test sample h's spurious part with a fresh core.
		cfg := data.SyntheticConfig{D: s.D, Alpha: s.Alpha}
		dx, _ := cfg.Split()
		nh := min(s.Heldout, s.Nt)
		td.zh = make([]float64, nh*s.D)
		td.gh = append([]float64(nil), ds.Gt[:nh]...)
		r := rand.New(rand.NewPCG(deriveSeed(s.Seed, streamHeldout), 1))
		for h := range nh {
			row := td.zh[h*s.D : (h+1)*s.D]
			for j := range dx {
				row[j] = r.NormFloat64()
			}
			copy(row[dx:], ds.Zt[h*s.D+dx:(h+1)*s.D])
		}
	case "npy":
		ds, err := data.LoadNPYDir(s.DataDir)
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		ds.Alpha = s.Alpha
		td.ds = ds
		if err := loadHeldoutNPY(td, s); err != nil {
			return nil, err
		}
	default:
		ds, err := data.ImagesContext(ctx, data.ImageConfig{
			Name: s.Dataset, Dir: s.DataDir, Classes: s.Classes, Border: s.Border, N: s.N, Nt: s.Nt, Seed: s.Seed,
		})
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		td.ds = ds
		if err := imageHeldout(td, s.Heldout); err != nil {
			fmt.Fprintf(stderr, "run: no memorization AUC: %v\n", err)
		}
	}
	if err := td.ds.Validate(); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	s.D, s.N, s.Nt = td.ds.D, td.ds.N(), td.ds.Nt()
	if s.Dataset != "synthetic" && s.Dataset != "npy" {
		s.Alpha = td.ds.Alpha
	}
	return td, nil
}

// loadHeldoutNPY reads the optional zh.npy (Nh x d held-out spurious
// queries) and gh.npy (their labels) from the data folder.
func loadHeldoutNPY(td *trialData, s *trialSpec) error {
	if s.Heldout == 0 {
		return nil
	}
	zh, pz, err := data.ReadArray(s.DataDir, "zh")
	if err != nil {
		return nil // optional: no AUC
	}
	gh, pg, err := data.ReadArray(s.DataDir, "gh")
	if err != nil {
		return fmt.Errorf("run: %s exists but its labels do not: %w", pz, err)
	}
	d := td.ds.D
	if len(zh.Shape) != 2 || zh.Shape[1] != d {
		return fmt.Errorf("run: %s has shape %v, want (Nh, %d): held-out spurious queries with as many features as z", pz, zh.Shape, d)
	}
	nh := zh.Shape[0]
	if len(gh.Data) != nh {
		return fmt.Errorf("run: %s has %d labels, want %d (one per row of %s)", pg, len(gh.Data), nh, pz)
	}
	for i, v := range gh.Data {
		if v != 1 && v != -1 {
			return fmt.Errorf("run: %s[%d] = %v, want -1 or +1", pg, i, v)
		}
	}
	nh = min(nh, s.Heldout)
	td.zh, td.gh = zh.Data[:nh*d], gh.Data[:nh]
	return nil
}

// imageHeldout builds held-out spurious queries from the first test
// images: each keeps its own noise border and gets the centre that the
// training spurious queries have (the blanked original image, after
// scaling). The centre's size follows from Alpha on the square canvas.
func imageHeldout(td *trialData, nh int) error {
	ds := td.ds
	nh = min(nh, ds.Nt())
	if nh == 0 {
		return nil
	}
	H, W, C := ds.Height, ds.Width, ds.Channels
	core := int(math.Round(float64(H*W) * (1 - ds.Alpha)))
	side := int(math.Round(math.Sqrt(float64(core))))
	w := (H - side) / 2
	if H != W || side*side != core || H-2*w != side {
		return fmt.Errorf("cannot locate the blanked centre of a %dx%d canvas with alpha %.4f", H, W, ds.Alpha)
	}
	td.zh = append([]float64(nil), ds.Zt[:nh*ds.D]...)
	td.gh = append([]float64(nil), ds.Gt[:nh]...)
	for h := range nh {
		row := td.zh[h*ds.D : (h+1)*ds.D]
		for y := w; y < w+side; y++ {
			lo, hi := (y*W+w)*C, (y*W+w+side)*C
			copy(row[lo:hi], ds.Zs[lo:hi]) // the centre of training spurious query 0
		}
	}
	return nil
}

// grams computes the trial's Gram matrices: K, then cross Grams for the
// spurious queries, the test set and the held-out queries, in that order.
// It returns the flop count of the Gram computation.
func grams(ctx context.Context, s *trialSpec, td *trialData, progress func(done, total int)) (linalg.Matrix[float64], []linalg.Matrix[float64], float64, error) {
	ds := td.ds
	d, n, nt, nh := ds.D, ds.N(), ds.Nt(), len(td.gh)
	z := linalg.MatrixFrom(n, d, ds.Z)
	qs := []linalg.Matrix[float64]{linalg.MatrixFrom(n, d, ds.Zs), linalg.MatrixFrom(nt, d, ds.Zt), linalg.MatrixFrom(nh, d, td.zh)}
	q := n + nt + nh
	wseed := deriveSeed(s.Seed, streamWeights)
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
		k, c, err := rf.Gram(ctx, rf.Config{Act: s.act, K: s.K, Seed: wseed, Block: s.Block, Precision: s.Precision, Shared: shared, Progress: progress}, z, qs...)
		return k, c, rf.Flops(n, q, d, s.K) - rf.SharedFlops(shared, rows, s.K), err
	case "ntk":
		k, c, err := ntk.Gram(ctx, ntk.Config{Act: s.act, Deriv: s.Deriv, K: s.K, Seed: wseed, Block: s.Block, Shared: shared, Progress: progress}, z, qs...)
		return k, c, ntk.Flops(n, q, d, s.K) - ntk.SharedFlops(shared, n, rows) - rf.SharedFlops(shared, rows, s.K), err
	case "linear":
		k, c, err := ntk.LinearShared(nil, shared, z, qs...)
		return k, c, ntk.LinearFlops(n, q, d) - ntk.SharedFlops(shared, n, rows), err
	default: // rf-inf, ntk-inf
		m := theory.RF
		if s.Model == "ntk-inf" {
			m = theory.NTK
		}
		k, c := ntk.DotKernelGram(nil, theory.Kernel(m, s.act, s.Deriv), z, qs...)
		return k, c, ntk.LinearFlops(n, q, d), nil
	}
}

// gammaTheory is the predicted mean feature alignment gamma(psi) for the
// model, or nil when the theory has none (e.g. a linear activation).
func gammaTheory(s *trialSpec) *float64 {
	if s.Model == "linear" {
		// phi(z) = z: the mu_1-only case, gamma = alpha (paper §5, item 7).
		return ptr(s.Alpha)
	}
	m := theory.RF
	if s.Model == "ntk" || s.Model == "ntk-inf" {
		m = theory.NTK
	}
	g, err := theory.GammaPsi(m, s.act, s.Deriv, s.Alpha, s.N, s.D)
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

// trialMemory estimates the memory of a trial with the sizes in s: data
// (training, spurious, test and held-out rows of d values), the Gram
// computation (outputs and workspace) and the solve.
func trialMemory(s *trialSpec) memory.Estimate {
	// Sizes past 2^40 are clamped so that the sums below cannot overflow;
	// the estimate is then far beyond any machine anyway.
	const huge = 1 << 40
	n, nt, d := min(s.N, huge), min(s.Nt, huge), min(s.D, huge)
	nh := max(min(s.Heldout, nt), 0)
	q := nt + nh + n
	rows := float64(n) + float64(q)
	var gram float64
	switch s.Model {
	case "rf":
		gram = rf.Bytes(rf.Config{K: s.K, Block: s.Block, Precision: s.Precision}, n, q, d)
	case "ntk":
		gram = ntk.Bytes(ntk.Config{K: s.K, Block: s.Block}, n, q, d)
	default:
		gram = 8 * rows * float64(n)
	}
	return memory.Estimate{
		{What: "data", Bytes: 8 * rows * float64(d), Reduce: "--n, --nt or --d"},
		{What: "Gram matrices and workspace", Bytes: gram, Reduce: "--n or --nt"},
		{What: "solve", Bytes: memorize.Bytes(n, nt, nh, s.VerifyLOO), Reduce: "--n or --verify-loo"},
	}
}

// runTrial loads the data, computes the Grams, solves, and reports; it
// also returns the training labels.
func runTrial(ctx context.Context, s trialSpec, stderr io.Writer) (*runReport, *memorize.Result, []float64, error) {
	start := time.Now()
	if s.Dataset == "synthetic" { // other data sets: checked once their sizes are known
		if err := trialMemory(&s).CheckAvailable(); err != nil {
			return nil, nil, nil, fmt.Errorf("run: %w", err)
		}
	}
	td, err := loadData(ctx, &s, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := trialMemory(&s).CheckAvailable(); err != nil {
		return nil, nil, nil, fmt.Errorf("run: %w", err)
	}
	if s.Model == "linear" && s.Ridge == 0 && s.N >= s.D {
		return nil, nil, nil, fmt.Errorf("run: the linear model cannot interpolate n=%d samples in d=%d dimensions (it needs n < d): lower --n or add --ridge", s.N, s.D)
	}
	gramStart := time.Now()
	lastReport := gramStart
	progress := func(done, total int) {
		now := time.Now()
		if now.Sub(lastReport) >= 2*time.Second {
			lastReport = now
			el := now.Sub(gramStart).Seconds()
			fmt.Fprintf(stderr, "run: %s Gram %d/%d (%.0f%%), %.1f s elapsed, ~%.0f s left\n",
				s.Model, done, total, 100*float64(done)/float64(total), el, el*float64(total-done)/float64(done))
		}
	}
	k, cross, flops, err := grams(ctx, &s, td, progress)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("run: %w", err)
	}
	gramSec := time.Since(gramStart).Seconds()
	solveStart := time.Now()
	res, err := memorize.Solve(memorize.Input{
		K: k, Ks: cross[0], Kt: cross[1], Kh: cross[2],
		G: td.ds.G, Gt: td.ds.Gt, Gh: td.gh,
	}, memorize.Options{Ridge: s.Ridge, VerifyLOO: s.VerifyLOO, Seed: s.Seed})
	if err != nil {
		if errors.Is(err, memorize.ErrSingular) {
			more := ""
			if s.Model == "rf" || s.Model == "ntk" {
				more = ", or more features with --k"
			}
			return nil, nil, nil, fmt.Errorf("run: %s: %w: --ridge L%s", s.Model, err, more)
		}
		return nil, nil, nil, fmt.Errorf("run: %s: %w", s.Model, err)
	}
	rep := &runReport{
		Model: s.Model, Act: s.Act, Dataset: s.Dataset, Alpha: s.Alpha, D: s.D, N: s.N, Nt: s.Nt, Nh: res.Nh,
		Seed: s.Seed, Ridge: s.Ridge, Precision: s.Precision.String(),
		TrainAcc: res.TrainAcc, TestAcc: finite(res.TestAcc), SpuriousAcc: res.SpuriousAcc,
		TestMSE: finite(res.TestMSE), LOOMSE: res.LOOMSE,
		FeatureAlignmentMean: res.FMean, FeatureAlignmentStd: res.FStd,
		StabilityMean: res.StabilityMean, StabilityAbsMean: res.StabilityAbsMean,
		CovSpurious: res.CovSpurious, CovLemma: res.CovLemma, LemmaMaxRelErr: res.LemmaMaxRelErr,
		AUC: finite(res.AUC), TPRAt1PctFPR: finite(res.TPRAt1FPR), GammaTheory: gammaTheory(&s),
		GramCondition: res.Condition,
		ISA:           asm.Active(), Threads: linalg.Threads(), GramFlops: flops,
		GramSeconds: gramSec, SolveSeconds: time.Since(solveStart).Seconds(),
	}
	bl := linalg.GemmBlocking[float64]()
	if s.Precision == rf.F32 {
		bl = linalg.GemmBlocking[float32]()
	}
	rep.KC, rep.MC, rep.NC, rep.Blocking = bl.KC, bl.MC, bl.NC, bl.Origin
	if s.Model == "rf" || s.Model == "ntk" {
		rep.K = &s.K
	}
	if w := res.RoundingWarning(); w != "" {
		rep.Warnings = append(rep.Warnings, w+" (--ridge)")
		fmt.Fprintf(stderr, "run: warning: %s (--ridge)\n", w)
	}
	if s.Model == "ntk" || s.Model == "ntk-inf" {
		rep.NTKDeriv = s.Deriv.String()
	}
	if res.VerifyLOO > 0 {
		rep.VerifyLOO = res.VerifyLOO
		rep.VerifyLOOMaxRelErr = ptr(res.VerifyMaxRelErr)
		rep.VerifyLemmaMaxRelErr = ptr(res.VerifyLemmaMaxRelErr)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, res, td.ds.G, nil
}

// writePerSample writes one CSV row per training sample with outfile.Write
// ("-" is stdout).
func writePerSample(name string, stdout io.Writer, res *memorize.Result, g []float64) error {
	err := outfile.Write(name, stdout, func(w io.Writer) error {
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
	})
	if err != nil {
		return fmt.Errorf("run: writing --per-sample file: %w", err)
	}
	return nil
}

// printRun prints the report as an aligned two-column table.
func printRun(w io.Writer, r *runReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	opt := func(p *float64, format string) string {
		if p == nil {
			return "n/a"
		}
		return fmt.Sprintf(format, *p)
	}
	k := "inf"
	if r.K != nil {
		k = strconv.Itoa(*r.K)
	} else if r.Model == "linear" {
		k = "-"
	}
	model := r.Model
	if r.NTKDeriv != "" {
		model += " (phi' " + r.NTKDeriv + ")"
	}
	rows := [][2]string{
		{"model", fmt.Sprintf("%s, act %s, k %s, ridge %g", model, r.Act, k, r.Ridge)},
		{"data", fmt.Sprintf("%s, alpha %.4g, d %d, n %d, nt %d, held-out %d, seed %d", r.Dataset, r.Alpha, r.D, r.N, r.Nt, r.Nh, r.Seed)},
		{"train / test accuracy", fmt.Sprintf("%.4f / %s", r.TrainAcc, opt(r.TestAcc, "%.4f"))},
		{"spurious accuracy", fmt.Sprintf("%.4f", r.SpuriousAcc)},
		{"test MSE / LOO MSE", fmt.Sprintf("%s / %.4f", opt(r.TestMSE, "%.4f"), r.LOOMSE)},
		{"feature alignment F", fmt.Sprintf("%.4f +- %.4f (std)   theory gamma(psi) %s", r.FeatureAlignmentMean, r.FeatureAlignmentStd, opt(r.GammaTheory, "%.4f"))},
		{"stability mean S*g / |S|", fmt.Sprintf("%.4f / %.4f", r.StabilityMean, r.StabilityAbsMean)},
		{"Cov(f(zs), g) / Lemma", fmt.Sprintf("%.4f / %.4f", r.CovSpurious, r.CovLemma)},
		{"memorization AUC / TPR@1%FPR", fmt.Sprintf("%s / %s", opt(r.AUC, "%.4f"), opt(r.TPRAt1PctFPR, "%.4f"))},
		{"Lemma max rel err", fmt.Sprintf("%.2g", r.LemmaMaxRelErr)},
		{"Gram condition number", fmt.Sprintf("%.3g", r.GramCondition)},
	}
	for _, w := range r.Warnings {
		rows = append(rows, [2]string{"WARNING", w})
	}
	if r.VerifyLOO > 0 {
		rows = append(rows, [2]string{"brute-force LOO check", fmt.Sprintf("%d samples: closed forms %.2g, Lemma %.2g",
			r.VerifyLOO, *r.VerifyLOOMaxRelErr, *r.VerifyLemmaMaxRelErr)})
	}
	rows = append(rows, [2]string{"time", fmt.Sprintf("%.2f s (Gram %.2f s, %.3g flops, %.1f GFLOP/s; solve %.2f s), %s, KC %d MC %d NC %d (%s), %d threads",
		r.Seconds, r.GramSeconds, r.GramFlops, r.GramFlops/r.GramSeconds/1e9, r.SolveSeconds, r.ISA, r.KC, r.MC, r.NC, r.Blocking, r.Threads)})
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}
