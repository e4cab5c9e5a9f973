//go:build gc && !purego

package asm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNEONSignedZero checks the sign of zero results bit for bit against
// the plain loop. The kernels start their accumulators at +0 and add them
// to C at the end, as the contract loop does, so with all-zero operands
// C = -0 stays -0 exactly when the sum is -0 (with accumulators loaded from
// C instead, -0 + (+0·x) chains would differ). The shared variant tests do
// not compare zero signs, since they depend on the order of operations in
// general; for zero operands they do not.
func TestNEONSignedZero(t *testing.T) {
	testSignedZero(t, gemmF64Variants)
	testSignedZero(t, gemmF32Variants)
}

func testSignedZero[T float32 | float64](t *testing.T, variants []gemmVariant[T]) {
	i := slices.IndexFunc(variants, func(v gemmVariant[T]) bool { return v.name == NEON })
	if i < 0 {
		t.Fatalf("no %T NEON variant", *new(T))
	}
	v := variants[i]
	r := rand.New(rand.NewPCG(11, uint64(v.mr*100+v.nr)))
	zeros := []T{0, T(math.Copysign(0, -1))}
	for _, kc := range []int{1, 2, v.unroll, v.unroll + 1, 2*v.unroll + 1} {
		for trial := 0; trial < 4; trial++ {
			a, b, c := make([]T, v.mr*kc), make([]T, v.nr*kc), make([]T, v.mr*v.nr)
			for _, s := range [][]T{a, b, c} {
				for k := range s {
					s[k] = zeros[r.IntN(2)]
				}
			}
			want := slices.Clone(c)
			switch w := any(want).(type) {
			case []float64:
				gemmTileGeneric(v.mr, v.nr, kc, any(a).([]float64), any(b).([]float64), w, v.nr)
			case []float32:
				gemmTileGeneric(v.mr, v.nr, kc, any(a).([]float32), any(b).([]float32), w, v.nr)
			}
			v.fn(kc, a, b, c, v.nr)
			for k := range c {
				if bitsOf(c[k]) != bitsOf(want[k]) {
					t.Fatalf("%s %T kc=%d: c[%d] = %v, plain loop %v", v.name, *new(T), kc, k, c[k], want[k])
				}
			}
		}
	}
}
