package linalg

import (
	"errors"
	"fmt"
	"math"
)

const errNotSquare = "linalg: matrix is not square"

// ErrNotPositiveDefinite is wrapped by every *NotPositiveDefiniteError, so
// callers can test errors.Is(err, ErrNotPositiveDefinite).
var ErrNotPositiveDefinite = errors.New("linalg: matrix is not positive definite")

// NotPositiveDefiniteError reports where a Cholesky factorization failed:
// the 0-based pivot (column) and the value found there, which is <= 0, NaN
// or Inf. The leading Pivot x Pivot block of the matrix (plus its shift) is
// positive definite.
type NotPositiveDefiniteError struct {
	Pivot int
	Value float64
}

func (e *NotPositiveDefiniteError) Error() string {
	what := "a non-positive pivot: the matrix is singular or indefinite to working precision; " +
		"add a ridge (a positive multiple of the identity, e.g. with CholeskyShift) or remove redundant rows"
	if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
		what = "a NaN or Inf pivot: the matrix holds NaN or Inf values or overflowed; check the input data"
	}
	return fmt.Sprintf("linalg: matrix is not positive definite at pivot %d (value %.3g): %s",
		e.Pivot, e.Value, what)
}

func (e *NotPositiveDefiniteError) Unwrap() error { return ErrNotPositiveDefinite }

// Cholesky overwrites the lower triangle of the symmetric matrix a with
// the factor L of A = L*L^T. Only the lower triangle of a (diagonal
// included) is read; the strict upper triangle is neither read nor
// written. It costs n^3/3 flops; see CholeskyShift for the algorithm, the
// error and the state of a on error.
func Cholesky[T Float](a Matrix[T]) error { return CholeskyShift(a, 0) }

// CholeskyShift is Cholesky of A + shift*I: the shift is added to each
// diagonal element when the factorization reaches it, so a ridge or jitter
// costs no copy of a. Only the lower triangle of a is read and written.
//
// The factorization is blocked and right-looking: for each block of
// potrfBlock columns, the diagonal block is factored (recursively: the
// leading half, a triangular solve of the panel below it, a Syrk update of
// the trailing half, down to 32 x 32 blocks factored directly), the panel
// below it is solved against it (Trsm), and the trailing matrix is updated
// with Syrk. Nearly all n^3/3 flops run in the packed GEMM micro-kernel;
// the panel solves and trailing updates run on up to Threads() goroutines
// when they are large enough to pay for them, and the result does not
// depend on the number of goroutines.
//
// If a pivot (the diagonal value about to be square-rooted) is <= 0, NaN or
// Inf, CholeskyShift stops and returns a *NotPositiveDefiniteError naming
// it (Pivot p, 0-based). The leading p x p block of a's lower triangle then
// holds the Cholesky factor of the leading p x p block of A + shift*I, the
// rest of the lower triangle holds intermediate values, and the strict
// upper triangle is untouched. To retry with a larger shift, restore the
// lower triangle from a copy (or from the untouched upper triangle, if a
// held both).
func CholeskyShift[T Float](a Matrix[T], shift T) error {
	a.check()
	if a.Rows != a.Cols {
		panic(errNotSquare)
	}
	n := a.Rows
	c := cholesky[T]{kern: newEngine[T](), a: a, shift: shift}
	for j := 0; j < n; j += potrfBlock {
		b := min(potrfBlock, n-j)
		if err := c.factor(j, b); err != nil {
			return err
		}
		if j+b < n {
			c.update(j, b, n-j-b)
		}
	}
	return nil
}

// potrfBlock is the column block of the right-looking factorization (a
// multiple of triLeaf): large enough that the trailing Syrk updates, which
// carry most of the flops, run at GEMM speed, small enough that the panel
// solves and the serial diagonal factorizations stay a small share.
const potrfBlock = 192

// cholesky carries one factorization: the matrix and the shift.
type cholesky[T Float] struct {
	kern  *engine[T]
	a     Matrix[T]
	shift T
}

// update solves the n2 x n1 panel below the factored diagonal block at
// (s, s) against it and subtracts its Gram matrix from the trailing
// n2 x n2 block. When the panel is at most KC wide (always, for the
// blocks of CholeskyShift on the tuned kernels) the two steps share one
// packing, as in OpenBLAS: the panel is packed once, transposed, as the B
// panel of the Gram update, solved in that packed buffer (Trsm's
// solveDiag) and written back, and the update reads its A blocks from the
// same buffer (packAFromB) instead of packing the panel again. The
// goroutines first solve disjoint ranges of micro-panels, then, after one
// barrier, update disjoint row ranges of equal work; every element is
// computed in the same order whatever their number.
func (c *cholesky[T]) update(s, n1, n2 int) {
	l11 := c.a.View(s, s, n1, n1)
	a21 := c.a.View(s+n1, s, n2, n1)
	a22 := c.a.View(s+n1, s+n1, n2, n2)
	e := c.kern
	if n1 > e.kc {
		// A21 = A21 * L11^{-T}, i.e. L11 * A21^T = A21^T on the transposed
		// panel, then A22 -= A21 * A21^T on the lower triangle.
		trsmLogical(e, opMat[T]{l11, false}, true, false, opMat[T]{a21, true})
		gemmPacked(e, triLower, 0, -1, opMat[T]{a21, false}, opMat[T]{a21, true}, 1, a22, true, Threads())
		return
	}
	mr, nr := e.mr, e.nr
	panels := (n2 + nr - 1) / nr
	bBuf := getBuf[T](packedBSize(n1, n2, nr))
	defer putBuf(bBuf)
	bp := *bBuf
	nt := threadsFor(float64(n2) * float64(n2) * float64(n1))
	nt = max(1, min(nt, panels, (n2+mr-1)/mr))
	rows := splitRows(triLower, n2, n2, 0, mr, nt)
	nt = min(nt, len(rows)-1)
	bar := newBarrier(nt)
	y := opMat[T]{a21, true}
	parallel(nt, func(t int) {
		// Solve micro-panels p0..p1-1 of A21^T.
		p0, p1 := split(panels, nt, t)
		if p0 < p1 {
			w := newTrsmWork(e, n1, nr)
			packPanelB(bp, a21, Trans, 0, n1, 0, n2, nr, p0, p1)
			w.packDiag(opMat[T]{l11, false}, true, false)
			w.solveDiag(n1, bp[p0*nr*n1:], min(n2, p1*nr)-p0*nr, y, 0, p0*nr, true)
			w.free()
		}
		bar.wait()
		// A22 -= A21 * A21^T for rows r0..r1-1, A blocks from the packed
		// panel, in NC-column chunks of it.
		r0, r1 := rows[t], rows[t+1]
		aBuf := getBuf[T](packedASize(min(e.mc, r1-r0), n1, mr) + mr*nr)
		defer putBuf(aBuf)
		aPack, tmp := (*aBuf)[:len(*aBuf)-mr*nr], (*aBuf)[len(*aBuf)-mr*nr:]
		chunk := max(e.nc/nr, 1)
		for c0 := 0; c0 < panels; c0 += chunk {
			c1 := min(c0+chunk, panels)
			for ic := r0; ic < r1; ic += e.mc {
				mb := min(e.mc, r1-ic)
				if !tileRangeLive(triLower, ic, mb, c0*nr, min(n2, c1*nr)-c0*nr, 0) {
					continue
				}
				packAFromB(aPack, bp, -1, ic, mb, n1, mr, nr)
				e.triMacro(triLower, ic, n1, aPack, bp, a22.View(ic, 0, mb, n2), c0, c1, tmp)
			}
		}
	})
}

// factor factors the diagonal block a[s:s+n, s:s+n], whose trailing
// updates from the columns before s are already applied, recursively.
func (c *cholesky[T]) factor(s, n int) error {
	if n <= triLeaf {
		return factorLeaf(c.a.View(s, s, n, n), c.shift, s)
	}
	n1 := splitPoint(n)
	if err := c.factor(s, n1); err != nil {
		return err
	}
	c.update(s, n1, n-n1)
	return c.factor(s+n1, n-n1)
}

// factorLeaf factors the small diagonal block a in place, column by column
// with contiguous dot products; off is the index of its first pivot in the
// whole matrix, for the error.
func factorLeaf[T Float](a Matrix[T], shift T, off int) error {
	n := a.Rows
	for j := 0; j < n; j++ {
		rj := a.Row(j)[:j]
		d := a.At(j, j) + shift - dot(rj, rj)
		if !(d > 0) || math.IsInf(float64(d), 0) {
			return &NotPositiveDefiniteError{Pivot: off + j, Value: float64(d)}
		}
		ljj := T(math.Sqrt(float64(d)))
		a.Set(j, j, ljj)
		r := 1 / ljj
		for i := j + 1; i < n; i++ {
			ri := a.Row(i)
			ri[j] = (ri[j] - dot(ri[:j], rj)) * r
		}
	}
	return nil
}

// dot returns sum x[i]*y[i] with four partial sums (fixed order).
func dot[T Float](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
