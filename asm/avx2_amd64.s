//go:build gc && !purego

// Hand-written. Go equivalents: gemmTileF64Generic and gemmTileF32Generic in
// generic.go, fmaLoopGeneric in peak.go. Tuning constants (tile shapes,
// kUnrollAMD64, prefetchA) live in stubs_amd64.go and arrive here through
// go_asm.h.

#include "go_asm.h"
#include "textflag.h"

// Register map of both GEMM kernels.
#define KC CX // k steps left
#define PA AX // packed A panel, MR values per k step
#define PB BX // packed B panel, NR values per k step
#define PC DX // row i of C
#define LDC SI // row stride of C in bytes
#define ROW R8 // row pointer for prefetch and update
#define TILES R9 // tiles left in the column
#define KC0 R10 // kc, reloaded for every tile
#define PB0 R11 // start of the packed B panel, reloaded for every tile
#define PBN R12 // prefetch pointer into the next B micro-panel

// 6x8 float64: Y4+2i, Y5+2i hold row i of the tile (columns 0-3, 4-7);
// Y0, Y1 hold row p of B; Y2, Y3 broadcasts of A.

// D6x8_STEP(p) adds a[p*6+i] * b[p*8+j] to row i, j = 0..7, for i = 0..5.
#define D6x8_STEP(p) \
	VMOVUPD      (p*64)(PB), Y0;    \
	VMOVUPD      (p*64+32)(PB), Y1; \
	VBROADCASTSD (p*48)(PA), Y2;    \
	VBROADCASTSD (p*48+8)(PA), Y3;  \
	VFMADD231PD  Y0, Y2, Y4;        \
	VFMADD231PD  Y1, Y2, Y5;        \
	VFMADD231PD  Y0, Y3, Y6;        \
	VFMADD231PD  Y1, Y3, Y7;        \
	VBROADCASTSD (p*48+16)(PA), Y2; \
	VBROADCASTSD (p*48+24)(PA), Y3; \
	VFMADD231PD  Y0, Y2, Y8;        \
	VFMADD231PD  Y1, Y2, Y9;        \
	VFMADD231PD  Y0, Y3, Y10;       \
	VFMADD231PD  Y1, Y3, Y11;       \
	VBROADCASTSD (p*48+32)(PA), Y2; \
	VBROADCASTSD (p*48+40)(PA), Y3; \
	VFMADD231PD  Y0, Y2, Y12;       \
	VFMADD231PD  Y1, Y2, Y13;       \
	VFMADD231PD  Y0, Y3, Y14;       \
	VFMADD231PD  Y1, Y3, Y15

// D8_UPDATE(lo, hi) adds lo, hi to the 8 values at ROW and stores them back
// (unaligned), then moves ROW to the next row.
#define D8_UPDATE(lo, hi) \
	VADDPD  (ROW), lo, lo;   \
	VADDPD  32(ROW), hi, hi; \
	VMOVUPD lo, (ROW);       \
	VMOVUPD hi, 32(ROW);     \
	ADDQ    LDC, ROW

// PREFETCH_ROW64 fetches the (at most two) cache lines of 64 bytes at ROW
// and moves ROW to the next row.
#define PREFETCH_ROW64 \
	PREFETCHT0 (ROW);   \
	PREFETCHT0 63(ROW); \
	ADDQ       LDC, ROW

// func gemm6x8F64AVX2(kc int, a, b, c *float64, ldc, tiles int)
//
//	for r := 0; r < tiles; r++ { // a column of tiles: A panels follow each other
//		for i := 0; i < 6; i++ {
//			for j := 0; j < 8; j++ {
//				var s float64
//				for p := 0; p < kc; p++ {
//					s = math.FMA(a[r*6*kc+p*6+i], b[p*8+j], s)
//				}
//				c[(r*6+i)*ldc+j] += s
//			}
//		}
//	}
//
// Requires: AVX, AVX2, FMA3
TEXT ·gemm6x8F64AVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), KC0
	MOVQ a+8(FP), PA
	MOVQ b+16(FP), PB0
	MOVQ c+24(FP), PC
	MOVQ ldc+32(FP), LDC
	SHLQ $3, LDC
	MOVQ tiles+40(FP), TILES
	TESTQ TILES, TILES
	JZ    d6x8_done
	MOVQ KC0, PBN
	SHLQ $6, PBN
	ADDQ PB0, PBN // the next B micro-panel (64 bytes per k step)

d6x8_tile:
	// PA already points at this tile's A panel: the previous tile's loop
	// ended where it begins.
	MOVQ KC0, KC
	MOVQ PB0, PB

	// C is read only after the k loop: start fetching its rows now, and
	// those of the tile below it, which the macro-kernel's next call
	// updates (rows past the end of C are harmless: prefetches never
	// fault). With C streaming from memory the second six rows measured
	// +1-5% on the Zen 3 used for tuning (in-process alternation).
	MOVQ PC, ROW
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64

	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

	CMPQ KC, $const_kUnrollAMD64
	JLT  d6x8_tail

d6x8_loop:
	// kUnrollAMD64 = 4 steps per trip; prefetch each cache line of A once,
	// and a quarter line of the B micro-panel the macro-kernel's next
	// column reads into L2 (it is in L3, shared by the threads): the
	// pointer runs on across the tiles of the column, about one
	// micro-panel per column of 16 or more tiles. +3-7% with C streaming
	// from memory (in-process alternation on the Zen 3 used for tuning).
	PREFETCHT0 const_prefetchA(PA)
	PREFETCHT0 (const_prefetchA+64)(PA)
	PREFETCHT0 (const_prefetchA+128)(PA)
	PREFETCHT1 (PBN)
	ADDQ       $16, PBN
	D6x8_STEP(0)
	D6x8_STEP(1)
	D6x8_STEP(2)
	D6x8_STEP(3)
	ADDQ       $(const_kUnrollAMD64*48), PA
	ADDQ       $(const_kUnrollAMD64*64), PB
	SUBQ       $const_kUnrollAMD64, KC
	CMPQ       KC, $const_kUnrollAMD64
	JGE        d6x8_loop

d6x8_tail:
	TESTQ KC, KC
	JZ    d6x8_update

d6x8_one:
	D6x8_STEP(0)
	ADDQ $48, PA
	ADDQ $64, PB
	DECQ KC
	JNZ  d6x8_one

d6x8_update:
	MOVQ PC, ROW
	D8_UPDATE(Y4, Y5)
	D8_UPDATE(Y6, Y7)
	D8_UPDATE(Y8, Y9)
	D8_UPDATE(Y10, Y11)
	D8_UPDATE(Y12, Y13)
	D8_UPDATE(Y14, Y15)
	MOVQ ROW, PC // the next tile's first row
	DECQ TILES
	JNZ  d6x8_tile

d6x8_done:
	VZEROUPPER
	RET

// 6x16 float32: the same register map with 8 float32 lanes per register.

// S6x16_STEP(p) adds a[p*6+i] * b[p*16+j] to row i, j = 0..15, for i = 0..5.
#define S6x16_STEP(p) \
	VMOVUPS      (p*64)(PB), Y0;    \
	VMOVUPS      (p*64+32)(PB), Y1; \
	VBROADCASTSS (p*24)(PA), Y2;    \
	VBROADCASTSS (p*24+4)(PA), Y3;  \
	VFMADD231PS  Y0, Y2, Y4;        \
	VFMADD231PS  Y1, Y2, Y5;        \
	VFMADD231PS  Y0, Y3, Y6;        \
	VFMADD231PS  Y1, Y3, Y7;        \
	VBROADCASTSS (p*24+8)(PA), Y2;  \
	VBROADCASTSS (p*24+12)(PA), Y3; \
	VFMADD231PS  Y0, Y2, Y8;        \
	VFMADD231PS  Y1, Y2, Y9;        \
	VFMADD231PS  Y0, Y3, Y10;       \
	VFMADD231PS  Y1, Y3, Y11;       \
	VBROADCASTSS (p*24+16)(PA), Y2; \
	VBROADCASTSS (p*24+20)(PA), Y3; \
	VFMADD231PS  Y0, Y2, Y12;       \
	VFMADD231PS  Y1, Y2, Y13;       \
	VFMADD231PS  Y0, Y3, Y14;       \
	VFMADD231PS  Y1, Y3, Y15

// S16_UPDATE(lo, hi) is D8_UPDATE for 16 float32 values.
#define S16_UPDATE(lo, hi) \
	VADDPS  (ROW), lo, lo;   \
	VADDPS  32(ROW), hi, hi; \
	VMOVUPS lo, (ROW);       \
	VMOVUPS hi, 32(ROW);     \
	ADDQ    LDC, ROW

// func gemm6x16F32AVX2(kc int, a, b, c *float32, ldc, tiles int)
//
//	for r := 0; r < tiles; r++ {
//		for i := 0; i < 6; i++ {
//			for j := 0; j < 16; j++ {
//				var s float32
//				for p := 0; p < kc; p++ {
//					s = fma32(a[r*6*kc+p*6+i], b[p*16+j], s) // one rounding
//				}
//				c[(r*6+i)*ldc+j] += s
//			}
//		}
//	}
//
// Requires: AVX, AVX2, FMA3
TEXT ·gemm6x16F32AVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), KC0
	MOVQ a+8(FP), PA
	MOVQ b+16(FP), PB0
	MOVQ c+24(FP), PC
	MOVQ ldc+32(FP), LDC
	SHLQ $2, LDC
	MOVQ tiles+40(FP), TILES
	TESTQ TILES, TILES
	JZ    s6x16_done
	MOVQ KC0, PBN
	SHLQ $6, PBN
	ADDQ PB0, PBN // the next B micro-panel (64 bytes per k step)

s6x16_tile:
	MOVQ KC0, KC
	MOVQ PB0, PB

	// As in gemm6x8F64AVX2: this tile's rows of C and the next tile's.
	MOVQ PC, ROW
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64
	PREFETCH_ROW64

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	CMPQ KC, $const_kUnrollAMD64
	JLT  s6x16_tail

s6x16_loop:
	// kUnrollAMD64 = 4 steps per trip; prefetch each cache line of A once,
	// and the next B micro-panel as in the float64 kernel.
	PREFETCHT0 const_prefetchA(PA)
	PREFETCHT0 (const_prefetchA+64)(PA)
	PREFETCHT1 (PBN)
	ADDQ       $16, PBN
	S6x16_STEP(0)
	S6x16_STEP(1)
	S6x16_STEP(2)
	S6x16_STEP(3)
	ADDQ       $(const_kUnrollAMD64*24), PA
	ADDQ       $(const_kUnrollAMD64*64), PB
	SUBQ       $const_kUnrollAMD64, KC
	CMPQ       KC, $const_kUnrollAMD64
	JGE        s6x16_loop

s6x16_tail:
	TESTQ KC, KC
	JZ    s6x16_update

s6x16_one:
	S6x16_STEP(0)
	ADDQ $24, PA
	ADDQ $64, PB
	DECQ KC
	JNZ  s6x16_one

s6x16_update:
	MOVQ PC, ROW
	S16_UPDATE(Y4, Y5)
	S16_UPDATE(Y6, Y7)
	S16_UPDATE(Y8, Y9)
	S16_UPDATE(Y10, Y11)
	S16_UPDATE(Y12, Y13)
	S16_UPDATE(Y14, Y15)
	MOVQ ROW, PC
	DECQ TILES
	JNZ  s6x16_tile

s6x16_done:
	VZEROUPPER
	RET

// func packA6F64AVX2(dst, src *float64, lds int, alpha float64, quads int)
//
// PackA6 (float64) for columns 0..4*quads-1: each trip loads four columns of the
// six rows, scales them, and transposes them in registers (unpack and
// 128-bit lane permutes) into four packed columns of six values.
//
// Requires: AVX, AVX2
TEXT ·packA6F64AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         lds+16(FP), DX
	SHLQ         $3, DX
	VBROADCASTSD alpha+24(FP), Y15
	MOVQ         quads+32(FP), CX
	TESTQ        CX, CX
	JZ           pa6_done
	LEAQ         (SI)(DX*2), R8 // row 2
	LEAQ         (R8)(DX*2), R9 // row 4

pa6_loop:
	VMULPD       (SI), Y15, Y0       // row 0: columns p..p+3
	VMULPD       (SI)(DX*1), Y15, Y1 // row 1
	VMULPD       (R8), Y15, Y2       // row 2
	VMULPD       (R8)(DX*1), Y15, Y3 // row 3
	VMULPD       (R9), Y15, Y4       // row 4
	VMULPD       (R9)(DX*1), Y15, Y5 // row 5
	VUNPCKLPD    Y1, Y0, Y6          // r0p0 r1p0 r0p2 r1p2
	VUNPCKHPD    Y1, Y0, Y7          // r0p1 r1p1 r0p3 r1p3
	VUNPCKLPD    Y3, Y2, Y8          // r2p0 r3p0 r2p2 r3p2
	VUNPCKHPD    Y3, Y2, Y9          // r2p1 r3p1 r2p3 r3p3
	VUNPCKLPD    Y5, Y4, Y10         // r4p0 r5p0 r4p2 r5p2
	VUNPCKHPD    Y5, Y4, Y11         // r4p1 r5p1 r4p3 r5p3
	VPERM2F128   $0x20, Y8, Y6, Y0   // column p, rows 0-3
	VPERM2F128   $0x20, Y9, Y7, Y1   // column p+1
	VPERM2F128   $0x31, Y8, Y6, Y2   // column p+2
	VPERM2F128   $0x31, Y9, Y7, Y3   // column p+3
	VMOVUPD      Y0, (DI)
	VMOVUPD      X10, 32(DI)
	VMOVUPD      Y1, 48(DI)
	VMOVUPD      X11, 80(DI)
	VMOVUPD      Y2, 96(DI)
	VEXTRACTF128 $1, Y10, 128(DI)
	VMOVUPD      Y3, 144(DI)
	VEXTRACTF128 $1, Y11, 176(DI)
	ADDQ         $32, SI
	ADDQ         $32, R8
	ADDQ         $32, R9
	ADDQ         $192, DI
	DECQ         CX
	JNZ          pa6_loop

pa6_done:
	VZEROUPPER
	RET

// func packT8F64AVX2(dst, src *float64, lds, ldd, quads int)
//
//	for p := 0; p < 4*quads; p++ {
//		for j := 0; j < 8; j++ {
//			dst[p*ldd+j] = src[j*lds+p]
//		}
//	}
//
// Each step loads four columns of the eight rows and transposes them as
// two 4x4 blocks (rows 0-3 and 4-7) in registers.
//
// Requires: AVX
TEXT ·packT8F64AVX2(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  lds+16(FP), DX
	SHLQ  $3, DX
	MOVQ  ldd+24(FP), BX
	SHLQ  $3, BX
	MOVQ  quads+32(FP), CX
	TESTQ CX, CX
	JZ    pt8_done
	LEAQ  (SI)(DX*2), R8  // row 2
	LEAQ  (R8)(DX*2), R9  // row 4
	LEAQ  (R9)(DX*2), R10 // row 6
	LEAQ  (BX)(BX*1), R12
	ADDQ  R12, R12        // 4*ldd bytes: four packed rows

pt8_loop:
	VMOVUPD    (SI), Y0        // row 0: columns p..p+3
	VMOVUPD    (SI)(DX*1), Y1  // row 1
	VMOVUPD    (R8), Y2        // row 2
	VMOVUPD    (R8)(DX*1), Y3  // row 3
	VMOVUPD    (R9), Y4        // row 4
	VMOVUPD    (R9)(DX*1), Y5  // row 5
	VMOVUPD    (R10), Y6       // row 6
	VMOVUPD    (R10)(DX*1), Y7 // row 7
	VUNPCKLPD  Y1, Y0, Y8      // r0p0 r1p0 r0p2 r1p2
	VUNPCKHPD  Y1, Y0, Y9      // r0p1 r1p1 r0p3 r1p3
	VUNPCKLPD  Y3, Y2, Y10     // r2p0 r3p0 r2p2 r3p2
	VUNPCKHPD  Y3, Y2, Y11     // r2p1 r3p1 r2p3 r3p3
	VPERM2F128 $0x20, Y10, Y8, Y0 // column p, rows 0-3
	VPERM2F128 $0x20, Y11, Y9, Y1 // column p+1
	VPERM2F128 $0x31, Y10, Y8, Y2 // column p+2
	VPERM2F128 $0x31, Y11, Y9, Y3 // column p+3
	VUNPCKLPD  Y5, Y4, Y8
	VUNPCKHPD  Y5, Y4, Y9
	VUNPCKLPD  Y7, Y6, Y10
	VUNPCKHPD  Y7, Y6, Y11
	VPERM2F128 $0x20, Y10, Y8, Y4 // column p, rows 4-7
	VPERM2F128 $0x20, Y11, Y9, Y5
	VPERM2F128 $0x31, Y10, Y8, Y6
	VPERM2F128 $0x31, Y11, Y9, Y7
	LEAQ       (DI)(BX*2), R11    // packed row p+2
	VMOVUPD    Y0, (DI)
	VMOVUPD    Y4, 32(DI)
	VMOVUPD    Y1, (DI)(BX*1)
	VMOVUPD    Y5, 32(DI)(BX*1)
	VMOVUPD    Y2, (R11)
	VMOVUPD    Y6, 32(R11)
	VMOVUPD    Y3, (R11)(BX*1)
	VMOVUPD    Y7, 32(R11)(BX*1)
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	ADDQ       R12, DI
	DECQ       CX
	JNZ        pt8_loop

pt8_done:
	VZEROUPPER
	RET

// func packT8F32AVX2(dst, src *float32, lds, ldd, octs int)
//
//	for p := 0; p < 8*octs; p++ {
//		for j := 0; j < 8; j++ {
//			dst[p*ldd+j] = src[j*lds+p]
//		}
//	}
//
// Each step loads eight columns of the eight rows and transposes the 8x8
// block in registers (unpack pairs of rows, shuffle quads, swap halves).
//
// Requires: AVX
TEXT ·packT8F32AVX2(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  lds+16(FP), DX
	SHLQ  $2, DX
	MOVQ  ldd+24(FP), BX
	SHLQ  $2, BX
	MOVQ  octs+32(FP), CX
	TESTQ CX, CX
	JZ    ps8_done
	LEAQ  (SI)(DX*2), R8 // row 2
	LEAQ  (R8)(DX*2), R9 // row 4
	LEAQ  (R9)(DX*2), R10 // row 6

ps8_loop:
	VMOVUPS    (SI), Y0        // row 0: columns p..p+7
	VMOVUPS    (SI)(DX*1), Y1  // row 1
	VMOVUPS    (R8), Y2
	VMOVUPS    (R8)(DX*1), Y3
	VMOVUPS    (R9), Y4
	VMOVUPS    (R9)(DX*1), Y5
	VMOVUPS    (R10), Y6
	VMOVUPS    (R10)(DX*1), Y7
	VUNPCKLPS  Y1, Y0, Y8      // r0p0 r1p0 r0p1 r1p1 | r0p4 r1p4 r0p5 r1p5
	VUNPCKHPS  Y1, Y0, Y9      // r0p2 r1p2 r0p3 r1p3 | r0p6 r1p6 r0p7 r1p7
	VUNPCKLPS  Y3, Y2, Y10
	VUNPCKHPS  Y3, Y2, Y11
	VUNPCKLPS  Y5, Y4, Y12
	VUNPCKHPS  Y5, Y4, Y13
	VUNPCKLPS  Y7, Y6, Y14
	VUNPCKHPS  Y7, Y6, Y15
	VSHUFPS    $0x44, Y10, Y8, Y0  // rows 0-3 of p0 | of p4
	VSHUFPS    $0xEE, Y10, Y8, Y1  // p1 | p5
	VSHUFPS    $0x44, Y11, Y9, Y2  // p2 | p6
	VSHUFPS    $0xEE, Y11, Y9, Y3  // p3 | p7
	VSHUFPS    $0x44, Y14, Y12, Y4 // rows 4-7 of p0 | of p4
	VSHUFPS    $0xEE, Y14, Y12, Y5
	VSHUFPS    $0x44, Y15, Y13, Y6
	VSHUFPS    $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8   // column p
	VPERM2F128 $0x20, Y5, Y1, Y9   // p+1
	VPERM2F128 $0x20, Y6, Y2, Y10  // p+2
	VPERM2F128 $0x20, Y7, Y3, Y11  // p+3
	VPERM2F128 $0x31, Y4, Y0, Y12  // p+4
	VPERM2F128 $0x31, Y5, Y1, Y13  // p+5
	VPERM2F128 $0x31, Y6, Y2, Y14  // p+6
	VPERM2F128 $0x31, Y7, Y3, Y15  // p+7
	VMOVUPS    Y8, (DI)
	VMOVUPS    Y9, (DI)(BX*1)
	LEAQ       (DI)(BX*2), R11
	VMOVUPS    Y10, (R11)
	VMOVUPS    Y11, (R11)(BX*1)
	LEAQ       (R11)(BX*2), R11
	VMOVUPS    Y12, (R11)
	VMOVUPS    Y13, (R11)(BX*1)
	LEAQ       (R11)(BX*2), R11
	VMOVUPS    Y14, (R11)
	VMOVUPS    Y15, (R11)(BX*1)
	LEAQ       (R11)(BX*2), DI
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	DECQ       CX
	JNZ        ps8_loop

ps8_done:
	VZEROUPPER
	RET

// func packA6F32AVX2(dst, src *float32, lds int, alpha float32, octs int)
//
//	for p := 0; p < 8*octs; p++ {
//		for i := 0; i < 6; i++ {
//			dst[6*p+i] = alpha * src[i*lds+p]
//		}
//	}
//	// and dst[48*octs], dst[48*octs+1] are overwritten
//
// Each step loads eight columns of the six rows (times alpha), transposes
// them as an 8x8 block whose rows 6 and 7 repeat rows 0 and 1, and stores
// the eight columns 6 elements apart with 8-element stores in increasing
// order, so that each store overwrites the two extra elements of the one
// before. The caller leaves room for the last store's two.
//
// Requires: AVX
TEXT ·packA6F32AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         lds+16(FP), DX
	SHLQ         $2, DX
	VBROADCASTSS alpha+24(FP), Y15
	MOVQ         octs+32(FP), CX
	TESTQ        CX, CX
	JZ           pa6s_done
	LEAQ         (SI)(DX*2), R8 // row 2
	LEAQ         (R8)(DX*2), R9 // row 4

pa6s_loop:
	VMULPS     (SI), Y15, Y0       // row 0: columns p..p+7
	VMULPS     (SI)(DX*1), Y15, Y1 // row 1
	VMULPS     (R8), Y15, Y2
	VMULPS     (R8)(DX*1), Y15, Y3
	VMULPS     (R9), Y15, Y4
	VMULPS     (R9)(DX*1), Y15, Y5
	VUNPCKLPS  Y1, Y0, Y8          // r0p0 r1p0 r0p1 r1p1 | p4, p5
	VUNPCKHPS  Y1, Y0, Y9          // p2, p3 | p6, p7
	VUNPCKLPS  Y3, Y2, Y10
	VUNPCKHPS  Y3, Y2, Y11
	VUNPCKLPS  Y5, Y4, Y12
	VUNPCKHPS  Y5, Y4, Y13
	VSHUFPS    $0x44, Y10, Y8, Y0  // rows 0-3 of p0 | of p4
	VSHUFPS    $0xEE, Y10, Y8, Y1  // p1 | p5
	VSHUFPS    $0x44, Y11, Y9, Y2  // p2 | p6
	VSHUFPS    $0xEE, Y11, Y9, Y3  // p3 | p7
	VSHUFPS    $0x44, Y8, Y12, Y4  // rows 4, 5, (0, 1) of p0 | of p4
	VSHUFPS    $0xEE, Y8, Y12, Y5
	VSHUFPS    $0x44, Y9, Y13, Y6
	VSHUFPS    $0xEE, Y9, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8   // column p (rows 0-5, then two extra)
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y0
	VMOVUPS    Y8, (DI)
	VMOVUPS    Y9, 24(DI)
	VMOVUPS    Y10, 48(DI)
	VMOVUPS    Y11, 72(DI)
	VMOVUPS    Y12, 96(DI)
	VMOVUPS    Y13, 120(DI)
	VMOVUPS    Y14, 144(DI)
	VMOVUPS    Y0, 168(DI)
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $192, DI
	DECQ       CX
	JNZ        pa6s_loop

pa6s_done:
	VZEROUPPER
	RET

// func scaleF64AVX2(x *float64, alpha float64, quads int)
//
//	for i := 0; i < 4*quads; i++ {
//		x[i] = alpha * x[i]
//	}
//
// Requires: AVX
TEXT ·scaleF64AVX2(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), DI
	VBROADCASTSD alpha+8(FP), Y0
	MOVQ         quads+16(FP), CX
	TESTQ        CX, CX
	JZ           sc64_done

sc64_loop:
	VMULPD  (DI), Y0, Y1
	VMOVUPD Y1, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     sc64_loop

sc64_done:
	VZEROUPPER
	RET

// func scaleF32AVX2(x *float32, alpha float32, octs int)
//
//	for i := 0; i < 8*octs; i++ {
//		x[i] = alpha * x[i]
//	}
//
// Requires: AVX
TEXT ·scaleF32AVX2(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), DI
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ         octs+16(FP), CX
	TESTQ        CX, CX
	JZ           sc32_done

sc32_loop:
	VMULPS  (DI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     sc32_loop

sc32_done:
	VZEROUPPER
	RET
