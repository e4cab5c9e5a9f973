package theory

import (
	"errors"
	"fmt"
	"math"

	"github.com/spurious-ml/spurious/activation"
)

// MaxCoeffs is the largest number of coefficients HermiteCoeffs computes.
const MaxCoeffs = 1024

// project sets c[l] = sum_i w_i fv[i] h_l(x_i) for l < len(c) <= len(r.Nodes).
// It runs the normalized recurrence on q_l = sqrt(w_i) h_l(x_i), the entries
// of an orthogonal matrix, so nothing overflows however large the nodes.
// Cost O(n len(c)).
func project(r *Rule, fv, c []float64) {
	clear(c)
	L := len(c)
	sq := sqrtTable(L)
	for i := range r.Nodes {
		sw := r.SqrtW[i]
		if sw == 0 {
			continue
		}
		x, g := r.Nodes[i], sw*fv[i]
		qPrev, q := 0.0, sw
		for l := 0; l < L; l++ {
			c[l] += g * q
			qPrev, q = q, (x*q-sq[l]*qPrev)/sq[l+1]
		}
	}
}

// sqrtTable returns sqrt(0), ..., sqrt(L).
func sqrtTable(L int) []float64 {
	s := make([]float64, L+1)
	for l := range s {
		s[l] = math.Sqrt(float64(l))
	}
	return s
}

// sample evaluates f at the nodes of r with positive weight (0 elsewhere),
// failing on a NaN or infinite value.
func sample(f func(float64) float64, r *Rule) ([]float64, error) {
	fv := make([]float64, len(r.Nodes))
	for i, x := range r.Nodes {
		if r.SqrtW[i] == 0 {
			continue
		}
		v := f(x)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nonFinite(v, x)
		}
		fv[i] = v
	}
	return fv, nil
}

// quadOrders returns the two rule sizes HermiteCoeffs compares for L
// coefficients: the larger one is exact for f h_l whenever f is a polynomial
// of degree up to 2n-L, and both leave room for the degree of h_{L-1}.
func quadOrders(L int) (hi, lo int) {
	hi = max(240, 2*L+60)
	return hi, hi * 3 / 4
}

// HermiteCoeffs returns mu_l = E[f(G) h_l(G)], l = 0..L-1, for G ~ N(0,1)
// and h_l = He_l/sqrt(l!), by Gauss–Hermite quadrature with n = max(240,
// 2L+60) nodes, and an error estimate: the largest difference between those
// coefficients and the ones from a rule with 3n/4 nodes. Cost about 1.75n
// calls of f plus 1.75 n L flops. Convergence is fast (spectral) for smooth
// f and slow for f with kinks or jumps; use ReLUCoeffs and StepCoeffs for
// those. It fails when L is outside [1, MaxCoeffs] or when f is NaN or
// infinite at a node.
func HermiteCoeffs(f func(float64) float64, L int) ([]float64, float64, error) {
	if L < 1 || L > MaxCoeffs {
		return nil, 0, fmt.Errorf("theory: %d Hermite coefficients requested; ask for 1 to %d", L, MaxCoeffs)
	}
	nHi, nLo := quadOrders(L)
	hi, err := coeffsAt(f, GaussHermite(nHi), L)
	if err != nil {
		return nil, 0, err
	}
	lo, err := coeffsAt(f, GaussHermite(nLo), L)
	if err != nil {
		return nil, 0, err
	}
	est := 0.0
	for l := range hi {
		est = max(est, math.Abs(hi[l]-lo[l]))
	}
	return hi, est, nil
}

func coeffsAt(f func(float64) float64, r *Rule, L int) ([]float64, error) {
	fv, err := sample(f, r)
	if err != nil {
		return nil, err
	}
	c := make([]float64, L)
	project(r, fv, c)
	return c, nil
}

// ReLUCoeffs returns the exact coefficients of max(x, 0), l < L:
// mu_0 = 1/sqrt(2 pi), mu_1 = 1/2, odd l >= 3 zero, and for even l >= 2
// mu_l = (-1)^(l/2+1) (l-3)!! / sqrt(2 pi l!), computed by the ratio
// mu_{l+2}/mu_l = -(l-1)/sqrt((l+1)(l+2)) (no factorials). Cost O(L).
func ReLUCoeffs(L int) []float64 {
	c := make([]float64, max(L, 0))
	if L > 0 {
		c[0] = 1 / math.Sqrt(2*math.Pi)
	}
	if L > 1 {
		c[1] = 0.5
	}
	v := 1 / (2 * math.Sqrt(math.Pi)) // mu_2
	for l := 2; l < L; l += 2 {
		c[l] = v
		v *= -float64(l-1) / math.Sqrt(float64((l+1)*(l+2)))
	}
	return c
}

// StepCoeffs returns the exact coefficients of 1{x > 0}, l < L: the
// derivative of ReLU, so mu_l = sqrt(l+1) mu_{l+1}(ReLU): mu_0 = 1/2,
// mu_1 = 1/sqrt(2 pi), mu_3 = -1/sqrt(12 pi), even l >= 2 zero. Cost O(L).
func StepCoeffs(L int) []float64 {
	return DerivCoeffs(ReLUCoeffs(max(L, 0) + 1))
}

// DerivCoeffs maps the coefficients of f to those of f' by
// mu_l(f') = sqrt(l+1) mu_{l+1}(f) (from h_l' = sqrt(l) h_{l-1}); the
// result has one coefficient fewer. Cost O(len(mu)).
func DerivCoeffs(mu []float64) []float64 {
	if len(mu) == 0 {
		return nil
	}
	d := make([]float64, len(mu)-1)
	for l := range d {
		d[l] = math.Sqrt(float64(l+1)) * mu[l+1]
	}
	return d
}

// Model selects the feature model of a prediction.
type Model int

const (
	// RF is the random-features model phi(V z); its theory uses phi.
	RF Model = iota
	// NTK is the first-layer neural tangent kernel z (x) phi'(W z); its
	// theory uses phi' (paper or true derivative).
	NTK
)

// String returns "rf" or "ntk".
func (m Model) String() string {
	if m == NTK {
		return "ntk"
	}
	return "rf"
}

// ParseModel accepts rf, ntk, and the infinite-width names rf-inf and
// ntk-inf, which share their finite-width model's theory.
func ParseModel(s string) (Model, error) {
	switch s {
	case "rf", "rf-inf":
		return RF, nil
	case "ntk", "ntk-inf":
		return NTK, nil
	}
	return 0, fmt.Errorf("theory: unknown model %q (valid: rf, ntk, rf-inf, ntk-inf)", s)
}

// fnSpec is the one-variable function a model's theory expands: phi for RF,
// the selected phi' for NTK.
type fnSpec struct {
	shape activation.Shape
	f     func(float64) float64
	herm  []float64 // exact coefficients when shape is ShapePolynomial
}

func specFor(model Model, act *activation.Activation, mode activation.DerivMode) (fnSpec, error) {
	if act == nil {
		return fnSpec{}, errors.New("theory: nil activation")
	}
	switch model {
	case RF:
		return fnSpec{act.Shape(), act.F, act.Hermite}, nil
	case NTK:
		return fnSpec{act.DerivShape(mode), act.Deriv(mode), act.DerivCoeffs(mode)}, nil
	}
	return fnSpec{}, fmt.Errorf("theory: unknown model %d", int(model))
}

// Coeffs returns the first L Hermite coefficients of the function the
// model's theory uses (phi for RF; for NTK the derivative selected by mode)
// and an error estimate, which is 0 for the exact closed forms (polynomials,
// ReLU, step) and the two-order quadrature difference otherwise.
func Coeffs(model Model, act *activation.Activation, mode activation.DerivMode, L int) ([]float64, float64, error) {
	s, err := specFor(model, act, mode)
	if err != nil {
		return nil, 0, err
	}
	return s.coeffs(L)
}

func (s fnSpec) coeffs(L int) ([]float64, float64, error) {
	if L < 1 || L > MaxCoeffs {
		return nil, 0, fmt.Errorf("theory: %d Hermite coefficients requested; ask for 1 to %d", L, MaxCoeffs)
	}
	switch s.shape {
	case activation.ShapePolynomial:
		c := make([]float64, L)
		copy(c, s.herm)
		return c, 0, nil
	case activation.ShapeReLU:
		return ReLUCoeffs(L), 0, nil
	case activation.ShapeStep:
		return StepCoeffs(L), 0, nil
	}
	return HermiteCoeffs(s.f, L)
}
