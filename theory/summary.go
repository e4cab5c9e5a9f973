package theory

import (
	"fmt"

	"github.com/spurious-ml/spurious/activation"
)

// Summary is the theory of one model and activation: the Hermite
// coefficients of phi (RF) or phi' (NTK) with their error estimate, s,
// the predictions at the spurious fractions asked for and an optional
// curve. The JSON keys are those of `spurious theory --json`.
type Summary struct {
	Model            string    `json:"model"`
	Act              string    `json:"act"`
	NTKDeriv         string    `json:"ntk_deriv,omitempty"`
	KernelMethod     string    `json:"kernel_method"`
	CoefficientsOf   string    `json:"coefficients_of"`
	Coefficients     []float64 `json:"coefficients"`
	CoefficientError float64   `json:"coefficient_error"`
	S                float64   `json:"s"`
	Results          []Point   `json:"results"`
	CurveKind        string    `json:"curve_kind,omitempty"`
	Curve            []Point   `json:"curve,omitempty"`
}

// Summarize returns the Summary of model with act (and, for the NTK,
// derivative convention mode): coeffs Hermite coefficients (1 to
// MaxCoeffs), and At(alpha, n, d) for each alpha (gamma(psi) only when n
// and d are positive). curve adds a curve: "alpha" (At on alpha = 0.05,
// 0.10, ..., 0.95), "n" (CurveN for each alpha at d, 1000 when d is 0) or
// "" (none).
func Summarize(model Model, act *activation.Activation, mode activation.DerivMode, alphas []float64, n, d int, curve string, coeffs int) (*Summary, error) {
	if curve != "" && curve != "alpha" && curve != "n" {
		return nil, fmt.Errorf("theory: curve %q: use alpha or n", curve)
	}
	p, err := NewPredictor(model, act, mode)
	if err != nil {
		return nil, err
	}
	coef, cerr, err := p.Coeffs(coeffs)
	if err != nil {
		return nil, err
	}
	s := &Summary{
		Model: model.String(), Act: act.Name, KernelMethod: KernelMethod(model, act, mode),
		CoefficientsOf: "phi", Coefficients: coef, CoefficientError: cerr, S: p.S(),
	}
	if model == NTK {
		s.NTKDeriv = mode.String()
		s.CoefficientsOf = "phi'"
	}
	for _, al := range alphas {
		pt, err := p.At(al, n, d)
		if err != nil {
			return nil, err
		}
		s.Results = append(s.Results, pt)
	}
	switch curve {
	case "alpha":
		s.CurveKind = "alpha"
		for i := 1; i < 20; i++ {
			pt, err := p.At(float64(i)/20, n, d)
			if err != nil {
				return nil, err
			}
			s.Curve = append(s.Curve, pt)
		}
	case "n":
		s.CurveKind = "n"
		if d == 0 {
			d = 1000
		}
		for _, al := range alphas {
			pts, err := p.CurveN(al, d)
			if err != nil {
				return nil, err
			}
			s.Curve = append(s.Curve, pts...)
		}
	}
	return s, nil
}
