package asm

// Panic messages of the tile packers.
const (
	errTileRows = "asm: rows outside [0, MR]"
	errTileCols = "asm: cols outside [0, NR]"
	errTileDst  = "asm: packed micro-panel shorter than MR*kb (NR*kb)"
	errTileSrc  = "asm: source shorter than (rows-1)*lds+kb"
)

// BlockRule is how a blocked GEMM sizes its cache blocks for a kernel
// (BLIS notation: KC the depth of the packed panels, MC the rows of a
// packed block of A). Each tile carries the rule measured for its
// instruction set; package linalg applies it to the cache sizes of the
// machine.
type BlockRule struct {
	// KCL1 sets KC: the micro-panels of depth KC take KCL1 times the L1D,
	// counting the A and the B micro-panel when KCBoth, the B micro-panel
	// alone otherwise.
	KCL1   float64
	KCBoth bool
	// AL2 is the share of the L2 that a packed A block (MC x KC) takes.
	AL2 float64
	// CholeskyMax is the widest column block of a blocked Cholesky
	// factorization (0: 192, the block of the L1 rule). Wider blocks put
	// more of the n^3/3 flops in the trailing update, whose GEMM runs
	// fastest, and make the serial panel work a larger share: they pay on
	// large matrices only.
	CholeskyMax int
}

var (
	// ruleL1 is the analytical model of BLIS (Low et al. 2016): an A and a
	// B micro-panel fill about the L1D, so the B micro-panel stays in L1
	// while the A micro-panels stream from the packed A block, which fills
	// half the L2. Measured on Zen 3 (AVX2).
	ruleL1 = BlockRule{KCL1: 1, KCBoth: true, AL2: 0.5}
	// ruleL2 is for kernels that run at full speed with their panels in
	// L2, as the AVX-512 kernels do on Intel server cores: a deep KC (the
	// B micro-panel twice the L1D) makes the read and write of C per KC
	// step rare, and the packed A block takes under a third of the L2,
	// leaving room for the B micro-panels and the C rows streaming
	// through. On an Intel Xeon (model 167, L1D 48 KiB, L2 2 MiB;
	// 2026-12-06), DGEMM n = 2048 and 4096 on one core ran 14-20% faster
	// with KC 384-512 and MC 160-320 than with ruleL1's KC 192, MC 680, and
	// SGEMM n = 2048 11% faster with KC 512, MC 320 than with KC 208, MC
	// 1024.
	// With that deep KC, a Cholesky column block of 384 instead of 192 ran
	// DPOTRF n = 4000 on two cores 5-18% faster (5 interleaved pairs of
	// spurious bench, median 1.09x); at n = 1000-3000 wider blocks were no
	// faster (see linalg's choleskyBlock).
	ruleL2 = BlockRule{KCL1: 2, AL2: 0.3, CholeskyMax: 384}
	// ruleL2F32 is ruleL2 with a smaller A block, for the 8x48 float32
	// AVX-512 tile: on the same Xeon, with the B micro-panel prefetch,
	// SGEMM 2048 and 4096 ran 3-7% faster with MC 152-200 (A block 0.15-0.2
	// of the L2) than with 304.
	ruleL2F32 = BlockRule{KCL1: 2, AL2: 0.2, CholeskyMax: 384}
)

// PackA packs alpha times the rows x kb block whose rows are src[0:kb],
// src[lds:lds+kb], … (rows <= MR) into dst as one A micro-panel of this
// tile, the rows past rows as zeros:
//
//	for p := 0; p < kb; p++ {
//		for i := 0; i < t.MR; i++ {
//			dst[p*t.MR+i] = 0 // alpha * src[i*lds+p] for i < rows
//		}
//	}
//
// with the tile's fastest packer for full panels (PackA6 for 6-row tiles,
// PackT8 for 8-row tiles when alpha = 1). Every packer computes the same
// products, so the result does not depend on which runs. It moves MR*kb
// elements and panics if rows is outside [0, MR] or a slice is too short.
func (t Tile[T]) PackA(dst, src []T, lds, rows int, alpha T, kb int) {
	packA(t.MR, dst, src, lds, rows, alpha, kb)
}

// PackBT packs the transpose of the cols x kb block whose rows are
// src[0:kb], src[lds:lds+kb], … (cols <= NR) into dst as one B
// micro-panel of this tile, the columns past cols as zeros:
//
//	for p := 0; p < kb; p++ {
//		for j := 0; j < t.NR; j++ {
//			dst[p*t.NR+j] = 0 // src[j*lds+p] for j < cols
//		}
//	}
//
// transposing groups of 8 full columns in registers where the path can
// (PackT8). It moves NR*kb elements and panics if cols is outside [0, NR]
// or a slice is too short.
func (t Tile[T]) PackBT(dst, src []T, lds, cols, kb int) { packBT(t.NR, dst, src, lds, cols, kb) }

// packStrip is the length of the strips in which packA and packBT read the
// rows of a micro-panel in turn: a few cache lines per row, so that all
// the rows stream at once (reading one long row after the other left the
// loads waiting on one stream; measured 2-3x slower on Zen 3).
const packStrip = 32

func checkTilePack(n, lenDst, lenSrc, lds, rows, kb int, errRows string) bool {
	if rows < 0 || rows > n {
		panic(errRows)
	}
	if kb < 0 {
		panic(errPackKb)
	}
	if kb == 0 {
		return false
	}
	if lenDst < n*kb {
		panic(errTileDst)
	}
	if rows > 0 && (lds < 0 || lenSrc < (rows-1)*lds+kb) {
		panic(errTileSrc)
	}
	return true
}

func packA[T float32 | float64](mr int, dst, src []T, lds, rows int, alpha T, kb int) {
	if !checkTilePack(mr, len(dst), len(src), lds, rows, kb, errTileRows) {
		return
	}
	switch {
	case rows == 6 && mr == 6:
		PackA6(dst, src, lds, alpha, kb)
		return
	case rows == 8 && mr == 8:
		// Transposing first and scaling the packed panel (in L1) after
		// is 3-4x faster than packStrips, and the same alpha*v.
		PackT8(dst, src, lds, 8, kb)
		if alpha != 1 {
			scale(dst[:8*kb], alpha)
		}
		return
	}
	packStrips(mr, dst, src, lds, rows, alpha, kb)
}

func packBT[T float32 | float64](nr int, dst, src []T, lds, cols, kb int) {
	if !checkTilePack(nr, len(dst), len(src), lds, cols, kb, errTileCols) {
		return
	}
	if cols == nr && nr%8 == 0 {
		for h := 0; h < nr; h += 8 {
			PackT8(dst[h:], src[h*lds:], lds, nr, kb)
		}
		return
	}
	packStrips(nr, dst, src, lds, cols, 1, kb) // 1*v == v, bit for bit
}

// packStrips sets dst[p*n+i] = alpha*src[i*lds+p] for i < rows and 0 for
// rows <= i < n, p < kb, reading the rows in turn in strips of packStrip.
func packStrips[T float32 | float64](n int, dst, src []T, lds, rows int, alpha T, kb int) {
	for pb := 0; pb < kb; pb += packStrip {
		pe := min(pb+packStrip, kb)
		for i := 0; i < rows; i++ {
			d := dst[pb*n+i:]
			for p, v := range src[i*lds+pb : i*lds+pe] {
				d[p*n] = alpha * v
			}
		}
	}
	if rows < n {
		for p := 0; p < kb; p++ {
			clear(dst[p*n+rows : p*n+n])
		}
	}
}
