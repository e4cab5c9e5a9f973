package nn

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
)

// Paper's training settings (spec §4.4).
const (
	PaperEpochs    = 1000
	PaperBatchSize = 1024
	PaperLR        = 1e-3
	PaperStepEvery = 100 // epochs between learning-rate decays (StepLR step_size)
	PaperStepGamma = 0.8 // learning-rate factor per decay (StepLR gamma)
)

// TrainConfig holds the optimisation settings; zero values select the
// paper's (Adam lr 1e-3, batch 1024, lr x0.8 every 100 epochs).
type TrainConfig struct {
	Epochs    int
	BatchSize int
	LR        float64
	StepEvery int
	StepGamma float64
	Seed      uint64 // shuffling stream (and, in Run, initialisation and data)

	// Progress, when set, is called after every ProgressEvery-th epoch
	// (default 10, as the authors log) and after the last one.
	Progress      func(Progress)
	ProgressEvery int
}

func (c TrainConfig) withDefaults() (TrainConfig, error) {
	if c.BatchSize == 0 {
		c.BatchSize = PaperBatchSize
	}
	if c.LR == 0 {
		c.LR = PaperLR
	}
	if c.StepEvery == 0 {
		c.StepEvery = PaperStepEvery
	}
	if c.StepGamma == 0 {
		c.StepGamma = PaperStepGamma
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = 10
	}
	switch {
	case c.Epochs < 0:
		return c, fmt.Errorf("epochs=%d, want >= 0", c.Epochs)
	case c.BatchSize < 1:
		return c, fmt.Errorf("batch size %d, want >= 1", c.BatchSize)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return c, fmt.Errorf("learning rate %v, want a positive number", c.LR)
	case c.StepEvery < 1:
		return c, fmt.Errorf("lr step every %d epochs, want >= 1", c.StepEvery)
	case !(c.StepGamma > 0 && c.StepGamma <= 1):
		return c, fmt.Errorf("lr step factor %v, want 0 < gamma <= 1", c.StepGamma)
	case c.ProgressEvery < 1:
		return c, fmt.Errorf("progress every %d epochs, want >= 1", c.ProgressEvery)
	}
	return c, nil
}

// Progress describes the training state after an epoch.
type Progress struct {
	Epoch, Epochs int
	Loss          float64 // mean training loss over the epoch's batches
	TrainAcc      float64 // accuracy of the epoch's batches, each before its update
	LR            float64
	Elapsed       time.Duration
}

// Result is what one training run measured.
type Result struct {
	TrainAcc, TestAcc, SpuriousAcc float64
	TrainLoss                      float64 // mean loss of the last epoch (before each update)
	Epochs, Steps                  int
	TrainSeconds, EvalSeconds      float64
	SamplesPerSecond               float64 // training samples (forward, backward, Adam) per second
}

// Train trains net on task with Adam on the loss matching task.Outputs
// (MSE for 1, softmax cross-entropy otherwise), shuffling the training set
// every epoch from cfg.Seed, and returns the final train, test and
// spurious accuracies. The spurious accuracy is the fraction of training
// samples whose spurious query is predicted as the sample's label.
//
// Cost per epoch: one forward and backward pass over the N samples (about
// 3x the forward flops) plus one Adam update per batch; then one forward
// pass over 2N + Nt samples. It returns ctx.Err() when cancelled between
// epochs.
func Train[T linalg.Float](ctx context.Context, net *Net[T], task *Task[T], cfg TrainConfig) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkTask(net, task); err != nil {
		return nil, err
	}
	n, d := task.N(), task.D
	bs := min(cfg.BatchSize, n)
	xb := make([]T, bs*d)
	yb := make([]int, bs)
	st, err := NewStepper(net, task.Outputs, bs)
	if err != nil {
		return nil, err
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	shuffle := data.NewStream(cfg.Seed, streamShuffle)
	res := &Result{Epochs: cfg.Epochs}
	start := time.Now()
	for epoch := range cfg.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st.Opt.LR = cfg.LR * math.Pow(cfg.StepGamma, float64(epoch/cfg.StepEvery))
		shuffle.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		correct := 0
		for b0 := 0; b0 < n; b0 += bs {
			nb := min(bs, n-b0)
			for i, p := range perm[b0 : b0+nb] {
				copy(xb[i*d:(i+1)*d], task.X[p*d:(p+1)*d])
				yb[i] = task.Y[p]
			}
			l, c := st.Step(rows(xb, nb, d), yb[:nb])
			lossSum += l * float64(nb)
			correct += c
			res.Steps++
		}
		res.TrainLoss = lossSum / float64(n)
		if math.IsNaN(res.TrainLoss) || math.IsInf(res.TrainLoss, 0) {
			return nil, fmt.Errorf("training diverged: the mean loss of epoch %d is %v (learning rate %.3g); lower the learning rate",
				epoch+1, res.TrainLoss, st.Opt.LR)
		}
		if cfg.Progress != nil && ((epoch+1)%cfg.ProgressEvery == 0 || epoch+1 == cfg.Epochs) {
			cfg.Progress(Progress{Epoch: epoch + 1, Epochs: cfg.Epochs, Loss: res.TrainLoss,
				TrainAcc: float64(correct) / float64(n), LR: st.Opt.LR, Elapsed: time.Since(start)})
		}
	}
	res.TrainSeconds = time.Since(start).Seconds()
	if res.TrainSeconds > 0 {
		res.SamplesPerSecond = float64(cfg.Epochs) * float64(n) / res.TrainSeconds
	}
	evalStart := time.Now()
	loss := st.Loss
	res.TrainAcc = Accuracy(net, loss, task.X, task.Y, cfg.BatchSize)
	res.SpuriousAcc = Accuracy(net, loss, task.Xs, task.Y, cfg.BatchSize)
	res.TestAcc = Accuracy(net, loss, task.Xt, task.Yt, cfg.BatchSize)
	res.EvalSeconds = time.Since(evalStart).Seconds()
	return res, nil
}

// Stepper performs training steps: forward, loss, backward and one Adam
// update per batch.
type Stepper[T linalg.Float] struct {
	Net    *Net[T]
	Loss   Loss[T]
	Opt    *Adam[T]
	params []*Param[T]
	grad   []T
}

// NewStepper returns a Stepper for net with the loss of LossFor(outputs),
// Adam at PyTorch's defaults, and batches of at most maxBatch samples.
func NewStepper[T linalg.Float](net *Net[T], outputs, maxBatch int) (*Stepper[T], error) {
	if len(net.Layers) == 0 {
		return nil, fmt.Errorf("network has no layers")
	}
	if net.OutSize() != outputs {
		return nil, fmt.Errorf("%d outputs needed but the network has %d", outputs, net.OutSize())
	}
	s := &Stepper[T]{Net: net, Loss: LossFor[T](outputs), Opt: NewAdam[T](),
		params: net.Params(), grad: make([]T, maxBatch*outputs)}
	if net.Engine != nil {
		s.Opt.Threads = net.Engine.Threads()
	}
	return s, nil
}

// Step trains on one batch x (b x InSize, b <= maxBatch) with labels and
// returns the batch's mean loss and how many of its samples were
// predicted correctly before the update. Cost: StepFlops(b) in Gemm plus
// O(parameters) for Adam.
func (s *Stepper[T]) Step(x linalg.Matrix[T], labels []int) (loss float64, correct int) {
	out := s.Net.Forward(x)
	g := rows(s.grad, x.Rows, out.Cols)
	loss = s.Loss.Eval(out, labels, g)
	for i := range x.Rows {
		if s.Loss.Correct(out.Row(i), labels[i]) {
			correct++
		}
	}
	s.Net.Backward(g)
	s.Opt.Step(s.params)
	return loss, correct
}

// checkTask reports a task that does not fit the network.
func checkTask[T linalg.Float](net *Net[T], t *Task[T]) error {
	switch {
	case len(net.Layers) == 0:
		return fmt.Errorf("network has no layers")
	case net.InSize() != t.D:
		return fmt.Errorf("%s: inputs have %d values but the network takes %d", t.Name, t.D, net.InSize())
	case net.OutSize() != t.Outputs:
		return fmt.Errorf("%s: %d outputs needed but the network has %d", t.Name, t.Outputs, net.OutSize())
	case t.N() < 1:
		return fmt.Errorf("%s: no training samples", t.Name)
	case len(t.X) != t.N()*t.D || len(t.Xs) != t.N()*t.D || len(t.Xt) != t.Nt()*t.D:
		return fmt.Errorf("%s: input arrays do not match N=%d, Nt=%d, D=%d", t.Name, t.N(), t.Nt(), t.D)
	}
	return nil
}

// LossFor returns MSE for one output and SoftmaxCE otherwise.
func LossFor[T linalg.Float](outputs int) Loss[T] {
	if outputs == 1 {
		return MSE[T]{}
	}
	return SoftmaxCE[T]{}
}

// Accuracy returns the fraction of the rows of x (len(labels) rows of
// net.InSize() values) that loss.Correct accepts, evaluating batches of
// at most batch rows; NaN for no rows. Cost: one forward pass.
func Accuracy[T linalg.Float](net *Net[T], loss Loss[T], x []T, labels []int, batch int) float64 {
	n, d := len(labels), net.InSize()
	if len(x) != n*d {
		panic(errLabels)
	}
	if n == 0 {
		return math.NaN()
	}
	correct := 0
	for b0 := 0; b0 < n; b0 += batch {
		nb := min(batch, n-b0)
		out := net.Forward(rows(x[b0*d:], nb, d))
		for i := range nb {
			if loss.Correct(out.Row(i), labels[b0+i]) {
				correct++
			}
		}
	}
	return float64(correct) / float64(n)
}
