package fpbound_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// A compensated reference and the bound a float64 dot product of three
// terms must meet against it.
func ExampleDot2() {
	x, y := []float64{1e16, 1, -1e16}, []float64{1, 1, 1}
	want, abs := fpbound.Dot2(0, x, y)
	naive := x[0]*y[0] + x[1]*y[1] + x[2]*y[2]
	tol := fpbound.Gamma(3, fpbound.U64) * abs
	fmt.Println(want, naive, fpbound.Within(naive, want, tol))
	// Output: 1 0 true
}
