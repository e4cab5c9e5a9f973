package reproduce_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/reproduce"
)

// The sweep of the quick preset on synthetic data only: RF and NTK with
// two activations (and ReLU for the NTK) and two spurious fractions, and
// the FC network, at four training-set sizes with three repetitions each.
func ExampleSweepSpec() {
	spec := reproduce.SweepSpec(reproduce.Quick, 1, nil)
	trials, err := spec.Trials()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(trials), "trials; first:", trials[0].Params)
	// Output:
	// 132 trials; first: model=rf act=phi2 dataset=synthetic alpha=0.5 d=1000 k=3000 n=10 nt=500 ridge=0 rep=0 extra.heldout=0
}
