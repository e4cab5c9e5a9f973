//go:build gc && !purego

package asm

import "unsafe"

func init() {
	gemmF64Variants = append(gemmF64Variants,
		gemmF64Variant{AVX2, hasISA(AVX2), mrAVX2F64, nrAVX2F64, kUnrollAMD64,
			func(kc int, a, b, c []float64, ldc int) {
				gemm6x8F64AVX2(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, 1)
			}},
		gemmF64Variant{AVX512, hasISA(AVX512), mrAVX512F64, nrAVX512F64, kUnrollAMD64,
			func(kc int, a, b, c []float64, ldc int) {
				gemm8x24F64AVX512(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, 1)
			}})
	gemmF32Variants = append(gemmF32Variants,
		gemmF32Variant{AVX2, hasISA(AVX2), mrAVX2F32, nrAVX2F32, kUnrollAMD64,
			func(kc int, a, b, c []float32, ldc int) {
				gemm6x16F32AVX2(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, 1)
			}},
		gemmF32Variant{AVX512, hasISA(AVX512), mrAVX512F32, nrAVX512F32, kUnrollAMD64,
			func(kc int, a, b, c []float32, ldc int) {
				gemm8x48F32AVX512(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, 1)
			}})
}
