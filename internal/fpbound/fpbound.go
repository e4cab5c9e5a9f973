// Package fpbound is the test harness for floating-point error bounds
// shared by the tests of asm, linalg, nn, rf and ntk: the parameters of a
// format (unit roundoff, smallest subnormal, largest finite value),
// Higham's gamma_n, the error-free transformations and compensated dot
// product that give references accurate to about u^2, and a tolerance
// check. It imports only the standard library, so every package's tests
// can use it.
package fpbound

import "math"

// Format holds the parameters of a floating-point format.
type Format struct {
	U   float64 // unit roundoff
	Eta float64 // smallest positive subnormal
	Max float64 // largest finite value
}

// Unit roundoffs of float64 and float32, as constants.
const (
	U64 = 0x1p-53
	U32 = 0x1p-24
)

// Formats of float64 and float32.
var (
	F64 = Format{U: U64, Eta: 0x1p-1074, Max: math.MaxFloat64}
	F32 = Format{U: U32, Eta: 0x1p-149, Max: math.MaxFloat32}
)

// Of returns the Format of T.
func Of[T float32 | float64]() Format {
	var z T
	if _, ok := any(z).(float32); ok {
		return F32
	}
	return F64
}

// Gamma is gamma_n = n*u/(1 - n*u), the bound on the relative error of n
// floating-point operations in sequence (Higham, Accuracy and Stability of
// Numerical Algorithms, §3.1); +Inf when n*u >= 1.
func Gamma(n int, u float64) float64 {
	nu := float64(n) * u
	if nu >= 1 {
		return math.Inf(1)
	}
	return nu / (1 - nu)
}

// TwoProd returns p = fl(a*b) and the exact error e = a*b - p (by FMA).
func TwoProd(a, b float64) (p, e float64) {
	p = a * b
	return p, math.FMA(a, b, -p)
}

// TwoSum returns s = fl(a+b) and the exact error e = a + b - s (Knuth).
func TwoSum(a, b float64) (s, e float64) {
	s = a + b
	bp := s - a
	return s, (a - (s - bp)) + (b - bp)
}

// Dot2 returns c0 + sum x[i]*y[i] computed in float64 with compensated
// summation (Ogita, Rump and Oishi's Dot2: as accurate as if computed in
// twice the working precision, then rounded), and abs = |c0| + sum
// |x[i]*y[i]|, the scale of its rounding error bounds. The inputs must be
// finite and their products must not overflow. It panics if y is shorter
// than x.
func Dot2(c0 float64, x, y []float64) (sum, abs float64) {
	y = y[:len(x)]
	s, comp, abs := c0, 0.0, math.Abs(c0)
	for i := range x {
		p, pe := TwoProd(x[i], y[i])
		var se float64
		s, se = TwoSum(s, p)
		comp += pe + se
		abs += math.Abs(p)
	}
	return s + comp, abs
}

// Within reports whether got is within tol of want: |got - want| <= tol.
// NaN is never within, and infinite values only when equal.
func Within(got, want, tol float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol
}
