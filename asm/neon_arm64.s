//go:build gc && !purego

// NEON (Advanced SIMD) GEMM micro-kernels, hand-written. Requires: ASIMD
// (baseline on arm64).
//
// Register plan shared by both kernels:
//
//	R0 kc, R1 a (packed, post-incremented), R2 b (packed, post-incremented),
//	R3 c, R4 ldc in bytes, R5 C row pointer, R6 main-loop count, R7 tail count,
//	R8 start of the B panel and R9 tiles left (for a column of tiles).
//	V0-V1   one row of the B panel (NR elements)
//	V2-V9   the MR = 8 values of one A column, each broadcast to all lanes
//	        (two VLD4R: 4 consecutive elements, each replicated to a register)
//	V16-V31 the accumulators: C row i lives in V(16+2i) (left half of the
//	        row) and V(17+2i) (right half)
//	V0-V15  reused at the end to load the C tile
//
// R18, R27, R28 (g) and R29 (frame pointer) are reserved and not touched.
//
// The Go arm64 assembler has no vector FADD and no by-element FMLA, so the
// A values are broadcast by VLD4R and multiplied with VFMLA (vector by
// vector); the final C += acc uses FADD emitted as WORD, with the
// instruction in the comment in Go operand order (Vm, Vn, Vd). The encodings
// are FADD (vector) 0 Q 0 01110 0 sz 1 Rm 110101 Rn Rd with Q=1, sz=1 (.2D)
// or sz=0 (.4S); .ci/arm64.sh checks them with go tool objdump.

#include "go_asm.h"
#include "textflag.h"

// Tuning constants live in stubs_arm64.go and arrive through go_asm.h: the
// tile shapes (neonF64MR, ...) and neonKShift, the log2 of the k steps per
// main-loop trip. The main-loop bodies below repeat KSTEP 1<<neonKShift = 4
// times, so changing neonKShift means changing those bodies too; the
// kc mod 4 remaining steps run one at a time. Prefetching of the packed
// panels is left to the hardware stream prefetchers (the panels are read
// strictly sequentially); the C tile is prefetched at entry so that its
// load after the k loop does not miss.

// ZERO_ACC sets the 16 accumulators to +0, so that the kernel computes
// c += (sum over p) exactly as the contract loop writes it (a -0 in C stays
// -0 only if the sum is -0, as in gemmTileF64Generic).
#define ZERO_ACC \
	VEOR V16.B16, V16.B16, V16.B16; \
	VEOR V17.B16, V17.B16, V17.B16; \
	VEOR V18.B16, V18.B16, V18.B16; \
	VEOR V19.B16, V19.B16, V19.B16; \
	VEOR V20.B16, V20.B16, V20.B16; \
	VEOR V21.B16, V21.B16, V21.B16; \
	VEOR V22.B16, V22.B16, V22.B16; \
	VEOR V23.B16, V23.B16, V23.B16; \
	VEOR V24.B16, V24.B16, V24.B16; \
	VEOR V25.B16, V25.B16, V25.B16; \
	VEOR V26.B16, V26.B16, V26.B16; \
	VEOR V27.B16, V27.B16, V27.B16; \
	VEOR V28.B16, V28.B16, V28.B16; \
	VEOR V29.B16, V29.B16, V29.B16; \
	VEOR V30.B16, V30.B16, V30.B16; \
	VEOR V31.B16, V31.B16, V31.B16

// PREFETCH_C touches the 8 rows of the C tile (one row is 32 bytes for both
// kernels, so one line per row unless it straddles two).
#define PREFETCH_C \
	MOVD R3, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP; \
	ADD  R4, R5; \
	PRFM (R5), PLDL1KEEP

// KSTEP_F64 is one k step of the 8x4 float64 kernel:
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 4; j++ {
//			acc[i][j] += a[i] * b[j]
//		}
//	}
//	a, b = a[8:], b[4:]
#define KSTEP_F64 \
	VLD1.P  32(R2), [V0.D2, V1.D2]; \
	VLD4R.P 32(R1), [V2.D2, V3.D2, V4.D2, V5.D2]; \
	VLD4R.P 32(R1), [V6.D2, V7.D2, V8.D2, V9.D2]; \
	VFMLA   V0.D2, V2.D2, V16.D2; \
	VFMLA   V1.D2, V2.D2, V17.D2; \
	VFMLA   V0.D2, V3.D2, V18.D2; \
	VFMLA   V1.D2, V3.D2, V19.D2; \
	VFMLA   V0.D2, V4.D2, V20.D2; \
	VFMLA   V1.D2, V4.D2, V21.D2; \
	VFMLA   V0.D2, V5.D2, V22.D2; \
	VFMLA   V1.D2, V5.D2, V23.D2; \
	VFMLA   V0.D2, V6.D2, V24.D2; \
	VFMLA   V1.D2, V6.D2, V25.D2; \
	VFMLA   V0.D2, V7.D2, V26.D2; \
	VFMLA   V1.D2, V7.D2, V27.D2; \
	VFMLA   V0.D2, V8.D2, V28.D2; \
	VFMLA   V1.D2, V8.D2, V29.D2; \
	VFMLA   V0.D2, V9.D2, V30.D2; \
	VFMLA   V1.D2, V9.D2, V31.D2

// KSTEP_F32 is KSTEP_F64 for the 8x8 float32 kernel (a, b = a[8:], b[8:]).
#define KSTEP_F32 \
	VLD1.P  32(R2), [V0.S4, V1.S4]; \
	VLD4R.P 16(R1), [V2.S4, V3.S4, V4.S4, V5.S4]; \
	VLD4R.P 16(R1), [V6.S4, V7.S4, V8.S4, V9.S4]; \
	VFMLA   V0.S4, V2.S4, V16.S4; \
	VFMLA   V1.S4, V2.S4, V17.S4; \
	VFMLA   V0.S4, V3.S4, V18.S4; \
	VFMLA   V1.S4, V3.S4, V19.S4; \
	VFMLA   V0.S4, V4.S4, V20.S4; \
	VFMLA   V1.S4, V4.S4, V21.S4; \
	VFMLA   V0.S4, V5.S4, V22.S4; \
	VFMLA   V1.S4, V5.S4, V23.S4; \
	VFMLA   V0.S4, V6.S4, V24.S4; \
	VFMLA   V1.S4, V6.S4, V25.S4; \
	VFMLA   V0.S4, V7.S4, V26.S4; \
	VFMLA   V1.S4, V7.S4, V27.S4; \
	VFMLA   V0.S4, V8.S4, V28.S4; \
	VFMLA   V1.S4, V8.S4, V29.S4; \
	VFMLA   V0.S4, V9.S4, V30.S4; \
	VFMLA   V1.S4, V9.S4, V31.S4

// LOAD_C_F64 loads the 8 C rows (4 float64 each) into V0-V15, row i in
// V(2i), V(2i+1); STORE_C_F64 writes them back. R5 walks the rows.
#define LOAD_C_F64 \
	MOVD R3, R5; \
	VLD1 (R5), [V0.D2, V1.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V2.D2, V3.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V4.D2, V5.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V6.D2, V7.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V8.D2, V9.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V10.D2, V11.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V12.D2, V13.D2]; \
	ADD  R4, R5; \
	VLD1 (R5), [V14.D2, V15.D2]

#define STORE_C_F64 \
	MOVD R3, R5; \
	VST1 [V0.D2, V1.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V2.D2, V3.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V4.D2, V5.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V6.D2, V7.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V8.D2, V9.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V10.D2, V11.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V12.D2, V13.D2], (R5); \
	ADD  R4, R5; \
	VST1 [V14.D2, V15.D2], (R5)

// ADD_ACC_F64 is V(k) += V(16+k) for k = 0..15, lane-wise in float64.
#define ADD_ACC_F64 \
	WORD $0x4e70d400; /* FADD V16.D2, V0.D2, V0.D2   */ \
	WORD $0x4e71d421; /* FADD V17.D2, V1.D2, V1.D2   */ \
	WORD $0x4e72d442; /* FADD V18.D2, V2.D2, V2.D2   */ \
	WORD $0x4e73d463; /* FADD V19.D2, V3.D2, V3.D2   */ \
	WORD $0x4e74d484; /* FADD V20.D2, V4.D2, V4.D2   */ \
	WORD $0x4e75d4a5; /* FADD V21.D2, V5.D2, V5.D2   */ \
	WORD $0x4e76d4c6; /* FADD V22.D2, V6.D2, V6.D2   */ \
	WORD $0x4e77d4e7; /* FADD V23.D2, V7.D2, V7.D2   */ \
	WORD $0x4e78d508; /* FADD V24.D2, V8.D2, V8.D2   */ \
	WORD $0x4e79d529; /* FADD V25.D2, V9.D2, V9.D2   */ \
	WORD $0x4e7ad54a; /* FADD V26.D2, V10.D2, V10.D2 */ \
	WORD $0x4e7bd56b; /* FADD V27.D2, V11.D2, V11.D2 */ \
	WORD $0x4e7cd58c; /* FADD V28.D2, V12.D2, V12.D2 */ \
	WORD $0x4e7dd5ad; /* FADD V29.D2, V13.D2, V13.D2 */ \
	WORD $0x4e7ed5ce; /* FADD V30.D2, V14.D2, V14.D2 */ \
	WORD $0x4e7fd5ef  /* FADD V31.D2, V15.D2, V15.D2 */

// LOAD_C_F32, STORE_C_F32 and ADD_ACC_F32 are the float32 versions (8
// float32 per row, the same 32 bytes).
#define LOAD_C_F32 \
	MOVD R3, R5; \
	VLD1 (R5), [V0.S4, V1.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V2.S4, V3.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V4.S4, V5.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V6.S4, V7.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V8.S4, V9.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V10.S4, V11.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V12.S4, V13.S4]; \
	ADD  R4, R5; \
	VLD1 (R5), [V14.S4, V15.S4]

#define STORE_C_F32 \
	MOVD R3, R5; \
	VST1 [V0.S4, V1.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V2.S4, V3.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V4.S4, V5.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V6.S4, V7.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V8.S4, V9.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V10.S4, V11.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V12.S4, V13.S4], (R5); \
	ADD  R4, R5; \
	VST1 [V14.S4, V15.S4], (R5)

#define ADD_ACC_F32 \
	WORD $0x4e30d400; /* FADD V16.S4, V0.S4, V0.S4   */ \
	WORD $0x4e31d421; /* FADD V17.S4, V1.S4, V1.S4   */ \
	WORD $0x4e32d442; /* FADD V18.S4, V2.S4, V2.S4   */ \
	WORD $0x4e33d463; /* FADD V19.S4, V3.S4, V3.S4   */ \
	WORD $0x4e34d484; /* FADD V20.S4, V4.S4, V4.S4   */ \
	WORD $0x4e35d4a5; /* FADD V21.S4, V5.S4, V5.S4   */ \
	WORD $0x4e36d4c6; /* FADD V22.S4, V6.S4, V6.S4   */ \
	WORD $0x4e37d4e7; /* FADD V23.S4, V7.S4, V7.S4   */ \
	WORD $0x4e38d508; /* FADD V24.S4, V8.S4, V8.S4   */ \
	WORD $0x4e39d529; /* FADD V25.S4, V9.S4, V9.S4   */ \
	WORD $0x4e3ad54a; /* FADD V26.S4, V10.S4, V10.S4 */ \
	WORD $0x4e3bd56b; /* FADD V27.S4, V11.S4, V11.S4 */ \
	WORD $0x4e3cd58c; /* FADD V28.S4, V12.S4, V12.S4 */ \
	WORD $0x4e3dd5ad; /* FADD V29.S4, V13.S4, V13.S4 */ \
	WORD $0x4e3ed5ce; /* FADD V30.S4, V14.S4, V14.S4 */ \
	WORD $0x4e3fd5ef  /* FADD V31.S4, V15.S4, V15.S4 */

// func gemm8x4F64NEON(kc int, a, b, c *float64, ldc, tiles int)
//
// gemm8x4F64NEON is, for each of tiles tiles stacked in a column (A panels
// 8*kc apart, C tiles 8 rows apart, as in the amd64 kernels),
//
//	var acc [8][4]float64
//	for p := 0; p < kc; p++ {
//		for i := 0; i < 8; i++ {
//			for j := 0; j < 4; j++ {
//				acc[i][j] = math.FMA(a[p*8+i], b[p*4+j], acc[i][j])
//			}
//		}
//	}
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 4; j++ {
//			c[i*ldc+j] += acc[i][j]
//		}
//	}
//
// for kc >= 0 (kc = 0 or tiles = 0 returns without touching memory). Per
// tile it reads 8*kc elements of a, 4*kc of b, and rows i*ldc .. i*ldc+3
// of c.
TEXT ·gemm8x4F64NEON(SB), NOSPLIT, $0-48
	MOVD kc+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R8
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	MOVD tiles+40(FP), R9
	CBZ  R0, done
	CBZ  R9, done
	LSL  $3, R4

tile:
	// R1 already points at this tile's A panel: the previous tile's
	// loads ended where it begins.
	MOVD R8, R2
	PREFETCH_C
	ZERO_ACC
	LSR  $const_neonKShift, R0, R6
	AND  $(const_neonKUnroll-1), R0, R7
	CBZ  R6, tail

loop:
	KSTEP_F64
	KSTEP_F64
	KSTEP_F64
	KSTEP_F64
	SUBS $1, R6
	BNE  loop

tail:
	CBZ R7, store

tailloop:
	KSTEP_F64
	SUBS $1, R7
	BNE  tailloop

store:
	LOAD_C_F64
	ADD_ACC_F64
	STORE_C_F64
	ADD  R4<<3, R3, R3 // the next tile, 8 rows down
	SUBS $1, R9
	BNE  tile

done:
	RET

// func gemm8x8F32NEON(kc int, a, b, c *float32, ldc, tiles int)
//
// gemm8x8F32NEON is gemm8x4F64NEON for float32 with an 8x8 tile, per tile:
//
//	var acc [8][8]float32
//	for p := 0; p < kc; p++ {
//		for i := 0; i < 8; i++ {
//			for j := 0; j < 8; j++ {
//				acc[i][j] = fma32(a[p*8+i], b[p*8+j], acc[i][j])
//			}
//		}
//	}
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 8; j++ {
//			c[i*ldc+j] += acc[i][j]
//		}
//	}
//
// where fma32 rounds x*y+z once to float32. It reads 8*kc elements of a and
// b and rows i*ldc .. i*ldc+7 of c per tile, for kc >= 0.
TEXT ·gemm8x8F32NEON(SB), NOSPLIT, $0-48
	MOVD kc+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R8
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	MOVD tiles+40(FP), R9
	CBZ  R0, done
	CBZ  R9, done
	LSL  $2, R4

tile:
	// R1 already points at this tile's A panel: the previous tile's
	// loads ended where it begins.
	MOVD R8, R2
	PREFETCH_C
	ZERO_ACC
	LSR  $const_neonKShift, R0, R6
	AND  $(const_neonKUnroll-1), R0, R7
	CBZ  R6, tail

loop:
	KSTEP_F32
	KSTEP_F32
	KSTEP_F32
	KSTEP_F32
	SUBS $1, R6
	BNE  loop

tail:
	CBZ R7, store

tailloop:
	KSTEP_F32
	SUBS $1, R7
	BNE  tailloop

store:
	LOAD_C_F32
	ADD_ACC_F32
	STORE_C_F32
	ADD  R4<<3, R3, R3 // the next tile, 8 rows down
	SUBS $1, R9
	BNE  tile

done:
	RET

// func fmaLoopNEON(iters int)
//
// fmaLoopNEON is fmaLoopGeneric on 12 128-bit registers (2 float64 lanes
// each): iters iterations of V(i) += V12*V13 for i = 0..11, 12 independent
// VFMLA chains, with V12 = V13 = V(i) = 0 so nothing overflows or becomes
// subnormal. Nothing is stored; only the time it takes matters.
TEXT ·fmaLoopNEON(SB), NOSPLIT, $0-8
	MOVD iters+0(FP), R0
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	CBZ  R0, done

loop:
	VFMLA V12.D2, V13.D2, V0.D2
	VFMLA V12.D2, V13.D2, V1.D2
	VFMLA V12.D2, V13.D2, V2.D2
	VFMLA V12.D2, V13.D2, V3.D2
	VFMLA V12.D2, V13.D2, V4.D2
	VFMLA V12.D2, V13.D2, V5.D2
	VFMLA V12.D2, V13.D2, V6.D2
	VFMLA V12.D2, V13.D2, V7.D2
	VFMLA V12.D2, V13.D2, V8.D2
	VFMLA V12.D2, V13.D2, V9.D2
	VFMLA V12.D2, V13.D2, V10.D2
	VFMLA V12.D2, V13.D2, V11.D2
	SUBS  $1, R0
	BNE   loop

done:
	RET
