package asm

import "slices"

// gemmVariant is one micro-kernel compiled into this test binary, called
// directly (no dispatch), so variants can be tested in parallel.
type gemmVariant[T float32 | float64] struct {
	name      string // ISA name, as Active reports it
	available bool   // the CPU runs it (hasISA)
	mr, nr    int    // tile
	unroll    int    // k steps per main-loop trip (1 for plain loops)
	fn        func(kc int, a, b, c []T, ldc int)
}

type (
	gemmF64Variant = gemmVariant[float64]
	gemmF32Variant = gemmVariant[float32]
)

// The variant tables start with the plain-Go kernels; per-architecture
// files (variants_<goarch>_test.go, gc && !purego) append their SIMD
// kernels in init, for example
//
//	gemmF64Variants = append(gemmF64Variants, gemmF64Variant{NEON, hasISA(NEON), 8, 6, 4, fn})
//
// where fn adapts the asm symbol to slices with unsafe.SliceData (kc may be
// 0 and the slices empty).
var (
	gemmF64Variants = []gemmF64Variant{{Generic, true, genericMR, genericNR, 1, gemm2x3Generic[float64]}}
	gemmF32Variants = []gemmF32Variant{{Generic, true, genericMR, genericNR, 1, gemm2x3Generic[float32]}}
)

// hasISA reports whether the CPU and build run the named path, whatever
// path is selected now (SPURIOUS_ISA may have forced a weaker one). The
// package's init, which registers the paths, runs before the test files'.
func hasISA(name string) bool { return slices.Contains(Available(), name) }
