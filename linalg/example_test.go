package linalg_test

import (
	"fmt"
	"os"

	"github.com/spurious-ml/spurious/linalg"
)

// ExampleGemm multiplies a 2 x 3 matrix by the transpose of a 2 x 3 matrix
// and adds the result to twice C.
func ExampleGemm() {
	a := linalg.MatrixFrom(2, 3, []float64{
		1, 2, 3,
		4, 5, 6,
	})
	b := linalg.MatrixFrom(2, 3, []float64{
		1, 0, -1,
		0, 1, 0,
	})
	c := linalg.MatrixFrom(2, 2, []float64{
		1, 1,
		1, 1,
	})
	// C = 1*A*B^T + 2*C
	linalg.Gemm(linalg.NoTrans, linalg.Trans, 1, a, b, 2, c)
	for i := 0; i < c.Rows; i++ {
		fmt.Println(c.Row(i))
	}
	// Output:
	// [0 4]
	// [0 7]
}

// ExampleMatrix_View updates the lower-right 2 x 2 block of a matrix in
// place through a view.
func ExampleMatrix_View() {
	m := linalg.NewMatrix[float32](3, 3)
	v := m.View(1, 1, 2, 2)
	v.Set(0, 0, 5)
	v.Set(1, 1, 7)
	for i := 0; i < m.Rows; i++ {
		fmt.Println(m.Row(i))
	}
	// Output:
	// [0 0 0]
	// [0 5 0]
	// [0 0 7]
}

// ExampleReloadTuning turns the tuning file off, as SPURIOUS_TUNING=off
// does at start-up: Gemm then uses the block sizes derived from the cache
// sizes. (spurious tune writes the file; Tune and WriteTuning do the same
// from a program.)
func ExampleReloadTuning() {
	prev, had := os.LookupEnv(linalg.TuningEnv)
	os.Setenv(linalg.TuningEnv, "off")
	st := linalg.ReloadTuning()
	fmt.Println(st.Off, linalg.GemmBlocking[float64]().Origin)

	if had {
		os.Setenv(linalg.TuningEnv, prev)
	} else {
		os.Unsetenv(linalg.TuningEnv)
	}
	linalg.ReloadTuning()
	// Output: true derived
}

// An Engine fixes the instruction set and thread count of a computation,
// whatever the process-wide settings are meanwhile.
func ExampleNewEngine() {
	en, err := linalg.NewEngine[float64](linalg.Settings{ISA: "generic", Threads: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := linalg.MatrixFrom(2, 2, []float64{4, 2, 2, 3})
	if err := en.Cholesky(a); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(en.ISA(), en.Threads(), a.At(0, 0), a.At(1, 0), a.At(1, 1))
	_, err = linalg.NewEngine[float64](linalg.Settings{ISA: "sse9"})
	fmt.Println(err != nil)
	// Output:
	// generic 2 2 1 1.4142135623730951
	// true
}
