package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/internal/outfile"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/nn"
	"github.com/spurious-ml/spurious/plot"
	"github.com/spurious-ml/spurious/report"
	"github.com/spurious-ml/spurious/sweep"
)

func init() {
	register("reproduce", "reproduce the paper's RF and NTK figures with theory overlaid (SVG + report.md)", cmdReproduce)
}

// reproPreset fixes the sizes of a reproduction.
type reproPreset struct {
	name       string
	kRF, kNTK  int
	ns         []int
	reps, nt   int
	d          int
	realModels bool // include the MNIST / CIFAR-10 panels when the data is there

	// The NN figure's trials (FC net, same N grid and repetitions).
	nnEpochs, nnNt int
}

var (
	// reproQuick finishes in about a minute on two cores: smaller RF width,
	// fewer N, three repetitions (the fewest for usable 95% intervals).
	// The NN trials train for a tenth of the paper's epochs.
	reproQuick = reproPreset{name: "quick", kRF: 3000, kNTK: 100, ns: []int{10, 30, 100, 300}, reps: 3, nt: 500, d: 1000, realModels: true,
		nnEpochs: nn.QuickEpochs, nnNt: 500}
	// reproFull uses the paper's sizes (spec §4.2-4.4; the NN figure's N
	// grid stops at 1000 as the RF and NTK figures').
	reproFull = reproPreset{name: "full", kRF: 100000, kNTK: 100, ns: []int{10, 20, 50, 100, 200, 500, 1000}, reps: 10, nt: 1000, d: 1000, realModels: true,
		nnEpochs: nn.PaperEpochs, nnNt: nn.PaperNt}
)

// reproDataset is a real-data panel of the paper's figures.
type reproDataset struct {
	name  string // --dataset value (run's default class pair and border are the paper's)
	title string // panel title, as in the paper
	dir   string // data folder (--data DIR/name); empty: the data cache
}

// extra returns the run flags of the data set's trials: extra plus --data
// when the data set is read from a folder of its own.
func (ds reproDataset) extra(extra map[string]string) map[string]string {
	if ds.dir == "" {
		return extra
	}
	out := maps.Clone(extra)
	if out == nil {
		out = map[string]string{}
	}
	out["data"] = ds.dir
	return out
}

// reproExtra are run flags every trial of the reproduction carries: the
// held-out spurious queries (memorization AUC) cost Nt extra feature rows
// per trial and no figure of the paper uses them.
var reproExtra = map[string]string{"heldout": "0"}

var reproDatasets = []reproDataset{
	{name: "mnist", title: "MNIST (1 and 7)"},
	{name: "cifar10", title: "CIFAR-10 (cats and ships)"},
}

// Paper styling (spec §4.2): alpha=1/2 red, alpha=1/4 black; phi2 solid,
// phi4 dashed; real data: test accuracy red, spurious accuracy black.
const (
	reproRed   = "#c44e52"
	reproBlack = "#000000"
	reproDash  = "6,3"

	// Theory figure: gamma(psi) thick, its limits thin dash-dot / dotted.
	reproTheoryWidth = 2.4
	reproSmallDash   = "8,3,2,3"
	reproLargeDash   = "2,3"
)

var (
	reproSynthActs = []string{"phi2", "phi4"}
	reproAlphas    = []float64{0.5, 0.25}
	reproModels    = []string{"rf", "ntk"}
)

// The NN figure (spec §4.4): the FC network on synthetic data (binary,
// MSE) and on MNIST (10 classes) when it is available. The CNN panels are
// left to `spurious sweep` (model nn-cnn): at 300 to 500 training samples
// per second on two cores, 1000 epochs cost hours per point.
const (
	reproNNModel = "nn-fc"
	reproNNAlpha = nn.SyntheticAlpha
	reproNNGrey  = "#888888"
)

// reproNNPanels are the NN figure's panels in the paper's order.
var reproNNPanels = []reproDataset{
	{name: "synthetic", title: "Synthetic - FC"},
	{name: "mnist", title: "MNIST - FC"},
}

// reproSpec builds the sweep behind the figures; datasets lists the real
// datasets that are available.
func reproSpec(p reproPreset, seed uint64, datasets []reproDataset) *sweep.Spec {
	s := &sweep.Spec{Seed: seed, Repetitions: p.reps}
	s.N, s.Nt = p.ns, []int{p.nt}
	for _, m := range reproModels {
		k := p.kRF
		if m == "ntk" {
			k = p.kNTK
		}
		s.Grids = append(s.Grids, sweep.Grid{Model: []string{m}, Act: reproSynthActs, Dataset: []string{"synthetic"},
			Alpha: reproAlphas, D: []int{p.d}, K: []int{k}, Extra: reproExtra})
		for _, ds := range datasets {
			s.Grids = append(s.Grids, sweep.Grid{Model: []string{m}, Act: []string{"relu"}, Dataset: []string{ds.name},
				K: []int{k}, Extra: ds.extra(reproExtra)})
		}
	}
	for _, ds := range reproNNDatasets(datasets) {
		g := sweep.Grid{Model: []string{reproNNModel}, Dataset: []string{ds.name}, Nt: []int{p.nnNt}, Epochs: []int{p.nnEpochs}, Extra: ds.extra(nil)}
		if ds.name == "synthetic" {
			g.D, g.Alpha = []int{p.d}, []float64{reproNNAlpha}
		}
		s.Grids = append(s.Grids, g)
	}
	return s
}

// reproNNDatasets returns the NN figure's panels whose data is available:
// synthetic always, MNIST when it is among the real datasets.
func reproNNDatasets(datasets []reproDataset) []reproDataset {
	var out []reproDataset
	for _, p := range reproNNPanels {
		if p.name == "synthetic" {
			out = append(out, p)
		} else if i := slices.IndexFunc(datasets, func(d reproDataset) bool { return d.name == p.name }); i >= 0 {
			p.dir = datasets[i].dir
			out = append(out, p)
		}
	}
	return out
}

// reproProbe runs one tiny trial on a real dataset; an error says why the
// dataset cannot be used (typically: not downloaded).
func reproProbe(ctx context.Context, ds reproDataset) error {
	t := sweep.Trial{Seed: 1, Params: sweep.Params{Model: "rf", Act: "relu", Dataset: ds.name, K: 16, N: 10, Nt: 10, Extra: ds.extra(reproExtra)}}
	_, err := sweepTrialRunner(ctx, t)
	return err
}

func cmdReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "small sizes, a few minutes on two cores (default)")
	full := fs.Bool("full", false, "the paper's sizes (k=100000 RF, N up to 1000, 10 repetitions, 1000 NN epochs)")
	out := fs.String("out", "", "output directory for results.jsonl, spec.json, *.svg, *.png and report.md")
	workers := fs.Int("workers", 1, "trials run at once")
	seed := fs.Uint64("seed", 1, "global seed of the sweep")
	noReal := fs.Bool("no-real", false, "skip the MNIST and CIFAR-10 panels")
	dataDir := fs.String("data", "", "folder holding a folder per data set (mnist/, cifar10/: the data cache's layout); default: the data cache")
	progressMode := sweepProgressFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: spurious reproduce [--quick|--full] --out DIR [--workers W]")
		fmt.Fprintln(stderr, "\nRuns (or resumes, reusing DIR/results.jsonl) the sweeps behind the paper's RF, NTK")
		fmt.Fprintln(stderr, "and NN figures and writes DIR/rf.svg, DIR/ntk.svg, DIR/theory.svg, DIR/nn.svg (each also as .png)")
		fmt.Fprintln(stderr, "and DIR/report.md. Flags:")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *quick && *full {
		return usageErrorf("reproduce: choose one of --quick and --full")
	}
	if err := sweepCheckRunFlags(*workers, *progressMode); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	if *out == "" {
		return usageErrorf("reproduce: --out DIR is required")
	}
	preset := reproQuick
	if *full {
		preset = reproFull
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	var datasets []reproDataset
	var notes []string
	if *noReal {
		notes = append(notes, "The MNIST and CIFAR-10 panels were skipped (--no-real).")
	} else {
		for _, ds := range reproDatasets {
			if *dataDir != "" {
				ds.dir = filepath.Join(*dataDir, ds.name)
			}
			if err := reproProbe(ctx, ds); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				notes = append(notes, fmt.Sprintf("The %s panels were skipped: the dataset is not usable here (%v).", ds.title, err))
				fmt.Fprintf(stderr, "reproduce: skipping %s: %v\n", ds.name, err)
				continue
			}
			datasets = append(datasets, ds)
		}
	}

	spec := reproSpec(preset, *seed, datasets)
	specPath := filepath.Join(*out, "spec.json")
	sb, _ := json.MarshalIndent(spec, "", "  ")
	if err := outfile.Write(specPath, nil, func(w io.Writer) error { _, err := w.Write(append(sb, '\n')); return err }); err != nil {
		return err
	}
	resultsPath := filepath.Join(*out, "results.jsonl")
	opt := sweep.Options{Workers: *workers}
	if err := sweepProgress(&opt, *progressMode, stderr); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	start := time.Now()
	rep, runErr := sweep.Run(ctx, spec, resultsPath, sweepTrialRunner, opt)
	if runErr != nil && (errors.Is(runErr, sweep.ErrInterrupted) || len(rep.Failed) == 0) {
		return runErr // interrupted or unusable results file: no report
	}
	sweepWall := time.Since(start)
	for _, f := range rep.Failed {
		notes = append(notes, fmt.Sprintf("Trial %s (%s) failed: %v", f.Trial.Key, f.Trial.Params, f.Err))
	}

	recs, err := reproRecords(spec, resultsPath)
	if err != nil {
		return err
	}
	groups := sweep.Group(recs)
	theoryCurves, theoryCmds, err := reproTheory(ctx, preset)
	if err != nil {
		return err
	}

	figs := []struct {
		file string
		fig  *plot.Figure
	}{
		{"rf.svg", reproAccuracyFigure("Random features (RF)", "rf", groups, datasets)},
		{"ntk.svg", reproAccuracyFigure("Neural tangent kernel (NTK)", "ntk", groups, datasets)},
		{"theory.svg", reproTheoryFigure(groups, theoryCurves)},
		{"nn.svg", reproNNFigure(groups, reproNNDatasets(datasets))},
	}
	for _, f := range figs {
		f.fig.Note = reproFigureNote(preset.reps, f.file != "theory.svg")
		if err := reproWriteFigure(filepath.Join(*out, f.file), f.fig); err != nil {
			return err
		}
	}
	env := reproEnvironment()
	doc := reproReport(reproReportInput{
		preset: preset, args: args, spec: spec, groups: groups, datasets: datasets, notes: notes,
		run: rep, sweepWall: sweepWall, theoryCmds: theoryCmds, env: env, out: *out,
	})
	if err := doc.WriteFile(filepath.Join(*out, "report.md")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reproduce: %d trials (%d run now) -> %s\n", rep.Total, rep.Done, filepath.Join(*out, "report.md"))
	return runErr
}

// reproRecords reads the results file and keeps the records of the spec's
// trials (the file may also hold another preset's trials).
func reproRecords(spec *sweep.Spec, path string) ([]sweep.Record, error) {
	trials, err := spec.Trials()
	if err != nil {
		return nil, err
	}
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

// reproAccRange is the range of an accuracy: bands are clamped to it.
var reproAccRange = [2]float64{0, 1}

// reproFigureNote states on a figure what its points and bands are.
func reproFigureNote(reps int, clamped bool) string {
	s := fmt.Sprintf("points: mean of %d repetitions; bands: 95%% Student-t confidence interval of the mean", reps)
	if clamped {
		s += ", clamped to [0, 1]"
	}
	return s
}

// reproWriteFigure writes fig as path (SVG) and as the PNG image beside it.
func reproWriteFigure(path string, fig *plot.Figure) error {
	if err := outfile.Write(path, nil, fig.WriteSVG); err != nil {
		return err
	}
	return outfile.Write(strings.TrimSuffix(path, ".svg")+".png", nil, func(w io.Writer) error { return fig.WritePNG(w, 2) })
}

// reproCurve is one metric of matching groups against N.
func reproCurve(groups []sweep.PointGroup, match func(sweep.Params) bool, metric string) (x, y, lo, hi []float64) {
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

func reproAlphaLabel(a float64) string {
	switch a {
	case 0.5:
		return "1/2"
	case 0.25:
		return "1/4"
	}
	return strconv.FormatFloat(a, 'g', 3, 64)
}

func reproActLabel(act string) string {
	switch act {
	case "phi2":
		return "φ2"
	case "phi4":
		return "φ4"
	}
	return act
}

func reproAlphaColor(a float64) string {
	if a == 0.5 {
		return reproRed
	}
	return reproBlack
}

// reproAccuracyFigure lays out the paper's RF/NTK figure: synthetic test
// and spurious accuracy, then one panel per available real dataset.
func reproAccuracyFigure(title, model string, groups []sweep.PointGroup, datasets []reproDataset) *plot.Figure {
	fig := &plot.Figure{Title: title, ShareY: true}
	for _, m := range []struct{ metric, title, ylabel string }{{"test_acc", "Synthetic - test accuracy", "test accuracy"}, {"spurious_acc", "Synthetic - spurious accuracy", "spurious accuracy"}} {
		p := &plot.Panel{Title: m.title, XLabel: "N", YLabel: m.ylabel, LogX: true, Range: reproAccRange}
		for _, act := range reproSynthActs {
			for _, a := range reproAlphas {
				x, y, lo, hi := reproCurve(groups, func(q sweep.Params) bool {
					return q.Model == model && q.Dataset == "synthetic" && q.Act == act && q.Alpha == a
				}, m.metric)
				s := plot.Series{Name: fmt.Sprintf("%s, α=%s", reproActLabel(act), reproAlphaLabel(a)),
					X: x, Y: y, Lo: lo, Hi: hi, Color: reproAlphaColor(a), Marker: true}
				if act == "phi4" {
					s.Dash = reproDash
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
		fig.Legend = append(fig.Legend, plot.Series{Name: "real data: spurious accuracy", Color: reproBlack, Marker: true},
			plot.Series{Name: "real data: test accuracy", Color: reproRed, Marker: true})
	}
	for _, ds := range datasets {
		p := &plot.Panel{Title: ds.title, XLabel: "N", YLabel: "accuracy", LogX: true, Range: reproAccRange}
		for _, m := range []struct{ metric, name, color string }{{"spurious_acc", "spurious accuracy", reproBlack}, {"test_acc", "test accuracy", reproRed}} {
			x, y, lo, hi := reproCurve(groups, func(q sweep.Params) bool { return q.Model == model && q.Dataset == ds.name }, m.metric)
			p.Series = append(p.Series, plot.Series{Name: m.name, X: x, Y: y, Lo: lo, Hi: hi, Color: m.color, Marker: true})
		}
		fig.Panels = append(fig.Panels, p)
	}
	return fig
}

// reproNNFigure lays out the paper's NN figure for the FC panels: spurious
// accuracy (black) and test accuracy (red) against N, with the chance
// level the trials report (grey, dashed) for reference.
func reproNNFigure(groups []sweep.PointGroup, panels []reproDataset) *plot.Figure {
	fig := &plot.Figure{Title: "Trained networks (FC, Adam)", ShareY: true}
	for _, ds := range panels {
		p := &plot.Panel{Title: ds.title, XLabel: "N", YLabel: "accuracy", LogX: true, Range: reproAccRange}
		match := func(q sweep.Params) bool { return q.Model == reproNNModel && q.Dataset == ds.name }
		for _, m := range []struct{ metric, name, color string }{{"spurious_acc", "spurious accuracy", reproBlack}, {"test_acc", "test accuracy", reproRed}} {
			x, y, lo, hi := reproCurve(groups, match, m.metric)
			p.Series = append(p.Series, plot.Series{Name: m.name, X: x, Y: y, Lo: lo, Hi: hi, Color: m.color, Marker: true})
		}
		if x, chance, _, _ := reproCurve(groups, match, "chance_acc"); len(x) > 0 {
			p.Series = append(p.Series, plot.Series{Name: "chance", X: []float64{x[0], x[len(x)-1]},
				Y: []float64{chance[len(chance)-1], chance[len(chance)-1]}, Color: reproNNGrey, Dash: reproDash, Width: 1})
		}
		fig.Panels = append(fig.Panels, p)
	}
	fig.Legend = []plot.Series{{Name: "spurious accuracy", Color: reproBlack, Marker: true}, {Name: "test accuracy", Color: reproRed, Marker: true},
		{Name: "chance", Color: reproNNGrey, Dash: reproDash, Width: 1}}
	return fig
}

// reproTheoryPoint is one point of `spurious theory --curve n --json`.
type reproTheoryPoint struct {
	Alpha       float64  `json:"alpha"`
	N           int      `json:"n"`
	GammaLargeN float64  `json:"gamma_large_n"`
	GammaSmallN float64  `json:"gamma_small_n"`
	GammaPsi    *float64 `json:"gamma_psi"`
}

// reproTheory asks `spurious theory` for gamma(psi) against N and the two
// limits, for each synthetic (model, act). It returns the curves keyed by
// "model/act" and the commands it ran.
func reproTheory(ctx context.Context, p reproPreset) (map[string][]reproTheoryPoint, []string, error) {
	curves := map[string][]reproTheoryPoint{}
	var cmds []string
	alphas := make([]string, len(reproAlphas))
	for i, a := range reproAlphas {
		alphas[i] = strconv.FormatFloat(a, 'g', -1, 64)
	}
	for _, m := range reproModels {
		for _, act := range reproSynthActs {
			args := []string{"theory", "--json", "--model", m, "--act", act, "--alpha", strings.Join(alphas, ","),
				"--d", strconv.Itoa(p.d), "--curve", "n"}
			var so, se bytes.Buffer
			if err := run(ctx, args, &so, &se); err != nil {
				return nil, nil, fmt.Errorf("spurious %s: %w%s", strings.Join(args, " "), err, sweepTail(se.Bytes()))
			}
			var out struct {
				Curve []reproTheoryPoint `json:"curve"`
			}
			if err := json.Unmarshal(so.Bytes(), &out); err != nil || len(out.Curve) == 0 {
				return nil, nil, fmt.Errorf("spurious %s: no curve in its JSON output (%v)", strings.Join(args, " "), err)
			}
			curves[m+"/"+act] = out.Curve
			cmds = append(cmds, "spurious "+strings.Join(args, " "))
		}
	}
	return curves, cmds, nil
}

// reproTheoryFigure plots the measured mean feature alignment against N
// with gamma(psi) and its large- and small-N limits, one panel per model
// and activation.
func reproTheoryFigure(groups []sweep.PointGroup, curves map[string][]reproTheoryPoint) *plot.Figure {
	fig := &plot.Figure{Title: "Feature alignment F: measured vs theory", Cols: 4}
	nMin, nMax := math.Inf(1), math.Inf(-1)
	for _, g := range groups {
		if g.Params.Dataset == "synthetic" && slices.Contains(reproModels, g.Params.Model) {
			nMin, nMax = min(nMin, float64(g.Params.N)), max(nMax, float64(g.Params.N))
		}
	}
	for _, m := range reproModels {
		for _, act := range reproSynthActs {
			p := &plot.Panel{Title: fmt.Sprintf("%s, %s", strings.ToUpper(m), reproActLabel(act)), XLabel: "N", YLabel: "feature alignment F", LogX: true}
			for _, a := range reproAlphas {
				color, al := reproAlphaColor(a), reproAlphaLabel(a)
				x, y, lo, hi := reproCurve(groups, func(q sweep.Params) bool {
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
						plot.Series{Name: "γ(ψ), α=" + al, X: tx, Y: ty, Color: color, Width: reproTheoryWidth},
						plot.Series{Name: "small-N limit, α=" + al, X: lim, Y: []float64{small, small}, Color: color, Dash: reproSmallDash, Width: 1},
						plot.Series{Name: "large-N limit, α=" + al, X: lim, Y: []float64{large, large}, Color: color, Dash: reproLargeDash, Width: 1})
				}
			}
			fig.Panels = append(fig.Panels, p)
		}
	}
	for _, a := range reproAlphas {
		color, al := reproAlphaColor(a), reproAlphaLabel(a)
		fig.Legend = append(fig.Legend,
			plot.Series{Name: "measured, α=" + al, Color: color, Width: 1, Marker: true},
			plot.Series{Name: "γ(ψ), α=" + al, Color: color, Width: reproTheoryWidth})
	}
	fig.Legend = append(fig.Legend,
		plot.Series{Name: "small-N limit", Color: "#666666", Dash: reproSmallDash, Width: 1},
		plot.Series{Name: "large-N limit", Color: "#666666", Dash: reproLargeDash, Width: 1})
	fig.PanelHeight = 280
	return fig
}

// reproEnv describes the machine and build for the report.
type reproEnv struct {
	cpu, isa, caches, goVersion, platform, revision string
	cores, procs                                    int
}

func reproEnvironment() reproEnv {
	c := linalg.CacheSizes()
	e := reproEnv{
		cpu: cpuid.CPU.BrandName, isa: asm.Active(), goVersion: runtime.Version(),
		platform: runtime.GOOS + "/" + runtime.GOARCH, cores: runtime.NumCPU(), procs: runtime.GOMAXPROCS(0),
		caches: fmt.Sprintf("L1d %d KiB, L2 %d KiB, L3 %d KiB", c.L1D>>10, c.L2>>10, c.L3>>10),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " (with uncommitted changes)"
				}
			}
		}
		if rev != "" {
			e.revision = rev + dirty
		}
	}
	if e.revision == "" {
		e.revision = "unknown (built without VCS information)"
	}
	return e
}

type reproReportInput struct {
	preset     reproPreset
	args       []string
	spec       *sweep.Spec
	groups     []sweep.PointGroup
	datasets   []reproDataset
	notes      []string
	run        sweep.Report
	sweepWall  time.Duration
	theoryCmds []string
	env        reproEnv
	out        string
}

// reproFmt formats mean ± 95% CI half-width (just the mean with one
// repetition).
func reproFmt(s sweep.Summary) string {
	switch {
	case s.N == 0:
		return "—"
	case math.IsNaN(s.CI95):
		return fmt.Sprintf("%.3f", s.Mean)
	}
	return fmt.Sprintf("%.3f ± %.3f", s.Mean, s.CI95)
}

// reproColumn is a metric of the report's tables; deterministic or
// bookkeeping columns (theory, chance, timing) show the mean only.
type reproColumn struct {
	metric, head string
	ci           bool
}

// reproTableColumns are the columns of the RF and NTK tables.
var reproTableColumns = []reproColumn{
	{"test_acc", "test acc", true},
	{"spurious_acc", "spurious acc", true},
	{"feature_alignment_mean", "mean F", true},
	{"gamma_theory", "γ(ψ) theory", false},
	{"cov_spurious", "Cov(f(zˢ), g)", true},
	{"cov_lemma", "Lemma prediction", true},
	{"seconds", "seconds", false},
}

// reproNNColumns are the columns of the NN table.
var reproNNColumns = []reproColumn{
	{"train_acc", "train acc", true},
	{"test_acc", "test acc", true},
	{"spurious_acc", "spurious acc", true},
	{"chance_acc", "chance", false},
	{"seconds", "seconds", false},
}

// reproTable writes the table of model's groups: one row per parameter
// point (paper order) and the columns that the trials report.
func reproTable(d *report.Doc, groups []sweep.PointGroup, model string, columns []reproColumn) {
	var gs []*sweep.PointGroup
	for i := range groups {
		if groups[i].Params.Model == model {
			gs = append(gs, &groups[i])
		}
	}
	if len(gs) == 0 {
		d.Para("No finished trials.")
		return
	}
	// Paper order: synthetic first, then the real datasets; alpha 1/2
	// before 1/4; N ascending.
	rank := func(ds string) int {
		for i, r := range reproDatasets {
			if r.name == ds {
				return i + 1
			}
		}
		return 0
	}
	slices.SortStableFunc(gs, func(a, b *sweep.PointGroup) int {
		x, y := a.Params, b.Params
		return cmp.Or(cmp.Compare(rank(x.Dataset), rank(y.Dataset)), cmp.Compare(x.Act, y.Act),
			cmp.Compare(y.Alpha, x.Alpha), cmp.Compare(x.N, y.N))
	})
	// Columns the trials report at all.
	var cols []int
	for ci, c := range columns {
		for _, g := range gs {
			if g.Summary(c.metric).N > 0 {
				cols = append(cols, ci)
				break
			}
		}
	}
	// The second column is the activation, or the epochs of a trained
	// network.
	second := func(p sweep.Params) string { return reproActLabel(p.Act) }
	head := []string{"dataset", "act", "α", "N", "reps"}
	if _, isNN := sweepNNArchs[model]; isNN {
		second = func(p sweep.Params) string { return strconv.Itoa(p.Epochs) }
		head[1] = "epochs"
	}
	for _, ci := range cols {
		head = append(head, columns[ci].head)
	}
	var rows [][]string
	for _, g := range gs {
		alpha := "—"
		if g.Params.Alpha != 0 {
			alpha = reproAlphaLabel(g.Params.Alpha)
		}
		row := []string{g.Params.Dataset, second(g.Params), alpha, strconv.Itoa(g.Params.N), strconv.Itoa(len(g.Records))}
		for _, ci := range cols {
			c := columns[ci]
			sm := g.Summary(c.metric)
			if !c.ci {
				sm.CI95 = math.NaN()
			}
			row = append(row, reproFmt(sm))
		}
		rows = append(rows, row)
	}
	d.Table(head, rows)
}

// reproNNCost writes the measured cost of the NN trials: per dataset, the
// mean seconds of a trial at the largest N, and its extrapolation to the
// paper's 1000 epochs (training time is linear in the epochs; loading and
// evaluation are not repeated).
func reproNNCost(d *report.Doc, in reproReportInput) {
	var lines []string
	for _, ds := range reproNNDatasets(in.datasets) {
		var last *sweep.PointGroup
		for i := range in.groups {
			g := &in.groups[i]
			if g.Params.Model == reproNNModel && g.Params.Dataset == ds.name && (last == nil || g.Params.N > last.Params.N) {
				last = g
			}
		}
		if last == nil {
			continue
		}
		total, train := last.Summary("seconds"), last.Summary("train_seconds")
		if total.N == 0 || train.N == 0 {
			continue
		}
		line := fmt.Sprintf("%s, N = %d, %d epochs: %.1f s per trial (%.1f s training)", ds.title, last.Params.N, last.Params.Epochs, total.Mean, train.Mean)
		if e := last.Params.Epochs; e > 0 && e != nn.PaperEpochs {
			line += fmt.Sprintf("; with the paper's %d epochs about %.0f s", nn.PaperEpochs, total.Mean+train.Mean*(float64(nn.PaperEpochs)/float64(e)-1))
		}
		lines = append(lines, line+".")
	}
	if len(lines) == 0 {
		return
	}
	d.Para("Measured cost of one NN point (mean over its repetitions, this machine and load):")
	d.Bullets(lines...)
	d.Para(fmt.Sprintf("For reference, one FC MNIST point at N = 1000 with the paper's %d epochs took 212 s when measured on 2 cores "+
		"shared with other jobs (load average about 8); training time grows linearly in N·epochs once N exceeds a few hundred, "+
		"so `--full` spends most of its NN time on its largest N.", nn.PaperEpochs))
}

func reproReport(in reproReportInput) *report.Doc {
	var d report.Doc
	p := in.preset
	d.Heading(1, "How spurious features are memorized: reproduction ("+p.name+")")
	d.Para(fmt.Sprintf("Random-features (RF) and NTK regression on the paper's synthetic data "+
		"(d = %d, Gaussian core and spurious parts, g = sign(uᵀx)) and, where available, MNIST 1 vs 7 and "+
		"CIFAR-10 cat vs ship with a noise border. Widths: k = %d (RF), k = %d (NTK); N ∈ %v; Nt = %d; "+
		"%d repetitions per point; held-out spurious queries (the memorization AUC) are off. Curves are means over repetitions; bands and ± are 95%% Student-t "+
		"confidence intervals of the mean (the paper's plots use seaborn's bootstrap interval).",
		p.d, p.kRF, p.kNTK, p.ns, p.nt, p.reps))
	nnFigure := "the paper's NN figure, fully connected panels: synthetic data"
	if len(reproNNDatasets(in.datasets)) > 1 {
		nnFigure += " and MNIST"
	}
	d.Para(fmt.Sprintf("Trained networks (%s): the same N grid and repetitions, Nt = %d, %d epochs (the paper trains for %d). "+
		"The paper's CNN panels (MNIST, CIFAR-10) are not part of this command: run them with "+
		"`spurious sweep --model nn-cnn --dataset mnist,cifar10 --epochs %d --n 10,100,1000 --reps 3 --out cnn.jsonl` "+
		"(300 to 500 training samples per second on two cores: hours per point at N = 1000).", nnFigure, p.nnNt, p.nnEpochs, nn.PaperEpochs, nn.PaperEpochs))
	if len(in.notes) > 0 {
		d.Heading(2, "Notes")
		d.Bullets(in.notes...)
	}

	d.Heading(2, "Figures")
	d.Figure("rf.svg", "RF figure", "RF: test and spurious accuracy against N. Synthetic: α = 1/2 red, α = 1/4 black; φ2 solid, φ4 dashed. "+
		"Real data (ReLU): test accuracy red, spurious accuracy black.")
	d.Figure("ntk.svg", "NTK figure", "NTK: same layout and styling as the RF figure.")
	d.Figure("theory.svg", "Theory vs measurement", "Mean feature alignment F over the training set (dots with 95% CI bands) "+
		"against the deterministic equivalent γ(ψ), ψ = (N−1)/d (thick line), its small-N limit (dash-dot) and large-N limit (dotted).")
	d.Figure("nn.svg", "NN figure", fmt.Sprintf("Trained fully connected networks (d → 500 → 200 → C, ReLU, PyTorch initialisation, "+
		"Adam with lr 10⁻³ ×0.8 every 100 epochs, batches of 1024, %d epochs): spurious accuracy black, test accuracy red, "+
		"chance level grey dashed. Synthetic: d = %d, α = 1/2, one output regressed on g = ±1 (MSE), accuracy of the sign, chance 0.5. "+
		"MNIST: all 10 classes with the noise border (48×48, raw pixels 0..255), softmax cross-entropy, "+
		"argmax accuracy, chance 0.1. The spurious query keeps the training sample's border (or y) and replaces the core.",
		p.nnEpochs, p.d))

	for _, model := range reproModels {
		d.Heading(2, "Table: "+strings.ToUpper(model))
		reproTable(&d, in.groups, model, reproTableColumns)
	}
	d.Heading(2, "Table: NN (FC)")
	reproTable(&d, in.groups, reproNNModel, reproNNColumns)
	reproNNCost(&d, in)

	d.Heading(2, "Environment")
	e := in.env
	d.Bullets(
		"CPU: "+e.cpu+fmt.Sprintf(" (%d logical cores, GOMAXPROCS %d; %s)", e.cores, e.procs, e.caches),
		"Kernels (ISA): "+e.isa+"; "+blockingSummary(),
		"Go: "+e.goVersion+", "+e.platform,
		"Source revision: "+e.revision,
		"Date: "+time.Now().UTC().Format("2006-01-02 15:04 MST"),
	)
	var trialSec float64
	for i := range in.groups {
		for j := range in.groups[i].Records {
			if v, ok := in.groups[i].Records[j].Metric("seconds"); ok {
				trialSec += v
			}
		}
	}
	d.Para(fmt.Sprintf("This invocation ran %d of %d trials (%d were reused from results.jsonl) in %s of wall time; "+
		"the trials' own timings add up to %.1f s.", in.run.Done, in.run.Total, in.run.Skipped,
		in.sweepWall.Round(100*time.Millisecond), trialSec))

	d.Heading(2, "Commands")
	d.Para("This report:")
	d.Code("sh", "spurious reproduce "+strings.Join(in.args, " "))
	d.Para("The same trials on a cluster (spec.json is next to this report; each array task appends to its own file; " +
		"the last step reuses the merged results and only draws):")
	d.Code("sh", strings.Join([]string{
		"# Slurm: sbatch --array=0-15 --wrap 'spurious sweep spec.json --out results.{shard}.jsonl'",
		"# Kubernetes Indexed Job (completions 16): spurious sweep spec.json --out results.{shard}.jsonl --shards 16",
		"spurious merge " + filepath.Join(in.out, "results.jsonl") + " results.*.jsonl --spec spec.json",
		"spurious reproduce --" + p.name + " --out " + in.out,
	}, "\n"))
	if ts, err := in.spec.Trials(); err == nil && len(ts) > 0 {
		d.Para("Trials by hand (the first of the sweep and its first NN trial; a trial's seed derives from the global seed and its key):")
		var cmds []string
		for i, t := range ts {
			if _, isNN := sweepNNArchs[t.Model]; i == 0 || isNN {
				if args, err := sweepTrialArgs(t); err == nil {
					cmds = append(cmds, "spurious "+strings.Join(args, " "))
				}
				if isNN {
					break
				}
			}
		}
		d.Code("sh", strings.Join(cmds, "\n"))
	}
	d.Para("Theory curves:")
	d.Code("sh", strings.Join(in.theoryCmds, "\n"))
	return &d
}
