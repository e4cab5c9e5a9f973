package theory

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/activation"
)

// pair returns norms and dot product of two random vectors of dimension d
// with different lengths and correlation about rho.
func pair(rng *rand.Rand, d int, rho, s1, s2 float64) (z, zp []float64, nz2, nz2p, dot float64) {
	z, zp = make([]float64, d), make([]float64, d)
	for i := range z {
		x, y := rng.NormFloat64(), rng.NormFloat64()
		z[i] = s1 * x
		zp[i] = s2 * (rho*x + math.Sqrt(1-rho*rho)*y)
		nz2 += z[i] * z[i]
		nz2p += zp[i] * zp[i]
		dot += z[i] * zp[i]
	}
	return
}

func TestPolynomialKernelExact(t *testing.T) {
	rf := RFKernel(mustAct(t, "phi2"))
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		d := 10
		_, _, nz2, nz2p, dot := pair(rng, d, 2*rng.Float64()-1, 0.5+rng.Float64(), 0.5+rng.Float64())
		a2, b2, c := nz2/float64(d), nz2p/float64(d), dot/float64(d)
		// phi2 = x + (x^2-1)/sqrt 2 on a Gaussian pair with variances a2, b2
		// and covariance c (Isserlis: E[U^2 V^2] = a2 b2 + 2c^2).
		want := c + (a2*b2+2*c*c-a2-b2+1)/2
		if got := rf(nz2, nz2p, dot, d); math.Abs(got-want) > 64*eps*(1+a2*b2) {
			t.Errorf("phi2 kernel (a2=%g b2=%g c=%g) = %.17g, want %.17g", a2, b2, c, got, want)
		}
	}
	// The paper's pairs: on the sphere the NTK kernel (paper derivative) is
	// d times the RF kernel: d t (1 + t) vs t + t^2, d t (1 + t^3) vs t + t^4.
	const d = 50
	for _, name := range []string{"phi2", "phi4"} {
		a := mustAct(t, name)
		rfK, ntkK := RFKernel(a), NTKKernel(a, activation.DerivPaper)
		for _, tt := range []float64{-0.9, -0.3, 0, 0.25, 0.5, 0.99, 1} {
			r, n := rfK(d, d, tt*d, d), ntkK(d, d, tt*d, d)
			want := tt + tt*tt
			if name == "phi4" {
				want = tt + tt*tt*tt*tt
			}
			if math.Abs(r-want) > 16*eps || math.Abs(n-d*want) > 16*eps*d {
				t.Errorf("%s t=%g: rf %.17g ntk/d %.17g, want %.17g", name, tt, r, n/d, want)
			}
		}
	}
}

func TestSmoothKernelSeriesVsQuadrature(t *testing.T) {
	for _, name := range []string{"tanh", "erf", "gelu", "softplus", "sigmoid"} {
		a := mustAct(t, name)
		for _, f := range []func(float64) float64{a.F, a.D} {
			e := newEngine(fnSpec{activation.ShapeSmooth, f, nil})
			for _, ab := range [][2]float64{{1, 1}, {0.7, 1.3}} {
				for _, r := range []float64{-0.6, 0.3, 0.7} {
					sa, sb := e.at(ab[0]), e.at(ab[1])
					s, ok := series(sa, sb, r)
					q := e.quad2(ab[0], ab[1], r, 400, 160)
					// Both are converged to near rounding at these scales
					// (the comparison of rule sizes shows < 1e-12).
					if tol := 1e-10 * math.Sqrt(sa.energy*sb.energy); !ok || math.Abs(s-q) > tol {
						t.Errorf("%s %v r=%g: series %.15g (ok %v), quadrature %.15g", name, ab, r, s, ok, q)
					}
				}
				// Near |r| = 1 the kernel uses the 2-D fallback; it must agree
				// with a larger rule.
				k := e.expect2(ab[0], ab[1], 0.999)
				q := e.quad2(ab[0], ab[1], 0.999, 400, 160)
				if math.Abs(k-q) > 1e-9*math.Sqrt(e.at(ab[0]).energy*e.at(ab[1]).energy) {
					t.Errorf("%s %v r=0.999: kernel %.15g, larger rule %.15g", name, ab, k, q)
				}
			}
		}
	}
	// ReLU as a generic function: 2-D quadrature converges slowly (the
	// kink), about halving the error per doubling of nodes; the closed form
	// must sit within the last observed difference of that sequence.
	e := newEngine(fnSpec{activation.ShapeSmooth, mustAct(t, "relu").F, nil})
	exact := 0.8 * 1.3 * ReLUKernel(0.6)
	q1, q2 := e.quad2(0.8, 1.3, 0.6, 96, 96), e.quad2(0.8, 1.3, 0.6, 192, 192)
	if math.Abs(q2-exact) > math.Abs(q2-q1) || math.Abs(q1-exact) < math.Abs(q2-exact) {
		t.Errorf("relu: quadrature %.10g, %.10g does not converge to the closed form %.10g", q1, q2, exact)
	}
}

func TestKernelSymmetryAndEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, name := range []string{"relu", "tanh", "phi4", "gelu"} {
		a := mustAct(t, name)
		for _, k := range []KernelFunc{RFKernel(a), NTKKernel(a, activation.DerivPaper), NTKKernel(a, activation.DerivTrue)} {
			for range 10 {
				_, _, n1, n2, dot := pair(rng, 7, 2*rng.Float64()-1, 0.3+rng.Float64(), 0.3+2*rng.Float64())
				if x, y := k(n1, n2, dot, 7), k(n2, n1, dot, 7); math.Float64bits(x) != math.Float64bits(y) || math.IsNaN(x) {
					t.Errorf("%s: k(z,z') = %g, k(z',z) = %g", name, x, y)
				}
			}
			// Rounding can push |dot| slightly above |z||z'|; it is clamped.
			if v := k(4, 4, 4*(1+1e-15), 4); math.IsNaN(v) {
				t.Errorf("%s: NaN at correlation 1+1e-15", name)
			}
		}
	}
	relu := RFKernel(mustAct(t, "relu"))
	if v := relu(0, 3, 0, 3); v != 0 {
		t.Errorf("relu kernel with a zero input = %g, want 0", v)
	}
	if v := NTKKernel(mustAct(t, "relu"), activation.DerivPaper)(0, 3, 0, 3); v != 0 {
		t.Errorf("relu NTK kernel with a zero input = %g, want 0", v)
	}
	// A zero input sees phi(0) times E[phi(b Y)]: for phi2, (-1/sqrt2)(b^2-1)/sqrt2.
	if v, w := RFKernel(mustAct(t, "phi2"))(0, 12, 0, 3), -0.5*(4-1); math.Abs(v-w) > 8*eps*4 {
		t.Errorf("phi2 kernel with a zero input = %g, want %g", v, w)
	}
}

// TestKernelMonteCarlo compares the infinite-width kernels with the
// finite-width average over k features, w ~ N(0, I/d): the difference must
// be within 5 standard errors (estimated from the same sample), which a
// correct kernel fails with probability below 1e-6.
func TestKernelMonteCarlo(t *testing.T) {
	k := 40000
	if testing.Short() {
		k = 10000
	}
	const d = 12
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []struct {
		act   string
		model Model
		mode  activation.DerivMode
	}{
		{"relu", RF, activation.DerivPaper}, {"relu", NTK, activation.DerivPaper},
		{"tanh", RF, activation.DerivPaper}, {"gelu", NTK, activation.DerivTrue},
		{"phi4", RF, activation.DerivPaper}, {"phi4", NTK, activation.DerivTrue},
	}
	for _, c := range cases {
		a := mustAct(t, c.act)
		kern := Kernel(c.model, a, c.mode)
		f := a.F
		if c.model == NTK {
			f = a.Deriv(c.mode)
		}
		for _, rho := range []float64{0.2, 0.6, 0.97} {
			z, zp, n1, n2, dot := pair(rng, d, rho, 0.8, 1.4)
			sum, sum2 := 0.0, 0.0
			w := make([]float64, d)
			for range k {
				u, v := 0.0, 0.0
				for i := range w {
					w[i] = rng.NormFloat64() / math.Sqrt(d)
					u += w[i] * z[i]
					v += w[i] * zp[i]
				}
				p := f(u) * f(v)
				if c.model == NTK {
					p *= dot
				}
				sum += p
				sum2 += p * p
			}
			mean := sum / float64(k)
			se := math.Sqrt((sum2/float64(k) - mean*mean) / float64(k))
			if want := kern(n1, n2, dot, d); math.Abs(mean-want) > 5*se {
				t.Errorf("%s %v %v rho=%g: Monte Carlo %.6f ± %.6f, kernel %.6f", c.act, c.model, c.mode, rho, mean, se, want)
			}
		}
	}
}

func TestKernelMethod(t *testing.T) {
	for _, c := range []struct {
		act   string
		model Model
		want  string
	}{
		{"relu", RF, "closed form (arc-cosine, degree 1)"},
		{"relu", NTK, "closed form (arc-cosine, degree 0)"},
		{"phi2", NTK, "exact Hermite series (polynomial)"},
		{"tanh", RF, "Hermite series with tail bound; 2-D Gauss–Hermite quadrature near |r| = 1"},
	} {
		if got := KernelMethod(c.model, mustAct(t, c.act), activation.DerivPaper); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.act, c.model, got, c.want)
		}
	}
}

func BenchmarkKernel(b *testing.B) {
	for _, name := range []string{"relu", "phi4", "tanh"} {
		k := RFKernel(mustAct(b, name))
		b.Run("act="+name, func(b *testing.B) {
			v := 0.0
			for b.Loop() {
				v += k(100, 110, 20, 100)
			}
			_ = v
		})
	}
}

// TestKernelConcurrent evaluates one kernel from several goroutines (the
// per-norm cache is shared) and compares with serial evaluation.
func TestKernelConcurrent(t *testing.T) {
	a := mustAct(t, "tanh")
	serial, shared := RFKernel(a), RFKernel(a)
	const m = 64
	want := make([]float64, m)
	for i := range want {
		want[i] = serial(float64(10+i%7), float64(10+i%5), 3, 10)
	}
	got := make([]float64, m)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			for i := g; i < m; i += 4 {
				got[i] = shared(float64(10+i%7), float64(10+i%5), 3, 10)
			}
			done <- struct{}{}
		}()
	}
	for range 4 {
		<-done
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("entry %d: concurrent %g, serial %g", i, got[i], want[i])
		}
	}
}

func BenchmarkGammaPsi(b *testing.B) {
	for _, name := range []string{"relu", "phi4", "tanh"} {
		a := mustAct(b, name)
		b.Run("act="+name, func(b *testing.B) {
			for b.Loop() {
				if _, err := GammaPsi(RF, a, activation.DerivPaper, 0.5, 1000, 1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
