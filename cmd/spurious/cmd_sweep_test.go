package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spurious-ml/spurious/reproduce"
	"github.com/spurious-ml/spurious/sweep"
)

// sweepFakeTrial is a cheap deterministic stand-in for `spurious run`: its
// numbers depend only on the trial's seed and parameters. delay makes trials
// slow enough to kill a sweep in the middle.
func sweepFakeTrial(delay time.Duration) sweep.Runner {
	return func(ctx context.Context, t sweep.Trial) (json.RawMessage, error) {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		r := rand.New(rand.NewPCG(t.Seed, uint64(t.N)))
		out := map[string]any{
			"model": t.Model, "n": t.N, "seed": t.Seed,
			"test_acc": 0.5 + 0.3*r.Float64(), "spurious_acc": 0.5 + 0.5*r.Float64(),
			"feature_alignment_mean": r.Float64(),
		}
		if _, isNN := sweep.NetworkModels[t.Model]; isNN {
			// What `spurious nn --json` adds: chance level and timings.
			out["chance_acc"], out["train_acc"] = 0.5, 1.0
			if t.Dataset == "mnist" {
				out["chance_acc"] = 0.1
			}
			out["train_seconds"], out["seconds"] = 0.01*float64(t.N*t.Epochs)/1000, 0.2+0.01*float64(t.N*t.Epochs)/1000
		}
		return json.Marshal(out)
	}
}

// withFakeTrials swaps the trial runner for the duration of a test, and
// makes reproduce see every real dataset.
func withFakeTrials(t *testing.T, delay time.Duration) {
	old, oldProbe := sweepTrialRunner, reproduceProbe
	sweepTrialRunner = sweepFakeTrial(delay)
	reproduceProbe = func(context.Context, reproduce.Dataset) error { return nil }
	t.Cleanup(func() { sweepTrialRunner, reproduceProbe = old, oldProbe })
}

const sweepTestSpec = `{
  "seed": 11, "repetitions": 3,
  "model": ["rf", "ntk"], "act": ["phi2"], "dataset": ["synthetic"],
  "alpha": [0.5, 0.25], "d": [50], "k": [80], "n": [5, 10, 20, 40], "nt": [30]
}`

// 2 models x 2 alphas x 4 N x 3 repetitions.
const sweepTestTrials = 48

func writeSpec(t *testing.T, dir string) string {
	p := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(p, []byte(sweepTestSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSweepHelperProcess is not a test: the kill tests run the test binary
// again with SPURIOUS_SWEEP_HELPER_ARGS set, and this function then acts as
// the spurious command with slow fake trials, including main's signal
// handling. Normal test runs skip it.
func TestSweepHelperProcess(t *testing.T) {
	raw := os.Getenv("SPURIOUS_SWEEP_HELPER_ARGS")
	if raw == "" {
		t.Skip("helper process for the kill tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sweepTrialRunner = sweepFakeTrial(40 * time.Millisecond)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "spurious:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// startSweepChild runs `spurious <args>` in a child process.
func startSweepChild(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepHelperProcess$")
	cmd.Env = append(os.Environ(), "SPURIOUS_SWEEP_HELPER_ARGS="+string(b))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// waitForLines polls path until it holds at least n complete lines.
func waitForLines(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		if bytes.Count(b, []byte("\n")) >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %d lines", path, n)
}

// recordsByKey reads a results file, failing on duplicate trials.
func recordsByKey(t *testing.T, path string) map[string]sweep.Record {
	t.Helper()
	recs, err := sweep.ReadRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]sweep.Record{}
	for _, r := range recs {
		if _, dup := m[r.Key]; dup {
			t.Errorf("%s: trial %s appears twice", path, r.Key)
		}
		m[r.Key] = r
	}
	return m
}

func TestSweepSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	spec := writeSpec(t, dir)

	// Reference: one uninterrupted run, in process.
	withFakeTrials(t, 0)
	ref := filepath.Join(dir, "ref.jsonl")
	if err := run(context.Background(), []string{"sweep", spec, "--out", ref, "--progress", "none"}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	want := recordsByKey(t, ref)
	if len(want) != sweepTestTrials {
		t.Fatalf("reference has %d trials, want %d", len(want), sweepTestTrials)
	}

	out := filepath.Join(dir, "out.jsonl")
	for kill := range 2 {
		cmd, _ := startSweepChild(t, "sweep", spec, "--out", out, "--workers", "2")
		waitForLines(t, out, 5+10*kill)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		// A kill can cut a line in the middle; simulate the worst case.
		f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"key":"deadbeefdeadbeef","seed":12,"params":{"model":"rf","n":`)
		f.Close()
	}
	if got := recordsByKey(t, out); len(got) >= sweepTestTrials {
		t.Fatalf("the sweep finished (%d trials) before it was killed; the test proves nothing", len(got))
	}
	cmd, stderr := startSweepChild(t, "sweep", spec, "--out", out, "--workers", "2", "--progress", "lines")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("resumed sweep: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "already done") || !strings.Contains(stderr.String(), "truncated last line") {
		t.Errorf("resumed sweep log does not report the resume and the repair:\n%s", stderr)
	}
	got := recordsByKey(t, out)
	if len(got) != len(want) {
		t.Fatalf("after kills and resume: %d trials, want %d", len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("trial %s missing", k)
			continue
		}
		if string(g.Result) != string(w.Result) || g.Seed != w.Seed {
			t.Errorf("trial %s: %s after kills, %s uninterrupted", k, g.Result, w.Result)
		}
	}
}

func TestSweepStopsCleanlyOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	spec := writeSpec(t, dir)
	out := filepath.Join(dir, "out.jsonl")
	cmd, stderr := startSweepChild(t, "sweep", spec, "--out", out)
	waitForLines(t, out, 3)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err == nil || !strings.Contains(stderr.String(), "rerun the same command to resume") {
		t.Errorf("SIGTERM: exit %v, stderr:\n%s\nwant a failed exit that says how to resume", err, stderr)
	}
	b, _ := os.ReadFile(out)
	if len(b) == 0 || b[len(b)-1] != '\n' {
		t.Fatalf("file does not end with a complete line after SIGTERM: %q", b[max(0, len(b)-40):])
	}
	if n := len(recordsByKey(t, out)); n >= sweepTestTrials || n < 3 {
		t.Errorf("%d trials after SIGTERM, want between 3 and %d", n, sweepTestTrials-1)
	}
}

func TestSweepShardsAndMerge(t *testing.T) {
	withFakeTrials(t, 0)
	dir := t.TempDir()
	spec := writeSpec(t, dir)
	pattern := filepath.Join(dir, "r.{shard}.jsonl")
	var files []string
	total := 0
	seen := map[string]bool{}
	for i := range 3 {
		var so bytes.Buffer
		if err := run(context.Background(), []string{"sweep", "--out", pattern, spec, "--shard", fmt.Sprintf("%d/3", i), "--progress", "none"}, &so, new(bytes.Buffer)); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("r.%d.jsonl", i))
		files = append(files, f)
		for k := range recordsByKey(t, f) {
			if seen[k] {
				t.Errorf("trial %s in two shards", k)
			}
			seen[k] = true
			total++
		}
	}
	if total != sweepTestTrials {
		t.Errorf("shards hold %d trials, want %d", total, sweepTestTrials)
	}
	merged := filepath.Join(dir, "all.jsonl")
	var so bytes.Buffer
	if err := run(context.Background(), append([]string{"merge", merged, "--spec", spec}, files...), &so, new(bytes.Buffer)); err != nil {
		t.Fatalf("merge of all shards: %v\n%s", err, so.String())
	}
	if !strings.Contains(so.String(), "all trials") {
		t.Errorf("merge output: %s", so.String())
	}
	// Drop one line from shard 2: merge must name that trial.
	b, _ := os.ReadFile(files[2])
	lines := strings.SplitAfter(string(b), "\n")
	var dropped sweep.Record
	json.Unmarshal([]byte(lines[0]), &dropped)
	os.WriteFile(files[2], []byte(strings.Join(lines[1:], "")), 0o644)
	so.Reset()
	err := run(context.Background(), append([]string{"merge", merged, "--spec", spec}, files...), &so, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "1 trials missing") || !strings.Contains(so.String(), dropped.Key) {
		t.Errorf("merge with a missing trial: err %v, output:\n%s\nwant trial %s reported", err, so.String(), dropped.Key)
	}
}

func TestSweepGridFlagsAndDryRun(t *testing.T) {
	var so bytes.Buffer
	args := []string{"sweep", "--model", "rf", "--act", "phi2,phi4", "--alpha", "1/2,1/4", "--n", "10,20", "--k", "2000",
		"--reps", "2", "--seed", "5", "--extra", "isa=generic", "--dry-run"}
	if err := run(context.Background(), args, &so, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(so.String()), "\n")
	if len(lines) != 16 {
		t.Fatalf("dry run listed %d trials, want 16:\n%s", len(lines), so.String())
	}
	for _, want := range []string{"spurious run --json --model rf --act phi2 --alpha 0.5 --k 2000 --n 10 --seed ", "--isa=generic"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("first trial %q lacks %q", lines[0], want)
		}
	}
	if err := run(context.Background(), []string{"sweep", "spec.json", "--n", "10", "--out", "x"}, &so, new(bytes.Buffer)); err == nil {
		t.Error("spec file and grid flags together accepted")
	}
	if err := run(context.Background(), []string{"sweep", "--n", "10"}, &so, new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("missing --out: %v", err)
	}
}

// TestSweepNNTrials runs a small grid of FC-network trials through
// `spurious nn` in this process: the epochs axis reaches the command, the
// records carry its accuracies, and a rerun reproduces them.
func TestSweepNNTrials(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sweep", "--model", "nn-fc", "--dataset", "synthetic", "--d", "20", "--alpha", "1/2", "--n", "8,16",
		"--nt", "50", "--epochs", "5,30", "--seed", "2", "--progress", "none"}
	var so bytes.Buffer
	if err := run(context.Background(), append(args, "--dry-run"), &so, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(so.String(), "\n", 2)[0]
	if want := "spurious nn --json --progress-every 0 --arch fc --dataset synthetic --alpha 0.5 --d 20 --n 8 --nt 50 --epochs 5 --seed "; !strings.Contains(first, want) {
		t.Errorf("dry run %q lacks %q", first, want)
	}
	out := filepath.Join(dir, "a.jsonl")
	if err := run(context.Background(), append(args, "--out", out), &so, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	recs := recordsByKey(t, out)
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	for _, r := range recs {
		var m map[string]any
		if err := json.Unmarshal(r.Result, &m); err != nil {
			t.Fatal(err)
		}
		if m["epochs"] != float64(r.Params.Epochs) || m["chance_acc"] != 0.5 || m["arch"] != "fc" {
			t.Errorf("trial %s: result %v, want %d epochs of arch fc with chance 0.5", r.Params, m, r.Params.Epochs)
		}
	}
	again := filepath.Join(dir, "b.jsonl")
	if err := run(context.Background(), append(args, "--out", again), &so, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	for key, r := range recordsByKey(t, again) {
		if sweepStripTiming(t, r.Result) != sweepStripTiming(t, recs[key].Result) {
			t.Errorf("trial %s differs between two runs", r.Params)
		}
	}
	for _, bad := range [][]string{
		{"--model", "nn-fc", "--act", "relu", "--n", "8"},
		{"--model", "rf", "--epochs", "5", "--n", "8"},
	} {
		err := run(context.Background(), append([]string{"sweep", "--dry-run"}, bad...), &so, new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "do not apply") && !strings.Contains(err.Error(), "trained networks") {
			t.Errorf("sweep %q: got %v, want an error about the axis", bad, err)
		}
	}
}

// sweepStripTiming drops wall-clock fields, the only part of a trial's
// result that is not a function of its parameters and seed.
func sweepStripTiming(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		if strings.HasSuffix(k, "seconds") || strings.HasSuffix(k, "_per_second") {
			delete(m, k)
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestSweepBinaryKillResumeRealTrials builds the spurious binary, runs a
// sweep of small real `spurious run` trials, SIGKILLs it mid-run, resumes,
// and compares with an uninterrupted run of the same binary.
func TestSweepBinaryKillResumeRealTrials(t *testing.T) {
	if _, ok := commands["run"]; !ok {
		t.Skip("spurious run is not in this build")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "spurious")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	spec := filepath.Join(dir, "spec.json")
	os.WriteFile(spec, []byte(`{"seed": 3, "repetitions": 5, "model": ["rf", "ntk"], "act": ["phi2"], "dataset": ["synthetic"],
		"alpha": [0.5], "d": [60], "k": [120], "n": [8, 16, 32, 64], "nt": [50]}`), 0o644)
	const total = 40
	ref := filepath.Join(dir, "ref.jsonl")
	if out, err := exec.Command(bin, "sweep", spec, "--out", ref).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted sweep: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out.jsonl")
	cmd := exec.Command(bin, "sweep", spec, "--out", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForLines(t, out, 2)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	killedAt := len(recordsByKey(t, out))
	if o, err := exec.Command(bin, "sweep", spec, "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("resumed sweep: %v\n%s", err, o)
	}
	want, got := recordsByKey(t, ref), recordsByKey(t, out)
	if len(want) != total || len(got) != total {
		t.Fatalf("%d trials uninterrupted, %d after kill (at %d) and resume; want %d", len(want), len(got), killedAt, total)
	}
	for k, w := range want {
		if a, b := sweepStripTiming(t, got[k].Result), sweepStripTiming(t, w.Result); a != b {
			t.Errorf("trial %s differs after kill/resume:\n%s\n%s", k, a, b)
		}
	}
	t.Logf("killed after %d of %d trials", killedAt, total)
}
