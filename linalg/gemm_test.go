package linalg

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/internal/impl"
)

// opAt returns element (i, j) of op(x) as float64.
func opAt[T Float](x Matrix[T], t Transpose, i, j int) float64 {
	if t {
		return float64(x.At(j, i))
	}
	return float64(x.At(i, j))
}

// gemmExpect is what Gemm must produce for element (i, j) of C.
type gemmExpect struct {
	want   float64 // reference value (meaningful when finite)
	tol    float64 // allowed |got - want| when the check is by tolerance
	class  bool    // compare only the class (NaN / +Inf / -Inf)
	skip   bool    // intermediate overflow: the result depends on order
	nonFin float64 // expected non-finite value when class is set
}

// expectGemm computes the reference for element (i, j) of
// alpha*op(A)*op(B) + beta*C0 and the error bound Gemm must meet in T:
//
//	|got - want| <= gamma(k+2) * (|alpha| sum_p |a_ip||b_pj| + |beta c_ij|)
//	              + u|beta c_ij| + (k+2)*eta + eta*sum_p |b_pj| + refErr,
//
// where gamma(k+2) covers alpha folded into A (one rounding), k products
// and the additions of the k terms and of beta*c (C is scaled first, then
// the KC-block partial sums are added to it), u|beta c| the scaling, eta
// the smallest subnormal (underflow of the products and of alpha*a_ip)
// and refErr = 4*u64*(...)
// the error of the float64 reference itself. Non-finite inputs are checked
// by class: the class of a sum with infinite terms does not depend on the
// order, unless finite terms overflow, which is then skipped.
func expectGemm[T Float](tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c0 Matrix[T], i, j, k int) gemmExpect {
	al, be := float64(alpha), float64(beta)
	var betaC float64
	if beta != 0 {
		betaC = be * float64(c0.At(i, j))
	}
	if alpha == 0 {
		// A and B are not read: C = beta*C0 exactly, rounded once in T.
		return gemmExpect{want: float64(T(betaC)), tol: 0, class: math.IsNaN(betaC) || math.IsInf(betaC, 0), nonFin: float64(T(betaC))}
	}
	var s, e, mag, plain, sumB float64
	finite := true
	for p := 0; p < k; p++ {
		x, y := al*opAt(a, tA, i, p), opAt(b, tB, p, j)
		sumB += math.Abs(y)
		prod := x * y
		plain += prod
		if isNonFinite(x) || isNonFinite(y) {
			finite = false
			continue
		}
		if isNonFinite(prod) {
			// Overflow of finite inputs: a fused multiply-add may keep
			// the sum finite, so the result depends on the kernel.
			return gemmExpect{skip: true}
		}
		mag += math.Abs(prod)
		h, l := fpbound.TwoProd(x, y)
		var es float64
		s, es = fpbound.TwoSum(s, h)
		e += es + l
	}
	plain += betaC
	if isNonFinite(betaC) {
		finite = false
	} else {
		mag += math.Abs(betaC)
	}
	if mag > fpbound.Of[T]().Max/4 {
		return gemmExpect{skip: true}
	}
	if !finite {
		return gemmExpect{class: true, nonFin: plain}
	}
	u := fpbound.Of[T]().U
	want := (s + e) + betaC
	eta := fpbound.Of[T]().Eta
	tol := fpbound.Gamma(k+2, u)*mag + u*math.Abs(betaC) + float64(k+2)*eta + eta*sumB + 4*0x1p-53*mag
	return gemmExpect{want: want, tol: tol}
}

func isNonFinite(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// checkGemm compares got (the C after Gemm) with the reference computed
// from the inputs; c0 is C before the call. It reports at most a few
// differing elements.
func checkGemm[T Float](t *testing.T, label string, tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c0, got Matrix[T]) {
	t.Helper()
	k := a.Cols
	if tA {
		k = a.Rows
	}
	bad := 0
	for i := 0; i < got.Rows; i++ {
		for j := 0; j < got.Cols; j++ {
			ex := expectGemm(tA, tB, alpha, a, b, beta, c0, i, j, k)
			g := float64(got.At(i, j))
			var ok bool
			switch {
			case ex.skip:
				ok = true
			case ex.class:
				ok = (math.IsNaN(ex.nonFin) && math.IsNaN(g)) || g == ex.nonFin
			default:
				ok = math.Abs(g-ex.want) <= ex.tol
			}
			if !ok {
				bad++
				if bad <= 3 {
					if ex.class {
						t.Errorf("%s: C[%d,%d] = %g, want %g", label, i, j, g, ex.nonFin)
					} else {
						t.Errorf("%s: C[%d,%d] = %g, want %g (tolerance %.3g)", label, i, j, g, ex.want, ex.tol)
					}
				}
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d elements differ in all", label, bad)
	}
}

// checkOutside fails if an element of parent outside the r x c view at
// (oi, oj) is not fill.
func checkOutside[T Float](t *testing.T, label string, parent Matrix[T], oi, oj, r, c int, fill T) {
	t.Helper()
	for i := 0; i < parent.Rows; i++ {
		for j := 0; j < parent.Cols; j++ {
			inside := i >= oi && i < oi+r && j >= oj && j < oj+c
			if !inside && math.Float64bits(float64(parent.At(i, j))) != math.Float64bits(float64(fill)) {
				t.Fatalf("%s: element (%d,%d) outside the view of C changed to %g", label, i, j, parent.At(i, j))
			}
		}
	}
}

var (
	gemmAlphas = []float64{0, 1, -1, 0.5}
	gemmBetas  = []float64{0, 1, -1, 0.5, 2}
	transposes = []Transpose{NoTrans, Trans}
)

// dedupe returns the sorted distinct non-negative values of xs.
func dedupe(xs ...int) []int {
	var out []int
	for _, x := range xs {
		if x >= 0 && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// gemmCase runs one Gemm on strided views (offsets and strides vary with
// seed) and checks it against the reference; with beta = 0 C starts full
// of NaN.
func gemmCase[T Float](t *testing.T, seed uint64, tA, tB Transpose, alpha, beta T, m, n, k int) {
	t.Helper()
	rng := gemmTestRNG(seed)
	pad, oi, oj := int(seed%3), int(seed%2), int(seed/2%3)
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	const fill = -7.25 // sentinel outside the views
	a, aParent := paddedView[T](ar, ac, oi, oj, pad, fill)
	b, bParent := paddedView[T](br, bc, oj, oi, pad+1, fill)
	c, cParent := paddedView[T](m, n, oi, oj, pad, fill)
	fillUniform(rng, a)
	fillUniform(rng, b)
	fillUniform(rng, c)
	if beta == 0 {
		for i := 0; i < m; i++ {
			for j := range c.Row(i) {
				c.Row(i)[j] = T(math.NaN())
			}
		}
	}
	a0, b0, c0 := aParent.Clone(), bParent.Clone(), c.Clone()
	Gemm(tA, tB, alpha, a, b, beta, c)
	label := fmt.Sprintf("m=%d n=%d k=%d tA=%v tB=%v alpha=%g beta=%g", m, n, k, tA, tB, alpha, beta)
	checkGemm(t, label, tA, tB, alpha, a, b, beta, c0, c)
	checkOutside(t, label, cParent, oi, oj, m, n, fill)
	if !sameBits(aParent.Data, a0.Data) || !sameBits(bParent.Data, b0.Data) {
		t.Fatalf("%s: Gemm modified A or B", label)
	}
}

// testGemmShapes runs Gemm on every (m, n, k) around the tile and block
// edges, all transposes, cycling through the alpha and beta values.
func testGemmShapes[T Float](t *testing.T, kc, mc, nc int) {
	restore := setBlockSizes(kc, mc, nc)
	defer restore()
	kern := newKernel[T]()
	mr, nr := kern.mr, kern.nr
	bs := blockSizes(kern.isa, kern.rule, mr, nr, int(unsafe.Sizeof(T(0))))
	if kc == 0 { // default block depth: keep m and n small
		kc = bs.kc
	}
	ms := dedupe(0, 1, 2, mr-1, mr, mr+1, 2*mr+1, bs.mc-1, bs.mc, bs.mc+1)
	ns := dedupe(0, 1, nr-1, nr, nr+1, 2*nr+1, bs.nc+1)
	ks := dedupe(0, 1, kc-1, kc, kc+1, 2*kc+1)
	if mc == 0 {
		ms = dedupe(1, mr+1, 2*mr+1)
		ns = dedupe(1, nr+1)
		ks = dedupe(kc-1, kc, kc+1)
	}
	idx := 0
	for _, m := range ms {
		for _, n := range ns {
			for _, k := range ks {
				for _, tA := range transposes {
					for _, tB := range transposes {
						alpha := T(gemmAlphas[idx%len(gemmAlphas)])
						beta := T(gemmBetas[idx/len(gemmAlphas)%len(gemmBetas)])
						gemmCase(t, uint64(idx), tA, tB, alpha, beta, m, n, k)
						idx++
					}
				}
			}
		}
	}
}

// TestGemmShapes compares Gemm with the reference on all edge shapes, with
// tiny block sizes (several KC, MC and NC blocks per product) and with the
// default ones, on every instruction set.
func TestGemmShapes(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		for _, bs := range [][3]int{{5, 1, 1}, {0, 0, 0}} {
			// {5, 1, 1}: KC = 5, MC = MR, NC = NR after rounding.
			t.Run(fmt.Sprintf("kc=%d", bs[0]), func(t *testing.T) {
				forEachPrec(t,
					func(t *testing.T) { testGemmShapes[float64](t, bs[0], bs[1], bs[2]) },
					func(t *testing.T) { testGemmShapes[float32](t, bs[0], bs[1], bs[2]) })
			})
		}
	})
}

// TestGemmBlockEdges crosses MC and NC boundaries with blocks of a few
// tiles, on every instruction set.
func TestGemmBlockEdges(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		run := func(t *testing.T, mr, nr int, f func(m, n, k int, seed uint64)) {
			mc, nc := 2*mr, 3*nr
			restore := setBlockSizes(7, mc, nc)
			defer restore()
			seed := uint64(0)
			for _, m := range dedupe(mc-1, mc, mc+1, 2*mc+mr+1) {
				for _, n := range dedupe(nc-1, nc, nc+1, 2*nc+1) {
					f(m, n, 15, seed)
					seed++
				}
			}
		}
		forEachPrec(t,
			func(t *testing.T) {
				k := newKernel[float64]()
				run(t, k.mr, k.nr, func(m, n, kk int, seed uint64) {
					gemmCase[float64](t, seed, Transpose(seed%2 == 0), Transpose(seed%3 == 0), 0.5, -1, m, n, kk)
				})
			},
			func(t *testing.T) {
				k := newKernel[float32]()
				run(t, k.mr, k.nr, func(m, n, kk int, seed uint64) {
					gemmCase[float32](t, seed, Transpose(seed%2 == 0), Transpose(seed%3 == 0), -1, 0.5, m, n, kk)
				})
			})
	})
}

// testGemmNonFinite plants NaN and Inf in A, B and C and checks that they
// propagate as IEEE arithmetic says (NaN*0 = NaN, Inf*0 = NaN, Inf-Inf =
// NaN) and that beta = 0 clears NaN in C.
func testGemmNonFinite[T Float](t *testing.T) {
	kern := newKernel[T]()
	m, n, k := 2*kern.mr+1, 2*kern.nr+1, 9
	nan, inf := T(math.NaN()), T(math.Inf(1))
	for idx, plant := range []struct {
		name    string
		a, b, c [][3]int // (i, j, kind) kind 0: NaN, 1: +Inf, 2: -Inf
	}{
		{name: "nan-in-a", a: [][3]int{{1, 2, 0}}},
		{name: "inf-in-a", a: [][3]int{{kern.mr, 0, 1}, {0, 3, 2}}},
		{name: "inf-in-b", b: [][3]int{{4, kern.nr, 1}}},
		{name: "inf-times-zero", a: [][3]int{{2, 5, 1}}, b: [][3]int{{5, 1, 3}}},
		{name: "inf-minus-inf", a: [][3]int{{3, 0, 1}, {3, 1, 1}}, b: [][3]int{{0, 0, 5}, {1, 0, 4}}},
		{name: "nan-in-c", c: [][3]int{{m - 1, n - 1, 0}, {0, 0, 1}}},
	} {
		for _, tA := range transposes {
			for _, beta := range []T{0, 1, 0.5} {
				rng := gemmTestRNG(uint64(idx))
				a, b, c := NewMatrix[T](m, k), NewMatrix[T](k, n), NewMatrix[T](m, n)
				if tA {
					a = NewMatrix[T](k, m)
				}
				fillUniform(rng, a)
				fillUniform(rng, b)
				fillUniform(rng, c)
				set := func(x Matrix[T], t Transpose, e [3]int) {
					i, j := e[0], e[1]
					if t {
						i, j = j, i
					}
					switch e[2] {
					case 0:
						x.Set(i, j, nan)
					case 1:
						x.Set(i, j, inf)
					case 2:
						x.Set(i, j, -inf)
					case 3:
						x.Set(i, j, 0)
					case 4:
						x.Set(i, j, -1)
					case 5:
						x.Set(i, j, 1)
					}
				}
				for _, e := range plant.a {
					set(a, tA, e)
				}
				for _, e := range plant.b {
					set(b, NoTrans, e)
				}
				for _, e := range plant.c {
					set(c, NoTrans, e)
				}
				c0 := c.Clone()
				Gemm(tA, NoTrans, 1, a, b, beta, c)
				checkGemm(t, fmt.Sprintf("%s tA=%v beta=%g", plant.name, tA, beta), tA, NoTrans, 1, a, b, beta, c0, c)
			}
		}
	}
}

func TestGemmNonFinite(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		forEachPrec(t, testGemmNonFinite[float64], testGemmNonFinite[float32])
	})
}

// TestGemmAlphaZero checks the reference-BLAS convention: with alpha = 0,
// A and B are not read (NaN there does not propagate) and C = beta*C.
func TestGemmAlphaZero(t *testing.T) {
	a, b, c := NewMatrix[float64](3, 4), NewMatrix[float64](4, 5), NewMatrix[float64](3, 5)
	for i := range a.Data {
		a.Data[i] = math.NaN()
	}
	for i := range c.Data {
		c.Data[i] = float64(i)
	}
	Gemm(NoTrans, NoTrans, 0, a, b, -2, c)
	for i, v := range c.Data {
		if v != -2*float64(i) {
			t.Fatalf("C[%d] = %g, want %g", i, v, -2*float64(i))
		}
	}
}

// blisCheck verifies a large product with BLIS's test: for a random vector
// t, C*t must match beta*C0*t + alpha*A*(B*t) within the bound of
// expectGemm summed over the row: sum_j |t_j| (gamma(k+2)(|alpha| (|A||B|)_ij
// + |beta c0_ij|) + u|beta c0_ij|), plus the error of evaluating both sides
// with compensated float64 dot products (4*u64 times the magnitudes).
func blisCheck[T Float](tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c0, c Matrix[T], seed uint64) (failures []string) {
	m, n := c.Rows, c.Cols
	k := a.Cols
	if tA {
		k = a.Rows
	}
	rng := gemmTestRNG(seed)
	vec := make([]float64, n)
	for j := range vec {
		vec[j] = 2*rng.Float64() - 1
	}
	// bt = B*t and babs = |B||t|, in compensated float64.
	bt, babs := make([]float64, k), make([]float64, k)
	for p := 0; p < k; p++ {
		var s, e, ab float64
		for j := 0; j < n; j++ {
			x := opAt(b, tB, p, j)
			h, l := fpbound.TwoProd(x, vec[j])
			var es float64
			s, es = fpbound.TwoSum(s, h)
			e += es + l
			ab += math.Abs(x * vec[j])
		}
		bt[p], babs[p] = s+e, ab
	}
	u := fpbound.Of[T]().U
	al, be := float64(alpha), float64(beta)
	for i := 0; i < m; i++ {
		var lhs, lhsE, rhs, rhsE, mag, cmag float64
		for j := 0; j < n; j++ {
			x, l := fpbound.TwoProd(float64(c.At(i, j)), vec[j])
			var es float64
			lhs, es = fpbound.TwoSum(lhs, x)
			lhsE += es + l
			y := be * float64(c0.At(i, j)) * vec[j]
			rhs, es = fpbound.TwoSum(rhs, y)
			rhsE += es
			cmag += math.Abs(y)
		}
		for p := 0; p < k; p++ {
			x := al * opAt(a, tA, i, p) * bt[p]
			var es float64
			rhs, es = fpbound.TwoSum(rhs, x)
			rhsE += es
			mag += math.Abs(al*opAt(a, tA, i, p)) * babs[p]
		}
		diff := math.Abs((lhs + lhsE) - (rhs + rhsE))
		tol := fpbound.Gamma(k+2, u)*(mag+cmag) + u*cmag + 4*0x1p-53*(mag+cmag)*float64(k+n) + float64(k+2)*float64(n)*fpbound.Of[T]().Eta
		if diff > tol {
			failures = append(failures, fmt.Sprintf("row %d: |C t - (beta C0 t + alpha A B t)| = %.3g > %.3g", i, diff, tol))
		}
	}
	return failures
}

// testGemmLarge checks products larger than the blocks, with the default
// block sizes and threads, by BLIS's check.
func testGemmLarge[T Float](t *testing.T) {
	shapes := [][3]int{{301, 277, 523}, {67, 1201, 150}, {900, 33, 260}}
	if testing.Short() {
		shapes = shapes[:1]
	}
	for idx, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		tA, tB := Transpose(idx%2 == 1), Transpose(idx%3 != 1)
		rng := gemmTestRNG(uint64(100 + idx))
		a, b, c := NewMatrix[T](m, k), NewMatrix[T](k, n), NewMatrix[T](m, n)
		if tA {
			a = NewMatrix[T](k, m)
		}
		if tB {
			b = NewMatrix[T](n, k)
		}
		fillUniform(rng, a)
		fillUniform(rng, b)
		fillUniform(rng, c)
		c0 := c.Clone()
		alpha, beta := T(-0.5), T(2)
		Gemm(tA, tB, alpha, a, b, beta, c)
		if f := blisCheck(tA, tB, alpha, a, b, beta, c0, c, uint64(idx)); len(f) > 0 {
			t.Errorf("m=%d n=%d k=%d tA=%v tB=%v: %d rows fail, first: %s", m, n, k, tA, tB, len(f), f[0])
		}
	}
}

func TestGemmLarge(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		forEachPrec(t, testGemmLarge[float64], testGemmLarge[float32])
	})
}

// TestBlisCheckDetects makes sure the large-size check can fail: one
// element perturbed by far less than the values but more than the bound is
// caught.
func TestBlisCheckDetects(t *testing.T) {
	m, n, k := 40, 50, 60
	rng := gemmTestRNG(7)
	a, b, c := NewMatrix[float64](m, k), NewMatrix[float64](k, n), NewMatrix[float64](m, n)
	fillUniform(rng, a)
	fillUniform(rng, b)
	c0 := c.Clone()
	Gemm(NoTrans, NoTrans, 1, a, b, 0, c)
	if f := blisCheck(NoTrans, NoTrans, 1, a, b, 0, c0, c, 1); len(f) > 0 {
		t.Fatalf("unperturbed product fails the check: %s", f[0])
	}
	c.Set(17, 23, c.At(17, 23)*(1+1e-9))
	if f := blisCheck(NoTrans, NoTrans, 1, a, b, 0, c0, c, 1); len(f) != 1 {
		t.Fatalf("BLIS check on a product with one element off by 1e-9 relative reports %d bad rows, want 1", len(f))
	}
}

// testGemmThreads checks that the result is the same bit for bit for any
// number of threads and any MC and NC (fixed KC), on shapes that split
// along m (tall), along n (wide: one row of tiles) and both.
func testGemmThreads[T Float](t *testing.T) {
	kern := newKernel[T]()
	shapes := [][3]int{{203, 157, 141}, {kern.mr, 1500, 90}, {700, kern.nr + 3, 80}, {96, 96, 96}}
	for idx, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		rng := gemmTestRNG(uint64(200 + idx))
		a, b, c := NewMatrix[T](k, m), NewMatrix[T](k, n), NewMatrix[T](m, n)
		fillUniform(rng, a)
		fillUniform(rng, b)
		fillUniform(rng, c)
		run := func(threads, mc, nc int) Matrix[T] {
			defer SetThreads(SetThreads(threads))
			defer setBlockSizes(32, mc, nc)()
			out := c.Clone()
			Gemm(Trans, NoTrans, 0.5, a, b, -1, out)
			return out
		}
		want := run(1, 0, 0)
		for _, cfg := range [][3]int{{2, 0, 0}, {3, 0, 0}, {4, 0, 0}, {2, 3 * kern.mr, 2 * kern.nr}, {1, kern.mr, 5 * kern.nr}} {
			got := run(cfg[0], cfg[1], cfg[2])
			if !sameBits(got.Data, want.Data) {
				t.Errorf("m=%d n=%d k=%d: threads=%d mc=%d nc=%d changes the result", m, n, k, cfg[0], cfg[1], cfg[2])
			}
		}
	}
}

func TestGemmThreads(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		forEachPrec(t, testGemmThreads[float64], testGemmThreads[float32])
	})
}

// TestGemmPlan checks the thread grid: small products run on one thread,
// a single row of tiles is split along n, tall products along m.
func TestGemmPlan(t *testing.T) {
	defer SetThreads(SetThreads(2))
	kern := newEngine[float64]()
	for _, tc := range []struct {
		m, n, k    int
		nt, tm, tn int
	}{
		{8, 8, 8, 1, 1, 1},
		{kern.mr, 4000, 500, 2, 1, 2},
		{4000, kern.nr, 500, 2, 2, 1},
		{1000, 1000, 1000, 2, 2, 1},
	} {
		p := planGemm(kern, triFull, 0, tc.m, tc.n, tc.k, Threads())
		if p.nt != tc.nt || p.tm != tc.tm || p.tn != tc.tn || p.dynRows != 0 {
			t.Errorf("m=%d n=%d k=%d: plan nt=%d tm=%d tn=%d dynRows=%d, want %d %d %d 0", tc.m, tc.n, tc.k, p.nt, p.tm, p.tn, p.dynRows, tc.nt, tc.tm, tc.tn)
		}
	}
	// Triangular updates hand out row blocks: MC rows when each thread
	// gets four or more, else fewer (a multiple of MR, at least MR).
	mr, mc := kern.mr, kern.mc
	for _, tc := range []struct{ m, want int }{
		{8 * mc, mc},
		{1000, min(mc, roundUp((1000+7)/8, mr))},
		{100, roundUp(13, mr)},
		{4 * mr, mr},
	} {
		p := planGemm(kern, triLower, 0, tc.m, tc.m, 1<<20, Threads())
		if p.nt != 2 || p.tn != 1 || p.dynRows != tc.want {
			t.Errorf("lower m=%d: plan nt=%d tn=%d dynRows=%d, want 2 1 %d", tc.m, p.nt, p.tn, p.dynRows, tc.want)
		}
	}
	if p := planGemm(kern, triLower, 0, 4, 4, 4, Threads()); p.nt != 1 || p.dynRows != 0 {
		t.Errorf("small triangle: plan nt=%d dynRows=%d, want one static thread", p.nt, p.dynRows)
	}
}

// TestGemmConcurrent runs independent Gemm calls from several goroutines
// at once (shared buffer pools) and compares with serial results.
func TestGemmConcurrent(t *testing.T) {
	const calls = 6
	rng := gemmTestRNG(300)
	a, b := NewMatrix[float64](130, 110), NewMatrix[float64](110, 120)
	fillUniform(rng, a)
	fillUniform(rng, b)
	want := NewMatrix[float64](130, 120)
	Gemm(NoTrans, NoTrans, 1, a, b, 0, want)
	outs := make([]Matrix[float64], calls)
	var wg sync.WaitGroup
	for i := range outs {
		outs[i] = NewMatrix[float64](130, 120)
		wg.Go(func() { Gemm(NoTrans, NoTrans, 1, a, b, 0, outs[i]) })
	}
	wg.Wait()
	for i, o := range outs {
		if !sameBits(o.Data, want.Data) {
			t.Errorf("concurrent call %d differs from the serial result", i)
		}
	}
}

// TestGemmPanics checks the programmer-error panics and their messages.
func TestGemmPanics(t *testing.T) {
	m := func(r, c int) Matrix[float64] { return NewMatrix[float64](r, c) }
	for _, tc := range []struct {
		name    string
		f       func()
		message string
	}{
		{"inner", func() { Gemm(NoTrans, NoTrans, 1, m(2, 3), m(4, 5), 0, m(2, 5)) }, errGemmInner},
		{"inner-trans", func() { Gemm(Trans, Trans, 1, m(3, 2), m(5, 4), 0, m(2, 5)) }, errGemmInner},
		{"outer-rows", func() { Gemm(NoTrans, NoTrans, 1, m(2, 3), m(3, 5), 0, m(3, 5)) }, errGemmOuter},
		{"outer-cols", func() { Gemm(NoTrans, Trans, 1, m(2, 3), m(5, 3), 0, m(2, 3)) }, errGemmOuter},
		{"negative", func() {
			Gemm(NoTrans, NoTrans, 1, Matrix[float64]{Rows: -1, Cols: 2, Stride: 2}, m(2, 2), 0, m(1, 2))
		}, errNegDim},
		{"short", func() {
			Gemm(NoTrans, NoTrans, 1, Matrix[float64]{Rows: 2, Cols: 2, Stride: 2, Data: make([]float64, 3)}, m(2, 2), 0, m(2, 2))
		}, errShortData},
		{"stride", func() {
			Gemm(NoTrans, NoTrans, 1, m(2, 2), Matrix[float64]{Rows: 2, Cols: 2, Stride: 1, Data: make([]float64, 4)}, 0, m(2, 2))
		}, errStride},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if msg != tc.message || !strings.HasPrefix(msg, "linalg: ") {
					t.Fatalf("panic %v, want %q", r, tc.message)
				}
			}()
			tc.f()
		})
	}
}

// TestGemmEmpty checks that empty products only scale C (k = 0) or do
// nothing (m = 0 or n = 0).
func TestGemmEmpty(t *testing.T) {
	c := NewMatrix[float32](2, 3)
	for i := range c.Data {
		c.Data[i] = float32(math.NaN())
	}
	Gemm(NoTrans, NoTrans, 1, NewMatrix[float32](2, 0), NewMatrix[float32](0, 3), 0, c)
	for i, v := range c.Data {
		if v != 0 {
			t.Fatalf("k=0 beta=0: C[%d] = %g, want 0", i, v)
		}
	}
	Gemm(NoTrans, NoTrans, 1, NewMatrix[float32](0, 4), NewMatrix[float32](4, 3), 0, NewMatrix[float32](0, 3))
}

// TestThreads checks SetThreads's return value and the default.
func TestThreads(t *testing.T) {
	prev := SetThreads(3)
	defer SetThreads(prev)
	if got := Threads(); got != 3 {
		t.Fatalf("Threads() = %d after SetThreads(3)", got)
	}
	if p := SetThreads(-5); p != 3 {
		t.Fatalf("SetThreads returned %d, want the previous setting 3", p)
	}
	if got := Threads(); got != runtime.GOMAXPROCS(0) {
		t.Fatalf("default Threads() = %d, want GOMAXPROCS %d", got, runtime.GOMAXPROCS(0))
	}
}

// TestParallelPool runs overlapping parallel calls (more tasks than
// GOMAXPROCS, so spinning and parking both happen) whose tasks meet at a
// barrier several times: every task must run exactly once per call and no
// task may pass a barrier round before all have reached it.
func TestParallelPool(t *testing.T) {
	const calls, rounds = 4, 50
	nt := runtime.GOMAXPROCS(0) + 2
	var wg sync.WaitGroup
	for c := range calls {
		wg.Go(func() {
			ran := make([]int, nt)
			arrived := make([]int64, rounds)
			var mu sync.Mutex
			bar := newBarrier(nt)
			parallel(nt, func(task int) {
				ran[task]++
				for r := range rounds {
					mu.Lock()
					arrived[r]++
					mu.Unlock()
					bar.wait()
					mu.Lock()
					got := arrived[r]
					mu.Unlock()
					if got != int64(nt) {
						t.Errorf("call %d task %d passed barrier round %d with %d of %d arrived", c, task, r, got, nt)
					}
				}
			})
			for task, n := range ran {
				if n != 1 {
					t.Errorf("call %d: task %d ran %d times, want 1", c, task, n)
				}
			}
		})
	}
	wg.Wait()
}

// TestBlockSizes checks the invariants of the derived blocking on every
// kernel: MC a multiple of MR, NC of NR, bounds respected, and the
// kernel's rule: KC no deeper than the rule allows unless KC hit its lower
// bound (for a rule counting both micro-panels at one L1D: they fit in
// L1D), and the packed A block within the rule's share of the L2 unless MC
// is one tile.
func TestBlockSizes(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		for _, bl := range []Blocking{GemmBlocking[float64](), GemmBlocking[float32]()} {
			if bl.MC%bl.MR != 0 || bl.NC%bl.NR != 0 || bl.MC < bl.MR || bl.NC < bl.NR {
				t.Errorf("%+v: MC must be a positive multiple of MR and NC of NR", bl)
			}
			if bl.KC < minKC || bl.KC > maxKC {
				t.Errorf("%+v: KC outside [%d, %d]", bl, minKC, maxKC)
			}
			rule := bl.Rule
			if rule.KCBoth && rule.KCL1 == 1 && bl.KC > minKC && (bl.MR+bl.NR)*bl.KC*bl.ElemSize > bl.Caches.L1D {
				t.Errorf("%+v: micro-panels of depth KC overflow L1D", bl)
			}
			if bl.KC > minKC && bl.KC > ruleKC(rule, bl.Caches, bl.MR, bl.NR, bl.ElemSize) {
				t.Errorf("%+v: KC deeper than the rule of %s allows", bl, bl.ISA)
			}
			if bl.MC > bl.MR && float64(bl.MC*bl.KC*bl.ElemSize) > rule.AL2*float64(bl.Caches.L2) {
				t.Errorf("%+v: packed A block over %.2f of the L2", bl, rule.AL2)
			}
		}
	})
	restore := setBlockSizes(3, 5, 7)
	k := newKernel[float64]()
	b := blockSizes(k.isa, k.rule, 4, 6, 8)
	restore()
	if b != (blocking{kc: 3, mc: 8, nc: 12}) {
		t.Errorf("override (3, 5, 7) on a 4x6 tile gave %+v, want kc=3 mc=8 nc=12", b)
	}
}
