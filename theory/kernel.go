package theory

import (
	"math"
	"sync"

	"github.com/spurious-ml/spurious/activation"
)

// KernelFunc is an infinite-width kernel evaluated from the squared norms
// nz2 = |z|^2, nz2p = |z'|^2 and the dot product dot = z.z' of two inputs of
// dimension d, so that callers build Gram blocks from Z Z^T and the row
// norms. It is safe for concurrent use and bitwise symmetric in (z, z').
type KernelFunc func(nz2, nz2p, dot float64, d int) float64

// RFKernel returns the k -> infinity limit of the random-features Gram
// entry divided by k: E[phi(w.z) phi(w.z')] with w ~ N(0, I/d), i.e. the
// expectation over a centred Gaussian pair with variances |z|^2/d, |z'|^2/d
// and covariance z.z'/d.
//
// How it is computed (see KernelMethod):
//   - relu: the degree-1 arc-cosine kernel a b [sqrt(1-r^2) + r(pi - acos r)]/(2 pi)
//     with a = |z|/sqrt d, b = |z'|/sqrt d, r = z.z'/(|z||z'|); exact at any norms.
//   - polynomials: the Mehler series sum_l mu_l(phi_a) mu_l(phi_b) r^l with
//     phi_a(x) = phi(a x), which is finite and exact.
//   - other activations: the same series with coefficients of phi_a from a
//     240-node Gauss–Hermite rule (cached per norm), summed until the
//     rigorous tail bound |r|^l sqrt(tail_a tail_b) (tail = E[phi_a^2] minus
//     the partial sum of squares) falls below 1e-15 sqrt(E[phi_a^2] E[phi_b^2]);
//     when 160 terms do not reach that (|r| near 1), a 240 x 96 tensor
//     Gauss–Hermite rule on the 2-D expectation instead.
//
// Accuracy: exact (to rounding) for relu and polynomials; for the smooth
// activations about 1e-12 relative when the pre-activation scales
// |z|/sqrt d, |z'|/sqrt d are near 1, degrading as they grow (tanh(a x) with
// a = 3 is only good to about 1e-7), because phi(a x) then approaches a
// kink that Gauss–Hermite rules resolve slowly.
//
// Cost per call: O(1) for the closed forms; O(terms) (about 100 ns) after
// the first call at a given norm for the series (the first costs ~0.1 ms);
// about 23 000 evaluations of phi for the 2-D rule.
func RFKernel(act *activation.Activation) KernelFunc {
	e := newEngine(fnSpec{act.Shape(), act.F, act.Hermite})
	return func(nz2, nz2p, dot float64, d int) float64 {
		a, b, r := scales(nz2, nz2p, dot, d)
		return e.expect2(a, b, r)
	}
}

// NTKKernel returns the k -> infinity limit of the first-layer NTK Gram
// entry divided by k: (z.z') E[phi'(w.z) phi'(w.z')], w ~ N(0, I/d), with
// phi' the derivative selected by mode. relu's step derivative uses the
// degree-0 arc-cosine kernel (pi - acos r)/(2 pi) (exact at any norms);
// other derivatives are computed as in RFKernel. On the sphere (|z|^2 = d)
// this is d t kappa'(t) with t = z.z'/d.
func NTKKernel(act *activation.Activation, mode activation.DerivMode) KernelFunc {
	e := newEngine(fnSpec{act.DerivShape(mode), act.Deriv(mode), act.DerivCoeffs(mode)})
	return func(nz2, nz2p, dot float64, d int) float64 {
		a, b, r := scales(nz2, nz2p, dot, d)
		return dot * e.expect2(a, b, r)
	}
}

// Kernel returns RFKernel(act) for RF and NTKKernel(act, mode) for NTK.
func Kernel(model Model, act *activation.Activation, mode activation.DerivMode) KernelFunc {
	if model == NTK {
		return NTKKernel(act, mode)
	}
	return RFKernel(act)
}

// KernelMethod describes how Kernel(model, act, mode) is evaluated, for
// reports: "closed form (arc-cosine, degree 1)", "closed form (arc-cosine,
// degree 0)", "exact Hermite series (polynomial)" or "Hermite series with
// tail bound; 2-D Gauss–Hermite quadrature near |r| = 1".
func KernelMethod(model Model, act *activation.Activation, mode activation.DerivMode) string {
	s, err := specFor(model, act, mode)
	if err != nil {
		return err.Error()
	}
	switch s.shape {
	case activation.ShapeReLU:
		return "closed form (arc-cosine, degree 1)"
	case activation.ShapeStep:
		return "closed form (arc-cosine, degree 0)"
	case activation.ShapePolynomial:
		return "exact Hermite series (polynomial)"
	}
	return "Hermite series with tail bound; 2-D Gauss–Hermite quadrature near |r| = 1"
}

// scales converts norms and a dot product to the standard deviations of
// w.z, w.z' and their correlation (0 when a norm is 0; clamped to [-1, 1]).
func scales(nz2, nz2p, dot float64, d int) (a, b, r float64) {
	fd := float64(d)
	a, b = math.Sqrt(nz2/fd), math.Sqrt(nz2p/fd)
	if nz2 > 0 && nz2p > 0 {
		r = dot / math.Sqrt(nz2*nz2p)
		r = max(-1, min(1, r))
	}
	return a, b, r
}

// ReLUKernel is the degree-1 arc-cosine kernel E[relu(X) relu(Y)] for
// standard normals with correlation t: [sqrt(1-t^2) + t(pi - acos t)]/(2 pi).
func ReLUKernel(t float64) float64 {
	t = max(-1, min(1, t))
	return (math.Sqrt(1-t*t) + t*(math.Pi-math.Acos(t))) / (2 * math.Pi)
}

// StepKernel is the degree-0 arc-cosine kernel E[1{X>0} 1{Y>0}] for
// standard normals with correlation t: (pi - acos t)/(2 pi).
func StepKernel(t float64) float64 {
	t = max(-1, min(1, t))
	return (math.Pi - math.Acos(t)) / (2 * math.Pi)
}

const (
	seriesTerms = 160 // coefficients kept per norm for smooth functions
	seriesNodes = 240 // rule for those coefficients
	quad2Inner  = 96  // inner nodes of the 2-D fallback (outer: seriesNodes)
	seriesTol   = 1e-15
	cacheLimit  = 1 << 15 // distinct norms cached before the cache is reset
)

// engine evaluates E[f(aX) f(bY)] for standard normals X, Y with
// correlation r.
type engine struct {
	spec fnSpec
	L    int // series length (exact length for polynomials)
	nq   int // rule size for the coefficients of f(a x)

	mu    sync.RWMutex
	cache map[uint64]*scaled
}

// scaled holds the expansion of f(a x): coefficients c_l, l < L, the
// energy E[f(aX)^2] and tail[l] = energy - sum_{j<l} c_j^2 (>= 0), l <= L.
type scaled struct {
	c      []float64
	tail   []float64
	energy float64
}

func newEngine(s fnSpec) *engine {
	e := &engine{spec: s, L: seriesTerms, nq: seriesNodes, cache: map[uint64]*scaled{}}
	if s.shape == activation.ShapePolynomial {
		// f(a x) h_l(x) has degree <= 2L-2: exact with L nodes or more.
		e.L, e.nq = len(s.herm), len(s.herm)+1
	}
	return e
}

func (e *engine) at(a float64) *scaled {
	key := math.Float64bits(a)
	e.mu.RLock()
	s, ok := e.cache[key]
	e.mu.RUnlock()
	if ok {
		return s
	}
	s = e.compute(a)
	e.mu.Lock()
	if len(e.cache) >= cacheLimit {
		clear(e.cache)
	}
	e.cache[key] = s
	e.mu.Unlock()
	return s
}

func (e *engine) compute(a float64) *scaled {
	s := &scaled{c: make([]float64, e.L), tail: make([]float64, e.L+1)}
	if e.spec.shape == activation.ShapePolynomial {
		if a == 1 {
			copy(s.c, e.spec.herm)
		} else {
			r := GaussHermite(e.nq)
			fv := make([]float64, e.nq)
			for i, x := range r.Nodes {
				fv[i] = e.spec.f(a * x)
			}
			project(r, fv, s.c)
		}
		// Exact: the expansion is finite, so sum the tail directly.
		for l := e.L - 1; l >= 0; l-- {
			s.tail[l] = s.tail[l+1] + s.c[l]*s.c[l]
		}
		s.energy = s.tail[0]
		return s
	}
	r := GaussHermite(e.nq)
	fv := make([]float64, e.nq)
	for i, x := range r.Nodes {
		if r.Weights[i] != 0 {
			fv[i] = e.spec.f(a * x)
			s.energy += r.Weights[i] * fv[i] * fv[i]
		}
	}
	project(r, fv, s.c)
	partial := 0.0
	for l := 0; l <= e.L; l++ {
		s.tail[l] = max(0, s.energy-partial)
		if l < e.L {
			partial += s.c[l] * s.c[l]
		}
	}
	return s
}

// expect2 returns E[f(aX) f(bY)] with corr(X, Y) = r, |r| <= 1.
func (e *engine) expect2(a, b, r float64) float64 {
	switch e.spec.shape {
	case activation.ShapeReLU:
		return a * b * ReLUKernel(r)
	case activation.ShapeStep:
		if a == 0 || b == 0 {
			return 0 // step(0) = 0
		}
		return StepKernel(r)
	}
	if a > b {
		a, b = b, a // canonical order: the value is bitwise symmetric
	}
	sa, sb := e.at(a), e.at(b)
	if v, ok := series(sa, sb, r); ok {
		return v
	}
	return e.quad2(a, b, r, seriesNodes, quad2Inner)
}

// series sums sum_l c_l(a) c_l(b) r^l until the tail bound
// |r|^l sqrt(tail_a[l] tail_b[l]) (Cauchy–Schwarz) is below seriesTol times
// sqrt(E_a E_b); ok is false when the stored terms do not reach that.
func series(sa, sb *scaled, r float64) (float64, bool) {
	tol := seriesTol * math.Sqrt(sa.energy*sb.energy)
	v, rp := 0.0, 1.0
	for l := range sa.c {
		if math.Abs(rp)*math.Sqrt(sa.tail[l]*sb.tail[l]) <= tol {
			return v, true
		}
		v += sa.c[l] * sb.c[l] * rp
		rp *= r
	}
	L := len(sa.c)
	return v, math.Abs(rp)*math.Sqrt(sa.tail[L]*sb.tail[L]) <= tol
}

// quad2 is a tensor Gauss–Hermite rule for
// E[f(aX) f(b(rX + sqrt(1-r^2)Y))] with X, Y independent standard normals:
// nOut nodes in X, where the integrand is as rough as f(a x), and nIn nodes
// in Y, where the scale is b sqrt(1-r^2) (small when |r| is near 1, the
// only case in which Kernel uses this rule); 1-D when |r| = 1. Cost
// nOut (nIn + 1) evaluations of f.
func (e *engine) quad2(a, b, r float64, nOut, nIn int) float64 {
	f := e.spec.f
	qo := GaussHermite(nOut)
	if math.Abs(r) == 1 {
		v := 0.0
		for i, x := range qo.Nodes {
			if qo.Weights[i] != 0 {
				v += qo.Weights[i] * f(a*x) * f(b*r*x)
			}
		}
		return v
	}
	qi := GaussHermite(nIn)
	s := math.Sqrt(1 - r*r)
	v := 0.0
	for i, x := range qo.Nodes {
		wi := qo.Weights[i]
		if wi == 0 {
			continue
		}
		inner := 0.0
		for j, y := range qi.Nodes {
			inner += qi.Weights[j] * f(b*(r*x+s*y))
		}
		v += wi * f(a*x) * inner
	}
	return v
}
