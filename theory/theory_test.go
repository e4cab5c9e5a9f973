package theory

import (
	"math"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/activation"
)

const eps = 0x1p-52

func mustAct(t testing.TB, name string) *activation.Activation {
	t.Helper()
	a, err := activation.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestGaussHermiteRule(t *testing.T) {
	r3 := GaussHermite(3) // nodes 0, ±sqrt 3; weights 2/3, 1/6
	want := []struct{ x, w float64 }{{-math.Sqrt(3), 1.0 / 6}, {0, 2.0 / 3}, {math.Sqrt(3), 1.0 / 6}}
	for i, p := range want {
		if math.Abs(r3.Nodes[i]-p.x) > 4*eps || math.Abs(r3.Weights[i]-p.w) > 4*eps {
			t.Errorf("n=3 node %d: (%g, %g), want (%g, %g)", i, r3.Nodes[i], r3.Weights[i], p.x, p.w)
		}
	}
	for _, n := range []int{1, 2, 7, 40, 201, 400, 1000} {
		r := GaussHermite(n)
		if r != GaussHermite(n) {
			t.Errorf("n=%d: rule not cached", n)
		}
		sum := 0.0
		for i := range r.Nodes {
			if r.Nodes[i] != -r.Nodes[n-1-i] || r.Weights[i] != r.Weights[n-1-i] {
				t.Fatalf("n=%d: rule not symmetric at %d", n, i)
			}
			if i > 0 && !(r.Nodes[i] > r.Nodes[i-1]) {
				t.Fatalf("n=%d: nodes not increasing at %d", n, i)
			}
			if math.IsNaN(r.Weights[i]) || r.Weights[i] < 0 || math.Abs(r.SqrtW[i]*r.SqrtW[i]-r.Weights[i]) > 4*eps*r.Weights[i] {
				t.Fatalf("n=%d: bad weight %g (sqrt %g) at %d", n, r.Weights[i], r.SqrtW[i], i)
			}
			sum += r.Weights[i]
		}
		if math.Abs(sum-1) > 4*float64(n)*eps {
			t.Errorf("n=%d: weights sum to 1%+.3g", n, sum-1)
		}
		// E[G^(2k)] = (2k-1)!!, exact for 2k <= 2n-1; the rounding error of
		// the sum is bounded by n eps times the same sum with |terms|, which
		// equals the moment itself (every term is non-negative).
		dfact := 1.0
		for k := 1; 2*k <= min(2*n-1, 16); k++ {
			dfact *= float64(2*k - 1)
			m := 0.0
			for i, x := range r.Nodes {
				m += r.Weights[i] * math.Pow(x, float64(2*k))
			}
			if math.Abs(m-dfact) > 8*float64(n+k)*eps*dfact {
				t.Errorf("n=%d: E[G^%d] = %.17g, want %g", n, 2*k, m, dfact)
			}
		}
	}
}

func TestGaussHermitePanics(t *testing.T) {
	defer func() {
		if r := recover(); r != errRuleSize {
			t.Errorf("recovered %v, want %q", r, errRuleSize)
		}
	}()
	GaussHermite(0)
}

func TestReLUAndStepCoeffs(t *testing.T) {
	mu := ReLUCoeffs(12)
	want := map[int]float64{
		0: 1 / math.Sqrt(2*math.Pi), 1: 0.5, 2: 1 / (2 * math.SqrtPi),
		4: -1 / math.Sqrt(48*math.Pi), 6: 0.044603, 8: -0.029802,
	}
	for l, w := range want {
		tol := 4 * eps * math.Abs(w)
		if l >= 6 {
			tol = 5e-7 // the spec prints 6 decimals
		}
		if math.Abs(mu[l]-w) > tol {
			t.Errorf("relu mu_%d = %.10g, want %.10g", l, mu[l], w)
		}
	}
	for l := 3; l < 12; l += 2 {
		if mu[l] != 0 {
			t.Errorf("relu mu_%d = %g, want 0", l, mu[l])
		}
	}
	st := StepCoeffs(8)
	wantS := map[int]float64{0: 0.5, 1: 1 / math.Sqrt(2*math.Pi), 3: -1 / math.Sqrt(12*math.Pi), 5: 0.109255, 7: -0.084292}
	for l, w := range wantS {
		tol := 4 * eps
		if l >= 5 {
			tol = 5e-7
		}
		if math.Abs(st[l]-w) > tol {
			t.Errorf("step mu_%d = %.10g, want %.10g", l, st[l], w)
		}
	}
	for l := 2; l < 8; l += 2 {
		if st[l] != 0 {
			t.Errorf("step mu_%d = %g, want 0", l, st[l])
		}
	}
	// sum_l mu_l^2 t^l reproduces the arc-cosine kernels (geometric
	// convergence at t = 1/2: 200 terms leave < 2^-200).
	for _, c := range []struct {
		name   string
		mu     []float64
		kernel func(float64) float64
	}{{"relu", ReLUCoeffs(200), ReLUKernel}, {"step", StepCoeffs(200), StepKernel}} {
		for _, tt := range []float64{-0.5, 0.3, 0.5} {
			s, tp := 0.0, 1.0
			for _, m := range c.mu {
				s += m * m * tp
				tp *= tt
			}
			if k := c.kernel(tt); math.Abs(s-k) > 16*eps {
				t.Errorf("%s: series at t=%g = %.17g, closed form %.17g", c.name, tt, s, k)
			}
		}
	}
	// At t = 1 both sum to 1/2, slowly: mu_l^2 ~ C l^-5/2 (relu) and
	// ~ C l^-3/2 (step) over even resp. odd l, so the tail beyond L is
	// about mu_L^2 L/3 resp. mu_L^2 L. The tail-corrected sums agree with
	// 1/2 to a small fraction of the tail itself.
	for _, c := range []struct {
		name    string
		mu      []float64
		last    int
		tailFac float64
	}{{"relu", ReLUCoeffs(4001), 4000, 1.0 / 3}, {"step", StepCoeffs(4002), 4001, 1}} {
		s := 0.0
		for _, m := range c.mu {
			s += m * m
		}
		tail := c.mu[c.last] * c.mu[c.last] * float64(c.last) * c.tailFac
		if d := math.Abs(s + tail - 0.5); d > 0.01*tail {
			t.Errorf("%s: sum mu^2 = %.10g + tail %.3g differs from 1/2 by %.3g", c.name, s, tail, d)
		}
	}
	// The spec: 60 step coefficients capture 0.4836 of 0.5.
	s := 0.0
	for _, m := range StepCoeffs(60) {
		s += m * m
	}
	if math.Abs(s-0.4836) > 5e-5 {
		t.Errorf("60 step coefficients: energy %.6f, spec 0.4836", s)
	}
}

func TestPolynomialCoeffs(t *testing.T) {
	for _, c := range []struct {
		model Model
		act   string
		mode  activation.DerivMode
		want  []float64
	}{
		{RF, "phi2", activation.DerivPaper, []float64{0, 1, 1, 0}},
		{RF, "phi4", activation.DerivPaper, []float64{0, 1, 0, 0, 1}},
		{NTK, "phi2", activation.DerivPaper, []float64{1, 1, 0}},
		{NTK, "phi4", activation.DerivPaper, []float64{1, 0, 0, 1}},
		{NTK, "phi4", activation.DerivTrue, []float64{1, 0, 0, 2}},
		{NTK, "relu", activation.DerivPaper, StepCoeffs(5)},
	} {
		got, est, err := Coeffs(c.model, mustAct(t, c.act), c.mode, len(c.want))
		if err != nil || est != 0 {
			t.Fatalf("%v %s: err %v, estimate %g", c.model, c.act, err, est)
		}
		for l := range got {
			if got[l] != c.want[l] {
				t.Errorf("%v %s %v: coefficients %v, want %v", c.model, c.act, c.mode, got, c.want)
				break
			}
		}
	}
	// Quadrature is exact for polynomials: a degree-6 user polynomial.
	a := mustAct(t, "hermite:0.5,-1,0.25,0,0.1,0,0.3")
	got, _, err := HermiteCoeffs(a.F, 9)
	if err != nil {
		t.Fatal(err)
	}
	for l := range got {
		w := 0.0
		if l < len(a.Hermite) {
			w = a.Hermite[l]
		}
		// Each coefficient is a sum of n terms bounded by |f| |h_l| w.
		if math.Abs(got[l]-w) > 1e-13 {
			t.Errorf("quadrature mu_%d = %.17g, want %g", l, got[l], w)
		}
	}
	if d := DerivCoeffs([]float64{0, 1, 1, 0, 1}); d[0] != 1 || d[1] != math.Sqrt2 || d[3] != 2 {
		t.Errorf("DerivCoeffs(h1+h2+h4) = %v, want [1 sqrt2 0 2]", d)
	}
}

func TestSmoothCoeffsConverge(t *testing.T) {
	for _, name := range []string{"tanh", "erf", "gelu", "softplus", "sigmoid"} {
		a := mustAct(t, name)
		for _, fn := range []struct {
			label string
			f     func(float64) float64
		}{{"phi", a.F}, {"phi'", a.D}} {
			mu, est, err := HermiteCoeffs(fn.f, 160)
			if err != nil {
				t.Fatal(err)
			}
			if est > 1e-10 {
				t.Errorf("%s %s: two quadrature orders differ by %.3g", name, fn.label, est)
			}
			// Parseval: sum mu_l^2 = E[f^2] up to the energy beyond l = 160;
			// the slowest (tanh', poles at ±i pi/2) has |mu_l| < 1e-7 there.
			e2, err := Expect(func(x float64) float64 { v := fn.f(x); return v * v }, 240)
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			for _, m := range mu {
				s += m * m
			}
			if d := e2 - s; d < -1e-14 || d > 1e-12 {
				t.Errorf("%s %s: E[f^2] - sum mu^2 = %.3g", name, fn.label, d)
			}
			// mu_l(phi') = sqrt(l+1) mu_{l+1}(phi) (Gaussian integration by parts).
			if fn.label == "phi" {
				dmu, _, _ := HermiteCoeffs(a.D, 159)
				for l, v := range DerivCoeffs(mu) {
					if math.Abs(v-dmu[l]) > 1e-11 {
						t.Errorf("%s: sqrt(l+1) mu_%d(phi) = %.15g, mu_%d(phi') = %.15g", name, l+1, v, l, dmu[l])
					}
				}
			}
		}
	}
	// erf: mu_1 = E[erf'(G)] = 2/sqrt(3 pi).
	mu, _, _ := HermiteCoeffs(math.Erf, 2)
	if w := 2 / math.Sqrt(3*math.Pi); math.Abs(mu[1]-w) > 1e-14 {
		t.Errorf("erf mu_1 = %.17g, want %.17g", mu[1], w)
	}
}

func TestHermiteCoeffsErrors(t *testing.T) {
	_, _, err := HermiteCoeffs(math.Log, 5)
	if err == nil || !strings.Contains(err.Error(), "NaN") || !strings.Contains(err.Error(), "quadrature node") {
		t.Errorf("log: error %v, want one naming NaN at a quadrature node", err)
	}
	_, _, err = HermiteCoeffs(func(x float64) float64 { return 1 / (x - GaussHermite(240).Nodes[100]) }, 5)
	if err == nil || !strings.Contains(err.Error(), "Inf") {
		t.Errorf("pole at a node: error %v, want Inf", err)
	}
	for _, L := range []int{0, MaxCoeffs + 1} {
		if _, _, err := HermiteCoeffs(math.Sin, L); err == nil {
			t.Errorf("L=%d: want error", L)
		}
	}
}

// table35 is paper §3.5: alpha, RF large-N, RF small-N, NTK large-N, NTK
// small-N (6 decimals).
var table35 = []struct {
	act                      string
	alpha                    float64
	rfLarge, rfSmall         float64
	ntkLarge, ntkSmall       float64
	psiRow                   [9]float64 // RF gamma(psi), d = 1000, N grid
	ntkPsiRow                [9]float64 // NTK gamma(psi)
	exactLarge, exactSmallRF float64    // exact forms where the spec gives them (0 = none)
}{
	{act: "phi2", alpha: 0.5, rfLarge: 0.25, rfSmall: 0.375, ntkLarge: 0.25, ntkSmall: 0.375,
		psiRow: [9]float64{0.3747, 0.3744, 0.3735, 0.3719, 0.3688, 0.3596, 0.3455, 0.3232, 0.2904}},
	{act: "phi2", alpha: 0.25, rfLarge: 0.0625, rfSmall: 0.15625, ntkLarge: 0.0625, ntkSmall: 0.15625,
		psiRow: [9]float64{0.1560, 0.1558, 0.1551, 0.1539, 0.1516, 0.1447, 0.1341, 0.1174, 0.0928}},
	{act: "phi4", alpha: 0.5, rfLarge: 0.0625, rfSmall: 0.28125, ntkLarge: 0.0625, ntkSmall: 0.28125,
		psiRow: [9]float64{0.2808, 0.2802, 0.2786, 0.2758, 0.2704, 0.2544, 0.2297, 0.1907, 0.1332}},
	{act: "phi4", alpha: 0.25, rfLarge: 0.00390625, rfSmall: 0.126953, ntkLarge: 0.00390625, ntkSmall: 0.126953,
		psiRow: [9]float64{0.1267, 0.1264, 0.1254, 0.1239, 0.1208, 0.1118, 0.0979, 0.0760, 0.0437}},
	{act: "relu", alpha: 0.5, rfLarge: 0.223941, rfSmall: 0.426422, ntkLarge: 1.0 / 6, ntkSmall: 1.0 / 3,
		psiRow:    [9]float64{0.4261, 0.4257, 0.4245, 0.4224, 0.4180, 0.4034, 0.3764, 0.3305, 0.2746},
		ntkPsiRow: [9]float64{0.3330, 0.3325, 0.3313, 0.3292, 0.3251, 0.3129, 0.2940, 0.2643, 0.2205}},
	{act: "relu", alpha: 0.25, rfLarge: 0.055039, rfSmall: 0.198037, ntkLarge: 0.040215, ntkSmall: 0.145108,
		psiRow:    [9]float64{0.1978, 0.1975, 0.1966, 0.1952, 0.1921, 0.1818, 0.1627, 0.1303, 0.0908},
		ntkPsiRow: [9]float64{0.1449, 0.1446, 0.1438, 0.1425, 0.1399, 0.1322, 0.1204, 0.1017, 0.0741}},
}

var nGrid = [9]int{10, 20, 50, 100, 200, 500, 1000, 2000, 5000}

func TestPaperTable(t *testing.T) {
	const tol6, tol4 = 5e-7, 5e-5 // half a unit of the printed last digit
	for _, row := range table35 {
		a := mustAct(t, row.act)
		for _, m := range []Model{RF, NTK} {
			p, err := NewPredictor(m, a, activation.DerivPaper)
			if err != nil {
				t.Fatal(err)
			}
			large, _ := p.LargeN(row.alpha)
			small, _ := p.SmallN(row.alpha)
			wl, ws, psiRow := row.rfLarge, row.rfSmall, row.psiRow
			if m == NTK {
				wl, ws = row.ntkLarge, row.ntkSmall
				if row.act == "relu" {
					psiRow = row.ntkPsiRow // phi2/phi4: identical to RF
				}
			}
			if math.Abs(large-wl) > tol6 || math.Abs(small-ws) > tol6 {
				t.Errorf("%v %s alpha=%g: large %.6f small %.6f, want %.6f %.6f", m, row.act, row.alpha, large, small, wl, ws)
			}
			for j, n := range nGrid {
				g, err := p.Psi(row.alpha, n, 1000)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(g-psiRow[j]) > tol4 {
					t.Errorf("%v %s alpha=%g N=%d: gamma(psi) %.6f, table %.4f", m, row.act, row.alpha, n, g, psiRow[j])
				}
			}
		}
	}
	// Exact forms: the polynomial rows are rationals, relu NTK is
	// 2 alpha arcsin(alpha)/pi and alpha(1/2 + arcsin(alpha)/pi).
	for _, al := range []float64{0.25, 0.5, 0.8} {
		p, _ := NewPredictor(NTK, mustAct(t, "relu"), activation.DerivPaper)
		l, _ := p.LargeN(al)
		s, _ := p.SmallN(al)
		if wl := 2 * al * math.Asin(al) / math.Pi; math.Abs(l-wl) > 16*eps {
			t.Errorf("ntk relu large alpha=%g: %.17g, want %.17g", al, l, wl)
		}
		if ws := al * (0.5 + math.Asin(al)/math.Pi); math.Abs(s-ws) > 16*eps {
			t.Errorf("ntk relu small alpha=%g: %.17g, want %.17g", al, s, ws)
		}
		for _, c := range []struct {
			act          string
			large, small float64
		}{{"phi2", al * al, al * (1 + 2*al) / 3}, {"phi4", math.Pow(al, 4), al * (1 + 4*al*al*al) / 5}} {
			p, _ := NewPredictor(NTK, mustAct(t, c.act), activation.DerivTrue)
			l, _ := p.LargeN(al)
			s, _ := p.SmallN(al)
			if math.Abs(l-c.large) > 16*eps || math.Abs(s-c.small) > 16*eps {
				t.Errorf("ntk %s true derivative alpha=%g: large %.17g small %.17g, want %.17g %.17g", c.act, al, l, s, c.large, c.small)
			}
		}
	}
	// s values of the spec.
	p, _ := NewPredictor(RF, mustAct(t, "relu"), activation.DerivPaper)
	if w := 0.25 / (0.25 - 1/(2*math.Pi)); math.Abs(p.S()-w) > 16*eps {
		t.Errorf("RF relu s = %.17g, want %.17g", p.S(), w)
	}
	if g, err := GammaPsi(RF, mustAct(t, "phi2"), activation.DerivPaper, 0.5, 300, 1000); err != nil || math.Abs(g-0.3657) > 5e-5 {
		t.Errorf("GammaPsi(rf, phi2, 1/2, 300, 1000) = %.5f, %v; spec §3.6 0.3657", g, err)
	}
}

func TestGammaProperties(t *testing.T) {
	names := []string{"relu", "tanh", "erf", "sigmoid", "softplus", "gelu", "phi2", "phi4", "hermite:0.2,1,0.3,0.2,0.1"}
	for _, name := range names {
		a := mustAct(t, name)
		var rfLarge [21]float64
		for _, m := range []Model{RF, NTK} {
			for _, mode := range []activation.DerivMode{activation.DerivPaper, activation.DerivTrue} {
				p, err := NewPredictor(m, a, mode)
				if err != nil {
					t.Fatal(err)
				}
				regimes := []struct {
					label string
					g     func(float64) float64
				}{
					{"large", func(al float64) float64 { v, _ := p.LargeN(al); return v }},
					{"small", func(al float64) float64 { v, _ := p.SmallN(al); return v }},
					{"psi", func(al float64) float64 { v, _ := p.Psi(al, 700, 1000); return v }},
				}
				for _, r := range regimes {
					// 0 at alpha = 0 and 1 at alpha = 1, up to the rounding of
					// kappa's terms (each at most kappa(1)).
					if g0, g1 := r.g(0), r.g(1); math.Abs(g0) > 1e-13 || math.Abs(g1-1) > 1e-13 {
						t.Errorf("%v %s %v %s: gamma(0) = %g, gamma(1) = %g", m, name, mode, r.label, g0, g1)
					}
					prev := r.g(0)
					for i := 1; i <= 20; i++ {
						g := r.g(float64(i) / 20)
						if !(g > prev) {
							t.Errorf("%v %s %v %s: gamma not increasing at alpha = %g (%g after %g)", m, name, mode, r.label, float64(i)/20, g, prev)
						}
						prev = g
					}
				}
				for i := 0; i <= 20; i++ {
					al := float64(i) / 20
					large, _ := p.LargeN(al)
					small, _ := p.SmallN(al)
					if m == RF && mode == activation.DerivPaper {
						rfLarge[i] = large
						// gamma_RF^lb <= alpha^2: only orders l >= 2 enter.
						if large > al*al+1e-15 {
							t.Errorf("RF %s: gamma_lb(%g) = %g > alpha^2", name, al, large)
						}
					}
					if m == NTK && mode == activation.DerivTrue && large > rfLarge[i]+1e-14 {
						t.Errorf("%s: gamma_NTK(%g) = %.15g > gamma_RF^lb = %.15g", name, al, large, rfLarge[i])
					}
					if i == 0 || i == 20 {
						continue
					}
					prev := small
					for _, n := range append(nGrid[:], 20000, 100000) {
						g, _ := p.Psi(al, n, 1000)
						if g < large-1e-15 || g > small+1e-15 || g > prev+1e-15 {
							t.Errorf("%v %s %v alpha=%g N=%d: gamma(psi) %.15g outside [%.15g, %.15g] or above %.15g at smaller N",
								m, name, mode, al, n, g, large, small, prev)
						}
						prev = g
					}
				}
			}
		}
	}
}

func TestM(t *testing.T) {
	for _, s := range []float64{0.01, 1, 2.751938, 50} {
		for _, psi := range []float64{0, 0.001, 0.5, 1, 3, 1000} {
			m := M(s, psi)
			res := s*m*m + (1+s*psi-s)*m - 1
			if !(m > 0 && m <= 1) || math.Abs(res) > 8*eps*(1+s*psi+s) {
				t.Errorf("M(%g, %g) = %g, residual %g", s, psi, m, res)
			}
		}
		if M(s, 0) != 1 && math.Abs(M(s, 0)-1) > 4*eps {
			t.Errorf("M(%g, 0) = %.17g, want 1", s, M(s, 0))
		}
		if m, w := M(s, 1e8), 1/(s*1e8); math.Abs(m-w) > 1e-6*w {
			t.Errorf("M(%g, 1e8) = %g, want about 1/(s psi) = %g", s, m, w)
		}
	}
	if M(0, 5) != 1 {
		t.Errorf("M(0, psi) = %g, want 1", M(0, 5))
	}
}

func TestBadInput(t *testing.T) {
	relu := mustAct(t, "relu")
	p, _ := NewPredictor(RF, relu, activation.DerivPaper)
	for _, al := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := p.LargeN(al); err == nil || !strings.Contains(err.Error(), "alpha") {
			t.Errorf("alpha=%g: error %v", al, err)
		}
		if _, err := GammaPsi(RF, relu, activation.DerivPaper, al, 10, 10); err == nil {
			t.Errorf("GammaPsi alpha=%g: want error", al)
		}
	}
	if _, err := p.Psi(0.5, 0, 10); err == nil {
		t.Error("n = 0: want error")
	}
	if _, err := NewPredictor(RF, mustAct(t, "hermite:0.3,1"), activation.DerivPaper); err == nil || !strings.Contains(err.Error(), "linear") {
		t.Errorf("affine phi: error %v, want one saying the model is linear", err)
	}
	if _, err := NewPredictor(NTK, mustAct(t, "hermite:0,1,0,0"), activation.DerivTrue); err == nil {
		t.Error("NTK with constant phi': want error")
	}
	if _, err := NewPredictor(RF, nil, activation.DerivPaper); err == nil {
		t.Error("nil activation: want error")
	}
	if _, err := ParseModel("cnn"); err == nil {
		t.Error("ParseModel(cnn): want error")
	}
}
