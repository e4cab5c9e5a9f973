package activation

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

const eps64 = 0x1p-52

// testNames is the catalogue plus user polynomials of several degrees.
var testNames = []string{
	"relu", "tanh", "erf", "sigmoid", "softplus", "gelu", "phi2", "phi4",
	"hermite:0.3,1,0.5", "hermite:0,0,0,0,0,0,0.2,0,-0.1,0.05,0.01",
}

func mustLookup(t testing.TB, name string) *Activation {
	t.Helper()
	a, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hermiteRef evaluates sum_l c_l h_l(x) by the normalized three-term
// recurrence (a different algorithm from the monomial Horner form), and
// returns sum_l |c_l| |h_l(x)| as a scale for rounding-error bounds.
func hermiteRef(c []float64, x float64) (v, scale float64) {
	hPrev, h := 0.0, 1.0
	for l, cl := range c {
		v += cl * h
		scale += math.Abs(cl * h)
		hPrev, h = h, (x*h-math.Sqrt(float64(l))*hPrev)/math.Sqrt(float64(l+1))
	}
	return v, scale
}

// monoScale is sum_j |p_j| |x|^j, the condition scale of Horner's rule.
func monoScale(p []float64, x float64) float64 {
	s, xp := 0.0, 1.0
	for _, c := range p {
		s += math.Abs(c) * xp
		xp *= math.Abs(x)
	}
	return s
}

// fifthDerivBound bounds |p^(5)| on [-X, X]: sum_j |p_j| j!/(j-5)! X^(j-5).
func fifthDerivBound(p []float64, X float64) float64 {
	s := 0.0
	for j := 5; j < len(p); j++ {
		f := float64(j * (j - 1) * (j - 2) * (j - 3) * (j - 4))
		s += math.Abs(p[j]) * f * math.Pow(X, float64(j-5))
	}
	return s
}

// fivePoint is the 5-point central difference. Truncation error is
// h^4 |f^(5)| / 30 and rounding error about 1.5 eps max|f| / h.
func fivePoint(f func(float64) float64, x, h float64) float64 {
	return (f(x-2*h) - 8*f(x-h) + 8*f(x+h) - f(x+2*h)) / (12 * h)
}

func TestDerivativeFiniteDifference(t *testing.T) {
	const h = 1e-3
	for _, name := range testNames {
		a := mustLookup(t, name)
		for x := -6.0; x <= 6.0; x += 0.137 {
			if a.Shape() == ShapeReLU && math.Abs(x) < 3*h {
				continue // kink: the difference quotient straddles it
			}
			fd := fivePoint(a.F, x, h)
			// Truncation: h^4/30 times M5 = max |f^(5)| on [x-2h, x+2h];
			// rounding: 1.5/h times the error of one evaluation of f.
			m5, fscale, deg := 100.0, 1+math.Max(math.Abs(a.F(x-2*h)), math.Abs(a.F(x+2*h))), 1.0
			if a.Shape() == ShapePolynomial {
				p := HermiteToMonomial(a.Hermite)
				m5, fscale, deg = fifthDerivBound(p, math.Abs(x)+2*h), monoScale(p, math.Abs(x)+2*h), float64(len(p))
			}
			tol := math.Pow(h, 4)/30*m5 + 1.5*(deg+2)*eps64*fscale/h
			if got := a.D(x); math.Abs(got-fd) > tol {
				t.Errorf("%s: D(%g) = %.15g, finite difference %.15g (tol %.2g)", name, x, got, fd, tol)
			}
		}
	}
}

func TestPaperNTKDerivatives(t *testing.T) {
	relu := mustLookup(t, "relu")
	phi2 := mustLookup(t, "phi2")
	phi4 := mustLookup(t, "phi4")
	for _, x := range []float64{-3, -1, -0.5, 0.25, 1, 2.5} {
		if got, want := phi2.NTKDeriv(x), 1+x; math.Abs(got-want) > 4*eps64*(1+math.Abs(x)) {
			t.Errorf("phi2 NTKDeriv(%g) = %g, want h0+h1 = %g", x, got, want)
		}
		want := 1 + (x*x*x-3*x)/math.Sqrt(6)
		if got := phi4.NTKDeriv(x); math.Abs(got-want) > 16*eps64*(1+math.Abs(x*x*x)) {
			t.Errorf("phi4 NTKDeriv(%g) = %g, want h0+h3 = %g", x, got, want)
		}
		wantStep := 0.0
		if x > 0 {
			wantStep = 1
		}
		if relu.NTKDeriv(x) != wantStep || relu.D(x) != wantStep {
			t.Errorf("relu derivative at %g: paper %g true %g, want %g", x, relu.NTKDeriv(x), relu.D(x), wantStep)
		}
	}
	checks := []struct {
		a           *Activation
		mode        DerivMode
		want        []float64
		shape       Shape
		description string
	}{
		{phi2, DerivPaper, []float64{1, 1}, ShapePolynomial, "phi2 paper: h0 + h1"},
		{phi2, DerivTrue, []float64{1, math.Sqrt2}, ShapePolynomial, "phi2 true: h0 + sqrt2 h1"},
		{phi4, DerivPaper, []float64{1, 0, 0, 1}, ShapePolynomial, "phi4 paper: h0 + h3"},
		{phi4, DerivTrue, []float64{1, 0, 0, 2}, ShapePolynomial, "phi4 true: h0 + 2 h3"},
		{relu, DerivPaper, nil, ShapeStep, "relu: step"},
	}
	for _, c := range checks {
		got := c.a.DerivCoeffs(c.mode)
		if len(got) != len(c.want) {
			t.Errorf("%s: coefficients %v, want %v", c.description, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 2*eps64*math.Abs(c.want[i]) {
				t.Errorf("%s: coefficients %v, want %v", c.description, got, c.want)
			}
		}
		if s := c.a.DerivShape(c.mode); s != c.shape {
			t.Errorf("%s: shape %v, want %v", c.description, s, c.shape)
		}
	}
	// For every non-paper activation the two modes coincide.
	for _, name := range []string{"tanh", "erf", "sigmoid", "softplus", "gelu", "hermite:0,1,1"} {
		a := mustLookup(t, name)
		for _, x := range []float64{-2, 0.3, 1.7} {
			if a.NTKDeriv(x) != a.D(x) {
				t.Errorf("%s: NTKDeriv(%g) = %g differs from D = %g", name, x, a.NTKDeriv(x), a.D(x))
			}
		}
	}
}

func TestPolynomialEvaluation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for deg := 0; deg <= 10; deg++ {
		c := make([]float64, deg+1)
		parts := make([]string, deg+1)
		for i := range c {
			c[i] = rng.NormFloat64()
			parts[i] = fmt.Sprint(c[i])
		}
		a := mustLookup(t, "hermite:"+strings.Join(parts, ","))
		p := HermiteToMonomial(a.Hermite)
		for x := -5.0; x <= 5; x += 0.31 {
			want, hs := hermiteRef(a.Hermite, x)
			// Both sides carry O(deg) roundings relative to their scales.
			tol := 4 * float64(deg+2) * eps64 * (hs + monoScale(p, x))
			if got := a.F(x); math.Abs(got-want) > tol {
				t.Errorf("deg %d: F(%g) = %.17g, recurrence %.17g (tol %.2g)", deg, x, got, want, tol)
			}
			wantD, hsD := hermiteRef(a.DerivHermite, x)
			pd := HermiteToMonomial(a.DerivHermite)
			tolD := 4 * float64(deg+2) * eps64 * (hsD + monoScale(pd, x))
			if got := a.D(x); math.Abs(got-wantD) > tolD {
				t.Errorf("deg %d: D(%g) = %.17g, recurrence %.17g (tol %.2g)", deg, x, got, wantD, tolD)
			}
		}
	}
}

func TestLookupErrors(t *testing.T) {
	bad := []struct{ name, want string }{
		{"swish", "unknown activation"},
		{"hermite:", "no coefficients"},
		{"hermite:1,abc", `coefficient 1 ("abc") is not a number`},
		{"hermite:1,,2", "coefficient 1"},
		{"hermite:nan", "must be finite"},
		{"hermite:0,inf", "must be finite"},
		{"hermite:0,0,0", "all coefficients are zero"},
	}
	for _, b := range bad {
		a, err := Lookup(b.name)
		if err == nil {
			t.Errorf("Lookup(%q) = %v, want error", b.name, a.Name)
			continue
		}
		if !strings.Contains(err.Error(), b.want) {
			t.Errorf("Lookup(%q) error %q, want it to mention %q", b.name, err, b.want)
		}
	}
	_, err := Lookup("swish")
	if !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown name: error %v does not wrap ErrUnknown", err)
	}
	for _, n := range catalogue {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("unknown-name error %q does not list %q", err, n)
		}
	}
	a := mustLookup(t, " Hermite: 0, 1 ,0.5,0,0 ")
	if a.Name != "hermite:0,1,0.5" || len(a.Hermite) != 3 {
		t.Errorf("trailing zeros/spaces: name %q coefficients %v", a.Name, a.Hermite)
	}
	if b := mustLookup(t, a.Name); b.Name != a.Name {
		t.Errorf("canonical name %q does not round-trip: %q", a.Name, b.Name)
	}
	if _, err := ParseDerivMode("exact"); err == nil {
		t.Error("ParseDerivMode(exact): want error")
	}
	for _, m := range []DerivMode{DerivPaper, DerivTrue} {
		if got, err := ParseDerivMode(m.String()); err != nil || got != m {
			t.Errorf("ParseDerivMode(%q) = %v, %v", m, got, err)
		}
	}
}

// blockInputs returns n values: a normal sample plus special values.
func blockInputs(n int) []float64 {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, n)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
	}
	copy(x, []float64{0, math.Copysign(0, -1), 40, -40, 1e-310, -1e-310})
	return x
}

// eachFunc calls fn for phi and both derivative modes of every test name.
func eachFunc(t *testing.T, fn func(t *testing.T, a *Activation, label string, scalar func(float64) float64, apply func(dst, src []float64), apply32 func(dst, src []float32))) {
	for _, name := range testNames {
		a := mustLookup(t, name)
		fn(t, a, name+"/phi", a.F, a.Apply, a.Apply32)
		for _, m := range []DerivMode{DerivPaper, DerivTrue} {
			m := m
			fn(t, a, name+"/d"+m.String(), a.Deriv(m),
				func(d, s []float64) { a.ApplyDeriv(d, s, m) },
				func(d, s []float32) { a.ApplyDeriv32(d, s, m) })
		}
	}
}

func TestApplyMatchesScalarAndAliases(t *testing.T) {
	src := blockInputs(1001)
	eachFunc(t, func(t *testing.T, a *Activation, label string, scalar func(float64) float64, apply func(dst, src []float64), _ func(dst, src []float32)) {
		dst := make([]float64, len(src))
		apply(dst, src)
		var p []float64
		if a.Shape() == ShapePolynomial {
			p = HermiteToMonomial(a.Hermite) // scale only; derivatives are smaller degree
		}
		for i, x := range src {
			want := scalar(x)
			// Block and scalar may order (or fuse) Horner's operations
			// differently; otherwise they are the same formula.
			tol := 0.0
			if p != nil {
				tol = 4 * float64(len(p)+1) * eps64 * monoScale(p, x) * 4
			}
			if d := math.Abs(dst[i] - want); !(d <= tol) && !(math.IsNaN(want) && math.IsNaN(dst[i])) {
				t.Fatalf("%s: block[%d] at %g = %g, scalar %g", label, i, x, dst[i], want)
			}
		}
		alias := append([]float64(nil), src...)
		apply(alias, alias)
		for i := range alias {
			if math.Float64bits(alias[i]) != math.Float64bits(dst[i]) {
				t.Fatalf("%s: aliased result[%d] = %g, separate dst %g", label, i, alias[i], dst[i])
			}
		}
	})
}

func TestApply32MatchesApply(t *testing.T) {
	src := blockInputs(1001)
	src32 := make([]float32, len(src))
	srcR := make([]float64, len(src)) // float32 inputs widened, so only output rounding differs
	for i, x := range src {
		src32[i] = float32(x)
		srcR[i] = float64(src32[i])
	}
	const eps32 = 0x1p-23
	eachFunc(t, func(t *testing.T, a *Activation, label string, _ func(float64) float64, apply func(dst, src []float64), apply32 func(dst, src []float32)) {
		want := make([]float64, len(src))
		apply(want, srcR)
		got := make([]float32, len(src))
		apply32(got, src32)
		var p []float64
		if a.Shape() == ShapePolynomial {
			p = HermiteToMonomial(a.Hermite)
		}
		for i := range got {
			// Rounding the float64 result costs half an ulp; a float32
			// Horner loop of degree n costs about 2n+1 float32 roundings
			// of sum |p_j||x|^j (plus rounding of the coefficients).
			tol := eps32 * math.Abs(want[i])
			if p != nil {
				tol += 4 * float64(len(p)+1) * eps32 * monoScale(p, srcR[i])
			}
			if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
				t.Fatalf("%s: f32[%d] at %g = %g, f64 %g (tol %.2g)", label, i, srcR[i], got[i], want[i], tol)
			}
		}
		alias := append([]float32(nil), src32...)
		apply32(alias, alias)
		for i := range alias {
			if math.Float32bits(alias[i]) != math.Float32bits(got[i]) {
				t.Fatalf("%s: aliased f32 result[%d] = %g, separate dst %g", label, i, alias[i], got[i])
			}
		}
	})
}

func TestSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	negZero := math.Copysign(0, -1)
	relu := mustLookup(t, "relu")
	cases := []struct {
		name string
		f    func(float64) float64
		x    float64
		want float64
	}{
		{"relu", relu.F, negZero, 0}, {"relu", relu.F, -inf, 0}, {"relu", relu.F, inf, inf},
		{"step", relu.D, negZero, 0}, {"step", relu.D, 0, 0}, {"step", relu.D, 1e-320, 1},
		{"step", relu.D, -inf, 0}, {"step", relu.D, inf, 1},
	}
	limits := []struct {
		name              string
		dMinus, dPlus     float64 // phi'(-Inf), phi'(+Inf)
		phiMinus, phiPlus float64
	}{
		{"sigmoid", 0, 0, 0, 1}, {"softplus", 0, 1, 0, inf}, {"gelu", 0, 1, 0, inf},
		{"tanh", 0, 0, -1, 1}, {"erf", 0, 0, -1, 1},
	}
	for _, l := range limits {
		a := mustLookup(t, l.name)
		if a.F(-inf) != l.phiMinus || a.F(inf) != l.phiPlus || a.D(-inf) != l.dMinus || a.D(inf) != l.dPlus {
			t.Errorf("%s at -Inf, +Inf: phi %g, %g; phi' %g, %g; want %g, %g; %g, %g", l.name,
				a.F(-inf), a.F(inf), a.D(-inf), a.D(inf), l.phiMinus, l.phiPlus, l.dMinus, l.dPlus)
		}
	}
	for _, c := range cases {
		if got := c.f(c.x); got != c.want || math.Signbit(got) != math.Signbit(c.want) {
			t.Errorf("%s(%g) = %g, want %g", c.name, c.x, got, c.want)
		}
	}
	if v := relu.F(nan); !math.IsNaN(v) {
		t.Errorf("relu(NaN) = %g, want NaN", v)
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	a := mustLookup(t, "relu")
	defer func() {
		if r := recover(); r != errLength {
			t.Errorf("recovered %v, want %q", r, errLength)
		}
	}()
	a.Apply(make([]float64, 3), make([]float64, 4))
}

func BenchmarkApply(b *testing.B) {
	const n = 4096
	src := blockInputs(n)
	src32 := make([]float32, n)
	for i, x := range src {
		src32[i] = float32(x)
	}
	dst := make([]float64, n)
	dst32 := make([]float32, n)
	for _, name := range []string{"relu", "phi2", "phi4", "tanh", "gelu"} {
		a := mustLookup(b, name)
		runs := []struct {
			label string
			fn    func()
		}{
			{"fn=phi/prec=f64", func() { a.Apply(dst, src) }},
			{"fn=dpaper/prec=f64", func() { a.ApplyDeriv(dst, src, DerivPaper) }},
			{"fn=phi/prec=f32", func() { a.Apply32(dst32, src32) }},
			{"fn=dpaper/prec=f32", func() { a.ApplyDeriv32(dst32, src32, DerivPaper) }},
		}
		for _, r := range runs {
			b.Run("act="+name+"/"+r.label, func(b *testing.B) {
				for b.Loop() {
					r.fn()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
			})
		}
	}
}
