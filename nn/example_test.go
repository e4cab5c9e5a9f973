package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/nn"
)

// Train the paper's fully connected network on a small synthetic trial
// (d = 40 with half the coordinates spurious) and read its accuracies.
func Example() {
	rep, err := nn.Run(context.Background(), nn.Config{
		Arch: "fc", Dataset: "synthetic", N: 60, Nt: 500, D: 40, Alpha: 0.5,
		TrainConfig: nn.TrainConfig{Epochs: 100, Seed: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s on %s: %d parameters, %d output (MSE on labels ±1)\n", rep.Arch, rep.Dataset, rep.Params, rep.Outputs)
	fmt.Printf("train accuracy %.2f after %d Adam steps\n", rep.TrainAcc, rep.Steps)
	fmt.Println("test and spurious accuracy in [0, 1]:", rep.TestAcc >= 0 && rep.TestAcc <= 1, rep.SpuriousAcc >= 0 && rep.SpuriousAcc <= 1)
	// Output:
	// fc on synthetic: 120901 parameters, 1 output (MSE on labels ±1)
	// train accuracy 1.00 after 100 Adam steps
	// test and spurious accuracy in [0, 1]: true true
}

// ExampleNewCNN builds the paper's SmallConvNet for 48x48 grey images.
func ExampleNewCNN() {
	net := nn.NewCNN[float32](48, 48, 1, 10, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(net.InSize(), "inputs,", net.OutSize(), "outputs,", net.NumParams(), "parameters")
	fmt.Printf("%.3g Gflop of matrix products per training step of 1024 samples\n", net.StepFlops(1024)/1e9)
	// Output:
	// 2304 inputs, 10 outputs, 1187274 parameters
	// 24.9 Gflop of matrix products per training step of 1024 samples
}
