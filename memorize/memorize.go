package memorize

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/spurious-ml/spurious/linalg"
)

// Panic messages for programmer errors (shapes that do not match).
const (
	errKShape  = "memorize: K is not square"
	errKsShape = "memorize: Ks must be N x N"
	errKtShape = "memorize: Kt must have N columns and one row per test label"
	errKhShape = "memorize: Kh must have N columns and one row per held-out label"
	errGLen    = "memorize: len(G) != N"
	errRidge   = "memorize: negative or non-finite ridge"
)

// Input holds the Gram matrices of one trial and the labels. K is read
// from its lower triangle only and is overwritten (with (K+lambda I)^{-1});
// the other matrices are read only. Kt and Kh may have zero rows.
type Input struct {
	K  linalg.Matrix[float64] // N x N, K[i][j] = k(z_i, z_j)
	Ks linalg.Matrix[float64] // N x N, Ks[i][j] = k(zs_i, z_j)
	Kt linalg.Matrix[float64] // Nt x N, Kt[t][j] = k(zt_t, z_j)
	Kh linalg.Matrix[float64] // Nh x N, Kh[h][j] = k(zh_h, z_j), held-out spurious queries
	G  []float64              // N training labels (+-1 for the accuracies)
	Gt []float64              // Nt test labels
	Gh []float64              // Nh labels of the samples the held-out queries come from
}

// Options tunes Solve.
type Options struct {
	// Ridge is lambda >= 0, relative to the mean diagonal s of K: the
	// solver uses K + lambda*s*I. 0 is the min-norm interpolator.
	Ridge float64
	// VerifyLOO > 0 retrains without each of that many randomly chosen
	// samples by brute force (a fresh Cholesky of the (N-1) x (N-1) Gram
	// each, (N-1)^3/3 flops) and compares with the closed forms.
	VerifyLOO int
	// Seed chooses the VerifyLOO samples.
	Seed uint64
	// Engine is the instruction set and thread count of the linear
	// algebra (zero fields: the process defaults, see linalg.Settings).
	Engine linalg.Settings
}

// Result holds the per-sample values and the trial's summary statistics.
type Result struct {
	F            []float64 // N feature alignments F_i
	S            []float64 // N stabilities S_i = g_i - f_{-i}(z_i)
	FSpurious    []float64 // N predictions f(zs_i)
	FSpuriousLOO []float64 // N leave-one-out predictions f_{-i}(zs_i) = f(zs_i) - F_i S_i
	FTrain       []float64 // N predictions f(z_i) (= g_i for an interpolator)
	FTest        []float64 // Nt predictions f(zt_t)
	FHeld        []float64 // Nh predictions f(zh_h)
	Summary
}

// Summary aggregates a trial. Accuracies count a prediction p for label y
// as right when p*y > 0 (an exact 0 is wrong). Statistics that need data
// the Input did not have (no test or held-out rows) are NaN.
type Summary struct {
	N, Nt, Nh int
	Ridge     float64 // lambda, relative to the mean diagonal of K
	Shift     float64 // lambda*s, the absolute diagonal shift used
	MeanDiag  float64 // s, the mean diagonal of K

	TrainAcc    float64 // fraction of i with f(z_i) g_i > 0
	TestAcc     float64 // fraction of t with f(zt_t) gt_t > 0
	SpuriousAcc float64 // fraction of i with f(zs_i) g_i > 0
	TestMSE     float64 // mean (f(zt_t) - gt_t)^2
	LOOMSE      float64 // mean S_i^2: the leave-one-out estimate of the (N-1)-sample test MSE

	FMean, FStd      float64 // mean and population standard deviation of F_i
	StabilityMean    float64 // mean S_i g_i (the paper's "mean S_i g_i"; 1 means no generalization)
	StabilityAbsMean float64 // mean |S_i|

	CovSpurious float64 // Cov(f(zs_i), g_i) over training samples (population, 1/N)
	CovLemma    float64 // mean F_i S_i g_i, the Lemma's prediction of CovSpurious (paper §2.6)

	// LemmaMaxRelErr is the largest relative gap, over all samples, between
	// F_i S_i and f(zs_i) - f_{-i}(zs_i), where f_{-i}(zs_i) is evaluated
	// from the explicit leave-one-out coefficient vector
	// a - B e_i a_i/B_ii (rank-one downdate of the inverse). It checks the
	// arithmetic; VerifyLOO checks against retraining.
	LemmaMaxRelErr float64

	AUC       float64 // P(training score > held-out score), ties count 1/2
	TPRAt1FPR float64 // fraction of training scores above the held-out 99th-percentile threshold

	// VerifyLOO is the number of samples retrained by brute force.
	VerifyLOO int
	// VerifyMaxRelErr is the largest relative gap between the closed forms
	// (F_i, S_i, f_{-i}(zs_i)) and brute-force retraining.
	VerifyMaxRelErr float64
	// VerifyLemmaMaxRelErr is the largest relative gap in the Lemma
	// f(zs_i) - f_{-i}(zs_i) = F_i S_i with every right-hand quantity
	// computed by brute force.
	VerifyLemmaMaxRelErr float64

	// Condition is the 1-norm condition number of K + lambda*s*I, from K
	// and the computed inverse (O(N^2)); it saturates at MaxFloat64.
	// Condition times 2^-52 estimates the relative rounding error of the
	// coefficients (up to a modest factor in N); see RoundingDominated.
	Condition float64
	// NearDuplicates lists up to five pairs of training samples that
	// (nearly) coincide in feature space when RoundingDominated.
	NearDuplicates []Pair
}

// Relative errors use the scale max(|x|, |y|, m), with m the mean
// magnitude of that quantity over all samples, so that a value that happens
// to be near zero does not turn rounding noise into a large relative error.

// Solve factors K + lambda*s*I once and computes every per-sample quantity
// and summary statistic. Cost: N^3/3 (Cholesky) + 2N^3/3 (inverse) +
// O(N*(N+Nt+Nh)) flops, plus VerifyLOO*(N-1)^3/3. K is overwritten.
//
// If K + lambda*s*I is not positive definite, or is so close to singular
// that a pivot falls below N*eps times the largest diagonal entry (the rule
// LAPACK's pivoted Cholesky uses), Solve returns a *SingularError naming
// the duplicated training samples, if any. A ridge above MaxRidge, or a
// NaN or Inf in any result (overflow), is an error too. A Gram matrix so
// ill-conditioned that rounding dominates is not an error: see
// Summary.Condition and RoundingWarning.
func Solve(in Input, opt Options) (*Result, error) {
	n := in.K.Rows
	checkInput(in, n)
	if !(opt.Ridge >= 0) || math.IsInf(opt.Ridge, 0) {
		panic(errRidge)
	}
	if opt.Ridge > MaxRidge {
		return nil, fmt.Errorf("memorize: ridge %g is more than %g times the mean diagonal: K + lambda*s*I would keep fewer than 6 significant digits of K and the results would be rounding noise; use a smaller ridge (lambda -> infinity is the zero predictor)", opt.Ridge, MaxRidge)
	}
	en, err := linalg.NewEngine[float64](opt.Engine)
	if err != nil {
		return nil, fmt.Errorf("memorize: Options.Engine: %w", err)
	}
	k := in.K

	// Mirror the lower triangle into the upper one and keep the diagonal:
	// the factorization overwrites the lower triangle but leaves the strict
	// upper one, so K stays available for the training predictions.
	en.Symmetrize(linalg.Lower, k)
	diag := make([]float64, n)
	var s, maxDiag float64
	for i := range diag {
		diag[i] = k.At(i, i)
		s += diag[i]
	}
	s /= float64(n)
	if !(s > 0) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("memorize: the Gram matrix has mean diagonal %v; a kernel Gram needs a positive, finite diagonal: check the features for NaN/Inf or all-zero samples", s)
	}
	shift := opt.Ridge * s
	for _, v := range diag {
		maxDiag = max(maxDiag, v+shift)
	}
	var orig linalg.Matrix[float64]
	if opt.VerifyLOO > 0 {
		orig = k.Clone()
		for i := 0; i < n; i++ {
			orig.Set(i, i, diag[i])
		}
	}

	if err := factor(en, k, shift, s, maxDiag); err != nil {
		var se *SingularError
		if errors.As(err, &se) && !math.IsNaN(se.Value) && !math.IsInf(se.Value, 0) {
			se.Duplicates, se.More = findDuplicates(k, diag, in.G, s, duplicateTol)
		}
		return nil, err
	}
	normK := norm1Sym(k, diag, shift)
	near, _ := findDuplicates(k, diag, in.G, s, nearDuplicateTol)

	r := &Result{
		F:            make([]float64, n),
		S:            make([]float64, n),
		FSpurious:    make([]float64, n),
		FSpuriousLOO: make([]float64, n),
		FTrain:       make([]float64, n),
		FTest:        make([]float64, in.Kt.Rows),
		FHeld:        make([]float64, in.Kh.Rows),
	}
	r.N, r.Nt, r.Nh = n, in.Kt.Rows, in.Kh.Rows
	r.Ridge, r.Shift, r.MeanDiag = opt.Ridge, shift, s

	// a = (K + shift I)^{-1} g.
	a := linalg.NewMatrix[float64](n, 1)
	copy(a.Data, in.G)
	en.CholeskySolve(k, a)
	av := a.Data

	// f(z_i) = (K a)_i from the untouched strict upper triangle + diagonal.
	for i := 0; i < n; i++ {
		v := diag[i] * av[i]
		for j := i + 1; j < n; j++ {
			kij := k.Data[i*k.Stride+j]
			v += kij * av[j]
			r.FTrain[j] += kij * av[i]
		}
		r.FTrain[i] += v
	}

	en.CholeskyInverse(k) // k now holds B = (K + shift I)^{-1}
	b := k
	r.Condition = min(normK*norm1(b), math.MaxFloat64) // an overflow still reads as huge, and stays JSON-encodable
	if r.RoundingDominated() {
		r.NearDuplicates = near
	}

	en.MulVec(in.Ks, av, r.FSpurious)
	en.MulVec(in.Kt, av, r.FTest)
	en.MulVec(in.Kh, av, r.FHeld)
	en.ParallelFor(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			bi := b.Row(i)
			r.F[i] = linalg.Dot(bi, in.Ks.Row(i))
			r.S[i] = av[i] / bi[i]
			r.FSpuriousLOO[i] = r.FSpurious[i] - r.F[i]*r.S[i]
		}
	})
	r.LemmaMaxRelErr = lemmaCheck(en, r, in.Ks, b, av)
	r.summarize(in)
	if err := r.checkFinite(); err != nil {
		return nil, err
	}

	if opt.VerifyLOO > 0 {
		if err := r.verify(en, orig, in, shift, opt); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Bytes returns the memory Solve allocates beyond its Input for n training
// samples, nt test and nh held-out rows, with verifyLOO brute-force
// retrainings: per-sample vectors, and for verifyLOO > 0 a copy of K and
// the (n-1) x (n-1) Gram of each retraining. The Input's own Grams
// ((2n+nt+nh) x n float64) are the caller's. Cost O(1).
func Bytes(n, nt, nh, verifyLOO int) float64 {
	nf := float64(n)
	b := 8 * (8*nf + float64(nt) + float64(nh))
	if verifyLOO > 0 {
		b += 8 * (nf*nf + (nf-1)*(nf-1) + 2*nf)
	}
	return b
}

func checkInput(in Input, n int) {
	if in.K.Cols != n {
		panic(errKShape)
	}
	if in.Ks.Rows != n || in.Ks.Cols != n {
		panic(errKsShape)
	}
	if in.Kt.Cols != n && in.Kt.Rows > 0 || in.Kt.Rows != len(in.Gt) {
		panic(errKtShape)
	}
	if in.Kh.Cols != n && in.Kh.Rows > 0 || in.Kh.Rows != len(in.Gh) {
		panic(errKhShape)
	}
	if len(in.G) != n {
		panic(errGLen)
	}
}

// factor runs the shifted Cholesky and turns a failure, or a pivot that is
// numerically zero, into an actionable error.
func factor(en *linalg.Engine[float64], k linalg.Matrix[float64], shift, s, maxDiag float64) error {
	n := k.Rows
	err := en.CholeskyShift(k, shift)
	var npd *linalg.NotPositiveDefiniteError
	if errors.As(err, &npd) {
		return notPD(npd, s)
	}
	if err != nil {
		return fmt.Errorf("memorize: factoring the Gram matrix: %w", err)
	}
	tol := float64(n) * 0x1p-52 * maxDiag
	for j := 0; j < n; j++ {
		if p := k.At(j, j) * k.At(j, j); p <= tol {
			return notPD(&linalg.NotPositiveDefiniteError{Pivot: j, Value: p}, s)
		}
	}
	return nil
}

func notPD(e *linalg.NotPositiveDefiniteError, s float64) error {
	return &SingularError{Pivot: e.Pivot, Value: e.Value / s}
}

// Relative squared feature distances under which two training samples
// count as duplicates (in a singular-Gram error) or near-duplicates (in a
// rounding warning).
const (
	duplicateTol     = 1e-10
	nearDuplicateTol = 1e-6
)

// lemmaCheck evaluates f_{-i}(zs_i) from the leave-one-out coefficient
// vector a_{-i} - B[-i, i] S_i (the rank-one downdate of B; zero weight on
// sample i) and returns the largest relative gap between
// f(zs_i) - f_{-i}(zs_i) and F_i S_i. Cost O(N^2).
func lemmaCheck(en *linalg.Engine[float64], r *Result, ks, b linalg.Matrix[float64], a []float64) float64 {
	n := len(a)
	var mean float64
	for i := range n {
		mean += math.Abs(r.FSpurious[i])
	}
	mean /= float64(n)
	// b is symmetric (both triangles filled), so b(j, i) is read from row i.
	worst := make([]float64, n)
	en.ParallelFor(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ksi, bi := ks.Row(i), b.Row(i)
			si := r.S[i]
			var loo float64
			for j := range n {
				if j != i {
					loo += ksi[j] * (a[j] - bi[j]*si)
				}
			}
			fs := r.FSpurious[i]
			worst[i] = relErr(fs-loo, r.F[i]*si, math.Abs(fs), math.Abs(loo), mean)
		}
	})
	if n == 0 {
		return 0
	}
	return slices.Max(worst)
}

// relErr returns |x - y| / max(|x|, |y|, floors...), or 0 when x == y.
func relErr(x, y float64, floors ...float64) float64 {
	d := math.Abs(x - y)
	if d == 0 {
		return 0
	}
	den := max(math.Abs(x), math.Abs(y))
	for _, f := range floors {
		den = max(den, f)
	}
	return d / den
}

func (r *Result) summarize(in Input) {
	n := float64(r.N)
	var fs, fs2, sg, sabs, s2, fsg, fsMean, gMean, fsgMean float64
	var trainOK, spurOK int
	for i, g := range in.G {
		f := r.F[i]
		fs += f
		fs2 += f * f
		sg += r.S[i] * g
		sabs += math.Abs(r.S[i])
		s2 += r.S[i] * r.S[i]
		fsg += f * r.S[i] * g
		fsMean += r.FSpurious[i]
		gMean += g
		fsgMean += r.FSpurious[i] * g
		if r.FTrain[i]*g > 0 {
			trainOK++
		}
		if r.FSpurious[i]*g > 0 {
			spurOK++
		}
	}
	r.TrainAcc = float64(trainOK) / n
	r.SpuriousAcc = float64(spurOK) / n
	r.FMean = fs / n
	r.FStd = math.Sqrt(max(0, fs2/n-r.FMean*r.FMean))
	r.StabilityMean = sg / n
	r.StabilityAbsMean = sabs / n
	r.LOOMSE = s2 / n
	r.CovLemma = fsg / n
	r.CovSpurious = fsgMean/n - (fsMean/n)*(gMean/n)

	r.TestAcc, r.TestMSE = math.NaN(), math.NaN()
	if r.Nt > 0 {
		var ok int
		var se float64
		for t, g := range in.Gt {
			if r.FTest[t]*g > 0 {
				ok++
			}
			e := r.FTest[t] - g
			se += e * e
		}
		r.TestAcc = float64(ok) / float64(r.Nt)
		r.TestMSE = se / float64(r.Nt)
	}

	r.AUC, r.TPRAt1FPR = math.NaN(), math.NaN()
	if r.Nh > 0 {
		member := make([]float64, r.N)
		for i, g := range in.G {
			member[i] = g * r.FSpurious[i]
		}
		held := make([]float64, r.Nh)
		for h, g := range in.Gh {
			held[h] = g * r.FHeld[h]
		}
		r.AUC = AUC(member, held)
		r.TPRAt1FPR = TPRAtFPR(member, held, 0.01)
	}
}

// verify retrains without each of opt.VerifyLOO random samples: it factors
// the (N-1) x (N-1) Gram (plus the same shift) and solves for the labels and
// for K[-i, i], from which it gets f_{-i}(z_i), f_{-i}(zs_i) and, by the
// Schur complement, F_i; it records the largest relative gaps.
func (r *Result) verify(en *linalg.Engine[float64], orig linalg.Matrix[float64], in Input, shift float64, opt Options) error {
	n := r.N
	m := min(opt.VerifyLOO, n)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed1007))
	idx := rng.Perm(n)[:m]
	var meanF, meanS, meanFs float64
	for i := range n {
		meanF += math.Abs(r.F[i])
		meanS += math.Abs(r.S[i])
		meanFs += math.Abs(r.FSpurious[i])
	}
	meanF, meanS, meanFs = meanF/float64(n), meanS/float64(n), meanFs/float64(n)

	sub := linalg.NewMatrix[float64](n-1, n-1)
	rhs := linalg.NewMatrix[float64](n-1, 2)
	var worst, worstLemma float64
	for _, i := range idx {
		for p, pp := 0, 0; p < n; p++ {
			if p == i {
				continue
			}
			op := orig.Row(p)
			sp := sub.Row(pp)
			copy(sp[:i], op[:i])
			copy(sp[i:], op[i+1:])
			rhs.Set(pp, 0, in.G[p])
			rhs.Set(pp, 1, op[i])
			pp++
		}
		if n > 1 {
			if err := en.CholeskyShift(sub, shift); err != nil {
				return fmt.Errorf("memorize: Options.VerifyLOO: the Gram matrix without sample %d does not factor (%w); the closed forms cannot be checked at this conditioning: add a ridge", i, err)
			}
			en.CholeskySolve(sub, rhs)
		}
		ki, ksi := orig.Row(i), in.Ks.Row(i)
		var fz, fzs, kuk, ksu float64
		for p, pp := 0, 0; p < n; p++ {
			if p == i {
				continue
			}
			th, u := rhs.At(pp, 0), rhs.At(pp, 1)
			fz += ki[p] * th
			fzs += ksi[p] * th
			kuk += ki[p] * u
			ksu += ksi[p] * u
			pp++
		}
		sBF := in.G[i] - fz
		fBF := (ksi[i] - ksu) / (ki[i] + shift - kuk)
		fs := r.FSpurious[i]
		worst = max(worst,
			relErr(r.S[i], sBF, meanS),
			relErr(r.F[i], fBF, meanF),
			relErr(r.FSpuriousLOO[i], fzs, math.Abs(fs), meanFs))
		worstLemma = max(worstLemma, relErr(fs-fzs, fBF*sBF, math.Abs(fs), math.Abs(fzs), meanFs))
	}
	r.VerifyLOO = m
	r.VerifyMaxRelErr = worst
	r.VerifyLemmaMaxRelErr = worstLemma
	return nil
}
