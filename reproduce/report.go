package reproduce

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/nn"
	"github.com/spurious-ml/spurious/report"
	"github.com/spurious-ml/spurious/sweep"
)

// environment describes the machine and build for the report.
type environment struct {
	cpu, isa, caches, goVersion, platform, revision string
	cores, procs                                    int
}

func currentEnvironment() environment {
	c := linalg.CacheSizes()
	e := environment{
		cpu: cpuid.CPU.BrandName, isa: linalg.DefaultEngine[float64]().ISA(), goVersion: runtime.Version(),
		platform: runtime.GOOS + "/" + runtime.GOARCH, cores: runtime.NumCPU(), procs: runtime.GOMAXPROCS(0),
		caches: fmt.Sprintf("L1d %d KiB, L2 %d KiB, L3 %d KiB", c.L1D>>10, c.L2>>10, c.L3>>10),
	}
	e.revision = "unknown (built without VCS information)"
	if b := bench.ReadBuild(); b.Revision != "" {
		e.revision = b.Revision
		if b.Modified {
			e.revision += " (with uncommitted changes)"
		}
	}
	return e
}

// blockingSummary describes the GEMM block sizes in use for both
// precisions, for the environment lines: results depend on KC in the last
// bits.
func blockingSummary() string {
	b64, b32 := linalg.DefaultEngine[float64]().Blocking(), linalg.DefaultEngine[float32]().Blocking()
	return fmt.Sprintf("GEMM blocks f64 KC %d MC %d NC %d (%s), f32 KC %d MC %d NC %d (%s)",
		b64.KC, b64.MC, b64.NC, b64.Origin, b32.KC, b32.MC, b32.NC, b32.Origin)
}

type reportInput struct {
	preset     Preset
	command    string
	spec       *sweep.Spec
	groups     []sweep.PointGroup
	datasets   []Dataset
	notes      []string
	run        sweep.Report
	sweepWall  time.Duration
	theoryCmds []string
	env        environment
	out        string
	trials     []sweep.Trial // the spec's
	reportOnly bool
}

// formatSummary formats mean ± 95% CI half-width (just the mean with one
// repetition).
func formatSummary(s sweep.Summary) string {
	switch {
	case s.N == 0:
		return "—"
	case math.IsNaN(s.CI95):
		return fmt.Sprintf("%.3f", s.Mean)
	}
	return fmt.Sprintf("%.3f ± %.3f", s.Mean, s.CI95)
}

// column is a metric of the report's tables; deterministic or
// bookkeeping columns (theory, chance, timing) show the mean only.
type column struct {
	metric, head string
	ci           bool
}

// tableColumns are the columns of the RF and NTK tables.
var tableColumns = []column{
	{"test_acc", "test acc", true},
	{"spurious_acc", "spurious acc", true},
	{"feature_alignment_mean", "mean F", true},
	{"gamma_theory", "γ(ψ) theory", false},
	{"cov_spurious", "Cov(f(zˢ), g)", true},
	{"cov_lemma", "Lemma prediction", true},
	{"seconds", "seconds", false},
}

// nnColumns are the columns of the NN table.
var nnColumns = []column{
	{"train_acc", "train acc", true},
	{"test_acc", "test acc", true},
	{"spurious_acc", "spurious acc", true},
	{"chance_acc", "chance", false},
	{"seconds", "seconds", false},
}

// table writes the table of model's groups: one row per parameter
// point (paper order) and the columns that the trials report.
func table(d *report.Doc, groups []sweep.PointGroup, model string, columns []column) {
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
		for i, r := range Datasets {
			if r.Name == ds {
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
	second := func(p sweep.Params) string { return actLabel(p.Act) }
	head := []string{"dataset", "act", "α", "N", "reps"}
	if _, isNN := sweep.NetworkModels[model]; isNN {
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
			alpha = alphaLabel(g.Params.Alpha)
		}
		row := []string{g.Params.Dataset, second(g.Params), alpha, strconv.Itoa(g.Params.N), strconv.Itoa(len(g.Records))}
		for _, ci := range cols {
			c := columns[ci]
			sm := g.Summary(c.metric)
			if !c.ci {
				sm.CI95 = math.NaN()
			}
			row = append(row, formatSummary(sm))
		}
		rows = append(rows, row)
	}
	d.Table(head, rows)
}

// nnCost writes the measured cost of the NN trials: per dataset, the
// mean seconds of a trial at the largest N, and its extrapolation to the
// paper's 1000 epochs (training time is linear in the epochs; loading and
// evaluation are not repeated).
func nnCost(d *report.Doc, in reportInput) {
	var lines []string
	for _, ds := range nnDatasets(in.preset, in.datasets) {
		var last *sweep.PointGroup
		for i := range in.groups {
			g := &in.groups[i]
			if g.Params.Model == ds.Model && g.Params.Dataset == ds.Name && (last == nil || g.Params.N > last.Params.N) {
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
		line := fmt.Sprintf("%s, N = %d, %d epochs: %.1f s per trial (%.1f s training)", ds.Title, last.Params.N, last.Params.Epochs, total.Mean, train.Mean)
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

func buildReport(in reportInput) *report.Doc {
	var d report.Doc
	p := in.preset
	d.Heading(1, "How spurious features are memorized: reproduction ("+p.Name+")")
	d.Para(fmt.Sprintf("Random-features (RF) and NTK regression on the paper's synthetic data "+
		"(d = %d, Gaussian core and spurious parts, g = sign(uᵀx)) and, where available, MNIST 1 vs 7 and "+
		"CIFAR-10 cat vs ship with a noise border. Widths: k = %d (RF), k = %d (NTK); N ∈ %v; Nt = %d; "+
		"%d repetitions per point; held-out spurious queries (the memorization AUC) are off. Curves are means over repetitions; bands and ± are 95%% Student-t "+
		"confidence intervals of the mean (the paper's plots use seaborn's bootstrap interval).",
		p.D, p.KRF, p.KNTK, p.Ns, p.Nt, p.Reps))
	var titles, capped []string
	for _, pn := range nnDatasets(p, in.datasets) {
		titles = append(titles, pn.Title)
		if pn.MaxNt > 0 && pn.MaxNt < p.NNNt {
			capped = append(capped, fmt.Sprintf("%s: %d, %s", pn.Title, pn.MaxNt, pn.MaxNtReason))
		}
	}
	nt := fmt.Sprint(p.NNNt)
	if len(capped) > 0 {
		nt += " (" + strings.Join(capped, "; ") + ")"
	}
	nnDesc := fmt.Sprintf("Trained networks (the paper's NN figure; panels %s): the same N grid, Nt = %s, %d epochs (the paper trains for %d); "+
		"%d repetitions", strings.Join(titles, ", "), nt, p.NNEpochs, nn.PaperEpochs, p.Reps)
	if p.CNNReps > 0 {
		nnDesc += fmt.Sprintf(" for FC and %d for the CNN panels (fewer: one CNN repetition of the N grid at 1000 epochs costs 15 to 20 minutes per data set on two cores).", p.CNNReps)
	} else {
		nnDesc += fmt.Sprintf(". The paper's CNN panels (MNIST, CIFAR-10) are not part of this preset: `spurious reproduce --full` has them, or run "+
			"`spurious sweep --model nn-cnn --dataset mnist,cifar10 --epochs %d --n 10,100,1000 --reps 3 --out cnn.jsonl`.", nn.PaperEpochs)
	}
	d.Para(nnDesc)
	if dev := cifarDeviation(in.groups); dev != "" {
		in.notes = append(in.notes, dev)
	}
	if len(in.notes) > 0 {
		d.Heading(2, "Notes")
		d.Bullets(in.notes...)
	}
	complete := statusSection(&d, in)

	d.Heading(2, "Figures")
	d.Figure("rf.svg", "RF figure", "RF: test and spurious accuracy against N. Synthetic: α = 1/2 red, α = 1/4 black; φ2 solid, φ4 dashed. "+
		"Real data (ReLU): test accuracy red, spurious accuracy black.")
	d.Figure("ntk.svg", "NTK figure", "NTK: same layout and styling as the RF figure.")
	d.Figure("theory.svg", "Theory vs measurement", "Mean feature alignment F over the training set (dots with 95% CI bands) "+
		"against the deterministic equivalent γ(ψ), ψ = (N−1)/d (thick line), its small-N limit (dash-dot) and large-N limit (dotted).")
	d.Figure("nn.svg", "NN figure", fmt.Sprintf("Trained networks (PyTorch initialisation, "+
		"Adam with lr 10⁻³ ×0.8 every 100 epochs, batches of 1024, %d epochs): spurious accuracy black, test accuracy red, "+
		"chance level grey dashed. FC: d → 500 → 200 → C, ReLU; CNN: the paper's SmallConvNet (conv 16, pool, conv 32, pool, 256, C). "+
		"Synthetic: d = %d, α = 1/2, one output regressed on g = ±1 (MSE), accuracy of the sign, chance 0.5. "+
		"MNIST and CIFAR-10: every class the data has, with the noise border (48×48, raw pixels 0..255), softmax cross-entropy, "+
		"argmax accuracy, chance 1/classes (0.1 with all 10). The spurious query keeps the training sample's border (or y) and replaces the core.",
		p.NNEpochs, p.D))

	for _, model := range models {
		d.Heading(2, "Table: "+strings.ToUpper(model))
		table(&d, in.groups, model, tableColumns)
	}
	referenceSection(&d, p, in.groups)
	claimsSection(&d, in.groups)
	d.Heading(2, "Table: NN (FC)")
	table(&d, in.groups, fcModel, nnColumns)
	if p.CNNReps > 0 {
		d.Heading(2, "Table: NN (CNN)")
		table(&d, in.groups, cnnModel, nnColumns)
	}
	nnCost(&d, in)
	costSection(&d, in)

	d.Heading(2, "Environment")
	e := in.env
	d.Bullets(
		"CPU: "+e.cpu+fmt.Sprintf(" (%d logical cores, GOMAXPROCS %d; %s)", e.cores, e.procs, e.caches),
		"Kernels (ISA): "+e.isa+"; "+blockingSummary(),
		"Go: "+e.goVersion+", "+e.platform,
		"Source revision: "+e.revision,
		"Date: "+time.Now().UTC().Format("2006-01-02 15:04 MST"),
	)
	d.Para("These lines describe the machine that wrote this report; the trials may have run elsewhere (below).")
	envSection(&d, in.groups)

	d.Heading(2, "Commands")
	d.Para("This report:")
	d.Code("sh", in.command)
	if !complete {
		d.Para("The missing trials (the same command without report-only resumes the sweep):")
		d.Code("sh", "spurious reproduce --"+p.Name+" --out "+in.out)
	}
	d.Para("The same trials on a cluster (spec.json is next to this report; each array task appends to its own file; " +
		"the last step reuses the merged results and only draws):")
	d.Code("sh", strings.Join([]string{
		"# Slurm: sbatch --array=0-15 --wrap 'spurious sweep spec.json --out results.{shard}.jsonl'",
		"# Kubernetes Indexed Job (completions 16): spurious sweep spec.json --out results.{shard}.jsonl --shards 16",
		"spurious merge " + filepath.Join(in.out, "results.jsonl") + " results.*.jsonl --spec spec.json",
		"spurious reproduce --" + p.Name + " --out " + in.out,
	}, "\n"))
	if ts, err := in.spec.Trials(); err == nil && len(ts) > 0 {
		d.Para("Trials by hand (the first of the sweep and its first NN trial; a trial's seed derives from the global seed and its key):")
		var cmds []string
		for i, t := range ts {
			if _, isNN := sweep.NetworkModels[t.Model]; i == 0 || isNN {
				cmds = append(cmds, "spurious "+strings.Join(t.Command(), " "))
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

// cifarDeviation returns the note on CIFAR-10 network trials that ran on
// the JPEG copy of CIFAR-10 (their result names the data "cifar10 (JPEG
// copy)") or saw fewer than the paper's 10 classes (the JPEG copy holds
// only cat and ship), or "" when there are none.
func cifarDeviation(groups []sweep.PointGroup) string {
	classes, jpeg := 0, false
	for i := range groups {
		g := &groups[i]
		if _, isNN := sweep.NetworkModels[g.Params.Model]; !isNN || g.Params.Dataset != "cifar10" {
			continue
		}
		for j := range g.Records {
			if v, ok := g.Records[j].Metric("classes_present"); ok {
				classes = max(classes, int(v))
			}
			var named struct {
				Dataset string `json:"dataset"`
			}
			if json.Unmarshal(g.Records[j].Result, &named) == nil && strings.Contains(named.Dataset, "JPEG") {
				jpeg = true
			}
		}
	}
	if !jpeg && (classes == 0 || classes >= 10) {
		return ""
	}
	note := "CIFAR-10 (JPEG copy): the CIFAR-10 network trials ran on "
	if jpeg {
		note += "the JPEG copy of CIFAR-10 (lossy JPEG images, not the official binary batches)"
	} else {
		note += "a copy of CIFAR-10"
	}
	if classes > 0 && classes < 10 {
		note += fmt.Sprintf(" with only %d classes (the JPEG copy holds cat and ship), so the CIFAR-10 network panel is a %d-class task "+
			"with chance %.2f, not the paper's 10-class one (chance 0.1)", classes, classes, 1/float64(classes))
	}
	return note + ": a deviation from the paper. Kernel trials' records do not name their data's source; run from the same data folder, " +
		"the RF and NTK CIFAR-10 panels (cat vs ship, as in the paper) use the same images."
}
