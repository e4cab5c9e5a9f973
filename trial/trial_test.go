package trial

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/rf"
)

// small returns a cheap synthetic spec.
func small(model string) Spec {
	s := Default()
	s.Model, s.Act, s.D, s.N, s.Nt, s.Seed = model, "relu", 40, 30, 12, 3
	if model == "rf" || model == "ntk" {
		s.K = 300
	}
	return s
}

// record returns the JSON record of r as a map, without the timings.
func record(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("bad JSON %v: %s", err, b)
	}
	for _, k := range []string{"seconds", "gram_seconds", "solve_seconds"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("record lacks %q: %s", k, b)
		}
		delete(m, k)
	}
	return m
}

// TestMatchesCLI builds the command and checks that `spurious run --json`
// prints, for the same settings, the record Run returns, number for
// number.
func TestMatchesCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/spurious")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build cmd/spurious")
	}
	bin := filepath.Join(t.TempDir(), "spurious")
	build := exec.Command(gocmd, "build", "-o", bin, "github.com/spurious-ml/spurious/cmd/spurious")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	isa := asm.Active() // the build of this test may differ (purego): name it
	cases := []struct {
		args []string
		spec func() Spec
	}{
		{[]string{"--model", "rf", "--act", "relu", "--k", "300", "--d", "40", "--n", "30", "--nt", "12", "--seed", "3", "--verify-loo", "5"},
			func() Spec { s := small("rf"); s.VerifyLOO = 5; return s }},
		{[]string{"--model", "ntk", "--act", "phi2", "--k", "20", "--d", "30", "--n", "25", "--nt", "10", "--seed", "4", "--ridge", "0.01", "--heldout", "7", "--ntk-deriv", "true"},
			func() Spec {
				s := small("ntk")
				s.Act, s.K, s.D, s.N, s.Nt, s.Seed, s.Ridge, s.Heldout, s.Deriv = "phi2", 20, 30, 25, 10, 4, 0.01, 7, activation.DerivTrue
				return s
			}},
		{[]string{"--model", "linear", "--act", "relu", "--d", "40", "--n", "30", "--nt", "12", "--seed", "3"},
			func() Spec { return small("linear") }},
		{[]string{"--model", "rf-inf", "--act", "tanh", "--d", "40", "--n", "30", "--nt", "12", "--seed", "3", "--alpha", "0.25"},
			func() Spec { s := small("rf-inf"); s.Act, s.Alpha = "tanh", 0.25; return s }},
		{[]string{"--model", "ntk-inf", "--act", "relu", "--d", "40", "--n", "30", "--nt", "12", "--seed", "3", "--heldout", "0"},
			func() Spec { s := small("ntk-inf"); s.Heldout = 0; return s }},
		{[]string{"--model", "rf", "--act", "phi4", "--k", "300", "--d", "40", "--n", "30", "--nt", "12", "--seed", "3", "--precision", "f32", "--block", "64", "--threads", "1"},
			func() Spec {
				s := small("rf")
				s.Act, s.Precision, s.Block, s.Engine.Threads = "phi4", rf.F32, 64, 1
				return s
			}},
	}
	for _, c := range cases {
		args := append([]string{"run", "--json", "--isa", isa}, c.args...)
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("spurious %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		s := c.spec()
		s.Engine.ISA = isa
		r, err := Run(context.Background(), s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		cli, lib := record(t, stdout.Bytes()), record(t, b)
		if cli["threads"] != nil && s.Engine.Threads == 0 {
			// Both ran on all cores, which need not be the same count.
			delete(cli, "threads")
			delete(lib, "threads")
		}
		if !reflect.DeepEqual(cli, lib) {
			for k := range cli {
				if !reflect.DeepEqual(cli[k], lib[k]) {
					t.Errorf("%v: %s = %v from the command, %v from Run", c.args, k, cli[k], lib[k])
				}
			}
			for k := range lib {
				if _, ok := cli[k]; !ok {
					t.Errorf("%v: Run's record has %s, the command's does not", c.args, k)
				}
			}
		}
	}
}

// TestRecordKeys pins the JSON field names of Result: results files of
// earlier runs must still merge.
func TestRecordKeys(t *testing.T) {
	s := small("ntk")
	s.VerifyLOO = 3
	r, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(`model act ntk_deriv dataset alpha d k n nt n_heldout seed ridge precision
		train_acc test_acc spurious_acc test_mse loo_mse feature_alignment_mean feature_alignment_std
		stability_mean stability_abs_mean cov_spurious cov_lemma lemma_max_rel_err auc tpr_at_1pct_fpr
		gamma_theory gram_condition verify_loo verify_loo_max_rel_err verify_lemma_max_rel_err isa kc mc nc blocking threads gram_flops
		gram_seconds solve_seconds seconds`)
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("record lacks %q", k)
		}
	}
	if len(m) != len(want) {
		t.Errorf("record has %d keys, want %d: %s", len(m), len(want), b)
	}
	var csv bytes.Buffer
	if err := r.WritePerSample(&csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if lines[0] != "i,g,f_spurious,f_spurious_loo,feature_alignment,stability" || len(lines) != s.N+1 {
		t.Errorf("per-sample CSV: header %q, %d lines", lines[0], len(lines))
	}
}

func TestFieldErrors(t *testing.T) {
	for _, c := range []struct {
		field string
		edit  func(*Spec)
	}{
		{"Model", func(s *Spec) { s.Model = "cnn" }},
		{"Act", func(s *Spec) { s.Act = "swish" }},
		{"Deriv", func(s *Spec) { s.Deriv = 7 }},
		{"K", func(s *Spec) { s.K = -3 }},
		{"K", func(s *Spec) { s.Model = "linear" }},
		{"Alpha", func(s *Spec) { s.Alpha = 1 }},
		{"N", func(s *Spec) { s.N = 0 }},
		{"Nt", func(s *Spec) { s.Nt = -1 }},
		{"Ridge", func(s *Spec) { s.Ridge = -1 }},
		{"Block", func(s *Spec) { s.Block = -1 }},
		{"VerifyLOO", func(s *Spec) { s.VerifyLOO = -1 }},
		{"Heldout", func(s *Spec) { s.Heldout = -2 }},
		{"Precision", func(s *Spec) { s.Model, s.Precision = "ntk", rf.F32 }},
		{"Border", func(s *Spec) { s.Border = -1 }},
		{"D", func(s *Spec) { s.D = 1 }},
		{"DataDir", func(s *Spec) { s.Dataset = "npy" }},
		{"DataDir", func(s *Spec) { s.Dataset, s.DataDir = "npy", t.TempDir() }},
		{"Dataset", func(s *Spec) { s.Dataset = "imagenet" }},
		{"Engine.ISA", func(s *Spec) { s.Engine.ISA = "sse9" }},
		{"Engine.Threads", func(s *Spec) { s.Engine.Threads = -1 }},
		{"N", func(s *Spec) { s.Model, s.K, s.N = "linear", 0, 50 }},
		{"Ridge", func(s *Spec) { s.K = 10 }}, // fewer features than samples
	} {
		s := small("rf")
		c.edit(&s)
		_, err := Run(context.Background(), s, Options{})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: err = %v, want a FieldError on %s", s, err, c.field)
			continue
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("%s: the error names a command-line flag: %v", c.field, err)
		}
	}
	s := small("rf")
	s.K = 10
	if _, err := Run(context.Background(), s, Options{}); !errors.Is(err, linalg.ErrNotPositiveDefinite) {
		t.Errorf("k < n: err = %v, want one wrapping linalg.ErrNotPositiveDefinite", err)
	}
}

// TestLoadData: the data and held-out queries alone, with the spec
// normalized as Run sees it.
func TestLoadData(t *testing.T) {
	s := small("rf")
	s.K, s.Heldout = 0, -1
	td, got, err := LoadData(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if got.K != DefaultWidth["rf"] || got.Heldout != s.Nt || len(td.Gh) != s.Nt || len(td.Zh) != s.Nt*s.D || td.N() != s.N {
		t.Fatalf("LoadData: K %d, Heldout %d, %d held-out labels, %d values, N %d", got.K, got.Heldout, len(td.Gh), len(td.Zh), td.N())
	}
	if got.Engine.ISA == "" || got.Engine.Threads < 1 {
		t.Fatalf("LoadData left the engine settings unresolved: %+v", got.Engine)
	}
	if g := Theory(got); g == nil || !(*g > 0 && *g < 1) {
		t.Fatalf("Theory = %v, want a fraction", g)
	}
}

// TestFeatureGramsSolve: FeatureGrams over [0, K) then Solve is Run, record
// for record; other models and empty ranges are errors.
func TestFeatureGramsSolve(t *testing.T) {
	ctx := context.Background()
	for _, model := range []string{"rf", "ntk"} {
		s := small(model)
		r0, err := Run(ctx, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		td, sn, err := LoadData(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		g, err := FeatureGrams(ctx, sn, td, 0, sn.K, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Solve(sn, g, Options{})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(r0)
		if ra, rb := record(t, a), record(t, b); !reflect.DeepEqual(ra, rb) {
			t.Fatalf("%s: FeatureGrams+Solve\n%v\nwant Run's\n%v", model, ra, rb)
		}
		if _, err := FeatureGrams(ctx, sn, td, 5, 5, nil); err == nil {
			t.Errorf("%s: empty range accepted", model)
		}
	}
	td, sn, err := LoadData(ctx, small("linear"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FeatureGrams(ctx, sn, td, 0, 1, nil); err == nil || !strings.Contains(err.Error(), "no features") {
		t.Errorf("linear: err = %v", err)
	}
}
