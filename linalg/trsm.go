package linalg

import "unsafe"

const (
	errSide    = "linalg: invalid Side"
	errDiag    = "linalg: invalid Diag"
	errTrsmDim = "linalg: Trsm triangular matrix does not match b"
)

// Trsm solves a triangular system with many right-hand sides in place:
//
//	B = alpha * op(A)^{-1} * B   (side == Left,  A is m x m, B is m x n), or
//	B = alpha * B * op(A)^{-1}   (side == Right, A is n x n, B is m x n),
//
// where op(A) is A or A^T as tA says, A is lower or upper triangular as
// uplo says (the other strict triangle is never read) and, with diag ==
// Unit, has an implicit unit diagonal (the stored diagonal is not read).
// There is no singularity test: a zero on the diagonal gives Inf or NaN, as
// in BLAS. With alpha = 0, B is set to zero without reading A or B.
//
// It costs m^2*n flops (Left; n^2*m for Right). With more than two
// right-hand sides the solve runs in the packed micro-kernel (BLIS's
// trsm): the right-hand sides are cut into column panels; for each panel,
// blocks of KC rows of the triangle are taken in dependency order; the
// block's rows of B are packed once, solved in the packed buffer tile by
// tile (a multiply-accumulate with the solved rows above, then the
// product with the inverse of the MR x MR diagonal block of the
// triangle), written back, and subtracted from all the rows they feed in
// one packed multiply-accumulate. Applying the inverses of MR x MR
// diagonal blocks is as accurate as substitution for well-conditioned
// diagonal blocks; the backward error grows with their condition number.
// One or two right-hand sides are solved by plain substitution. The
// right-hand sides are split between up to Threads() goroutines in ranges
// aligned to the kernel tile; each is solved in the same order whatever
// the split, so the result does not depend on the number of goroutines.
// It panics if an enum is invalid or the shapes do not match.
func Trsm[T Float](side Side, uplo Uplo, tA Transpose, diag Diag, alpha T, a, b Matrix[T]) {
	trsm(newEngine[T](), side, uplo, tA, diag, alpha, a, b)
}

// trsm is Trsm on engine e.
func trsm[T Float](e *engine[T], side Side, uplo Uplo, tA Transpose, diag Diag, alpha T, a, b Matrix[T]) {
	if side != Left && side != Right {
		panic(errSide)
	}
	if uplo != Lower && uplo != Upper {
		panic(errUplo)
	}
	if diag != NonUnit && diag != Unit {
		panic(errDiag)
	}
	a.check()
	b.check()
	if a.Rows != a.Cols {
		panic(errNotSquare)
	}
	if (side == Left && a.Rows != b.Rows) || (side == Right && a.Rows != b.Cols) {
		panic(errTrsmDim)
	}
	if b.Rows == 0 || b.Cols == 0 {
		return
	}
	if alpha != 1 {
		scaleBlock(b, alpha)
		if alpha == 0 {
			return
		}
	}
	// Reduce to the left-side form T*Y = B' on logical operands: for the
	// right side, X*op(A) = B is op(A)^T * X^T = B^T.
	tri, y := opMat[T]{a, bool(tA)}, opMat[T]{b, false}
	if side == Right {
		tri, y = opMat[T]{a, !bool(tA)}, opMat[T]{b, true}
	}
	trsmLogical(e, tri, (uplo == Lower) != tri.t, diag == Unit, y)
}

// triLeaf is the order of the diagonal blocks that the recursive
// triangular routines (Cholesky, the triangular inverse and product of
// solve.go) invert or factor directly. Every split point of the
// recursion is a multiple of triLeaf, so the leaves of all routines on the
// same matrix coincide and their inverses can be shared.
const triLeaf = 32

// splitPoint returns where the recursion splits an order-n triangle: the
// first half of its triLeaf-blocks.
func splitPoint(n int) int {
	leaves := (n + triLeaf - 1) / triLeaf
	return (leaves + 1) / 2 * triLeaf
}

// leafInverses returns, for each diagonal triLeaf-block of the stored
// triangular matrix a, its inverse minus the identity, as an operand in
// stored orientation: entry q is inv(D_q) - I for the block D_q =
// a.View(q*triLeaf, q*triLeaf, ...). Applying it as Y += (inv(D) - I)*Y
// solves D*X = Y in place through the micro-kernel with no copy of Y. It
// costs about n*triLeaf^2/3 flops.
func leafInverses[T Float](a Matrix[T], lower, unit bool) []opMat[T] {
	n := a.Rows
	invs := make([]opMat[T], 0, (n+triLeaf-1)/triLeaf)
	for s := 0; s < n; s += triLeaf {
		invs = append(invs, leafInverse(a.View(s, s, min(triLeaf, n-s), min(triLeaf, n-s)), lower, unit))
	}
	return invs
}

// leafInverse returns inv(a) - I for the small triangular matrix a, as an
// operand in the orientation of a.
func leafInverse[T Float](a Matrix[T], lower, unit bool) opMat[T] {
	n := a.Rows
	w := NewMatrix[T](n, n)
	// Copy the triangle as a lower one (an upper triangle is transposed),
	// invert it in place, and hand the inverse back transposed if a was
	// upper: inv(U) = inv(U^T)^T.
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			if lower {
				w.Data[i*n+j] = a.Data[i*a.Stride+j]
			} else {
				w.Data[i*n+j] = a.Data[j*a.Stride+i]
			}
		}
		if unit {
			w.Data[i*n+i] = 1
		}
	}
	invertLower(w)
	for i := 0; i < n; i++ {
		w.Data[i*n+i]--
	}
	return opMat[T]{w, !lower}
}

// invertLower overwrites the compact lower-triangular matrix w (strict
// upper triangle zero) with its inverse, row by row: row i of the inverse
// is -(1/w_ii) * sum_{k<i} w_ik * (row k of the inverse), plus 1/w_ii on
// the diagonal. It costs n^3/3 flops.
func invertLower[T Float](w Matrix[T]) {
	n := w.Rows
	acc := make([]T, n)
	for i := 0; i < n; i++ {
		row := w.Row(i)
		acc := acc[:i]
		clear(acc)
		for k := 0; k < i; k++ {
			lik := row[k]
			if lik == 0 {
				continue
			}
			wk := w.Row(k)[:k+1]
			for j, v := range wk {
				acc[j] += lik * v
			}
		}
		r := 1 / row[i]
		for j := range acc {
			row[j] = -acc[j] * r
		}
		row[i] = r
	}
}

// substituteMax is the largest number of right-hand sides solved by plain
// substitution, which beats padding them to a full micro-panel and needs no
// leaf inverses.
const substituteMax = 2

// trsmLogical solves tri * X = Y in place on the logical operands (tri is
// lower or upper as lower says, with an implicit unit diagonal if unit),
// splitting the columns of y between goroutines.
func trsmLogical[T Float](e *engine[T], tri opMat[T], lower, unit bool, y opMat[T]) {
	m, r := y.rows(), y.cols()
	if m == 0 || r == 0 {
		return
	}
	if r <= substituteMax {
		substitute(tri, lower, unit, y)
		return
	}
	nt := e.threadsFor(float64(m) * float64(m) * float64(r))
	nt = max(1, min(nt, (r+e.nr-1)/e.nr))
	// Column panels small enough that each thread's panel of Y stays in
	// its share of the L3 across the block steps that update it.
	size := int(unsafe.Sizeof(T(0)))
	ncw := cacheSizes().L3 / (4 * nt * m * size) / e.nr * e.nr
	ncw = min(max(ncw, trsmMinPanels*e.nr), e.nc)
	diags := packDiags(e, tri, lower, unit)
	defer putBuf(diags)
	parallelColumns(r, e.nr, nt, func(c0, c1 int) {
		w := newTrsmWork(e, m, min(ncw, c1-c0))
		defer w.free()
		for jc := c0; jc < c1; jc += ncw {
			w.solvePanel(tri, *diags, lower, y, jc, min(ncw, c1-jc))
		}
	})
}

// packDiags packs every diagonal block of the packed solve of tri (order
// m, blocks of trsmBlock rows) with packDiag, block q at offset
// q*diagPackSize(kb, MR), in parallel over the blocks. The buffer is
// pooled: return it with putBuf.
func packDiags[T Float](e *engine[T], tri opMat[T], lower, unit bool) *[]T {
	m, mr := tri.rows(), e.mr
	kb := trsmBlock(e, m)
	size := diagPackSize(kb, mr)
	blocks := (m + kb - 1) / kb
	buf := getBuf[T](blocks * size)
	parallelFor(e.threads(), blocks, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			s := q * kb
			b := min(kb, m-s)
			packDiag((*buf)[q*size:(q+1)*size], tri.view(s, s, b, b), lower, unit, mr, 0, (b+mr-1)/mr)
		}
	})
	return buf
}

// trsmMinPanels is the fewest NR-wide micro-panels in a column panel of
// the right-hand sides, however large the triangle.
const trsmMinPanels = 16

// parallelColumns calls fn on column ranges [c0, c1) covering [0, r),
// aligned to nr, one per goroutine, and waits for them.
func parallelColumns(r, nr, nt int, fn func(c0, c1 int)) {
	panels := (r + nr - 1) / nr
	nt = max(1, min(nt, panels))
	parallel(nt, func(t int) {
		p0, p1 := split(panels, nt, t)
		fn(p0*nr, min(r, p1*nr))
	})
}

// trsmWork holds one goroutine's buffers for the packed triangular solve:
// the packed rows of Y of one block (bp, KB x panel width), a packed block
// of the triangle below (or above) it (ap), and two scratch tiles.
type trsmWork[T Float] struct {
	e      *engine[T]
	kb     int
	bp, ap []T
	t1, t2 []T
	bufs   []*[]T
}

func newTrsmWork[T Float](e *engine[T], m, ncw int) *trsmWork[T] {
	mr, nr := e.mr, e.nr
	kb := trsmBlock(e, m)
	w := &trsmWork[T]{e: e, kb: kb}
	get := func(n int) []T {
		b := getBuf[T](n)
		w.bufs = append(w.bufs, b)
		return *b
	}
	w.bp = get(packedBSize(kb, ncw, nr))
	w.ap = get(packedASize(min(e.mc, m), kb, mr))
	w.t1, w.t2 = get(mr*nr), get(mr*nr)
	return w
}

// trsmBlock is the order of the diagonal blocks the packed solve of an
// order-m triangle takes in turn: KC rounded down to MR.
func trsmBlock[T Float](e *engine[T], m int) int {
	return min(max(e.kc/e.mr*e.mr, e.mr), roundUp(m, e.mr))
}

func (w *trsmWork[T]) free() {
	for _, b := range w.bufs {
		putBuf(b)
	}
}

// solvePanel solves tri * X = Y in place for columns jc..jc+nb-1 of y,
// given the diagonal blocks packed by packDiags.
func (w *trsmWork[T]) solvePanel(tri opMat[T], diags []T, lower bool, y opMat[T], jc, nb int) {
	e, kb := w.e, w.kb
	size := diagPackSize(kb, e.mr)
	m := y.rows()
	blocks := (m + kb - 1) / kb
	for step := 0; step < blocks; step++ {
		q := step
		if !lower {
			q = blocks - 1 - step
		}
		s := q * kb
		b := min(kb, m-s)
		bp := w.bp[:packedBSize(b, nb, e.nr)]
		e.packPanelB(bp, y.m, Transpose(y.t), s, b, jc, nb, 0, (nb+e.nr-1)/e.nr)
		w.solveDiag(b, diags[q*size:(q+1)*size], bp, nb, y, s, jc, lower)
		// Subtract the solved rows from the rows they feed.
		r0, r1 := s+b, m
		if !lower {
			r0, r1 = 0, s
		}
		for ic := r0; ic < r1; ic += e.mc {
			mb := min(e.mc, r1-ic)
			e.packBlockA(w.ap, tri.m, Transpose(tri.t), -1, ic, mb, s, b)
			c := y.view(ic, jc, mb, nb)
			if !c.t {
				e.macro(b, w.ap, mb, bp, nb, 0, (nb+e.nr-1)/e.nr, c.m, w.t1)
				continue
			}
			w.macroTransposed(b, mb, bp, nb, c.m)
		}
	}
}

// macroTransposed adds (packed block w.ap, mb x kb) x (packed panel bp,
// kb x nb) to the nb x mb matrix ct, which holds the mb x nb result
// transposed: each tile is computed into a scratch tile and added
// transposed.
func (w *trsmWork[T]) macroTransposed(kb, mb int, bp []T, nb int, ct Matrix[T]) {
	mr, nr := w.e.mr, w.e.nr
	t := w.t2
	for s := 0; s*nr < nb; s++ {
		cols := min(nr, nb-s*nr)
		for r := 0; r*mr < mb; r++ {
			rows := min(mr, mb-r*mr)
			clear(t)
			w.e.mulAdd(kb, w.ap[r*mr*kb:(r+1)*mr*kb], bp[s*nr*kb:(s+1)*nr*kb], t, nr)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					ct.Data[(s*nr+j)*ct.Stride+r*mr+i] += t[i*nr+j]
				}
			}
		}
	}
}

// diagPackSize is the length of the buffer packDiag fills for a diagonal
// block of order b: b rounded up to MR, squared.
func diagPackSize(b, mr int) int { return roundUp(b, mr) * roundUp(b, mr) }

// packDiag packs the diagonal block d (order b) of the triangle for
// solveTiles: micro-panel r, for the tile of rows i0 = r*MR.., is stored
// at dp[r*MR*bt:] (bt = b rounded up to MR) as two A micro-panels, in the
// order of the packed rows they multiply:
//
//	lower: -d[i0:i0+MR, p] for p < i0 (depth i0), then W - I (depth MR);
//	upper: W - I (depth MR), then -d[i0:i0+MR, p] for p >= i0+MR;
//
// where W is the inverse of the tile's MR x MR diagonal block (padded
// with the identity past b, inverted in float64). It packs micro-panels
// r0..r1-1 of (b+MR-1)/MR, so that goroutines can share the work, and
// costs about MR*b/2 copies and MR^3/3 multiply-adds per micro-panel.
func packDiag[T Float](dp []T, d opMat[T], lower, unit bool, mr, r0, r1 int) {
	b := d.rows()
	bt := roundUp(b, mr)
	var t [maxTile * maxTile]float64
	for r := r0; r < r1; r++ {
		i0 := r * mr
		rows := min(mr, b-i0)
		panel := dp[i0*bt : i0*bt+mr*bt]
		// The columns of the rows the tile depends on, negated.
		p0, p1, at := 0, i0, 0 // source columns, first panel column
		if !lower {
			p0, p1, at = i0+mr, b, mr
		}
		if p0 < p1 {
			dep := panel[at*mr : (at+p1-p0)*mr]
			if !d.t {
				// Row i0+i of the block is contiguous in p.
				for i := 0; i < rows; i++ {
					for q, v := range d.m.Row(i0 + i)[p0:p1] {
						dep[q*mr+i] = -v
					}
				}
			} else {
				for q := range p1 - p0 {
					col := dep[q*mr : q*mr+rows]
					for i, v := range d.m.Row(p0 + q)[i0 : i0+rows] {
						col[i] = -v
					}
				}
			}
			if rows < mr {
				for q := range p1 - p0 {
					clear(dep[q*mr+rows : q*mr+mr])
				}
			}
		}
		// The diagonal block as a lower triangle (an upper one transposed),
		// padded with the identity, inverted, minus I.
		clear(t[:mr*mr])
		for i := 0; i < mr; i++ {
			for j := 0; j <= i; j++ {
				switch {
				case i == j && (unit || i >= rows):
					t[i*mr+j] = 1
				case i >= rows:
				case lower:
					t[i*mr+j] = float64(d.at(i0+i, i0+j))
				default:
					t[i*mr+j] = float64(d.at(i0+j, i0+i))
				}
			}
		}
		invertLower(Matrix[float64]{Rows: mr, Cols: mr, Stride: mr, Data: t[:mr*mr]})
		own := 0
		if lower {
			own = i0
		}
		inv := panel[own*mr : (own+mr)*mr] // inv[q*mr+i] = W(i, q) - [i == q]
		for i := 0; i < mr; i++ {
			for q := 0; q < mr; q++ {
				v := t[i*mr+q] // W(i, q) if lower, W(q, i) if upper
				if i == q {
					v--
				}
				if lower {
					inv[q*mr+i] = T(v)
				} else {
					inv[i*mr+q] = T(v)
				}
			}
		}
	}
}

// maxTile bounds MR of every kernel (for the fixed scratch of packDiag).
const maxTile = 16

// solveDiag solves the diagonal block (packed by packDiag in dp, order b)
// for the packed rows bp (b x nb) of the block starting at row s0 of y, in
// place in bp, and writes the solution to y (columns jc..jc+nb-1). Tiles
// are solved in dependency order, each by one kernel call (see packDiag).
// The tile rows are taken in groups of about MC rows, each for all column
// micro-panels in turn, so that the group's part of the packed block
// stays in L2 (as an A block of Gemm) instead of the whole block streaming
// from L3 for every micro-panel; the order of the operations on each tile
// is the same.
func (w *trsmWork[T]) solveDiag(b int, dp, bp []T, nb int, y opMat[T], s0, jc int, lower bool) {
	e := w.e
	mr := e.mr
	tiles := (b + mr - 1) / mr
	group := max(e.mc/mr, 1)
	for g := 0; g < tiles; g += group {
		last := g+group >= tiles
		for s := 0; s*e.nr < nb; s++ {
			w.solveTiles(b, dp, bp, nb, y, s0, jc, lower, s, g, min(g+group, tiles))
			if last && y.t {
				unpackTransposed(bp, b, nb, e.nr, s, y.m, jc, s0)
			}
		}
	}
}

// unpackTransposed writes micro-panel s of the packed panel bp (kb x nb)
// transposed into m: column j of the micro-panel becomes row j0+s*nr+j of
// m from column i0, written contiguously (the panel, just solved, is
// in cache).
func unpackTransposed[T Float](bp []T, kb, nb, nr, s int, m Matrix[T], j0, i0 int) {
	panel := bp[s*nr*kb : (s+1)*nr*kb]
	cols := min(nr, nb-s*nr)
	// Four rows at a time: each step reads four neighbouring values of
	// the panel and writes one element of each row.
	j := 0
	for ; j+4 <= cols; j += 4 {
		r0 := m.Row(j0 + s*nr + j)[i0 : i0+kb]
		r1 := m.Row(j0 + s*nr + j + 1)[i0 : i0+kb]
		r2 := m.Row(j0 + s*nr + j + 2)[i0 : i0+kb]
		r3 := m.Row(j0 + s*nr + j + 3)[i0 : i0+kb]
		for p := range r0 {
			v := panel[p*nr+j : p*nr+j+4 : p*nr+j+4]
			r0[p], r1[p], r2[p], r3[p] = v[0], v[1], v[2], v[3]
		}
	}
	for ; j < cols; j++ {
		row := m.Row(j0 + s*nr + j)[i0 : i0+kb]
		for p := range row {
			row[p] = panel[p*nr+j]
		}
	}
}

// solveTiles solves tiles k0..k1-1 (in dependency order) of column
// micro-panel s for solveDiag; the tiles before k0 are solved. A full
// tile is solved in place with two kernel calls: the product of its
// micro-panel of the block with the packed rows it depends on is added
// to it, then (W - I) times itself (the kernels read all of b before
// they write c), which leaves W times it. A partial tile (the last rows,
// fewer than MR) is solved in a scratch tile, so that no call reads or
// writes past row b.
func (w *trsmWork[T]) solveTiles(b int, dp, bp []T, nb int, y opMat[T], s0, jc int, lower bool, s, k0, k1 int) {
	e := w.e
	mr, nr := e.mr, e.nr
	bt := roundUp(b, mr)
	tiles := bt / mr
	cols := min(nr, nb-s*nr)
	panel := bp[s*nr*b : (s+1)*nr*b]
	for k := k0; k < k1; k++ {
		r := k
		if !lower {
			r = tiles - 1 - k
		}
		i0 := r * mr
		rows := min(mr, b-i0)
		ap := dp[i0*bt:]
		tile := panel[i0*nr:]
		c := tile
		if rows < mr {
			c = w.t1
			copy(c, tile[:rows*nr])
			clear(c[rows*nr:])
		}
		if lower {
			e.mulAdd(i0, ap, panel, c, nr)
			e.mulAdd(mr, ap[i0*mr:], c, c, nr)
		} else {
			e.mulAdd(b-i0-rows, ap[mr*mr:], panel[(i0+rows)*nr:], c, nr)
			e.mulAdd(mr, ap, c, c, nr)
		}
		if rows < mr {
			copy(tile[:rows*nr], c)
		}
		if y.t {
			continue // written by unpackTransposed once the micro-panel is solved
		}
		for i := 0; i < rows; i++ {
			copy(y.m.Row(s0 + i0 + i)[jc+s*nr:jc+s*nr+cols], tile[i*nr:i*nr+cols])
		}
	}
}

// applyLeaf overwrites y (m x r, m <= triLeaf) with w*y, given wmi =
// w - I (m x m), as y += wmi*y. The product reads y in place: y is packed
// (as the B panel, or as the A block when y is transposed) before the
// elements it feeds are written, since a leaf is thinner than one KC step
// and one NC panel; with block sizes overridden below that (tests), y is
// copied first.
func applyLeaf[T Float](kern *engine[T], wmi, y opMat[T]) {
	if m := y.rows(); kern.kc < m || kern.nc < m {
		c := y.m.Clone()
		mulAccOp(kern, 1, wmi, opMat[T]{c, y.t}, y)
		return
	}
	mulAccOp(kern, 1, wmi, y, y)
}

// mulAccOp computes C += alpha*A*B on logical operands on one goroutine.
func mulAccOp[T Float](kern *engine[T], alpha T, a, b, c opMat[T]) {
	if c.t { // C^T += alpha * B^T * A^T
		gemmPacked(kern, triFull, 0, alpha, b.transpose(), a.transpose(), 1, c.m, false, 1)
		return
	}
	gemmPacked(kern, triFull, 0, alpha, a, b, 1, c.m, false, 1)
}

// substitute solves tri * X = Y in place column by column by forward
// (lower) or backward (upper) substitution. It costs m^2 flops per column.
// Each column is solved in a contiguous copy, and the stored matrix is read
// by rows either way: a tri stored as is takes one dot product per unknown
// (row i of tri), a transposed one an axpy per unknown (column k of tri is
// row k of the stored matrix), so that neither walks a column at the row
// stride.
func substitute[T Float](tri opMat[T], lower, unit bool, y opMat[T]) {
	m, r := y.rows(), y.cols()
	st, ld := tri.m.Data, tri.m.Stride
	x := make([]T, m)
	for j := 0; j < r; j++ {
		for i := range x {
			x[i] = y.at(i, j)
		}
		switch {
		case !tri.t && lower:
			for i := range x {
				x[i] -= Dot(st[i*ld:i*ld+i], x[:i])
				if !unit {
					x[i] /= st[i*ld+i]
				}
			}
		case !tri.t:
			for i := m - 1; i >= 0; i-- {
				x[i] -= Dot(st[i*ld+i+1:i*ld+m], x[i+1:])
				if !unit {
					x[i] /= st[i*ld+i]
				}
			}
		case lower: // tri(i, k) = st(k, i): column k of tri is row k of st
			for k := range x {
				if !unit {
					x[k] /= st[k*ld+k]
				}
				xk, rest := x[k], x[k+1:]
				for i, v := range st[k*ld+k+1 : k*ld+m] {
					rest[i] -= v * xk
				}
			}
		default:
			for k := m - 1; k >= 0; k-- {
				if !unit {
					x[k] /= st[k*ld+k]
				}
				xk, rest := x[k], x[:k]
				for i, v := range st[k*ld : k*ld+k] {
					rest[i] -= v * xk
				}
			}
		}
		for i, v := range x {
			y.set(i, j, v)
		}
	}
}
