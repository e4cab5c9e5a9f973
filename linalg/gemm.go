package linalg

const (
	errGemmInner = "linalg: Gemm inner dimensions differ"
	errGemmOuter = "linalg: Gemm result has the wrong shape"
)

// Gemm computes C = alpha*op(A)*op(B) + beta*C, where op(X) is X or X^T as
// tA and tB say; op(A) is m x k, op(B) k x n and C m x n. With beta = 0, C
// is overwritten and never read (NaN in C does not propagate); with
// alpha = 0 (or k = 0), A and B are not read and C is only scaled by beta,
// as in the reference BLAS. It costs 2*m*n*k flops and panics on a
// dimension mismatch.
//
// Gemm packs op(A) and op(B) into the panels the micro-kernel of the
// active instruction set reads (transposes cost nothing extra) and blocks
// the loops for the caches (see GemmBlocking). It runs on up to Threads()
// goroutines; each element of C is summed over k in a fixed order by one
// goroutine, so the result is the same bit for bit for any number of
// threads and from run to run, for a given instruction set and block
// depth KC. Different instruction sets round differently in the last bits.
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
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleBlock(c, beta)
		return
	}
	gemmPacked(newEngine[T](), triFull, 0, alpha, opMat[T]{a, bool(tA)}, opMat[T]{b, bool(tB)}, beta, c, false, Threads())
}

// gemmPlan is how one product is cut between threads: a grid of tm row
// ranges (bounds in rows, multiples of MR except the last) times tn column
// ranges of each NC panel, nt = tm*tn threads.
type gemmPlan struct {
	nt, tm, tn int
	rows       []int
}

// planGemm picks the thread grid for C (m x n) += op(A)*op(B) with inner
// dimension k on the elements tri keeps with diagonal offset d, on at most
// maxThreads goroutines. A triangular update splits rows only, in ranges
// of equal kept work; a full one chooses tm*tn = nt by the largest
// per-thread share of the C tiles of one NC panel. Splitting m packs each
// block of A once (splitting n packs it in every thread of a column), so
// the largest tm whose share is within 10% of the best wins.
func planGemm[T Float](e *engine[T], tri triMode, d, m, n, k, maxThreads int) gemmPlan {
	mr, nr := e.mr, e.nr
	mPanels := (m + mr - 1) / mr
	nPanels := (min(n, e.nc) + nr - 1) / nr
	kept := 0.0
	for i := 0; i < m; i++ {
		kept += float64(tri.rowWork(i, n, d))
	}
	nt := maxThreads
	if 2*kept*float64(k) < parallelMinFlops {
		nt = 1
	}
	if tri != triFull {
		rows := []int{0, m}
		if nt = max(min(nt, mPanels), 1); nt > 1 {
			rows = splitRows(tri, m, n, d, mr, nt)
		}
		return gemmPlan{nt: len(rows) - 1, tm: len(rows) - 1, tn: 1, rows: rows}
	}
	nt = max(min(nt, mPanels*nPanels), 1)
	share := func(tm int) int {
		tn := nt / tm
		return ((mPanels + tm - 1) / tm) * ((nPanels + tn - 1) / tn)
	}
	best := share(1)
	for tm := 2; tm <= nt; tm++ {
		if nt%tm == 0 {
			best = min(best, share(tm))
		}
	}
	p := gemmPlan{nt: nt}
	for tm := nt; tm >= 1; tm-- {
		if nt%tm == 0 && 10*share(tm) <= 11*best {
			p.tm, p.tn = tm, nt/tm
			break
		}
	}
	p.rows = make([]int, p.tm+1)
	for ti := range p.tm {
		lo, _ := split(mPanels, p.tm, ti)
		p.rows[ti] = lo * mr
	}
	p.rows[p.tm] = m
	return p
}

// split returns the half-open range of part t when count items are cut
// into parts nearly equal pieces.
func split(count, parts, t int) (lo, hi int) {
	return count * t / parts, count * (t + 1) / parts
}

// gemmPacked is the engine under Gemm, Syrk and the updates of Trsm and
// Cholesky: C = alpha*A*B + beta*C on the elements of C (m x n) that tri
// keeps with diagonal offset d, where A is m x k and B is k x n, on up to
// maxThreads goroutines. It is the BLIS loop nest
//
//	jc (NC columns of C) -> pc (KC) -> pack B panel (all threads, shared)
//	  -> barrier -> ic (MC rows, this thread's range) -> pack A block
//	  -> macro-kernel over this thread's micro-panels of B,
//
// made triangle-aware: panels and blocks without kept elements are
// skipped, and tiles that straddle the diagonal go through a scratch tile
// of which only the kept elements are added (triMacro). C is scaled by
// beta block by block just before its first update (beta = 0 overwrites
// without reading). With sym, B is A transposed (a Gram update): the A
// blocks whose rows lie in the current B panel are packed from the packed
// panel, which is in cache, instead of from memory a second time; the
// packed values are the same.
//
// Two B buffers alternate between pc steps, so one barrier per step
// suffices: a thread that packs step s+1 into the buffer of step s-1 has
// passed the barrier of step s, which every thread reaches only after
// finishing step s-1. Every C tile is computed the same way whoever
// computes it, so the result does not depend on the number of threads.
func gemmPacked[T Float](e *engine[T], tri triMode, d int, alpha T, a, b opMat[T], beta T, c Matrix[T], sym bool, maxThreads int) {
	m, n, k := c.Rows, c.Cols, a.cols()
	if tri == triLower {
		n = min(n, m+d) // columns right of the last row's diagonal are dead
	}
	if m == 0 || n <= 0 || k == 0 {
		return
	}
	plan := planGemm(e, tri, d, m, n, k, maxThreads)
	mr, nr, kc, mc, nc := e.mr, e.nr, e.kc, e.mc, e.nc
	kcMax, ncMax := min(kc, k), min(nc, n)
	steps := ((n + nc - 1) / nc) * ((k + kc - 1) / kc)
	nbuf := 1
	if plan.nt > 1 && steps > 1 {
		nbuf = 2
	}
	bSize := packedBSize(kcMax, ncMax, nr)
	bBuf := getBuf[T](nbuf * bSize)
	defer putBuf(bBuf)
	bar := newBarrier(plan.nt)

	parallel(plan.nt, func(t int) {
		ti, tj := t%plan.tm, t/plan.tm
		mLo, mHi := plan.rows[ti], plan.rows[ti+1]
		aBuf := getBuf[T](packedASize(min(mc, mHi-mLo), kcMax, mr) + mr*nr)
		defer putBuf(aBuf)
		aPack, tmp := (*aBuf)[:len(*aBuf)-mr*nr], (*aBuf)[len(*aBuf)-mr*nr:]
		step := 0
		for jc := 0; jc < n; jc += nc {
			nb := min(nc, n-jc)
			if !tileRangeLive(tri, 0, m, jc, nb, d) {
				continue
			}
			nPanels := (nb + nr - 1) / nr
			s0, s1 := split(nPanels, plan.tn, tj) // micro-panels this thread computes
			p0, p1 := split(nPanels, plan.nt, t)  // micro-panels this thread packs
			j0, j1 := s0*nr, min(s1*nr, nb)
			for pc := 0; pc < k; pc += kc {
				kb := min(kc, k-pc)
				bPack := (*bBuf)[step%nbuf*bSize:]
				packPanelB(bPack, b.m, Transpose(b.t), pc, kb, jc, nb, nr, p0, p1)
				bar.wait()
				for ic := mLo; ic < mHi && s0 < s1; ic += mc {
					mb := min(mc, mHi-ic)
					if !tileRangeLive(tri, ic, mb, jc+j0, j1-j0, d) {
						continue
					}
					cBlock := c.View(ic, jc, mb, nb)
					if pc == 0 {
						scaleKept(tri, d+ic-jc-j0, cBlock.View(0, j0, mb, j1-j0), beta)
					}
					if sym && ic >= jc && ic+mb <= jc+nb {
						packAFromB(aPack, bPack, alpha, ic-jc, mb, kb, mr, nr)
					} else {
						packBlockA(aPack, a.m, Transpose(a.t), alpha, ic, mb, pc, kb, mr)
					}
					e.triMacro(tri, d+ic-jc, kb, aPack, bPack, cBlock, s0, s1, tmp)
				}
				step++
			}
		}
	})
}
