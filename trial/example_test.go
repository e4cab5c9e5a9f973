package trial_test

import (
	"context"
	"fmt"

	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/trial"
)

// A whole trial: the NTK of a width-200 network with ReLU on 60 synthetic
// samples in 50 dimensions, on the generic kernels and one thread.
func Example() {
	s := trial.Default()
	s.Model, s.Act, s.K = "ntk", "relu", 200
	s.D, s.N, s.Nt, s.Seed = 50, 60, 20, 7
	s.Engine = linalg.Settings{ISA: "generic", Threads: 1}
	r, err := trial.Run(context.Background(), s, trial.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("train accuracy %.2f, %d held-out queries, on %s with %d thread\n", r.TrainAcc, r.Nh, r.ISA, r.Threads)
	fmt.Println("mean feature alignment between 0 and 1:", r.FeatureAlignmentMean > 0 && r.FeatureAlignmentMean < 1)

	s.Ridge = -1
	_, err = trial.Run(context.Background(), s, trial.Options{})
	fmt.Println(err)
	// Output:
	// train accuracy 1.00, 20 held-out queries, on generic with 1 thread
	// mean feature alignment between 0 and 1: true
	// trial: Ridge: ridge=-1, want a finite lambda >= 0
}
