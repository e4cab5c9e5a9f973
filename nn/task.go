package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

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

// ClassesPresent returns how many distinct labels the training set has.
func (t *Task[T]) ClassesPresent() int {
	seen := map[int]bool{}
	for _, y := range t.Y {
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

// ImageConfig selects a multi-class noise-border trial.
type ImageConfig struct {
	Name   string // "mnist", "fashion-mnist" or "cifar10"
	Dir    string // data folder; empty: the default of data.LoadSource
	Border int    // border width in pixels; 0: MNIST/Fashion-MNIST 10, CIFAR-10 8 (48x48 images)
	N, Nt  int    // training and test samples; Nt == 0: 10000 capped at the test split
	Seed   uint64
}

// PaperNt is the number of test images of the paper's NN runs.
const PaperNt = 10000

// LoadImages loads the data set cfg.Name (data.LoadSource) and builds the
// noise-border trial of the paper's NN experiments (spec §1.3) on all of
// its classes; see ImageTask.
func LoadImages[T linalg.Float](ctx context.Context, cfg ImageConfig) (*Task[T], error) {
	if !slices.Contains(data.ImageDataSets, cfg.Name) {
		return nil, fmt.Errorf("unknown image data set %q (want %s)", cfg.Name, strings.Join(data.ImageDataSets, ", "))
	}
	src, err := data.LoadSource(ctx, cfg.Name, cfg.Dir)
	if err != nil {
		return nil, err
	}
	return ImageTask[T](src, cfg)
}

// ImageTask builds the multi-class noise-border trial from src:
//
//   - N training and Nt test images are drawn without replacement from all
//     images of each split (a partial Fisher-Yates shuffle from streams
//     derived from cfg.Seed); labels are the classes, Outputs =
//     len(src.Classes);
//   - each image is placed in the centre of a (H+2w)x(W+2w)xC canvas whose
//     other values are i.i.d. uniform integers 0..255 from a stream owned
//     by the sample (seed, split, draw position);
//   - the spurious query of training sample i is its canvas with the
//     centre set to 0;
//   - rows are the canvases in HWC order with raw pixel values 0..255, as
//     the authors' code (no scaling).
//
// Cost: O((2N+Nt)*D) time and memory, D = (H+2w)(W+2w)C.
func ImageTask[T linalg.Float](src *data.Source, cfg ImageConfig) (*Task[T], error) {
	w := cfg.Border
	if w == 0 {
		w = 10
		if strings.HasPrefix(src.Name, "cifar10") {
			w = 8
		}
	}
	tr, te := src.Train, src.Test
	nt := cfg.Nt
	if nt == 0 {
		nt = min(PaperNt, te.Len())
	}
	switch {
	case w < 0 || w > 1024:
		return nil, fmt.Errorf("%s: border %d, want 1..1024 pixels", src.Name, w)
	case cfg.N < 1:
		return nil, fmt.Errorf("%s: n=%d, want n >= 1", src.Name, cfg.N)
	case cfg.N > tr.Len():
		return nil, fmt.Errorf("%s: n=%d training samples requested but the training split has %d images", src.Name, cfg.N, tr.Len())
	case nt < 0:
		return nil, fmt.Errorf("%s: nt=%d, want nt >= 0", src.Name, nt)
	case nt > te.Len():
		return nil, fmt.Errorf("%s: nt=%d test samples requested but the test split has %d images", src.Name, nt, te.Len())
	case len(src.Classes) < 2:
		return nil, fmt.Errorf("%s: %d classes, need at least 2", src.Name, len(src.Classes))
	}
	H, W, C := tr.Height+2*w, tr.Width+2*w, tr.Channels
	d := H * W * C
	if int64(d)*int64(2*cfg.N+nt) > math.MaxInt/8 {
		return nil, fmt.Errorf("%s: %d samples of dimension %d do not fit in memory", src.Name, 2*cfg.N+nt, d)
	}
	t := &Task[T]{
		Name: src.Name, D: d, Outputs: len(src.Classes),
		Alpha:  float64(H*W-tr.Height*tr.Width) / float64(H*W),
		Height: H, Width: W, Channels: C,
		X: make([]T, cfg.N*d), Xs: make([]T, cfg.N*d), Xt: make([]T, nt*d),
		Y: make([]int, cfg.N), Yt: make([]int, nt),
	}
	canvas := make([]byte, d)
	for i, idx := range pickImages(tr.Len(), cfg.N, newStream(cfg.Seed, streamPickTrain)) {
		borderCanvas(canvas, tr, idx, w, newStream(cfg.Seed, streamBorderTrain, uint64(i)))
		toT(t.X[i*d:(i+1)*d], canvas)
		clearCentre(canvas, tr, w)
		toT(t.Xs[i*d:(i+1)*d], canvas)
		t.Y[i] = tr.Labels[idx]
	}
	for i, idx := range pickImages(te.Len(), nt, newStream(cfg.Seed, streamPickTest)) {
		borderCanvas(canvas, te, idx, w, newStream(cfg.Seed, streamBorderTest, uint64(i)))
		toT(t.Xt[i*d:(i+1)*d], canvas)
		t.Yt[i] = te.Labels[idx]
	}
	for _, y := range slices.Concat(t.Y, t.Yt) {
		if y < 0 || y >= t.Outputs {
			return nil, fmt.Errorf("%s: label %d outside the %d classes", src.Name, y, t.Outputs)
		}
	}
	return t, nil
}

// pickImages returns n distinct indices of 0..size-1 (partial
// Fisher-Yates).
func pickImages(size, n int, r *rand.Rand) []int {
	pool := make([]int, size)
	for i := range pool {
		pool[i] = i
	}
	for i := range n {
		j := i + r.IntN(size-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:n]
}

// borderCanvas writes image idx of s into the centre of canvas and fills
// the rest with uniform bytes of r (8 per Uint64, little-endian first, in
// HWC order over the whole canvas; centre values are drawn and
// overwritten).
func borderCanvas(canvas []byte, s *data.ImageSet, idx, w int, r *rand.Rand) {
	for i := 0; i < len(canvas); i += 8 {
		v := r.Uint64()
		for k := i; k < i+8 && k < len(canvas); k++ {
			canvas[k] = byte(v)
			v >>= 8
		}
	}
	img := s.Image(idx)
	C, W := s.Channels, s.Width+2*w
	row := s.Width * C
	for y := range s.Height {
		copy(canvas[((y+w)*W+w)*C:], img[y*row:(y+1)*row])
	}
}

// clearCentre sets the original image region of canvas to 0.
func clearCentre(canvas []byte, s *data.ImageSet, w int) {
	C, W := s.Channels, s.Width+2*w
	row := s.Width * C
	for y := range s.Height {
		clear(canvas[((y+w)*W+w)*C:][:row])
	}
}

func toT[T linalg.Float](dst []T, src []byte) {
	for i, b := range src {
		dst[i] = T(b)
	}
}
