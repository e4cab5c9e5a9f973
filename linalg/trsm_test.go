package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// trsmBackwardMax bounds the normwise backward error of Trsm,
// ||op(A)*X - alpha*B||_F / (m * u * (|| |op(A)| |X| ||_F + ||alpha*B||_F))
// for the left side (and the transposed form for the right side). A
// substitution solve satisfies it with a constant below 1; the packed
// solve applies explicit inverses of MR x MR diagonal blocks, which adds a
// factor of about the condition number of those blocks (a few units for
// the well-conditioned triangles used here).
const trsmBackwardMax = 10

// trsmTriangle returns an n x n matrix whose uplo triangle is a
// well-conditioned triangular matrix (diagonal in [1, 2] with random sign,
// off-diagonal uniform in [-1, 1)/sqrt(n)) and whose other strict triangle
// and padding hold NaN, so reading them is caught. With unit, the stored
// diagonal is NaN too.
func trsmTriangle[T Float](rng *rand.Rand, n int, uplo Uplo, unit bool) Matrix[T] {
	a := facRand[T](rng, n, n, 2)
	s := 1 / math.Sqrt(float64(max(n, 1)))
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			switch {
			case i == j && unit:
				a.Set(i, j, T(math.NaN()))
			case i == j:
				d := 1 + rng.Float64()
				if rng.IntN(2) == 0 {
					d = -d
				}
				a.Set(i, j, T(d))
			case (uplo == Lower) == (j < i):
				a.Set(i, j, T((2*rng.Float64()-1)*s))
			default:
				a.Set(i, j, T(math.NaN()))
			}
		}
	}
	return a
}

// triAt returns element (i, j) of the triangular op(A) that Trsm sees.
func triAt[T Float](a Matrix[T], uplo Uplo, tA Transpose, diag Diag, i, j int) float64 {
	if tA {
		i, j = j, i
	}
	switch {
	case i == j && diag == Unit:
		return 1
	case (uplo == Lower && j > i) || (uplo == Upper && j < i):
		return 0
	}
	return float64(a.At(i, j))
}

func TestTrsm(t *testing.T) {
	facTypes(t, testTrsm[float64], testTrsm[float32])
}

func testTrsm[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	e := newEngine[T]()
	ms := []int{0, 1, 2, 7, triLeaf - 1, triLeaf, triLeaf + 1, 3*triLeaf + 5}
	rs := []int{0, 1, 2, 3, e.nr + 1, 2*e.nr + 5}
	for _, side := range []Side{Left, Right} {
		for _, uplo := range []Uplo{Lower, Upper} {
			for _, tA := range []Transpose{NoTrans, Trans} {
				for _, diag := range []Diag{NonUnit, Unit} {
					for _, m := range ms {
						for _, r := range rs {
							for _, alpha := range []T{1, -0.5, 0} {
								if alpha != 1 && (m > triLeaf+1 || r > e.nr+1) {
									continue
								}
								name := fmt.Sprintf("side=%d/uplo=%d/trans=%v/diag=%d/m=%d/nrhs=%d/alpha=%v", side, uplo, tA, diag, m, r, alpha)
								a := trsmTriangle[T](rng, m, uplo, diag == Unit)
								var b Matrix[T]
								if side == Left {
									b = facRand[T](rng, m, r, 3)
								} else {
									b = facRand[T](rng, r, m, 3)
								}
								b0 := b.Clone()
								Trsm(side, uplo, tA, diag, alpha, a, b)
								checkTrsm(t, name, side, uplo, tA, diag, alpha, a, b0, b)
							}
						}
					}
				}
			}
		}
	}
}

// checkTrsm checks the backward error of the solution x of
// op(A) x = alpha b0 (left) or x op(A) = alpha b0 (right), in float64, and
// that the padding of x is untouched.
func checkTrsm[T Float](t *testing.T, name string, side Side, uplo Uplo, tA Transpose, diag Diag, alpha T, a, b0, x Matrix[T]) {
	t.Helper()
	u := fpbound.Of[T]().U
	m := a.Rows
	var r2, den1, den2 float64
	for i := 0; i < x.Rows; i++ {
		for j := 0; j < x.Cols; j++ {
			var s, abs float64
			if side == Left {
				for k := 0; k < m; k++ {
					p := triAt(a, uplo, tA, diag, i, k) * float64(x.At(k, j))
					s += p
					abs += math.Abs(p)
				}
			} else {
				for k := 0; k < m; k++ {
					p := float64(x.At(i, k)) * triAt(a, uplo, tA, diag, k, j)
					s += p
					abs += math.Abs(p)
				}
			}
			ab := float64(alpha) * float64(b0.At(i, j))
			r2 += (s - ab) * (s - ab)
			den1 += abs * abs
			den2 += ab * ab
		}
		for j := x.Cols; j < x.Stride && i*x.Stride+j < len(x.Data); j++ {
			if !math.IsNaN(float64(x.Data[i*x.Stride+j])) {
				t.Fatalf("%s: padding of row %d written", name, i)
			}
		}
	}
	if r2 == 0 {
		return
	}
	eta := math.Sqrt(r2) / (float64(m) * u * (math.Sqrt(den1) + math.Sqrt(den2)))
	if !(eta <= trsmBackwardMax) {
		t.Errorf("%s: backward error %.3g m u > %d", name, eta, trsmBackwardMax)
	}
}

func TestTrsmThreads(t *testing.T) {
	facTypes(t, testTrsmThreads[float64], testTrsmThreads[float32])
}

func testTrsmThreads[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	m, r := 150, 700 // m*m*r = 16e6 flops: up to 4 goroutines
	for _, side := range []Side{Left, Right} {
		for _, uplo := range []Uplo{Lower, Upper} {
			for _, tA := range []Transpose{NoTrans, Trans} {
				a := trsmTriangle[T](rng, m, uplo, false)
				b := facRand[T](rng, m, r, 1)
				if side == Right {
					b = facRand[T](rng, r, m, 1)
				}
				var ref Matrix[T]
				for _, p := range []int{1, 2, 3} {
					x := b.Clone()
					facWithThreads(p, func() { Trsm(side, uplo, tA, NonUnit, 2, a, x) })
					if p == 1 {
						ref = x
						continue
					}
					facSameBits(t, fmt.Sprintf("side=%d uplo=%d trans=%v threads=%d vs 1", side, uplo, tA, p), x, ref)
				}
			}
		}
	}
}

func TestTrsmPanics(t *testing.T) {
	a, b := NewMatrix[float64](3, 3), NewMatrix[float64](3, 4)
	for name, f := range map[string]func(){
		"side":     func() { Trsm(Side(5), Lower, NoTrans, NonUnit, 1, a, b) },
		"uplo":     func() { Trsm(Left, Uplo(5), NoTrans, NonUnit, 1, a, b) },
		"diag":     func() { Trsm(Left, Lower, NoTrans, Diag(5), 1, a, b) },
		"square":   func() { Trsm(Left, Lower, NoTrans, NonUnit, 1, NewMatrix[float64](3, 4), b) },
		"left":     func() { Trsm(Left, Lower, NoTrans, NonUnit, 1, NewMatrix[float64](4, 4), b) },
		"right":    func() { Trsm(Right, Lower, NoTrans, NonUnit, 1, a, b) },
		"solve":    func() { CholeskySolve(a, NewMatrix[float64](4, 1)) },
		"diaglen":  func() { CholeskyInverseDiag(a, make([]float64, 2)) },
		"notsq":    func() { _ = Cholesky(NewMatrix[float64](2, 3)) },
		"inverse":  func() { CholeskyInverse(NewMatrix[float64](2, 3)) },
		"solvesq":  func() { CholeskySolve(NewMatrix[float64](2, 3), b) },
		"invdiagq": func() { CholeskyInverseDiag(NewMatrix[float64](2, 3), nil) },
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

// TestTrsmSmallBlocks runs Trsm and Cholesky with block sizes overridden
// far below the matrix order, which splits every solve into several
// diagonal blocks, MC blocks of the update and column panels of the
// right-hand sides.
func TestTrsmSmallBlocks(t *testing.T) {
	restore := setBlockSizes(16, 12, 8)
	defer restore()
	facTypes(t, func(t *testing.T) { testTrsmSmallBlocks[float64](t) }, func(t *testing.T) { testTrsmSmallBlocks[float32](t) })
}

func testTrsmSmallBlocks[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	m, r := 2*triLeaf+3, 29
	for _, side := range []Side{Left, Right} {
		for _, uplo := range []Uplo{Lower, Upper} {
			for _, tA := range []Transpose{NoTrans, Trans} {
				a := trsmTriangle[T](rng, m, uplo, false)
				b := facRand[T](rng, m, r, 1)
				if side == Right {
					b = facRand[T](rng, r, m, 1)
				}
				b0 := b.Clone()
				Trsm(side, uplo, tA, NonUnit, 1, a, b)
				checkTrsm(t, fmt.Sprintf("side=%d/uplo=%d/trans=%v", side, uplo, tA), side, uplo, tA, NonUnit, 1, a, b0, b)
			}
		}
	}
	spd := facSPD[T](rng, m, 0, 10)
	l := spd.Clone()
	if err := Cholesky(l); err != nil {
		t.Fatal(err)
	}
	if res := cholResidual(spd, l, 0); !(res <= cholResidualMax) {
		t.Errorf("Cholesky residual %.3g", res)
	}
}
