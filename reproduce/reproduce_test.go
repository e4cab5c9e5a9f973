package reproduce

import (
	"context"
	"testing"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/theory"
)

// TestTheoryCurves: the curves come from package theory, for every
// synthetic (model, act) and alpha of the figures.
func TestTheoryCurves(t *testing.T) {
	p := Quick
	p.D = 40
	curves, cmds, err := theoryCurves(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(modelActs("rf")) + len(modelActs("ntk")); len(curves) != want || len(cmds) != len(curves) || len(curves["ntk/relu"]) == 0 {
		t.Fatalf("%d curves, %d commands", len(curves), len(cmds))
	}
	act, _ := activation.Lookup("phi4")
	pred, err := theory.NewPredictor(theory.NTK, act, activation.DerivPaper)
	if err != nil {
		t.Fatal(err)
	}
	pts := curves["ntk/phi4"]
	if want := len(alphaAxis) * len(theory.LogGrid(10, 100*p.D)); len(pts) != want {
		t.Fatalf("ntk/phi4: %d points, want %d", len(pts), want)
	}
	for _, pt := range pts {
		g, err := pred.Psi(pt.Alpha, pt.N, p.D)
		if err != nil || pt.GammaPsi == nil || *pt.GammaPsi != g {
			t.Fatalf("point %+v: gamma(psi) %v", pt, g)
		}
	}
}

// TestProbe: an unusable dataset is reported without running a trial.
func TestProbe(t *testing.T) {
	t.Setenv("SPURIOUS_CIFAR_DIR", t.TempDir())
	if err := Probe(context.Background(), Dataset{Name: "cifar10"}); err == nil {
		t.Error("an empty CIFAR-10 folder probed fine")
	}
	if err := Probe(context.Background(), Dataset{Name: "imagenet"}); err == nil {
		t.Error("an unknown dataset probed fine")
	}
}

// TestNNTestImages checks the NN grids' Nt: the preset's, except the
// CIFAR-10 CNN panel, capped at the two-class test split when the preset
// asks for more.
func TestNNTestImages(t *testing.T) {
	for _, tc := range []struct {
		p         Preset
		want, cnn int
	}{{Full, 10000, cifarPairTest}, {Preset{Name: "small", Ns: []int{10}, Reps: 1, Nt: 10, D: 10, NNEpochs: 1, NNNt: 500, CNNReps: 1}, 500, 500}} {
		s := SweepSpec(tc.p, 1, Datasets)
		seen := 0
		for _, g := range s.Grids {
			if len(g.Epochs) == 0 {
				continue // rf and ntk grids
			}
			want := tc.want
			if g.Model[0] == cnnModel && g.Dataset[0] == "cifar10" {
				want = tc.cnn
			}
			if len(g.Nt) != 1 || g.Nt[0] != want {
				t.Errorf("%s: %s on %s: Nt %v, want [%d]", tc.p.Name, g.Model[0], g.Dataset[0], g.Nt, want)
			}
			seen++
		}
		if seen != len(nnPanels) {
			t.Errorf("%s: %d NN grids, want %d", tc.p.Name, seen, len(nnPanels))
		}
	}
}
