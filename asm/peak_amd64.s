//go:build gc && !purego

// Hand-written. Go equivalent: fmaLoopGeneric in peak.go. The Go wrappers in
// stubs_amd64.go count the flops (iters * 12 chains * lanes * 2).

#include "textflag.h"

// FMA12_Y issues one multiply-add on each of the 12 independent chains
// Y0..Y11: chain += Y12*Y12, with Y12 = 0. FMA12_Z is the same on zmm.
#define FMA12_Y \
	VFMADD231PD Y12, Y12, Y0;  \
	VFMADD231PD Y12, Y12, Y1;  \
	VFMADD231PD Y12, Y12, Y2;  \
	VFMADD231PD Y12, Y12, Y3;  \
	VFMADD231PD Y12, Y12, Y4;  \
	VFMADD231PD Y12, Y12, Y5;  \
	VFMADD231PD Y12, Y12, Y6;  \
	VFMADD231PD Y12, Y12, Y7;  \
	VFMADD231PD Y12, Y12, Y8;  \
	VFMADD231PD Y12, Y12, Y9;  \
	VFMADD231PD Y12, Y12, Y10; \
	VFMADD231PD Y12, Y12, Y11

// func fmaLoopAVX2(iters int)
//
//	for i := 0; i < iters; i++ {
//		x0 = math.FMA(m, m, x0) // ... x11, 4 float64 lanes each
//	}
//
// Requires: AVX, FMA3
TEXT ·fmaLoopAVX2(SB), NOSPLIT, $0-8
	MOVQ   iters+0(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	TESTQ  CX, CX
	JLE    avx2_done

avx2_loop:
	FMA12_Y
	DECQ CX
	JNZ  avx2_loop

avx2_done:
	VZEROUPPER
	RET

#define FMA12_Z \
	VFMADD231PD Z12, Z12, Z0;  \
	VFMADD231PD Z12, Z12, Z1;  \
	VFMADD231PD Z12, Z12, Z2;  \
	VFMADD231PD Z12, Z12, Z3;  \
	VFMADD231PD Z12, Z12, Z4;  \
	VFMADD231PD Z12, Z12, Z5;  \
	VFMADD231PD Z12, Z12, Z6;  \
	VFMADD231PD Z12, Z12, Z7;  \
	VFMADD231PD Z12, Z12, Z8;  \
	VFMADD231PD Z12, Z12, Z9;  \
	VFMADD231PD Z12, Z12, Z10; \
	VFMADD231PD Z12, Z12, Z11

// func fmaLoopAVX512(iters int)
//
//	for i := 0; i < iters; i++ {
//		x0 = math.FMA(m, m, x0) // ... x11, 8 float64 lanes each
//	}
//
// Requires: AVX512F
TEXT ·fmaLoopAVX512(SB), NOSPLIT, $0-8
	MOVQ   iters+0(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	TESTQ  CX, CX
	JLE    avx512_done

avx512_loop:
	FMA12_Z
	DECQ CX
	JNZ  avx512_loop

avx512_done:
	VZEROUPPER
	RET
