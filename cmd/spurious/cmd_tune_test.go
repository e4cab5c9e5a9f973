package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/linalg"
)

// withTuning sets SPURIOUS_TUNING for the test and reloads the tuning,
// before and after.
func withTuning(t *testing.T, env string) {
	t.Helper()
	t.Setenv(linalg.TuningEnv, env)
	linalg.ReloadTuning()
	t.Cleanup(func() { linalg.ReloadTuning() })
}

func TestTuneCommand(t *testing.T) {
	withTuning(t, "off")
	out := filepath.Join(t.TempDir(), "tuning.json")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"tune", "--budget", "1s", "--scale", "0.05", "--precision", "f64", "--out", out, "--json"}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err, stderr.String())
	}
	var rep bench.TuneReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stdout.String())
	}
	if !rep.Written || rep.Path != out || len(rep.Tuning.Entries) != 1 || rep.Tuning.Entries[0].ISA != asm.Active() {
		t.Errorf("report %+v", rep)
	}
	saved, err := linalg.ReadTuning(out)
	if err != nil || len(saved.Entries) != 1 || saved.Entries[0] != rep.Tuning.Entries[0] {
		t.Errorf("file holds %+v, %v", saved, err)
	}
	if !strings.Contains(stderr.String(), "tune "+asm.Active()+" f64:") {
		t.Errorf("no progress lines on stderr:\n%s", stderr.String())
	}

	// The generic path, as on a machine without SIMD; a dry run writes
	// nothing.
	dry := filepath.Join(t.TempDir(), "dry.json")
	stdout.Reset()
	if err := run(context.Background(), []string{"tune", "--isa", "generic", "--budget", "1s", "--scale", "0.05", "--precision", "f32", "--out", dry, "--dry-run"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "generic") || !strings.Contains(stdout.String(), "dry run") {
		t.Errorf("dry run printed:\n%s", stdout.String())
	}
	if _, err := os.Stat(dry); !os.IsNotExist(err) {
		t.Errorf("a dry run wrote %s", dry)
	}
}

// TestTuneInterrupted checks that a cancelled tune writes nothing.
func TestTuneInterrupted(t *testing.T) {
	withTuning(t, "off")
	dir := t.TempDir()
	out := filepath.Join(dir, "tuning.json")
	for _, early := range []bool{true, false} {
		// Cancelled before it starts, or by its first progress line (as
		// by Ctrl-C).
		ctx, cancel := context.WithCancel(context.Background())
		if early {
			cancel()
		}
		var stdout bytes.Buffer
		stderr := cancelOnWrite{cancel}
		err := run(ctx, []string{"tune", "--budget", "1m", "--scale", "0.1", "--out", out}, &stdout, stderr)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "nothing written") {
			t.Errorf("interrupted tune: %v", err)
		}
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Errorf("interrupted tune left %d files", len(files))
		}
	}
}

// cancelOnWrite is a writer that cancels a context on every write.
type cancelOnWrite struct{ cancel context.CancelFunc }

func (c cancelOnWrite) Write(p []byte) (int, error) {
	c.cancel()
	return len(p), nil
}

func TestTuneFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--precision", "f16"}, {"--budget", "0s"}, {"--scale", "2"}, {"--scale", "-0.5"}, {"--isa", "bogus"}, {"extra"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), append([]string{"tune", "--dry-run"}, args...), &stdout, &stderr); err == nil {
			t.Errorf("tune %v succeeded", args)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"tune", "--help"}, &stdout, &stderr); err != nil || !strings.Contains(stderr.String(), "writes nothing") {
		t.Errorf("tune --help: %v\n%s", err, stderr.String())
	}
}

// TestCPUTuning checks what spurious cpu says about the tuning file: a
// file of this CPU makes the blocks "tuned", one of another CPU is
// ignored with a note, off says so.
func TestCPUTuning(t *testing.T) {
	withTuning(t, "off")
	b := linalg.GemmBlocking[float64]()
	e := linalg.TunedBlocks{
		ISA: b.ISA, Precision: "f64", MR: b.MR, NR: b.NR, KC: b.KC + 16, MC: b.MC, NC: b.NC,
		DerivedKC: b.KC, DerivedMC: b.MC, DerivedNC: b.NC, Speedup: 1.1, Wins: 9, Rounds: 9,
	}
	path := filepath.Join(t.TempDir(), "tuning.json")
	if err := linalg.WriteTuning(path, linalg.Tuning{CPU: linalg.CPUModel(), Entries: []linalg.TunedBlocks{e}}); err != nil {
		t.Fatal(err)
	}
	cpu := func() (bench.Machine, string) {
		var js, table, stderr bytes.Buffer
		if err := run(context.Background(), []string{"cpu", "--json"}, &js, &stderr); err != nil {
			t.Fatal(err)
		}
		if err := run(context.Background(), []string{"cpu"}, &table, &stderr); err != nil {
			t.Fatal(err)
		}
		var r bench.Machine
		if err := json.Unmarshal(js.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return r, table.String()
	}
	active := func(r bench.Machine) bench.Kernels {
		for _, k := range r.Kernels {
			if k.Active {
				return k
			}
		}
		t.Fatal("no active kernel")
		return bench.Kernels{}
	}

	withTuning(t, path)
	r, table := cpu()
	if k := active(r); k.F64.KC != e.KC || k.F64.Blocking != "tuned" || k.F32.Blocking != "derived" || r.TuningFile != path || r.TuningEntries != 1 {
		t.Errorf("with a tuning file: %+v %+v", r, k)
	}
	if !strings.Contains(table, "tuned/derived") || !strings.Contains(table, path) {
		t.Errorf("table:\n%s", table)
	}

	if err := linalg.WriteTuning(path, linalg.Tuning{CPU: "Another CPU", Entries: []linalg.TunedBlocks{e}}); err != nil {
		t.Fatal(err)
	}
	withTuning(t, path)
	r, table = cpu()
	if k := active(r); k.F64.KC != b.KC || k.F64.Blocking != "derived" || !strings.Contains(r.TuningNote, "Another CPU") {
		t.Errorf("with another CPU's file: %+v", r)
	}
	if !strings.Contains(table, "note: tuning file ignored") || !strings.Contains(table, "Another CPU") {
		t.Errorf("table lacks the note:\n%s", table)
	}

	withTuning(t, "off")
	if r, table = cpu(); !r.TuningOff || !strings.Contains(table, "tuning:     off") {
		t.Errorf("off: %+v\n%s", r, table)
	}
}
