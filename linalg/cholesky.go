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
// n2 x n2 block.
func (c *cholesky[T]) update(s, n1, n2 int) {
	// A21 = A21 * L11^{-T}, i.e. L11 * A21^T = A21^T on the transposed panel.
	l11 := opMat[T]{c.a.View(s, s, n1, n1), false}
	a21 := c.a.View(s+n1, s, n2, n1)
	trsmLogical(c.kern, l11, true, false, opMat[T]{a21, true})
	// A22 -= A21 * A21^T on the lower triangle.
	a22 := c.a.View(s+n1, s+n1, n2, n2)
	gemmPacked(c.kern, triLower, 0, -1, opMat[T]{a21, false}, opMat[T]{a21, true}, 1, a22, true, Threads())
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
