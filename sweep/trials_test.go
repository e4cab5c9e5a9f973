package sweep

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/internal/impl"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/nn"
	"github.com/spurious-ml/spurious/trial"
)

// stripTimes decodes a record and drops its wall-clock fields.
func stripTimes(t *testing.T, raw json.RawMessage) map[string]any {
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
	return m
}

// TestMixedEngineGrid runs a grid with isa and threads axes on several
// workers and checks that every record reports the settings it asked for
// and equals the same trial run alone. Run it under the race detector.
func TestMixedEngineGrid(t *testing.T) {
	spec := &Spec{Seed: 5, Repetitions: 2}
	spec.N = []int{12, 20}
	for _, isa := range asm.Available() {
		for _, th := range []int{1, 2} {
			extra := map[string]string{"isa": isa, "threads": strconv.Itoa(th)}
			spec.Grids = append(spec.Grids,
				Grid{Model: []string{"rf", "ntk"}, Act: []string{"relu"}, D: []int{24}, K: []int{60}, Nt: []int{8}, Extra: extra},
				Grid{Model: []string{"nn-fc"}, D: []int{10}, Nt: []int{6}, Epochs: []int{2}, Extra: extra})
		}
	}
	if err := Check(spec); err != nil {
		t.Fatal(err)
	}
	best := asm.Active()
	defer impl.Select(best)                           //nolint:errcheck // it was active
	if err := impl.Select(impl.Generic); err != nil { // the grid must not depend on it
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.jsonl")
	rep, err := Run(context.Background(), spec, path, RunTrial, Options{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ReadRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * 2 * 2 * 2 * len(asm.Available()); rep.Done != want || len(recs) != want {
		t.Fatalf("%d trials run, %d records; want %d", rep.Done, len(recs), want)
	}
	for _, r := range recs {
		got := stripTimes(t, r.Result)
		if got["isa"] != r.Params.Extra["isa"] || got["threads"] != float64(must(strconv.Atoi(r.Params.Extra["threads"]))) {
			t.Errorf("trial %s reports isa %v, threads %v", r.Params, got["isa"], got["threads"])
		}
		// Alone, on the process-wide settings switched to those asked for.
		tr := Trial{Key: r.Key, Seed: r.Seed, Params: r.Params}
		if err := impl.Select(r.Params.Extra["isa"]); err != nil {
			t.Fatal(err)
		}
		prev := linalg.SetThreads(must(strconv.Atoi(r.Params.Extra["threads"])))
		var alone any
		if _, isNN := NetworkModels[r.Params.Model]; isNN {
			c, err := tr.NetworkConfig()
			if err != nil {
				t.Fatal(err)
			}
			c.Engine = linalg.Settings{}
			nr, err := nn.Run(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			alone = nn.NewRecord(c, nr)
		} else {
			s, err := tr.KernelSpec()
			if err != nil {
				t.Fatal(err)
			}
			s.Engine = linalg.Settings{}
			if alone, err = trial.Run(context.Background(), s, trial.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		linalg.SetThreads(prev)
		b, _ := json.Marshal(alone)
		if want := stripTimes(t, b); !reflect.DeepEqual(got, want) {
			t.Errorf("trial %s in the grid:\n%v\nalone:\n%v", r.Params, got, want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestKernelSpecAndCommand(t *testing.T) {
	tr := Trial{Seed: 9, Params: Params{Model: "ntk", Act: "relu", N: 10, K: 7, Extra: map[string]string{
		"ntk-deriv": "true", "heldout": "0", "verify-loo": "2", "isa": "generic", "threads": "1", "block": "3", "classes": "1,7", "precision": "f64",
	}}}
	s, err := tr.KernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	want := trial.Default()
	want.Model, want.Act, want.N, want.K, want.Seed, want.Heldout, want.VerifyLOO, want.Block = "ntk", "relu", 10, 7, 9, 0, 2, 3
	want.Deriv, want.Classes = 1, [2]int{1, 7}
	want.Engine.ISA, want.Engine.Threads = "generic", 1
	if !reflect.DeepEqual(s, want) {
		t.Errorf("KernelSpec = %+v, want %+v", s, want)
	}
	if got := strings.Join(tr.Command(), " "); got != "run --json --model ntk --act relu --k 7 --n 10 --seed 9 --block=3 --classes=1,7 --heldout=0 --isa=generic --ntk-deriv=true --precision=f64 --threads=1 --verify-loo=2" {
		t.Errorf("Command = %s", got)
	}
	for _, bad := range []Trial{
		{Params: Params{Model: "rf", N: 5, Extra: map[string]string{"lr": "1"}}},
		{Params: Params{Model: "rf", N: 5, Extra: map[string]string{"threads": "x"}}},
		{Params: Params{Model: "rf", N: 5, Epochs: 3}},
	} {
		if _, err := bad.KernelSpec(); err == nil {
			t.Errorf("%s: no error", bad.Params)
		}
	}
	nnt := Trial{Seed: 2, Params: Params{Model: "nn-fc", N: 8, Epochs: 3, Extra: map[string]string{"batch": "4", "lr": "0.01"}}}
	c, err := nnt.NetworkConfig()
	if err != nil || c.Arch != "fc" || c.Epochs != 3 || c.BatchSize != 4 || c.LR != 0.01 || c.Seed != 2 || c.Dataset != "synthetic" {
		t.Errorf("NetworkConfig = %+v, %v", c, err)
	}
	for _, bad := range []Params{
		{Model: "nn-fc", N: 8, Extra: map[string]string{"ridge": "1"}},
		{Model: "nn-fc", N: 8, Act: "relu"},
		{Model: "nn-cnn", N: 8},
	} {
		if _, err := (Trial{Params: bad}).NetworkConfig(); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
