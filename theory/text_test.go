package theory_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/theory"
)

func TestParseAlphas(t *testing.T) {
	as, err := theory.ParseAlphas("0.5, 0.25")
	if err != nil || len(as) != 2 || as[0] != 0.5 || as[1] != 0.25 {
		t.Fatalf("ParseAlphas = %v, %v", as, err)
	}
	for _, bad := range []string{"", "x", "0", "1", "0.5,", "-0.1", "NaN"} {
		if _, err := theory.ParseAlphas(bad); err == nil {
			t.Errorf("ParseAlphas(%q) accepted", bad)
		}
	}
}

func TestSummaryWriteText(t *testing.T) {
	relu, _ := activation.Lookup("relu")
	s, err := theory.Summarize(theory.NTK, relu, activation.DerivPaper, []float64{0.5}, 100, 1000, "alpha", 3)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"model ntk  act relu  ntk-deriv paper\n", "mu_2 ", "gamma(psi)", "curve over alpha:", "0.95"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "mu_3 ") {
		t.Errorf("more than 3 coefficients:\n%s", out)
	}
}

// TestSummaryWriteTextExponents: coefficients too large or too small for
// six decimals print in exponent form, others in fixed form.
func TestSummaryWriteTextExponents(t *testing.T) {
	s := &theory.Summary{Model: "rf", Act: "x", Coefficients: []float64{1e7, 2e-5, 0.5, 0},
		Results: []theory.Point{{Alpha: 0.5, GammaLargeN: 0.25, GammaSmallN: 0.75}}}
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mu_0  =  1.000000e+07\n", "mu_1  =  2.000000e-05\n", "mu_2  =  0.500000\n", "mu_3  =  0.000000\n", "alpha   large-N   small-N\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
}
