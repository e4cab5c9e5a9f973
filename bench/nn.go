package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/nn"
)

func init() {
	ops["nn-fc"] = func(cfg Config) (Case, error) { return prepareNN("fc", cfg) }
	ops["nn-cnn"] = func(cfg Config) (Case, error) { return prepareNN("cnn", cfg) }
}

// prepareNN sets up one training step (forward, backward, Adam) of the
// paper's FC (d -> 500 -> 200 -> 10, d = --d, default 2304) or CNN
// (48x48x1 MNIST-shaped inputs) on a batch of --n samples (default 1024)
// of random pixels 0..255 with random labels among 10 classes. Flops: the
// matrix products of the step (nn.Net.StepFlops); samples per second are
// n / seconds.
func prepareNN(arch string, cfg Config) (Case, error) {
	b := cfg.N
	if b == 0 {
		b = nn.PaperBatchSize
	}
	d := cfg.D
	if arch == "cnn" && d != 0 && d != 48*48 {
		return Case{}, fmt.Errorf("nn-cnn: the CNN takes 48x48x1 images (d = 2304), not d = %d", d)
	}
	if d == 0 {
		d = 48 * 48
	}
	if err := checkMemory(fmt.Sprintf("nn: batch %d of dimension %d", b, d), 4*float64(b)*float64(d)*40); err != nil {
		return Case{}, err
	}
	if cfg.Precision == "f32" {
		return nnRunner[float32](arch, b, d)
	}
	return nnRunner[float64](arch, b, d)
}

func nnRunner[T linalg.Float](arch string, b, d int) (Case, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	task := &nn.Task[T]{Name: "bench", D: d, Outputs: 10, Height: 48, Width: 48, Channels: 1,
		X: make([]T, b*d), Y: make([]int, b)}
	if arch == "fc" {
		task.Height, task.Width, task.Channels = 0, 0, 0
	}
	for i := range task.X {
		task.X[i] = T(rng.IntN(256))
	}
	for i := range task.Y {
		task.Y[i] = rng.IntN(10)
	}
	net, err := nn.NewNet(arch, task, 1)
	if err != nil {
		return Case{}, err
	}
	step, err := nn.NewStepper(net, task.Outputs, b)
	if err != nil {
		return Case{}, err
	}
	x := linalg.MatrixFrom(b, d, task.X)
	return Case{
		Sizes: map[string]int{"batch": b, "d": d},
		Flops: net.StepFlops(b),
		Run: func() error {
			step.Step(x, task.Y)
			return nil
		},
	}, nil
}
