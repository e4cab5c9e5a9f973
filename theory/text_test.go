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
