package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/data"
)

// runJSON runs `spurious run args... --json` and decodes the report.
func runJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append(append([]string{"run"}, args...), "--json"), &out, &errOut); err != nil {
		t.Fatalf("spurious run %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	return m
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("key %q = %v (%T), want a number", key, m[key], m[key])
	}
	return v
}

var small = []string{"--d", "60", "--n", "40", "--nt", "50", "--seed", "3"}

func TestRunJSONContract(t *testing.T) {
	for _, model := range []string{"rf", "ntk", "linear", "rf-inf", "ntk-inf"} {
		args := append([]string{"--model", model, "--act", "relu", "--verify-loo", "40"}, small...)
		if model == "rf" {
			args = append(args, "--k", "800")
		}
		m := runJSON(t, args...)
		for _, key := range []string{"model", "act", "dataset", "alpha", "d", "k", "n", "nt", "seed", "ridge",
			"train_acc", "test_acc", "spurious_acc", "test_mse", "loo_mse", "feature_alignment_mean",
			"feature_alignment_std", "stability_mean", "cov_spurious", "cov_lemma", "lemma_max_rel_err",
			"auc", "tpr_at_1pct_fpr", "gamma_theory", "isa", "kc", "mc", "nc", "blocking", "seconds"} {
			if _, ok := m[key]; !ok {
				t.Errorf("%s: JSON lacks key %q", model, key)
			}
		}
		if m["model"] != model || num(t, m, "n") != 40 || num(t, m, "nt") != 50 || num(t, m, "n_heldout") != 50 {
			t.Errorf("%s: echoed model/n/nt/n_heldout wrong: %v %v %v %v", model, m["model"], m["n"], m["nt"], m["n_heldout"])
		}
		if got := num(t, m, "train_acc"); got != 1 {
			t.Errorf("%s: train_acc = %v, want 1 for an interpolator", model, got)
		}
		// Closed forms against retraining; rounding grows like cond(K)*N*eps.
		for _, key := range []string{"lemma_max_rel_err", "verify_loo_max_rel_err", "verify_lemma_max_rel_err"} {
			if e := num(t, m, key); e > 1e-9 {
				t.Errorf("%s: %s = %v, want < 1e-9", model, key, e)
			}
		}
		if a := num(t, m, "auc"); !(a >= 0 && a <= 1) {
			t.Errorf("%s: auc = %v", model, a)
		}
		if model == "rf" && num(t, m, "k") != 800 || model == "linear" && m["k"] != nil {
			t.Errorf("%s: k = %v", model, m["k"])
		}
	}
}

// TestRunMatchesTheory: rf-inf is deterministic given the data; at
// d = 300, N = 150 its mean F sits within 0.02 of gamma(psi) (paper §3.6
// (c): the deterministic equivalent matches within ~0.01, and the standard
// error over 150 samples at d = 300 is ~0.006).
func TestRunMatchesTheory(t *testing.T) {
	m := runJSON(t, "--model", "rf-inf", "--act", "phi2", "--d", "300", "--n", "150", "--nt", "0", "--seed", "5")
	f, g := num(t, m, "feature_alignment_mean"), num(t, m, "gamma_theory")
	if math.Abs(f-g) > 0.02 {
		t.Errorf("rf-inf mean F %.4f vs gamma(psi) %.4f", f, g)
	}
	if m["test_acc"] != nil || m["auc"] != nil {
		t.Errorf("nt = 0: test_acc %v and auc %v should be null", m["test_acc"], m["auc"])
	}
}

// TestRunGenericISA: the plain-Go kernels give the same model up to
// rounding (reduction order differs between ISAs).
func TestRunGenericISA(t *testing.T) {
	args := append([]string{"--model", "ntk", "--act", "phi2"}, small...)
	a := runJSON(t, args...)
	b := runJSON(t, append(args, "--isa", "generic")...)
	if b["isa"] != "generic" {
		t.Errorf("isa = %v, want generic", b["isa"])
	}
	if kc := num(t, b, "kc"); kc <= 0 || (b["blocking"] != "derived" && b["blocking"] != "tuned") {
		t.Errorf("kc = %v, blocking = %v", kc, b["blocking"])
	}
	fa, fb := num(t, a, "feature_alignment_mean"), num(t, b, "feature_alignment_mean")
	if math.Abs(fa-fb) > 1e-10 {
		t.Errorf("mean F %v (%v) vs %v (generic)", fa, a["isa"], fb)
	}
}

func TestRunThreadsIdentical(t *testing.T) {
	args := append([]string{"--model", "rf", "--act", "phi4", "--k", "3000", "--block", "700"}, small...)
	a := runJSON(t, append(args, "--threads", "1")...)
	b := runJSON(t, append(args, "--threads", "2")...)
	for _, key := range []string{"feature_alignment_mean", "feature_alignment_std", "spurious_acc", "test_mse", "cov_spurious", "auc"} {
		if a[key] != b[key] {
			t.Errorf("%s: %v with 1 thread, %v with 2", key, a[key], b[key])
		}
	}
}

func TestRunPerSampleCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "per.csv")
	m := runJSON(t, append([]string{"--model", "ntk", "--act", "phi2", "--per-sample", path}, small...)...)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "i,g,f_spurious,f_spurious_loo,feature_alignment,stability" {
		t.Fatalf("header %q", got)
	}
	if len(rows) != 41 {
		t.Fatalf("%d rows, want 1 + 40", len(rows))
	}
	var sumF, correct float64
	for _, r := range rows[1:] {
		v := make([]float64, len(r))
		for j, s := range r {
			if v[j], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatal(err)
			}
		}
		sumF += v[4]
		if v[1]*v[2] > 0 {
			correct++
		}
		// The Lemma: f(zs) - f_loo(zs) = F * S.
		if d := v[2] - v[3] - v[4]*v[5]; math.Abs(d) > 1e-9*(math.Abs(v[2])+math.Abs(v[3])+1) {
			t.Errorf("row %s: f(zs) - f_loo(zs) - F S = %v", r[0], d)
		}
	}
	if math.Abs(sumF/40-num(t, m, "feature_alignment_mean")) > 1e-12 {
		t.Errorf("CSV mean F %v, JSON %v", sumF/40, m["feature_alignment_mean"])
	}
	if correct/40 != num(t, m, "spurious_acc") {
		t.Errorf("CSV spurious accuracy %v, JSON %v", correct/40, m["spurious_acc"])
	}
}

func TestRunNPY(t *testing.T) {
	ds, err := data.Synthetic(data.SyntheticConfig{D: 30, Alpha: 0.5, N: 20, Nt: 10, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, shape []int, v []float64) {
		if err := data.WriteNPY(filepath.Join(dir, name+".npy"), shape, v); err != nil {
			t.Fatal(err)
		}
	}
	write("z", []int{20, 30}, ds.Z)
	write("zs", []int{20, 30}, ds.Zs)
	write("zt", []int{10, 30}, ds.Zt)
	write("g", []int{20}, ds.G)
	write("gt", []int{10}, ds.Gt)
	m := runJSON(t, "--model", "linear", "--act", "relu", "--dataset", "npy", "--data", dir)
	if num(t, m, "n") != 20 || num(t, m, "d") != 30 || m["auc"] != nil {
		t.Errorf("npy without zh: n %v d %v auc %v", m["n"], m["d"], m["auc"])
	}
	// Same data through the synthetic path gives the same model, up to the
	// rounding of its shared-column products (cond(K) * d * eps).
	syn := runJSON(t, "--model", "linear", "--act", "relu", "--d", "30", "--n", "20", "--nt", "10", "--seed", "4", "--heldout", "0")
	if f, g := num(t, m, "feature_alignment_mean"), num(t, syn, "feature_alignment_mean"); math.Abs(f-g) > 1e-11 || m["test_acc"] != syn["test_acc"] {
		t.Errorf("npy and synthetic differ: F %v vs %v, test acc %v vs %v", f, g, m["test_acc"], syn["test_acc"])
	}
	write("zh", []int{10, 30}, ds.Zt)
	write("gh", []int{10}, ds.Gt)
	if m := runJSON(t, "--model", "linear", "--act", "relu", "--dataset", "npy", "--data", dir); m["auc"] == nil {
		t.Error("npy with zh/gh: no auc")
	}
}

func TestRunNotPositiveDefinite(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"run", "--model", "rf", "--act", "relu", "--k", "10", "--d", "20", "--n", "30", "--nt", "5"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "singular") || !strings.Contains(err.Error(), "--ridge") || !strings.Contains(err.Error(), "--k") || strings.Contains(err.Error(), "Cholesky") {
		t.Fatalf("k < n: err = %v, want the actionable not-positive-definite error", err)
	}
	// The ridge makes the same trial solvable.
	m := runJSON(t, "--model", "rf", "--act", "relu", "--k", "10", "--d", "20", "--n", "30", "--nt", "5", "--ridge", "0.01")
	if num(t, m, "ridge") != 0.01 {
		t.Errorf("ridge echoed as %v", m["ridge"])
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--alpha", "0"}, {"--alpha", "1"}, {"--alpha", "1.5"}, {"--k", "-3"},
		{"--model", "cnn"}, {"--act", "swish"}, {"--dataset", "imagenet"}, {"--dataset", "npy"},
		{"--ridge", "-1"}, {"--ridge", "1e50"}, {"--n", "0"}, {"--nt", "-1"}, {"--precision", "f16"},
		{"--model", "ntk", "--precision", "f32"}, {"--model", "linear", "--k", "5"}, {"--model", "rf-inf", "--k", "5"},
		{"--ntk-deriv", "fake"}, {"--classes", "1"}, {"--threads", "-2"}, {"--verify-loo", "-1"},
		{"--model", "linear", "--d", "20", "--n", "30"}, {"--isa", "sse9"}, {"extra-arg"},
	} {
		base := []string{"run", "--d", "20", "--n", "10", "--nt", "5", "--k", "50"}
		if strings.Contains(strings.Join(args, " "), "linear") {
			base = base[:7] // --k does not apply to linear
		}
		var out, errOut bytes.Buffer
		err := run(context.Background(), append(base, args...), &out, &errOut)
		if err == nil {
			t.Errorf("run %v: no error", args)
			continue
		}
		t.Logf("%v: %v", args, err)
	}
}

func TestRunTable(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"run", "--model", "ntk", "--act", "phi4"}, small...), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"spurious accuracy", "feature alignment F", "memorization AUC", "Lemma max rel err"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunDuplicateRows: a training row repeated with the opposite label
// makes every model's Gram singular; the error names the two samples and
// the labels, suggests --ridge, and --k only to models that have a k.
func TestRunDuplicateRows(t *testing.T) {
	ds, err := data.Synthetic(data.SyntheticConfig{D: 30, Alpha: 0.5, N: 20, Nt: 10, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	copy(ds.Z[9*30:10*30], ds.Z[4*30:5*30])
	ds.G[9] = -ds.G[4]
	dir := t.TempDir()
	for _, a := range []struct {
		name  string
		shape []int
		v     []float64
	}{{"z", []int{20, 30}, ds.Z}, {"zs", []int{20, 30}, ds.Zs}, {"zt", []int{10, 30}, ds.Zt}, {"g", []int{20}, ds.G}, {"gt", []int{10}, ds.Gt}} {
		if err := data.WriteNPY(filepath.Join(dir, a.name+".npy"), a.shape, a.v); err != nil {
			t.Fatal(err)
		}
	}
	for _, model := range []string{"rf", "ntk", "linear", "rf-inf", "ntk-inf"} {
		args := []string{"run", "--model", model, "--act", "relu", "--dataset", "npy", "--data", dir}
		if model == "rf" || model == "ntk" {
			args = append(args, "--k", "500")
		}
		err := run(context.Background(), args, new(bytes.Buffer), new(bytes.Buffer))
		msg := fmt.Sprint(err)
		hasK := model == "rf" || model == "ntk"
		if !strings.Contains(msg, "samples 4 and 9 (opposite labels)") || !strings.Contains(msg, "--ridge") ||
			strings.Contains(msg, "--k") != hasK || strings.Contains(msg, "Cholesky") || strings.Contains(msg, "pivot") {
			t.Errorf("%s: err = %v", model, err)
		}
	}
}

// TestRunRoundingWarning: near-duplicate rows with opposite labels leave
// the trial dominated by rounding; the JSON says so.
func TestRunRoundingWarning(t *testing.T) {
	ds, err := data.Synthetic(data.SyntheticConfig{D: 30, Alpha: 0.5, N: 20, Nt: 10, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	for j := range 30 {
		ds.Z[9*30+j] = ds.Z[4*30+j] * (1 + 3e-7*float64(j%3))
	}
	ds.G[9] = -ds.G[4]
	dir := t.TempDir()
	for _, a := range []struct {
		name  string
		shape []int
		v     []float64
	}{{"z", []int{20, 30}, ds.Z}, {"zs", []int{20, 30}, ds.Zs}, {"zt", []int{10, 30}, ds.Zt}, {"g", []int{20}, ds.G}, {"gt", []int{10}, ds.Gt}} {
		if err := data.WriteNPY(filepath.Join(dir, a.name+".npy"), a.shape, a.v); err != nil {
			t.Fatal(err)
		}
	}
	m := runJSON(t, "--model", "linear", "--dataset", "npy", "--data", dir)
	w, _ := m["warnings"].([]any)
	if num(t, m, "gram_condition") < 1e13 || len(w) != 1 || !strings.Contains(fmt.Sprint(w[0]), "samples 4 and 9 (opposite labels)") {
		t.Errorf("gram_condition %v, warnings %v", m["gram_condition"], m["warnings"])
	}
	clean := runJSON(t, "--model", "linear", "--dataset", "npy", "--data", dir, "--ridge", "1e-6")
	if clean["warnings"] != nil {
		t.Errorf("with a ridge: warnings %v", clean["warnings"])
	}
}

// TestMemoryCheck: sizes that cannot fit (or overflow int arithmetic) are
// refused up front with what to reduce, and in a sweep such a trial fails
// alone while the others are written.
func TestMemoryCheck(t *testing.T) {
	for _, args := range [][]string{
		{"--n", "100000000", "--d", "100", "--k", "500"},
		{"--d", "1000000000"},
		{"--nt", "1000000000"},
		{"--n", "9223372036854775807"},
		{"--model", "ntk", "--n", "9223372036854775807", "--nt", "9223372036854775807", "--d", "9223372036854775807"},
		{"--model", "linear", "--n", "3000000", "--d", "10", "--nt", "0", "--ridge", "1"},
	} {
		err := run(context.Background(), append([]string{"run"}, args...), new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "of memory") || !strings.Contains(err.Error(), "reduce --") {
			t.Errorf("%v: err = %v, want the memory estimate refused", args, err)
		}
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	err := run(context.Background(), []string{"sweep", "--model", "linear", "--d", "40", "--nt", "5", "--n", "10,9223372036854775807,20",
		"--out", out, "--progress", "none"}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "1 trials failed") || !strings.Contains(err.Error(), "of memory") {
		t.Errorf("sweep: err = %v, want one trial failed on memory", err)
	}
	b, _ := os.ReadFile(out)
	if n := strings.Count(string(b), "\n"); n != 2 {
		t.Errorf("sweep wrote %d records, want the 2 trials that fit", n)
	}
}

// TestBadEnvISA runs this test binary with an unusable SPURIOUS_ISA: help
// still works, a trial without --isa fails naming the variable, and --isa
// overrides it.
func TestBadEnvISA(t *testing.T) {
	if os.Getenv("SPURIOUS_ENV_CHILD") == "1" {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"--help"}, &out, &errOut); err != nil || !strings.Contains(out.String(), "usage") {
			t.Fatalf("--help: %v\n%s", err, out.String())
		}
		args := []string{"run", "--model", "linear", "--d", "20", "--n", "10", "--nt", "5", "--json"}
		err := run(context.Background(), args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "--isa") || !strings.Contains(err.Error(), "SPURIOUS_ISA=sse9") {
			t.Fatalf("run without --isa: err = %v, want one naming --isa and SPURIOUS_ISA=sse9", err)
		}
		out.Reset()
		if err := run(context.Background(), append(args, "--isa", "generic"), &out, &errOut); err != nil || !strings.Contains(out.String(), `"isa": "generic"`) {
			t.Fatalf("run --isa generic: %v\n%s", err, out.String())
		}
		if err := run(context.Background(), []string{"cpu"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "SPURIOUS_ISA=sse9") {
			t.Fatalf("cpu without --isa: err = %v, want one naming SPURIOUS_ISA=sse9", err)
		}
		if err := run(context.Background(), []string{"cpu", "--isa", "generic"}, &out, &errOut); err != nil {
			t.Fatalf("cpu --isa generic: %v", err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBadEnvISA$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SPURIOUS_ENV_CHILD=1", "SPURIOUS_ISA=sse9")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child with SPURIOUS_ISA=sse9: %v\n%s", err, out)
	}
}
