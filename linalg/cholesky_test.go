package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// cholResidualMax bounds ||A - L*L^T||_F / (n * ||A||_F * u). The backward
// error of Cholesky is |A - L L^T| <= gamma(n+1) |L| |L^T| componentwise,
// which gives about n*u*||A|| normwise; LAPACK's tests accept 30 for the
// same ratio.
const cholResidualMax = 30

// cholResidual returns ||A + shift*I - L*L^T||_F / (n * ||A + shift*I||_F *
// u) computed in float64 from the lower triangles of a (original) and l.
func cholResidual[T Float](a, l Matrix[T], shift float64) float64 {
	n := a.Rows
	var r, na float64
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			var s float64
			for k := 0; k <= j; k++ {
				s += float64(l.At(i, k)) * float64(l.At(j, k))
			}
			aij := float64(a.At(i, j))
			if i == j {
				aij += shift
			}
			w := 1.0
			if i != j {
				w = 2
			}
			r += w * (aij - s) * (aij - s)
			na += w * aij * aij
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(r) / (float64(n) * math.Sqrt(na) * fpbound.Of[T]().U)
}

// cholResidualProbe is the O(n^2) randomized version of cholResidual for
// large n: ||(A + shift*I)x - L(L^T x)|| / (n * ||A||_F * ||x|| * u) with a
// Gaussian x, using the lower triangle of a.
func cholResidualProbe[T Float](rng *rand.Rand, a, l Matrix[T], shift float64) float64 {
	n := a.Rows
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	ltx := make([]float64, n)
	for k := 0; k < n; k++ {
		for i := k; i < n; i++ {
			ltx[k] += float64(l.At(i, k)) * x[i]
		}
	}
	var r, nx, na float64
	for i := 0; i < n; i++ {
		var s, ax float64
		for k := 0; k <= i; k++ {
			s += float64(l.At(i, k)) * ltx[k]
		}
		for j := 0; j < n; j++ {
			aij := float64(a.At(max(i, j), min(i, j)))
			ax += aij * x[j]
			na += aij * aij
		}
		ax += shift * x[i]
		r += (ax - s) * (ax - s)
		nx += x[i] * x[i]
	}
	return math.Sqrt(r) / (float64(n) * math.Sqrt(na) * math.Sqrt(nx) * fpbound.Of[T]().U)
}

func TestCholesky(t *testing.T) {
	facTypes(t, testCholesky[float64], testCholesky[float32])
}

func testCholesky[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	nb := triLeaf
	sizes := []int{0, 1, 2, 3, 10, nb - 1, nb, nb + 1, 2*nb - 1, 2*nb + 1, 5*nb + 3}
	for _, n := range sizes {
		for _, pad := range []int{0, 3} {
			a := facSPD[T](rng, n, pad, 1e3)
			// Mark the strict upper triangle: it must be neither read nor
			// written.
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					a.Set(i, j, T(math.NaN()))
				}
			}
			l := Matrix[T]{Rows: n, Cols: n, Stride: a.Stride, Data: append([]T(nil), a.Data...)}
			if err := Cholesky(l); err != nil {
				t.Fatalf("n=%d pad=%d: %v", n, pad, err)
			}
			if res := cholResidual(a, l, 0); !(res <= cholResidualMax) {
				t.Errorf("n=%d pad=%d: residual %.3g > %d", n, pad, res, cholResidualMax)
			}
			for i := 0; i < n; i++ {
				for j := i + 1; j < l.Stride; j++ {
					if !math.IsNaN(float64(l.Data[i*l.Stride+j])) {
						t.Fatalf("n=%d pad=%d: element (%d, %d) above the diagonal or in the padding was written", n, pad, i, j)
					}
				}
			}
		}
	}
}

// TestCholeskyLarge checks the residual at n = 1000 (n = 400 with -short)
// with the randomized probe.
func TestCholeskyLarge(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 400
	}
	facTypes(t, func(t *testing.T) { testCholeskyLarge[float64](t, n) }, func(t *testing.T) { testCholeskyLarge[float32](t, n) })
}

func testCholeskyLarge[T Float](t *testing.T, n int) {
	rng := rand.New(rand.NewPCG(7, 8))
	// A = G*G^T/k + I: well conditioned, cheap to build with Syrk's own
	// reference-free path avoided (plain loops in float64).
	k := n / 2
	g := make([]float64, n*k)
	for i := range g {
		g[i] = rng.NormFloat64()
	}
	a := NewMatrix[T](n, n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			var s float64
			gi, gj := g[i*k:i*k+k], g[j*k:j*k+k]
			for p := range gi {
				s += gi[p] * gj[p]
			}
			v := T(s / float64(k))
			a.Set(i, j, v)
			a.Set(j, i, v)
		}
	}
	shift := T(0.5)
	l := a.Clone()
	if err := CholeskyShift(l, shift); err != nil {
		t.Fatal(err)
	}
	if res := cholResidualProbe(rng, a, l, float64(shift)); !(res <= cholResidualMax) {
		t.Errorf("n=%d: residual %.3g > %d", n, res, cholResidualMax)
	}
}

func TestCholeskyShift(t *testing.T) {
	facTypes(t, testCholeskyShift[float64], testCholeskyShift[float32])
}

// testCholeskyShift factors A + s*I for a singular PSD A (rank n/2), which
// fails without the shift.
func testCholeskyShift[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{4, triLeaf + 7, 3*triLeaf + 1} {
		g := facRand[T](rng, n, n/2, 0)
		a := NewMatrix[T](n, n)
		Syrk(Lower, NoTrans, 1, g, 0, a)
		l := a.Clone()
		shift := T(0.1)
		if err := CholeskyShift(l, shift); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if res := cholResidual(a, l, float64(shift)); !(res <= cholResidualMax) {
			t.Errorf("n=%d: residual %.3g", n, res)
		}
		l = a.Clone()
		var e *NotPositiveDefiniteError
		if err := Cholesky(l); !errors.As(err, &e) {
			t.Errorf("n=%d: singular matrix factored without shift (err %v)", n, err)
		}
	}
}

// TestCholeskyNotPD checks the reported pivot on structured failures.
func TestCholeskyNotPD(t *testing.T) {
	facTypes(t, testCholeskyNotPD[float64], testCholeskyNotPD[float32])
}

func testCholeskyNotPD[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 2, 5, triLeaf, triLeaf + 1, 3*triLeaf + 5} {
		// A zero pivot at k = 0 and a negative one at k = n-1 in a
		// diagonally dominant matrix whose other pivots are about 1.
		base := NewMatrix[T](n, n)
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				base.Set(i, j, T((2*rng.Float64()-1)/float64(4*n)))
			}
			base.Set(i, i, 1)
		}
		a := base.Clone()
		a.Set(0, 0, 0)
		checkNotPD(t, fmt.Sprintf("n=%d zero pivot 0", n), a, 0, 0)
		if n > 1 {
			// Row n-1 starts with -1 and ends with 0.5: its pivot is
			// 0.5 - 1 - (small squares), about -0.5.
			a = base.Clone()
			a.Set(n-1, 0, -1)
			a.Set(n-1, n-1, 0.5)
			p, v := refFirstBadPivot(a)
			if p != n-1 {
				t.Fatalf("n=%d: reference fails at pivot %d, not n-1", n, p)
			}
			checkNotPD(t, fmt.Sprintf("n=%d negative last pivot", n), a, p, v)
		}
		// One negative eigenvalue: Q*diag(-1, 1, ..., 1)*Q^T. Some pivot
		// fails; the reported one must be where the leading minors change
		// sign, checked against an unblocked float64 factorization.
		if n >= 2 {
			q := facOrthogonal(rng, n)
			a = NewMatrix[T](n, n)
			for i := 0; i < n; i++ {
				for j := 0; j <= i; j++ {
					var s float64
					for k := 0; k < n; k++ {
						d := 1.0 + float64(k)/float64(n)
						if k == n/2 {
							d = -1
						}
						s += q[i*n+k] * d * q[j*n+k]
					}
					a.Set(i, j, T(s))
				}
			}
			// The failing pivot follows a nearly singular leading minor,
			// so its value carries that minor's condition number: check
			// its index and sign only.
			p, _ := refFirstBadPivot(a)
			checkNotPD(t, fmt.Sprintf("n=%d one negative eigenvalue", n), a, p, math.NaN())
		}
	}
	// NaN and Inf anywhere in the lower triangle are reported.
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, pos := range [][2]int{{0, 0}, {5, 2}, {40, 40}, {40, 3}} {
			n := 50
			a := NewMatrix[T](n, n)
			for i := 0; i < n; i++ {
				a.Set(i, i, 1)
			}
			a.Set(pos[0], pos[1], T(bad))
			err := Cholesky(a)
			var e *NotPositiveDefiniteError
			if !errors.As(err, &e) || !errors.Is(err, ErrNotPositiveDefinite) {
				t.Fatalf("%v at %v: err = %v", bad, pos, err)
			}
			if e.Pivot != pos[0] {
				t.Errorf("%v at %v: pivot %d, want %d", bad, pos, e.Pivot, pos[0])
			}
		}
	}
}

// refFirstBadPivot factors the lower triangle of a in float64 without
// blocking and returns the first pivot that is not positive and its value.
func refFirstBadPivot[T Float](a Matrix[T]) (int, float64) {
	n := a.Rows
	l := make([]float64, n*n)
	for j := 0; j < n; j++ {
		d := float64(a.At(j, j))
		for p := 0; p < j; p++ {
			d -= l[j*n+p] * l[j*n+p]
		}
		if !(d > 0) {
			return j, d
		}
		l[j*n+j] = math.Sqrt(d)
		for i := j + 1; i < n; i++ {
			s := float64(a.At(i, j))
			for p := 0; p < j; p++ {
				s -= l[i*n+p] * l[j*n+p]
			}
			l[i*n+j] = s / l[j*n+j]
		}
	}
	return -1, 0
}

// checkNotPD factors a copy of a and checks the error's pivot and that its
// value is within a rounding-sized distance of want (only <= 0 if want is
// NaN).
func checkNotPD[T Float](t *testing.T, name string, a Matrix[T], pivot int, want float64) {
	t.Helper()
	l := a.Clone()
	err := Cholesky(l)
	var e *NotPositiveDefiniteError
	if !errors.As(err, &e) {
		t.Fatalf("%s: err = %v, want *NotPositiveDefiniteError", name, err)
	}
	if e.Pivot != pivot {
		t.Fatalf("%s: pivot %d (value %g), want %d (value %g)", name, e.Pivot, e.Value, pivot, want)
	}
	// The pivots here are sums of O(1) terms: the blocked and reference
	// values agree to a few n*u.
	if math.IsNaN(want) {
		if !(e.Value <= 0) {
			t.Errorf("%s: pivot value %g is not <= 0", name, e.Value)
		}
	} else if tol := 10 * float64(a.Rows) * fpbound.Of[T]().U; !(math.Abs(e.Value-want) <= tol) {
		t.Errorf("%s: pivot value %g, want %g within %.2g", name, e.Value, want, tol)
	}
	if e.Error() == "" {
		t.Errorf("%s: empty message", name)
	}
	// The leading block before the pivot holds a valid factor.
	if pivot > 0 {
		lead := a.View(0, 0, pivot, pivot)
		if res := cholResidual(lead, l.View(0, 0, pivot, pivot), 0); !(res <= cholResidualMax) {
			t.Errorf("%s: leading %d x %d factor residual %.3g", name, pivot, pivot, res)
		}
	}
}

// TestCholeskyHilbert checks that ill-conditioned SPD matrices are either
// factored with a small residual or reported as not positive definite,
// the same way with 1 and 2 goroutines.
func TestCholeskyHilbert(t *testing.T) {
	facTypes(t, testCholeskyHilbert[float64], testCholeskyHilbert[float32])
}

func testCholeskyHilbert[T Float](t *testing.T) {
	for _, n := range []int{4, 8, 12, 16, 40, 100} {
		a := NewMatrix[T](n, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				a.Set(i, j, T(1/float64(i+j+1)))
			}
		}
		var errs [2]error
		var ls [2]Matrix[T]
		for p := 1; p <= 2; p++ {
			ls[p-1] = a.Clone()
			facWithThreads(p, func() { errs[p-1] = Cholesky(ls[p-1]) })
		}
		if (errs[0] == nil) != (errs[1] == nil) {
			t.Fatalf("n=%d: outcome depends on goroutines: %v vs %v", n, errs[0], errs[1])
		}
		if errs[0] != nil {
			if !errors.Is(errs[0], ErrNotPositiveDefinite) {
				t.Fatalf("n=%d: %v", n, errs[0])
			}
			continue
		}
		if res := cholResidual(a, ls[0], 0); !(res <= cholResidualMax) {
			t.Errorf("n=%d: residual %.3g", n, res)
		}
	}
}

func TestCholeskyThreads(t *testing.T) {
	facTypes(t, testCholeskyThreads[float64], testCholeskyThreads[float32])
}

func testCholeskyThreads[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	n := 450
	a := facRand[T](rng, n, n, 2)
	b := NewMatrix[T](n, n)
	Syrk(Lower, NoTrans, 1/T(n), a, 0, b)
	for i := 0; i < n; i++ {
		b.Set(i, i, b.At(i, i)+1)
	}
	var ref, refInv Matrix[T]
	for _, p := range []int{1, 2, 3} {
		l := b.Clone()
		var err error
		facWithThreads(p, func() { err = Cholesky(l) })
		if err != nil {
			t.Fatal(err)
		}
		// The inverse too: at n = 450 its diagonal blocks are inverted
		// side by side when there are two goroutines or more.
		inv := l.Clone()
		facWithThreads(p, func() { CholeskyInverse(inv) })
		if p == 1 {
			ref, refInv = l, inv
			continue
		}
		facSameBits(t, fmt.Sprintf("threads=%d vs 1", p), l, ref)
		facSameBits(t, fmt.Sprintf("inverse, threads=%d vs 1", p), inv, refInv)
	}
}

// TestCholeskyNotPDThreads puts the failing pivot in a later column
// block, which the blocked factorization reaches through the look-ahead
// step of a threaded update: the error (pivot and value) must be the
// same for any number of goroutines.
func TestCholeskyNotPDThreads(t *testing.T) {
	facTypes(t, testCholeskyNotPDThreads[float64], testCholeskyNotPDThreads[float32])
}

func testCholeskyNotPDThreads[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	n := 3*potrfBlock + 40
	for _, bad := range []int{potrfBlock, potrfBlock + 37, 2*potrfBlock + 100, n - 1} {
		// SPD G*G^T/n + I with pivot bad made negative: row bad starts with
		// -2 and its diagonal is lowered by 4, so its pivot is about -3.
		g := facRand[T](rng, n, n, 2)
		a := NewMatrix[T](n, n)
		Syrk(Lower, NoTrans, 1/T(n), g, 0, a)
		for i := 0; i < n; i++ {
			a.Set(i, i, a.At(i, i)+1)
		}
		a.Set(bad, 0, -2)
		a.Set(bad, bad, a.At(bad, bad)-4)
		var ref *NotPositiveDefiniteError
		for _, p := range []int{1, 2, 3} {
			l := a.Clone()
			var err error
			facWithThreads(p, func() { err = Cholesky(l) })
			var e *NotPositiveDefiniteError
			if !errors.As(err, &e) {
				t.Fatalf("bad=%d threads=%d: err = %v, want *NotPositiveDefiniteError", bad, p, err)
			}
			if p == 1 {
				if e.Pivot != bad || !(e.Value < 0) {
					t.Fatalf("bad=%d: pivot %d value %g, want pivot %d with a negative value", bad, e.Pivot, e.Value, bad)
				}
				ref = e
				continue
			}
			if *e != *ref {
				t.Errorf("bad=%d threads=%d: %+v, with one thread %+v", bad, p, *e, *ref)
			}
		}
	}
}

func TestCholeskySolveInverse(t *testing.T) {
	facTypes(t, testCholeskySolveInverse[float64], testCholeskySolveInverse[float32])
}

// testCholeskySolveInverse checks CholeskySolve by its backward error, and
// CholeskyInverse and CholeskyInverseDiag against A*X = I solved in float64
// by the reference factorization, within a bound proportional to
// cond(A)*n*u.
func testCholeskySolveInverse[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	u := fpbound.Of[T]().U
	const cond = 100
	for _, n := range []int{1, 2, 7, triLeaf + 1, 3*triLeaf - 1, 150} {
		a := facSPD[T](rng, n, 1, cond)
		l := a.Clone()
		if err := Cholesky(l); err != nil {
			t.Fatal(err)
		}
		for _, nrhs := range []int{1, 2, 3, 17} {
			b := facRand[T](rng, n, nrhs, 2)
			x := b.Clone()
			CholeskySolve(l, x)
			// ||A x - b|| <= c * n * u * ||A|| ||x|| per column.
			for j := 0; j < nrhs; j++ {
				var r2, x2, a2 float64
				for i := 0; i < n; i++ {
					s := -float64(b.At(i, j))
					for k := 0; k < n; k++ {
						aik := float64(a.At(i, k))
						s += aik * float64(x.At(k, j))
						a2 += aik * aik
					}
					r2 += s * s
					x2 += float64(x.At(i, j)) * float64(x.At(i, j))
				}
				if eta := math.Sqrt(r2) / (math.Sqrt(a2) * math.Sqrt(x2) * float64(n) * u); !(eta <= cholResidualMax) {
					t.Errorf("n=%d nrhs=%d column %d: backward error %.3g n u", n, nrhs, j, eta)
				}
			}
		}
		ref := refInverse(a)
		var refMax float64
		for _, v := range ref {
			refMax = max(refMax, math.Abs(v))
		}
		tol := 20 * cond * float64(n) * u * refMax
		diag := make([]T, n)
		CholeskyInverseDiag(l, diag)
		for i := 0; i < n; i++ {
			if d := math.Abs(float64(diag[i]) - ref[i*n+i]); !(d <= tol) {
				t.Errorf("n=%d: InverseDiag[%d] = %v, want %v", n, i, diag[i], ref[i*n+i])
			}
		}
		inv := l.Clone()
		CholeskyInverse(inv)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if d := math.Abs(float64(inv.At(i, j)) - ref[i*n+j]); !(d <= tol) {
					t.Fatalf("n=%d: inverse(%d, %d) = %v, want %v", n, i, j, inv.At(i, j), ref[i*n+j])
				}
			}
		}
	}
}

// refInverse returns A^{-1} (row-major, float64) for the SPD matrix a
// (lower triangle read) by an unblocked float64 Cholesky factorization and
// forward and backward substitution on the identity.
func refInverse[T Float](a Matrix[T]) []float64 {
	n := a.Rows
	l := make([]float64, n*n)
	for j := 0; j < n; j++ {
		d := float64(a.At(j, j))
		for p := 0; p < j; p++ {
			d -= l[j*n+p] * l[j*n+p]
		}
		l[j*n+j] = math.Sqrt(d)
		for i := j + 1; i < n; i++ {
			s := float64(a.At(i, j))
			for p := 0; p < j; p++ {
				s -= l[i*n+p] * l[j*n+p]
			}
			l[i*n+j] = s / l[j*n+j]
		}
	}
	x := make([]float64, n*n)
	for c := 0; c < n; c++ {
		y := make([]float64, n)
		for i := 0; i < n; i++ {
			s := 0.0
			if i == c {
				s = 1
			}
			for k := 0; k < i; k++ {
				s -= l[i*n+k] * y[k]
			}
			y[i] = s / l[i*n+i]
		}
		for i := n - 1; i >= 0; i-- {
			s := y[i]
			for k := i + 1; k < n; k++ {
				s -= l[k*n+i] * x[k*n+c]
			}
			x[i*n+c] = s / l[i*n+i]
		}
	}
	return x
}

func TestCholeskyBlock(t *testing.T) {
	for _, c := range []struct{ n, widest, kc, want int }{
		{4000, 0, 512, potrfBlock},   // rule without CholeskyMax
		{4000, 384, 192, potrfBlock}, // panel must fit KC
		{4000, 384, 512, 384},
		{3000, 384, 512, 288},
		{2000, 384, 512, potrfBlock},
		{1000, 384, 512, potrfBlock},
		{100, 384, 512, potrfBlock},
		{4000, 384, 300, 288},
	} {
		if got := choleskyBlock(c.n, c.widest, c.kc); got != c.want {
			t.Errorf("choleskyBlock(%d, %d, %d) = %d, want %d", c.n, c.widest, c.kc, got, c.want)
		}
	}
}

// TestCholeskyWideBlock factors with a column block wider than potrfBlock
// (as the AVX-512 rule chooses for n >= 2240) on every path: the residual is
// small and the factor the same bits for 1 and 2 goroutines.
func TestCholeskyWideBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("n = 2300")
	}
	facTypes(t, testCholeskyWideBlock[float64], testCholeskyWideBlock[float32])
}

func testCholeskyWideBlock[T Float](t *testing.T) {
	defer setBlockSizes(384, 0, 0)()
	rng := rand.New(rand.NewPCG(21, 22))
	n := 2300
	g := facRand[T](rng, n, n/2, 0)
	a := NewMatrix[T](n, n)
	Syrk(Lower, NoTrans, 2/T(n), g, 0, a)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a.Set(i, j, a.At(j, i))
		}
	}
	var ref Matrix[T]
	for _, p := range []int{1, 2} {
		e := engineOf(newKernel[T](), p)
		e.rule.CholeskyMax = 384
		if nb := choleskyBlock(n, e.rule.CholeskyMax, e.kc); nb != 224 {
			t.Fatalf("block %d, want 224", nb)
		}
		l := a.Clone()
		if err := choleskyShift(e, l, 0.5); err != nil {
			t.Fatal(err)
		}
		if p == 1 {
			if res := cholResidualProbe(rng, a, l, 0.5); !(res <= cholResidualMax) {
				t.Errorf("residual %.3g > %d", res, cholResidualMax)
			}
			ref = l
			continue
		}
		facSameBits(t, fmt.Sprintf("threads=%d vs 1", p), l, ref)
	}
}
