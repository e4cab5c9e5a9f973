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

	// The NN figure's trials (FC net, same N grid and repetitions).
	NNEpochs, NNNt int
}

var (
	// Quick finishes in about a minute on two cores: smaller RF width,
	// fewer N, three repetitions (the fewest for usable 95% intervals).
	// The NN trials train for a tenth of the paper's epochs.
	Quick = Preset{Name: "quick", KRF: 3000, KNTK: 100, Ns: []int{10, 30, 100, 300}, Reps: 3, Nt: 500, D: 1000,
		NNEpochs: nn.QuickEpochs, NNNt: 500}
	// Full uses the paper's sizes (spec §4.2-4.4; the NN figure's N
	// grid stops at 1000 as the RF and NTK figures').
	Full = Preset{Name: "full", KRF: 100000, KNTK: 100, Ns: []int{10, 20, 50, 100, 200, 500, 1000}, Reps: 10, Nt: 1000, D: 1000,
		NNEpochs: nn.PaperEpochs, NNNt: nn.PaperNt}
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
	synthActs = []string{"phi2", "phi4"}
	alphaAxis = []float64{0.5, 0.25}
	models    = []string{"rf", "ntk"}
)

// The NN figure (spec §4.4): the FC network on synthetic data (binary,
// MSE) and on MNIST (10 classes) when it is available. The CNN panels are
// left to `spurious sweep` (model nn-cnn): at 300 to 500 training samples
// per second on two cores, 1000 epochs cost hours per point.
const (
	nnModel = "nn-fc"
	nnAlpha = nn.SyntheticAlpha
	grey    = "#888888"
)

// nnPanels are the NN figure's panels in the paper's order.
var nnPanels = []Dataset{
	{Name: "synthetic", Title: "Synthetic - FC"},
	{Name: "mnist", Title: "MNIST - FC"},
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
		for _, ds := range datasets {
			s.Grids = append(s.Grids, sweep.Grid{Model: []string{m}, Act: []string{"relu"}, Dataset: []string{ds.Name},
				K: []int{k}, Extra: ds.extra(trialExtra)})
		}
	}
	for _, ds := range nnDatasets(datasets) {
		g := sweep.Grid{Model: []string{nnModel}, Dataset: []string{ds.Name}, Nt: []int{p.NNNt}, Epochs: []int{p.NNEpochs}, Extra: ds.extra(nil)}
		if ds.Name == "synthetic" {
			g.D, g.Alpha = []int{p.D}, []float64{nnAlpha}
		}
		s.Grids = append(s.Grids, g)
	}
	return s
}

// nnDatasets returns the NN figure's panels whose data is available:
// synthetic always, MNIST when it is among the real datasets.
func nnDatasets(datasets []Dataset) []Dataset {
	var out []Dataset
	for _, p := range nnPanels {
		if p.Name == "synthetic" {
			out = append(out, p)
		} else if i := slices.IndexFunc(datasets, func(d Dataset) bool { return d.Name == p.Name }); i >= 0 {
			p.Dir = datasets[i].Dir
			out = append(out, p)
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
