package asm

import "unsafe"

// Tile of the plain-Go kernels. Without FMA (GOAMD64=v1) every product
// needs a register of its own before it is added (SSE arithmetic overwrites
// an operand), and Go's scheduler computes all products of the last k step
// of a loop body before their additions. A 2x3 tile keeps its 6
// accumulators and those 6 products in the 15 usable xmm registers of
// amd64. The 2x4 tile used before needs 16, spilled three products per k
// step and ran at about 4-5 GFLOP/s in BenchmarkKernel on a Zen 3 core
// where this one runs at 8-9 (scalar peak by BenchmarkFMALoop: 11.5).
const (
	genericMR = 2
	genericNR = 3
)

// gemm2x3Generic is the plain-Go micro-kernel with a 2x3 tile. It computes
// gemmTileGeneric(2, 3, kc, a, b, c, ldc) with the same
// additions in the same order, 12*kc flops.
//
// The panels are walked with unsafe pointers: re-slicing costs a masking
// sequence per step and indexing costs bounds checks or index arithmetic
// (10-20% of the loop's speed on the Zen 3). The pointers never leave the
// panels: the main loop advances them only while a step lies beyond the two
// it handles, and the last one or two steps use fixed offsets.
func gemm2x3Generic[T float32 | float64](kc int, a, b, c []T, ldc int) {
	a = a[:2*kc]
	b = b[:3*kc]
	var c00, c01, c02, c10, c11, c12 T
	if kc > 0 {
		s := unsafe.Sizeof(a[0])
		pa, pb := unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0])
		n := kc // steps left at pa, pb
		// Two steps per trip; each accumulator still sums over p in
		// increasing order.
		for ; n > 2; n -= 2 {
			a0 := *(*T)(pa)
			a1 := *(*T)(unsafe.Add(pa, s))
			b0 := *(*T)(pb)
			b1 := *(*T)(unsafe.Add(pb, s))
			b2 := *(*T)(unsafe.Add(pb, 2*s))
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			a0 = *(*T)(unsafe.Add(pa, 2*s))
			a1 = *(*T)(unsafe.Add(pa, 3*s))
			b0 = *(*T)(unsafe.Add(pb, 3*s))
			b1 = *(*T)(unsafe.Add(pb, 4*s))
			b2 = *(*T)(unsafe.Add(pb, 5*s))
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			pa, pb = unsafe.Add(pa, 4*s), unsafe.Add(pb, 6*s)
		}
		// One or two steps are left.
		a0 := *(*T)(pa)
		a1 := *(*T)(unsafe.Add(pa, s))
		b0 := *(*T)(pb)
		b1 := *(*T)(unsafe.Add(pb, s))
		b2 := *(*T)(unsafe.Add(pb, 2*s))
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		if n == 2 {
			a0 = *(*T)(unsafe.Add(pa, 2*s))
			a1 = *(*T)(unsafe.Add(pa, 3*s))
			b0 = *(*T)(unsafe.Add(pb, 3*s))
			b1 = *(*T)(unsafe.Add(pb, 4*s))
			b2 = *(*T)(unsafe.Add(pb, 5*s))
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
		}
	}
	r := c[0:3:3]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r = c[ldc : ldc+3 : ldc+3]
	r[0] += c10
	r[1] += c11
	r[2] += c12
}

// gemmTileGeneric is the reference twin of any kernel geometry: the
// contract loop of the package doc for an mr x nr tile, summing over p in
// increasing order. The SIMD kernels are tested against it.
func gemmTileGeneric[T float32 | float64](mr, nr, kc int, a, b, c []T, ldc int) {
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			var s T
			for p := 0; p < kc; p++ {
				s += a[p*mr+i] * b[p*nr+j]
			}
			c[i*ldc+j] += s
		}
	}
}

// tileGenericF64 and tileGenericF32 describe the plain-Go kernels.
var (
	tileGenericF64 = TileF64{MR: genericMR, NR: genericNR, ISA: Generic, Rule: ruleL1, id: idGeneric}
	tileGenericF32 = TileF32{MR: genericMR, NR: genericNR, ISA: Generic, Rule: ruleL1, id: idGeneric}
)

// mulAddGeneric runs the plain-Go kernel on checked pointers.
func mulAddGeneric[T float32 | float64](kc int, a, b, c *T, ldc int) {
	gemm2x3Generic(kc, unsafe.Slice(a, genericMR*kc), unsafe.Slice(b, genericNR*kc),
		unsafe.Slice(c, (genericMR-1)*ldc+genericNR), ldc)
}
