//go:build gc && !purego

// Hand-written. Go equivalents: gemmTileF64Generic and gemmTileF32Generic in
// generic.go. Tuning constants (tile shapes, kUnrollAMD64, prefetchA) live in
// stubs_amd64.go and arrive here through go_asm.h.

#include "go_asm.h"
#include "textflag.h"

// Register map of both GEMM kernels.
#define KC CX // k steps left
#define PA AX // packed A panel, MR values per k step
#define PB BX // packed B panel, NR values per k step
#define PC DX // row 0 of C
#define LDC SI // row stride of C in bytes
#define ROW R8 // row pointer for prefetch and update
#define TILES R9 // tiles left in the column
#define KC0 R10 // kc, reloaded for every tile
#define PB0 R11 // start of the packed B panel, reloaded for every tile
#define PBN R12 // prefetch pointer into the next B micro-panel

// 8x24 float64: Z8+3i, Z9+3i, Z10+3i hold row i of the tile (columns 0-7,
// 8-15, 16-23); Z0-Z2 hold row p of B; Z3-Z7 broadcasts of A, rotated so
// that consecutive broadcasts do not wait on each other's readers.

// D_ROW(off, bc, r0, r1, r2) adds a[off/8] * b row (Z0-Z2) to r0-r2.
#define D_ROW(off, bc, r0, r1, r2) \
	VBROADCASTSD off(PA), bc; \
	VFMADD231PD  Z0, bc, r0;  \
	VFMADD231PD  Z1, bc, r1;  \
	VFMADD231PD  Z2, bc, r2

// D8x24_STEP(p) adds a[p*8+i] * b[p*24+j] to row i, j = 0..23, i = 0..7.
#define D8x24_STEP(p) \
	VMOVUPD (p*192)(PB), Z0;                 \
	VMOVUPD (p*192+64)(PB), Z1;              \
	VMOVUPD (p*192+128)(PB), Z2;             \
	D_ROW((p*64), Z3, Z8, Z9, Z10);          \
	D_ROW((p*64+8), Z4, Z11, Z12, Z13);      \
	D_ROW((p*64+16), Z5, Z14, Z15, Z16);     \
	D_ROW((p*64+24), Z6, Z17, Z18, Z19);     \
	D_ROW((p*64+32), Z7, Z20, Z21, Z22);     \
	D_ROW((p*64+40), Z3, Z23, Z24, Z25);     \
	D_ROW((p*64+48), Z4, Z26, Z27, Z28);     \
	D_ROW((p*64+56), Z5, Z29, Z30, Z31)

// D24_UPDATE(r0, r1, r2) adds r0-r2 to the 24 values at ROW and stores them
// back (unaligned), then moves ROW to the next row.
#define D24_UPDATE(r0, r1, r2) \
	VADDPD  (ROW), r0, r0;    \
	VADDPD  64(ROW), r1, r1;  \
	VADDPD  128(ROW), r2, r2; \
	VMOVUPD r0, (ROW);        \
	VMOVUPD r1, 64(ROW);      \
	VMOVUPD r2, 128(ROW);     \
	ADDQ    LDC, ROW

// PREFETCH_ROW192 fetches the (at most four) cache lines of 192 bytes at
// ROW and moves ROW to the next row.
#define PREFETCH_ROW192 \
	PREFETCHT0 (ROW);    \
	PREFETCHT0 64(ROW);  \
	PREFETCHT0 128(ROW); \
	PREFETCHT0 191(ROW); \
	ADDQ       LDC, ROW

// ZERO_ACC clears the 24 accumulators Z8-Z31.
#define ZERO_ACC \
	VPXORQ Z8, Z8, Z8;    \
	VPXORQ Z9, Z9, Z9;    \
	VPXORQ Z10, Z10, Z10; \
	VPXORQ Z11, Z11, Z11; \
	VPXORQ Z12, Z12, Z12; \
	VPXORQ Z13, Z13, Z13; \
	VPXORQ Z14, Z14, Z14; \
	VPXORQ Z15, Z15, Z15; \
	VPXORQ Z16, Z16, Z16; \
	VPXORQ Z17, Z17, Z17; \
	VPXORQ Z18, Z18, Z18; \
	VPXORQ Z19, Z19, Z19; \
	VPXORQ Z20, Z20, Z20; \
	VPXORQ Z21, Z21, Z21; \
	VPXORQ Z22, Z22, Z22; \
	VPXORQ Z23, Z23, Z23; \
	VPXORQ Z24, Z24, Z24; \
	VPXORQ Z25, Z25, Z25; \
	VPXORQ Z26, Z26, Z26; \
	VPXORQ Z27, Z27, Z27; \
	VPXORQ Z28, Z28, Z28; \
	VPXORQ Z29, Z29, Z29; \
	VPXORQ Z30, Z30, Z30; \
	VPXORQ Z31, Z31, Z31

// PREFETCH_C8 starts fetching the 8 rows of 192 bytes of the C tile.
#define PREFETCH_C8 \
	MOVQ PC, ROW;    \
	PREFETCH_ROW192; \
	PREFETCH_ROW192; \
	PREFETCH_ROW192; \
	PREFETCH_ROW192; \
	PREFETCH_ROW192; \
	PREFETCH_ROW192; \
	PREFETCH_ROW192; \
	PREFETCH_ROW192

// func gemm8x24F64AVX512(kc int, a, b, c *float64, ldc, tiles int)
//
//	for r := 0; r < tiles; r++ { // a column of tiles, as in the AVX2 kernels
//		for i := 0; i < 8; i++ {
//			for j := 0; j < 24; j++ {
//				var s float64
//				for p := 0; p < kc; p++ {
//					s = math.FMA(a[r*8*kc+p*8+i], b[p*24+j], s)
//				}
//				c[(r*8+i)*ldc+j] += s
//			}
//		}
//	}
//
// Requires: AVX512F
TEXT ·gemm8x24F64AVX512(SB), NOSPLIT, $0-48
	MOVQ  kc+0(FP), KC0
	MOVQ  a+8(FP), PA
	MOVQ  b+16(FP), PB0
	MOVQ  c+24(FP), PC
	MOVQ  ldc+32(FP), LDC
	SHLQ  $3, LDC
	MOVQ  tiles+40(FP), TILES
	TESTQ TILES, TILES
	JZ    d8x24_done
	LEAQ  (KC0)(KC0*2), PBN
	SHLQ  $6, PBN
	ADDQ  PB0, PBN // the next B micro-panel (192 bytes per k step)

d8x24_tile:
	// PA already points at this tile's A panel (see the AVX2 kernels).
	MOVQ KC0, KC
	MOVQ PB0, PB

	// C is read only after the k loop: start fetching its rows now.
	PREFETCH_C8
	ZERO_ACC

	CMPQ KC, $const_kUnrollAMD64
	JLT  d8x24_tail

d8x24_loop:
	// kUnrollAMD64 = 4 steps per trip; prefetch each cache line of A once,
	// and one line of the next B micro-panel into L2: the macro-kernel
	// runs the micro-panels of a packed B panel in order, and the next one
	// (96 KiB at KC 512) would otherwise come from L3 during the first
	// tile of its column. On an Intel Xeon (model 167) this made DGEMM
	// 10-15% faster; a column of 12 or more tiles prefetches it whole.
	PREFETCHT0 const_prefetchA(PA)
	PREFETCHT0 (const_prefetchA+64)(PA)
	PREFETCHT0 (const_prefetchA+128)(PA)
	PREFETCHT0 (const_prefetchA+192)(PA)
	PREFETCHT1 (PBN)
	ADDQ       $64, PBN
	D8x24_STEP(0)
	D8x24_STEP(1)
	D8x24_STEP(2)
	D8x24_STEP(3)
	ADDQ       $(const_kUnrollAMD64*64), PA
	ADDQ       $(const_kUnrollAMD64*192), PB
	SUBQ       $const_kUnrollAMD64, KC
	CMPQ       KC, $const_kUnrollAMD64
	JGE        d8x24_loop

d8x24_tail:
	TESTQ KC, KC
	JZ    d8x24_update

d8x24_one:
	D8x24_STEP(0)
	ADDQ $64, PA
	ADDQ $192, PB
	DECQ KC
	JNZ  d8x24_one

d8x24_update:
	MOVQ PC, ROW
	D24_UPDATE(Z8, Z9, Z10)
	D24_UPDATE(Z11, Z12, Z13)
	D24_UPDATE(Z14, Z15, Z16)
	D24_UPDATE(Z17, Z18, Z19)
	D24_UPDATE(Z20, Z21, Z22)
	D24_UPDATE(Z23, Z24, Z25)
	D24_UPDATE(Z26, Z27, Z28)
	D24_UPDATE(Z29, Z30, Z31)
	MOVQ ROW, PC // the next tile's first row
	DECQ TILES
	JNZ  d8x24_tile

d8x24_done:
	VZEROUPPER
	RET

// 8x48 float32: the same register map with 16 float32 lanes per register.

// S_ROW(off, bc, r0, r1, r2) adds a[off/4] * b row (Z0-Z2) to r0-r2.
#define S_ROW(off, bc, r0, r1, r2) \
	VBROADCASTSS off(PA), bc; \
	VFMADD231PS  Z0, bc, r0;  \
	VFMADD231PS  Z1, bc, r1;  \
	VFMADD231PS  Z2, bc, r2

// S8x48_STEP(p) adds a[p*8+i] * b[p*48+j] to row i, j = 0..47, i = 0..7.
#define S8x48_STEP(p) \
	VMOVUPS (p*192)(PB), Z0;                 \
	VMOVUPS (p*192+64)(PB), Z1;              \
	VMOVUPS (p*192+128)(PB), Z2;             \
	S_ROW((p*32), Z3, Z8, Z9, Z10);          \
	S_ROW((p*32+4), Z4, Z11, Z12, Z13);      \
	S_ROW((p*32+8), Z5, Z14, Z15, Z16);      \
	S_ROW((p*32+12), Z6, Z17, Z18, Z19);     \
	S_ROW((p*32+16), Z7, Z20, Z21, Z22);     \
	S_ROW((p*32+20), Z3, Z23, Z24, Z25);     \
	S_ROW((p*32+24), Z4, Z26, Z27, Z28);     \
	S_ROW((p*32+28), Z5, Z29, Z30, Z31)

// S48_UPDATE(r0, r1, r2) is D24_UPDATE for 48 float32 values.
#define S48_UPDATE(r0, r1, r2) \
	VADDPS  (ROW), r0, r0;    \
	VADDPS  64(ROW), r1, r1;  \
	VADDPS  128(ROW), r2, r2; \
	VMOVUPS r0, (ROW);        \
	VMOVUPS r1, 64(ROW);      \
	VMOVUPS r2, 128(ROW);     \
	ADDQ    LDC, ROW

// func gemm8x48F32AVX512(kc int, a, b, c *float32, ldc, tiles int)
//
//	for r := 0; r < tiles; r++ {
//		for i := 0; i < 8; i++ {
//			for j := 0; j < 48; j++ {
//				var s float32
//				for p := 0; p < kc; p++ {
//					s = fma32(a[r*8*kc+p*8+i], b[p*48+j], s) // one rounding
//				}
//				c[(r*8+i)*ldc+j] += s
//			}
//		}
//	}
//
// Requires: AVX512F
TEXT ·gemm8x48F32AVX512(SB), NOSPLIT, $0-48
	MOVQ  kc+0(FP), KC0
	MOVQ  a+8(FP), PA
	MOVQ  b+16(FP), PB0
	MOVQ  c+24(FP), PC
	MOVQ  ldc+32(FP), LDC
	SHLQ  $2, LDC
	MOVQ  tiles+40(FP), TILES
	TESTQ TILES, TILES
	JZ    s8x48_done
	LEAQ  (KC0)(KC0*2), PBN
	SHLQ  $6, PBN
	ADDQ  PB0, PBN // the next B micro-panel (192 bytes per k step)

s8x48_tile:
	// PA already points at this tile's A panel (see the AVX2 kernels).
	MOVQ KC0, KC
	MOVQ PB0, PB

	PREFETCH_C8
	ZERO_ACC

	CMPQ KC, $const_kUnrollAMD64
	JLT  s8x48_tail

s8x48_loop:
	// kUnrollAMD64 = 4 steps per trip; prefetch each cache line of A once
	// and the next B micro-panel as in the float64 kernel.
	PREFETCHT0 const_prefetchA(PA)
	PREFETCHT0 (const_prefetchA+64)(PA)
	PREFETCHT1 (PBN)
	ADDQ       $64, PBN
	S8x48_STEP(0)
	S8x48_STEP(1)
	S8x48_STEP(2)
	S8x48_STEP(3)
	ADDQ       $(const_kUnrollAMD64*32), PA
	ADDQ       $(const_kUnrollAMD64*192), PB
	SUBQ       $const_kUnrollAMD64, KC
	CMPQ       KC, $const_kUnrollAMD64
	JGE        s8x48_loop

s8x48_tail:
	TESTQ KC, KC
	JZ    s8x48_update

s8x48_one:
	S8x48_STEP(0)
	ADDQ $32, PA
	ADDQ $192, PB
	DECQ KC
	JNZ  s8x48_one

s8x48_update:
	MOVQ PC, ROW
	S48_UPDATE(Z8, Z9, Z10)
	S48_UPDATE(Z11, Z12, Z13)
	S48_UPDATE(Z14, Z15, Z16)
	S48_UPDATE(Z17, Z18, Z19)
	S48_UPDATE(Z20, Z21, Z22)
	S48_UPDATE(Z23, Z24, Z25)
	S48_UPDATE(Z26, Z27, Z28)
	S48_UPDATE(Z29, Z30, Z31)
	MOVQ ROW, PC // the next tile's first row
	DECQ TILES
	JNZ  s8x48_tile

s8x48_done:
	VZEROUPPER
	RET
