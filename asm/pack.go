package asm

// Panic messages of the packing routines.
const (
	errPackKb  = "asm: kb < 0"
	errPackDst = "asm: packed panel shorter than 6*kb"
	errPackSrc = "asm: source shorter than 5*lds+kb"
	errPackLdd = "asm: ldd < 8"
	errT8Dst   = "asm: packed panel shorter than (kb-1)*ldd+8"
	errT8Src   = "asm: source shorter than 7*lds+kb"
)

// PackA6 packs alpha times the 6 x kb block whose rows are src[0:kb],
// src[lds:lds+kb], …, src[5*lds:5*lds+kb] into dst column by column, the A
// micro-panel layout of a 6-row kernel:
//
//	for p := 0; p < kb; p++ {
//		for i := 0; i < 6; i++ {
//			dst[6*p+i] = alpha * src[i*lds+p]
//		}
//	}
//
// On the AVX2 path four (float64) or eight (float32) columns at a time are
// transposed in registers. Every path computes the same products, so the
// result does not depend on the path. It moves 6*kb elements and panics if kb < 0 or a
// slice is too short.
func PackA6[T float32 | float64](dst, src []T, lds int, alpha T, kb int) {
	if kb < 0 {
		panic(errPackKb)
	}
	if kb == 0 {
		return
	}
	if len(dst) < 6*kb {
		panic(errPackDst)
	}
	if lds < 0 || len(src) < 5*lds+kb {
		panic(errPackSrc)
	}
	var done int
	switch d := any(dst).(type) {
	case []float64:
		done = packA6F64(d, any(src).([]float64), lds, float64(alpha), kb)
	case []float32:
		done = packA6F32(d, any(src).([]float32), lds, float32(alpha), kb)
	}
	packA6Generic(dst[6*done:6*kb], src[done:], lds, alpha, kb-done)
}

// packA6Generic is PackA6 in plain Go, reading the six rows in lockstep.
func packA6Generic[T float32 | float64](dst, src []T, lds int, alpha T, kb int) {
	if kb == 0 {
		return
	}
	r0 := src[:kb:kb]
	r1 := src[lds : lds+kb : lds+kb]
	r2 := src[2*lds : 2*lds+kb : 2*lds+kb]
	r3 := src[3*lds : 3*lds+kb : 3*lds+kb]
	r4 := src[4*lds : 4*lds+kb : 4*lds+kb]
	r5 := src[5*lds : 5*lds+kb : 5*lds+kb]
	dst = dst[:6*kb]
	for p := range r0 {
		d := dst[6*p : 6*p+6 : 6*p+6]
		d[0] = alpha * r0[p]
		d[1] = alpha * r1[p]
		d[2] = alpha * r2[p]
		d[3] = alpha * r3[p]
		d[4] = alpha * r4[p]
		d[5] = alpha * r5[p]
	}
}

// PackT8 writes the transpose of the 8 x kb block whose rows are
// src[0:kb], src[lds:lds+kb], …, src[7*lds:7*lds+kb] into dst with row
// stride ldd:
//
//	for p := 0; p < kb; p++ {
//		for j := 0; j < 8; j++ {
//			dst[p*ldd+j] = src[j*lds+p]
//		}
//	}
//
// which packs 8 columns of a B micro-panel of width ldd from the rows of
// a transposed operand (or, with ldd = 8, an 8-row A micro-panel). On the
// AVX2 path 4x4 (float64) or 8x8 (float32) blocks are transposed in
// registers; elsewhere the eight rows are read in lockstep. It moves 8*kb
// elements, writes nothing in the gaps of dst, and panics if kb < 0,
// ldd < 8 or a slice is too short.
func PackT8[T float32 | float64](dst, src []T, lds, ldd, kb int) {
	if kb < 0 {
		panic(errPackKb)
	}
	if ldd < 8 {
		panic(errPackLdd)
	}
	if kb == 0 {
		return
	}
	if len(dst) < (kb-1)*ldd+8 {
		panic(errT8Dst)
	}
	if lds < 0 || len(src) < 7*lds+kb {
		panic(errT8Src)
	}
	var done int
	switch d := any(dst).(type) {
	case []float64:
		done = packT8F64(d, any(src).([]float64), lds, ldd, kb)
	case []float32:
		done = packT8F32(d, any(src).([]float32), lds, ldd, kb)
	}
	if done < kb {
		packT8Generic(dst[done*ldd:], src[done:], lds, ldd, kb-done)
	}
}

// packT8Generic is PackT8 in plain Go: the 8 rows stream in lockstep and
// each step writes 8 consecutive elements.
func packT8Generic[T float32 | float64](dst, src []T, lds, ldd, kb int) {
	if kb == 0 {
		return
	}
	r0 := src[:kb:kb]
	r1 := src[lds : lds+kb : lds+kb]
	r2 := src[2*lds : 2*lds+kb : 2*lds+kb]
	r3 := src[3*lds : 3*lds+kb : 3*lds+kb]
	r4 := src[4*lds : 4*lds+kb : 4*lds+kb]
	r5 := src[5*lds : 5*lds+kb : 5*lds+kb]
	r6 := src[6*lds : 6*lds+kb : 6*lds+kb]
	r7 := src[7*lds : 7*lds+kb : 7*lds+kb]
	for p := range r0 {
		d := dst[p*ldd : p*ldd+8 : p*ldd+8]
		d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
		d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
	}
}

// scale multiplies x by alpha in place, x[i] = alpha * x[i], with the
// widest vectors of the active path: about len(x)/8 cycles on AVX2 when x
// is in L1.
func scale[T float32 | float64](x []T, alpha T) {
	var done int
	switch v := any(x).(type) {
	case []float64:
		done = scaleF64(v, float64(alpha))
	case []float32:
		done = scaleF32(v, float32(alpha))
	}
	for i := done; i < len(x); i++ {
		x[i] = alpha * x[i]
	}
}
