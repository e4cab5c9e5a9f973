package asm

import "unsafe"

// Tile of the plain-Go kernels: 4x4 keeps 16 accumulators, which the Go
// compiler holds in registers on amd64 and arm64.
const (
	genericMR = 4
	genericNR = 4
)

// gemm4x4F64Generic is the plain-Go float64 micro-kernel with a 4x4 tile.
func gemm4x4F64Generic(kc int, a, b, c []float64, ldc int) {
	a = a[:4*kc]
	b = b[:4*kc]
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	for p := 0; p < kc; p++ {
		ap := a[4*p : 4*p+4 : 4*p+4]
		bp := b[4*p : 4*p+4 : 4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
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
	r = c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4 : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}

// gemm4x4F32Generic is gemm4x4F64Generic for float32.
func gemm4x4F32Generic(kc int, a, b, c []float32, ldc int) {
	a = a[:4*kc]
	b = b[:4*kc]
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < kc; p++ {
		ap := a[4*p : 4*p+4 : 4*p+4]
		bp := b[4*p : 4*p+4 : 4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
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
	r = c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4 : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
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
	gemm4x4F64Generic(kc, sliceF64(a, genericMR*kc), sliceF64(b, genericNR*kc),
		sliceF64(c, (genericMR-1)*ldc+genericNR), ldc)
}

// mulAddGenericF32 runs the plain-Go float32 kernel on checked pointers.
func mulAddGenericF32(kc int, a, b, c *float32, ldc int) {
	gemm4x4F32Generic(kc, sliceF32(a, genericMR*kc), sliceF32(b, genericNR*kc),
		sliceF32(c, (genericMR-1)*ldc+genericNR), ldc)
}
