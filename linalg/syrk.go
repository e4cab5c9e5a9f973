package linalg

// This file holds Syrk and the triangle-aware pieces of the engine
// (gemmPacked in gemm.go): which elements of C an update keeps, how the
// rows of a triangle are split between threads, and the macro-kernel that
// skips tiles outside the triangle and sends tiles that straddle the
// diagonal through a zeroed scratch tile of which only the kept elements
// are added to C.

const (
	errSyrkShape = "linalg: Syrk result is not n x n for op(A) n x k"
	errTrapShape = "linalg: SyrkTrapezoid result is not m x n with n <= m for A m x k"
	errUplo      = "linalg: invalid Uplo"
)

// Syrk computes the symmetric rank-k update
//
//	C = alpha*A*A^T + beta*C   (t == NoTrans, A is n x k), or
//	C = alpha*A^T*A + beta*C   (t == Trans, A is k x n),
//
// touching only the uplo triangle of the n x n matrix C (diagonal
// included); the other strict triangle is neither read nor written. With
// beta = 0 the triangle is overwritten and never read, so NaN in C does not
// propagate. It costs n*(n+1)*k flops, all in the packed micro-kernel, and
// runs on up to Threads() goroutines when the update is large
// enough to pay for them (see SetThreads). Each element of C is summed over k in the same
// fixed order whatever the number of goroutines, so results do not depend
// on it. It panics if uplo is invalid or the shapes do not match.
func Syrk[T Float](uplo Uplo, t Transpose, alpha T, a Matrix[T], beta T, c Matrix[T]) {
	syrk(newEngine[T](), uplo, t, alpha, a, beta, c)
}

// syrk is Syrk on engine e.
func syrk[T Float](e *engine[T], uplo Uplo, t Transpose, alpha T, a Matrix[T], beta T, c Matrix[T]) {
	if uplo != Lower && uplo != Upper {
		panic(errUplo)
	}
	a.check()
	c.check()
	op := opMat[T]{a, bool(t)}
	n, k := op.rows(), op.cols()
	if c.Rows != n || c.Cols != n {
		panic(errSyrkShape)
	}
	if n == 0 {
		return
	}
	tri := triLower
	if uplo == Upper {
		tri = triUpper
	}
	if alpha == 0 || k == 0 {
		scaleKept(tri, 0, c, beta)
		return
	}
	gemmPacked(e, tri, 0, alpha, op, op.transpose(), beta, c, true, e.threads())
}

// SyrkTrapezoid computes the lower trapezoid of
//
//	C = alpha*A*A[:n]^T + beta*C   (A is m x k, C is m x n, n <= m),
//
// the elements C[i][j] with j <= i: its first n rows are Syrk's lower
// triangle of A[:n], the rest the full product of A[n:] with A[:n]^T. It
// is a Gram and a cross Gram of stacked rows in one pass (one packing of
// A[:n]^T for both, one parallel region), with the bits of Syrk followed
// by Gemm: every element is summed over k in the same order. The strict
// upper triangle of C[:n] is neither read nor written. Cost: (2m-n+1)*n*k
// flops. It panics if the shapes do not match.
func SyrkTrapezoid[T Float](alpha T, a Matrix[T], beta T, c Matrix[T]) {
	syrkTrapezoid(newEngine[T](), alpha, a, beta, c)
}

// syrkTrapezoid is SyrkTrapezoid on engine e.
func syrkTrapezoid[T Float](e *engine[T], alpha T, a Matrix[T], beta T, c Matrix[T]) {
	a.check()
	c.check()
	m, n, k := a.Rows, c.Cols, a.Cols
	if c.Rows != m || n > m {
		panic(errTrapShape)
	}
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleKept(triLower, 0, c, beta)
		return
	}
	op := opMat[T]{a, false}
	gemmPacked(e, triLower, 0, alpha, op, opMat[T]{a.View(0, 0, n, k), true}, beta, c, true, e.threads())
}

// scaleKept multiplies the elements of c that tri keeps with diagonal
// offset d by beta; beta = 1 leaves them alone and beta = 0 stores zeros
// without reading c.
func scaleKept[T Float](tri triMode, d int, c Matrix[T], beta T) {
	if beta == 1 {
		return
	}
	for i := 0; i < c.Rows; i++ {
		row := c.Row(i)
		switch tri {
		case triLower:
			row = row[:min(max(i+d+1, 0), c.Cols)]
		case triUpper:
			row = row[min(max(i+d, 0), c.Cols):]
		}
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// opMat is an operand used as stored (t false) or transposed: its element
// (i, j) is m.At(i, j) or m.At(j, i).
type opMat[T Float] struct {
	m Matrix[T]
	t bool
}

func (o opMat[T]) rows() int {
	if o.t {
		return o.m.Cols
	}
	return o.m.Rows
}

func (o opMat[T]) cols() int {
	if o.t {
		return o.m.Rows
	}
	return o.m.Cols
}

func (o opMat[T]) at(i, j int) T {
	if o.t {
		return o.m.Data[j*o.m.Stride+i]
	}
	return o.m.Data[i*o.m.Stride+j]
}

func (o opMat[T]) set(i, j int, v T) {
	if o.t {
		o.m.Data[j*o.m.Stride+i] = v
		return
	}
	o.m.Data[i*o.m.Stride+j] = v
}

// view returns the r x c sub-operand whose top-left element is (i, j).
func (o opMat[T]) view(i, j, r, c int) opMat[T] {
	if o.t {
		return opMat[T]{o.m.View(j, i, c, r), true}
	}
	return opMat[T]{o.m.View(i, j, r, c), false}
}

func (o opMat[T]) transpose() opMat[T] { return opMat[T]{o.m, !o.t} }

// triMode selects which elements of C an accumulation updates.
type triMode uint8

const (
	triFull  triMode = iota
	triLower         // element (i, j) with j <= i+d
	triUpper         // element (i, j) with j >= i+d
)

// keeps reports whether element (i, j) of a view with diagonal offset d is
// updated.
func (tri triMode) keeps(i, j, d int) bool {
	switch tri {
	case triLower:
		return j <= i+d
	case triUpper:
		return j >= i+d
	}
	return true
}

// rowWork returns the number of elements of row i (of n columns) that tri
// keeps with offset d.
func (tri triMode) rowWork(i, n, d int) int {
	switch tri {
	case triLower:
		return min(max(i+d+1, 0), n)
	case triUpper:
		return n - min(max(i+d, 0), n)
	}
	return n
}

// tileRangeLive reports whether the block of rows [i0, i0+r) and columns
// [j0, j0+c) holds any element tri keeps with offset d.
func tileRangeLive(tri triMode, i0, r, j0, c, d int) bool {
	switch tri {
	case triLower: // some j <= i+d: smallest j against largest i
		return j0 <= i0+r-1+d
	case triUpper: // some j >= i+d: largest j against smallest i
		return j0+c-1 >= i0+d
	}
	return true
}

func roundUp(x, q int) int { return (x + q - 1) / q * q }

// triMacro adds the product of the packed block pa (mb x kb) and
// micro-panels s0..s1-1 of the packed panel pb (kb x nb) to the elements of
// c (mb x nb, diagonal offset d) that tri keeps: kernel.macro for triFull;
// otherwise tiles without kept elements are skipped, tiles wholly kept go
// through kernel.tile, and tiles straddling the diagonal are computed into
// tmp (MR*NR) and only their kept elements added.
func (e *engine[T]) triMacro(tri triMode, d, kb int, pa, pb []T, c Matrix[T], s0, s1 int, tmp []T) {
	mr, nr := e.mr, e.nr
	mb, nb := c.Rows, c.Cols
	if tri == triFull {
		e.macro(kb, pa, mb, pb, nb, s0, s1, c, tmp)
		return
	}
	if tri == triLower {
		s1 = min(s1, max(mb+d+nr-1, 0)/nr) // panels right of the last row's diagonal are dead
	}
	for s := s0; s < s1; s++ {
		j0 := s * nr
		cols := min(nr, nb-j0)
		bp := pb[s*nr*kb : (s+1)*nr*kb]
		// run0..i0 is a run of full, wholly kept tiles not yet computed:
		// they go to the kernel as one column.
		run0 := 0
		flush := func(i0 int) {
			if i0 > run0 {
				e.mulAddColumn(kb, pa[run0*kb:], bp, c.Data[run0*c.Stride+j0:], c.Stride, (i0-run0)/mr)
			}
		}
		for i0 := 0; i0 < mb; i0 += mr {
			rows := min(mr, mb-i0)
			whole := (tri == triLower && j0+cols-1 <= i0+d) || (tri == triUpper && j0 >= i0+rows-1+d)
			if whole && rows == mr && cols == nr {
				continue // extends the run
			}
			flush(i0)
			run0 = i0 + mr
			if !tileRangeLive(tri, i0, rows, j0, cols, d) {
				continue
			}
			ap := pa[i0*kb : (i0+mr)*kb]
			off := i0*c.Stride + j0
			if whole {
				e.tile(kb, ap, bp, c.Data, off, c.Stride, rows, cols, tmp)
				continue
			}
			t := tmp[:mr*nr]
			clear(t)
			e.mulAdd(kb, ap, bp, t, nr)
			for i := 0; i < rows; i++ {
				crow := c.Data[off+i*c.Stride : off+i*c.Stride+cols]
				trow := t[i*nr : i*nr+cols]
				for j := range crow {
					if tri.keeps(i0+i, j0+j, d) {
						crow[j] += trow[j]
					}
				}
			}
		}
		flush(mb / mr * mr)
	}
}
