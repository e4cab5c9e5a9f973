package theory

import (
	"slices"
	"testing"

	"github.com/spurious-ml/spurious/activation"
)

func TestCurveN(t *testing.T) {
	if g := LogGrid(10, 100); !slices.Equal(g, []int{10, 18, 32, 56, 100}) {
		t.Fatalf("LogGrid(10, 100) = %v", g)
	}
	act, _ := activation.Lookup("phi2")
	p, err := NewPredictor(RF, act, activation.DerivPaper)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := p.At(0.5, 0, 0)
	if err != nil || pt.GammaPsi != nil || pt.Psi != nil || pt.GammaLargeN != mustF(p.LargeN(0.5)) {
		t.Fatalf("At(0.5, 0, 0) = %+v, %v: want the limits only", pt, err)
	}
	pts, err := p.CurveN(0.25, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != len(LogGrid(10, 2000)) {
		t.Fatalf("%d points", len(pts))
	}
	for i, pt := range pts {
		want, err := p.Psi(0.25, pt.N, 20)
		if err != nil || pt.GammaPsi == nil || *pt.GammaPsi != want || pt.D != 20 || pt.N != LogGrid(10, 2000)[i] {
			t.Fatalf("point %d = %+v, want gamma(psi) %v at N %d", i, pt, want, LogGrid(10, 2000)[i])
		}
	}
}

func mustF(v float64, err error) float64 {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSummarize(t *testing.T) {
	act, _ := activation.Lookup("relu")
	s, err := Summarize(NTK, act, activation.DerivTrue, []float64{0.25, 0.5}, 101, 50, "alpha", 4)
	if err != nil {
		t.Fatal(err)
	}
	if s.Model != "ntk" || s.NTKDeriv != "true" || s.CoefficientsOf != "phi'" || len(s.Coefficients) != 4 ||
		len(s.Results) != 2 || s.Results[1].Alpha != 0.5 || s.Results[1].GammaPsi == nil || len(s.Curve) != 19 || s.CurveKind != "alpha" {
		t.Fatalf("Summarize = %+v", s)
	}
	if _, err := Summarize(RF, act, activation.DerivPaper, []float64{0.5}, 0, 0, "psi", 4); err == nil {
		t.Error("unknown curve accepted")
	}
}
