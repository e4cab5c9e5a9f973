package linalg

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/spurious-ml/spurious/internal/impl"
)

// useTuning sets SPURIOUS_TUNING to env for the test and makes the engine
// load the tuning again on its next operation (and after the test).
func useTuning(t *testing.T, env string) {
	t.Helper()
	t.Setenv(TuningEnv, env)
	tuningStatus.Store(nil)
	t.Cleanup(func() { tuningStatus.Store(nil) })
}

func TestReloadTuning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tuning.json")
	useTuning(t, path)
	e := derivedEntry[float64]()
	checkDerived(t, e)
	if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{e}}); err != nil {
		t.Fatal(err)
	}
	checkDerived(t, e) // loaded once: the new file is not read yet
	if st := ReloadTuning(); len(st.Entries) != 1 || st.Note != "" {
		t.Errorf("ReloadTuning = %+v", st)
	}
	if b := GemmBlocking[float64](); b.KC != e.KC || b.Origin != "tuned" {
		t.Errorf("after ReloadTuning: %+v", b)
	}
}

// derivedEntry returns an entry for the active path and T whose derived
// values are the current derived block sizes and whose kept values are
// KC/2 (rounded to tuneKCStep), 2*MC, NC + NR.
func derivedEntry[T Float]() TunedBlocks {
	k := newKernel[T]()
	size := int(unsafe.Sizeof(T(0)))
	tuningBypass.Add(1)
	d := blockSizes(k.isa, k.rule, k.mr, k.nr, size)
	tuningBypass.Add(-1)
	return TunedBlocks{
		ISA: k.isa, Precision: precisionName(size), MR: k.mr, NR: k.nr,
		KC: max(tuneKCStep, d.kc/2/tuneKCStep*tuneKCStep), MC: 2 * d.mc, NC: d.nc + k.nr,
		DerivedKC: d.kc, DerivedMC: d.mc, DerivedNC: d.nc, Speedup: 1.1, Wins: 5, Rounds: 5,
	}
}

func TestTuningRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "tuning.json")
	useTuning(t, path)
	e64 := derivedEntry[float64]()
	in := Tuning{CPU: CPUModel(), Created: "2026-12-06T07:00:00Z", Entries: []TunedBlocks{e64}}
	if err := WriteTuning(path, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTuning(path)
	in.Format = TuningFormat
	if err != nil || !reflect.DeepEqual(got, in) {
		t.Fatalf("ReadTuning = %+v, %v; want %+v", got, err, in)
	}

	b64 := GemmBlocking[float64]()
	if b64.KC != e64.KC || b64.MC != e64.MC || b64.NC != e64.NC || b64.Origin != "tuned" {
		t.Errorf("f64 blocking %+v, want the tuned %+v", b64, e64)
	}
	if e := newEngine[float64](); e.blocking != e64.blocking() {
		t.Errorf("the engine uses %+v, want the tuned %+v", e.blocking, e64.blocking())
	}
	if b32 := GemmBlocking[float32](); b32.Origin != "derived" {
		t.Errorf("f32 has no entry but its blocking is %q", b32.Origin)
	}
	st := TuningState()
	if st.Path != path || st.Note != "" || st.Off || len(st.Entries) != 1 {
		t.Errorf("TuningState = %+v", st)
	}

	// The test-only override wins over the tuning.
	restore := setBlockSizes(48, 0, 0)
	if b := GemmBlocking[float64](); b.KC != 48 || b.MC != e64.MC || b.Origin != "override" {
		t.Errorf("with an override: %+v", b)
	}
	restore()

	// Writing another precision keeps the f64 entry; writing f64 again
	// replaces it.
	e32 := derivedEntry[float32]()
	if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{e32}}); err != nil {
		t.Fatal(err)
	}
	e64b := e64
	e64b.MC = e64.DerivedMC
	if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{e64b}}); err != nil {
		t.Fatal(err)
	}
	got, err = ReadTuning(path)
	if err != nil || len(got.Entries) != 2 || !hasEntry(got.Entries, e32.ISA, "f32") ||
		got.Entries[0] != e32 || got.Entries[1] != e64b {
		t.Errorf("after merging: %+v, %v", got, err)
	}
	// A file of another CPU is replaced, not merged.
	other := Tuning{CPU: "another CPU", Entries: []TunedBlocks{e32}}
	if err := WriteTuning(path, other); err != nil {
		t.Fatal(err)
	}
	if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{e64}}); err != nil {
		t.Fatal(err)
	}
	if got, err = ReadTuning(path); err != nil || len(got.Entries) != 1 || got.Entries[0] != e64 {
		t.Errorf("over another CPU's file: %+v, %v", got, err)
	}
	// No temporary file is left behind.
	files, _ := os.ReadDir(filepath.Dir(path))
	if len(files) != 1 {
		t.Errorf("folder holds %d files, want only tuning.json", len(files))
	}
	// An invalid entry is refused.
	bad := e64
	bad.MC++
	if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{bad}}); err == nil {
		t.Error("WriteTuning accepted MC not a multiple of MR")
	}
}

// TestTuningIgnored writes unusable tuning files and checks that each is
// ignored with a note, the engine keeping the derived block sizes.
func TestTuningIgnored(t *testing.T) {
	e := derivedEntry[float64]()
	valid := func(mod func(*Tuning)) Tuning {
		tu := Tuning{Format: TuningFormat, CPU: CPUModel(), Entries: []TunedBlocks{e}}
		mod(&tu)
		return tu
	}
	cases := []struct {
		name, content, note string
	}{
		{"empty", "", "corrupt"},
		{"truncated", `{"format": 1, "cpu": "x", "entries": [`, "corrupt"},
		{"not json", "KC=96\n", "corrupt"},
		{"trailing", marshal(t, valid(func(*Tuning) {})) + "{}", "corrupt"},
		{"wrong type", `{"format": "1"}`, "corrupt"},
		{"other cpu", marshal(t, valid(func(tu *Tuning) { tu.CPU = "Some Other CPU @ 1.0GHz" })), "Some Other CPU"},
		{"other format", marshal(t, valid(func(tu *Tuning) { tu.Format = TuningFormat + 1 })), "format"},
		{"no format", marshal(t, valid(func(tu *Tuning) { tu.Format = 0 })), "format"},
		{"mc not a multiple of mr", marshal(t, valid(func(tu *Tuning) { tu.Entries[0].MC = e.MR*3 + 1 })), "mc ="},
		{"zero kc", marshal(t, valid(func(tu *Tuning) { tu.Entries[0].KC = 0 })), "kc ="},
		{"huge nc", marshal(t, valid(func(tu *Tuning) { tu.Entries[0].NC = e.NR * 1e7 })), "nc ="},
		{"bad precision", marshal(t, valid(func(tu *Tuning) { tu.Entries[0].Precision = "f16" })), "precision"},
		{"duplicate", marshal(t, valid(func(tu *Tuning) { tu.Entries = append(tu.Entries, e) })), "two entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tuning.json")
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			useTuning(t, path)
			checkDerived(t, e)
			st := TuningState()
			if len(st.Entries) != 0 || !strings.Contains(st.Note, c.note) || !strings.Contains(st.Note, "ignored") {
				t.Errorf("TuningState = %+v, want no entries and a note about %q", st, c.note)
			}
		})
	}

	t.Run("stale derived values", func(t *testing.T) {
		// An entry measured against other derived block sizes (other
		// caches or rules) is loaded but not used.
		path := filepath.Join(t.TempDir(), "tuning.json")
		stale := e
		stale.DerivedKC += tuneKCStep
		if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{stale}}); err != nil {
			t.Fatal(err)
		}
		useTuning(t, path)
		checkDerived(t, e)
		if st := TuningState(); len(st.Entries) != 1 || !strings.Contains(st.Note, "run spurious tune again") {
			t.Errorf("TuningState = %+v, want a note about the stale entry", st)
		}
	})
	t.Run("other isa", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tuning.json")
		o := e
		o.ISA = "not-" + e.ISA
		if err := WriteTuning(path, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{o}}); err != nil {
			t.Fatal(err)
		}
		useTuning(t, path)
		checkDerived(t, e)
	})
	t.Run("missing file named by the variable", func(t *testing.T) {
		useTuning(t, filepath.Join(t.TempDir(), "none.json"))
		checkDerived(t, e)
		if st := TuningState(); !strings.Contains(st.Note, "names no file") {
			t.Errorf("note %q", st.Note)
		}
	})
}

// checkDerived fails unless Gemm uses the derived block sizes of entry e.
func checkDerived(t *testing.T, e TunedBlocks) {
	t.Helper()
	b := GemmBlocking[float64]()
	if b.KC != e.DerivedKC || b.MC != e.DerivedMC || b.NC != e.DerivedNC || b.Origin != "derived" {
		t.Errorf("blocking %+v, want the derived KC %d MC %d NC %d", b, e.DerivedKC, e.DerivedMC, e.DerivedNC)
	}
}

// marshal returns tu as JSON (its Format as set).
func marshal(t *testing.T, tu Tuning) string {
	t.Helper()
	data, err := json.MarshalIndent(tu, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestTuningOffAndDefaultPath(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	useTuning(t, "")
	dir, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache folder on this system:", err)
	}
	want := filepath.Join(dir, "spurious", "tuning.json")
	if got, err := TuningFile(); err != nil || got != want {
		t.Fatalf("TuningFile = %q, %v; want %q", got, err, want)
	}
	e := derivedEntry[float64]()
	if err := WriteTuning(want, Tuning{CPU: CPUModel(), Entries: []TunedBlocks{e}}); err != nil {
		t.Fatal(err)
	}
	if b := GemmBlocking[float64](); b.KC != e.KC || b.Origin != "tuned" {
		t.Errorf("default file not used: %+v", b)
	}

	useTuning(t, "off")
	checkDerived(t, e)
	if st := TuningState(); !st.Off || st.Path != "" || st.Note != "" || len(st.Entries) != 0 {
		t.Errorf("with %s=off: %+v", TuningEnv, st)
	}
	// spurious tune still writes to the default file.
	if got, err := TuningFile(); err != nil || got != want {
		t.Errorf("TuningFile with off = %q, %v", got, err)
	}
	useTuning(t, "OFF")
	checkDerived(t, e)
}

// TestBlockingBits checks the claim of the package doc: the result of a
// product does not depend on MC, NC or the number of threads, only on KC
// (which splits the sums over k).
func TestBlockingBits(t *testing.T) {
	forEachPrec(t, testBlockingBits[float64], testBlockingBits[float32])
}

func testBlockingBits[T Float](t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		const m, k, n = 203, 300, 157
		rng := rand.New(rand.NewPCG(7, 8))
		rnd := func(r, c int) Matrix[T] {
			x := NewMatrix[T](r, c)
			for i := range x.Data {
				x.Data[i] = T(rng.NormFloat64())
			}
			return x
		}
		a, b, c0 := rnd(m, k), rnd(n, k), rnd(m, n)
		mr, nr := newKernel[T]().mr, newKernel[T]().nr
		prod := func(kc, mc, nc, threads int) []T {
			defer setBlockSizes(kc, mc, nc)()
			defer SetThreads(SetThreads(threads))
			c := NewMatrix[T](m, n)
			copy(c.Data, c0.Data)
			Gemm(NoTrans, Trans, 1.25, a, b, 0.5, c)
			return c.Data
		}
		for _, kc := range []int{32, 128} {
			want := prod(kc, mr, nr, 1)
			for _, bl := range [][3]int{{mr, 2 * nr, 2}, {3 * mr, nr, 2}, {64, 64, 1}, {1024, 4096, 2}, {5 * mr, 7 * nr, 2}} {
				if got := prod(kc, bl[0], bl[1], bl[2]); !slices.Equal(got, want) {
					t.Errorf("KC %d: MC %d NC %d on %d threads changes the result", kc, bl[0], bl[1], bl[2])
				}
			}
		}
		if slices.Equal(prod(32, 64, 64, 1), prod(128, 64, 64, 1)) {
			t.Error("KC 32 and 128 gave identical results: the doc's claim that KC changes the last bits is untested")
		}
	})
}

// FuzzParseTuning feeds arbitrary bytes to the tuning-file parser: it must
// never panic, and what it accepts must be a valid table that survives a
// write and read unchanged.
func FuzzParseTuning(f *testing.F) {
	e := TunedBlocks{ISA: "avx2", Precision: "f64", MR: 4, NR: 12, KC: 256, MC: 128, NC: 1200,
		DerivedKC: 320, DerivedMC: 96, DerivedNC: 2400, Speedup: 1.05, Wins: 9, Rounds: 9}
	good, _ := json.Marshal(Tuning{Format: TuningFormat, CPU: "x", Entries: []TunedBlocks{e}})
	f.Add(good)
	f.Add([]byte(`{"format":1,"cpu":"x","entries":[]}`))
	f.Add([]byte(`{"format":1,"entries":[{"isa":"neon","precision":"f32","mr":8,"nr":8,"kc":1,"mc":8,"nc":8}]}`))
	f.Add([]byte(`{"format":2}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tu, err := parseTuning("fuzz", data)
		if err != nil {
			return
		}
		for _, e := range tu.Entries {
			if e.check() != nil || e.MC%e.MR != 0 || e.NC%e.NR != 0 || e.KC <= 0 {
				t.Fatalf("accepted an invalid entry %+v", e)
			}
		}
		path := filepath.Join(t.TempDir(), "t.json")
		if err := WriteTuning(path, tu); err != nil {
			t.Fatal(err)
		}
		back, err := ReadTuning(path)
		if err != nil || len(back.Entries) != len(tu.Entries) {
			t.Fatalf("round trip: %+v, %v; want %+v", back, err, tu)
		}
		for i := range back.Entries {
			if back.Entries[i] != tu.Entries[i] {
				t.Fatalf("round trip: %+v, want %+v", back.Entries[i], tu.Entries[i])
			}
		}
	})
}
