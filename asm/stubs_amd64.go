//go:build gc && !purego

package asm

import (
	"golang.org/x/sys/cpu"

	"github.com/spurious-ml/spurious/internal/impl"
)

// Dispatch flags, set at start-up from x/sys/cpu (which honours GODEBUG and
// checks OS support) and switched by internal/impl.
var useAVX2, useAVX512 bool

func registerPaths() {
	impl.Register(AVX2, cpu.X86.HasAVX2 && cpu.X86.HasFMA, &useAVX2)
	impl.Register(AVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA, &useAVX512)
}

func activeID() kernelID {
	switch {
	case useAVX512:
		return idAVX512
	case useAVX2:
		return idAVX2
	}
	return idGeneric
}

// Tuning constants of the amd64 kernels: the one place to change them. The
// assembly reads them through go_asm.h (as const_<name>).
//
// The tile shapes fill the register file: AVX2 has 16 ymm registers, 12 hold
// the 6x8 (float64) or 6x16 (float32) accumulators, 2 a row of B and 2 the
// broadcasts of A. AVX-512 has 32 zmm registers, 24 hold the 8x24 (float64)
// or 8x48 (float32) accumulators, 3 a row of B and 5 the broadcasts of A.
// Changing a tile shape means rewriting its kernel's register map; changing
// kUnrollAMD64 means repeating the step macro that many times in the main
// loops (avx2_amd64.s, avx512_amd64.s); prefetchA only needs a rebuild.
const (
	mrAVX2F64, nrAVX2F64     = 6, 8
	mrAVX2F32, nrAVX2F32     = 6, 16
	mrAVX512F64, nrAVX512F64 = 8, 24
	mrAVX512F32, nrAVX512F32 = 8, 48

	// kUnrollAMD64 is the number of k steps per trip of a kernel's main
	// loop; a one-step loop finishes the remaining kc mod kUnrollAMD64.
	kUnrollAMD64 = 4
	// prefetchA is how many bytes ahead of the current position in the
	// packed A panel the main loops prefetch (PREFETCHT0), each cache line
	// once. On the Zen 3 used for tuning, distances 0-1024 were within noise
	// (hardware prefetch covers the sequential panel); 512 is kept for
	// cores whose prefetcher lags.
	prefetchA = 512
)

// Tiles of the amd64 kernels, with their block rules (tile.go): the
// AVX-512 kernels run at full speed from L2 (ruleL2), the AVX2 kernels
// want their B micro-panel in L1 (ruleL1).
var (
	tileAVX2F64   = TileF64{MR: mrAVX2F64, NR: nrAVX2F64, ISA: AVX2, Rule: ruleL1, id: idAVX2}
	tileAVX2F32   = TileF32{MR: mrAVX2F32, NR: nrAVX2F32, ISA: AVX2, Rule: ruleL1, id: idAVX2}
	tileAVX512F64 = TileF64{MR: mrAVX512F64, NR: nrAVX512F64, ISA: AVX512, Rule: ruleL2, id: idAVX512}
	tileAVX512F32 = TileF32{MR: mrAVX512F32, NR: nrAVX512F32, ISA: AVX512, Rule: ruleL2F32, id: idAVX512}
)

// gemm6x8F64AVX2 is gemmTileGeneric(6, 8, kc, a, b, c, ldc) using AVX2
// and FMA, with C's rows at c, c+ldc, …, for each of tiles tiles stacked
// in a column (A panels 6*kc apart, C tiles 6 rows apart); kc and tiles
// may be 0. Requires useAVX2.
//
//go:noescape
func gemm6x8F64AVX2(kc int, a, b, c *float64, ldc, tiles int)

// gemm6x16F32AVX2 is gemmTileGeneric(6, 16, …) using AVX2 and FMA, for
// a column of tiles as gemm6x8F64AVX2. Requires useAVX2.
//
//go:noescape
func gemm6x16F32AVX2(kc int, a, b, c *float32, ldc, tiles int)

// gemm8x24F64AVX512 is gemmTileGeneric(8, 24, …) using AVX-512F, for
// a column of tiles as gemm6x8F64AVX2. Requires useAVX512.
//
//go:noescape
func gemm8x24F64AVX512(kc int, a, b, c *float64, ldc, tiles int)

// gemm8x48F32AVX512 is gemmTileGeneric(8, 48, …) using AVX-512F, for
// a column of tiles. Requires useAVX512.
//
//go:noescape
func gemm8x48F32AVX512(kc int, a, b, c *float32, ldc, tiles int)

// packA6F64AVX2 is PackA6 (float64) for the first 4*quads columns (quads >= 0),
// on checked slices. Requires useAVX2.
//
//go:noescape
func packA6F64AVX2(dst, src *float64, lds int, alpha float64, quads int)

// packA6F64 packs the columns the AVX2 path packs four at a time and
// returns how many it packed (0 on other paths); PackA6 does the rest.
func packA6F64(dst, src []float64, lds int, alpha float64, kb int) int {
	if !useAVX2 || kb < 4 {
		return 0
	}
	packA6F64AVX2(&dst[0], &src[0], lds, alpha, kb/4)
	return kb / 4 * 4
}

// packA6F32AVX2 is PackA6 (float32) for the first 8*octs columns (octs >=
// 0), on checked slices; it also overwrites the two elements after them.
// Requires useAVX2.
//
//go:noescape
func packA6F32AVX2(dst, src *float32, lds int, alpha float32, octs int)

// packA6F32 is packA6F64 for float32, eight columns at a time, leaving at
// least the last column to PackA6 (the assembly writes two elements past
// the columns it packs, which the next column then overwrites).
func packA6F32(dst, src []float32, lds int, alpha float32, kb int) int {
	if !useAVX2 || kb < 9 {
		return 0
	}
	octs := (kb - 1) / 8
	packA6F32AVX2(&dst[0], &src[0], lds, alpha, octs)
	return octs * 8
}

// packT8F64AVX2 is PackT8 (float64) for the first 4*quads columns (quads
// >= 0), on checked slices. Requires useAVX2.
//
//go:noescape
func packT8F64AVX2(dst, src *float64, lds, ldd, quads int)

// packT8F64 packs the columns the AVX2 path packs four at a time and
// returns how many it packed (0 on other paths); PackT8 does the rest.
func packT8F64(dst, src []float64, lds, ldd, kb int) int {
	if !useAVX2 || kb < 4 {
		return 0
	}
	packT8F64AVX2(&dst[0], &src[0], lds, ldd, kb/4)
	return kb / 4 * 4
}

// packT8F32AVX2 is PackT8 (float32) for the first 8*octs columns (octs >=
// 0), on checked slices. Requires useAVX2.
//
//go:noescape
func packT8F32AVX2(dst, src *float32, lds, ldd, octs int)

// packT8F32 is packT8F64 for float32, eight columns at a time.
func packT8F32(dst, src []float32, lds, ldd, kb int) int {
	if !useAVX2 || kb < 8 {
		return 0
	}
	packT8F32AVX2(&dst[0], &src[0], lds, ldd, kb/8)
	return kb / 8 * 8
}

// scaleF64AVX2 multiplies the first 4*quads elements at x by alpha (quads
// >= 0), on a checked slice. Requires useAVX2.
//
//go:noescape
func scaleF64AVX2(x *float64, alpha float64, quads int)

// scaleF64 scales the elements the AVX2 path scales four at a time and
// returns how many it scaled (0 on other paths); scale does the rest.
func scaleF64(x []float64, alpha float64) int {
	if !useAVX2 || len(x) < 4 {
		return 0
	}
	scaleF64AVX2(&x[0], alpha, len(x)/4)
	return len(x) / 4 * 4
}

// scaleF32AVX2 is scaleF64AVX2 for float32, eight elements at a time.
//
//go:noescape
func scaleF32AVX2(x *float32, alpha float32, octs int)

// scaleF32 is scaleF64 for float32.
func scaleF32(x []float32, alpha float32) int {
	if !useAVX2 || len(x) < 8 {
		return 0
	}
	scaleF32AVX2(&x[0], alpha, len(x)/8)
	return len(x) / 8 * 8
}

// fmaLoopAVX2 is fmaLoopGeneric on 12 ymm registers (4 float64 lanes each).
// Requires useAVX2.
//
//go:noescape
func fmaLoopAVX2(iters int)

// fmaLoopAVX512 is fmaLoopGeneric on 12 zmm registers (8 float64 lanes each).
// Requires useAVX512.
//
//go:noescape
func fmaLoopAVX512(iters int)

func tileF64(id kernelID) TileF64 {
	switch id {
	case idAVX512:
		return tileAVX512F64
	case idAVX2:
		return tileAVX2F64
	}
	return tileGenericF64
}

func tileF32(id kernelID) TileF32 {
	switch id {
	case idAVX512:
		return tileAVX512F32
	case idAVX2:
		return tileAVX2F32
	}
	return tileGenericF32
}

// mulAddF64 runs the kernel a tile was made for. The id, not the current
// flags, decides, so a tile keeps its geometry and kernel for a whole
// operation; ids of paths the CPU lacks are never handed out.
func mulAddF64(id kernelID, kc int, a, b, c *float64, ldc int) {
	switch id {
	case idAVX512:
		gemm8x24F64AVX512(kc, a, b, c, ldc, 1)
	case idAVX2:
		gemm6x8F64AVX2(kc, a, b, c, ldc, 1)
	default:
		mulAddGeneric(kc, a, b, c, ldc)
	}
}

// mulAddColumnF64 runs a column of tiles (Tile.MulAddColumn) in one
// assembly call.
func mulAddColumnF64(id kernelID, mr, kc int, a, b, c *float64, ldc, tiles int) {
	switch id {
	case idAVX512:
		gemm8x24F64AVX512(kc, a, b, c, ldc, tiles)
	case idAVX2:
		gemm6x8F64AVX2(kc, a, b, c, ldc, tiles)
	default:
		columnLoop(id, mr, kc, a, b, c, ldc, tiles)
	}
}

func mulAddF32(id kernelID, kc int, a, b, c *float32, ldc int) {
	switch id {
	case idAVX512:
		gemm8x48F32AVX512(kc, a, b, c, ldc, 1)
	case idAVX2:
		gemm6x16F32AVX2(kc, a, b, c, ldc, 1)
	default:
		mulAddGeneric(kc, a, b, c, ldc)
	}
}

// mulAddColumnF32 is mulAddColumnF64 for float32.
func mulAddColumnF32(id kernelID, mr, kc int, a, b, c *float32, ldc, tiles int) {
	switch id {
	case idAVX512:
		gemm8x48F32AVX512(kc, a, b, c, ldc, tiles)
	case idAVX2:
		gemm6x16F32AVX2(kc, a, b, c, ldc, tiles)
	default:
		columnLoop(id, mr, kc, a, b, c, ldc, tiles)
	}
}

// fmaLoop runs FMALoop on the widest vectors of the active path.
func fmaLoop(iters int) float64 {
	switch {
	case useAVX512:
		fmaLoopAVX512(iters)
		return float64(iters) * fmaChains * 8 * 2
	case useAVX2:
		fmaLoopAVX2(iters)
		return float64(iters) * fmaChains * 4 * 2
	}
	return fmaLoopGeneric(iters)
}
