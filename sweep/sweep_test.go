package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testSpec is a two-grid spec with 2*2*3*2 + 1*1*3*2 = 30 trials.
func testSpec() *Spec {
	return &Spec{
		Seed:        7,
		Repetitions: 2,
		Grid: Grid{Model: []string{"rf"}, Act: []string{"phi2", "phi4"}, Dataset: []string{"synthetic"},
			Alpha: []float64{0.5, 0.25}, D: []int{100}, K: []int{200}, N: []int{10, 20, 50}, Nt: []int{100}},
		Grids: []Grid{
			{},
			{Model: []string{"ntk"}, Act: []string{"relu"}, Alpha: []float64{0.5}, K: []int{10}},
		},
	}
}

// fakeRunner returns numbers that depend only on the trial's seed and
// parameters, as a real trial must.
func fakeRunner(_ context.Context, t Trial) (json.RawMessage, error) {
	u := float64(t.Seed%1000003) / 1000003
	return json.Marshal(map[string]any{"n": t.N, "test_acc": 0.5 + u/4, "seed": t.Seed})
}

// TestKeyWithEpochs pins the key of a trained-network trial: epochs is
// appended to the canonical text only when set, so adding the axis kept
// the keys above.
func TestKeyWithEpochs(t *testing.T) {
	p := Params{Model: "nn-fc", Dataset: "mnist", N: 100, Nt: 500, Epochs: 100}
	// SHA-256 of "model=nn-fc\nact=\ndataset=mnist\nalpha=0\nd=0\nk=0\nn=100\nnt=500\nridge=0\nrep=0\nepochs=100\n"
	// by Python's hashlib.
	if got, want := p.Key(), "6482f47fc81ab837"; got != want {
		t.Errorf("Key() = %s, want %s", got, want)
	}
	s := &Spec{Repetitions: 2, Grid: Grid{Model: []string{"nn-fc"}, N: []int{10}, Epochs: []int{5, 50}},
		Grids: []Grid{{}, {Epochs: []int{500}}}}
	trials, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, tr := range trials {
		got = append(got, tr.Epochs)
	}
	if want := []int{5, 5, 50, 50, 500, 500}; !slices.Equal(got, want) {
		t.Errorf("epochs of the trials %v, want %v (the second grid overrides the axis)", got, want)
	}
	s.Epochs = []int{0}
	if _, err := s.Trials(); err == nil || !strings.Contains(err.Error(), "epochs = 0") {
		t.Errorf("epochs 0: got %v, want an error", err)
	}
}

func TestKeyIsStableAndCanonical(t *testing.T) {
	p := Params{Model: "rf", Act: "phi2", Dataset: "synthetic", Alpha: 0.5, D: 1000, K: 2000, N: 100, Nt: 1000, Rep: 1,
		Extra: map[string]string{"isa": "avx2", "b": "1"}}
	// Stored results files depend on this value: it must never change. It is
	// the first 16 hex digits of SHA-256 of the canonical text
	// "model=rf\nact=phi2\n...\nrep=1\nextra.b=1\nextra.isa=avx2\n", as
	// computed independently by Python's hashlib.
	const want = "c2d13ec84341a982"
	if got := p.Key(); got != want {
		t.Errorf("Key() = %s, want %s (changing the key format orphans every results file)", got, want)
	}
	q := p
	q.Extra = map[string]string{"b": "1", "isa": "avx2"}
	if q.Key() != p.Key() {
		t.Error("key depends on map insertion order")
	}
	for _, mut := range []func(*Params){
		func(p *Params) { p.Rep = 2 }, func(p *Params) { p.Alpha = 0.25 }, func(p *Params) { p.Extra = nil },
		func(p *Params) { p.N = 101 }, func(p *Params) { p.Ridge = 1e-3 }, func(p *Params) { p.Epochs = 1 },
	} {
		r := p
		mut(&r)
		if r.Key() == p.Key() {
			t.Errorf("changing params to %s kept key %s", r, p.Key())
		}
	}
}

func TestSeedDependsOnlyOnGlobalSeedAndKey(t *testing.T) {
	a := DeriveSeed(1, "00112233aabbccdd")
	if a != DeriveSeed(1, "00112233aabbccdd") || a > MaxSeed {
		t.Fatalf("seed %d not reproducible or above MaxSeed", a)
	}
	if a == DeriveSeed(2, "00112233aabbccdd") || a == DeriveSeed(1, "00112233aabbccde") {
		t.Error("seed ignores the global seed or the key")
	}
	// The same trial listed in two layouts of a spec gets the same key and seed.
	s1 := &Spec{Seed: 3, Grid: Grid{Model: []string{"rf", "ntk"}, N: []int{10}}}
	s2 := &Spec{Seed: 3, Grids: []Grid{{Model: []string{"ntk"}, N: []int{10}}, {Model: []string{"rf"}, N: []int{5, 10}}}}
	t1, _ := s1.Trials()
	t2, _ := s2.Trials()
	seeds := map[string]uint64{}
	for _, tr := range t2 {
		seeds[tr.Key] = tr.Seed
	}
	for _, tr := range t1 {
		if s, ok := seeds[tr.Key]; !ok || s != tr.Seed {
			t.Errorf("trial %s: layouts disagree (seed %d vs %d, present %v)", tr.Params, tr.Seed, s, ok)
		}
	}
}

func TestTrialsExpansion(t *testing.T) {
	ts, err := testSpec().Trials()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 30 {
		t.Fatalf("got %d trials, want 30", len(ts))
	}
	keys := map[string]bool{}
	for _, tr := range ts {
		if keys[tr.Key] {
			t.Errorf("duplicate key %s", tr.Key)
		}
		keys[tr.Key] = true
		if tr.Model == "ntk" && (tr.K != 10 || tr.D != 100 || tr.Nt != 100) {
			t.Errorf("ntk grid did not inherit/override: %s", tr.Params)
		}
	}
	// A grid repeating the default grid adds nothing.
	s := testSpec()
	s.Grids = append(s.Grids, Grid{})
	if ts2, _ := s.Trials(); len(ts2) != 30 {
		t.Errorf("duplicate grid: got %d trials, want 30", len(ts2))
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{"n":[10],"alpah":[0.5]}`, "unknown field"},
		{`{"model":["rf"]}`, "axis n is empty"},
		{`{"n":[10],"alpha":[1.5]}`, "alpha = 1.5"},
		{`{"n":[0]}`, "n = 0"},
		{`{"n":[10],"extra":{"--isa":"avx2"}}`, "without dashes"},
		{`{"n":[10],"repetitions":-1}`, "repetitions"},
	} {
		_, err := ParseSpec([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSpec(%s) = %v, want error containing %q", c.json, err, c.want)
		}
	}
	s, err := ParseSpec([]byte(`{"seed":1,"repetitions":3,"model":["rf"],"n":[10,20]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Trials(); len(ts) != 6 {
		t.Errorf("got %d trials, want 6", len(ts))
	}
}

func TestShardsPartition(t *testing.T) {
	ts, _ := testSpec().Trials()
	for n := 1; n <= 7; n++ {
		count := map[string]int{}
		for i := range n {
			for _, tr := range (Shard{i, n}).Select(ts) {
				count[tr.Key]++
			}
		}
		if len(count) != len(ts) {
			t.Errorf("n=%d: shards cover %d of %d trials", n, len(count), len(ts))
		}
		for k, c := range count {
			if c != 1 {
				t.Errorf("n=%d: trial %s in %d shards", n, k, c)
			}
		}
	}
}

func TestShardParsing(t *testing.T) {
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
	for _, bad := range []string{"5/5", "-1/3", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env   map[string]string
		count int
		want  Shard
		found bool
		err   bool
	}{
		{map[string]string{}, 0, All, false, false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, Shard{3, 4}, true, false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, Shard{3, 4}, true, false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, Shard{}, true, true},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, 3, Shard{1, 3}, true, false},
		{map[string]string{"JOB_COMPLETION_INDEX": "2"}, 3, Shard{2, 3}, true, false},
		{map[string]string{"JOB_COMPLETION_INDEX": "2"}, 0, Shard{}, true, true},
		{map[string]string{"JOB_COMPLETION_INDEX": "x"}, 3, Shard{}, true, true},
	}
	for _, c := range cases {
		s, found, err := ShardFromEnv(env(c.env), c.count)
		if found != c.found || (err != nil) != c.err || (err == nil && s != c.want) {
			t.Errorf("ShardFromEnv(%v, %d) = %v, %v, %v; want %v, %v, err=%v", c.env, c.count, s, found, err, c.want, c.found, c.err)
		}
	}
}

// readLines returns the records of path by key, failing on duplicates.
func readByKey(t *testing.T, path string) map[string]Record {
	t.Helper()
	recs, err := ReadRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]Record{}
	for _, r := range recs {
		if _, dup := m[r.Key]; dup {
			t.Errorf("%s: trial %s appears twice", path, r.Key)
		}
		m[r.Key] = r
	}
	return m
}

func TestRunResumeAndRepair(t *testing.T) {
	dir := t.TempDir()
	spec := testSpec()
	ref := filepath.Join(dir, "ref.jsonl")
	rep, err := Run(context.Background(), spec, ref, fakeRunner, Options{Workers: 3})
	if err != nil || rep.Done != 30 || rep.Total != 30 {
		t.Fatalf("uninterrupted run: %+v, %v", rep, err)
	}
	want := readByKey(t, ref)

	// Interrupt after 7 trials, then damage the file as a kill would.
	out := filepath.Join(dir, "out.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	stopping := func(ctx context.Context, tr Trial) (json.RawMessage, error) {
		if calls.Add(1) > 7 {
			cancel()
			return nil, ctx.Err()
		}
		return fakeRunner(ctx, tr)
	}
	rep, err = Run(ctx, spec, out, stopping, Options{Workers: 1})
	if !errors.Is(err, ErrInterrupted) || rep.Done != 7 {
		t.Fatalf("interrupted run: %+v, %v; want 7 done and ErrInterrupted", rep, err)
	}
	f, _ := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"key":"0123","seed":1,"params":{"n":1`) // a line cut by SIGKILL
	f.Close()

	var log bytes.Buffer
	rep, err = Run(context.Background(), spec, out, fakeRunner, Options{Workers: 2, Log: &log})
	if err != nil || rep.Skipped != 7 || rep.Done != 23 || rep.Repaired == 0 {
		t.Fatalf("resumed run: %+v, %v", rep, err)
	}
	if !strings.Contains(log.String(), "truncated last line") {
		t.Errorf("log does not mention the repair:\n%s", log.String())
	}
	got := readByKey(t, out)
	if len(got) != len(want) {
		t.Fatalf("resumed file has %d trials, want %d", len(got), len(want))
	}
	for k, r := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g.Result, r.Result) || g.Seed != r.Seed {
			t.Errorf("trial %s differs after resume: %s vs %s", k, g.Result, r.Result)
		}
	}
	// A third run has nothing to do.
	if rep, err := Run(context.Background(), spec, out, fakeRunner, Options{}); err != nil || rep.Done != 0 || rep.Skipped != 30 {
		t.Errorf("rerun of a finished sweep: %+v, %v", rep, err)
	}
	// Another global seed must not reuse the file.
	other := *spec
	other.Seed++
	if _, err := Run(context.Background(), &other, out, fakeRunner, Options{}); err == nil || !strings.Contains(err.Error(), "another seed") {
		t.Errorf("seed mismatch not detected: %v", err)
	}
}

func TestRunFailuresAreRetried(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	spec := &Spec{Seed: 1, Grid: Grid{Model: []string{"rf"}, N: []int{1, 2, 3, 4}}}
	flaky := func(ctx context.Context, tr Trial) (json.RawMessage, error) {
		if tr.N == 3 {
			return nil, fmt.Errorf("kernel matrix is singular")
		}
		return fakeRunner(ctx, tr)
	}
	rep, err := Run(context.Background(), spec, out, flaky, Options{})
	if err == nil || len(rep.Failed) != 1 || rep.Done != 3 || !strings.Contains(err.Error(), "singular") {
		t.Fatalf("got %+v, %v; want one failure reported", rep, err)
	}
	if rep, err := Run(context.Background(), spec, out, fakeRunner, Options{}); err != nil || rep.Done != 1 {
		t.Errorf("retry: %+v, %v; want the failed trial rerun", rep, err)
	}
	notObject := func(context.Context, Trial) (json.RawMessage, error) { return json.RawMessage(`[1]`), nil }
	out2 := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := Run(context.Background(), spec, out2, notObject, Options{}); err == nil || !strings.Contains(err.Error(), "JSON object") {
		t.Errorf("non-object result accepted: %v", err)
	}
}

func TestRunRefusesSecondWriter(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	rf, err := openResults(out)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.close()
	spec := &Spec{Grid: Grid{N: []int{1}}}
	if _, err := Run(context.Background(), spec, out, fakeRunner, Options{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second writer not refused: %v", err)
	}
}

func TestCorruptMiddleLineIsAnError(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	spec := &Spec{Grid: Grid{N: []int{1, 2}}}
	if _, err := Run(context.Background(), spec, out, fakeRunner, Options{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	os.WriteFile(out, append([]byte("garbage\n"), b...), 0o644)
	if _, err := ReadRecords(out); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("corrupt first line: %v, want an error naming line 1", err)
	}
}

func TestMergeShards(t *testing.T) {
	dir := t.TempDir()
	spec := testSpec()
	var ins []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("s%d.jsonl", i))
		if _, err := Run(context.Background(), spec, p, fakeRunner, Options{Shard: Shard{i, 3}}); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, p)
	}
	out := filepath.Join(dir, "all.jsonl")
	rep, err := Merge(out, append(ins, ins[0]), MergeOptions{Spec: spec}) // shard 0 twice: duplicates
	if err != nil {
		t.Fatal(err)
	}
	n0 := len(readByKey(t, ins[0]))
	if rep.Written != 30 || len(rep.Missing) != 0 || rep.Duplicates != n0 || len(rep.Conflicts) != 0 {
		t.Errorf("merge of all shards: %+v (shard 0 has %d)", rep, n0)
	}
	if got := readByKey(t, out); len(got) != 30 {
		t.Errorf("merged file has %d trials, want 30", len(got))
	}
	// Without shard 1, its trials are missing, and exactly those.
	rep, err = Merge(out, []string{ins[0], ins[2]}, MergeOptions{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	s1 := readByKey(t, ins[1])
	if len(rep.Missing) != len(s1) || len(s1) == 0 {
		t.Fatalf("missing %d trials, want %d", len(rep.Missing), len(s1))
	}
	for _, m := range rep.Missing {
		if _, ok := s1[m.Key]; !ok {
			t.Errorf("trial %s reported missing but it is not in shard 1", m.Key)
		}
	}
}

func TestTQuantile(t *testing.T) {
	// Two-sided 95% critical values from standard t tables (3 decimals).
	for _, c := range []struct{ df, want float64 }{
		{1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {10, 2.228}, {30, 2.042}, {100, 1.984}, {1e6, 1.960},
	} {
		if got := TQuantile(0.975, c.df); math.Abs(got-c.want) > 5e-4 {
			t.Errorf("TQuantile(0.975, %v) = %.5f, want %.3f", c.df, got, c.want)
		}
	}
	if got := TQuantile(0.025, 10); math.Abs(got+2.228) > 5e-4 {
		t.Errorf("TQuantile(0.025, 10) = %v, want -2.228", got)
	}
}

func TestSummarizeAndGroup(t *testing.T) {
	s := Summarize([]float64{1, 2, 3, math.NaN()})
	// mean 2, std 1, CI = t_{0.975,2} / sqrt(3) = 4.3027 / 1.7321
	if s.N != 3 || s.Mean != 2 || math.Abs(s.Std-1) > 1e-15 || math.Abs(s.CI95-2.4842) > 1e-4 {
		t.Errorf("Summarize = %+v", s)
	}
	if one := Summarize([]float64{5}); one.Mean != 5 || !math.IsNaN(one.CI95) || one.Lo() != 5 {
		t.Errorf("one value: %+v", one)
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	spec := testSpec()
	if _, err := Run(context.Background(), spec, out, fakeRunner, Options{}); err != nil {
		t.Fatal(err)
	}
	recs, _ := ReadRecords(out)
	groups := Group(recs)
	if len(groups) != 15 {
		t.Fatalf("%d groups, want 15 parameter points", len(groups))
	}
	for _, g := range groups {
		sm := g.Summary("test_acc")
		if sm.N != 2 || !(sm.Lo() <= sm.Mean && sm.Mean <= sm.Hi()) {
			t.Errorf("group %s: %+v", g.Params, sm)
		}
	}
	if g0 := groups[0].Params; g0.Model != "ntk" || g0.N != 10 {
		t.Errorf("groups not sorted: first is %s", g0)
	}
}

func TestProgressPlainLines(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := newProgress(&buf, false, 10*time.Second, 10, 2, Shard{1, 4})
	p.now = func() time.Time { return now }
	p.start(8)
	for range 4 {
		now = now.Add(5 * time.Second)
		p.finished()
	}
	p.end()
	want := "sweep: shard 1/4: 10 trials, 2 already done, 8 to run\n" +
		"sweep: 4/10 (40%) elapsed 10s, 12.00 trials/min, ETA 30s\n" +
		"sweep: 6/10 (60%) elapsed 20s, 12.00 trials/min, ETA 20s\n" +
		"sweep: 6/10 (60%) elapsed 20s, 12.00 trials/min, ETA 20s\n"
	if buf.String() != want {
		t.Errorf("progress output:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := newProgress(&buf, true, 0, 4, 0, All)
	p.now = func() time.Time { return now }
	p.start(4)
	now = now.Add(2 * time.Second)
	p.finished()
	p.note("trial x failed")
	p.end()
	out := buf.String()
	for _, want := range []string{"\r\x1b[K[#######.......................] 1/4 (25%) elapsed 2s, 30.00 trials/min, ETA 6s",
		"\r\x1b[Ksweep: trial x failed\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output %q lacks %q", out, want)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("the bar is not ended with a newline")
	}
}

// TestGridRepetitions: a grid's own repetitions replace the spec's for
// that grid only, survive a JSON round trip and leave the keys and seeds of
// the repetitions both counts share unchanged.
func TestGridRepetitions(t *testing.T) {
	base := testSpec()
	few := testSpec()
	few.Grids[1].Repetitions = 1
	few.Grid.Repetitions = 5 // ignored at the top level
	b, err := json.Marshal(few)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte(`"repetitions"`)) != 2 {
		t.Errorf("spec JSON %s: want the spec's repetitions and the second grid's", b)
	}
	back, err := ParseSpec(b)
	if err != nil {
		t.Fatal(err)
	}
	all, err := base.Trials()
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Trials()
	if err != nil {
		t.Fatal(err)
	}
	var want []Trial
	for _, tr := range all {
		if tr.Model == "rf" || tr.Rep == 0 {
			want = append(want, tr)
		}
	}
	if len(got) != 24+3 || !slices.EqualFunc(got, want, func(a, b Trial) bool { return a.Key == b.Key && a.Seed == b.Seed }) {
		t.Fatalf("%d trials with one repetition of the ntk grid, want the 27 of the full spec that have rf or rep 0", len(got))
	}
	single := &Spec{Seed: 1, Repetitions: 2, Grid: Grid{Model: []string{"rf"}, N: []int{5}, Repetitions: 5}}
	if ts, err := single.Trials(); err != nil || len(ts) != 2 {
		t.Errorf("a spec without grids ran %d repetitions (%v), want its own 2", len(ts), err)
	}
	few.Grids[0].Repetitions = -1
	if _, err := few.Trials(); err == nil || !strings.Contains(err.Error(), "repetitions = -1") {
		t.Errorf("negative grid repetitions: %v", err)
	}
}

func TestTTail(t *testing.T) {
	// Closed forms: df = 1 (Cauchy) 1 - 2 atan(t)/pi, df = 2 1 - t/sqrt(t^2+2);
	// df -> inf the normal tail erfc(t/sqrt 2).
	for _, c := range []struct{ t, df, want float64 }{
		{3, 1, 1 - 2*math.Atan(3)/math.Pi},
		{3, 2, 1 - 3/math.Sqrt(11)},
		{1.5, 2, 1 - 1.5/math.Sqrt(4.25)},
		{3, 1e7, math.Erfc(3 / math.Sqrt2)},
		{0, 5, 1},
	} {
		if got := TTail(c.t, c.df); math.Abs(got-c.want) > 1e-7 {
			t.Errorf("TTail(%g, %g) = %.12g, want %.12g", c.t, c.df, got, c.want)
		}
	}
	if !math.IsNaN(TTail(-1, 3)) || !math.IsNaN(TTail(1, 0)) {
		t.Error("TTail accepted t < 0 or df <= 0")
	}
}
