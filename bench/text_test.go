package bench

import (
	"bytes"
	"strings"
	"testing"
)

func TestMachineWriteText(t *testing.T) {
	m := Machine{
		CPU: "Test CPU", Vendor: "Test", PhysicalCores: 2, LogicalCores: 4, ISA: "avx2",
		AvailableISAs: []string{"generic", "avx2"}, L1DBytes: 48 << 10, L2Bytes: 2 << 20, L3Bytes: 32 << 20,
		CacheSource: "cpuid", Threads: 2, GOMAXPROCS: 4, GoVersion: "go1.x", Platform: "linux/amd64",
		TuningFile: "/tmp/t.json", TuningEntries: 3, TuningNote: "stale",
		Kernels: []Kernels{
			{ISA: "generic", F64: Tiling{4, 4, 256, 64, 1024, "derived"}, F32: Tiling{4, 8, 256, 64, 1024, "derived"}},
			{ISA: "avx2", Active: true, F64: Tiling{6, 8, 320, 96, 4080, "tuned"}, F32: Tiling{6, 16, 320, 96, 4080, "derived"}},
		},
	}
	var b bytes.Buffer
	if err := m.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"cpu:        Test CPU (Test, 2 physical / 4 logical cores)\n",
		"caches:     L1D 48 KiB, L2 2048 KiB per core, L3 32 MiB (cpuid)\n",
		"tuning:     /tmp/t.json (3 entries for this CPU; blocks column: f64/f32)\n",
		"            note: stale\n",
		"6x8", "tuned/derived  active",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	m.TuningOff = true
	b.Reset()
	m.WriteText(&b)
	if !strings.Contains(b.String(), "tuning:     off (") {
		t.Errorf("tuning off not shown:\n%s", b.String())
	}
}

func TestWriteTable(t *testing.T) {
	rs := []Result{{Op: "gemm", Sizes: map[string]int{"n": 8, "m": 4}, Threads: 2, Precision: "f32", ISA: "avx2",
		Seconds: 0.5, BoundSeconds: 0.25, GFLOPS: 12.5, PeakGFLOPS: 25, PeakFraction: 0.5}}
	var b bytes.Buffer
	WriteTable(&b, rs, 12.5e9)
	out := b.String()
	for _, want := range []string{"measured FMA peak: 12.5 GFLOP/s float64 per thread\n", "m=4 n=8", "50.0%"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestBuildString(t *testing.T) {
	b := Build{Version: "v1.2.3", Revision: "abc", Time: "2026-01-02T03:04:05Z", Modified: true}
	got := b.String()
	if !strings.HasPrefix(got, "spurious v1.2.3\nrevision abc (2026-01-02T03:04:05Z, modified)\ngo") || !strings.Contains(got, ", ISA ") {
		t.Errorf("String() = %q", got)
	}
	if got := (Build{Version: "(devel)"}).String(); !strings.Contains(got, "revision unknown (built without VCS information)\n") {
		t.Errorf("String() = %q", got)
	}
}
