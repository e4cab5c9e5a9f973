package reproduce

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/internal/outfile"
	"github.com/spurious-ml/spurious/plot"
	"github.com/spurious-ml/spurious/sweep"
	"github.com/spurious-ml/spurious/theory"
)

// records reads the results file and keeps the records of the given
// trials (the file may also hold another preset's trials).
func records(trials []sweep.Trial, path string) ([]sweep.Record, error) {
	want := map[string]bool{}
	for _, t := range trials {
		want[t.Key] = true
	}
	all, err := sweep.ReadRecords(path)
	if err != nil {
		return nil, err
	}
	var recs []sweep.Record
	for _, r := range all {
		if want[r.Key] {
			recs = append(recs, r)
		}
	}
	return recs, nil
}

// accRange is the range of an accuracy: bands are clamped to it.
var accRange = [2]float64{0, 1}

// figureNote states on a figure what its points (reps: e.g. "3
// repetitions") and bands are.
func figureNote(reps string, clamped bool) string {
	s := fmt.Sprintf("points: mean of %s; bands: 95%% Student-t confidence interval of the mean", reps)
	if clamped {
		s += ", clamped to [0, 1]"
	}
	return s
}

// writeFigure writes fig as path (SVG) and as the PNG image beside it.
func writeFigure(path string, fig *plot.Figure) error {
	if err := outfile.Write(path, nil, fig.WriteSVG); err != nil {
		return err
	}
	return outfile.Write(strings.TrimSuffix(path, ".svg")+".png", nil, func(w io.Writer) error { return fig.WritePNG(w, 2) })
}

// curve is one metric of matching groups against N.
func curve(groups []sweep.PointGroup, match func(sweep.Params) bool, metric string) (x, y, lo, hi []float64) {
	for i := range groups {
		g := &groups[i]
		if !match(g.Params) {
			continue
		}
		s := g.Summary(metric)
		if s.N == 0 {
			continue
		}
		x = append(x, float64(g.Params.N))
		y = append(y, s.Mean)
		lo = append(lo, s.Lo())
		hi = append(hi, s.Hi())
	}
	return x, y, lo, hi
}

func alphaLabel(a float64) string {
	switch a {
	case 0.5:
		return "1/2"
	case 0.25:
		return "1/4"
	}
	return strconv.FormatFloat(a, 'g', 3, 64)
}

func actLabel(act string) string {
	switch act {
	case "phi2":
		return "φ2"
	case "phi4":
		return "φ4"
	case "relu":
		return "ReLU"
	}
	return act
}

func alphaColor(a float64) string {
	if a == 0.5 {
		return red
	}
	return black
}

// accuracyFigure lays out the paper's RF/NTK figure: synthetic test
// and spurious accuracy, then one panel per available real dataset.
func accuracyFigure(title, model string, groups []sweep.PointGroup, datasets []Dataset) *plot.Figure {
	fig := &plot.Figure{Title: title, ShareY: true}
	for _, m := range []struct{ metric, title, ylabel string }{{"test_acc", "Synthetic - test accuracy", "test accuracy"}, {"spurious_acc", "Synthetic - spurious accuracy", "spurious accuracy"}} {
		p := &plot.Panel{Title: m.title, XLabel: "N", YLabel: m.ylabel, LogX: true, Range: accRange}
		for _, act := range synthActs {
			for _, a := range alphaAxis {
				x, y, lo, hi := curve(groups, func(q sweep.Params) bool {
					return q.Model == model && q.Dataset == "synthetic" && q.Act == act && q.Alpha == a
				}, m.metric)
				s := plot.Series{Name: fmt.Sprintf("%s, α=%s", actLabel(act), alphaLabel(a)),
					X: x, Y: y, Lo: lo, Hi: hi, Color: alphaColor(a), Marker: true}
				if act == "phi4" {
					s.Dash = dash
				}
				p.Series = append(p.Series, s)
			}
		}
		fig.Panels = append(fig.Panels, p)
	}
	// One legend under the panels: inside them it would cover the curves
	// or squeeze them (four entries in a panel 230 px high).
	for _, s := range fig.Panels[0].Series {
		fig.Legend = append(fig.Legend, plot.Series{Name: s.Name, Color: s.Color, Dash: s.Dash, Marker: true})
	}
	if len(datasets) > 0 {
		fig.Legend = append(fig.Legend, plot.Series{Name: "real data: spurious accuracy", Color: black, Marker: true},
			plot.Series{Name: "real data: test accuracy", Color: red, Marker: true})
	}
	for _, ds := range datasets {
		p := &plot.Panel{Title: ds.Title, XLabel: "N", YLabel: "accuracy", LogX: true, Range: accRange}
		for _, m := range []struct{ metric, name, color string }{{"spurious_acc", "spurious accuracy", black}, {"test_acc", "test accuracy", red}} {
			x, y, lo, hi := curve(groups, func(q sweep.Params) bool { return q.Model == model && q.Dataset == ds.Name }, m.metric)
			p.Series = append(p.Series, plot.Series{Name: m.name, X: x, Y: y, Lo: lo, Hi: hi, Color: m.color, Marker: true})
		}
		fig.Panels = append(fig.Panels, p)
	}
	return fig
}

// nnFigure lays out the paper's NN figure: per panel, spurious accuracy
// (black) and test accuracy (red) against N, with the chance level the
// trials report (grey, dashed) for reference. A CIFAR-10 panel is titled
// "CIFAR-10 (JPEG copy)" when its trials ran on that copy (cifarDeviation).
func nnFigure(groups []sweep.PointGroup, panels []nnPanel) *plot.Figure {
	title := "Trained networks (FC, Adam)"
	if slices.ContainsFunc(panels, func(p nnPanel) bool { return p.Model == cnnModel }) {
		title = "Trained networks (FC and CNN, Adam)"
	}
	fig := &plot.Figure{Title: title, ShareY: true}
	jpeg := cifarDeviation(groups) != ""
	for _, ds := range panels {
		p := &plot.Panel{Title: ds.Title, XLabel: "N", YLabel: "accuracy", LogX: true, Range: accRange}
		if ds.Name == "cifar10" && jpeg {
			p.Title = strings.Replace(p.Title, "CIFAR-10", "CIFAR-10 (JPEG copy)", 1)
		}
		match := func(q sweep.Params) bool { return q.Model == ds.Model && q.Dataset == ds.Name }
		for _, m := range []struct{ metric, name, color string }{{"spurious_acc", "spurious accuracy", black}, {"test_acc", "test accuracy", red}} {
			x, y, lo, hi := curve(groups, match, m.metric)
			p.Series = append(p.Series, plot.Series{Name: m.name, X: x, Y: y, Lo: lo, Hi: hi, Color: m.color, Marker: true})
		}
		if x, chance, _, _ := curve(groups, match, "chance_acc"); len(x) > 0 {
			p.Series = append(p.Series, plot.Series{Name: "chance", X: []float64{x[0], x[len(x)-1]},
				Y: []float64{chance[len(chance)-1], chance[len(chance)-1]}, Color: grey, Dash: dash, Width: 1})
		}
		fig.Panels = append(fig.Panels, p)
	}
	fig.Legend = []plot.Series{{Name: "spurious accuracy", Color: black, Marker: true}, {Name: "test accuracy", Color: red, Marker: true},
		{Name: "chance", Color: grey, Dash: dash, Width: 1}}
	return fig
}

// theoryCurves computes gamma(psi) against N (theory.Predictor.CurveN,
// at the preset's d) and the two limits, for each synthetic (model, act)
// and alpha. It returns the curves keyed by "model/act" and the
// `spurious theory` commands that print them.
func theoryCurves(p Preset) (map[string][]theory.Point, []string, error) {
	curves := map[string][]theory.Point{}
	var cmds []string
	alphas := make([]string, len(alphaAxis))
	for i, a := range alphaAxis {
		alphas[i] = strconv.FormatFloat(a, 'g', -1, 64)
	}
	for _, m := range models {
		model, err := theory.ParseModel(m)
		if err != nil {
			return nil, nil, err
		}
		for _, act := range modelActs(m) {
			a, err := activation.Lookup(act)
			if err != nil {
				return nil, nil, err
			}
			pred, err := theory.NewPredictor(model, a, activation.DerivPaper)
			if err != nil {
				return nil, nil, fmt.Errorf("theory of %s with %s: %w", m, act, err)
			}
			for _, al := range alphaAxis {
				pts, err := pred.CurveN(al, p.D)
				if err != nil {
					return nil, nil, fmt.Errorf("theory of %s with %s at alpha %g: %w", m, act, al, err)
				}
				curves[m+"/"+act] = append(curves[m+"/"+act], pts...)
			}
			cmds = append(cmds, fmt.Sprintf("spurious theory --model %s --act %s --alpha %s --d %d --curve n",
				m, act, strings.Join(alphas, ","), p.D))
		}
	}
	return curves, cmds, nil
}

// theoryFigure plots the measured mean feature alignment against N
// with gamma(psi) and its large- and small-N limits, one panel per model
// and activation.
func theoryFigure(groups []sweep.PointGroup, curves map[string][]theory.Point) *plot.Figure {
	fig := &plot.Figure{Title: "Feature alignment F: measured vs theory", Cols: 3}
	nMin, nMax := math.Inf(1), math.Inf(-1)
	for _, g := range groups {
		if g.Params.Dataset == "synthetic" && slices.Contains(models, g.Params.Model) {
			nMin, nMax = min(nMin, float64(g.Params.N)), max(nMax, float64(g.Params.N))
		}
	}
	for _, m := range models {
		for _, act := range modelActs(m) {
			p := &plot.Panel{Title: fmt.Sprintf("%s, %s", strings.ToUpper(m), actLabel(act)), XLabel: "N", YLabel: "feature alignment F", LogX: true}
			for _, a := range alphaAxis {
				color, al := alphaColor(a), alphaLabel(a)
				x, y, lo, hi := curve(groups, func(q sweep.Params) bool {
					return q.Model == m && q.Dataset == "synthetic" && q.Act == act && q.Alpha == a
				}, "feature_alignment_mean")
				// Measured points are drawn above the theory curves (Layer).
				p.Series = append(p.Series, plot.Series{Name: "measured, α=" + al, X: x, Y: y, Lo: lo, Hi: hi, Color: color, Marker: true, Width: 1, Layer: 1})
				var tx, ty []float64
				var large, small float64
				for _, pt := range curves[m+"/"+act] {
					if pt.Alpha != a {
						continue
					}
					large, small = pt.GammaLargeN, pt.GammaSmallN
					if pt.GammaPsi != nil && float64(pt.N) >= nMin/1.5 && float64(pt.N) <= nMax*1.5 {
						tx, ty = append(tx, float64(pt.N)), append(ty, *pt.GammaPsi)
					}
				}
				if len(x) > 0 {
					lim := []float64{x[0], x[len(x)-1]}
					p.Series = append(p.Series,
						plot.Series{Name: "γ(ψ), α=" + al, X: tx, Y: ty, Color: color, Width: theoryWidth},
						plot.Series{Name: "small-N limit, α=" + al, X: lim, Y: []float64{small, small}, Color: color, Dash: smallDash, Width: 1},
						plot.Series{Name: "large-N limit, α=" + al, X: lim, Y: []float64{large, large}, Color: color, Dash: largeDash, Width: 1})
				}
			}
			fig.Panels = append(fig.Panels, p)
		}
	}
	for _, a := range alphaAxis {
		color, al := alphaColor(a), alphaLabel(a)
		fig.Legend = append(fig.Legend,
			plot.Series{Name: "measured, α=" + al, Color: color, Width: 1, Marker: true},
			plot.Series{Name: "γ(ψ), α=" + al, Color: color, Width: theoryWidth})
	}
	fig.Legend = append(fig.Legend,
		plot.Series{Name: "small-N limit", Color: "#666666", Dash: smallDash, Width: 1},
		plot.Series{Name: "large-N limit", Color: "#666666", Dash: largeDash, Width: 1})
	fig.PanelHeight = 280
	return fig
}
