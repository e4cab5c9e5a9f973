package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/linalg"
)

// BenchmarkCNNStep times one training step of the paper's SmallConvNet
// (float32) on a batch of 1024 48x48 images, as `spurious bench nn-cnn`.
func BenchmarkCNNStep(b *testing.B) {
	const bs, d = PaperBatchSize, 48 * 48
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, bs*d)
	y := make([]int, bs)
	for i := range x {
		x[i] = float32(r.IntN(256))
	}
	for i := range y {
		y[i] = r.IntN(10)
	}
	net := NewCNN[float32](48, 48, 1, 10, r)
	st, err := NewStepper(net, 10, bs)
	if err != nil {
		b.Fatal(err)
	}
	xm := linalg.MatrixFrom(bs, d, x)
	st.Step(xm, y)
	b.ResetTimer()
	for range b.N {
		st.Step(xm, y)
	}
	b.ReportMetric(float64(bs*b.N)/b.Elapsed().Seconds(), "samples/s")
}
