package linalg

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
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
// choleskyBlock columns, the diagonal block is factored (recursively: the
// leading half, a triangular solve of the panel below it, a Syrk update of
// the trailing half, down to 32 x 32 blocks factored directly), the panel
// below it is solved against it (Trsm), and the trailing matrix is updated
// with Syrk, the panel packed once for both (see update). Nearly all n^3/3
// flops run in the packed GEMM micro-kernel; the panel solves and trailing
// updates run on up to Threads() goroutines when they are large enough to
// pay for them, with the next diagonal block factored by one goroutine
// while the others finish the trailing update (look-ahead), and the result
// does not depend on the number of goroutines.
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
	return choleskyShift(newEngine[T](), a, shift)
}

// choleskyShift is CholeskyShift on engine e.
func choleskyShift[T Float](e *engine[T], a Matrix[T], shift T) error {
	a.check()
	if a.Rows != a.Cols {
		panic(errNotSquare)
	}
	n := a.Rows
	c := cholesky[T]{kern: e, a: a, shift: shift}
	nb := choleskyBlock(n, e.rule.CholeskyMax, e.kc)
	if err := c.factor(0, min(nb, n)); err != nil {
		return err
	}
	for j := nb; j < n; j += nb {
		// Update the trailing matrix with the panel of the block before j,
		// factoring the block at j as soon as its columns are updated.
		if err := c.update(j-nb, nb, n-j, min(nb, n-j)); err != nil {
			return err
		}
	}
	return nil
}

// potrfBlock is the narrowest column block of the right-looking
// factorization (a multiple of triLeaf): large enough that the trailing
// Syrk updates, which carry most of the flops, run at GEMM speed, small
// enough that the panel solves and the serial diagonal factorizations stay
// a small share.
const potrfBlock = 192

// choleskyBlock returns the column block of an n x n factorization: about
// n/10 rounded down to a multiple of triLeaf, at least potrfBlock and at most
// widest (the kernel rule's CholeskyMax) and KC (so that the panel is one
// packed B block, see update); potrfBlock when widest is unset. It depends
// on n and the kernel only, never on the thread count.
func choleskyBlock(n, widest, kc int) int {
	widest = min(widest, kc/triLeaf*triLeaf)
	if widest <= potrfBlock {
		return potrfBlock
	}
	return max(potrfBlock, min(n/10/triLeaf*triLeaf, widest))
}

// cholesky carries one factorization: the matrix and the shift.
type cholesky[T Float] struct {
	kern  *engine[T]
	a     Matrix[T]
	shift T
}

// update solves the n2 x n1 panel below the factored diagonal block at
// (s, s) against it, subtracts its Gram matrix from the trailing n2 x n2
// block, and factors the leading next x next diagonal block of the
// trailing block (next <= n2), returning its error. When the panel is at
// most KC wide (always, for the blocks of CholeskyShift on the tuned
// kernels) the steps share one packing, as in OpenBLAS: the panel is
// packed once, transposed, as the B panel of the Gram update, solved in
// that packed buffer (Trsm's solveDiag) and written back, and the update
// reads its A blocks from the same buffer (packAFromB) instead of packing
// the panel again. The goroutines first solve disjoint ranges of
// micro-panels; after one barrier, the first updates the next diagonal
// block of the trailing block and factors it (look-ahead) while the others
// update the rows below it in blocks taken from a shared counter, longest
// rows first, and then it takes blocks too: the factorization's share of
// the work needs no model (static row ranges balanced by one were 4-9%
// slower at n = 1000-4000 on two threads). Every element is computed in
// the same order whatever the number of goroutines.
func (c *cholesky[T]) update(s, n1, n2, next int) error {
	l11 := c.a.View(s, s, n1, n1)
	a21 := c.a.View(s+n1, s, n2, n1)
	a22 := c.a.View(s+n1, s+n1, n2, n2)
	e := c.kern
	if n1 > e.kc {
		// A21 = A21 * L11^{-T}, i.e. L11 * A21^T = A21^T on the transposed
		// panel, then A22 -= A21 * A21^T on the lower triangle.
		trsmLogical(e, opMat[T]{l11, false}, true, false, opMat[T]{a21, true})
		gemmPacked(e, triLower, 0, -1, opMat[T]{a21, false}, opMat[T]{a21, true}, 1, a22, true, e.threads())
		return c.factor(s+n1, next)
	}
	mr, nr := e.mr, e.nr
	panels := (n2 + nr - 1) / nr
	bBuf := getBuf[T](packedBSize(n1, n2, nr))
	defer putBuf(bBuf)
	bp := *bBuf
	nt := e.threadsFor(float64(n2) * float64(n2) * float64(n1))
	nt = max(1, min(nt, panels, (n2-next)/mr+1))
	blockRows := dynamicRows(n2-next, e.mc, mr, nt)
	blocks := (n2 - next + blockRows - 1) / blockRows
	var taken atomic.Int64
	dpBuf := getBuf[T](diagPackSize(n1, mr))
	defer putBuf(dpBuf)
	dp := *dpBuf
	bar := newBarrier(nt)
	y := opMat[T]{a21, true}
	var err error
	parallel(nt, func(t int) {
		// Pack a share of the diagonal block and micro-panels p0..p1-1 of
		// A21^T, then solve those.
		r0, r1 := split((n1+mr-1)/mr, nt, t)
		packDiag(dp, opMat[T]{l11, false}, true, false, mr, r0, r1)
		p0, p1 := split(panels, nt, t)
		e.packPanelB(bp, a21, Trans, 0, n1, 0, n2, p0, p1)
		bar.wait()
		if p0 < p1 {
			w := newTrsmWork(e, n1, nr)
			w.solveDiag(n1, dp, bp[p0*nr*n1:], min(n2, p1*nr)-p0*nr, y, 0, p0*nr, true)
			w.free()
		}
		bar.wait()
		aBuf := getBuf[T](packedASize(min(e.mc, n2), n1, mr) + mr*nr)
		defer putBuf(aBuf)
		g := gramWork[T]{e: e, bp: bp, kb: n1, c: a22, aPack: (*aBuf)[:len(*aBuf)-mr*nr], tmp: (*aBuf)[len(*aBuf)-mr*nr:]}
		if t == 0 && next > 0 {
			g.update(0, next, 0, next)
			err = c.factor(s+n1, next)
		}
		for {
			i := int(taken.Add(1)) - 1
			if i >= blocks {
				return
			}
			r0 := next + (blocks-1-i)*blockRows
			g.update(r0, min(r0+blockRows, n2), 0, n2)
		}
	})
	return err
}

// gramWork is one goroutine's part of the Gram update of the Cholesky
// panel: c -= X*X^T on the lower triangle of c, where bp holds X^T packed
// as a B panel of depth kb.
type gramWork[T Float] struct {
	e          *engine[T]
	bp         []T
	kb         int
	c          Matrix[T]
	aPack, tmp []T
}

// update subtracts X*X^T from the lower-triangle elements of rows r0..r1-1
// and columns c0..c1-1 of c (c0 a multiple of NR, c1 one or the order of
// c), in NC-column chunks of the packed panel.
func (g *gramWork[T]) update(r0, r1, c0, c1 int) {
	e := g.e
	mr, nr := e.mr, e.nr
	n := g.c.Cols
	p1 := (c1 + nr - 1) / nr
	chunk := max(e.nc/nr, 1)
	for q0 := c0 / nr; q0 < p1; q0 += chunk {
		q1 := min(q0+chunk, p1)
		for ic := r0; ic < r1; ic += e.mc {
			mb := min(e.mc, r1-ic)
			if !tileRangeLive(triLower, ic, mb, q0*nr, min(n, q1*nr)-q0*nr, 0) {
				continue
			}
			packAFromB(g.aPack, g.bp, -1, ic, mb, g.kb, mr, nr)
			e.triMacro(triLower, ic, g.kb, g.aPack, g.bp, g.c.View(ic, 0, mb, n), q0, q1, g.tmp)
		}
	}
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
	return c.update(s, n1, n-n1, n-n1)
}

// factorLeaf factors the small diagonal block a in place, column by column
// with contiguous dot products; off is the index of its first pivot in the
// whole matrix, for the error.
func factorLeaf[T Float](a Matrix[T], shift T, off int) error {
	n := a.Rows
	for j := 0; j < n; j++ {
		rj := a.Row(j)[:j]
		d := a.At(j, j) + shift - Dot(rj, rj)
		if !(d > 0) || math.IsInf(float64(d), 0) {
			return &NotPositiveDefiniteError{Pivot: off + j, Value: float64(d)}
		}
		ljj := T(math.Sqrt(float64(d)))
		a.Set(j, j, ljj)
		r := 1 / ljj
		for i := j + 1; i < n; i++ {
			ri := a.Row(i)
			ri[j] = (ri[j] - Dot(ri[:j], rj)) * r
		}
	}
	return nil
}
