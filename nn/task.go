package nn

import (
	"context"
	"slices"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
)

// Task is the data of one trial: N training inputs X with labels Y, their
// spurious queries Xs (row i belongs to training sample i, labelled Y[i]),
// and Nt test inputs Xt with labels Yt; rows of D values.
//
// With Outputs == 1 the labels are -1 or +1 and the network regresses them
// (MSE); otherwise they are classes 0..Outputs-1 (softmax cross-entropy).
type Task[T linalg.Float] struct {
	Name    string
	D       int
	Alpha   float64 // fraction of the coordinates that are spurious
	Outputs int

	// Height, Width, Channels: image geometry of a row (HWC); all zero
	// for non-image data.
	Height, Width, Channels int

	X, Xs, Xt []T
	Y, Yt     []int
}

// N returns the number of training samples.
func (t *Task[T]) N() int { return len(t.Y) }

// Nt returns the number of test samples.
func (t *Task[T]) Nt() int { return len(t.Yt) }

// ClassesPresent returns how many distinct labels the training and test
// samples have together: the classes a trial can tell apart (2 for the
// cat/ship copy of CIFAR-10, 10 for MNIST with enough samples, whatever
// few classes a tiny training set happens to draw).
func (t *Task[T]) ClassesPresent() int {
	seen := map[int]bool{}
	for _, y := range slices.Concat(t.Y, t.Yt) {
		seen[y] = true
	}
	return len(seen)
}

// FromDataset converts a binary data set of package data (labels -1/+1)
// into a one-output regression Task, casting the inputs to T. Cost: one
// pass over the data.
func FromDataset[T linalg.Float](ds *data.Dataset) (*Task[T], error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	cast := func(v []float64) []T {
		out := make([]T, len(v))
		for i, x := range v {
			out[i] = T(x)
		}
		return out
	}
	labels := func(g []float64) []int {
		out := make([]int, len(g))
		for i, v := range g {
			out[i] = int(v) // Validate checked -1 or +1
		}
		return out
	}
	return &Task[T]{
		Name: ds.Name, D: ds.D, Alpha: ds.Alpha, Outputs: 1,
		Height: ds.Height, Width: ds.Width, Channels: ds.Channels,
		X: cast(ds.Z), Xs: cast(ds.Zs), Xt: cast(ds.Zt), Y: labels(ds.G), Yt: labels(ds.Gt),
	}, nil
}

// LoadSynthetic draws the paper's synthetic data (data.Synthetic) as a
// one-output regression Task.
func LoadSynthetic[T linalg.Float](cfg data.SyntheticConfig) (*Task[T], error) {
	ds, err := data.Synthetic(cfg)
	if err != nil {
		return nil, err
	}
	return FromDataset[T](ds)
}

// PaperNt is the number of test images of the paper's NN runs.
const PaperNt = 10000

// FromClassTrial converts a multi-class noise-border trial of package data
// (data.MultiClassTrial) into a Task with one output per class, casting
// the raw pixel values 0..255 to T without scaling, as the authors' code.
// Cost: one pass over the data.
func FromClassTrial[T linalg.Float](ct *data.ClassTrial) *Task[T] {
	return &Task[T]{
		Name: ct.Name, D: ct.D(), Alpha: ct.Alpha, Outputs: len(ct.Classes),
		Height: ct.Height, Width: ct.Width, Channels: ct.Channels,
		X: castBytes[T](ct.X), Xs: castBytes[T](ct.Xs), Xt: castBytes[T](ct.Xt),
		Y: slices.Clone(ct.Y), Yt: slices.Clone(ct.Yt),
	}
}

// LoadImages loads the data set name (data.LoadSource, dir as there) and
// returns ImageTask on it.
func LoadImages[T linalg.Float](ctx context.Context, name, dir string, cfg data.MultiClassConfig) (*Task[T], error) {
	src, err := data.LoadSource(ctx, name, dir)
	if err != nil {
		return nil, err
	}
	return ImageTask[T](src, cfg)
}

// ImageTask builds the noise-border trial of the paper's NN experiments on
// all classes of src (data.MultiClassTrial with cfg; cfg.Nt == 0 selects
// PaperNt test images capped at the test split) as a Task. Cost:
// O((2N+Nt)*D).
func ImageTask[T linalg.Float](src *data.Source, cfg data.MultiClassConfig) (*Task[T], error) {
	if cfg.Nt == 0 {
		cfg.Nt = min(PaperNt, src.Test.Len())
	}
	ct, err := data.MultiClassTrial(src, cfg)
	if err != nil {
		return nil, err
	}
	return FromClassTrial[T](ct), nil
}

func castBytes[T linalg.Float](src []byte) []T {
	out := make([]T, len(src))
	for i, b := range src {
		out[i] = T(b)
	}
	return out
}
