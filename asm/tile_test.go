package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// TestTilePack checks PackA and PackBT of the active tile of every path, in
// float64 and float32, against the loops of their doc comments, bit for
// bit: every row (column) count from 0 to MR (NR), depths around the
// packers' 4- and 8-column steps and the 32-element strips, row strides
// with gaps, unaligned starts, special values and alpha 1, -0.5 and 0,
// into a destination of exactly MR*kb (NR*kb) elements inside a guarded
// backing that must stay untouched. The source is cut to the last element
// the block needs, so a packer reading past it panics.
func TestTilePack(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 0))
		t64, t32 := KernelF64(), KernelF32()
		tilePackCases(t, r, t64.MR, t64.PackA, func(x float64) float64 { return x }, true)
		tilePackCases(t, r, t64.NR, func(d, s []float64, lds, n int, _ float64, kb int) { t64.PackBT(d, s, lds, n, kb) },
			func(x float64) float64 { return x }, false)
		tilePackCases(t, r, t32.MR, t32.PackA, func(x float64) float32 { return float32(x) }, true)
		tilePackCases(t, r, t32.NR, func(d, s []float32, lds, n int, _ float32, kb int) { t32.PackBT(d, s, lds, n, kb) },
			func(x float64) float32 { return float32(x) }, false)
	})
}

func tilePackCases[T float32 | float64](t *testing.T, r *rand.Rand, width int, pack func(dst, src []T, lds, rows int, alpha T, kb int),
	conv func(float64) T, scaled bool) {
	t.Helper()
	alphas := []T{1}
	if scaled {
		alphas = []T{1, -0.5, 0}
	}
	for rows := 0; rows <= width; rows++ {
		for _, kb := range []int{0, 1, 3, 4, 5, 8, 9, 31, 32, 33, 70} {
			for _, gap := range []int{0, 3} {
				for _, alpha := range alphas {
					lds := kb + gap
					n := 0
					if rows > 0 {
						n = (rows-1)*lds + kb
					}
					src := packSource(r, n, conv)
					dback := make([]T, width*kb+3)
					for i := range dback {
						dback[i] = -7
					}
					pack(dback[:width*kb:width*kb], src, lds, rows, alpha, kb)
					name := fmt.Sprintf("%T width=%d rows=%d kb=%d lds=%d alpha=%v", alpha, width, rows, kb, lds, alpha)
					for i, got := range dback {
						want := T(-7)
						if i < width*kb {
							want = 0
							if p, row := i/width, i%width; row < rows {
								want = src[row*lds+p]
								if scaled {
									want *= alpha
								}
							}
						}
						if !sameBits(got, want) {
							t.Fatalf("%s: dst[%d] = %v, want %v", name, i, got, want)
						}
					}
				}
			}
		}
	}
}

func TestTilePackPanics(t *testing.T) {
	k := KernelF64()
	dst, src := make([]float64, k.MR*k.NR*2), make([]float64, 64)
	checkPanics(t, []panicCase{
		{"rows<0", errTileRows, func() { k.PackA(dst, src, 2, -1, 1, 2) }},
		{"rows>MR", errTileRows, func() { k.PackA(dst, src, 2, k.MR+1, 1, 2) }},
		{"cols>NR", errTileCols, func() { k.PackBT(dst, src, 2, k.NR+1, 2) }},
		{"kb<0", errPackKb, func() { k.PackA(dst, src, 2, 1, 1, -1) }},
		{"short dst", errTileDst, func() { k.PackA(dst[:2*k.MR-1], src, 2, 1, 1, 2) }},
		{"short src", errTileSrc, func() { k.PackBT(dst, src[:2], 3, 2, 2) }},
		{"negative lds", errTileSrc, func() { k.PackA(dst, src, -1, 2, 1, 2) }},
	})
}
