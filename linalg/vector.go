package linalg

const errVecLen = "linalg: vector length does not match the matrix"

// Dot returns the sum of x[i]*y[i], accumulated in four partial sums in a
// fixed order (deterministic). It costs 2*len(x) flops and panics if y is
// shorter than x.
func Dot[T Float](x, y []T) T {
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

// mulVecParallel is the size (rows*cols) from which MulVec splits its
// rows between goroutines.
const mulVecParallel = 1 << 16

// MulVec sets y = A x, row by row with Dot, rows split between up to
// Threads() goroutines for large A (each y[i] is one Dot whoever computes
// it). It costs 2*rows*cols flops and panics if len(x) != cols or
// len(y) != rows. A matrix with no rows (the zero Matrix value included)
// is a no-op.
func MulVec[T Float](a Matrix[T], x, y []T) { mulVec(Threads(), a, x, y) }

// mulVec is MulVec on up to nt goroutines.
func mulVec[T Float](nt int, a Matrix[T], x, y []T) {
	if a.Rows == 0 && len(y) == 0 {
		return // also the zero Matrix value, whatever x is
	}
	if len(x) != a.Cols || len(y) != a.Rows {
		panic(errVecLen)
	}
	a.check()
	rows := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			y[i] = Dot(a.Row(i), x)
		}
	}
	if a.Rows*a.Cols < mulVecParallel {
		rows(0, a.Rows)
		return
	}
	parallelFor(nt, a.Rows, rows)
}

// ParallelFor splits [0, n) into up to Threads() contiguous ranges and runs
// fn on each, one on the calling goroutine and the others on the pooled
// workers of the GEMM engine (awake between back-to-back calls), returning
// when all are done. The ranges depend only on n and the thread count; fn
// must not depend on which goroutine runs a range if results are to be
// thread-count independent.
func ParallelFor(n int, fn func(lo, hi int)) { parallelFor(Threads(), n, fn) }

// parallelFor is ParallelFor on up to nt goroutines.
func parallelFor(nt, n int, fn func(lo, hi int)) {
	w := min(nt, n)
	if w <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	parallel(w, func(t int) {
		lo, hi := split(n, w, t)
		fn(lo, hi)
	})
}
