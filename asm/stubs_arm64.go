//go:build gc && !purego

package asm

import "github.com/spurious-ml/spurious/internal/impl"

// useNEON is the dispatch flag of the NEON kernels (Advanced SIMD is part of
// the arm64 baseline), switched by internal/impl.
var useNEON bool

func registerPaths() { impl.Register(NEON, true, &useNEON) }

func activeID() kernelID {
	if useNEON {
		return idNEON
	}
	return idGeneric
}

// Tile geometry of the NEON kernels (neon_arm64.s). Both keep 16 vector
// accumulators (8 rows x 2 registers) in V16-V31 and broadcast the 8 values
// of an A column with two VLD4R, so one k step is 1 VLD1 of B, 2 VLD4R of A
// and 16 VFMLA: float64 8x4 (2 lanes per register), float32 8x8 (4 lanes).
// That is 3 load instructions per 16 VFMLA, below what the FMA pipes of
// common cores (2 FMA, 2-3 load pipes) need to stay busy; a 4x8 float64
// tile would save one load per step but give float64 and float32 different
// register plans and MR. 16 accumulators plus 10 operand registers leave 6
// of the 32 free. The choice is reasoned, not measured: no arm64 hardware
// was at hand, and qemu timings say nothing about it.
//
// neonKShift is the log2 of the k steps per trip of the kernels' main loop
// (the loop bodies in neon_arm64.s repeat the step that many times); a
// one-step loop finishes the remaining kc mod neonKUnroll steps.
const (
	neonF64MR = 8
	neonF64NR = 4
	neonF32MR = 8
	neonF32NR = 8

	neonKShift  = 2
	neonKUnroll = 1 << neonKShift
)

var (
	tileNEONF64 = TileF64{MR: neonF64MR, NR: neonF64NR, ISA: NEON, Rule: ruleL1, id: idNEON}
	tileNEONF32 = TileF32{MR: neonF32MR, NR: neonF32NR, ISA: NEON, Rule: ruleL1, id: idNEON}
)

// gemm8x4F64NEON adds the product of the packed 8 x kc panel a and kc x 4
// panel b to the 8x4 tile of c with row stride ldc (elements), for each of
// tiles tiles stacked in a column (A panels 8*kc apart, C tiles 8 rows
// apart). kc, tiles >= 0 and every pointer must cover its panels (kc = 0
// or tiles = 0 touches nothing); nothing is checked. 64*kc flops per tile.
//
//go:noescape
func gemm8x4F64NEON(kc int, a, b, c *float64, ldc, tiles int)

// gemm8x8F32NEON is gemm8x4F64NEON for float32 with an 8x8 tile. 128*kc
// flops per tile.
//
//go:noescape
func gemm8x8F32NEON(kc int, a, b, c *float32, ldc, tiles int)

// fmaLoopNEON is fmaLoopGeneric on 12 128-bit registers (2 float64 lanes
// each); iters must be >= 0.
//
//go:noescape
func fmaLoopNEON(iters int)

func tileF64(id kernelID) TileF64 {
	if id == idNEON {
		return tileNEONF64
	}
	return tileGenericF64
}

func tileF32(id kernelID) TileF32 {
	if id == idNEON {
		return tileNEONF32
	}
	return tileGenericF32
}

func mulAddF64(id kernelID, kc int, a, b, c *float64, ldc int) {
	if id == idNEON {
		gemm8x4F64NEON(kc, a, b, c, ldc, 1)
		return
	}
	mulAddGeneric(kc, a, b, c, ldc)
}

func mulAddF32(id kernelID, kc int, a, b, c *float32, ldc int) {
	if id == idNEON {
		gemm8x8F32NEON(kc, a, b, c, ldc, 1)
		return
	}
	mulAddGeneric(kc, a, b, c, ldc)
}

// mulAddColumnF64 runs a column of tiles in one NEON call (tile by tile
// on the generic path).
func mulAddColumnF64(id kernelID, mr, kc int, a, b, c *float64, ldc, tiles int) {
	if id == idNEON {
		gemm8x4F64NEON(kc, a, b, c, ldc, tiles)
		return
	}
	columnLoop(id, mr, kc, a, b, c, ldc, tiles)
}

func mulAddColumnF32(id kernelID, mr, kc int, a, b, c *float32, ldc, tiles int) {
	if id == idNEON {
		gemm8x8F32NEON(kc, a, b, c, ldc, tiles)
		return
	}
	columnLoop(id, mr, kc, a, b, c, ldc, tiles)
}

// fmaLoop runs FMALoop on the 128-bit NEON registers when the NEON path is
// active (12 chains x 2 float64 lanes x 2 flops per iteration).
func fmaLoop(iters int) float64 {
	if useNEON {
		fmaLoopNEON(iters)
		return float64(iters) * fmaChains * 2 * 2
	}
	return fmaLoopGeneric(iters)
}

// packA6F64 and packA6F32 have no assembly here: PackA6 packs every
// column in Go.
func packA6F64(dst, src []float64, lds int, alpha float64, kb int) int { return 0 }

func packA6F32(dst, src []float32, lds int, alpha float32, kb int) int { return 0 }

// packT8F64 and packT8F32 have no assembly here: PackT8 packs every
// column in Go.
func packT8F64(dst, src []float64, lds, ldd, kb int) int { return 0 }

func packT8F32(dst, src []float32, lds, ldd, kb int) int { return 0 }

// scaleF64 and scaleF32 have no assembly here: scale multiplies every
// element in Go.
func scaleF64(x []float64, alpha float64) int { return 0 }

func scaleF32(x []float32, alpha float32) int { return 0 }
