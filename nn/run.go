package nn

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
)

// Architectures and data sets Run accepts.
var (
	Archs    = []string{"fc", "cnn"}
	DataSets = append([]string{"synthetic"}, data.ImageDataSets...)
)

// Synthetic defaults of the paper's NN runs (spec §1.2, §4.4).
const (
	SyntheticD     = 1000
	SyntheticAlpha = 0.5
)

// QuickEpochs is the epoch count of the quick variant (`spurious nn
// --quick`, and what `spurious reproduce` can use for a preview): a tenth
// of the paper's 1000 epochs, before the first learning-rate decay.
const QuickEpochs = 100

// Config is one NN trial: the data, the architecture and the training
// settings. Zero values select the paper's settings where one exists.
type Config struct {
	Arch    string // "fc" or "cnn" (images only)
	Dataset string // "synthetic", "mnist", "fashion-mnist" or "cifar10"
	N, Nt   int    // training and test samples; Nt == 0: the paper's 10000 (capped at an image test split)

	D     int     // synthetic input dimension; 0: 1000
	Alpha float64 // synthetic spurious fraction; 0: 1/2

	Dir    string // image data folder; empty: data.LoadSource's default
	Border int    // image noise border; 0: 10 (MNIST) or 8 (CIFAR-10)

	Precision string // "f32" (default, as PyTorch) or "f64"

	// Engine is the instruction set and thread count of the linear
	// algebra (zero fields: the process defaults).
	Engine linalg.Settings

	TrainConfig // Seed also drives the data and the initialisation
}

// Report is the outcome of Run: the resolved setting and the Result.
type Report struct {
	Arch, Dataset, Precision string
	N, Nt, D, Outputs        int
	ClassesPresent           int // distinct labels of the training and test samples (e.g. 2 for the cat/ship CIFAR-10 copy)
	Alpha                    float64
	Params                   int
	Seed                     uint64
	LoadSeconds              float64
	Engine                   linalg.Settings // resolved: the instruction set and threads it ran on
	Blocking                 linalg.Blocking // the GEMM blocking of its precision (it changes the last bits)
	Result
}

// Validate checks the choices that do not depend on the data.
func (c Config) Validate() error {
	switch {
	case !slices.Contains(Archs, c.Arch):
		return fmt.Errorf("architecture %q, want %s", c.Arch, strings.Join(Archs, " or "))
	case !slices.Contains(DataSets, c.Dataset):
		return fmt.Errorf("data set %q, want %s", c.Dataset, strings.Join(DataSets, ", "))
	case c.Arch == "cnn" && c.Dataset == "synthetic":
		return fmt.Errorf("the cnn needs images: use architecture fc for synthetic data")
	case c.Precision != "" && c.Precision != "f32" && c.Precision != "f64":
		return fmt.Errorf("precision %q, want f32 or f64", c.Precision)
	case c.N < 1:
		return fmt.Errorf("n=%d, want n >= 1", c.N)
	case c.Nt < 0:
		return fmt.Errorf("nt=%d, want nt >= 0", c.Nt)
	case c.Dataset != "synthetic" && (c.D != 0 || c.Alpha != 0):
		return fmt.Errorf("d and alpha apply to synthetic data only; for %s they follow from the image size and the border width", c.Dataset)
	}
	if _, err := c.Engine.Resolve(); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	_, err := c.TrainConfig.withDefaults()
	return err
}

// Run loads the data of cfg, builds the network (initialised from a stream
// of cfg.Seed), trains it (Train) and returns the accuracies. Cost: see
// Train; loading MNIST or CIFAR-10 reads the files once.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Precision == "f64" {
		return runT[float64](ctx, cfg)
	}
	cfg.Precision = "f32"
	return runT[float32](ctx, cfg)
}

func runT[T linalg.Float](ctx context.Context, cfg Config) (*Report, error) {
	start := time.Now()
	task, err := LoadTask[T](ctx, cfg)
	if err != nil {
		return nil, err
	}
	load := time.Since(start).Seconds()
	en, err := linalg.NewEngine[T](cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	net, err := NewNet(cfg.Arch, task, cfg.Seed)
	if err != nil {
		return nil, err
	}
	net.SetEngine(en)
	res, err := Train(ctx, net, task, cfg.TrainConfig)
	if err != nil {
		return nil, err
	}
	return &Report{
		Arch: cfg.Arch, Dataset: task.Name, Precision: cfg.Precision,
		N: task.N(), Nt: task.Nt(), D: task.D, Outputs: task.Outputs,
		ClassesPresent: task.ClassesPresent(), Alpha: task.Alpha,
		Params: net.NumParams(), Seed: cfg.Seed, LoadSeconds: load, Engine: en.Settings(), Blocking: en.Blocking(), Result: *res,
	}, nil
}

// LoadTask loads the data of cfg: synthetic (data.Synthetic with D and
// Alpha, one output) or images (LoadImages, all classes).
func LoadTask[T linalg.Float](ctx context.Context, cfg Config) (*Task[T], error) {
	nt := cfg.Nt
	if cfg.Dataset == "synthetic" {
		d, alpha := cfg.D, cfg.Alpha
		if d == 0 {
			d = SyntheticD
		}
		if alpha == 0 {
			alpha = SyntheticAlpha
		}
		if nt == 0 {
			nt = PaperNt
		}
		return LoadSynthetic[T](data.SyntheticConfig{D: d, Alpha: alpha, N: cfg.N, Nt: nt, Seed: cfg.Seed})
	}
	return LoadImages[T](ctx, cfg.Dataset, cfg.Dir, data.MultiClassConfig{Name: cfg.Dataset, Border: cfg.Border, N: cfg.N, Nt: nt, Seed: cfg.Seed})
}

// NewNet builds architecture arch ("fc" or "cnn") for task, initialised
// from the stream (seed, init).
func NewNet[T linalg.Float](arch string, task *Task[T], seed uint64) (*Net[T], error) {
	r := data.NewStream(seed, streamInit)
	switch arch {
	case "fc":
		return NewFC[T](task.D, task.Outputs, r), nil
	case "cnn":
		if task.Height == 0 || task.Height%4 != 0 || task.Width%4 != 0 {
			return nil, fmt.Errorf("%s: the cnn needs images whose sides are multiples of 4, got %dx%dx%d", task.Name, task.Height, task.Width, task.Channels)
		}
		return NewCNN[T](task.Height, task.Width, task.Channels, task.Outputs, r), nil
	}
	return nil, fmt.Errorf("architecture %q, want %s", arch, strings.Join(Archs, " or "))
}
