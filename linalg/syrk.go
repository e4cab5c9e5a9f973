package linalg

import (
	"math"
	"runtime"
	"sync"

	"github.com/spurious-ml/spurious/asm"
)

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
// runs on up to runtime.GOMAXPROCS goroutines when the update is large
// enough to pay for them. Each element of C is summed over k in the same
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
	mulAcc(tri, 0, alpha, op, op.transpose(), c, workersFor(float64(n)*float64(n)*float64(k)))
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

// microKernel is the active micro-kernel of element type T.
type microKernel[T Float] struct {
	mr, nr int
	mulAdd func(kc int, a, b, c []T, ldc int)
	kc, mc int // block sizes: packed A block mc x kc, B micro-panel kc x nr
	nc     int // columns of B packed at a time
}

// kernelOf returns the micro-kernel the active instruction set uses for T
// and the block sizes that go with it. Callers hold the value for one whole
// operation so that packing and kernel agree.
func kernelOf[T Float]() microKernel[T] {
	var k microKernel[T]
	var z T
	switch any(z).(type) {
	case float64:
		t := asm.KernelF64()
		k.mr, k.nr = t.MR, t.NR
		k.mulAdd = any(t.MulAdd).(func(int, []T, []T, []T, int))
		k.kc = 256
	default:
		t := asm.KernelF32()
		k.mr, k.nr = t.MR, t.NR
		k.mulAdd = any(t.MulAdd).(func(int, []T, []T, []T, int))
		k.kc = 512
	}
	// The packed A block (mc x kc) stays in L2 with room for the B
	// micro-panels streaming through; mc is a multiple of MR so that every
	// block starts on the MR grid of its operation.
	k.mc = max(1, 192/k.mr) * k.mr
	k.nc = max(1, 4096/k.nr) * k.nr
	return k
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
// starting and joining goroutines costs a few microseconds, and operations
// this small finish in a few tens of microseconds.
const minFlopsPerWorker = 4e6

// workersFor returns how many goroutines an operation of the given flops
// uses.
func workersFor(flops float64) int {
	w := runtime.GOMAXPROCS(0)
	return max(1, min(w, int(flops/minFlopsPerWorker)))
}

// mulAcc computes C += alpha*A*B on the elements of C that tri keeps with
// diagonal offset d, where A is m x k and B is k x n. Tiles entirely outside
// the triangle are skipped. With workers > 1, each k-block's B panels are
// packed by all workers together, then the rows of C are split into MR-
// aligned ranges of equal work, one per worker; every C tile is computed
// identically whoever computes it, so the result does not depend on
// workers.
func mulAcc[T Float](tri triMode, d int, alpha T, a, b opMat[T], c Matrix[T], workers int) {
	m, n, k := c.Rows, c.Cols, a.cols()
	if m == 0 || n == 0 || k == 0 {
		return
	}
	kern := kernelOf[T]()
	if workers <= 1 || m <= kern.mr {
		mulAccSerial(kern, tri, d, alpha, a, b, c)
		return
	}
	bounds := splitRows(tri, m, n, d, kern.mr, workers)
	workers = len(bounds) - 1
	kcMax := min(k, kern.kc)
	ncMax := min(roundUp(n, kern.nr), kern.nc)
	pb := make([]T, kcMax*ncMax)
	bufs := make([][]T, workers)
	for w := range bufs {
		bufs[w] = make([]T, kcMax*kern.mc+kern.mr*kern.nr)
	}
	var wg sync.WaitGroup
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		if !tileRangeLive(tri, 0, m, jc, nc, d) {
			continue
		}
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			bb := b.view(pc, jc, kc, nc)
			panels := (nc + kern.nr - 1) / kern.nr
			for w := 0; w < workers; w++ {
				p0, p1 := panels*w/workers, panels*(w+1)/workers
				wg.Go(func() {
					for p := p0; p < p1; p++ {
						j0 := p * kern.nr
						packB(pb[j0*kc:], bb.view(0, j0, kc, min(kern.nr, nc-j0)), kern.nr)
					}
				})
			}
			wg.Wait()
			for w := 0; w < workers; w++ {
				r0, r1 := bounds[w], bounds[w+1]
				buf := bufs[w]
				wg.Go(func() {
					pa, tmp := buf[:kc*kern.mc], buf[kc*kern.mc:]
					for ic := r0; ic < r1; ic += kern.mc {
						mc := min(kern.mc, r1-ic)
						if !tileRangeLive(tri, ic, mc, jc, nc, d) {
							continue
						}
						packA(pa, a.view(ic, pc, mc, kc), kern.mr, alpha)
						macroKernel(kern, tri, d+ic-jc, kc, pa, pb, c.View(ic, jc, mc, nc), tmp)
					}
				})
			}
			wg.Wait()
		}
	}
}

// mulAccSerial is mulAcc on the calling goroutine.
func mulAccSerial[T Float](kern microKernel[T], tri triMode, d int, alpha T, a, b opMat[T], c Matrix[T]) {
	m, n, k := c.Rows, c.Cols, a.cols()
	kcMax := min(k, kern.kc)
	pb := make([]T, kcMax*min(roundUp(n, kern.nr), kern.nc))
	pa := make([]T, kcMax*min(roundUp(m, kern.mr), kern.mc))
	tmp := make([]T, kern.mr*kern.nr)
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		if !tileRangeLive(tri, 0, m, jc, nc, d) {
			continue
		}
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			for j0 := 0; j0 < nc; j0 += kern.nr {
				packB(pb[j0*kc:], b.view(pc, jc+j0, kc, min(kern.nr, nc-j0)), kern.nr)
			}
			for ic := 0; ic < m; ic += kern.mc {
				mc := min(kern.mc, m-ic)
				if !tileRangeLive(tri, ic, mc, jc, nc, d) {
					continue
				}
				packA(pa, a.view(ic, pc, mc, kc), kern.mr, alpha)
				macroKernel(kern, tri, d+ic-jc, kc, pa, pb, c.View(ic, jc, mc, nc), tmp)
			}
		}
	}
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

// packA packs the mc x kc operand a into MR-row micro-panels scaled by
// alpha: panel q holds rows [q*MR, q*MR+MR), column p of the panel at
// dst[q*MR*kc+p*MR:]. Rows past mc are zero.
func packA[T Float](dst []T, a opMat[T], mr int, alpha T) {
	mc, kc := a.rows(), a.cols()
	for i0 := 0; i0 < mc; i0 += mr {
		rows := min(mr, mc-i0)
		p := dst[i0*kc : i0*kc+mr*kc]
		if rows < mr {
			clear(p)
		}
		if a.t { // element (i, q) is stored at (q, i): rows of storage run along i
			for q := 0; q < kc; q++ {
				src := a.m.Data[q*a.m.Stride+i0 : q*a.m.Stride+i0+rows]
				col := p[q*mr : q*mr+rows]
				for i, v := range src {
					col[i] = alpha * v
				}
			}
			continue
		}
		for i := 0; i < rows; i++ {
			src := a.m.Data[(i0+i)*a.m.Stride : (i0+i)*a.m.Stride+kc]
			for q, v := range src {
				p[q*mr+i] = alpha * v
			}
		}
	}
}

// packB packs the kc x nc operand b (nc <= NR) into one NR-column
// micro-panel at dst: row p of the panel at dst[p*NR:]. Columns past nc are
// zero.
func packB[T Float](dst []T, b opMat[T], nr int) {
	kc, nc := b.rows(), b.cols()
	p := dst[:kc*nr]
	if nc < nr {
		clear(p)
	}
	if b.t { // element (q, j) is stored at (j, q)
		for j := 0; j < nc; j++ {
			src := b.m.Data[j*b.m.Stride : j*b.m.Stride+kc]
			for q, v := range src {
				p[q*nr+j] = v
			}
		}
		return
	}
	for q := 0; q < kc; q++ {
		copy(p[q*nr:q*nr+nc], b.m.Data[q*b.m.Stride:q*b.m.Stride+nc])
	}
}

// macroKernel adds the product of the packed block pa (mc x kc, MR-row
// panels) and the packed panels pb (kc x nc, NR-column panels) to the kept
// elements of c (mc x nc, diagonal offset d). tmp holds MR*NR scratch.
func macroKernel[T Float](kern microKernel[T], tri triMode, d, kc int, pa, pb []T, c Matrix[T], tmp []T) {
	mr, nr := kern.mr, kern.nr
	mc, nc := c.Rows, c.Cols
	for j0 := 0; j0 < nc; j0 += nr {
		cols := min(nr, nc-j0)
		bp := pb[j0*kc : j0*kc+nr*kc]
		for i0 := 0; i0 < mc; i0 += mr {
			rows := min(mr, mc-i0)
			if !tileRangeLive(tri, i0, rows, j0, cols, d) {
				continue
			}
			ap := pa[i0*kc : i0*kc+mr*kc]
			full := rows == mr && cols == nr
			switch tri {
			case triLower:
				full = full && j0+cols-1 <= i0+d
			case triUpper:
				full = full && j0 >= i0+rows-1+d
			}
			off := i0*c.Stride + j0
			if full {
				kern.mulAdd(kc, ap, bp, c.Data[off:], c.Stride)
				continue
			}
			clear(tmp)
			kern.mulAdd(kc, ap, bp, tmp, nr)
			for i := 0; i < rows; i++ {
				crow := c.Data[off+i*c.Stride : off+i*c.Stride+cols]
				trow := tmp[i*nr : i*nr+cols]
				for j := range crow {
					if tri.keeps(i0+i, j0+j, d) {
						crow[j] += trow[j]
					}
				}
			}
		}
	}
}

// isFinite reports whether v is neither NaN nor an infinity.
func isFinite[T Float](v T) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
