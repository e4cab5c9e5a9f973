package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/nn"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/trial"
)

// NetworkModels maps the model values of trained networks to their
// nn.Config.Arch; every other model is a kernel trial (package trial).
var NetworkModels = map[string]string{"nn-fc": "fc", "nn-cnn": "cnn"}

// kernelExtra sets the trial.Spec field of each extra parameter a kernel
// trial accepts (named as the options of `spurious run`).
var kernelExtra = map[string]func(s *trial.Spec, v string) error{
	"ntk-deriv": func(s *trial.Spec, v string) (err error) { s.Deriv, err = activation.ParseDerivMode(v); return },
	"precision": func(s *trial.Spec, v string) (err error) { s.Precision, err = rf.ParsePrecision(v); return },
	"block":     func(s *trial.Spec, v string) (err error) { s.Block, err = strconv.Atoi(v); return },
	"verify-loo": func(s *trial.Spec, v string) (err error) {
		s.VerifyLOO, err = strconv.Atoi(v)
		return
	},
	"heldout": func(s *trial.Spec, v string) (err error) { s.Heldout, err = strconv.Atoi(v); return },
	"border":  func(s *trial.Spec, v string) (err error) { s.Border, err = strconv.Atoi(v); return },
	"data":    func(s *trial.Spec, v string) error { s.DataDir = v; return nil },
	"classes": func(s *trial.Spec, v string) error {
		a, b, ok := strings.Cut(v, ",")
		x, err1 := strconv.Atoi(strings.TrimSpace(a))
		y, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil || x < 0 || y < 0 {
			return fmt.Errorf("want two class labels A,B")
		}
		s.Classes = [2]int{x, y}
		return nil
	},
	"isa":     func(s *trial.Spec, v string) error { s.Engine.ISA = v; return nil },
	"threads": func(s *trial.Spec, v string) (err error) { s.Engine.Threads, err = strconv.Atoi(v); return },
}

// networkExtra is kernelExtra for network trials (named as the options of
// `spurious nn`).
var networkExtra = map[string]func(c *nn.Config, v string) error{
	"data":      func(c *nn.Config, v string) error { c.Dir = v; return nil },
	"border":    func(c *nn.Config, v string) (err error) { c.Border, err = strconv.Atoi(v); return },
	"batch":     func(c *nn.Config, v string) (err error) { c.BatchSize, err = strconv.Atoi(v); return },
	"lr":        func(c *nn.Config, v string) (err error) { c.LR, err = strconv.ParseFloat(v, 64); return },
	"precision": func(c *nn.Config, v string) error { c.Precision = v; return nil },
	"isa":       func(c *nn.Config, v string) error { c.Engine.ISA = v; return nil },
	"threads":   func(c *nn.Config, v string) (err error) { c.Engine.Threads, err = strconv.Atoi(v); return },
}

// synthetic reports whether t runs on synthetic data.
func synthetic(t Trial) bool { return t.Dataset == "" || t.Dataset == "synthetic" }

// checkDataAxes refuses axes the trial's data ignores: alpha and d with
// image data sets, whose noise border sets them.
func checkDataAxes(t Trial) error {
	if slices.Contains(data.ImageDataSets, t.Dataset) && (t.Alpha != 0 || t.D != 0) {
		return fmt.Errorf("trial %s: the alpha and d axes do not apply to dataset %s (its noise border sets them): give it a grid of its own", t.Params, t.Dataset)
	}
	return nil
}

// applyExtra sets the extra parameters of trial t on c through the
// setters of known (kernelExtra or networkExtra), in name order; the data
// folder is skipped for synthetic trials (they have none).
func applyExtra[C any](t Trial, kind string, known map[string]func(*C, string) error, c *C) error {
	for _, name := range slices.Sorted(maps.Keys(t.Extra)) {
		if name == "data" && synthetic(t) {
			continue
		}
		f, ok := known[name]
		if !ok {
			return extraError(t.Params, kind, name, known)
		}
		if err := f(c, t.Extra[name]); err != nil {
			return fmt.Errorf("trial %s: extra parameter %s=%q: %w", t.Params, name, t.Extra[name], err)
		}
	}
	return nil
}

// extraError is the error of an extra parameter the trial does not take.
func extraError[F any](p Params, kind, name string, known map[string]F) error {
	return fmt.Errorf("trial %s: extra parameter %q does not apply to %s trials (they take %s)",
		p, name, kind, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
}

// KernelSpec returns the trial.Spec of a kernel-model trial (any model but
// NetworkModels): the axes that are set, the trial seed, the extra
// parameters, and trial.Default for the rest. Axes that only networks
// have (epochs) and unknown extra parameters are errors.
func (t Trial) KernelSpec() (trial.Spec, error) {
	s := trial.Default()
	if _, isNN := NetworkModels[t.Model]; isNN {
		return s, fmt.Errorf("trial %s: model %s is a network trial (see NetworkConfig)", t.Params, t.Model)
	}
	if t.Epochs != 0 {
		return s, fmt.Errorf("trial %s: the epochs axis applies to trained networks (models nn-fc, nn-cnn) only", t.Params)
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	if err := checkDataAxes(t); err != nil {
		return s, err
	}
	set(&s.Model, t.Model)
	set(&s.Act, t.Act)
	set(&s.Dataset, t.Dataset)
	if t.Alpha != 0 {
		s.Alpha = t.Alpha
	}
	if t.Dataset != "npy" { // npy data: the files fix d, N and Nt; n only labels the trial
		if t.D != 0 {
			s.D = t.D
		}
		if t.Nt != 0 {
			s.Nt = t.Nt
		}
		s.N = t.N
	}
	s.K, s.Ridge, s.Seed = t.K, t.Ridge, t.Seed
	return s, applyExtra(t, "kernel", kernelExtra, &s)
}

// NetworkConfig returns the nn.Config of a network trial (models
// nn-fc, nn-cnn): the axes that are set, the trial seed, the extra
// parameters, and the paper's settings for the rest. The act, k and
// ridge axes and unknown extra parameters are errors.
func (t Trial) NetworkConfig() (nn.Config, error) {
	arch, isNN := NetworkModels[t.Model]
	if !isNN {
		return nn.Config{}, fmt.Errorf("trial %s: model %q is not a network (%s)", t.Params, t.Model,
			strings.Join(slices.Sorted(maps.Keys(NetworkModels)), ", "))
	}
	if t.Act != "" || t.K != 0 || t.Ridge != 0 {
		return nn.Config{}, fmt.Errorf("trial %s: model %s trains a network with Adam: the act, k and ridge axes do not apply (leave them out)", t.Params, t.Model)
	}
	c := nn.Config{Arch: arch, Dataset: "synthetic", N: t.N, Nt: t.Nt, D: t.D, Alpha: t.Alpha,
		TrainConfig: nn.TrainConfig{Epochs: nn.PaperEpochs, Seed: t.Seed}}
	if t.Dataset != "" {
		c.Dataset = t.Dataset
	}
	if t.Epochs != 0 {
		c.Epochs = t.Epochs
	}
	if err := checkDataAxes(t); err != nil {
		return c, err
	}
	if err := applyExtra(t, "network", networkExtra, &c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Check reports the first trial of spec that cannot run (an axis or an
// extra parameter its model does not take, an invalid value), before
// anything runs.
func Check(spec *Spec) error {
	trials, err := spec.Trials()
	if err != nil {
		return err
	}
	for _, t := range trials {
		if _, isNN := NetworkModels[t.Model]; isNN {
			_, err = t.NetworkConfig()
		} else {
			var s trial.Spec
			if s, err = t.KernelSpec(); err == nil {
				err = s.Validate()
			}
		}
		if err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
	}
	return nil
}

// RunTrial is the Runner of kernel trials (trial.Run on KernelSpec, the
// record being the trial.Result) and network trials (nn.Run on
// NetworkConfig, the record being the nn.Record). Trials run on the
// engine settings their isa and threads extras give, so trials with
// different settings can run side by side (Options.Workers).
func RunTrial(ctx context.Context, t Trial) (json.RawMessage, error) {
	if _, isNN := NetworkModels[t.Model]; isNN {
		cfg, err := t.NetworkConfig()
		if err != nil {
			return nil, err
		}
		rep, err := nn.Run(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("trial %s: %w", t.Params, err)
		}
		return json.Marshal(nn.NewRecord(cfg, rep))
	}
	s, err := t.KernelSpec()
	if err != nil {
		return nil, err
	}
	r, err := trial.Run(ctx, s, trial.Options{})
	if err != nil {
		return nil, fmt.Errorf("trial %s: %w", t.Params, err)
	}
	return json.Marshal(r)
}

// Command returns the `spurious` command line that runs t by hand (the
// arguments after the program name): `nn --json ...` for network trials,
// `run --json ...` otherwise, with the axes that are set, the seed, and
// the extra parameters, sorted, as --name=value. It is for display (dry
// runs, reports); RunTrial does not use it.
func (t Trial) Command() []string {
	args := []string{"run", "--json"}
	add := func(name, v string) { args = append(args, "--"+name, v) }
	if arch, isNN := NetworkModels[t.Model]; isNN {
		args = []string{"nn", "--json", "--progress-every", "0"}
		add("arch", arch)
	} else if t.Model != "" {
		add("model", t.Model)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	npy := t.Dataset == "npy" // the files fix d, N and Nt
	for _, o := range []struct {
		name, v string
		set     bool
	}{
		{"act", t.Act, t.Act != ""}, {"dataset", t.Dataset, t.Dataset != ""},
		{"alpha", f(t.Alpha), t.Alpha != 0}, {"d", strconv.Itoa(t.D), t.D != 0 && !npy},
		{"k", strconv.Itoa(t.K), t.K != 0}, {"n", strconv.Itoa(t.N), !npy},
		{"nt", strconv.Itoa(t.Nt), t.Nt != 0 && !npy}, {"ridge", f(t.Ridge), t.Ridge != 0},
		{"epochs", strconv.Itoa(t.Epochs), t.Epochs != 0}, {"seed", strconv.FormatUint(t.Seed, 10), true},
	} {
		if o.set {
			add(o.name, o.v)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Extra)) {
		if name == "data" && synthetic(t) {
			continue
		}
		if v := t.Extra[name]; v == "" {
			args = append(args, "--"+name)
		} else {
			args = append(args, "--"+name+"="+v)
		}
	}
	return args
}
