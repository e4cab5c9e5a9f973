package memorize_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
)

// Four training samples with 5 features each; a spurious query shares the
// last three features with its training sample and replaces the first two.
func Example() {
	phi := [][]float64{{2, 1, 0, 1, 1}, {1, 2, 1, 0, 1}, {0, 1, 2, 1, 1}, {1, 0, 1, 2, 0}}
	phiS := [][]float64{{1, 0, 0, 1, 1}, {0, 0, 1, 0, 1}, {1, 1, 2, 1, 1}, {0, 1, 1, 2, 0}}
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
		K: gram(phi, phi), Ks: gram(phiS, phi), G: []float64{1, -1, 1, -1},
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
	// sample 0: F=1.250 S=3.714 f(zs)=3.500 f_loo(zs)=-1.143
	// sample 1: F=-0.750 S=-3.286 f(zs)=3.250 f_loo(zs)=0.786
	// sample 2: F=0.625 S=3.714 f(zs)=0.250 f_loo(zs)=-2.071
	// sample 3: F=1.000 S=-3.800 f(zs)=-2.000 f_loo(zs)=1.800
	// spurious accuracy 0.75
}
