package linalg

import "unsafe"

// This file holds Syrk and the packed, triangle-aware multiply-accumulate
// engine that Syrk, Trsm and Cholesky run their flops in: operands are
// packed into the micro-kernel's MR-row and NR-column panels (alpha folded
// into the A panels), and a macro-kernel walks the MR x NR tiles of C,
// skipping tiles outside the requested triangle and sending tiles that
// straddle the diagonal or the matrix edge through a zeroed scratch tile of
// which only the kept elements are added to C.

const (
	errSyrkShape = "linalg: Syrk result is not n x n for op(A) n x k"
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
	if beta != 1 {
		scaleTriangle(tri, beta, c)
	}
	if alpha == 0 || k == 0 {
		return
	}
	mulAcc(newEngine[T](), tri, 0, alpha, op, op.transpose(), c, workersFor(float64(n)*float64(n)*float64(k)))
}

// scaleTriangle multiplies the tri part of the square matrix c by beta;
// beta = 0 stores zeros without reading c.
func scaleTriangle[T Float](tri triMode, beta T, c Matrix[T]) {
	for i := 0; i < c.Rows; i++ {
		row := c.Row(i)
		lo, hi := 0, i+1
		if tri == triUpper {
			lo, hi = i, c.Cols
		}
		row = row[lo:hi]
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

// engine is the packed multiply-accumulate machinery of one operation:
// the micro-kernel of the active instruction set and its block sizes
// (pack.go, tune.go), obtained once so that packing and kernel agree.
type engine[T Float] struct {
	kernel[T]
	blocking
}

func newEngine[T Float]() *engine[T] {
	k := newKernel[T]()
	return &engine[T]{k, blockSizes(k.mr, k.nr, int(unsafe.Sizeof(T(0))))}
}

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

// Work below this many flops per extra goroutine runs on one goroutine:
// starting goroutines and a barrier per packed panel cost a few
// microseconds, and work this small takes tens of microseconds.
const minFlopsPerWorker = 4e6

// workersFor returns how many goroutines an operation of the given flops
// uses: at most Threads().
func workersFor(flops float64) int {
	return max(1, min(Threads(), int(flops/minFlopsPerWorker)))
}

// mulAcc computes C += alpha*A*B on the elements of C that tri keeps with
// diagonal offset d, where A is m x k and B is k x n, on up to nt
// goroutines. It is Gemm's loop nest (gemmPacked) made triangle-aware:
// column blocks and row blocks without kept elements are skipped, tiles
// that straddle the diagonal go through a scratch tile of which only the
// kept elements are added, and the rows of C are split between the
// goroutines in MR-aligned ranges of equal kept work (not equal rows). The
// B panel of each k-step is packed by all goroutines together into one of
// two alternating shared buffers, with one barrier per step. Every C tile
// is computed identically whoever computes it, so the result does not
// depend on nt.
func mulAcc[T Float](e *engine[T], tri triMode, d int, alpha T, a, b opMat[T], c Matrix[T], nt int) {
	m, n, k := c.Rows, c.Cols, a.cols()
	if m == 0 || n == 0 || k == 0 {
		return
	}
	mr, nr, kc, mc, nc := e.mr, e.nr, e.kc, e.mc, e.nc
	if tri == triLower {
		n = min(n, m+d) // columns right of the last row's diagonal are dead
		if n <= 0 {
			return
		}
	}
	bounds := []int{0, m}
	if nt > 1 {
		bounds = splitRows(tri, m, n, d, mr, nt)
		nt = len(bounds) - 1
	}
	kcMax, ncMax := min(kc, k), min(nc, n)
	steps := ((n + nc - 1) / nc) * ((k + kc - 1) / kc)
	nbuf := 1
	if nt > 1 && steps > 1 {
		nbuf = 2
	}
	bSize := packedBSize(kcMax, ncMax, nr)
	bBuf := getBuf[T](nbuf * bSize)
	defer putBuf(bBuf)
	bar := newBarrier(nt)
	parallel(nt, func(t int) {
		r0, r1 := bounds[t], bounds[t+1]
		aBuf := getBuf[T](packedASize(min(mc, r1-r0), kcMax, mr) + mr*nr)
		defer putBuf(aBuf)
		aPack, tmp := (*aBuf)[:len(*aBuf)-mr*nr], (*aBuf)[len(*aBuf)-mr*nr:]
		step := 0
		for jc := 0; jc < n; jc += nc {
			nb := min(nc, n-jc)
			if !tileRangeLive(tri, 0, m, jc, nb, d) {
				continue
			}
			nPanels := (nb + nr - 1) / nr
			p0, p1 := split(nPanels, nt, t) // micro-panels this goroutine packs
			for pc := 0; pc < k; pc += kc {
				kb := min(kc, k-pc)
				bPack := (*bBuf)[step%nbuf*bSize:]
				packPanelB(bPack, b.m, Transpose(b.t), pc, kb, jc, nb, nr, p0, p1)
				bar.wait()
				for ic := r0; ic < r1; ic += mc {
					mb := min(mc, r1-ic)
					if !tileRangeLive(tri, ic, mb, jc, nb, d) {
						continue
					}
					packBlockA(aPack, a.m, Transpose(a.t), alpha, ic, mb, pc, kb, mr)
					e.triMacro(tri, d+ic-jc, kb, aPack, bPack, c.View(ic, jc, mb, nb), tmp)
				}
				step++
			}
		}
	})
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

// splitRows cuts the m rows of C into at most workers ranges aligned to mr
// (except at m) carrying about equal numbers of kept elements. It returns
// the range bounds, first 0 and last m, without empty ranges.
func splitRows(tri triMode, m, n, d, mr, workers int) []int {
	groups := (m + mr - 1) / mr
	work := make([]float64, groups+1) // prefix sums of kept elements
	for g := 0; g < groups; g++ {
		w := 0
		for i := g * mr; i < min(m, (g+1)*mr); i++ {
			w += tri.rowWork(i, n, d)
		}
		work[g+1] = work[g] + float64(w)
	}
	total := work[groups]
	bounds := []int{0}
	g := 0
	for w := 1; w < workers; w++ {
		target := total * float64(w) / float64(workers)
		for g < groups && work[g] < target {
			g++
		}
		if b := g * mr; b > bounds[len(bounds)-1] && b < m {
			bounds = append(bounds, b)
		}
	}
	return append(bounds, m)
}

func roundUp(x, q int) int { return (x + q - 1) / q * q }

// triMacro adds the product of the packed block pa (mb x kb) and the
// packed panel pb (kb x nb) to the elements of c (mb x nb, diagonal offset
// d) that tri keeps: kernel.macro for triFull; otherwise tiles without
// kept elements are skipped, tiles wholly kept go through kernel.tile, and
// tiles straddling the diagonal are computed into tmp (MR*NR) and only
// their kept elements added.
func (e *engine[T]) triMacro(tri triMode, d, kb int, pa, pb []T, c Matrix[T], tmp []T) {
	mr, nr := e.mr, e.nr
	mb, nb := c.Rows, c.Cols
	nPanels := (nb + nr - 1) / nr
	if tri == triFull {
		e.macro(kb, pa, mb, pb, nb, 0, nPanels, c, tmp)
		return
	}
	for s := 0; s < nPanels; s++ {
		j0 := s * nr
		cols := min(nr, nb-j0)
		bp := pb[s*nr*kb : (s+1)*nr*kb]
		for i0 := 0; i0 < mb; i0 += mr {
			rows := min(mr, mb-i0)
			if !tileRangeLive(tri, i0, rows, j0, cols, d) {
				continue
			}
			ap := pa[i0*kb : (i0+mr)*kb]
			off := i0*c.Stride + j0
			if (tri == triLower && j0+cols-1 <= i0+d) || (tri == triUpper && j0 >= i0+rows-1+d) {
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
	}
}
