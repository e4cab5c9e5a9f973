package ntk_test

import (
	"context"
	"fmt"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/ntk"
)

// The NTK Gram of two inputs for a ReLU network of width 2000, next to the
// linear kernel z.z' it multiplies entry-wise. As the width grows the
// diagonal approaches z.z * P(w.z > 0) = 1.
func ExampleGram() {
	relu, _ := activation.Lookup("relu")
	z := linalg.MatrixFrom(2, 2, []float64{1, 1, 1, -1})
	k, _, err := ntk.Gram(context.Background(), ntk.Config{Act: relu, K: 2000, Seed: 1}, z)
	if err != nil {
		fmt.Println(err)
		return
	}
	lin, _ := ntk.Linear(z)
	fmt.Printf("NTK diagonal %.2f, linear diagonal %.0f\n", k.At(0, 0), lin.At(0, 0))
	// Output:
	// NTK diagonal 1.00, linear diagonal 2
}
