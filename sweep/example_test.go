package sweep_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spurious-ml/spurious/sweep"
)

func Example() {
	spec, err := sweep.ParseSpec([]byte(`{
		"seed": 1, "repetitions": 3,
		"model": ["rf"], "act": ["phi2"], "alpha": [0.5], "n": [10, 100]
	}`))
	if err != nil {
		panic(err)
	}
	// A runner would normally train a model; this one reports N squared.
	runner := func(_ context.Context, t sweep.Trial) (json.RawMessage, error) {
		return json.Marshal(map[string]int{"n2": t.N * t.N})
	}
	dir, _ := os.MkdirTemp("", "sweep")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "results.jsonl")
	rep, err := sweep.Run(context.Background(), spec, out, runner, sweep.Options{Workers: 2})
	if err != nil {
		panic(err)
	}
	fmt.Println("ran", rep.Done, "of", rep.Total)

	// A second run resumes: nothing left to do.
	rep, _ = sweep.Run(context.Background(), spec, out, runner, sweep.Options{})
	fmt.Println("skipped", rep.Skipped)

	recs, _ := sweep.ReadRecords(out)
	for _, g := range sweep.Group(recs) {
		s := g.Summary("n2")
		fmt.Printf("N=%d: %d repetitions, mean %.0f\n", g.Params.N, s.N, s.Mean)
	}
	// Output:
	// ran 6 of 6
	// skipped 6
	// N=10: 3 repetitions, mean 100
	// N=100: 3 repetitions, mean 10000
}
