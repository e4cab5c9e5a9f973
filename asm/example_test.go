package asm_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/asm"
)

// A 2x3 times 3x2 product computed by the active micro-kernel: the packing
// pads A and B with zeros to the kernel's full MR x NR tile, and the result
// is read back from the top-left corner of the C tile.
func ExampleTileF64_MulAdd() {
	k := asm.KernelF64()
	A := [][]float64{{1, 2, 3}, {4, 5, 6}}
	B := [][]float64{{7, 8}, {9, 10}, {11, 12}}
	const kc = 3

	a := make([]float64, k.MR*kc) // column p of A at a[p*MR:]
	b := make([]float64, kc*k.NR) // row p of B at b[p*NR:]
	for p := 0; p < kc; p++ {
		for i := range A {
			a[p*k.MR+i] = A[i][p]
		}
		for j := range B[p] {
			b[p*k.NR+j] = B[p][j]
		}
	}
	ldc := k.NR
	c := make([]float64, k.MR*ldc)
	k.MulAdd(kc, a, b, c, ldc)
	fmt.Println(c[0:2], c[ldc:ldc+2])
	// Output: [58 64] [139 154]
}

// FMALoop times the machine's float64 peak on the active instruction set.
func ExampleFMALoop() {
	flops := asm.FMALoop(1000)
	fmt.Println(flops > 0)
	// Output: true
}
