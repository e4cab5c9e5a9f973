package asm

import (
	"math"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// refClass is the exceptional class an entry of C must end in.
type refClass uint8

const (
	classFinite refClass = iota
	classPosInf
	classNegInf
	classNaN
	classAny // the exact value is near overflow: evaluation order decides
)

func (c refClass) String() string {
	return [...]string{"finite", "+Inf", "-Inf", "NaN", "any"}[c]
}

// refEntry returns c0 + Σ_p x[p]·y[p] computed with compensated summation
// (TwoProduct by math.FMA and TwoSum, Ogita–Rump–Oishi Dot2) in float64,
// its exceptional class, and the bound
//
//	γ(kc+1)·(Σ|x[p]·y[p]| + |c0|) + (2·kc+2)·η
//	  + 2·u64·|want| + γ64(kc+1)²·S + (kc+1)·η64
//
// that every kernel's result must meet whatever its order of additions and
// whether or not it fuses: the first line bounds the kernel (kc products and
// kc+1 additions, each possibly underflowing by η/2 in the format of T), the
// second the reference itself. Inputs of type float32 convert exactly and
// their products are exact in float64.
func refEntry[T float32 | float64](c0 T, x, y []T) (want, bound float64, class refClass) {
	p := fpbound.Of[T]()
	n := len(x)

	// Exceptional classes follow from the inputs, unless finite terms come
	// near overflow: the partial sums of every order stay below
	// abs·(1+γ), so only then can some order overflow and others not.
	g := fpbound.Gamma(n+1, p.U)
	nan := math.IsNaN(float64(c0))
	posInf, negInf := math.IsInf(float64(c0), 1), math.IsInf(float64(c0), -1)
	s, comp, abs := 0.0, 0.0, 0.0
	if !nan && !posInf && !negInf {
		s, abs = float64(c0), math.Abs(float64(c0))
	}
	for k := range x {
		xk, yk := float64(x[k]), float64(y[k])
		switch {
		case math.IsNaN(xk) || math.IsNaN(yk):
			nan = true
		case math.IsInf(xk, 0) || math.IsInf(yk, 0):
			if xk == 0 || yk == 0 {
				nan = true // 0·Inf
			} else if (xk > 0) == (yk > 0) {
				posInf = true
			} else {
				negInf = true
			}
		default:
			ph, pe := fpbound.TwoProd(xk, yk)
			var se float64
			s, se = fpbound.TwoSum(s, ph)
			comp += pe + se
			abs += math.Abs(ph)
		}
	}
	nearOverflow := math.IsInf(abs, 0) || abs*(1+2*g) >= p.Max
	switch {
	case nan || (posInf && negInf):
		return math.NaN(), 0, classNaN
	case nearOverflow:
		return math.NaN(), 0, classAny
	case posInf:
		return math.Inf(1), 0, classPosInf
	case negInf:
		return math.Inf(-1), 0, classNegInf
	}
	want = s + comp
	f64 := fpbound.F64
	g64 := fpbound.Gamma(n+1, f64.U)
	bound = g*abs + float64(2*n+2)*p.Eta +
		2*f64.U*math.Abs(want) + g64*g64*abs + float64(n+1)*f64.Eta
	return want, bound, classFinite
}

// matches reports whether got meets the reference: the same class, and for
// finite values |got − want| <= bound. The sign of a zero and NaN payloads
// are not compared: they depend on the order of operations.
func matches(got, want, bound float64, class refClass) bool {
	switch class {
	case classAny:
		return true
	case classNaN:
		return math.IsNaN(got)
	case classPosInf:
		return math.IsInf(got, 1)
	case classNegInf:
		return math.IsInf(got, -1)
	}
	return !math.IsNaN(got) && !math.IsInf(got, 0) && math.Abs(got-want) <= bound
}
