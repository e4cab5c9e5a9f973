package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spurious-ml/spurious/linalg"
)

func TestParseTunePrecisions(t *testing.T) {
	for in, want := range map[string][]string{"both": {"f64", "f32"}, "f64": {"f64"}, "f32": {"f32"}} {
		if got, err := ParseTunePrecisions(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseTunePrecisions(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "f16", "Both", "f64,f32"} {
		if _, err := ParseTunePrecisions(bad); err == nil {
			t.Errorf("ParseTunePrecisions(%q) accepted", bad)
		}
	}
}

func TestTuneReportWriteText(t *testing.T) {
	t.Setenv(linalg.TuningEnv, "off")
	linalg.ReloadTuning()
	t.Cleanup(func() { linalg.ReloadTuning() })
	rep := TuneReport{Seconds: 12, Tuning: linalg.Tuning{CPU: "Test CPU", Entries: []linalg.TunedBlocks{
		{ISA: "avx2", Precision: "f64", MR: 6, NR: 8, KC: 384, MC: 96, NC: 4080, DerivedKC: 256, DerivedMC: 96, DerivedNC: 4080, Speedup: 1.05, Wins: 8, Rounds: 9, Threads: 2},
		{ISA: "avx2", Precision: "f32", MR: 6, NR: 16, KC: 256, MC: 96, NC: 4080, DerivedKC: 256, DerivedMC: 96, DerivedNC: 4080, Speedup: 1, Threads: 2},
	}}}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"cpu: Test CPU; 12 s\n", "  8/9 ", " tuned\n", "-  derived kept\n", "dry run: nothing written\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	rep.Path, rep.Written = "/tmp/x.json", true
	b.Reset()
	rep.WriteText(&b)
	if !strings.Contains(b.String(), "wrote /tmp/x.json; "+linalg.TuningEnv+"=off, so runs ignore it") {
		t.Errorf("written report:\n%s", b.String())
	}
}

func TestTune(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rep, err := Tune(ctx, linalg.TuneOptions{Budget: time.Second, Precisions: []string{"f64"}, Scale: 0.05}, ""); err == nil || len(rep.Tuning.Entries) != 0 {
		t.Errorf("canceled tuning: %+v, %v", rep, err)
	}
	if testing.Short() {
		t.Skip("times GEMM block sizes for a second")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(file, "tuning.json") // below a regular file
	rep, err := Tune(context.Background(), linalg.TuneOptions{Budget: time.Second, Precisions: []string{"f32"}, Scale: 0.05}, bad)
	if err == nil || rep.Written || len(rep.Tuning.Entries) != 1 || !(rep.Seconds > 0) {
		t.Errorf("write to %s: %+v, %v", bad, rep, err)
	}
}
