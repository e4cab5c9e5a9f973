package rf_test

import (
	"context"
	"fmt"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/rf"
)

// The Gram matrices of 2 training inputs and 1 query under 1000 ReLU
// random features. As k grows they approach the arc-cosine kernel:
// 1/3 on the diagonal and 0.20 off it.
func ExampleGram() {
	relu, _ := activation.Lookup("relu")
	z := linalg.MatrixFrom(2, 3, []float64{1, 0, 1, 0, 1, 1})
	q := linalg.MatrixFrom(1, 3, []float64{1, 1, 0})
	k, cross, err := rf.Gram(context.Background(), rf.Config{Act: relu, K: 1000, Seed: 1}, z, q)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("K = [%.2f %.2f; %.2f %.2f], k(q, Z) = [%.2f %.2f]\n",
		k.At(0, 0), k.At(0, 1), k.At(1, 0), k.At(1, 1), cross[0].At(0, 0), cross[0].At(0, 1))
	// Output:
	// K = [0.29 0.18; 0.18 0.33], k(q, Z) = [0.18 0.18]
}
