package nn

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// randomTask returns n samples of d standard normal values with uniformly
// random labels (classes 0..outputs-1, or ±1 for one output): labels carry
// no signal, so a perfect training accuracy means memorisation.
func randomTask[T linalg.Float](n, d, outputs int, seed uint64) *Task[T] {
	r := rand.New(rand.NewPCG(seed, 99))
	t := &Task[T]{Name: "random", D: d, Outputs: outputs,
		X: make([]T, n*d), Xs: make([]T, n*d), Xt: make([]T, n*d), Y: make([]int, n), Yt: make([]int, n)}
	for _, x := range [][]T{t.X, t.Xs, t.Xt} {
		for i := range x {
			x[i] = T(r.NormFloat64())
		}
	}
	for _, y := range [][]int{t.Y, t.Yt} {
		for i := range y {
			if outputs == 1 {
				y[i] = 2*r.IntN(2) - 1
			} else {
				y[i] = r.IntN(outputs)
			}
		}
	}
	return t
}

func TestOverfitFC(t *testing.T) {
	task := randomTask[float32](40, 30, 10, 1)
	net := NewFC[float32](30, 10, data.NewStream(1, streamInit))
	res, err := Train(context.Background(), net, task, TrainConfig{Epochs: 150, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainAcc != 1 {
		t.Errorf("FC on 40 random labels: train accuracy %v after 150 epochs, want 1", res.TrainAcc)
	}
	if res.Steps != 150 {
		t.Errorf("%d steps, want 150 (one batch per epoch)", res.Steps)
	}
}

func TestOverfitCNN(t *testing.T) {
	task := randomTask[float32](24, 8*8*3, 10, 2)
	task.Height, task.Width, task.Channels = 8, 8, 3
	net, err := NewNet("cnn", task, 2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(context.Background(), net, task, TrainConfig{Epochs: 150, BatchSize: 8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainAcc != 1 {
		t.Errorf("CNN on 24 random labels: train accuracy %v after 150 epochs, want 1", res.TrainAcc)
	}
	if res.Steps != 150*3 {
		t.Errorf("%d steps, want 450 (three batches per epoch)", res.Steps)
	}
}

func TestOverfitSyntheticMSE(t *testing.T) {
	rep, err := Run(context.Background(), Config{Arch: "fc", Dataset: "synthetic", N: 60, Nt: 200, D: 40,
		TrainConfig: TrainConfig{Epochs: 100, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.TrainAcc != 1 || rep.Outputs != 1 || rep.D != 40 || rep.Alpha != 0.5 || rep.Nt != 200 {
		t.Errorf("report %+v: want train accuracy 1, one output, d 40, alpha 0.5, nt 200", rep)
	}
	// The spurious query keeps half the coordinates: memorisation shows
	// as spurious accuracy above chance. With N = 60 its standard error
	// under chance is 0.065; 0.6 is 1.5 of them, a weak lower bound that
	// the memorising regime clears by far.
	if rep.SpuriousAcc < 0.6 {
		t.Errorf("spurious accuracy %v, want memorisation (> 0.6)", rep.SpuriousAcc)
	}
}

// reportKey strips the timings from a report.
func reportKey(r *Report) Report {
	k := *r
	k.LoadSeconds, k.TrainSeconds, k.EvalSeconds, k.SamplesPerSecond = 0, 0, 0, 0
	k.Engine.Threads = 0 // the results must not depend on it
	return k
}

func TestDeterminism(t *testing.T) {
	cfg := Config{Arch: "fc", Dataset: "synthetic", N: 50, Nt: 100, D: 30, Alpha: 0.25,
		TrainConfig: TrainConfig{Epochs: 5, BatchSize: 16, Seed: 11}}
	var losses [][]float64
	run := func(threads int) Report {
		var l []float64
		c := cfg
		c.Engine.Threads = threads
		c.ProgressEvery = 1
		c.Progress = func(p Progress) { l = append(l, p.Loss) }
		rep, err := Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, l)
		if threads > 0 && rep.Engine.Threads != threads {
			t.Errorf("ran on %d threads, asked for %d", rep.Engine.Threads, threads)
		}
		return reportKey(rep)
	}
	a, b, c := run(0), run(0), run(1)
	if a != b || a != c {
		t.Errorf("same seed, different results:\n%+v\n%+v\n%+v (1 thread)", a, b, c)
	}
	for i := range losses[0] {
		if losses[0][i] != losses[1][i] || losses[0][i] != losses[2][i] {
			t.Errorf("epoch %d losses differ: %v %v %v", i+1, losses[0][i], losses[1][i], losses[2][i])
		}
	}
	cfg.Seed = 12
	if d := run(0); d.TrainLoss == a.TrainLoss {
		t.Errorf("seeds 11 and 12 gave the same loss %v", a.TrainLoss)
	}
}

func TestSchedule(t *testing.T) {
	task := randomTask[float64](10, 5, 1, 4)
	net := NewFC[float64](5, 1, data.NewStream(4, streamInit))
	var lrs []float64
	_, err := Train(context.Background(), net, task, TrainConfig{Epochs: 7, StepEvery: 3, StepGamma: 0.5, ProgressEvery: 1,
		Progress: func(p Progress) { lrs = append(lrs, p.LR) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 2.5e-4}
	for i := range want {
		if math.Abs(lrs[i]-want[i]) > 1e-18 {
			t.Errorf("epoch %d: lr %v, want %v (all: %v)", i+1, lrs[i], want[i], lrs)
		}
	}
}

// TestAdamStep checks torch.optim.Adam's first two steps in closed form.
func TestAdamStep(t *testing.T) {
	p := &Param[float64]{Value: []float64{1, -2, 0.5}, Grad: []float64{0.3, -4e-9, 0}}
	a := NewAdam[float64]()
	a.Step([]*Param[float64]{p})
	// Step 1: m̂ = g, v̂ = g², so p -= lr·g/(|g| + eps).
	for i, want := range []float64{1 - 1e-3*0.3/(0.3+1e-8), -2 + 1e-3*4e-9/(4e-9+1e-8), 0.5} {
		if math.Abs(p.Value[i]-want) > 4*fpbound.U64*math.Abs(want) {
			t.Errorf("step 1, p[%d] = %.17g, want %.17g", i, p.Value[i], want)
		}
	}
	// Step 2 with g2: m = 0.9·0.1·g1 + 0.1·g2, v = 0.999·0.001·g1² + 0.001·g2².
	before := p.Value[0]
	p.Grad[0] = -0.1
	a.Step([]*Param[float64]{p})
	m := 0.9*0.1*0.3 + 0.1*-0.1
	v := 0.999*0.001*0.09 + 0.001*0.01
	want := before - 1e-3/(1-0.81)*m/(math.Sqrt(v)/math.Sqrt(1-0.998001)+1e-8)
	if math.Abs(p.Value[0]-want) > 16*fpbound.U64 {
		t.Errorf("step 2: p[0] = %.17g, want %.17g", p.Value[0], want)
	}
}

// TestInit checks PyTorch's bound 1/sqrt(fan_in) and the uniform law's
// moments: over n draws the sample mean has standard deviation
// bound/sqrt(3n) and the mean square bound²/3 ± bound²·sqrt(4/45/n); both
// are checked within 5 standard deviations.
func TestInit(t *testing.T) {
	r := data.NewStream(5, streamInit)
	for _, c := range []struct {
		name   string
		params []*Param[float64]
		fanIn  int
	}{
		{"dense", NewDense[float64](300, 200, r).Params(), 300},
		{"conv", NewConv3x3[float64](4, 4, 16, 32, r).Params(), 9 * 16},
	} {
		bound := 1 / math.Sqrt(float64(c.fanIn))
		for _, p := range c.params {
			n := float64(len(p.Value))
			var s, s2 float64
			for _, v := range p.Value {
				if math.Abs(v) > bound {
					t.Fatalf("%s %s: %v outside ±%v", c.name, p.Name, v, bound)
				}
				s += v
				s2 += v * v
			}
			if mean := s / n; math.Abs(mean) > 5*bound/math.Sqrt(3*n) {
				t.Errorf("%s %s: mean %v, want 0 ± %v", c.name, p.Name, mean, 5*bound/math.Sqrt(3*n))
			}
			if ms := s2 / n; math.Abs(ms-bound*bound/3) > 5*bound*bound*math.Sqrt(4.0/45/n) {
				t.Errorf("%s %s: mean square %v, want %v", c.name, p.Name, ms, bound*bound/3)
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	ok := Config{Arch: "fc", Dataset: "synthetic", N: 10, TrainConfig: TrainConfig{Epochs: 1}}
	for _, c := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Arch = "rnn" }, "architecture"},
		{func(c *Config) { c.Dataset = "imagenet" }, "data set"},
		{func(c *Config) { c.Arch = "cnn" }, "needs images"},
		{func(c *Config) { c.N = 0 }, "n=0"},
		{func(c *Config) { c.Nt = -1 }, "nt=-1"},
		{func(c *Config) { c.Epochs = -2 }, "epochs"},
		{func(c *Config) { c.BatchSize = -1 }, "batch"},
		{func(c *Config) { c.LR = math.NaN() }, "learning rate"},
		{func(c *Config) { c.StepGamma = 2 }, "gamma"},
		{func(c *Config) { c.Precision = "f16" }, "precision"},
		{func(c *Config) { c.Dataset, c.D = "mnist", 100 }, "synthetic data only"},
		{func(c *Config) { c.Alpha = 1.5 }, "alpha"},
	} {
		cfg := ok
		c.mod(&cfg)
		_, err := Run(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", cfg, err, c.want)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Config{Arch: "fc", Dataset: "synthetic", N: 10, D: 10, TrainConfig: TrainConfig{Epochs: 3}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// fakeSource returns a data set of 5x6 images with c channels whose pixels
// encode (image, position): image i has value 1 + (i*7 + p) % 250 at
// position p, so every centre pixel is non-zero and identifies its image.
func fakeSource(nTrain, nTest, c int) *data.Source {
	mk := func(n, off int) *data.ImageSet {
		s := &data.ImageSet{Height: 5, Width: 6, Channels: c, Pix: make([]byte, n*30*c), Labels: make([]int, n)}
		for i := range n {
			for p := range 30 * c {
				s.Pix[i*30*c+p] = byte(1 + ((i+off)*7+p)%250)
			}
			s.Labels[i] = (i + off) % 4
		}
		return s
	}
	return &data.Source{Name: "fake", Train: mk(nTrain, 0), Test: mk(nTest, 1000), Classes: []string{"a", "b", "c", "d"}}
}

// TestImageTask checks the conversion of data.MultiClassTrial (whose
// construction data's tests check): the same rows cast to T, the classes
// as outputs, and the test split capped at its size when Nt is 0.
func TestImageTask(t *testing.T) {
	src := fakeSource(20, 9, 3)
	cfg := data.MultiClassConfig{N: 12, Border: 2, Seed: 9}
	task, err := ImageTask[float32](src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if task.Nt() != 9 {
		t.Errorf("nt %d, want the whole test split (9 < %d)", task.Nt(), PaperNt)
	}
	cfg.Nt = 9
	ct, err := data.MultiClassTrial(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if task.D != ct.D() || task.Height != 9 || task.Width != 10 || task.Channels != 3 || task.Outputs != 4 || task.Alpha != ct.Alpha {
		t.Fatalf("geometry %dx%dx%d d=%d outputs=%d alpha=%v, want those of the trial (9x10x3, 4 classes, alpha %v)", task.Height, task.Width, task.Channels, task.D, task.Outputs, task.Alpha, ct.Alpha)
	}
	for _, p := range []struct {
		name string
		got  []float32
		want []byte
	}{{"X", task.X, ct.X}, {"Xs", task.Xs, ct.Xs}, {"Xt", task.Xt, ct.Xt}} {
		if len(p.got) != len(p.want) {
			t.Fatalf("%s: %d values, want %d", p.name, len(p.got), len(p.want))
		}
		for i, v := range p.want {
			if p.got[i] != float32(v) {
				t.Fatalf("%s[%d] = %v, want the raw pixel %d", p.name, i, p.got[i], v)
			}
		}
	}
	if !slices.Equal(task.Y, ct.Y) || !slices.Equal(task.Yt, ct.Yt) {
		t.Error("labels differ from the trial's classes")
	}
	if _, err := ImageTask[float32](src, data.MultiClassConfig{N: 21, Seed: 1}); err == nil || !strings.Contains(err.Error(), "training split has 20") {
		t.Errorf("n beyond the split: error %v", err)
	}
}

// TestMNIST trains the paper's FC and CNN briefly on real MNIST with the
// noise border (skipped when MNIST cannot be fetched, and in -short mode).
// A classifier at chance has accuracy 0.1 with standard deviation 0.0095
// over 1000 test images; 0.3 is over 20 of them.
func TestMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST for a few seconds")
	}
	cfg := Config{Arch: "fc", Dataset: "mnist", N: 1000, Nt: 1000, TrainConfig: TrainConfig{Epochs: 30, Seed: 1}}
	rep, err := Run(context.Background(), cfg)
	if errors.Is(err, data.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FC: %+v", *rep)
	if rep.D != 2304 || rep.Outputs != 10 || rep.ClassesPresent != 10 {
		t.Errorf("d %d outputs %d classes %d, want 2304, 10, 10", rep.D, rep.Outputs, rep.ClassesPresent)
	}
	if rep.TestAcc < 0.3 {
		t.Errorf("FC test accuracy %v after 30 epochs, want > 0.3 (chance 0.1)", rep.TestAcc)
	}
}
