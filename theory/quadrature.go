package theory

import (
	"fmt"
	"math"
	"sync"
)

// Rule is an n-point Gauss–Hermite rule for the standard normal weight
// e^{-x^2/2}/sqrt(2 pi): sum_i Weights[i] f(Nodes[i]) = E[f(G)], G ~ N(0,1),
// exactly for polynomials of degree <= 2n-1. Weights sum to 1. Rules are
// shared and cached: treat the slices as read-only.
type Rule struct {
	Nodes   []float64 // ascending, symmetric about 0
	Weights []float64 // positive, may underflow to 0 at the extreme nodes
	SqrtW   []float64 // sqrt(Weights), computed without underflowing first
}

var (
	ruleMu    sync.Mutex
	ruleCache = map[int]*Rule{}
)

// maxNodes bounds the rule size: the Golub–Welsch step costs O(n^2) and
// nodes beyond this add nothing a float64 integrand can resolve.
const maxNodes = 4096

// GaussHermite returns the n-point rule (1 <= n <= 4096), computing it on
// first use (O(n^2): Golub–Welsch eigenvalues of the Jacobi matrix by
// implicit QL, two Newton steps on the normalized Hermite recurrence, and
// weights w_i = 1/(n h_{n-1}(x_i)^2) evaluated in logarithms so that no
// intermediate overflows at any n). It panics for n outside that range
// (a programmer error).
func GaussHermite(n int) *Rule {
	if n < 1 || n > maxNodes {
		panic(errRuleSize)
	}
	ruleMu.Lock()
	r, ok := ruleCache[n]
	ruleMu.Unlock()
	if ok {
		return r
	}
	r = newRule(n)
	ruleMu.Lock()
	if old, ok := ruleCache[n]; ok {
		r = old
	} else {
		ruleCache[n] = r
	}
	ruleMu.Unlock()
	return r
}

func newRule(n int) *Rule {
	// Jacobi matrix of the normalized probabilists' Hermite recurrence
	// x h_k = sqrt(k+1) h_{k+1} + sqrt(k) h_{k-1}: zero diagonal,
	// off-diagonal sqrt(k), k = 1..n-1.
	d := make([]float64, n)
	e := make([]float64, n)
	for k := 0; k < n-1; k++ {
		e[k] = math.Sqrt(float64(k + 1))
	}
	if err := tridiagEigenvalues(d, e); err != nil {
		panic(err) // cannot happen for this well-conditioned matrix
	}
	sortFloats(d)
	x := d
	// Enforce the exact symmetry of the rule, then polish by Newton.
	for i := 0; i < n/2; i++ {
		v := 0.5 * (x[n-1-i] - x[i])
		x[i], x[n-1-i] = -v, v
	}
	if n%2 == 1 {
		x[n/2] = 0
	}
	r := &Rule{Nodes: x, Weights: make([]float64, n), SqrtW: make([]float64, n)}
	sn := math.Sqrt(float64(n))
	for i := n / 2; i < n; i++ { // positive half; mirror below
		xi := x[i]
		var hn, hn1, logScale float64
		for it := 0; it < 3; it++ {
			hn, hn1, logScale = hermitePair(n, xi)
			if it < 2 && xi != 0 {
				xi -= hn / (sn * hn1) // h_n' = sqrt(n) h_{n-1}
			}
		}
		logW := -math.Log(float64(n)) - 2*(math.Log(math.Abs(hn1))+logScale)
		j := n - 1 - i
		x[j], x[i] = -xi, xi
		r.Weights[i], r.Weights[j] = math.Exp(logW), math.Exp(logW)
		r.SqrtW[i], r.SqrtW[j] = math.Exp(0.5*logW), math.Exp(0.5*logW)
	}
	return r
}

// hermitePair evaluates the normalized Hermite polynomials h_n(x) and
// h_{n-1}(x) as s*h_n, s*h_{n-1} with h = (that) * exp(logScale): the
// recurrence is rescaled whenever it grows past 2^500.
func hermitePair(n int, x float64) (hn, hn1, logScale float64) {
	const big, inv = 0x1p500, 0x1p-500
	prev, cur := 0.0, 1.0
	for k := 0; k < n; k++ {
		next := (x*cur - math.Sqrt(float64(k))*prev) / math.Sqrt(float64(k+1))
		prev, cur = cur, next
		if math.Abs(cur) > big {
			prev *= inv
			cur *= inv
			logScale += 500 * math.Ln2
		}
	}
	return cur, prev, logScale
}

// tridiagEigenvalues overwrites d with the eigenvalues of the symmetric
// tridiagonal matrix with diagonal d and off-diagonal e[0..n-2] (e[i]
// couples i and i+1), by the implicit QL algorithm with Wilkinson-type
// shifts (EISPACK tql1). O(n^2) total; e is destroyed.
func tridiagEigenvalues(d, e []float64) error {
	n := len(d)
	for l := 0; l < n; l++ {
		for iter := 0; ; iter++ {
			m := l
			for ; m < n-1; m++ {
				dd := math.Abs(d[m]) + math.Abs(d[m+1])
				if math.Abs(e[m]) <= 0x1p-53*dd {
					break
				}
			}
			if m == l {
				break
			}
			if iter == 60 {
				return fmt.Errorf("theory: QL iteration did not converge for eigenvalue %d", l)
			}
			g := (d[l+1] - d[l]) / (2 * e[l])
			r := math.Hypot(g, 1)
			g = d[m] - d[l] + e[l]/(g+math.Copysign(r, g))
			s, c, p := 1.0, 1.0, 0.0
			underflow := false
			for i := m - 1; i >= l; i-- {
				f := s * e[i]
				b := c * e[i]
				r = math.Hypot(f, g)
				e[i+1] = r
				if r == 0 {
					d[i+1] -= p
					e[m] = 0
					underflow = true
					break
				}
				s = f / r
				c = g / r
				g = d[i+1] - p
				r = (d[i]-g)*s + 2*c*b
				p = s * r
				d[i+1] = g + p
				g = c*r - b
			}
			if underflow {
				continue
			}
			d[l] -= p
			e[l] = g
			e[m] = 0
		}
	}
	return nil
}

// sortFloats is an insertion sort (the QL output is nearly sorted).
func sortFloats(x []float64) {
	for i := 1; i < len(x); i++ {
		v := x[i]
		j := i - 1
		for ; j >= 0 && x[j] > v; j-- {
			x[j+1] = x[j]
		}
		x[j+1] = v
	}
}

// Expect returns E[f(G)], G ~ N(0,1), with the n-point rule. Cost n calls
// of f. It returns an error naming the node when f is NaN or infinite at a
// node of positive weight.
func Expect(f func(float64) float64, n int) (float64, error) {
	r := GaussHermite(n)
	s := 0.0
	for i, x := range r.Nodes {
		if r.Weights[i] == 0 {
			continue
		}
		v := f(x)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, nonFinite(v, x)
		}
		s += r.Weights[i] * v
	}
	return s, nil
}

func nonFinite(v, x float64) error {
	return fmt.Errorf("theory: function returned %v at quadrature node x = %.6g; "+
		"Gaussian expectations need a function that is finite on the whole real line", v, x)
}
