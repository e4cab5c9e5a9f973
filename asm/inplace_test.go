package asm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// TestMulAddInPlace checks, on every path, the aliasing MulAdd allows: a
// C tile that is MR rows of b itself (ldc = NR), at the end of b (as the
// lower triangular solves of package linalg use it) or at its start (the
// upper ones). The result must equal, bit for bit, the same call on
// separate copies of b and C: the kernel reads all of b before it writes.
func TestMulAddInPlace(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(12, 0))
		k64, k32 := KernelF64(), KernelF32()
		inPlaceCases(t, uniform[float64](r), k64.MR, k64.NR, k64.MulAdd)
		inPlaceCases(t, uniform[float32](r), k32.MR, k32.NR, k32.MulAdd)
	})
}

func inPlaceCases[T float32 | float64](t *testing.T, gen func() T, mr, nr int, mulAdd func(kc int, a, b, c []T, ldc int)) {
	t.Helper()
	for _, kc := range []int{mr, mr + 1, 17, 37} {
		if kc < mr {
			continue
		}
		for _, off := range []int{kc - mr, 0} {
			name := fmt.Sprintf("%T kc=%d tile at row %d", *new(T), kc, off)
			a, b := make([]T, mr*kc), make([]T, nr*kc)
			for _, s := range [][]T{a, b} {
				for i := range s {
					s[i] = gen()
				}
			}
			want := slices.Clone(b)
			c := slices.Clone(b[off*nr : (off+mr)*nr])
			mulAdd(kc, a, b, c, nr)
			copy(want[off*nr:], c)
			mulAdd(kc, a, b, b[off*nr:], nr)
			for i := range b {
				if bitsOf(b[i]) != bitsOf(want[i]) {
					t.Fatalf("%s: b[%d] = %v, want %v (separate copies)", name, i, b[i], want[i])
				}
			}
		}
	}
}
