package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

// runBenchJSON runs `spurious bench ARGS --json` and decodes one object
// per line.
func runBenchJSON(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	var out, errb bytes.Buffer
	// --min-time=0 right after the operation, so that a test may set it
	// again: one run per sample.
	full := append([]string{"bench", args[0], "--min-time=0"}, args[1:]...)
	if err := run(context.Background(), append(full, "--json"), &out, &errb); err != nil {
		t.Fatalf("bench %v: %v (stderr %q)", args, err, errb.String())
	}
	var objs []map[string]any
	dec := json.NewDecoder(&out)
	for dec.More() {
		var o map[string]any
		if err := dec.Decode(&o); err != nil {
			t.Fatalf("bench %v: bad JSON: %v", args, err)
		}
		objs = append(objs, o)
	}
	return objs
}

func TestBenchGemmJSON(t *testing.T) {
	objs := runBenchJSON(t, "gemm", "--m", "7,20", "--n", "9,31", "--k", "5", "--threads", "1,2", "--precision", "f64,f32", "--reps", "2")
	if len(objs) != 8 {
		t.Fatalf("got %d cases, want 2 shapes x 2 thread counts x 2 precisions = 8", len(objs))
	}
	keys := []string{"op", "m", "n", "k", "threads", "precision", "isa", "kc", "mc", "nc", "blocking", "seconds", "gflops", "peak_gflops", "peak_fraction", "bound_seconds", "bound_ratio"}
	for i, o := range objs {
		for _, k := range keys {
			if _, ok := o[k]; !ok {
				t.Fatalf("case %d: key %q missing in %v", i, k, o)
			}
		}
		if len(o) != len(keys) {
			t.Errorf("case %d: keys %v, want exactly %v", i, o, keys)
		}
		wantM, wantN := 7.0, 9.0
		if i >= 4 {
			wantM, wantN = 20, 31
		}
		if o["op"] != "gemm" || o["m"] != wantM || o["n"] != wantN || o["k"] != 5.0 || o["isa"] != asm.Active() {
			t.Errorf("case %d: %v, want gemm m=%g n=%g k=5 isa=%s", i, o, wantM, wantN, asm.Active())
		}
		if th := o["threads"].(float64); th != float64(1+i/2%2) {
			t.Errorf("case %d: threads %g, want %d", i, th, 1+i/2%2)
		}
		if p := o["precision"]; p != []string{"f64", "f32"}[i%2] {
			t.Errorf("case %d: precision %v", i, p)
		}
		bl := []linalg.Blocking{linalg.GemmBlocking[float64](), linalg.GemmBlocking[float32]()}[i%2]
		if o["kc"] != float64(bl.KC) || o["mc"] != float64(bl.MC) || o["nc"] != float64(bl.NC) || o["blocking"] != bl.Origin {
			t.Errorf("case %d: blocking kc=%v mc=%v nc=%v %v, want %+v", i, o["kc"], o["mc"], o["nc"], o["blocking"], bl)
		}
		sec, gf, peak, frac := o["seconds"].(float64), o["gflops"].(float64), o["peak_gflops"].(float64), o["peak_fraction"].(float64)
		flops := 2 * o["m"].(float64) * o["n"].(float64) * o["k"].(float64)
		if !(sec > 0) || math.Abs(gf-flops/sec/1e9) > 1e-9*gf || !(peak > 0) || math.Abs(frac-gf/peak) > 1e-12 {
			t.Errorf("case %d: inconsistent timing: seconds %g gflops %g peak %g fraction %g", i, sec, gf, peak, frac)
		}
		// The flop bound is the time at the measured peak.
		if bound, ratio := o["bound_seconds"].(float64), o["bound_ratio"].(float64); math.Abs(bound-flops/(peak*1e9)) > 1e-9*bound ||
			math.Abs(ratio-sec/bound) > 1e-9*ratio {
			t.Errorf("case %d: bound_seconds %g bound_ratio %g, want %g and %g", i, bound, ratio, flops/(peak*1e9), sec/bound)
		}
	}
	// f32 peak is twice the f64 peak on SIMD paths, the same on generic.
	ratio := objs[1]["peak_gflops"].(float64) / objs[0]["peak_gflops"].(float64)
	want := 2.0
	if asm.Active() == asm.Generic {
		want = 1
	}
	if ratio != want {
		t.Errorf("f32/f64 peak ratio %g, want %g", ratio, want)
	}
}

func TestBenchISA(t *testing.T) {
	for _, isa := range asm.Available() {
		objs := runBenchJSON(t, "gemm", "--n", "12", "--isa", isa, "--reps", "1")
		if len(objs) != 1 || objs[0]["isa"] != isa {
			t.Errorf("--isa %s: got %v", isa, objs)
		}
	}
	if got := asm.Active(); got != asm.Available()[len(asm.Available())-1] {
		t.Errorf("bench --isa did not restore the active path: %s", got)
	}
}

func TestBenchTable(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"bench", "gemm", "--n", "10", "--reps", "1"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"isa=" + asm.Active(), "measured FMA peak", "GFLOP/s", "k=10 m=10 n=10"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBenchErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench"}, "name an operation"},
		{[]string{"bench", "nosuchop"}, "unknown operation"},
		{[]string{"bench", "gemm", "--isa", "nosuchisa"}, "unknown instruction set"},
		{[]string{"bench", "gemm", "--precision", "f16"}, "want f64 or f32"},
		{[]string{"bench", "gemm", "--n", "-3"}, "not a positive integer"},
		{[]string{"bench", "gemm", "--m", "1,2", "--n", "1,2,3"}, "same length"},
		{[]string{"bench", "gemm", "--reps", "0"}, "at least 1"},
		{[]string{"bench", "gemm", "--min-time", "-1s"}, "0 or more"},
		{[]string{"bench", "gemm", "--n", "100000"}, "GiB"},
		{[]string{"bench", "gemm", "extra"}, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestBenchCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"bench", "gemm", "--n", "8", "--reps", "1"}, &out, &errb); err == nil {
		t.Fatal("bench ran to completion on a canceled context")
	}
}
