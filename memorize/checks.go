package memorize

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spurious-ml/spurious/linalg"
)

// MaxRidge is the largest relative ridge Solve accepts. Beyond it
// K + lambda*s*I keeps fewer than 6 of float64's 16 significant digits of K
// (lambda*eps > 1e-6), so every result drifts into rounding noise; the
// limit lambda -> infinity is the zero predictor (LOO MSE = mean g_i^2).
const MaxRidge = 1e10

// RoundingLimit is the condition number times the unit roundoff above
// which Solve flags its results as dominated by rounding: the computed
// coefficients may then have lost all but about two significant digits.
const RoundingLimit = 1e-2

// machineEps is the float64 machine epsilon, 2^-52 (twice the unit roundoff).
const machineEps = 0x1p-52

// ErrSingular is wrapped by every *SingularError (which also wraps
// linalg.ErrNotPositiveDefinite).
var ErrSingular = errors.New("memorize: the Gram matrix is singular")

// Pair is two training samples (0-based) whose features coincide, or
// nearly, with whether their labels agree.
type Pair struct {
	I, J      int
	SameLabel bool
	Distance2 float64 // squared feature-space distance K_ii + K_jj - 2K_ij, relative to the mean diagonal
}

func (p Pair) String() string {
	labels := "same label"
	if !p.SameLabel {
		labels = "opposite labels"
	}
	return fmt.Sprintf("samples %d and %d (%s)", p.I, p.J, labels)
}

// SingularError reports a Gram matrix (plus its ridge) that is not
// positive definite to working precision, with the training samples that
// cause it when they are duplicates in feature space.
type SingularError struct {
	Pivot      int     // first sample whose features depend (to rounding) on the earlier ones
	Value      float64 // the pivot found there, relative to the mean diagonal (<= 0, NaN or tiny)
	Duplicates []Pair  // up to 5 pairs of coinciding samples
	More       int     // further pairs not listed
}

func (e *SingularError) Error() string {
	var b strings.Builder
	if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
		return "memorize: the Gram matrix holds NaN or Inf values: check the data for NaN/Inf or values so large that their products overflow"
	}
	fmt.Fprintf(&b, "memorize: the Gram matrix is singular: the features of training sample %d depend (to rounding) on those of the samples before it", e.Pivot)
	if len(e.Duplicates) > 0 {
		b.WriteString("; duplicate samples in feature space: ")
		opposite := false
		for i, p := range e.Duplicates {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.String())
			opposite = opposite || !p.SameLabel
		}
		if e.More > 0 {
			fmt.Fprintf(&b, " and %d more pairs", e.More)
		}
		if opposite {
			b.WriteString("; duplicates with opposite labels cannot be interpolated by any model")
		} else {
			b.WriteString("; duplicates with the same label can be removed from the data")
		}
	} else {
		b.WriteString(" (the model has fewer independent features than training samples)")
	}
	b.WriteString("; add a ridge (a small one such as 1e-6 stays close to interpolation)")
	return b.String()
}

func (e *SingularError) Unwrap() []error { return []error{ErrSingular, linalg.ErrNotPositiveDefinite} }

// findDuplicates lists pairs i < j of training samples whose squared
// feature distance K_ii + K_jj - 2K_ij is at most tol times the mean
// diagonal s, reading the strict upper triangle of k and the saved
// diagonal; it returns at most five pairs and the count of the others.
// Cost O(N^2).
func findDuplicates(k linalg.Matrix[float64], diag, g []float64, s, tol float64) ([]Pair, int) {
	var pairs []Pair
	more := 0
	for i := range diag {
		row := k.Row(i)
		for j := i + 1; j < len(diag); j++ {
			d2 := (diag[i] + diag[j] - 2*row[j]) / s
			if d2 <= tol {
				if len(pairs) == 5 {
					more++
					continue
				}
				pairs = append(pairs, Pair{I: i, J: j, SameLabel: g[i] == g[j], Distance2: d2})
			}
		}
	}
	return pairs, more
}

// norm1Sym returns the 1-norm (largest absolute column sum) of the
// symmetric matrix whose strict upper triangle is in k and whose diagonal
// is diag[i] + shift. Cost O(N^2).
func norm1Sym(k linalg.Matrix[float64], diag []float64, shift float64) float64 {
	n := len(diag)
	sums := make([]float64, n)
	for i := range n {
		sums[i] += math.Abs(diag[i] + shift)
		row := k.Row(i)
		for j := i + 1; j < n; j++ {
			a := math.Abs(row[j])
			sums[i] += a
			sums[j] += a
		}
	}
	var m float64
	for _, v := range sums {
		m = max(m, v)
	}
	return m
}

// norm1 returns the 1-norm of the full symmetric matrix b (its largest
// absolute row sum). Cost O(N^2).
func norm1(b linalg.Matrix[float64]) float64 {
	var m float64
	for i := range b.Rows {
		var s float64
		for _, v := range b.Row(i) {
			s += math.Abs(v)
		}
		m = max(m, s)
	}
	return m
}

// checkFinite returns an error naming the first statistic or per-sample
// value of r that is NaN or Inf; statistics that are NaN by definition (no
// test or held-out rows) are skipped.
func (r *Result) checkFinite() error {
	vecs := []struct {
		name string
		v    []float64
	}{
		{"feature alignment F", r.F}, {"stability S", r.S}, {"f(zs)", r.FSpurious},
		{"f_-i(zs)", r.FSpuriousLOO}, {"training prediction", r.FTrain},
		{"test prediction", r.FTest}, {"held-out prediction", r.FHeld},
	}
	for _, x := range vecs {
		for i, v := range x.v {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("memorize: %s of sample %d is %v: the solve overflowed or lost all precision "+
					"(Gram condition number %.3g); check the data for huge values and add a ridge", x.name, i, v, r.Condition)
			}
		}
	}
	stats := []struct {
		name string
		v    float64
		skip bool
	}{
		{"LOO MSE", r.LOOMSE, false}, {"test MSE", r.TestMSE, r.Nt == 0}, {"mean F", r.FMean, false},
		{"std F", r.FStd, false}, {"Cov(f(zs), g)", r.CovSpurious, false}, {"Lemma covariance", r.CovLemma, false},
		{"Lemma check", r.LemmaMaxRelErr, false},
	}
	for _, x := range stats {
		if !x.skip && (math.IsNaN(x.v) || math.IsInf(x.v, 0)) {
			return fmt.Errorf("memorize: the %s is %v: the sums overflowed (Gram condition number %.3g); "+
				"check the data for huge values and add a ridge", x.name, x.v, r.Condition)
		}
	}
	return nil
}

// RoundingDominated reports whether the Gram matrix is so ill-conditioned
// that rounding errors may dominate the results (Condition times the unit
// roundoff above RoundingLimit).
func (s *Summary) RoundingDominated() bool {
	return s.Condition*machineEps > RoundingLimit
}

// RoundingWarning returns a sentence explaining RoundingDominated, with the
// closest pairs of training samples when they are near-duplicates, or ""
// when the results are not dominated by rounding.
func (s *Summary) RoundingWarning() string {
	if !s.RoundingDominated() {
		return ""
	}
	trusted := max(0, -math.Log10(s.Condition*machineEps))
	var b strings.Builder
	fmt.Fprintf(&b, "the Gram matrix (plus ridge) has condition number %.2g: about %.0f of the results' 16 significant digits survive rounding, "+
		"so per-sample values and the test MSE may be noise", s.Condition, math.Floor(trusted))
	if len(s.NearDuplicates) > 0 {
		b.WriteString("; near-duplicate training samples: ")
		for i, p := range s.NearDuplicates {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.String())
		}
	}
	b.WriteString("; add a ridge")
	return b.String()
}
