package activation_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/activation"
)

func Example() {
	phi4, err := activation.Lookup("phi4")
	if err != nil {
		panic(err)
	}
	x := []float64{-1, 0, 1, 2}
	y := make([]float64, len(x))
	phi4.Apply(y, x) // phi = h1 + h4
	fmt.Printf("phi4:  %.4f\n", y)
	phi4.ApplyDeriv(y, x, activation.DerivPaper) // authors' NTK phi' = h0 + h3
	fmt.Printf("paper: %.4f\n", y)
	phi4.ApplyDeriv(y, x, activation.DerivTrue) // true phi' = h0 + 2 h3
	fmt.Printf("true:  %.4f\n", y)
	fmt.Println("hermite:", phi4.Hermite, phi4.NTKHermite)

	if _, err := activation.Lookup("hermite:0,1,x"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// phi4:  [-1.4082 0.6124 0.5918 0.9794]
	// paper: [1.8165 1.0000 0.1835 1.8165]
	// true:  [2.6330 1.0000 -0.6330 2.6330]
	// hermite: [0 1 0 0 1] [1 0 0 1]
	// activation: hermite: coefficient 2 ("x") is not a number
}
