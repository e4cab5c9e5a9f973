package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var shardTrial = []string{"--model", "rf", "--act", "relu", "--d", "40", "--n", "30", "--nt", "12", "--k", "300", "--block", "32", "--seed", "3", "--threads", "2"}

// cmdOut runs spurious args and returns stdout, stderr and the error.
func cmdOut(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// untimed decodes a JSON record and drops its timings.
func untimed(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad JSON %v: %s", err, s)
	}
	for _, k := range []string{"seconds", "gram_seconds", "solve_seconds"} {
		delete(m, k)
	}
	return m
}

// TestFeatureShardsReduce: one shard reduces to `run`'s record and
// per-sample CSV exactly; three shards (one by --feature-shard I/S, two
// by the Slurm and Kubernetes variables) reduce to the same numbers up to
// rounding, and run prints the array and reduce commands.
func TestFeatureShardsReduce(t *testing.T) {
	root := t.TempDir()
	want, _, err := cmdOut(append([]string{"run", "--json"}, shardTrial...)...)
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := filepath.Join(root, "want.csv")
	if _, _, err := cmdOut(append([]string{"run", "--per-sample", wantCSV}, shardTrial...)...); err != nil {
		t.Fatal(err)
	}

	one := filepath.Join(root, "one")
	if _, _, err := cmdOut(append([]string{"run", "--feature-shard", "0/1", "--partial-out", one}, shardTrial...)...); err != nil {
		t.Fatal(err)
	}
	gotCSV := filepath.Join(root, "got.csv")
	got, _, err := cmdOut("reduce", one, "--json", "--per-sample", gotCSV, "--threads", "2")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := untimed(t, got), untimed(t, want); !reflect.DeepEqual(g, w) {
		t.Fatalf("reduce of one shard:\n%v\nwant run's\n%v", g, w)
	}
	a, _ := os.ReadFile(gotCSV)
	b, _ := os.ReadFile(wantCSV)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("per-sample CSV of the reduce differs from run's")
	}

	pattern := filepath.Join(root, "part{shard}")
	out, _, err := cmdOut(append([]string{"run", "--feature-shard", "1/3", "--partial-out", pattern}, shardTrial...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"feature rows [100, 200)", "sbatch --array=0-2 --wrap", "--feature-shards 3 --partial-out " + pattern,
		"spurious reduce " + filepath.Join(root, "part0") + " " + filepath.Join(root, "part1")} {
		if !strings.Contains(out, w) {
			t.Errorf("run's report lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "--feature-shard 1/3") {
		t.Errorf("the array command keeps the explicit shard:\n%s", out)
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "0")
	t.Setenv("SLURM_ARRAY_TASK_COUNT", "3")
	if _, _, err := cmdOut(append([]string{"run", "--feature-shards", "3", "--partial-out", pattern}, shardTrial...)...); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLURM_ARRAY_TASK_COUNT", "4")
	if _, _, err := cmdOut(append([]string{"run", "--feature-shards", "3", "--partial-out", pattern}, shardTrial...)...); err == nil || !strings.Contains(err.Error(), "array has 4 tasks") {
		t.Fatalf("--feature-shards 3 in an array of 4: %v", err)
	}
	os.Unsetenv("SLURM_ARRAY_TASK_ID")
	os.Unsetenv("SLURM_ARRAY_TASK_COUNT")
	t.Setenv("JOB_COMPLETION_INDEX", "2")
	js, _, err := cmdOut(append([]string{"run", "--feature-shard", "/3", "--partial-out", pattern, "--json"}, shardTrial...)...)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Shard, Shards, Lo, Hi int }
	if err := json.Unmarshal([]byte(js), &m); err != nil || m.Shard != 2 || m.Shards != 3 || m.Lo != 200 || m.Hi != 300 {
		t.Fatalf("run --json of shard /3 with JOB_COMPLETION_INDEX=2: %+v %v\n%s", m, err, js)
	}
	got, _, err = cmdOut("reduce", "--json", filepath.Join(root, "part2"), filepath.Join(root, "part0"), filepath.Join(root, "part1"))
	if err != nil {
		t.Fatal(err)
	}
	g, w := untimed(t, got), untimed(t, want)
	for _, k := range []string{"train_acc", "n", "k", "seed", "isa", "kc", "n_heldout"} {
		if !reflect.DeepEqual(g[k], w[k]) {
			t.Errorf("3 shards: %s = %v, want %v", k, g[k], w[k])
		}
	}
	for _, k := range []string{"loo_mse", "feature_alignment_mean", "stability_mean", "gram_condition"} {
		if d := g[k].(float64) - w[k].(float64); d > 1e-9 || d < -1e-9 {
			t.Errorf("3 shards: %s = %v, want %v", k, g[k], w[k])
		}
	}
}

func TestFeatureShardErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append([]string{"run", "--feature-shard", "0/2"}, shardTrial...), "needs --partial-out"},
		{append([]string{"run", "--feature-shards", "2", "--partial-out", dir}, shardTrial...), "pass --feature-shard I/2"},
		{append([]string{"run", "--feature-shard", "2/2", "--partial-out", dir}, shardTrial...), "0 <= i < n"},
		{append([]string{"run", "--feature-shard", "1/2", "--feature-shards", "3", "--partial-out", dir}, shardTrial...), "disagree"},
		{append([]string{"run", "--feature-shard", "/x", "--partial-out", dir}, shardTrial...), "want I/S or /S"},
		{append([]string{"run", "--feature-shard", "0/2", "--partial-out", dir, "--per-sample", "x.csv"}, shardTrial...), "--per-sample does not apply"},
		{[]string{"run", "--model", "linear", "--feature-shard", "0/2", "--partial-out", dir}, "rf or ntk"},
		{[]string{"run", "--model", "rf", "--k", "3", "--d", "20", "--n", "10", "--nt", "5", "--feature-shard", "0/4", "--partial-out", dir}, "at most 3 shards"},
		{[]string{"run", "--model", "rf", "--k", "100", "--n", "100000000", "--d", "100", "--feature-shard", "0/4", "--partial-out", dir}, "of memory"},
		{[]string{"reduce"}, "no partial folders"},
		{[]string{"reduce", dir}, "no manifest.json"},
	} {
		_, _, err := cmdOut(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestWithoutFlags(t *testing.T) {
	got := withoutFlags([]string{"--model", "rf", "--feature-shard", "1/4", "--json", "-partial-out=x", "--k", "5", "--feature-shards", "4"},
		"feature-shard", "feature-shards", "partial-out", "json")
	if want := []string{"--model", "rf", "--k", "5"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if q := shellQuote("a b'c"); q != `'a b'\''c'` {
		t.Fatalf("shellQuote = %s", q)
	}
}
