package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/bench"
)

func TestCPUJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"cpu", "--json"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	var r bench.Machine
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	if r.ISA != asm.Active() || len(r.AvailableISAs) == 0 || r.AvailableISAs[0] != asm.Generic {
		t.Errorf("isa %q available %v, want active %q and generic first", r.ISA, r.AvailableISAs, asm.Active())
	}
	if len(r.Kernels) != len(r.AvailableISAs) {
		t.Fatalf("%d kernel entries for %d instruction sets", len(r.Kernels), len(r.AvailableISAs))
	}
	active := 0
	for _, k := range r.Kernels {
		for _, tl := range []bench.Tiling{k.F64, k.F32} {
			if tl.MR <= 0 || tl.NR <= 0 || tl.KC <= 0 || tl.MC%tl.MR != 0 || tl.NC%tl.NR != 0 {
				t.Errorf("%s: implausible tiling %+v", k.ISA, tl)
			}
		}
		if k.Active {
			active++
			if k.ISA != r.ISA {
				t.Errorf("kernel entry %s marked active, want %s", k.ISA, r.ISA)
			}
		}
	}
	if active != 1 {
		t.Errorf("%d kernel entries marked active, want 1", active)
	}
	if r.L1DBytes <= 0 || r.L2Bytes < r.L1DBytes || r.GOMAXPROCS != runtime.GOMAXPROCS(0) || r.GoVersion != runtime.Version() {
		t.Errorf("implausible environment %+v", r)
	}
}

func TestCPUTable(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"cpu", "--isa", "generic"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"isa:        generic", "caches:", "f64 tile", "active"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if asm.Active() == asm.Generic && len(asm.Available()) > 1 {
		t.Error("cpu --isa generic did not restore the active path")
	}
	if err := run(context.Background(), []string{"cpu", "--isa", "bogus"}, &out, &errb); err == nil {
		t.Error("cpu --isa bogus succeeded")
	}
}
