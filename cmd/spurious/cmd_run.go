package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/internal/outfile"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/trial"
)

func init() {
	register("run", "one trial: fit a model, measure per-sample memorization of spurious features", runRun)
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	def := trial.Default()
	fs := newFlagSet("run", "usage: spurious run --model rf|ntk|linear|rf-inf|ntk-inf --act NAME --dataset synthetic|npy|mnist|fashion-mnist|cifar10\n"+
		"       [--alpha A --d D] [--k K] [--n N --nt NT] [--seed S] [--ridge L] [--ntk-deriv paper|true]\n"+
		"       [--precision f64|f32] [--block B] [--threads T] [--verify-loo M] [--per-sample FILE.csv] [--json]\n"+
		"       [--data DIR] [--classes A,B] [--border W] [--heldout H] [--isa X]\n"+
		"       [--feature-shard I/S | --feature-shards S] [--partial-out DIR]   (one shard of an rf or ntk trial's features; see spurious reduce)\n", stderr)
	model := fs.String("model", def.Model, "feature model: "+strings.Join(trial.Models, ", "))
	act := fs.String("act", def.Act, "activation: "+strings.Join(activation.Names(), ", ")+" (model linear has none and ignores it, so that sweeps can mix models)")
	dataset := fs.String("dataset", def.Dataset, "data: synthetic, npy, "+strings.Join(data.ImageDataSets, ", "))
	alpha := fs.Float64("alpha", def.Alpha, "spurious fraction d_y/d in (0,1): synthetic data; for npy data, the fraction used by the theory (images: set by the border, an error here)")
	d := fs.Int("d", def.D, "input dimension (synthetic data)")
	k := fs.Int("k", 0, "features (rf) or hidden width (ntk); 0: the paper's 100000 (rf), 100 (ntk)")
	n := fs.Int("n", def.N, "training samples (npy: the files' rows)")
	nt := fs.Int("nt", def.Nt, "test samples (0: none; npy: the files' rows)")
	heldout := fs.Int("heldout", def.Heldout, "held-out spurious queries for the memorization AUC (-1: as many as test samples, 0: none)")
	seed := fs.Uint64("seed", def.Seed, "seed of the data and of the random weights")
	ridge := fs.Float64("ridge", 0, "ridge lambda >= 0, relative to the mean diagonal of the Gram matrix (0: min-norm interpolation)")
	deriv := fs.String("ntk-deriv", "paper", "NTK derivative: paper (the authors' phi') or true")
	precision := fs.String("precision", "f64", "rf feature blocks: f64 or f32")
	block := fs.Int("block", 0, "rows of the weight matrix per streamed block (0: default)")
	verify := fs.Int("verify-loo", 0, "retrain without M random samples by brute force and report the closed forms' error")
	perSample := fs.String("per-sample", "", "write per-sample values to this CSV file (-: standard output, and the report goes to stderr)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	dir := fs.String("data", "", dataFlagUsage)
	classes := fs.String("classes", "", "image class pair A,B mapped to -1,+1 (default: MNIST 1,7; CIFAR-10 3,8)")
	border := fs.Int("border", 0, "noise border width in pixels for image data (0: the paper's 10 for MNIST, 8 for CIFAR-10)")
	var eng engineFlags
	eng.register(fs, "threads for the linear algebra")
	var sf shardFlags
	sf.register(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	// Flags the chosen data ignores are errors, not silently dropped.
	set := setFlags(fs)
	if err := rejectInapplicable("run", "dataset", *dataset, set, map[string][]string{
		"synthetic": {"data", "classes", "border"},
		"npy":       {"d", "n", "nt", "classes", "border"},
		"images":    {"alpha", "d"},
	}); err != nil {
		return err
	}
	if err := rejectInapplicable("run", "model", *model, set, map[string][]string{
		"linear":  {"ntk-deriv", "block"},
		"rf":      {"ntk-deriv"},
		"rf-inf":  {"ntk-deriv", "block"},
		"ntk-inf": {"block"},
	}); err != nil {
		return err
	}
	spec := trial.Spec{
		Model: *model, Act: *act, Dataset: *dataset, Alpha: *alpha, D: *d, K: *k, N: *n, Nt: *nt,
		Heldout: *heldout, Seed: *seed, Ridge: *ridge, Block: *block, VerifyLOO: *verify, DataDir: *dir,
		Border: *border, Engine: eng.settings(),
	}
	var err error
	if spec.Deriv, err = activation.ParseDerivMode(*deriv); err != nil {
		return cli.Usagef("run: --ntk-deriv: %w", err)
	}
	if spec.Precision, err = rf.ParsePrecision(*precision); err != nil {
		return cli.Usagef("run: --precision: %w", err)
	}
	if *classes != "" {
		if spec.Classes, err = data.ParseClasses(*classes); err != nil {
			return cli.Usagef("run: --%w", err)
		}
	}
	if err := spec.Validate(); err != nil {
		return cli.AsUsage(runFlagError(spec.Model, err))
	}
	if sf.active(set) {
		if *perSample != "" {
			return cli.Usagef("run: --per-sample does not apply to a feature shard (spurious reduce writes it)")
		}
		return runPartial(ctx, spec, &sf, args, *asJSON, stdout, stderr)
	}
	res, err := trial.Run(ctx, spec, trial.Options{
		Progress: trial.PrintProgress(stderr, "run: "+spec.Model, 2*time.Second),
		Warn:     func(err error) { fmt.Fprintf(stderr, "run: %v\n", err) },
	})
	if err != nil {
		return runFlagError(spec.Model, err)
	}
	if *perSample != "" {
		if err := outfile.Write(*perSample, stdout, res.WritePerSample); err != nil {
			return fmt.Errorf("run: writing --per-sample file: %w", err)
		}
		if *perSample == "-" {
			stdout = stderr // the per-sample CSV went to stdout
		}
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	return res.WriteText(stdout)
}

// specFlags maps the fields of trial.Spec to the flags of `spurious run`.
var specFlags = map[string]string{
	"Model": "model", "Act": "act", "Deriv": "ntk-deriv", "K": "k", "Ridge": "ridge", "Precision": "precision",
	"Block": "block", "Dataset": "dataset", "DataDir": "data", "Alpha": "alpha", "D": "d", "N": "n", "Nt": "nt",
	"Heldout": "heldout", "Classes": "classes", "Border": "border", "Seed": "seed", "VerifyLOO": "verify-loo",
	"Engine.ISA": "isa", "Engine.Threads": "threads",
}

// runFlagError turns the errors of trial.Run that name Spec fields
// (*trial.FieldError, the fields to reduce of a *memory.Error) into errors
// naming the flags; a singular Gram suggests --ridge, and --k to the
// models that have a width.
func runFlagError(model string, err error) error {
	var me *memory.Error
	if errors.As(err, &me) {
		for i, p := range me.Parts {
			me.Parts[i].Reduce = specFieldWords.ReplaceAllStringFunc(p.Reduce, func(f string) string { return "--" + specFlags[f] })
		}
		return fmt.Errorf("run: %w", me) // the wrapping messages hold the field names
	}
	var fe *trial.FieldError
	if errors.As(err, &fe) {
		if errors.Is(err, memorize.ErrSingular) {
			more := ""
			if model == "rf" || model == "ntk" {
				more = ", or more features with --k"
			}
			return fmt.Errorf("run: %w: --ridge L%s", fe.Err, more)
		}
		if name, ok := specFlags[fe.Field]; ok {
			return fmt.Errorf("run: --%s: %w", name, fe.Err)
		}
	}
	return fmt.Errorf("run: %w", err)
}

// specFieldWords matches the Spec field names a memory estimate names.
var specFieldWords = regexp.MustCompile(`\b(N|Nt|D|VerifyLOO)\b`)
