package bench

import (
	"context"
	"testing"
	"time"
)

func TestPeakMeasured(t *testing.T) {
	if p := MeasurePeak(); !(p > 1e8 && p < 1e13) {
		t.Fatalf("measured FMA peak %g flop/s is implausible", p)
	}
}

// TestBenchSamples checks how Run times a case: one warm-up run,
// then reps samples of inner runs each, inner making a sample last at
// least minTime, with Reset before every Run.
func TestBenchSamples(t *testing.T) {
	runs, resets := 0, 0
	op := func(Config) (Case, error) {
		return Case{
			Sizes: map[string]int{"n": 1},
			Flops: 1e6,
			Reset: func() { resets++ },
			Run: func() error {
				if resets != runs+1 {
					t.Errorf("run %d after %d resets", runs+1, resets)
				}
				runs++
				time.Sleep(2 * time.Millisecond)
				return nil
			},
		}, nil
	}
	r, err := Run(context.Background(), "fake", op, Config{Threads: 1}, 3, 10*time.Millisecond, 1e9)
	if err != nil {
		t.Fatal(err)
	}
	// The warm-up takes at least 2 ms, so a sample has 1 to 5 runs.
	if inner := (runs - 1) / 3; (runs-1)%3 != 0 || inner < 1 || inner > 5 {
		t.Errorf("%d runs: want 1 + 3 samples of 1 to 5 runs", runs)
	}
	if r.Seconds < 0.002 || r.Seconds > 0.1 {
		t.Errorf("median %v s per run, want about 0.002", r.Seconds)
	}
	runs, resets = 0, 0
	if _, err := Run(context.Background(), "fake", op, Config{Threads: 1}, 3, 0, 1e9); err != nil {
		t.Fatal(err)
	}
	if runs != 4 {
		t.Errorf("min-time 0: %d runs, want 4 (one per sample after the warm-up)", runs)
	}
}

func TestCases(t *testing.T) {
	got := Cases([]int{0}, []int{10, 20}, []int{5}, []int{1, 2}, []string{"f64", "f32"}, Config{D: 7})
	if len(got) != 8 {
		t.Fatalf("%d cases, want 8: %+v", len(got), got)
	}
	want0 := Config{M: 0, N: 10, K: 5, D: 7, Threads: 1, Precision: "f64"}
	want5 := Config{M: 0, N: 20, K: 5, D: 7, Threads: 1, Precision: "f32"}
	if got[0] != want0 || got[5] != want5 {
		t.Errorf("cases 0 and 5: %+v, %+v; want %+v, %+v", got[0], got[5], want0, want5)
	}
	defer func() {
		if recover() == nil {
			t.Error("lists of lengths 2 and 3 did not panic")
		}
	}()
	Cases([]int{1, 2}, []int{1, 2, 3}, []int{1}, []int{0}, []string{"f64"}, Config{})
}
