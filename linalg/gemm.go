package linalg

import "unsafe"

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
	kern := newKernel[T]()
	gemmPacked(&kern, tA, tB, alpha, a, b, beta, c, m, n, k)
}

// gemmPlan is how one Gemm call is cut: block sizes and the grid of
// threads, tm along m times tn along n.
type gemmPlan struct {
	blocking
	nt, tm, tn int
}

// planGemm picks the block sizes and the thread grid for an m x n x k
// product on kernel kern.
func planGemm[T Float](kern *kernel[T], m, n, k int) gemmPlan {
	p := gemmPlan{blocking: blockSizes(kern.mr, kern.nr, int(unsafe.Sizeof(T(0))))}
	mPanels := (m + kern.mr - 1) / kern.mr
	nPanels := (min(n, p.nc) + kern.nr - 1) / kern.nr
	nt := Threads()
	if 2*float64(m)*float64(n)*float64(k) < parallelMinFlops {
		nt = 1
	}
	nt = max(min(nt, mPanels*nPanels), 1)
	// Choose tm*tn = nt by the largest per-thread share of the C tiles of
	// one NC panel. Splitting m packs each block of A once (splitting n
	// packs it in every thread of a column), so the largest tm whose share
	// is within 10% of the best wins.
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
	for tm := nt; tm >= 1; tm-- {
		if nt%tm == 0 && 10*share(tm) <= 11*best {
			p.tm, p.tn = tm, nt/tm
			break
		}
	}
	p.nt = nt
	return p
}

// split returns the half-open range of part t when count items are cut
// into parts nearly equal pieces.
func split(count, parts, t int) (lo, hi int) {
	return count * t / parts, count * (t + 1) / parts
}

// gemmPacked is Gemm after the quick returns: the BLIS loop nest
//
//	jc (NC columns of C) -> pc (KC) -> pack B panel (all threads, shared)
//	  -> barrier -> ic (MC rows, this thread's range) -> pack A block
//	  -> macro-kernel over this thread's micro-panels of B.
//
// Two B buffers alternate between pc steps, so one barrier per step
// suffices: a thread that packs step s+1 into the buffer of step s-1 has
// passed the barrier of step s, which every thread reaches only after
// finishing step s-1. C is scaled by beta block by block just before its
// first update.
func gemmPacked[T Float](kern *kernel[T], tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c Matrix[T], m, n, k int) {
	plan := planGemm(kern, m, n, k)
	mr, nr := kern.mr, kern.nr
	kc, mc, nc := plan.kc, plan.mc, plan.nc
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
	mPanels := (m + mr - 1) / mr

	parallel(plan.nt, func(t int) {
		ti, tj := t%plan.tm, t/plan.tm
		lo, hi := split(mPanels, plan.tm, ti)
		mLo, mHi := lo*mr, min(hi*mr, m)
		aBuf := getBuf[T](packedASize(min(mc, mHi-mLo), kcMax, mr) + mr*nr)
		defer putBuf(aBuf)
		aPack, tmp := (*aBuf)[:len(*aBuf)-mr*nr], (*aBuf)[len(*aBuf)-mr*nr:]
		step := 0
		for jc := 0; jc < n; jc += nc {
			nb := min(nc, n-jc)
			nPanels := (nb + nr - 1) / nr
			s0, s1 := split(nPanels, plan.tn, tj) // micro-panels this thread computes
			p0, p1 := split(nPanels, plan.nt, t)  // micro-panels this thread packs
			j0, j1 := s0*nr, min(s1*nr, nb)
			for pc := 0; pc < k; pc += kc {
				kb := min(kc, k-pc)
				bPack := (*bBuf)[step%nbuf*bSize:]
				packPanelB(bPack, b, tB, pc, kb, jc, nb, nr, p0, p1)
				bar.wait()
				for ic := mLo; ic < mHi && s0 < s1; ic += mc {
					mb := min(mc, mHi-ic)
					cBlock := c.View(ic, jc, mb, nb)
					if pc == 0 {
						scaleBlock(cBlock.View(0, j0, mb, j1-j0), beta)
					}
					packBlockA(aPack, a, tA, alpha, ic, mb, pc, kb, mr)
					kern.macro(kb, aPack, mb, bPack, nb, s0, s1, cBlock, tmp)
				}
				step++
			}
		}
	})
}
