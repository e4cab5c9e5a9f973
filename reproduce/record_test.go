package reproduce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/report"
	"github.com/spurious-ml/spurious/sweep"
)

// specPaper is the spec whose §4.6 holds the reference tables.
const specPaper = "../../shared/spec/paper.md"

// TestReferenceMatchesSpec parses the reference tables of spec §4.6 and
// checks the Go table row for row, so that the two cannot drift.
func TestReferenceMatchesSpec(t *testing.T) {
	b, err := os.ReadFile(specPaper)
	if err != nil {
		t.Skipf("spec absent (%v); it lives at ../shared/spec/paper.md from the repository root", err)
	}
	text := string(b)
	start, end := strings.Index(text, "### 4.6 Results"), strings.Index(text, "Observations from these re-runs")
	if start < 0 || end < start {
		t.Fatal("spec §4.6 reference tables not found")
	}
	acts := map[string]string{"φ₂": "phi2", "φ₄": "phi4", "ReLU": "relu"}
	alphas := map[string]float64{"1/2": 0.5, "1/4": 0.25}
	row := regexp.MustCompile(`^\| (φ₂|φ₄|ReLU) \| (1/2|1/4) \| (\d+) \|(.*)\|$`)
	cell := regexp.MustCompile(`^\s*(-?[0-9.]+) ± ([0-9.]+)\s*$`)
	var want []refRow
	model := ""
	for _, line := range strings.Split(text[start:end], "\n") {
		switch {
		case strings.HasPrefix(line, "**RF, d = 1000"):
			model = "rf"
		case strings.HasPrefix(line, "**NTK, d = 1000"):
			model = "ntk"
		}
		m := row.FindStringSubmatch(line)
		if m == nil || model == "" {
			continue
		}
		n, _ := strconv.Atoi(m[3])
		r := refRow{Model: model, Act: acts[m[1]], Alpha: alphas[m[2]], N: n}
		cells := strings.Split(m[4], "|")
		if len(cells) != len(r.Vals) {
			t.Fatalf("spec row %q: %d cells, want %d", line, len(cells), len(r.Vals))
		}
		for i, c := range cells {
			v := cell.FindStringSubmatch(c)
			if v == nil {
				t.Fatalf("spec row %q: cell %q is not mean ± std", line, c)
			}
			r.Vals[i].Mean, _ = strconv.ParseFloat(v[1], 64)
			r.Vals[i].Std, _ = strconv.ParseFloat(v[2], 64)
		}
		want = append(want, r)
	}
	if len(want) != len(reference) {
		t.Fatalf("spec has %d reference rows, the Go table %d", len(want), len(reference))
	}
	for i := range want {
		if want[i] != reference[i] {
			t.Errorf("reference row %d: Go %+v, spec %+v", i, reference[i], want[i])
		}
	}
	// The RF table says 3 repetitions, the NTK table 10.
	for model, re := range map[string]string{"rf": `\*\*RF, d = 1000[^\n]*\((\d+) repetitions`, "ntk": `\*\*NTK, d = 1000[^\n]*\((\d+) repetitions`} {
		m := regexp.MustCompile(re).FindStringSubmatch(text[start:end])
		if m == nil || m[1] != strconv.Itoa(refReps[model]) {
			t.Errorf("%s: spec repetitions %v, Go %d", model, m, refReps[model])
		}
	}
}

// TestZScore: the combined standard error and its floors.
func TestZScore(t *testing.T) {
	const tol = 1e-12
	// Plain case: se² = 0.02²/4 + 0.03²/9 + rounding²/3.
	ours := sweep.Summary{N: 4, Mean: 0.55, Std: 0.02}
	want := 0.05 / math.Sqrt(0.02*0.02/4+0.03*0.03/9+refRounding*refRounding/3)
	if z := zScore(ours, refStat{0.5, 0.03}, 9, 0); math.Abs(z-want) > tol {
		t.Errorf("z = %v, want %v", z, want)
	}
	// Zero spread on both sides (spurious accuracy 1.000 ± 0.000 at N =
	// 10): the floors are the resolution 1/N, so one sample in ten missed
	// in one of 10 repetitions is far inside 3 SE.
	ours = sweep.Summary{N: 10, Mean: 0.99, Std: 0.0316}
	z := zScore(ours, refStat{1, 0}, 3, 0.1)
	want = -0.01 / math.Sqrt(0.1*0.1/10+0.1*0.1/3+refRounding*refRounding/3)
	if math.Abs(z-want) > tol {
		t.Errorf("zero-std reference: z = %v, want %v", z, want)
	}
	// A continuous quantity with zero printed std: at least the rounding.
	ours = sweep.Summary{N: 10, Mean: 0.346, Std: 0}
	want = 0.0004 / math.Sqrt(refRounding*refRounding/3+refRounding*refRounding/3)
	if z := zScore(ours, refStat{0.3456, 0}, 3, 0); math.Abs(z-want) > 1e-9 {
		t.Errorf("zero-std continuous: z = %v, want %v", z, want)
	}
	// One repetition of ours borrows the reference's std.
	ours = sweep.Summary{N: 1, Mean: 0.4, Std: math.NaN()}
	want = 0.1 / math.Sqrt(0.05*0.05+0.05*0.05/3+refRounding*refRounding/3)
	if z := zScore(ours, refStat{0.3, 0.05}, 3, 0); math.Abs(z-want) > tol {
		t.Errorf("one repetition: z = %v, want %v", z, want)
	}
	if z := zScore(sweep.Summary{}, refStat{0.3, 0.05}, 3, 0); !math.IsNaN(z) {
		t.Errorf("no measurement: z = %v, want NaN", z)
	}
}

// fakeRecord is a finished trial of params with the given result fields.
func fakeRecord(t *testing.T, p sweep.Params, fields map[string]any) sweep.Record {
	t.Helper()
	raw, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return sweep.Record{Key: p.Key(), Params: p, Result: raw}
}

// refGroups builds synthetic groups at the reference's sizes whose three
// repetitions (mean − std, mean, mean + std) have the reference's mean
// and sample std for every quantity, plus shift(row, quantity) when
// shift is not nil.
func refGroups(t *testing.T, shift func(r refRow, q int) float64) []sweep.PointGroup {
	var recs []sweep.Record
	for _, r := range reference {
		// Three values with mean m and sample std s: m − s, m, m + s.
		for rep, k := range []float64{-1, 0, 1} {
			fields := map[string]any{"gamma_theory": 0.3}
			for q, qq := range refQuantities {
				v := r.Vals[q].Mean + k*r.Vals[q].Std
				if shift != nil {
					v += shift(r, q)
				}
				fields[qq.metric] = v
			}
			p := sweep.Params{Model: r.Model, Act: r.Act, Dataset: "synthetic", Alpha: r.Alpha, D: refD, K: refK[r.Model],
				N: r.N, Nt: refNt, Rep: rep, Extra: trialExtra}
			recs = append(recs, fakeRecord(t, p, fields))
		}
	}
	return sweep.Group(recs)
}

// TestCompareReference: our numbers equal to the reference give z = 0
// everywhere; a shift of 4 combined standard errors in one cell flags
// exactly that cell; groups of other sizes are not compared.
func TestCompareReference(t *testing.T) {
	cells := compareReference(refGroups(t, nil))
	measured, within, flagged := refCounts(cells)
	if measured != len(reference)*len(refQuantities) || within != measured || len(flagged) != 0 {
		t.Fatalf("reference against itself: %d measured, %d within, %d flagged", measured, within, len(flagged))
	}
	target := reference[17]
	const q = 2 // mean F_i
	se := func(r refRow) float64 {
		s := max(r.Vals[q].Std, refRounding)
		return math.Sqrt(s*s/3 + s*s/float64(refReps[r.Model]) + refRounding*refRounding/3)
	}
	shifted := compareReference(refGroups(t, func(r refRow, qq int) float64 {
		if r == target && qq == q {
			return 4 * se(r)
		}
		return 0
	}))
	_, _, flagged = refCounts(shifted)
	if len(flagged) != 1 || flagged[0].row != target || flagged[0].q != q || math.Abs(flagged[0].z-4) > 1e-6 {
		t.Fatalf("flagged %+v, want only %+v quantity %d at z = 4", flagged, target, q)
	}
	// Another width is not the reference's experiment.
	groups := refGroups(t, nil)
	for i := range groups {
		groups[i].Params.K++
	}
	if m, _, _ := refCounts(compareReference(groups)); m != 0 {
		t.Errorf("%d cells compared at another width", m)
	}
}

// curveGroups builds groups of spurious accuracies: ys[i] at ns[i] (one
// repetition) for the synthetic model, act and alpha.
func curveGroups(t *testing.T, model, act string, alpha float64, ns []int, ys []float64) []sweep.Record {
	var recs []sweep.Record
	for i, n := range ns {
		p := sweep.Params{Model: model, Act: act, Dataset: "synthetic", Alpha: alpha, D: 50, N: n}
		recs = append(recs, fakeRecord(t, p, map[string]any{"spurious_acc": ys[i]}))
	}
	return recs
}

// TestClaims: each criterion says true, false or not run as its data
// warrants.
func TestClaims(t *testing.T) {
	ns := []int{10, 20, 50, 100, 200}
	var recs []sweep.Record
	// RF: phi2 above phi4, alpha 1/2 above 1/4, all falling.
	recs = append(recs, curveGroups(t, "rf", "phi2", 0.5, ns, []float64{1, 1, 0.95, 0.85, 0.75})...)
	recs = append(recs, curveGroups(t, "rf", "phi2", 0.25, ns, []float64{1, 0.9, 0.8, 0.7, 0.62})...)
	recs = append(recs, curveGroups(t, "rf", "phi4", 0.5, ns, []float64{1, 0.97, 0.9, 0.8, 0.7})...)
	recs = append(recs, curveGroups(t, "rf", "phi4", 0.25, ns, []float64{1, 0.85, 0.74, 0.66, 0.6})...)
	// NTK phi2 α=1/2 rises: claim 1 is false.
	recs = append(recs, curveGroups(t, "ntk", "phi2", 0.5, ns, []float64{0.6, 0.7, 0.8, 0.9, 0.95})...)
	cs := claims(sweep.Group(recs))
	want := []verdict{fails, holds, holds, notRun}
	for i, c := range cs {
		if c.verdict() != want[i] {
			t.Errorf("claim %q: %s, want %s", c.text, c.verdict(), want[i])
			for _, ch := range c.checks {
				t.Logf("  %s: %s (%s)", ch.what, ch.v, ch.detail)
			}
		}
	}
	if ch := cs[0].checks[0]; ch.what != "RF φ2 α=1/2" || ch.v != holds {
		t.Errorf("first check of claim 1: %+v", ch)
	}
	// phi4 above phi2 at every N: claim 2 is false.
	recs = append(curveGroups(t, "rf", "phi4", 0.5, ns, []float64{1, 1, 0.99, 0.9, 0.8}), recs[5:]...)
	recs = append(recs, curveGroups(t, "rf", "phi2", 0.5, ns, []float64{1, 1, 0.95, 0.85, 0.75})...)
	if v := claims(sweep.Group(recs))[1].verdict(); v != fails {
		t.Errorf("φ4 above φ2: claim 2 %s, want false", v)
	}
	if rho := spearman([]float64{1, 2, 3, 4}, []float64{1, 1, 0.5, 0.2}); math.Abs(rho-(-0.9486832980505138)) > 1e-12 {
		t.Errorf("spearman with ties = %v", rho)
	}
}

// TestReportOnly: without running a trial, the report of a partial
// results file states what is present and missing per figure, the
// environments, the cost; a complete one says complete.
func TestReportOnly(t *testing.T) {
	p := Quick
	p.Ns = []int{10, 20}
	p.Reps = 2
	dir := t.TempDir()
	spec := SweepSpec(p, 1, nil)
	trials, err := spec.Trials()
	if err != nil {
		t.Fatal(err)
	}
	fake := func(_ context.Context, tr sweep.Trial) (json.RawMessage, error) {
		if tr.Model == "ntk" {
			return nil, errors.New("planted failure")
		}
		return json.RawMessage(fmt.Sprintf(`{"spurious_acc":%g,"test_acc":0.6,"seconds":2,"chance_acc":0.5}`, 1-float64(tr.N)/100)), nil
	}
	opt := Options{Preset: p, Out: dir, Seed: 1, NoReal: true, Runner: fake, Sweep: sweep.Options{Workers: 1}}
	if _, err := Run(context.Background(), opt); err == nil {
		t.Fatal("a sweep with failed trials returned no error")
	}
	ntk := 0
	for _, tr := range trials {
		if tr.Model == "ntk" {
			ntk++
		}
	}
	opt.ReportOnly = true
	opt.Runner = func(context.Context, sweep.Trial) (json.RawMessage, error) {
		t.Fatal("report only ran a trial")
		return nil, nil
	}
	res, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sweep.Total != len(trials) || res.Sweep.Skipped != len(trials)-ntk || res.Sweep.Done != 0 {
		t.Errorf("report only: %+v, want %d trials, %d present, none run", res.Sweep, len(trials), len(trials)-ntk)
	}
	md, err := os.ReadFile(res.Report)
	if err != nil {
		t.Fatal(err)
	}
	env := sweep.CurrentEnvironment()
	for _, want := range []string{
		"The record is **partial**",
		fmt.Sprintf("%d of the %d trials", len(trials)-ntk, len(trials)),
		fmt.Sprintf("ntk.svg: 0 of %d trials; missing: ntk synthetic φ2 α=1/2 N=10 (2 of 2 repetitions)", ntk),
		"rf.svg: 16 of 16 trials",
		"(report only)",
		"| rf.svg | 16 | 32.0 s | 0.5 |",
		"This invocation ran no trials",
		"| " + envLabel(&env) + " | rf.svg | rf | synthetic | 16 |",
		"spurious reproduce --quick --out " + dir,
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Completing the record flips the status.
	opt.ReportOnly, opt.Runner = false, func(_ context.Context, tr sweep.Trial) (json.RawMessage, error) {
		return json.RawMessage(`{"spurious_acc":0.9,"seconds":1}`), nil
	}
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "The record is **complete**") || !bytes.Contains(md, []byte(fmt.Sprintf("ran %d of %d trials", ntk, len(trials)))) {
		t.Errorf("completed record's report:\n%s", md)
	}
	// No results file: nothing to report.
	opt.Out = t.TempDir()
	opt.ReportOnly = true
	if _, err := Run(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "nothing to report") {
		t.Errorf("report only without results: %v", err)
	}
}

// TestEnvSection: one row per environment and (model, data set), records
// without an environment counted apart.
func TestEnvSection(t *testing.T) {
	a := &sweep.Environment{CPU: "CPU A", Platform: "linux/amd64", GoVersion: "go1.26", Revision: "abc"}
	b := &sweep.Environment{CPU: "CPU B", Platform: "linux/arm64", GoVersion: "go1.26"}
	var recs []sweep.Record
	for i, e := range []*sweep.Environment{a, a, b, nil} {
		r := fakeRecord(t, sweep.Params{Model: "rf", Dataset: "synthetic", N: 10, Rep: i}, map[string]any{"seconds": 1})
		r.Env = e
		recs = append(recs, r)
	}
	recs = append(recs, fakeRecord(t, sweep.Params{Model: "nn-cnn", Dataset: "mnist", N: 10}, map[string]any{"seconds": 1}))
	recs[4].Env = b
	var d report.Doc
	envSection(&d, sweep.Group(recs))
	md := d.String()
	for _, want := range []string{
		"3 distinct environment(s)",
		"| CPU A; linux/amd64; go1.26; revision abc | rf.svg | rf | synthetic | 2 |",
		"| CPU B; linux/arm64; go1.26; revision unknown (built without VCS information) | nn.svg | nn-cnn | mnist | 1 |",
		"| CPU B; linux/arm64; go1.26; revision unknown (built without VCS information) | rf.svg | rf | synthetic | 1 |",
		"| not recorded (written before results lines carried their environment) | rf.svg | rf | synthetic | 1 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("environment section lacks %q:\n%s", want, md)
		}
	}
}

// TestFullSpecGrids: Full has the NTK ReLU synthetic grid (10 repetitions)
// and the CNN panels on MNIST and CIFAR-10 (3 repetitions); Quick has the
// former but no CNN; the NN figure gets the paper's four panels.
func TestFullSpecGrids(t *testing.T) {
	count := func(p Preset) map[string]int {
		ts, err := SweepSpec(p, 1, Datasets).Trials()
		if err != nil {
			t.Fatal(err)
		}
		c := map[string]int{}
		for _, tr := range ts {
			c[tr.Model+"/"+tr.Act+"/"+tr.Dataset]++
			c["all"]++
		}
		return c
	}
	full, quick := count(Full), count(Quick)
	nf, nq := len(Full.Ns), len(Quick.Ns)
	for name, want := range map[string]int{
		"ntk/relu/synthetic": 2 * nf * Full.Reps, "nn-cnn//mnist": nf * 3, "nn-cnn//cifar10": nf * 3,
		"rf/phi2/synthetic": 2 * nf * Full.Reps, "all": 1162,
	} {
		if full[name] != want {
			t.Errorf("full: %d %s trials, want %d", full[name], name, want)
		}
	}
	if quick["ntk/relu/synthetic"] != 2*nq*Quick.Reps || quick["nn-cnn//mnist"] != 0 {
		t.Errorf("quick: %d NTK ReLU synthetic and %d CNN trials", quick["ntk/relu/synthetic"], quick["nn-cnn//mnist"])
	}
	var titles []string
	for _, p := range nnFigure(nil, nnDatasets(Full, Datasets)).Panels {
		titles = append(titles, p.Title)
	}
	if got := strings.Join(titles, ", "); got != "Synthetic - FC, MNIST - FC, MNIST - CNN, CIFAR-10 - CNN" {
		t.Errorf("full NN panels: %s", got)
	}
}

// TestCIFARDeviation: CIFAR-10 network trials that saw fewer than 10
// classes get the JPEG-copy note; 10 classes or kernel trials do not.
func TestCIFARDeviation(t *testing.T) {
	rec := func(model string, classes int) sweep.Record {
		return fakeRecord(t, sweep.Params{Model: model, Dataset: "cifar10", N: 10}, map[string]any{"classes_present": classes})
	}
	if note := cifarDeviation(sweep.Group([]sweep.Record{rec("nn-cnn", 2)})); !strings.Contains(note, "CIFAR-10 (JPEG copy)") ||
		!strings.Contains(note, "2-class task with chance 0.50") {
		t.Errorf("2 classes: note %q", note)
	}
	jpeg := fakeRecord(t, sweep.Params{Model: "nn-cnn", Dataset: "cifar10", N: 20}, map[string]any{"classes_present": 10, "dataset": "cifar10 (JPEG copy)"})
	if note := cifarDeviation(sweep.Group([]sweep.Record{jpeg})); !strings.Contains(note, "lossy JPEG images") || strings.Contains(note, "class task") {
		t.Errorf("JPEG copy with 10 classes: note %q", note)
	}
	fig := nnFigure(sweep.Group([]sweep.Record{rec("nn-cnn", 2)}), nnDatasets(Full, Datasets))
	if got := fig.Panels[3].Title; got != "CIFAR-10 (JPEG copy) - CNN" {
		t.Errorf("CIFAR-10 CNN panel of the JPEG copy titled %q", got)
	}
	for _, r := range []sweep.Record{rec("nn-cnn", 10), rec("rf", 2)} {
		if note := cifarDeviation(sweep.Group([]sweep.Record{r})); note != "" {
			t.Errorf("%s: note %q", r.Params, note)
		}
	}
}

func TestChanceFlags(t *testing.T) {
	// Two NTK cells (10 reference repetitions) with ours from 10
	// repetitions and equal standard deviations: Welch df = 18 each.
	row := refRow{Model: "ntk", Act: "phi2", Alpha: 0.5, N: 100}
	row.Vals[2] = refStat{0.3, 0.02}
	ours := sweep.Summary{N: 10, Mean: 0.31, Std: 0.02}
	_, df := zAndDF(ours, row.Vals[2], 10, 0)
	if math.Abs(df-18) > 1e-9 {
		t.Fatalf("Welch df = %v, want 18", df)
	}
	p := sweep.TTail(zFlag, 18)
	cell := refCell{row: row, q: 2, ours: ours, z: 1}
	unmeasured := refCell{row: row, q: 2, z: math.NaN()}
	cells := []refCell{cell, unmeasured, cell}
	exp, pAny := chanceFlags(cells, 1)
	if math.Abs(exp-2*p) > 1e-12 || math.Abs(pAny-(1-(1-p)*(1-p))) > 1e-12 {
		t.Errorf("chanceFlags = %v, %v; want %v, %v", exp, pAny, 2*p, 1-(1-p)*(1-p))
	}
	if _, pBoth := chanceFlags(cells, 2); math.Abs(pBoth-p*p) > 1e-15 {
		t.Errorf("P(2 flags) = %v, want %v", pBoth, p*p)
	}
	if _, p0 := chanceFlags(cells, 0); p0 != 1 {
		t.Errorf("P(>= 0 flags) = %v, want 1", p0)
	}
}
