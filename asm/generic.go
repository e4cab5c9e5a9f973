package asm

import "unsafe"

// Tile of the plain-Go kernels: 2x4 keeps its 8 accumulators and 6 operands
// in the 16 registers of amd64 (a 4x4 tile spills there and ran at 60% of
// the speed of this one on the Zen 3 it was measured on).
const (
	genericMR = 2
	genericNR = 4
)

// gemm2x4Generic is the plain-Go micro-kernel with a 2x4 tile:
// gemmTileF64Generic(2, 4, kc, a, b, c, ldc) (F32 likewise), walking the
// panels so that the loop has no bounds checks.
func gemm2x4Generic[T float32 | float64](kc int, a, b, c []T, ldc int) {
	a = a[:2*kc]
	b = b[:4*kc]
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	// Two steps of p per iteration halve the loop overhead; each
	// accumulator still sums over p in increasing order.
	for len(a) >= 4 && len(b) >= 8 {
		a0, a1 := a[0], a[1]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a0, a1 = a[2], a[3]
		b0, b1, b2, b3 = b[4], b[5], b[6], b[7]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a, b = a[4:], b[8:]
	}
	if len(a) >= 2 && len(b) >= 4 {
		a0, a1 := a[0], a[1]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	r := c[0:4:4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[ldc : ldc+4 : ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
}

// gemmTileF64Generic is the reference twin of any float64 kernel geometry:
// the contract loop of the package doc for an mr x nr tile, summing over p
// in increasing order. The SIMD kernels are tested against it.
func gemmTileF64Generic(mr, nr, kc int, a, b, c []float64, ldc int) {
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			var s float64
			for p := 0; p < kc; p++ {
				s += a[p*mr+i] * b[p*nr+j]
			}
			c[i*ldc+j] += s
		}
	}
}

// gemmTileF32Generic is gemmTileF64Generic for float32.
func gemmTileF32Generic(mr, nr, kc int, a, b, c []float32, ldc int) {
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			var s float32
			for p := 0; p < kc; p++ {
				s += a[p*mr+i] * b[p*nr+j]
			}
			c[i*ldc+j] += s
		}
	}
}

// sliceF64 rebuilds a slice of n elements from a pointer checked by the
// exported wrapper.
func sliceF64(p *float64, n int) []float64 { return unsafe.Slice(p, n) }

// sliceF32 is sliceF64 for float32.
func sliceF32(p *float32, n int) []float32 { return unsafe.Slice(p, n) }

// tileGenericF64 and tileGenericF32 describe the plain-Go kernels.
var (
	tileGenericF64 = TileF64{MR: genericMR, NR: genericNR, ISA: Generic, id: idGeneric}
	tileGenericF32 = TileF32{MR: genericMR, NR: genericNR, ISA: Generic, id: idGeneric}
)

// mulAddGenericF64 runs the plain-Go float64 kernel on checked pointers.
func mulAddGenericF64(kc int, a, b, c *float64, ldc int) {
	gemm2x4Generic(kc, sliceF64(a, genericMR*kc), sliceF64(b, genericNR*kc),
		sliceF64(c, (genericMR-1)*ldc+genericNR), ldc)
}

// mulAddGenericF32 runs the plain-Go float32 kernel on checked pointers.
func mulAddGenericF32(kc int, a, b, c *float32, ldc int) {
	gemm2x4Generic(kc, sliceF32(a, genericMR*kc), sliceF32(b, genericNR*kc),
		sliceF32(c, (genericMR-1)*ldc+genericNR), ldc)
}
