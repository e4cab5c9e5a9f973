package linalg

const (
	errGemmInner = "linalg: Gemm inner dimensions differ"
	errGemmOuter = "linalg: Gemm result has the wrong shape"
)

// Gemm computes C = alpha*op(A)*op(B) + beta*C, where op(X) is X or X^T as
// tA and tB say. With beta = 0, C is overwritten and never read (NaN in C
// does not propagate). It costs 2*m*n*k flops and panics on a dimension
// mismatch.
//
// TODO(gemm): placeholder triple loop; the packed, blocked, multi-core
// engine replaces it.
func Gemm[T Float](tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c Matrix[T]) {
	a.check()
	b.check()
	c.check()
	m, k := a.Rows, a.Cols
	if tA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if tB {
		kb, n = n, kb
	}
	if k != kb {
		panic(errGemmInner)
	}
	if c.Rows != m || c.Cols != n {
		panic(errGemmOuter)
	}
	at := func(x Matrix[T], t Transpose, i, j int) T {
		if t {
			return x.Data[j*x.Stride+i]
		}
		return x.Data[i*x.Stride+j]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				s += at(a, tA, i, p) * at(b, tB, p, j)
			}
			if beta == 0 {
				c.Data[i*c.Stride+j] = alpha * s
			} else {
				c.Data[i*c.Stride+j] = alpha*s + beta*c.Data[i*c.Stride+j]
			}
		}
	}
}
