package asm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// TestMulAddColumn checks, on every path, that MulAddColumn equals one
// MulAdd per tile bit for bit, leaves the gaps between C's rows and the
// guards around C alone, and does nothing for kc = 0 or tiles = 0.
func TestMulAddColumn(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 0))
		k64, k32 := KernelF64(), KernelF32()
		columnCases(t, uniform[float64](r), k64.MR, k64.NR, k64.MulAdd, k64.MulAddColumn)
		columnCases(t, uniform[float32](r), k32.MR, k32.NR, k32.MulAdd, k32.MulAddColumn)
	})
}

func columnCases[T float32 | float64](t *testing.T, gen func() T, mr, nr int,
	mulAdd func(kc int, a, b, c []T, ldc int), column func(kc int, a, b, c []T, ldc, tiles int)) {
	t.Helper()
	for _, tiles := range []int{0, 1, 2, 3, 5} {
		for _, kc := range []int{0, 1, 3, 4, 5, 17, 37} {
			for _, ldc := range []int{nr, nr + 3} {
				name := fmt.Sprintf("%T tiles=%d kc=%d ldc=%d", *new(T), tiles, kc, ldc)
				a, b := make([]T, tiles*mr*kc), make([]T, nr*kc)
				for _, s := range [][]T{a, b} {
					for i := range s {
						s[i] = gen()
					}
				}
				n := max(tiles*mr-1, 0)*ldc + nr
				back, c := guarded[T](n, 1)
				for i := range c {
					c[i] = gen()
				}
				want := slices.Clone(back)
				wc := want[guardN+1 : guardN+1+n]
				for r := 0; r < tiles && kc > 0; r++ {
					mulAdd(kc, a[r*mr*kc:], b, wc[r*mr*ldc:], ldc)
				}
				column(kc, a, b, c, ldc, tiles)
				for i := range back {
					if bitsOf(back[i]) != bitsOf(want[i]) {
						t.Fatalf("%s: element %d of C's backing = %v, want %v (tile by tile)", name, i-guardN-1, back[i], want[i])
					}
				}
			}
		}
	}
}

// TestMulAddColumnPanics checks the argument checks of MulAddColumn.
func TestMulAddColumnPanics(t *testing.T) {
	k := KernelF64()
	mr, nr := k.MR, k.NR
	a, b, c := make([]float64, 2*mr*3), make([]float64, nr*3), make([]float64, (2*mr-1)*nr+nr)
	checkPanics(t, []panicCase{
		{"zero TileF64", errKind, func() { TileF64{}.MulAddColumn(1, a, b, c, nr, 1) }},
		{"zero TileF32", errKind, func() { TileF32{}.MulAddColumn(1, nil, nil, nil, 1, 1) }},
		{"kc<0", errKc, func() { k.MulAddColumn(-1, a, b, c, nr, 1) }},
		{"tiles<0", errTiles, func() { k.MulAddColumn(1, a, b, c, nr, -1) }},
		{"ldc<NR", errLdc, func() { k.MulAddColumn(1, a, b, c, nr-1, 1) }},
		{"short A", errA, func() { k.MulAddColumn(3, a[:2*mr*3-1], b, c, nr, 2) }},
		{"short B", errB, func() { k.MulAddColumn(3, a, b[:nr*3-1], c, nr, 2) }},
		{"short C", errC, func() { k.MulAddColumn(3, a, b, c[:len(c)-1], nr, 2) }},
	})
}
