package activation

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DerivMode selects which derivative the NTK feature map uses.
type DerivMode int

const (
	// DerivPaper is the derivative the authors' NTK code sets directly
	// (phi2: h0 + h1, phi4: h0 + h3, relu: 1{x > 0}); for every other
	// activation it is the true derivative. It is the default.
	DerivPaper DerivMode = iota
	// DerivTrue is the true derivative phi' of phi.
	DerivTrue
)

// String returns "paper" or "true".
func (m DerivMode) String() string {
	switch m {
	case DerivPaper:
		return "paper"
	case DerivTrue:
		return "true"
	}
	return "DerivMode(" + strconv.Itoa(int(m)) + ")"
}

// ParseDerivMode parses "paper" or "true" (the --ntk-deriv flag values).
func ParseDerivMode(s string) (DerivMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "paper", "":
		return DerivPaper, nil
	case "true":
		return DerivTrue, nil
	}
	return 0, fmt.Errorf("activation: unknown derivative mode %q (valid: paper, true)", s)
}

// Shape tells the theory package which closed forms apply to a function.
type Shape int

const (
	// ShapeSmooth is a general function, integrated numerically.
	ShapeSmooth Shape = iota
	// ShapePolynomial is a polynomial with exact Hermite coefficients.
	ShapePolynomial
	// ShapeReLU is max(x, 0) (arc-cosine kernel of degree 1).
	ShapeReLU
	// ShapeStep is 1{x > 0} (arc-cosine kernel of degree 0).
	ShapeStep
)

// String names the shape.
func (s Shape) String() string {
	switch s {
	case ShapeSmooth:
		return "smooth"
	case ShapePolynomial:
		return "polynomial"
	case ShapeReLU:
		return "relu"
	case ShapeStep:
		return "step"
	}
	return "Shape(" + strconv.Itoa(int(s)) + ")"
}

// Activation is one entry of the catalogue. The function fields are safe
// for concurrent use; treat the slices as read-only.
type Activation struct {
	// Name is the canonical name (as accepted by Lookup).
	Name string
	// F is phi.
	F func(float64) float64
	// D is the true derivative phi' (the step 1{x > 0} for relu).
	D func(float64) float64
	// NTKDeriv is the derivative the authors' NTK code uses: h0 + h1 for
	// phi2, h0 + h3 for phi4, 1{x > 0} for relu; equal to D otherwise.
	NTKDeriv func(float64) float64

	// Hermite holds the exact normalized-Hermite coefficients mu_l of F
	// when F is a polynomial, nil otherwise.
	Hermite []float64
	// DerivHermite holds the exact coefficients of D, nil if D is not a
	// polynomial.
	DerivHermite []float64
	// NTKHermite holds the exact coefficients of NTKDeriv, nil if it is
	// not a polynomial.
	NTKHermite []float64

	f, d, ntk evaluator
}

// Shape reports the shape of phi.
func (a *Activation) Shape() Shape { return a.f.shape() }

// DerivShape reports the shape of the derivative selected by mode.
func (a *Activation) DerivShape(mode DerivMode) Shape { return a.deriv(mode).shape() }

// Deriv returns the derivative selected by mode (NTKDeriv or D).
func (a *Activation) Deriv(mode DerivMode) func(float64) float64 {
	if mode == DerivTrue {
		return a.D
	}
	return a.NTKDeriv
}

// DerivCoeffs returns the exact Hermite coefficients of the derivative
// selected by mode, or nil when that derivative is not a polynomial.
func (a *Activation) DerivCoeffs(mode DerivMode) []float64 {
	if mode == DerivTrue {
		return a.DerivHermite
	}
	return a.NTKHermite
}

func (a *Activation) deriv(mode DerivMode) *evaluator {
	if mode == DerivTrue {
		return &a.d
	}
	return &a.ntk
}

var catalogue = []string{"relu", "tanh", "erf", "sigmoid", "softplus", "gelu", "phi2", "phi4"}

// Names returns the catalogue names accepted by Lookup, followed by the
// pattern for user polynomials, "hermite:c0,c1,...".
func Names() []string {
	return append(append([]string(nil), catalogue...), "hermite:c0,c1,...")
}

// ErrUnknown is wrapped by Lookup's error for a name not in the catalogue.
var ErrUnknown = errors.New("activation: unknown activation")

// Lookup returns a fresh Activation for name (case-insensitive), one of
// Names(). "hermite:c0,c1,..." builds the polynomial sum_l c_l h_l from its
// normalized-Hermite coefficients; its derivative follows from
// h_l' = sqrt(l) h_{l-1}.
func Lookup(name string) (*Activation, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if rest, ok := strings.CutPrefix(n, "hermite:"); ok {
		c, err := parseHermite(rest)
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(c))
		for i, v := range c {
			parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		return newPoly("hermite:"+strings.Join(parts, ","), c, nil), nil
	}
	a := &Activation{Name: n}
	switch n {
	case "relu":
		a.f, a.d, a.ntk = evaluator{kind: kindReLU}, evaluator{kind: kindStep}, evaluator{kind: kindStep}
	case "tanh":
		a.f, a.d = evaluator{kind: kindTanh}, evaluator{kind: kindTanhD}
	case "erf":
		a.f, a.d = evaluator{kind: kindErf}, evaluator{kind: kindErfD}
	case "sigmoid":
		a.f, a.d = evaluator{kind: kindSigmoid}, evaluator{kind: kindSigmoidD}
	case "softplus":
		a.f, a.d = evaluator{kind: kindSoftplus}, evaluator{kind: kindSigmoid}
	case "gelu":
		a.f, a.d = evaluator{kind: kindGelu}, evaluator{kind: kindGeluD}
	case "phi2":
		return newPoly(n, []float64{0, 1, 1}, []float64{1, 1}), nil
	case "phi4":
		return newPoly(n, []float64{0, 1, 0, 0, 1}, []float64{1, 0, 0, 1}), nil
	default:
		return nil, fmt.Errorf("%w %q (valid: %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	if a.ntk.kind == kindNone {
		a.ntk = a.d
	}
	a.bind()
	return a, nil
}

// newPoly builds a polynomial activation from normalized-Hermite
// coefficients; ntk, if non-nil, overrides the NTK derivative.
func newPoly(name string, herm, ntk []float64) *Activation {
	dh := hermiteDeriv(herm)
	if ntk == nil {
		ntk = dh
	}
	a := &Activation{
		Name:         name,
		Hermite:      herm,
		DerivHermite: dh,
		NTKHermite:   ntk,
		f:            newPolyEvaluator(herm),
		d:            newPolyEvaluator(dh),
		ntk:          newPolyEvaluator(ntk),
	}
	a.bind()
	return a
}

func (a *Activation) bind() {
	f, d, ntk := a.f, a.d, a.ntk
	a.F, a.D, a.NTKDeriv = f.eval, d.eval, ntk.eval
}

// parseHermite parses "c0,c1,..." into coefficients with trailing zeros
// removed (at least one coefficient is kept).
func parseHermite(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("activation: hermite: no coefficients; write e.g. hermite:0,1,0.5 for h1 + 0.5 h2")
	}
	parts := strings.Split(s, ",")
	c := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("activation: hermite: coefficient %d (%q) is not a number", i, strings.TrimSpace(p))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("activation: hermite: coefficient %d is %v; coefficients must be finite", i, v)
		}
		c[i] = v
	}
	last := len(c) - 1
	for last > 0 && c[last] == 0 {
		last--
	}
	if last == 0 && c[0] == 0 {
		return nil, errors.New("activation: hermite: all coefficients are zero; give at least one non-zero coefficient")
	}
	return c[:last+1], nil
}

// hermiteDeriv maps the coefficients of p = sum c_l h_l to those of p',
// using h_l' = sqrt(l) h_{l-1}: (p')_l = sqrt(l+1) c_{l+1}.
func hermiteDeriv(c []float64) []float64 {
	if len(c) <= 1 {
		return []float64{0}
	}
	d := make([]float64, len(c)-1)
	for l := range d {
		d[l] = math.Sqrt(float64(l+1)) * c[l+1]
	}
	return d
}

// HermiteToMonomial returns the monomial coefficients p_j (p(x) = sum_j
// p_j x^j) of sum_l c_l h_l, with h_l = He_l / sqrt(l!). Cost O(len(c)^2).
// Monomial evaluation loses accuracy for high degrees at large |x|; the
// catalogue uses it for Horner loops of user polynomials of modest degree.
func HermiteToMonomial(c []float64) []float64 {
	n := len(c)
	p := make([]float64, n)
	if n == 0 {
		return p
	}
	// prev, cur: monomial coefficients of h_{l-1}, h_l (normalized recurrence
	// h_{l+1} = (x h_l - sqrt(l) h_{l-1}) / sqrt(l+1)).
	prev := make([]float64, n)
	cur := make([]float64, n)
	next := make([]float64, n)
	cur[0] = 1
	for l := 0; l < n; l++ {
		for j := 0; j <= l; j++ {
			p[j] += c[l] * cur[j]
		}
		if l == n-1 {
			break
		}
		sl, sl1 := math.Sqrt(float64(l)), math.Sqrt(float64(l+1))
		for j := 0; j <= l+1; j++ {
			v := 0.0
			if j > 0 {
				v = cur[j-1]
			}
			if j <= l {
				v -= sl * prev[j]
			}
			next[j] = v / sl1
		}
		prev, cur, next = cur, next, prev
	}
	return p
}
