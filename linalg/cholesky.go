package linalg

import (
	"errors"
	"fmt"
	"math"
)

const errNotSquare = "linalg: matrix is not square"

// ErrNotPositiveDefinite is wrapped by every *NotPositiveDefiniteError.
var ErrNotPositiveDefinite = errors.New("linalg: matrix is not positive definite")

// NotPositiveDefiniteError reports where a Cholesky factorization failed:
// the 0-based pivot and the value found there (<= 0, NaN or Inf).
type NotPositiveDefiniteError struct {
	Pivot int
	Value float64
}

func (e *NotPositiveDefiniteError) Error() string {
	return fmt.Sprintf("linalg: matrix is not positive definite at pivot %d (value %.3g)", e.Pivot, e.Value)
}

func (e *NotPositiveDefiniteError) Unwrap() error { return ErrNotPositiveDefinite }

// Cholesky overwrites the lower triangle of the symmetric matrix a with L,
// where A = L*L^T; only the lower triangle of a is read and the strict upper
// triangle is left untouched. It costs n^3/3 flops. If A is not positive
// definite (or holds NaN/Inf) it returns a *NotPositiveDefiniteError and a
// is left partly overwritten.
//
// TODO(cholesky): placeholder unblocked loop; the blocked multi-core version
// replaces it.
func Cholesky[T Float](a Matrix[T]) error { return CholeskyShift(a, 0) }

// CholeskyShift is Cholesky of A + shift*I: the shift is added to the
// diagonal as the factorization reaches it, so a ridge costs no copy.
func CholeskyShift[T Float](a Matrix[T], shift T) error {
	a.check()
	if a.Rows != a.Cols {
		panic(errNotSquare)
	}
	n := a.Rows
	for j := 0; j < n; j++ {
		d := float64(a.At(j, j) + shift)
		for p := 0; p < j; p++ {
			d -= float64(a.At(j, p)) * float64(a.At(j, p))
		}
		if !(d > 0) || math.IsInf(d, 0) {
			return &NotPositiveDefiniteError{Pivot: j, Value: d}
		}
		ljj := math.Sqrt(d)
		a.Set(j, j, T(ljj))
		for i := j + 1; i < n; i++ {
			s := float64(a.At(i, j))
			for p := 0; p < j; p++ {
				s -= float64(a.At(i, p)) * float64(a.At(j, p))
			}
			a.Set(i, j, T(s/ljj))
		}
	}
	return nil
}

// CholeskySolve overwrites b with the solution X of L*L^T*X = B, where l
// holds the factor from Cholesky. It costs 2*n^2*nrhs flops.
func CholeskySolve[T Float](l, b Matrix[T]) {
	l.check()
	b.check()
	if l.Rows != l.Cols {
		panic(errNotSquare)
	}
	if b.Rows != l.Rows {
		panic("linalg: CholeskySolve right-hand side has the wrong number of rows")
	}
	n := l.Rows
	for c := 0; c < b.Cols; c++ {
		for i := 0; i < n; i++ {
			s := b.At(i, c)
			for p := 0; p < i; p++ {
				s -= l.At(i, p) * b.At(p, c)
			}
			b.Set(i, c, s/l.At(i, i))
		}
		for i := n - 1; i >= 0; i-- {
			s := b.At(i, c)
			for p := i + 1; p < n; p++ {
				s -= l.At(p, i) * b.At(p, c)
			}
			b.Set(i, c, s/l.At(i, i))
		}
	}
}

// CholeskyInverse overwrites l, which holds the factor from Cholesky, with
// the full symmetric inverse A^{-1} (both triangles). It costs about n^3
// flops.
func CholeskyInverse[T Float](l Matrix[T]) {
	n := l.Rows
	inv := NewMatrix[T](n, n)
	for i := 0; i < n; i++ {
		inv.Set(i, i, 1)
	}
	CholeskySolve(l, inv)
	for i := 0; i < n; i++ {
		copy(l.Row(i), inv.Row(i))
	}
}
