package memorize

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/linalg"
)

// trial is a small problem with explicit features, so that tests can
// compute every quantity from its definition.
type trial struct {
	phi, phiS, phiT, phiH [][]float64 // feature vectors (rows)
	g, gt, gh             []float64
}

// newTrial draws n training feature vectors of length p, their spurious
// versions (which share the last half of a latent input with the training
// sample, passed through a fixed tanh layer so that alignment is neither 0
// nor 1), nt test and nh held-out ones.
func newTrial(n, nt, nh, p int, seed uint64) *trial {
	r := rand.New(rand.NewPCG(seed, 1))
	d := 8
	w := make([][]float64, p)
	for i := range w {
		w[i] = make([]float64, d)
		for j := range w[i] {
			w[i][j] = r.NormFloat64() / math.Sqrt(float64(d))
		}
	}
	feat := func(z []float64) []float64 {
		f := make([]float64, p)
		for i := range f {
			var s float64
			for j, v := range z {
				s += w[i][j] * v
			}
			f[i] = math.Tanh(s) + 0.3*s
		}
		return f
	}
	draw := func() []float64 {
		z := make([]float64, d)
		for j := range z {
			z[j] = r.NormFloat64()
		}
		return z
	}
	spur := func(z []float64) []float64 {
		zs := draw()
		copy(zs[d/2:], z[d/2:])
		return zs
	}
	label := func(z []float64) float64 {
		if z[0]+z[1] > 0 {
			return 1
		}
		return -1
	}
	tr := &trial{}
	for range n {
		z := draw()
		tr.phi = append(tr.phi, feat(z))
		tr.phiS = append(tr.phiS, feat(spur(z)))
		tr.g = append(tr.g, label(z))
	}
	for range nt {
		z := draw()
		tr.phiT = append(tr.phiT, feat(z))
		tr.gt = append(tr.gt, label(z))
	}
	for range nh {
		z := draw()
		tr.phiH = append(tr.phiH, feat(spur(z)))
		tr.gh = append(tr.gh, label(z))
	}
	return tr
}

// gram returns rows(a) x rows(b) inner products, scaled by c.
func gram(a, b [][]float64, c float64) linalg.Matrix[float64] {
	m := linalg.NewMatrix[float64](len(a), len(b))
	for i := range a {
		for j := range b {
			var s float64
			for l := range a[i] {
				s += a[i][l] * b[j][l]
			}
			m.Set(i, j, c*s)
		}
	}
	return m
}

func (tr *trial) input(c float64) Input {
	return Input{
		K: gram(tr.phi, tr.phi, c), Ks: gram(tr.phiS, tr.phi, c),
		Kt: gram(tr.phiT, tr.phi, c), Kh: gram(tr.phiH, tr.phi, c),
		G: tr.g, Gt: tr.gt, Gh: tr.gh,
	}
}

// The relative tolerance of the closed forms: their rounding error grows
// like cond(K) * N * eps; with p = 3N features cond(K) stays below ~100
// here, so 1e-10 leaves a margin of several hundred.
const identityTol = 1e-10

func TestClosedFormsMatchRetraining(t *testing.T) {
	for _, ridge := range []float64{0, 1e-3, 0.5} {
		tr := newTrial(40, 30, 30, 120, 7)
		res, err := Solve(tr.input(1), Options{Ridge: ridge, VerifyLOO: 40, Seed: 1})
		if err != nil {
			t.Fatalf("ridge=%v: %v", ridge, err)
		}
		if res.VerifyLOO != 40 {
			t.Fatalf("ridge=%v: verified %d samples, want 40", ridge, res.VerifyLOO)
		}
		if res.VerifyMaxRelErr > identityTol || res.VerifyLemmaMaxRelErr > identityTol || res.LemmaMaxRelErr > identityTol {
			t.Errorf("ridge=%v: closed form vs retraining %.3g, Lemma (brute force) %.3g, Lemma (downdate) %.3g; want <= %g",
				ridge, res.VerifyMaxRelErr, res.VerifyLemmaMaxRelErr, res.LemmaMaxRelErr, identityTol)
		}
		if ridge == 0 && res.TrainAcc != 1 {
			t.Errorf("interpolator has train accuracy %v", res.TrainAcc)
		}
	}
}

// TestAlignmentFromProjector checks F_i against its definition
// phi(zs)^T P phi(z) / phi(z)^T P phi(z), with P the projector away from the
// other training features, computed by modified Gram-Schmidt on the
// explicit feature vectors (no Gram matrix, no Cholesky).
func TestAlignmentFromProjector(t *testing.T) {
	tr := newTrial(25, 0, 0, 60, 3)
	res, err := Solve(tr.input(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range tr.phi {
		var basis [][]float64
		for j, v := range tr.phi {
			if j == i {
				continue
			}
			u := append([]float64(nil), v...)
			for _, q := range basis {
				project(u, q)
			}
			nrm := math.Sqrt(linalg.Dot(u, u))
			for l := range u {
				u[l] /= nrm
			}
			basis = append(basis, u)
		}
		pz := append([]float64(nil), tr.phi[i]...)
		for range 2 { // re-orthogonalize once for accuracy
			for _, q := range basis {
				project(pz, q)
			}
		}
		want := linalg.Dot(tr.phiS[i], pz) / linalg.Dot(tr.phi[i], pz)
		if e := relErr(res.F[i], want, res.FMean); e > identityTol {
			t.Errorf("F[%d] = %.15g, projector definition %.15g (rel %.2g)", i, res.F[i], want, e)
		}
	}
}

func project(u, q []float64) {
	c := linalg.Dot(u, q)
	for l := range u {
		u[l] -= c * q[l]
	}
}

func TestScaleInvariance(t *testing.T) {
	tr := newTrial(30, 20, 20, 90, 11)
	for _, ridge := range []float64{0, 0.1} {
		base, err := Solve(tr.input(1), Options{Ridge: ridge})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []float64{1e-5, 3, 1e6} {
			res, err := Solve(tr.input(c), Options{Ridge: ridge})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct {
				name      string
				got, want []float64
			}{
				{"F", res.F, base.F}, {"S", res.S, base.S},
				{"f(zs)", res.FSpurious, base.FSpurious}, {"f(zt)", res.FTest, base.FTest},
				{"f_loo(zs)", res.FSpuriousLOO, base.FSpuriousLOO},
			} {
				var m float64
				for _, v := range q.want {
					m += math.Abs(v) / float64(len(q.want))
				}
				for i := range q.got {
					if e := relErr(q.got[i], q.want[i], m); e > identityTol {
						t.Errorf("ridge=%v scale=%v: %s[%d] = %v, unscaled %v", ridge, c, q.name, i, q.got[i], q.want[i])
						break
					}
				}
			}
		}
	}
}

func TestSummaryDefinitions(t *testing.T) {
	tr := newTrial(30, 25, 20, 90, 5)
	res, err := Solve(tr.input(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(res.N)
	var spur, fsg, sg, mf, mg, mfg float64
	for i, g := range tr.g {
		if res.FSpurious[i]*g > 0 {
			spur++
		}
		fsg += res.F[i] * res.S[i] * g / n
		sg += res.S[i] * g / n
		mf += res.FSpurious[i] / n
		mg += g / n
		mfg += res.FSpurious[i] * g / n
	}
	check := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12*max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("SpuriousAcc", res.SpuriousAcc, spur/n)
	check("CovLemma", res.CovLemma, fsg)
	check("StabilityMean", res.StabilityMean, sg)
	check("CovSpurious", res.CovSpurious, mfg-mf*mg)
	var mse float64
	for j, g := range tr.gt {
		mse += (res.FTest[j] - g) * (res.FTest[j] - g) / float64(len(tr.gt))
	}
	check("TestMSE", res.TestMSE, mse)
	if !(res.AUC >= 0 && res.AUC <= 1) || !(res.TPRAt1FPR >= 0 && res.TPRAt1FPR <= 1) {
		t.Errorf("AUC %v, TPR %v outside [0, 1]", res.AUC, res.TPRAt1FPR)
	}
}

func TestNoHeldOutGivesNaN(t *testing.T) {
	tr := newTrial(10, 0, 0, 30, 2)
	res, err := Solve(tr.input(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(res.AUC) || !math.IsNaN(res.TestAcc) || !math.IsNaN(res.TestMSE) {
		t.Errorf("AUC %v, TestAcc %v, TestMSE %v: want NaN without test/held-out rows", res.AUC, res.TestAcc, res.TestMSE)
	}
}

func TestNotPositiveDefinite(t *testing.T) {
	// Duplicate samples: rows 3 and 7 identical.
	tr := newTrial(12, 0, 0, 40, 9)
	tr.phi[7] = append([]float64(nil), tr.phi[3]...)
	_, err := Solve(tr.input(1), Options{})
	if !errors.Is(err, linalg.ErrNotPositiveDefinite) {
		t.Fatalf("duplicate samples: err = %v, want ErrNotPositiveDefinite", err)
	}
	var se *SingularError
	if !errors.As(err, &se) || len(se.Duplicates) != 1 || se.Duplicates[0].I != 3 || se.Duplicates[0].J != 7 {
		t.Fatalf("duplicate samples: err = %#v, want a *SingularError naming samples 3 and 7", err)
	}
	same := tr.g[3] == tr.g[7]
	for _, want := range []string{"samples 3 and 7", map[bool]string{true: "same label", false: "opposite labels"}[same], "add a ridge"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	for _, bad := range []string{"pivot", "Cholesky", "--k", "features (--"} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("error %q names %q", err, bad)
		}
	}
	// The ridge cures it.
	if _, err := Solve(tr.input(1), Options{Ridge: 1e-3}); err != nil {
		t.Errorf("with ridge: %v", err)
	}
	// Fewer features (10) than samples (20).
	tr = newTrial(20, 0, 0, 10, 4)
	if _, err := Solve(tr.input(1), Options{}); !errors.Is(err, linalg.ErrNotPositiveDefinite) {
		t.Errorf("p < N: err = %v, want ErrNotPositiveDefinite", err)
	}
}

func TestAUCAndTPR(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		auc, tpr float64
	}{
		{[]float64{3, 4}, []float64{1, 2}, 1, 1},
		{[]float64{1, 2}, []float64{3, 4}, 0, 0},
		{[]float64{1, 2}, []float64{1, 2}, 0.5, 0},
		// 1 beats 0 negatives, 3 beats 2 of {0.5, 2, 4}: (0 + 2)/6.
		{[]float64{0, 3}, []float64{0.5, 2, 4}, 2.0 / 6, 0},
	} {
		if got := AUC(c.pos, c.neg); math.Abs(got-c.auc) > 1e-15 {
			t.Errorf("AUC(%v, %v) = %v, want %v", c.pos, c.neg, got, c.auc)
		}
		if got := TPRAtFPR(c.pos, c.neg, 0.01); got != c.tpr {
			t.Errorf("TPRAtFPR(%v, %v) = %v, want %v", c.pos, c.neg, got, c.tpr)
		}
	}
	// 200 negatives 0..199: 1% allows the top 2, threshold 197.
	neg := make([]float64, 200)
	for i := range neg {
		neg[i] = float64(i)
	}
	if got := TPRAtFPR([]float64{196, 197, 198, 250}, neg, 0.01); got != 0.5 {
		t.Errorf("TPRAtFPR = %v, want 0.5", got)
	}
	if !math.IsNaN(AUC(nil, neg)) || !math.IsNaN(TPRAtFPR(neg, nil, 0.01)) {
		t.Error("empty sets must give NaN")
	}
}
