package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRecords writes a results file with one record per (n, result) pair.
func writeRecords(t *testing.T, path string, results ...string) {
	t.Helper()
	var b bytes.Buffer
	for _, res := range results {
		p := Params{Model: "rf", N: 10}
		line, err := encodeRecord(Trial{Key: p.Key(), Seed: 7, Params: p}, json.RawMessage(res))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMergeConflicts(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "c.jsonl")
	writeRecords(t, a, `{"test_mse":0.5,"isa":"avx2","seconds":1}`)
	writeRecords(t, b, `{"test_mse":0.5,"isa":"avx2","seconds":2}`) // a rerun: only timing differs
	writeRecords(t, c, `{"test_mse":0.6,"isa":"avx2","seconds":3}`)
	out := filepath.Join(dir, "out.jsonl")

	rep, err := Merge(out, []string{a, b}, MergeOptions{})
	if err != nil || rep.Duplicates != 1 || len(rep.Conflicts) != 0 {
		t.Fatalf("timing-only difference: %+v, %v; want a plain duplicate", rep, err)
	}
	os.Remove(out)
	_, err = Merge(out, []string{a, c}, MergeOptions{})
	var ce *ConflictError
	if !errors.As(err, &ce) || len(ce.Conflicts) != 1 {
		t.Fatalf("conflict: err = %v, want a *ConflictError with one conflict", err)
	}
	msg := err.Error()
	key := (&Params{Model: "rf", N: 10}).Key()
	for _, want := range []string{key, a + ":1", c + ":1", "test_mse", "0.5 vs 0.6", "both ran on avx2"} {
		if !strings.Contains(msg, want) {
			t.Errorf("conflict message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "different instruction sets") {
		t.Errorf("conflict message blames instruction sets though both are avx2:\n%s", msg)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed merge wrote %s", out)
	}
	for _, p := range []struct {
		prefer Prefer
		want   string
	}{{PreferFirst, "0.5"}, {PreferLast, "0.6"}} {
		rep, err := Merge(out, []string{a, c}, MergeOptions{Prefer: p.prefer})
		if err != nil || len(rep.Conflicts) != 1 {
			t.Fatalf("prefer %v: %+v %v", p.prefer, rep, err)
		}
		recs, _ := ReadRecords(out)
		if v, _ := recs[0].Metric("test_mse"); len(recs) != 1 || jsonNum(v) != p.want {
			t.Errorf("prefer %v kept test_mse %v, want %s", p.prefer, v, p.want)
		}
	}
	d := filepath.Join(dir, "d.jsonl")
	writeRecords(t, d, `{"test_mse":0.6,"isa":"avx512","seconds":3}`)
	rep, _ = Merge(out, []string{a, d}, MergeOptions{Prefer: PreferFirst})
	if s := rep.Conflicts[0].String(); !strings.Contains(s, "different instruction sets (avx2, avx512)") {
		t.Errorf("different ISAs: %s", s)
	}
}

func jsonNum(v float64) string { b, _ := json.Marshal(v); return string(b) }

func TestTruncatedLastLineIsReported(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	writeRecords(t, a, `{"x":1}`)
	f, _ := os.OpenFile(a, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"key":"abc","se`)
	f.Close()
	rf, err := ReadResults(a)
	if err != nil || len(rf.Records) != 1 || rf.Truncated == nil || rf.Truncated.Line != 2 {
		t.Fatalf("ReadResults = %+v, %v; want one record and a truncated line 2", rf, err)
	}
	rep, err := Merge(filepath.Join(dir, "out.jsonl"), []string{a}, MergeOptions{})
	if err != nil || len(rep.Truncated) != 1 || !strings.Contains(rep.Truncated[0].String(), a+":2") {
		t.Errorf("merge: %+v, %v; want the truncated line noted", rep, err)
	}
}

func TestResultsFilesMustBeRegular(t *testing.T) {
	for _, dev := range []string{"/dev/zero", "/dev/full", "/dev/null"} {
		if _, err := os.Stat(dev); err != nil {
			continue
		}
		if _, err := ReadRecords(dev); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadRecords(%s): %v, want refused", dev, err)
		}
		_, err := Run(context.Background(), &Spec{Grid: Grid{N: []int{1}}}, dev, fakeRunner, Options{})
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Run --out %s: %v, want refused", dev, err)
		}
	}
	if _, err := ReadRecords(t.TempDir()); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("a directory: %v", err)
	}
}

func TestLongLineIsBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.jsonl")
	os.WriteFile(p, bytes.Repeat([]byte{'x'}, MaxLineBytes+10), 0o644)
	if _, err := ReadRecords(p); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("a line over MaxLineBytes: %v, want an error", err)
	}
	// Exactly at the bound minus its newline is still read (and here skipped
	// as an unparsable last line).
	os.WriteFile(p, bytes.Repeat([]byte{'x'}, MaxLineBytes), 0o644)
	if rf, err := ReadResults(p); err != nil || rf.Truncated == nil {
		t.Errorf("a line at the bound: %+v, %v", rf, err)
	}
}

func FuzzResults(f *testing.F) {
	var b bytes.Buffer
	p := Params{Model: "rf", N: 10}
	line, _ := encodeRecord(Trial{Key: p.Key(), Seed: 7, Params: p}, json.RawMessage(`{"a":1}`))
	b.Write(line)
	f.Add(b.Bytes())
	f.Add(append(b.Bytes(), line[:20]...))
	f.Add([]byte("\n\n{}\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		recs, good, trunc, err := scanRecords(bytes.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		if good > int64(len(in)) || (trunc == nil && good != int64(len(in)) && len(bytes.TrimSpace(in[good:])) > 0) {
			t.Fatalf("good prefix %d of %d bytes, truncation %v", good, len(in), trunc)
		}
		for _, r := range recs {
			if r.Params.Key() != r.Key {
				t.Fatalf("record with a key that does not match its params: %+v", r)
			}
		}
	})
}

func TestSpecBounds(t *testing.T) {
	if _, err := ParseSpec([]byte(`{"n": [10], "repetitions": 1000000000000000000}`)); err == nil || !strings.Contains(err.Error(), "repetitions") {
		t.Errorf("huge repetitions: %v", err)
	}
	if _, err := ParseSpec([]byte(`{"n": [1,2,3,4,5,6,7,8,9,10], "alpha": [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95], "repetitions": 20000}`)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("2,000,000 trials: %v", err)
	}
	if _, err := LoadSpec("/dev/zero"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("LoadSpec(/dev/zero): %v", err)
	}
	p := filepath.Join(t.TempDir(), "big.json")
	os.WriteFile(p, bytes.Repeat([]byte(" "), MaxSpecBytes+1), 0o644)
	if _, err := LoadSpec(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a spec over MaxSpecBytes: %v", err)
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"seed": 1, "repetitions": 3, "model": ["rf"], "act": ["phi2"], "alpha": [0.5], "n": [10, 100]}`))
	f.Add([]byte(`{"grids": [{"n": [1]}, {"n": [2], "model": ["ntk"]}], "repetitions": 2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSpec(b)
		if err != nil {
			return
		}
		trials, err := s.Trials()
		if err != nil || len(trials) > MaxTrials {
			t.Fatalf("a parsed spec gives %d trials, %v", len(trials), err)
		}
		seen := map[string]bool{}
		for _, tr := range trials {
			if seen[tr.Key] || tr.Key != tr.Params.Key() {
				t.Fatalf("duplicate or wrong key %s", tr.Key)
			}
			seen[tr.Key] = true
		}
	})
}

// Every line records the environment, and merging keeps it.
func TestRecordEnvironment(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	writeRecords(t, a, `{"test_mse":0.5}`)
	out := filepath.Join(dir, "out.jsonl")
	if _, err := Merge(out, []string{a}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{a, out} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r Record
		if err := json.Unmarshal(bytes.TrimSpace(b), &r); err != nil {
			t.Fatal(err)
		}
		if r.Env == nil || r.Env.CPU != environment.CPU || r.Env.GoVersion == "" || r.Env.Platform == "" {
			t.Errorf("%s: env %+v, want %+v", f, r.Env, environment)
		}
	}
}
