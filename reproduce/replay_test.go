package reproduce

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/spurious-ml/spurious/sweep"
)

// committedResults is the committed reproduction record's results file.
const committedResults = "../reproduction/full/results.jsonl"

// replayed reports whether the record r is among the trials
// TestRecordReplays reruns: the NTK synthetic trials of the smallest N
// (milliseconds each), and with -short off one paper-size RF trial.
func replayed(r sweep.Record, short bool) bool {
	p := r.Params
	if p.Dataset != "synthetic" || p.Rep != 0 {
		return false
	}
	switch p.Model {
	case "ntk":
		return p.N <= 20
	case "rf":
		return !short && p.N == 10 && p.Act == "phi2" && p.Alpha == 0.5
	}
	return false
}

// TestRecordReplays reruns trials of the committed record from its
// spec.json and compares their numbers with its results.jsonl, so that a
// change of the code that moves the science cannot pass unnoticed (the
// spec-drift test only sees the spec). On the record's instruction set and
// block depth the numbers are the same to the bit; elsewhere the summation
// order changes the last bits, so continuous measures must agree to a
// relative 1e-6 and accuracies to one sample.
func TestRecordReplays(t *testing.T) {
	spec, err := sweep.LoadSpec(committedSpec)
	if os.IsNotExist(err) {
		t.Skipf("%s absent: no committed reproduction record", committedSpec)
	}
	if err != nil {
		t.Fatal(err)
	}
	recs, err := sweep.ReadRecords(committedResults)
	if err != nil {
		t.Fatal(err)
	}
	trials, err := spec.Trials()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]sweep.Trial{}
	for _, tr := range trials {
		byKey[tr.Key] = tr
	}
	ran := 0
	for _, rec := range recs {
		if !replayed(rec, testing.Short()) {
			continue
		}
		tr, ok := byKey[rec.Key]
		if !ok {
			t.Fatalf("record %s (%+v) is not a trial of spec.json", rec.Key, rec.Params)
		}
		raw, err := sweep.RunTrial(context.Background(), tr)
		if err != nil {
			t.Fatalf("%s: %v", tr.Key, err)
		}
		compareReplay(t, tr, rec.Result, raw)
		ran++
	}
	if ran == 0 {
		t.Fatal("no trial of the record was replayed: the selection matches nothing")
	}
	t.Logf("%d trials of the record replayed", ran)
}

// compareReplay compares the numbers of a replayed trial (got) with the
// record's (want); see TestRecordReplays for the tolerances.
func compareReplay(t *testing.T, tr sweep.Trial, want, got json.RawMessage) {
	t.Helper()
	var w, g map[string]any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	exact := w["isa"] == g["isa"] && w["kc"] == g["kc"]
	counts := map[string]float64{"train_acc": float64(tr.N), "spurious_acc": float64(tr.N), "test_acc": float64(tr.Nt)}
	for _, name := range []string{"train_acc", "test_acc", "spurious_acc", "test_mse", "loo_mse",
		"feature_alignment_mean", "feature_alignment_std", "stability_mean", "cov_spurious", "cov_lemma", "gamma_theory"} {
		wv, wok := w[name].(float64)
		gv, gok := g[name].(float64)
		if !wok || !gok {
			t.Errorf("%s %+v: %s recorded %v, replayed %v", tr.Key, tr.Params, name, w[name], g[name])
			continue
		}
		tol := 0.0
		if !exact {
			tol = 1e-6 * math.Max(math.Abs(wv), 1e-3)
			if n, ok := counts[name]; ok {
				tol = 1.5 / n
			}
		}
		if math.Abs(gv-wv) > tol {
			t.Errorf("%s %+v: %s = %v, the record has %v (tolerance %g; record on %v kc %v, replay on %v kc %v)",
				tr.Key, tr.Params, name, gv, wv, tol, w["isa"], w["kc"], g["isa"], g["kc"])
		}
	}
}
