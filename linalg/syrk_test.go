package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/internal/impl"
)

// Helpers shared by the Syrk, Trsm and Cholesky tests (prefixed fac to keep
// clear of the GEMM tests' names).

// facRand returns an r x c matrix with entries uniform in [-1, 1) whose
// rows are padded by pad elements holding NaN, so that a routine reading
// or writing outside the view is caught.
func facRand[T Float](rng *rand.Rand, r, c, pad int) Matrix[T] {
	stride := max(c+pad, 1)
	m := Matrix[T]{Rows: r, Cols: c, Stride: stride, Data: make([]T, r*stride)}
	for i := range m.Data {
		if i%stride < c {
			m.Data[i] = T(2*rng.Float64() - 1)
		} else {
			m.Data[i] = T(math.NaN())
		}
	}
	return m
}

// facSPD returns a symmetric positive definite n x n matrix (both
// triangles, padded rows) with eigenvalues log-spaced in [1, cond] and a
// random orthogonal eigenbasis, built as Q*D*Q^T in float64.
func facSPD[T Float](rng *rand.Rand, n, pad int, cond float64) Matrix[T] {
	q := facOrthogonal(rng, n)
	a := facRand[T](rng, n, n, pad)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			var s float64
			for k := 0; k < n; k++ {
				d := 1.0
				if n > 1 {
					d = math.Pow(cond, float64(k)/float64(n-1))
				}
				s += q[i*n+k] * d * q[j*n+k]
			}
			a.Set(i, j, T(s))
			a.Set(j, i, T(s))
		}
	}
	return a
}

// facOrthogonal returns a random n x n orthogonal matrix (row-major), by
// modified Gram-Schmidt on Gaussian rows, twice for accuracy.
func facOrthogonal(rng *rand.Rand, n int) []float64 {
	q := make([]float64, n*n)
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < n; i++ {
			ri := q[i*n : i*n+n]
			for k := 0; k < i; k++ {
				rk := q[k*n : k*n+n]
				var d float64
				for j := range ri {
					d += ri[j] * rk[j]
				}
				for j := range ri {
					ri[j] -= d * rk[j]
				}
			}
			var nrm float64
			for _, v := range ri {
				nrm += v * v
			}
			nrm = math.Sqrt(nrm)
			for j := range ri {
				ri[j] /= nrm
			}
		}
	}
	return q
}

// facSameBits fails unless a and b hold the same bits in every element of
// their views.
func facSameBits[T Float](t *testing.T, what string, a, b Matrix[T]) {
	t.Helper()
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			x, y := float64(a.At(i, j)), float64(b.At(i, j))
			if math.Float64bits(x) != math.Float64bits(y) && !(math.IsNaN(x) && math.IsNaN(y)) {
				t.Fatalf("%s: element (%d, %d) differs: %v vs %v", what, i, j, x, y)
			}
		}
	}
}

// facWithThreads runs f with SetThreads(p).
func facWithThreads(p int, f func()) {
	defer SetThreads(SetThreads(p))
	f()
}

// facTypes runs f once for float64 and once for float32 under every
// instruction-set path.
func facTypes(t *testing.T, f64 func(t *testing.T), f32 func(t *testing.T)) {
	impl.ForEach(t, func(t *testing.T) {
		t.Run("T=f64", f64)
		t.Run("T=f32", f32)
	})
}

func TestSyrk(t *testing.T) {
	facTypes(t, testSyrk[float64], testSyrk[float32])
}

func testSyrk[T Float](t *testing.T) {
	kern := newEngine[T]()
	rng := rand.New(rand.NewPCG(1, 2))
	u := fpbound.Of[T]().U
	mr, nr := kern.mr, kern.nr
	ns := []int{0, 1, 2, mr - 1, mr + 1, nr + 1, 2*max(mr, nr) + 3, kern.mc + 5}
	ks := []int{0, 1, 3, kern.kc + 1}
	type ab struct{ alpha, beta T }
	scalars := []ab{{1, 0}, {-1, 1}, {0.5, 2}, {0, 0.5}, {1, 1}}
	for _, n := range ns {
		for _, k := range ks {
			for _, uplo := range []Uplo{Lower, Upper} {
				for _, tr := range []Transpose{NoTrans, Trans} {
					for si, sc := range scalars {
						if n > 2*max(mr, nr)+3 && si > 1 {
							continue // the large size only with two scalar pairs
						}
						name := fmt.Sprintf("n=%d/k=%d/uplo=%d/trans=%v/alpha=%v/beta=%v", n, k, uplo, tr, sc.alpha, sc.beta)
						var a Matrix[T]
						if tr == NoTrans {
							a = facRand[T](rng, n, k, 3)
						} else {
							a = facRand[T](rng, k, n, 3)
						}
						c := facRand[T](rng, n, n, 2)
						if sc.beta == 0 { // beta = 0 must not read C
							for i := 0; i < n; i++ {
								for j := 0; j < n; j++ {
									c.Set(i, j, T(math.NaN()))
								}
							}
						}
						c0 := c.Clone()
						Syrk(uplo, tr, sc.alpha, a, sc.beta, c)
						checkSyrk(t, name, uplo, tr, sc.alpha, a, sc.beta, c0, c, u)
					}
				}
			}
		}
	}
}

// checkSyrk compares c with alpha*op(A)*op(A)^T + beta*c0 on the uplo
// triangle, element by element within |alpha|*gamma(k)*sum_l |a_il a_jl| +
// |beta*c0_ij|*u (plus the rounding of the final sum), and checks that the
// other triangle kept its bits.
func checkSyrk[T Float](t *testing.T, name string, uplo Uplo, tr Transpose, alpha T, a Matrix[T], beta T, c0, c Matrix[T], u float64) {
	t.Helper()
	op := opMat[T]{a, bool(tr)}
	n, k := op.rows(), op.cols()
	gamma := float64(k+2) * u / (1 - float64(k+2)*u)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			inTri := (uplo == Lower && j <= i) || (uplo == Upper && j >= i)
			got := float64(c.At(i, j))
			if !inTri {
				if math.Float64bits(got) != math.Float64bits(float64(c0.At(i, j))) {
					t.Fatalf("%s: element (%d, %d) outside the triangle changed", name, i, j)
				}
				continue
			}
			var s, abs float64
			for l := 0; l < k; l++ {
				p := float64(op.at(i, l)) * float64(op.at(j, l))
				s += p
				abs += math.Abs(p)
			}
			want := float64(alpha) * s
			bound := math.Abs(float64(alpha))*gamma*abs + 2*u*math.Abs(want)
			if beta != 0 {
				bc := float64(beta) * float64(c0.At(i, j))
				want += bc
				bound += 2 * u * math.Abs(bc)
			}
			if !(math.Abs(got-want) <= bound) {
				t.Fatalf("%s: C(%d, %d) = %v, want %v (bound %.3g)", name, i, j, got, want, bound)
			}
		}
	}
}

// TestSyrkThreads checks that the number of goroutines does not change a
// single bit of the result.
func TestSyrkThreads(t *testing.T) {
	facTypes(t, testSyrkThreads[float64], testSyrkThreads[float32])
}

func testSyrkThreads[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, k := 203, 301 // n*n*k = 12e6 flops: 3 goroutines
	for _, uplo := range []Uplo{Lower, Upper} {
		for _, tr := range []Transpose{NoTrans, Trans} {
			a := facRand[T](rng, n, k, 1)
			if tr == Trans {
				a = facRand[T](rng, k, n, 1)
			}
			c := facRand[T](rng, n, n, 1)
			var ref Matrix[T]
			for _, p := range []int{1, 2, 3} {
				got := c.Clone()
				facWithThreads(p, func() { Syrk(uplo, tr, -0.75, a, 1.5, got) })
				if p == 1 {
					ref = got
					continue
				}
				facSameBits(t, fmt.Sprintf("uplo=%d trans=%v threads=%d vs 1", uplo, tr, p), got, ref)
			}
		}
	}
}

func TestSyrkPanics(t *testing.T) {
	a := NewMatrix[float64](3, 4)
	for name, f := range map[string]func(){
		"uplo":  func() { Syrk(Uplo(7), NoTrans, 1, a, 0, NewMatrix[float64](3, 3)) },
		"shape": func() { Syrk(Lower, NoTrans, 1, a, 0, NewMatrix[float64](4, 4)) },
		"trans": func() { Syrk(Lower, Trans, 1, a, 0, NewMatrix[float64](3, 3)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestSyrkSmallBlocks runs Syrk with block sizes overridden far below the
// matrix order, so that C spans several NC panels and MC blocks: row blocks
// inside the current B panel take their A block from the packed panel,
// the others pack it from A. Each result is checked against the reference
// and for independence of the number of threads.
func TestSyrkSmallBlocks(t *testing.T) {
	restore := setBlockSizes(16, 12, 16)
	defer restore()
	facTypes(t, testSyrkSmallBlocks[float64], testSyrkSmallBlocks[float32])
}

func testSyrkSmallBlocks[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	u := fpbound.Of[T]().U
	n, k := 61, 600 // n(n+1)k = 2.2e6 flops: more than one thread
	for _, uplo := range []Uplo{Lower, Upper} {
		for _, tr := range []Transpose{NoTrans, Trans} {
			a := facRand[T](rng, n, k, 1)
			if tr == Trans {
				a = facRand[T](rng, k, n, 1)
			}
			c := facRand[T](rng, n, n, 1)
			var ref Matrix[T]
			for _, p := range []int{1, 2, 3} {
				got := c.Clone()
				facWithThreads(p, func() { Syrk(uplo, tr, 0.5, a, -1, got) })
				if p == 1 {
					checkSyrk(t, fmt.Sprintf("uplo=%d trans=%v", uplo, tr), uplo, tr, 0.5, a, -1, c, got, u)
					ref = got
					continue
				}
				facSameBits(t, fmt.Sprintf("uplo=%d trans=%v threads=%d vs 1", uplo, tr, p), got, ref)
			}
		}
	}
}
