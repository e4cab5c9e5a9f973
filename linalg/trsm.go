package linalg

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
// right-hand sides the solve runs in the packed micro-kernel: blocks of 256
// rows are solved in dependency order, each followed by one packed
// multiply-accumulate into the rows it feeds; inside a block the solve
// halves recursively down to 32 x 32 diagonal blocks, which are inverted
// once (32^2/3 flops per row of A) and applied in place as a product.
// Applying inverted diagonal blocks is as accurate as substitution for
// well-conditioned diagonal blocks; the backward error grows with their
// condition number. One or two right-hand sides are solved by plain
// substitution. The right-hand sides are split between up to Threads()
// goroutines in ranges aligned to the kernel tile; each is solved in the
// same order whatever the split, so the result does not depend on the
// number of goroutines. It panics if an enum is invalid or the shapes do
// not match.
func Trsm[T Float](side Side, uplo Uplo, tA Transpose, diag Diag, alpha T, a, b Matrix[T]) {
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
		scaleMatrix(alpha, b)
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
	kern := newEngine[T]()
	var invs []opMat[T]
	if y.cols() > substituteMax {
		invs = leafInverses(a, uplo == Lower, diag == Unit)
	}
	trsmLogical(kern, tri, (uplo == Lower) != tri.t, diag == Unit, y, invs)
}

// triLeaf is the order of the diagonal blocks that the recursive
// triangular routines invert or factor directly. Every split point of the
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
// lower or upper as lower says), splitting the columns of y between
// goroutines. invs holds the inverses of the stored diagonal triLeaf-blocks
// of tri.m; it may be nil if y has at most substituteMax columns.
func trsmLogical[T Float](kern *engine[T], tri opMat[T], lower, unit bool, y opMat[T], invs []opMat[T]) {
	m, r := y.rows(), y.cols()
	if m == 0 || r == 0 {
		return
	}
	if r <= substituteMax {
		substitute(tri, lower, unit, y)
		return
	}
	parallelColumns(r, kern.nr, threadsFor(float64(m)*float64(m)*float64(r)), func(c0, c1 int) {
		trsmSerial(kern, tri, lower, y.view(0, c0, m, c1-c0), invs, 0)
	})
}

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

// trsmBlock is the block order of the right-looking outer loop of the
// triangular solve (a multiple of triLeaf): each block of rows of Y is
// solved recursively, then one multiply-accumulate with a large dimension
// updates all the rows it feeds, so each element of Y is packed about
// twice in all instead of once per recursion level.
const trsmBlock = 8 * triLeaf

// trsmSerial solves tri * X = Y in place on one goroutine: blocks of
// trsmBlock rows in dependency order, each solved by trsmRec and then
// subtracted from the remaining rows. off is the index of tri's first row
// in the matrix invs was built from.
func trsmSerial[T Float](kern *engine[T], tri opMat[T], lower bool, y opMat[T], invs []opMat[T], off int) {
	m, r := y.rows(), y.cols()
	nBlocks := (m + trsmBlock - 1) / trsmBlock
	for i := 0; i < nBlocks; i++ {
		q := i
		if !lower {
			q = nBlocks - 1 - i
		}
		s := q * trsmBlock
		b := min(trsmBlock, m-s)
		trsmRec(kern, tri.view(s, s, b, b), lower, y.view(s, 0, b, r), invs, off+s)
		if lower && s+b < m {
			mulAccOp(kern, -1, tri.view(s+b, s, m-s-b, b), y.view(s, 0, b, r), y.view(s+b, 0, m-s-b, r))
		} else if !lower && s > 0 {
			mulAccOp(kern, -1, tri.view(0, s, s, b), y.view(s, 0, b, r), y.view(0, 0, s, r))
		}
	}
}

// trsmRec solves tri * X = Y in place on one goroutine by halving; off is
// the index of tri's first row in the matrix invs was built from.
func trsmRec[T Float](kern *engine[T], tri opMat[T], lower bool, y opMat[T], invs []opMat[T], off int) {
	m, r := y.rows(), y.cols()
	if m <= triLeaf {
		inv := invs[off/triLeaf]
		if tri.t {
			inv = inv.transpose()
		}
		applyLeaf(kern, inv, y)
		return
	}
	m1 := splitPoint(m)
	m2 := m - m1
	y1, y2 := y.view(0, 0, m1, r), y.view(m1, 0, m2, r)
	if lower {
		trsmRec(kern, tri.view(0, 0, m1, m1), true, y1, invs, off)
		mulAccOp(kern, -1, tri.view(m1, 0, m2, m1), y1, y2)
		trsmRec(kern, tri.view(m1, m1, m2, m2), true, y2, invs, off+m1)
		return
	}
	trsmRec(kern, tri.view(m1, m1, m2, m2), false, y2, invs, off+m1)
	mulAccOp(kern, -1, tri.view(0, m1, m1, m2), y2, y1)
	trsmRec(kern, tri.view(0, 0, m1, m1), false, y1, invs, off)
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
func substitute[T Float](tri opMat[T], lower, unit bool, y opMat[T]) {
	m, r := y.rows(), y.cols()
	for j := 0; j < r; j++ {
		if lower {
			for i := 0; i < m; i++ {
				s := y.at(i, j)
				for k := 0; k < i; k++ {
					s -= tri.at(i, k) * y.at(k, j)
				}
				if !unit {
					s /= tri.at(i, i)
				}
				y.set(i, j, s)
			}
			continue
		}
		for i := m - 1; i >= 0; i-- {
			s := y.at(i, j)
			for k := i + 1; k < m; k++ {
				s -= tri.at(i, k) * y.at(k, j)
			}
			if !unit {
				s /= tri.at(i, i)
			}
			y.set(i, j, s)
		}
	}
}

// scaleMatrix multiplies every element of b by alpha; alpha = 0 stores
// zeros without reading b.
func scaleMatrix[T Float](alpha T, b Matrix[T]) {
	for i := 0; i < b.Rows; i++ {
		row := b.Row(i)
		if alpha == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= alpha
		}
	}
}
