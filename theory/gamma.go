package theory

import (
	"fmt"
	"math"

	"github.com/spurious-ml/spurious/activation"
)

// Predictor holds the spectral quantities behind the feature-alignment
// limit gamma of one (model, activation, derivative mode), so that gamma can
// be evaluated for many alpha, N and d cheaply.
//
// Notation (paper §3): kappa(t) = E[f(G1) f(G2)] for standard normals with
// correlation t, where f = phi for RF and f = phi' for NTK; mu_l are the
// Hermite coefficients of f. For RF
//
//	c_*        = kappa(1) - mu_0^2 - mu_1^2
//	c_*(alpha) = kappa(alpha) - mu_0^2 - mu_1^2 alpha
//	large N:   gamma_RF^lb = c_*(alpha) / c_*
//	small N:   (kappa(alpha) - mu_0^2) / (kappa(1) - mu_0^2)
//	psi:       (c_*(alpha) + mu_1^2 alpha m) / (c_* + mu_1^2 m),  m = M(mu_1^2/c_*, psi)
//
// and for NTK, with mu'_l the coefficients of phi',
//
//	c'_*        = kappa'(1) - mu'_0^2
//	c'_*(alpha) = alpha (kappa'(alpha) - mu'_0^2)
//	large N:    gamma_NTK = c'_*(alpha) / c'_*
//	small N:    alpha kappa'(alpha) / kappa'(1)
//	psi:        (c'_*(alpha) + mu'_0^2 alpha m) / (c'_* + mu'_0^2 m),  m = M(mu'_0^2/c'_*, psi)
//
// kappa is the closed-form arc-cosine kernel for relu and step, the exact
// finite series for polynomials, and otherwise the tail-bounded Hermite
// series (2-D Gauss–Hermite quadrature as fallback), so no sum over the
// infinitely many Hermite orders is truncated beyond 1e-15 relative.
type Predictor struct {
	Model Model
	Act   *activation.Activation
	Mode  activation.DerivMode

	eng   *engine
	scale float64 // the function the engine sees is the model's divided by scale
	mu0sq float64 // mu_0^2
	lin   float64 // mu_1^2 (RF) or mu'_0^2 (NTK)
	total float64 // kappa(1)
	rest  float64 // c_* (RF) or c'_* (NTK)
}

// NewPredictor prepares gamma for model and act (mode matters for NTK only).
// It fails when the model's function has no energy beyond the part that a
// linear model captures (c_* = 0: gamma is 0/0), e.g. RF with phi linear or
// NTK with phi' constant.
func NewPredictor(model Model, act *activation.Activation, mode activation.DerivMode) (*Predictor, error) {
	s, err := specFor(model, act, mode)
	if err != nil {
		return nil, err
	}
	s, scale := normalized(s)
	p := &Predictor{Model: model, Act: act, Mode: mode, eng: newEngine(s), scale: scale}
	var mu []float64
	switch s.shape {
	case activation.ShapeReLU:
		mu = ReLUCoeffs(2)
	case activation.ShapeStep:
		mu = StepCoeffs(2)
	default:
		mu = append(p.eng.at(1).c[:min(2, p.eng.L):min(2, p.eng.L)], 0, 0)
	}
	p.mu0sq = mu[0] * mu[0]
	p.total = p.eng.expect2(1, 1, 1)
	if math.IsNaN(p.total) || math.IsInf(p.total, 0) {
		return nil, fmt.Errorf("theory: E[f(G)^2] = %v for %s %s: the function is not square-integrable "+
			"under N(0,1) as evaluated", p.total, model, act.Name)
	}
	if model == RF {
		p.lin = mu[1] * mu[1]
		p.rest = p.total - p.mu0sq - p.lin
	} else {
		p.lin = p.mu0sq
		p.rest = p.total - p.mu0sq
	}
	if !(p.rest > 1e-12*p.total) {
		what := "phi has no Hermite energy beyond order 1 (it is affine)"
		if model == NTK {
			what = "phi' has no Hermite energy beyond order 0 (it is constant)"
		}
		return nil, fmt.Errorf("theory: gamma is undefined for %s with %s: %s; "+
			"the model is linear, choose a non-linear activation", model, act.Name, what)
	}
	return p, nil
}

func checkAlpha(alpha float64) error {
	if !(alpha >= 0 && alpha <= 1) {
		return fmt.Errorf("theory: alpha = %v is outside [0, 1]; alpha is the fraction d_y/d of spurious coordinates", alpha)
	}
	return nil
}

// Kappa returns kappa(t) (RF) or kappa'(t) (NTK) on the unit sphere scale.
func (p *Predictor) Kappa(t float64) float64 { return p.kappa(t) * p.scale * p.scale }

// kappa is Kappa for the normalized function (gamma does not depend on
// the scale of phi: every term below scales by its square).
func (p *Predictor) kappa(t float64) float64 { return p.eng.expect2(1, 1, max(-1, min(1, t))) }

// normalized divides a polynomial by its largest Hermite coefficient, so
// that coefficients like 1e200 or 1e-200 neither overflow nor underflow
// when squared; other shapes are returned as they are, with scale 1.
func normalized(s fnSpec) (fnSpec, float64) {
	var scale float64
	for _, c := range s.herm {
		scale = max(scale, math.Abs(c))
	}
	if s.shape != activation.ShapePolynomial || scale == 0 || scale == 1 || math.IsInf(scale, 0) {
		return s, 1
	}
	herm := make([]float64, len(s.herm))
	for i, c := range s.herm {
		herm[i] = c / scale
	}
	f := s.f
	return fnSpec{shape: s.shape, f: func(x float64) float64 { return f(x) / scale }, herm: herm}, scale
}

// parts returns c_*(alpha) (RF) or c'_*(alpha) (NTK), the part of the
// numerator that no training-set size projects out.
func (p *Predictor) parts(alpha float64) float64 {
	k := p.kappa(alpha)
	if p.Model == RF {
		return k - p.mu0sq - p.lin*alpha
	}
	return alpha * (k - p.mu0sq)
}

// LargeN is the N >> d limit: gamma_RF^lb (RF) or gamma_NTK (NTK).
func (p *Predictor) LargeN(alpha float64) (float64, error) {
	if err := checkAlpha(alpha); err != nil {
		return 0, err
	}
	return p.parts(alpha) / p.rest, nil
}

// SmallN is the 1 << N << d limit (m = 1 in the proportional formula).
func (p *Predictor) SmallN(alpha float64) (float64, error) {
	if err := checkAlpha(alpha); err != nil {
		return 0, err
	}
	return (p.parts(alpha) + p.lin*alpha) / (p.rest + p.lin), nil
}

// Psi is the proportional deterministic equivalent gamma(psi) with
// psi = (n-1)/d (paper §3.3-3.4). It fails for n < 1, d < 1 or alpha
// outside [0, 1].
func (p *Predictor) Psi(alpha float64, n, d int) (float64, error) {
	if err := checkAlpha(alpha); err != nil {
		return 0, err
	}
	if n < 1 || d < 1 {
		return 0, fmt.Errorf("theory: gamma(psi) needs n >= 1 and d >= 1 (got n = %d, d = %d)", n, d)
	}
	m := M(p.lin/p.rest, float64(n-1)/float64(d))
	return (p.parts(alpha) + p.lin*alpha*m) / (p.rest + p.lin*m), nil
}

// Coeffs returns the first L Hermite coefficients of the predictor's
// function (phi for RF, phi' for NTK) and their error estimate.
func (p *Predictor) Coeffs(L int) ([]float64, float64, error) {
	c, e, err := p.eng.spec.coeffs(L)
	for i := range c {
		c[i] *= p.scale
	}
	return c, e * p.scale, err
}

// S returns s = mu_1^2/c_* (RF) or mu'_0^2/c'_* (NTK), the signal-to-ridge
// ratio in M(s, psi).
func (p *Predictor) S() float64 { return p.lin / p.rest }

// M is the positive root m of s m^2 + (1 + s psi - s) m - 1 = 0, the
// Marchenko–Pastur quantity tr[(I + s Z^T Z/d)^{-1}]/d for isotropic rows,
// evaluated without cancellation; M(0, psi) = 1. m lies in (0, 1], equals 1
// at psi = 0 and decreases in psi like 1/(s psi).
func M(s, psi float64) float64 {
	if s == 0 {
		return 1
	}
	b := 1 + s*psi - s
	q := math.Sqrt(b*b + 4*s)
	if b >= 0 {
		return 2 / (b + q)
	}
	return (q - b) / (2 * s)
}

// GammaPsi is gamma(psi), psi = (n-1)/d, for one setting: the prediction
// `spurious run` reports next to the measured mean feature alignment. It
// builds a Predictor each call (microseconds for closed forms and
// polynomials, about a millisecond otherwise).
func GammaPsi(model Model, act *activation.Activation, mode activation.DerivMode, alpha float64, n, d int) (float64, error) {
	p, err := NewPredictor(model, act, mode)
	if err != nil {
		return 0, err
	}
	return p.Psi(alpha, n, d)
}
