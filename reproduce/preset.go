package reproduce

import (
	"context"
	"maps"
	"slices"

	"github.com/spurious-ml/spurious/nn"
	"github.com/spurious-ml/spurious/sweep"
	"github.com/spurious-ml/spurious/trial"
)

// Preset fixes the sizes of a reproduction.
type Preset struct {
	Name      string
	KRF, KNTK int   // widths of the RF and NTK models
	Ns        []int // training-set sizes
	Reps, Nt  int   // repetitions per point, test samples
	D         int   // synthetic input dimension

	// The NN figure's trials (same N grid; FC with the preset's
	// repetitions).
	NNEpochs, NNNt int
	// CNNReps are the repetitions of the CNN panels (MNIST, CIFAR-10);
	// 0 leaves them out.
	CNNReps int
}

var (
	// Quick finishes in about a minute on two cores: smaller RF width,
	// fewer N, three repetitions (the fewest for usable 95% intervals).
	// The NN trials train for a tenth of the paper's epochs.
	Quick = Preset{Name: "quick", KRF: 3000, KNTK: 100, Ns: []int{10, 30, 100, 300}, Reps: 3, Nt: 500, D: 1000,
		NNEpochs: nn.QuickEpochs, NNNt: 500}
	// Full uses the paper's sizes (spec §4.2-4.4; the NN figure's N
	// grid stops at 1000 as the RF and NTK figures'). The CNN panels
	// have 3 repetitions: at 1000 epochs one repetition of the N grid
	// costs 15 to 20 minutes per data set on two cores.
	Full = Preset{Name: "full", KRF: 100000, KNTK: 100, Ns: []int{10, 20, 50, 100, 200, 500, 1000}, Reps: 10, Nt: 1000, D: 1000,
		NNEpochs: nn.PaperEpochs, NNNt: nn.PaperNt, CNNReps: 3}
)

// Dataset is a real-data panel of the paper's figures.
type Dataset struct {
	Name  string // trial.Spec.Dataset (its default class pair and border are the paper's)
	Title string // panel title, as in the paper
	Dir   string // data folder; empty: the data cache
}

// extra returns the extra parameters of the data set's trials: extra plus
// data when the data set is read from a folder of its own.
func (ds Dataset) extra(extra map[string]string) map[string]string {
	if ds.Dir == "" {
		return extra
	}
	out := maps.Clone(extra)
	if out == nil {
		out = map[string]string{}
	}
	out["data"] = ds.Dir
	return out
}

// trialExtra are the extra parameters every trial of the reproduction
// carries: the
// held-out spurious queries (memorization AUC) cost Nt extra feature rows
// per trial and no figure of the paper uses them.
var trialExtra = map[string]string{"heldout": "0"}

// Datasets are the real-data panels, in the paper's order.
var Datasets = []Dataset{
	{Name: "mnist", Title: "MNIST (1 and 7)"},
	{Name: "cifar10", Title: "CIFAR-10 (cats and ships)"},
}

// Paper styling (spec §4.2): alpha=1/2 red, alpha=1/4 black; phi2 solid,
// phi4 dashed; real data: test accuracy red, spurious accuracy black.
const (
	red   = "#c44e52"
	black = "#000000"
	dash  = "6,3"

	// Theory figure: gamma(psi) thick, its limits thin dash-dot / dotted.
	theoryWidth = 2.4
	smallDash   = "8,3,2,3"
	largeDash   = "2,3"
)

var (
	synthActs = []string{"phi2", "phi4"} // the accuracy figures' activations
	alphaAxis = []float64{0.5, 0.25}
	models    = []string{"rf", "ntk"}
)

// modelActs are the synthetic activations of a model's trials: the
// figures' phi2 and phi4, and for the NTK also ReLU (its derivative the
// step function), which the reference table of spec §4.6 has.
func modelActs(model string) []string {
	if model == "ntk" {
		return []string{"phi2", "phi4", "relu"}
	}
	return synthActs
}

// The NN figure (spec §4.4): the FC network on synthetic data (binary,
// MSE) and on MNIST (10 classes), the CNN on MNIST and CIFAR-10 (when the
// preset has CNN repetitions), each when its data is available.
const (
	fcModel  = "nn-fc"
	cnnModel = "nn-cnn"
	nnAlpha  = nn.SyntheticAlpha
	grey     = "#888888"
)

// nnPanel is a panel of the NN figure: a network on a data set.
type nnPanel struct {
	Dataset
	Model string
	// MaxNt caps the preset's test images (0: no cap) for the reason
	// MaxNtReason, which the report quotes.
	MaxNt       int
	MaxNtReason string
}

// cifarPairTest is the size of CIFAR-10's test split for two classes
// (1000 images each), all that a two-class copy of CIFAR-10 (the cats and
// ships of the tests' data) holds; with the full data set the panel tests
// on 2000 of its 10000 images, so that one spec serves both.
const cifarPairTest = 2000

// nnPanels are the NN figure's panels in the paper's order.
var nnPanels = []nnPanel{
	{Dataset: Dataset{Name: "synthetic", Title: "Synthetic - FC"}, Model: fcModel},
	{Dataset: Dataset{Name: "mnist", Title: "MNIST - FC"}, Model: fcModel},
	{Dataset: Dataset{Name: "mnist", Title: "MNIST - CNN"}, Model: cnnModel},
	{Dataset: Dataset{Name: "cifar10", Title: "CIFAR-10 - CNN"}, Model: cnnModel, MaxNt: cifarPairTest,
		MaxNtReason: "the test images of cats and ships, all that a two-class copy of CIFAR-10 holds; 2000 of the 10000 with the full data set"},
}

// SweepSpec builds the sweep behind the figures; datasets lists the real
// datasets that are available.
func SweepSpec(p Preset, seed uint64, datasets []Dataset) *sweep.Spec {
	s := &sweep.Spec{Seed: seed, Repetitions: p.Reps}
	s.N, s.Nt = p.Ns, []int{p.Nt}
	for _, m := range models {
		k := p.KRF
		if m == "ntk" {
			k = p.KNTK
		}
		s.Grids = append(s.Grids, sweep.Grid{Model: []string{m}, Act: synthActs, Dataset: []string{"synthetic"},
			Alpha: alphaAxis, D: []int{p.D}, K: []int{k}, Extra: trialExtra})
		// The other synthetic activations in a grid of their own, which
		// leaves the keys of the first grid's trials as they were.
		if more := modelActs(m)[len(synthActs):]; len(more) > 0 {
			s.Grids = append(s.Grids, sweep.Grid{Model: []string{m}, Act: more, Dataset: []string{"synthetic"},
				Alpha: alphaAxis, D: []int{p.D}, K: []int{k}, Extra: trialExtra})
		}
		for _, ds := range datasets {
			s.Grids = append(s.Grids, sweep.Grid{Model: []string{m}, Act: []string{"relu"}, Dataset: []string{ds.Name},
				K: []int{k}, Extra: ds.extra(trialExtra)})
		}
	}
	for _, pn := range nnDatasets(p, datasets) {
		nt := p.NNNt
		if pn.MaxNt > 0 {
			nt = min(nt, pn.MaxNt)
		}
		g := sweep.Grid{Model: []string{pn.Model}, Dataset: []string{pn.Name}, Nt: []int{nt}, Epochs: []int{p.NNEpochs}, Extra: pn.extra(nil)}
		if pn.Name == "synthetic" {
			g.D, g.Alpha = []int{p.D}, []float64{nnAlpha}
		}
		if pn.Model == cnnModel {
			g.Repetitions = p.CNNReps
		}
		s.Grids = append(s.Grids, g)
	}
	return s
}

// nnDatasets returns the NN figure's panels whose data is available
// (synthetic always, the others when their data set is among datasets),
// without the CNN panels when the preset has no CNN repetitions.
func nnDatasets(p Preset, datasets []Dataset) []nnPanel {
	var out []nnPanel
	for _, pn := range nnPanels {
		if pn.Model == cnnModel && p.CNNReps == 0 {
			continue
		}
		if pn.Name == "synthetic" {
			out = append(out, pn)
		} else if i := slices.IndexFunc(datasets, func(d Dataset) bool { return d.Name == pn.Name }); i >= 0 {
			pn.Dir = datasets[i].Dir
			out = append(out, pn)
		}
	}
	return out
}

// Probe loads the data of a small trial on a real dataset (no Gram, no
// solve); an error says why the dataset cannot be used (typically: not
// downloaded).
func Probe(ctx context.Context, ds Dataset) error {
	s := trial.Default()
	s.Dataset, s.DataDir, s.Act, s.N, s.Nt, s.Heldout = ds.Name, ds.Dir, "relu", 10, 10, 0
	_, _, err := trial.LoadData(ctx, s)
	return err
}
