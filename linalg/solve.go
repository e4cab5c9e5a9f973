package linalg

const (
	errSolveRows = "linalg: right-hand side has the wrong number of rows"
	errDiagLen   = "linalg: dst length differs from the matrix order"
)

// CholeskySolve overwrites b with the solution X of A*X = B, where l holds
// in its lower triangle the factor L of A = L*L^T from Cholesky (the strict
// upper triangle of l is not read). It is two triangular solves (Trsm with
// L, then with L^T) and costs 2*n^2*nrhs flops, multi-core over the
// right-hand sides. It panics if l is not square or b has the wrong number
// of rows.
func CholeskySolve[T Float](l, b Matrix[T]) {
	choleskySolve(newEngine[T](), l, b)
}

// choleskySolve is CholeskySolve on engine kern.
func choleskySolve[T Float](kern *engine[T], l, b Matrix[T]) {
	l.check()
	b.check()
	if l.Rows != l.Cols {
		panic(errNotSquare)
	}
	if b.Rows != l.Rows {
		panic(errSolveRows)
	}
	if l.Rows == 0 || b.Cols == 0 {
		return
	}
	y := opMat[T]{b, false}
	trsmLogical(kern, opMat[T]{l, false}, true, false, y)
	trsmLogical(kern, opMat[T]{l, true}, false, false, y)
}

// CholeskyInverse overwrites l, which holds in its lower triangle the
// factor L of A = L*L^T from Cholesky, with the full symmetric inverse
// A^{-1} (both triangles; the upper triangle of l is overwritten too).
//
// It follows LAPACK's POTRI: L is inverted in place (W = L^{-1}, n^3/3
// flops) and the lower triangle of W^T*W = A^{-1} is formed in place
// (n^3/3 flops), both recursively on Trsm, Syrk and triangular-multiply
// steps that run in the packed micro-kernel; then the lower triangle is
// mirrored. Total about 2n^3/3 flops, multi-core for large n.
func CholeskyInverse[T Float](l Matrix[T]) {
	choleskyInverse(newEngine[T](), l)
}

// choleskyInverse is CholeskyInverse on engine kern.
func choleskyInverse[T Float](kern *engine[T], l Matrix[T]) {
	l.check()
	if l.Rows != l.Cols {
		panic(errNotSquare)
	}
	n := l.Rows
	if n == 0 {
		return
	}
	invertFactor(kern, l)
	lauum(kern, l)
	symmetrize(kern.threads(), Lower, l)
}

// CholeskyInverseDiag stores in dst the diagonal of A^{-1}, where l holds
// in its lower triangle the factor L of A = L*L^T from Cholesky; l is not
// modified. (A^{-1})_ii = sum_k (L^{-1})_ki^2 is the squared norm of column
// i of L^{-1}, so this costs n^3/3 flops (the triangular inverse, in a
// scratch copy of n^2 elements): half of CholeskyInverse. It panics if l is
// not square or len(dst) != n.
func CholeskyInverseDiag[T Float](l Matrix[T], dst []T) {
	choleskyInverseDiag(newEngine[T](), l, dst)
}

// choleskyInverseDiag is CholeskyInverseDiag on engine kern.
func choleskyInverseDiag[T Float](kern *engine[T], l Matrix[T], dst []T) {
	l.check()
	if l.Rows != l.Cols {
		panic(errNotSquare)
	}
	n := l.Rows
	if len(dst) != n {
		panic(errDiagLen)
	}
	if n == 0 {
		return
	}
	w := NewMatrix[T](n, n)
	for i := 0; i < n; i++ {
		copy(w.Row(i)[:i+1], l.Row(i)[:i+1])
	}
	invertFactor(kern, w)
	clear(dst)
	for k := 0; k < n; k++ {
		row := w.Row(k)[:k+1]
		for i, v := range row {
			dst[i] += v * v
		}
	}
}

// invertFactor overwrites the lower triangle of l (non-unit) with its
// inverse W = L^{-1} (LAPACK's TRTRI), reading and writing only the lower
// triangle. With L = [L11 0; L21 L22], W21 = -L22^{-1} * L21 * L11^{-1}
// is two triangular solves with the original blocks, then L11 and L22 are
// inverted recursively. It costs n^3/3 flops.
func invertFactor[T Float](kern *engine[T], l Matrix[T]) {
	invs := leafInverses(l, true, false)
	invertRec(kern, l, invs)
}

func invertRec[T Float](kern *engine[T], l Matrix[T], invs []opMat[T]) {
	n := l.Rows
	if n <= triLeaf {
		w := invs[0].m // inverse minus identity, compact, stored lower
		for i := 0; i < n; i++ {
			copy(l.Row(i)[:i+1], w.Row(i)[:i+1])
			l.Data[i*l.Stride+i]++
		}
		return
	}
	n1 := splitPoint(n)
	n2 := n - n1
	l11, l21, l22 := l.View(0, 0, n1, n1), l.View(n1, 0, n2, n1), l.View(n1, n1, n2, n2)
	// L21 := L21 * L11^{-1}: L11^T * L21^T = L21^T, logical upper.
	trsmLogical(kern, opMat[T]{l11, true}, false, false, opMat[T]{l21, true})
	// L21 := -L22^{-1} * L21.
	scaleBlock(l21, -1)
	trsmLogical(kern, opMat[T]{l22, false}, true, false, opMat[T]{l21, false})
	// L11 and L22 are independent: invert them side by side (the
	// recursion's small steps alone scale poorly at n ~ 1000).
	sideBySide(kern, n, n2, func(e *engine[T], t int) {
		if t == 0 {
			invertRec(e, l11, invs)
		} else {
			invertRec(e, l22, invs[n1/triLeaf:])
		}
	})
}

// invertSideBySide is the order of the smaller half from which invertRec
// and lauum do their two halves concurrently.
const invertSideBySide = 4 * triLeaf

// lauum overwrites the lower triangle of w (lower triangular, non-unit)
// with the lower triangle of W^T * W (LAPACK's LAUUM), reading only the
// lower triangle. With W = [W11 0; W21 W22]:
// (W^T W)11 = W11^T W11 + W21^T W21, (W^T W)21 = W22^T W21 and
// (W^T W)22 = W22^T W22. W21^T W21 goes to a scratch triangle first, so
// that once W21 is multiplied the two diagonal blocks are independent:
// they are then done side by side, each with its share of the goroutines,
// like the halves of invertRec. It costs n^3/3 flops.
func lauum[T Float](kern *engine[T], w Matrix[T]) {
	n := w.Rows
	if n <= triLeaf {
		// Row i of the result needs rows >= i of W only, so rows can be
		// overwritten top to bottom.
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				var s T
				for k := i; k < n; k++ {
					s += w.Data[k*w.Stride+i] * w.Data[k*w.Stride+j]
				}
				w.Data[i*w.Stride+j] = s
			}
		}
		return
	}
	n1 := splitPoint(n)
	n2 := n - n1
	w11, w21, w22 := w.View(0, 0, n1, n1), w.View(n1, 0, n2, n1), w.View(n1, n1, n2, n2)
	sBuf := getBuf[T](n1 * n1)
	defer putBuf(sBuf)
	gram := MatrixFrom(n1, n1, (*sBuf)[:n1*n1])
	w21t := opMat[T]{w21, true}
	gemmPacked(kern, triLower, 0, 1, w21t, w21t.transpose(), 0, gram, true, kern.threads())
	trmmLeft(kern, opMat[T]{w22, true}, false, opMat[T]{w21, false})
	diag := func(e *engine[T], t int) {
		if t == 1 {
			lauum(e, w22)
			return
		}
		lauum(e, w11)
		for i := 0; i < n1; i++ {
			dst, src := w11.Row(i)[:i+1], gram.Row(i)[:i+1]
			for j, v := range src {
				dst[j] += v
			}
		}
	}
	sideBySide(kern, n, n2, diag)
}

// sideBySide runs f(e, 0) and f(e, 1), two independent halves of a
// recursive step of order n whose smaller half has order n2: on two
// goroutines, each with half of kern's threads, when the step is large
// enough to pay for it, else one after the other with kern.
func sideBySide[T Float](kern *engine[T], n, n2 int, f func(e *engine[T], t int)) {
	nt := kern.threadsFor(float64(n) * float64(n) * float64(n) / 3)
	if nt < 2 || n2 < invertSideBySide {
		f(kern, 0)
		f(kern, 1)
		return
	}
	parallel(2, func(t int) {
		sub := *kern
		sub.maxThreads = max(1, nt/2)
		f(&sub, t)
	})
}

// trmmLeft overwrites y with tri*y for the logical triangular tri (lower
// or upper as lower says, non-unit; the other strict triangle of its
// storage is not read), splitting the columns of y between goroutines. It
// costs m^2*r flops, recursively on packed multiply-accumulates.
func trmmLeft[T Float](kern *engine[T], tri opMat[T], lower bool, y opMat[T]) {
	m, r := y.rows(), y.cols()
	if m == 0 || r == 0 {
		return
	}
	// Copies of the diagonal leaf blocks minus the identity, with the other
	// triangle zeroed, shared by the goroutines (see applyLeaf).
	leaves := make([]opMat[T], 0, (m+triLeaf-1)/triLeaf)
	for s := 0; s < m; s += triLeaf {
		z := min(triLeaf, m-s)
		blk := tri.view(s, s, z, z)
		c := NewMatrix[T](z, z)
		for i := 0; i < z; i++ {
			for j := 0; j < z; j++ {
				if (lower && j <= i) || (!lower && j >= i) {
					c.Data[i*z+j] = blk.at(i, j)
				}
			}
		}
		for i := 0; i < z; i++ {
			c.Data[i*z+i]--
		}
		leaves = append(leaves, opMat[T]{c, false})
	}
	parallelColumns(r, kern.nr, kern.threadsFor(float64(m)*float64(m)*float64(r)), func(c0, c1 int) {
		trmmRec(kern, tri, lower, y.view(0, c0, m, c1-c0), leaves)
	})
}

func trmmRec[T Float](kern *engine[T], tri opMat[T], lower bool, y opMat[T], leaves []opMat[T]) {
	m, r := y.rows(), y.cols()
	if m <= triLeaf {
		applyLeaf(kern, leaves[0], y)
		return
	}
	m1 := splitPoint(m)
	m2 := m - m1
	y1, y2 := y.view(0, 0, m1, r), y.view(m1, 0, m2, r)
	if lower { // Y2 = T21 Y1 + T22 Y2, then Y1 = T11 Y1
		trmmRec(kern, tri.view(m1, m1, m2, m2), true, y2, leaves[m1/triLeaf:])
		mulAccOp(kern, 1, tri.view(m1, 0, m2, m1), y1, y2)
		trmmRec(kern, tri.view(0, 0, m1, m1), true, y1, leaves)
		return
	}
	// Y1 = T11 Y1 + T12 Y2, then Y2 = T22 Y2
	trmmRec(kern, tri.view(0, 0, m1, m1), false, y1, leaves)
	mulAccOp(kern, 1, tri.view(0, m1, m1, m2), y2, y1)
	trmmRec(kern, tri.view(m1, m1, m2, m2), false, y2, leaves[m1/triLeaf:])
}
