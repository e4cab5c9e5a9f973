package linalg

import "sync/atomic"

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
	gemm(newEngine[T](), tA, tB, alpha, a, b, beta, c)
}

// gemm is Gemm on engine e.
func gemm[T Float](e *engine[T], tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c Matrix[T]) {
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
	gemmPacked(e, triFull, 0, alpha, opMat[T]{a, bool(tA)}, opMat[T]{b, bool(tB)}, beta, c, false, e.threads())
}

// gemmPlan is how one product is cut between threads. A full product
// uses a static grid: tm row ranges (bounds in rows, multiples of MR
// except the last) times tn column ranges of each NC panel, nt = tm*tn
// threads. A triangular one on nt > 1 threads hands out blocks of dynRows
// rows from a shared counter at every KC step instead: the kept work of
// the step's NC panel is unevenly spread over the rows, and ranges
// balanced over the whole triangle leave threads idle at the step's
// barrier (SYRK n = 2000 on two threads: 1.3x faster than such ranges).
type gemmPlan struct {
	nt, tm, tn int
	rows       []int
	dynRows    int // 0: the static grid
}

// dynamicRows returns the height of the row blocks of a dynamic split of m
// rows between nt threads: MC when every thread gets at least four, else
// smaller, a multiple of MR.
func dynamicRows(m, mc, mr, nt int) int {
	if m >= 4*nt*mc {
		return mc
	}
	return min(mc, max(mr, roundUp((m+4*nt-1)/(4*nt), mr)))
}

// planGemm picks the thread grid for C (m x n) += op(A)*op(B) with inner
// dimension k on the elements tri keeps with diagonal offset d, on at most
// maxThreads goroutines. A triangular update splits rows only, in blocks
// handed out at run time (see gemmPlan); a full one chooses tm*tn = nt by
// the largest per-thread share of the C tiles of one NC panel. Splitting
// m packs each block of A once (splitting n packs it in every thread of a
// column), so the largest tm whose share is within 10% of the best wins.
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
		if nt = max(min(nt, mPanels), 1); nt == 1 {
			return gemmPlan{nt: 1, tm: 1, tn: 1, rows: []int{0, m}}
		}
		return gemmPlan{nt: nt, tm: nt, tn: 1, dynRows: dynamicRows(m, e.mc, mr, nt)}
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
//	  -> barrier -> ic (MC rows of this thread's range, or row blocks
//	     taken from the step's counter) -> pack A block
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
// finishing step s-1, and a row block of step s is taken only after that
// barrier, so no two threads touch a block of C at once. A product of two
// steps (k <= 2*KC in one NC panel, as the RF trial's) uses one buffer and
// a second barrier before packing its second step instead: the packed
// panels are pooled between calls, and at KC 512 a second buffer kept 25
// MB more resident in a paper-size RF trial. Every C tile is
// computed the same way whoever computes it, so the result does not
// depend on the number of threads or on which thread takes which block.
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
	if plan.nt > 1 && steps > 2 {
		nbuf = 2
	}
	bSize := packedBSize(kcMax, ncMax, nr)
	bBuf := getBuf[T](nbuf * bSize)
	defer putBuf(bBuf)
	bar := newBarrier(plan.nt)
	// With dynamic rows, next[step] counts the row blocks taken in a step.
	var next []atomic.Int64
	dynBlocks := 0
	if plan.dynRows > 0 {
		next = make([]atomic.Int64, steps)
		dynBlocks = (m + plan.dynRows - 1) / plan.dynRows
	}

	parallel(plan.nt, func(t int) {
		ti, tj := t%plan.tm, t/plan.tm
		var mLo, mHi, blockRows int
		if plan.dynRows > 0 {
			blockRows = plan.dynRows
		} else {
			mLo, mHi = plan.rows[ti], plan.rows[ti+1]
			blockRows = min(mc, mHi-mLo)
		}
		aBuf := getBuf[T](packedASize(blockRows, kcMax, mr) + mr*nr)
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
				if nbuf == 1 && step > 0 {
					bar.wait() // every thread is done with the previous step's panel
				}
				e.packPanelB(bPack, b.m, Transpose(b.t), pc, kb, jc, nb, p0, p1)
				bar.wait()
				block := func(ic, mb int) {
					if !tileRangeLive(tri, ic, mb, jc+j0, j1-j0, d) {
						return
					}
					cBlock := c.View(ic, jc, mb, nb)
					if pc == 0 {
						scaleKept(tri, d+ic-jc-j0, cBlock.View(0, j0, mb, j1-j0), beta)
					}
					if sym && ic >= jc && ic+mb <= jc+nb {
						packAFromB(aPack, bPack, alpha, ic-jc, mb, kb, mr, nr)
					} else {
						e.packBlockA(aPack, a.m, Transpose(a.t), alpha, ic, mb, pc, kb)
					}
					e.triMacro(tri, d+ic-jc, kb, aPack, bPack, cBlock, s0, s1, tmp)
				}
				if plan.dynRows > 0 {
					// next[step] counts the blocks taken. The kept work grows
					// away from the first row (lower) or towards it (upper):
					// the biggest blocks go first, so the last ones are small.
					for {
						i := int(next[step].Add(1)) - 1
						if i >= dynBlocks {
							break
						}
						if tri == triLower {
							i = dynBlocks - 1 - i
						}
						block(i*plan.dynRows, min(plan.dynRows, m-i*plan.dynRows))
					}
				} else {
					for ic := mLo; ic < mHi && s0 < s1; ic += mc {
						block(ic, min(mc, mHi-ic))
					}
				}
				step++
			}
		}
	})
}
