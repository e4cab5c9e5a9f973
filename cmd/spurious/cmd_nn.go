package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/nn"
)

func init() {
	register("nn", "train the paper's FC or CNN with Adam and report train/test/spurious accuracy", runNN)
}

// runNN implements `spurious nn`.
func runNN(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("nn", "usage: spurious nn --arch fc|cnn --dataset synthetic|mnist|fashion-mnist|cifar10 --n N "+
		"[--nt NT] [--epochs E | --quick] [--seed S] [--alpha A --d D] [--data DIR] [--border W] [--json]\n", stderr)
	arch := fs.String("arch", "fc", "architecture: fc (d-500-200-C) or cnn (conv16-pool-conv32-pool-fc256-fc10, images only)")
	dataset := fs.String("dataset", "synthetic", "data: "+strings.Join(nn.DataSets, ", "))
	n := fs.Int("n", 0, "training samples N (required)")
	nt := fs.Int("nt", 0, "test samples, at least 1 (default: the paper's 10000, capped at an image test split)")
	epochs := fs.Int("epochs", nn.PaperEpochs, "training epochs")
	quick := fs.Bool("quick", false, fmt.Sprintf("quick variant: %d epochs unless --epochs is given", nn.QuickEpochs))
	seed := fs.Uint64("seed", 0, "seed of the data, the initialisation and the shuffling")
	alpha := fs.Float64("alpha", 0, fmt.Sprintf("synthetic: spurious fraction d_y/d (default %g)", nn.SyntheticAlpha))
	d := fs.Int("d", 0, fmt.Sprintf("synthetic: input dimension (default %d)", nn.SyntheticD))
	dir := fs.String("data", "", dataFlagUsage)
	border := fs.Int("border", 0, "image noise border in pixels (default mnist 10, cifar10 8: 48x48 images)")
	batch := fs.Int("batch", nn.PaperBatchSize, "mini-batch size")
	lr := fs.Float64("lr", nn.PaperLR, "Adam learning rate (x0.8 every 100 epochs)")
	precision := fs.String("precision", "f32", "f32 (as PyTorch) or f64")
	every := fs.Int("progress-every", 10, "print progress on stderr every this many epochs (0: never)")
	var engine engineFlags
	engine.register(fs, "goroutines of the matrix products and of Adam")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	set := setFlags(fs)
	if !set["n"] {
		return cli.Usagef("nn: --n (training samples) is required")
	}
	if set["nt"] && *nt < 1 {
		// 0 is not a hidden default: as in run, --nt counts test samples.
		return cli.Usagef("nn: --nt %d: want at least 1 test sample (leave --nt out for the paper's 10000)", *nt)
	}
	if err := rejectInapplicable("nn", "dataset", *dataset, set, map[string][]string{
		"synthetic": {"data", "border"},
		"images":    {"alpha", "d"},
	}); err != nil {
		return err
	}
	if *quick && !set["epochs"] {
		*epochs = nn.QuickEpochs
	}
	if *every < 0 {
		return cli.Usagef("nn: --progress-every %d, want >= 0 (0: never)", *every)
	}
	if *batch < 1 || !(*lr > 0) {
		return cli.Usagef("nn: --batch %d and --lr %v must be positive", *batch, *lr)
	}
	if _, err := engine.settings().Resolve(); err != nil {
		return cli.Usagef("nn: --isa/--threads: %w", err)
	}
	cfg := nn.Config{
		Arch: *arch, Dataset: *dataset, N: *n, Nt: *nt, D: *d, Alpha: *alpha,
		Dir: *dir, Border: *border, Precision: *precision, Engine: engine.settings(),
		TrainConfig: nn.TrainConfig{Epochs: *epochs, BatchSize: *batch, LR: *lr, Seed: *seed},
	}
	if *every > 0 {
		cfg.ProgressEvery = *every
		cfg.Progress = func(p nn.Progress) {
			fmt.Fprintf(stderr, "nn: %s\n", p)
		}
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("nn: %w", err)
	}
	rep, err := nn.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("nn: %w", err)
	}
	out := nn.NewRecord(cfg, rep)
	if *asJSON {
		return writeJSON(stdout, out)
	}
	fmt.Fprintln(stdout, bench.Header())
	return out.WriteText(stdout)
}
