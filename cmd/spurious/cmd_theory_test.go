package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func theoryOut(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runTheory(context.Background(), args, &out, &errOut)
	return out.String(), err
}

func TestTheoryTable(t *testing.T) {
	out, err := theoryOut(t, "--model", "rf", "--act", "relu", "--alpha", "0.5,0.25", "--n", "1000", "--d", "1000")
	if err != nil {
		t.Fatal(err)
	}
	// Paper §3.5: large-N, small-N and gamma(psi) at N = d = 1000.
	for _, want := range []string{"mu_1  =  0.500000", "mu_4  = -0.081434", "0.223941", "0.426422", "0.3764", "0.055039", "0.198037", "0.1627"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "mu_") != 10 {
		t.Errorf("want 10 coefficients:\n%s", out)
	}
}

func TestTheoryJSON(t *testing.T) {
	out, err := theoryOut(t, "--model", "ntk", "--act", "phi2", "--ntk-deriv", "true", "--alpha", "0.25", "--curve", "n", "--d", "100", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Model, Act   string
		Coefficients []float64
		Results      []map[string]float64
		CurveKind    string `json:"curve_kind"`
		Curve        []map[string]float64
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Model != "ntk" || rep.Act != "phi2" {
		t.Errorf("model %q act %q", rep.Model, rep.Act)
	}
	if !strings.Contains(out, `"ntk_deriv": "true"`) || !strings.Contains(out, `"gamma_large_n"`) {
		t.Errorf("snake_case keys missing:\n%s", out)
	}
	// phi' = h0 + sqrt2 h1 (true derivative of h1 + h2).
	if len(rep.Coefficients) != 10 || rep.Coefficients[0] != 1 || math.Abs(rep.Coefficients[1]-math.Sqrt2) > 1e-15 {
		t.Errorf("coefficients %v, want [1 sqrt2 0 ...]", rep.Coefficients)
	}
	r := rep.Results[0]
	if math.Abs(r["gamma_large_n"]-0.0625) > 1e-12 || math.Abs(r["gamma_small_n"]-0.125) > 1e-12 {
		t.Errorf("results %v, want large 1/16 and small alpha(1+2alpha)/3 = 1/8", r)
	}
	if rep.CurveKind != "n" || len(rep.Curve) != 13 {
		t.Fatalf("curve %q with %d points, want n with 13 (N = 10 .. 10000)", rep.CurveKind, len(rep.Curve))
	}
	prev := math.Inf(1)
	for _, p := range rep.Curve {
		g := p["gamma_psi"]
		if !(g < prev && g > p["gamma_large_n"] && g < p["gamma_small_n"]) {
			t.Errorf("curve point %v: gamma_psi not decreasing within the limits", p)
		}
		prev = g
	}
}

func TestTheoryCurveAlpha(t *testing.T) {
	out, err := theoryOut(t, "--act", "tanh", "--curve", "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "curve over alpha") || !strings.Contains(out, "0.95") {
		t.Errorf("alpha curve missing:\n%s", out)
	}
}

func TestTheoryBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--alpha", "1"}, "outside (0, 1)"},
		{[]string{"--alpha", "0"}, "outside (0, 1)"},
		{[]string{"--alpha", "x"}, "not a number"},
		{[]string{"--act", "swish"}, "unknown activation"},
		{[]string{"--model", "cnn"}, "unknown model"},
		{[]string{"--ntk-deriv", "exact"}, "derivative mode"},
		{[]string{"--n", "100"}, "both --n and --d"},
		{[]string{"--curve", "k"}, "--curve"},
		{[]string{"--act", "hermite:0,1"}, "linear"},
		{[]string{"--coeffs", "0"}, "--coeffs"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		_, err := theoryOut(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}
