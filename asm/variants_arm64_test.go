//go:build gc && !purego

package asm

import "unsafe"

func init() {
	gemmF64Variants = append(gemmF64Variants,
		gemmF64Variant{NEON, hasISA(NEON), neonF64MR, neonF64NR, neonKUnroll,
			func(kc int, a, b, c []float64, ldc int) {
				gemm8x4F64NEON(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, 1)
			}})
	gemmF32Variants = append(gemmF32Variants,
		gemmF32Variant{NEON, hasISA(NEON), neonF32MR, neonF32NR, neonKUnroll,
			func(kc int, a, b, c []float32, ldc int) {
				gemm8x8F32NEON(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, 1)
			}})
}
