package theory_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/theory"
)

func Example() {
	relu, err := activation.Lookup("relu")
	if err != nil {
		panic(err)
	}
	p, err := theory.NewPredictor(theory.RF, relu, activation.DerivPaper)
	if err != nil {
		panic(err)
	}
	large, _ := p.LargeN(0.5)
	small, _ := p.SmallN(0.5)
	mid, _ := p.Psi(0.5, 1000, 1000) // N = 1000 samples in d = 1000
	fmt.Printf("RF relu alpha=1/2: large-N %.6f, N=d %.4f, small-N %.6f\n", large, mid, small)

	mu, _, _ := theory.Coeffs(theory.NTK, relu, activation.DerivPaper, 4)
	fmt.Printf("step coefficients: %.6f\n", mu)

	// Infinite-width RF kernel of two inputs from their norms and dot product.
	k := theory.RFKernel(relu)
	fmt.Printf("kernel: %.6f\n", k(4, 4, 2, 4)) // |z|^2 = |z'|^2 = d = 4, t = 1/2
	// Output:
	// RF relu alpha=1/2: large-N 0.223941, N=d 0.3764, small-N 0.426422
	// step coefficients: [0.500000 0.398942 0.000000 -0.162868]
	// kernel: 0.304499
}
