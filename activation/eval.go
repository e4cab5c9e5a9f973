package activation

import "math"

// kind identifies the scalar formula of an evaluator.
type kind uint8

const (
	kindNone kind = iota
	kindReLU
	kindStep
	kindPoly
	kindTanh
	kindTanhD
	kindErf
	kindErfD
	kindSigmoid
	kindSigmoidD
	kindSoftplus
	kindGelu
	kindGeluD
)

// evaluator evaluates one function, scalar or over a block.
type evaluator struct {
	kind   kind
	poly   []float64 // monomial coefficients, kindPoly only
	poly32 []float32
}

func newPolyEvaluator(herm []float64) evaluator {
	p := HermiteToMonomial(herm)
	p32 := make([]float32, len(p))
	for i, v := range p {
		p32[i] = float32(v)
	}
	return evaluator{kind: kindPoly, poly: p, poly32: p32}
}

func (e *evaluator) shape() Shape {
	switch e.kind {
	case kindReLU:
		return ShapeReLU
	case kindStep:
		return ShapeStep
	case kindPoly:
		return ShapePolynomial
	}
	return ShapeSmooth
}

const (
	invSqrt2  = 1 / math.Sqrt2
	twoSqrtPi = 2 / math.SqrtPi                // erf'(0)
	invSqrt2P = 1 / (math.Sqrt2 * math.SqrtPi) // standard normal density at 0
)

// relu is max(x, 0) without a branch: clearing x when its sign bit is set
// (-0 -> +0; NaN keeps its payload only with a clear sign bit).
func relu(x float64) float64 {
	u := math.Float64bits(x)
	return math.Float64frombits(u &^ uint64(int64(u)>>63))
}

// step is 1{x > 0} without a branch: v > 0 as a signed integer means a clear
// sign bit and a non-zero value (so -0 and +0 give 0).
func step(x float64) float64 {
	v := int64(math.Float64bits(x))
	return math.Float64frombits(uint64((-v&^v)>>63) & 0x3ff0000000000000)
}

func relu32(x float32) float32 {
	u := math.Float32bits(x)
	return math.Float32frombits(u &^ uint32(int32(u)>>31))
}

func step32(x float32) float32 {
	v := int32(math.Float32bits(x))
	return math.Float32frombits(uint32((-v&^v)>>31) & 0x3f800000)
}

func tanhD(x float64) float64 {
	ax := math.Abs(x)
	if ax < 0.5 {
		t := math.Tanh(x)
		return 1 - t*t
	}
	e := math.Exp(-2 * ax) // 1 - tanh^2 = 4e/(1+e)^2 without cancellation
	return 4 * e / ((1 + e) * (1 + e))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func sigmoidD(x float64) float64 {
	e := math.Exp(-math.Abs(x))
	return e / ((1 + e) * (1 + e))
}

func softplus(x float64) float64 {
	return relu(x) + math.Log1p(math.Exp(-math.Abs(x)))
}

func erfD(x float64) float64 { return twoSqrtPi * math.Exp(-x*x) }

// geluCut is where erfc(-x/sqrt 2) underflows; below it gelu and its
// derivative are 0 (the branch also keeps -Inf from producing NaN).
const geluCut = -40

func gelu(x float64) float64 {
	if x < geluCut {
		return 0
	}
	return 0.5 * x * math.Erfc(-x*invSqrt2)
}

func geluD(x float64) float64 {
	if x < geluCut {
		return 0
	}
	if x > -geluCut {
		return 1 // the density term underflows; this also maps +Inf to 1
	}
	return 0.5*math.Erfc(-x*invSqrt2) + x*invSqrt2P*math.Exp(-0.5*x*x)
}

// horner evaluates the monomial polynomial p (p[0] the constant) at x.
func horner[T float32 | float64](p []T, x T) T {
	v := p[len(p)-1]
	for j := len(p) - 2; j >= 0; j-- {
		v = v*x + p[j]
	}
	return v
}

// eval is the scalar function.
func (e *evaluator) eval(x float64) float64 {
	switch e.kind {
	case kindReLU:
		return relu(x)
	case kindStep:
		return step(x)
	case kindPoly:
		return horner(e.poly, x)
	case kindTanh:
		return math.Tanh(x)
	case kindTanhD:
		return tanhD(x)
	case kindErf:
		return math.Erf(x)
	case kindErfD:
		return erfD(x)
	case kindSigmoid:
		return sigmoid(x)
	case kindSigmoidD:
		return sigmoidD(x)
	case kindSoftplus:
		return softplus(x)
	case kindGelu:
		return gelu(x)
	case kindGeluD:
		return geluD(x)
	}
	panic(errKind)
}

const (
	errLength = "activation: len(dst) != len(src)"
	errKind   = "activation: zero Activation (use Lookup)"
)

// apply evaluates e on src into dst (same length; dst may alias src).
func (e *evaluator) apply(dst, src []float64) {
	if len(dst) != len(src) {
		panic(errLength)
	}
	dst = dst[:len(src)]
	switch e.kind {
	case kindReLU:
		for i, x := range src {
			dst[i] = relu(x)
		}
	case kindStep:
		for i, x := range src {
			dst[i] = step(x)
		}
	case kindPoly:
		applyPoly(e.poly, dst, src)
	default:
		applyScalar(e.transcendental(), dst, src)
	}
}

// transcendental returns the scalar function of the kinds evaluated through
// package math. Their cost (tens of ns) dwarfs the indirect call.
func (e *evaluator) transcendental() func(float64) float64 {
	switch e.kind {
	case kindTanh:
		return math.Tanh
	case kindTanhD:
		return tanhD
	case kindErf:
		return math.Erf
	case kindErfD:
		return erfD
	case kindSigmoid:
		return sigmoid
	case kindSigmoidD:
		return sigmoidD
	case kindSoftplus:
		return softplus
	case kindGelu:
		return gelu
	case kindGeluD:
		return geluD
	}
	panic(errKind)
}

// applyScalar sets dst[i] = f(src[i]), evaluated in float64 and rounded to
// the element type.
func applyScalar[T float32 | float64](f func(float64) float64, dst, src []T) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = T(f(float64(x)))
	}
}

// applyPoly runs Horner's rule with the degree hoisted out of the loop for
// degrees up to 4 and a generic inner loop otherwise; float32 and float64
// are separate instantiations, so the loops compile to scalar arithmetic of
// the element type.
func applyPoly[T float32 | float64](p []T, dst, src []T) {
	dst = dst[:len(src)]
	switch len(p) {
	case 1:
		for i := range src {
			dst[i] = p[0]
		}
	case 2:
		p0, p1 := p[0], p[1]
		for i, x := range src {
			dst[i] = p0 + x*p1
		}
	case 3:
		p0, p1, p2 := p[0], p[1], p[2]
		for i, x := range src {
			dst[i] = p0 + x*(p1+x*p2)
		}
	case 4:
		p0, p1, p2, p3 := p[0], p[1], p[2], p[3]
		for i, x := range src {
			dst[i] = p0 + x*(p1+x*(p2+x*p3))
		}
	case 5:
		p0, p1, p2, p3, p4 := p[0], p[1], p[2], p[3], p[4]
		for i, x := range src {
			dst[i] = p0 + x*(p1+x*(p2+x*(p3+x*p4)))
		}
	default:
		for i, x := range src {
			dst[i] = horner(p, x)
		}
	}
}

// apply32 is apply in float32: relu, step and polynomials run in float32;
// transcendental functions are evaluated in float64 and rounded.
func (e *evaluator) apply32(dst, src []float32) {
	if len(dst) != len(src) {
		panic(errLength)
	}
	dst = dst[:len(src)]
	switch e.kind {
	case kindReLU:
		for i, x := range src {
			dst[i] = relu32(x)
		}
	case kindStep:
		for i, x := range src {
			dst[i] = step32(x)
		}
	case kindPoly:
		applyPoly(e.poly32, dst, src)
	default:
		applyScalar(e.transcendental(), dst, src)
	}
}

// Apply sets dst[i] = phi(src[i]). dst and src must have the same length
// and be either the same slice or disjoint. It does not allocate; cost is
// one pass over the block (measured here: 1-2 ns per element for relu, its
// step and the polynomials; 20-60 ns for tanh, gelu and the other
// transcendental activations; see BenchmarkApply).
func (a *Activation) Apply(dst, src []float64) { a.f.apply(dst, src) }

// ApplyDeriv sets dst[i] to the derivative selected by mode at src[i]
// (NTKDeriv for DerivPaper, D for DerivTrue). Same contract as Apply.
func (a *Activation) ApplyDeriv(dst, src []float64, mode DerivMode) {
	a.deriv(mode).apply(dst, src)
}

// Apply32 is Apply in float32.
func (a *Activation) Apply32(dst, src []float32) { a.f.apply32(dst, src) }

// ApplyDeriv32 is ApplyDeriv in float32.
func (a *Activation) ApplyDeriv32(dst, src []float32, mode DerivMode) {
	a.deriv(mode).apply32(dst, src)
}
