package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// TestPackA6 checks PackA6 on every path, in float64 and float32 (both
// with assembly on AVX2), against the loop of its doc comment, bit for bit,
// for column counts around the 4- and 8-column steps, row strides with
// gaps, unaligned starts, special values and alpha 1, -0.5 and 0, packing
// into a destination of exactly 6*kb elements inside a guarded backing
// that must stay untouched.
func TestPackA6(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 0))
		packA6Cases(t, r, func(x float64) float64 { return x })
		packA6Cases(t, r, func(x float64) float32 { return float32(x) })
	})
}

// packSource returns n random source elements, one in ten a special value
// (NaN, ±Inf, ±0, the smallest subnormal), starting at an unaligned
// offset of a slightly longer backing.
func packSource[T float32 | float64](r *rand.Rand, n int, conv func(float64) T) []T {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324}
	off := 1 + r.IntN(3)
	back := make([]T, off+n+2)
	for i := range back {
		v := r.NormFloat64()
		if r.IntN(10) == 0 {
			v = specials[r.IntN(len(specials))]
		}
		back[i] = conv(v)
	}
	return back[off : off+n]
}

func packA6Cases[T float32 | float64](t *testing.T, r *rand.Rand, conv func(float64) T) {
	t.Helper()
	for _, kb := range []int{0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 288} {
		for _, gap := range []int{0, 3} {
			for _, alpha := range []T{1, -0.5, 0} {
				lds := kb + gap
				src := packSource(r, 5*lds+kb, conv)
				dback := make([]T, 6*kb+3)
				for i := range dback {
					dback[i] = -7
				}
				PackA6(dback[:6*kb:6*kb], src, lds, alpha, kb)
				name := fmt.Sprintf("%T kb=%d lds=%d alpha=%v", alpha, kb, lds, alpha)
				for i, got := range dback {
					want := T(-7)
					if i < 6*kb {
						p, row := i/6, i%6
						want = alpha * src[row*lds+p]
					}
					if !sameBits(got, want) {
						t.Fatalf("%s: dst[%d] = %v, want %v", name, i, got, want)
					}
				}
			}
		}
	}
}

func TestPackA6Panics(t *testing.T) {
	dst, src := make([]float64, 12), make([]float64, 5*3+2)
	checkPanics(t, []panicCase{
		{"kb<0", errPackKb, func() { PackA6(dst, src, 3, 1, -1) }},
		{"short dst", errPackDst, func() { PackA6(dst[:11], src, 3, 1, 2) }},
		{"short src", errPackSrc, func() { PackA6(dst, src[:16], 3, 1, 2) }},
		{"negative lds", errPackSrc, func() { PackA6(dst, src, -1, 1, 2) }},
	})
}

// TestPackT8 checks PackT8 on every path, in float64 (assembly on AVX2)
// and float32 (plain Go), against the loop of its doc comment, bit for
// bit: column counts around the 4-column steps, row strides with gaps,
// destination strides 8 and wider, unaligned starts and special values;
// the gaps of dst and everything past the last packed row stay untouched.
func TestPackT8(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(6, 0))
		packT8Cases(t, r, func(x float64) float64 { return x })
		packT8Cases(t, r, func(x float64) float32 { return float32(x) })
	})
}

func packT8Cases[T float32 | float64](t *testing.T, r *rand.Rand, conv func(float64) T) {
	t.Helper()
	for _, kb := range []int{0, 1, 3, 4, 5, 7, 8, 9, 33, 288} {
		for _, gap := range []int{0, 3} {
			for _, ldd := range []int{8, 16, 27} {
				lds := kb + gap
				src := packSource(r, 7*lds+kb, conv)
				// dst is as short as PackT8 allows (the last packed row
				// needs only 8 elements), inside a guarded backing.
				n := max(kb-1, 0)*ldd + 8
				if kb == 0 {
					n = 0
				}
				dback := make([]T, n+5)
				for i := range dback {
					dback[i] = -7
				}
				PackT8(dback[:n:n], src, lds, ldd, kb)
				dst := dback
				name := fmt.Sprintf("%T kb=%d lds=%d ldd=%d", dst[0], kb, lds, ldd)
				for i := range dst {
					p, j := i/ldd, i%ldd
					want := T(-7)
					if p < kb && j < 8 {
						want = src[j*lds+p]
					}
					if got := dst[i]; !sameBits(got, want) {
						t.Fatalf("%s: dst[%d] = %v, want %v", name, i, got, want)
					}
				}
			}
		}
	}
}

func sameBits[T float32 | float64](x, y T) bool {
	switch v := any(x).(type) {
	case float64:
		return math.Float64bits(v) == math.Float64bits(any(y).(float64))
	default:
		return math.Float32bits(any(x).(float32)) == math.Float32bits(any(y).(float32))
	}
}

func TestPackT8Panics(t *testing.T) {
	dst, src := make([]float64, 16), make([]float64, 7*3+2)
	checkPanics(t, []panicCase{
		{"kb<0", errPackKb, func() { PackT8(dst, src, 3, 8, -1) }},
		{"ldd<8", errPackLdd, func() { PackT8(dst, src, 3, 7, 2) }},
		{"short dst", errT8Dst, func() { PackT8(dst[:15], src, 3, 8, 2) }},
		{"short src", errT8Src, func() { PackT8(dst, src[:22], 3, 8, 2) }},
		{"negative lds", errT8Src, func() { PackT8(dst, src, -1, 8, 2) }},
	})
}

// TestScale checks scale on every path against alpha*x in Go, bit for bit:
// lengths around the vector widths, unaligned starts, special values and
// alphas 1, -0.5, 0 and 3; the elements around x stay untouched.
func TestScale(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 0))
		scaleCases(t, r, func(x float64) float64 { return x })
		scaleCases(t, r, func(x float64) float32 { return float32(x) })
	})
}

func scaleCases[T float32 | float64](t *testing.T, r *rand.Rand, conv func(float64) T) {
	t.Helper()
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 1000} {
		for _, alpha := range []T{1, -0.5, 0, 3} {
			src := packSource(r, n+2, conv) // unaligned start, guards at both ends
			x := append([]T(nil), src...)
			scale(x[1:n+1:n+1], alpha)
			for i := range x {
				want := src[i]
				if i >= 1 && i <= n {
					want = alpha * src[i]
				}
				if !sameBits(x[i], want) {
					t.Fatalf("%T n=%d alpha=%v: x[%d] = %v, want %v", x[0], n, alpha, i, x[i], want)
				}
			}
		}
	}
}
