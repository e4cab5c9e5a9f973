package memorize_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
)

// Three training samples with 4 features each: the third feature is what
// a sample's spurious query shares with it.
func Example() {
	phi := [][]float64{{1, 0, 1, 0}, {0, 1, 0, 1}, {1, 1, 0, 0}}
	phiS := [][]float64{{0, 0, 1, 0}, {0, 0, 0, 1}, {0, 1, 0, 0}}
	gram := func(a, b [][]float64) linalg.Matrix[float64] {
		m := linalg.NewMatrix[float64](len(a), len(b))
		for i := range a {
			for j := range b {
				for l := range a[i] {
					m.Set(i, j, m.At(i, j)+a[i][l]*b[j][l])
				}
			}
		}
		return m
	}
	res, err := memorize.Solve(memorize.Input{
		K: gram(phi, phi), Ks: gram(phiS, phi), G: []float64{1, -1, 1},
	}, memorize.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range res.F {
		fmt.Printf("sample %d: F=%.3f S=%.3f f(zs)=%.3f f_loo(zs)=%.3f\n",
			i, res.F[i], res.S[i], res.FSpurious[i], res.FSpuriousLOO[i])
	}
	fmt.Printf("spurious accuracy %.2f\n", res.SpuriousAcc)
	// Output:
	// sample 0: F=0.750 S=0.000 f(zs)=0.000 f_loo(zs)=0.000
	// sample 1: F=0.750 S=-1.333 f(zs)=-1.000 f_loo(zs)=0.000
	// sample 2: F=0.500 S=1.000 f(zs)=0.000 f_loo(zs)=-0.500
	// spurious accuracy 0.67
}
