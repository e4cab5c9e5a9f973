// Package testutil holds the test helpers that the feature-model packages
// (rf, ntk) share: random inputs, synthetic trials, explicit-feature Gram
// references (compensated, package fpbound) and error-bound comparisons.
// It is imported by tests only.
package testutil

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
)

// RandMatrix returns a rows x cols matrix of standard normal entries drawn
// from a PCG stream seeded by seed.
func RandMatrix(rows, cols int, seed uint64) linalg.Matrix[float64] {
	r := rand.New(rand.NewPCG(seed, 2))
	m := linalg.NewMatrix[float64](rows, cols)
	for i := range m.Data {
		m.Data[i] = r.NormFloat64()
	}
	return m
}

// Act looks up an activation and fails the test if the name is unknown.
func Act(t testing.TB, name string) *activation.Activation {
	t.Helper()
	a, err := activation.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Synthetic draws the paper's synthetic trial and returns its matrices as
// views of the dataset.
func Synthetic(t testing.TB, d int, alpha float64, n, nt int, seed uint64) (z, zs, zt linalg.Matrix[float64], ds *data.Dataset) {
	t.Helper()
	ds, err := data.Synthetic(data.SyntheticConfig{D: d, Alpha: alpha, N: n, Nt: nt, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return linalg.MatrixFrom(n, d, ds.Z), linalg.MatrixFrom(n, d, ds.Zs), linalg.MatrixFrom(nt, d, ds.Zt), ds
}

// RefGram returns A B^T / k from explicit feature matrices, with
// compensated dot products (fpbound.Dot2), and the sums of |a_f b_f| / k
// of the same products, which scale the error bounds.
func RefGram(a, b linalg.Matrix[float64], k int) (g, abs linalg.Matrix[float64]) {
	g = linalg.NewMatrix[float64](a.Rows, b.Rows)
	abs = linalg.NewMatrix[float64](a.Rows, b.Rows)
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < b.Rows; j++ {
			s, sa := fpbound.Dot2(0, a.Row(i), b.Row(j))
			g.Set(i, j, s/float64(k))
			abs.Set(i, j, sa/float64(k))
		}
	}
	return g, abs
}

// Within fails the test at the first entry where |got-want| > tol*abs.
func Within(t *testing.T, what string, got, want, abs linalg.Matrix[float64], tol float64) {
	t.Helper()
	if got.Rows != want.Rows || got.Cols != want.Cols {
		t.Fatalf("%s: shape %dx%d, want %dx%d", what, got.Rows, got.Cols, want.Rows, want.Cols)
	}
	for i := 0; i < got.Rows; i++ {
		for j := 0; j < got.Cols; j++ {
			if d := math.Abs(got.At(i, j) - want.At(i, j)); !(d <= tol*abs.At(i, j)) {
				t.Fatalf("%s[%d][%d] = %.17g, want %.17g (|diff| %.3g > %.3g)", what, i, j, got.At(i, j), want.At(i, j), d, tol*abs.At(i, j))
			}
		}
	}
}

// CheckIdentities fails the test if Solve failed, or if its closed forms
// disagree with brute-force retraining (Options.VerifyLOO) or the Lemma
// identity is off by more than tol relative.
func CheckIdentities(t *testing.T, what string, res *memorize.Result, err error, tol float64) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if res.VerifyMaxRelErr > tol || res.VerifyLemmaMaxRelErr > tol || res.LemmaMaxRelErr > tol {
		t.Errorf("%s: closed forms vs retraining %.3g, Lemma (retrained) %.3g, Lemma (downdate) %.3g; want <= %g",
			what, res.VerifyMaxRelErr, res.VerifyLemmaMaxRelErr, res.LemmaMaxRelErr, tol)
	}
}
