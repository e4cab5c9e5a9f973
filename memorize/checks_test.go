package memorize

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestDuplicatesWithOppositeLabels(t *testing.T) {
	tr := newTrial(12, 5, 0, 40, 9)
	tr.phi[7] = append([]float64(nil), tr.phi[3]...)
	tr.g[7] = -tr.g[3]
	_, err := Solve(tr.input(1), Options{})
	if err == nil || !strings.Contains(err.Error(), "samples 3 and 7 (opposite labels)") || !strings.Contains(err.Error(), "cannot be interpolated") {
		t.Errorf("err = %v, want samples 3 and 7 with opposite labels", err)
	}
	if !errors.Is(err, ErrSingular) {
		t.Errorf("err does not wrap ErrSingular: %v", err)
	}
}

// TestNearDuplicatesWarn: two training samples that differ in the 7th
// digit and carry opposite labels pass the pivot test but leave results
// dominated by rounding; Solve flags it and names the pair, and a ridge
// clears the flag.
func TestNearDuplicatesWarn(t *testing.T) {
	tr := newTrial(20, 10, 0, 60, 5)
	tr.phi[11] = append([]float64(nil), tr.phi[2]...)
	for l := range tr.phi[11] {
		tr.phi[11][l] *= 1 + 3e-7*float64(l%3)
	}
	tr.g[11] = -tr.g[2]
	res, err := Solve(tr.input(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.RoundingDominated() || res.Condition*machineEps <= RoundingLimit {
		t.Fatalf("condition %.3g not flagged", res.Condition)
	}
	w := res.RoundingWarning()
	if !strings.Contains(w, "samples 2 and 11 (opposite labels)") || !strings.Contains(w, "add a ridge") {
		t.Errorf("warning %q does not name the pair and the fix", w)
	}
	good, err := Solve(tr.input(1), Options{Ridge: 1e-6})
	if err != nil || good.RoundingDominated() || good.RoundingWarning() != "" || len(good.NearDuplicates) != 0 {
		t.Errorf("with a ridge: condition %.3g, warning %q, %v", good.Condition, good.RoundingWarning(), err)
	}
}

// TestConditionIsExact compares Condition with the 1-norm condition number
// of a diagonal Gram matrix, max/min of the (shifted) diagonal.
func TestConditionIsExact(t *testing.T) {
	tr := newTrial(4, 0, 0, 4, 1)
	in := tr.input(1)
	for i := range 4 {
		for j := range 4 {
			v := 0.0
			if i == j {
				v = []float64{1, 10, 100, 1000}[i]
			}
			in.K.Set(i, j, v)
		}
	}
	res, err := Solve(in, Options{Ridge: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := (1 + 10 + 100 + 1000) / 4.0 // the ridge is relative to the mean diagonal
	if want := (1000 + s) / (1 + s); math.Abs(res.Condition-want) > 1e-12*want {
		t.Errorf("Condition = %v, want %v", res.Condition, want)
	}
}

func TestHugeRidgeIsAnError(t *testing.T) {
	tr := newTrial(10, 5, 0, 30, 2)
	for _, ridge := range []float64{1e11, 1e30, 1e50, math.MaxFloat64} {
		if _, err := Solve(tr.input(1), Options{Ridge: ridge}); err == nil || !strings.Contains(err.Error(), "smaller ridge") {
			t.Errorf("ridge %g: err = %v, want refused", ridge, err)
		}
	}
	if _, err := Solve(tr.input(1), Options{Ridge: MaxRidge}); err != nil {
		t.Errorf("ridge MaxRidge: %v", err)
	}
}

func TestNonFiniteResultsAreErrors(t *testing.T) {
	tr := newTrial(10, 5, 0, 30, 2)
	in := tr.input(1)
	in.Ks.Set(4, 2, math.Inf(1)) // a spurious query that overflowed
	_, err := Solve(in, Options{})
	if err == nil || !strings.Contains(err.Error(), "sample 4") || !strings.Contains(err.Error(), "Inf") {
		t.Errorf("err = %v, want the non-finite value named", err)
	}
	in = tr.input(1)
	in.Kt.Set(1, 0, 1e308)
	in.Kt.Set(1, 1, 1e308)
	if _, err := Solve(in, Options{}); err == nil {
		t.Error("an overflowing test prediction was accepted")
	}
}
