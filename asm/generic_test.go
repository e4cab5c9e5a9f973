package asm

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGeneric2x3MatchesReference checks that the plain-Go kernel adds the
// same products in the same order as the reference loop: its results are
// bitwise those of gemmTileGeneric, for every tail of the
// two-step loop and with a C row stride larger than the tile.
func TestGeneric2x3MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	for _, kc := range []int{0, 1, 2, 3, 4, 5, 6, 7, 255, 256, 257} {
		checkGenericBitwise(t, kc, uniform[float64](r), func(a, b, c []float64, ldc int) {
			gemmTileGeneric(genericMR, genericNR, kc, a, b, c, ldc)
		})
		checkGenericBitwise(t, kc, uniform[float32](r), func(a, b, c []float32, ldc int) {
			gemmTileGeneric(genericMR, genericNR, kc, a, b, c, ldc)
		})
	}
}

func checkGenericBitwise[T float32 | float64](t *testing.T, kc int, gen func() T, ref func(a, b, c []T, ldc int)) {
	t.Helper()
	const ldc = genericNR + 2
	a, b := make([]T, genericMR*kc), make([]T, genericNR*kc)
	c := make([]T, (genericMR-1)*ldc+genericNR)
	for _, s := range [][]T{a, b, c} {
		for i := range s {
			s[i] = gen()
		}
	}
	want := slices.Clone(c)
	ref(a, b, want, ldc)
	gemm2x3Generic(kc, a, b, c, ldc)
	for i := range c {
		if c[i] != want[i] {
			t.Fatalf("kc=%d: c[%d] = %v, reference %v", kc, i, c[i], want[i])
		}
	}
}
