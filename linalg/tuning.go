package linalg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/cpuid/v2"

	"github.com/spurious-ml/spurious/internal/outfile"
)

// This file holds the tuning table: block sizes measured on this machine
// by Tune (tuner.go) that replace the derived KC, MC, NC of blockSizes
// (tune.go), and the small JSON file that keeps them between runs.

// TuningFormat is the version of the tuning file this build reads and
// writes; a file of another version is ignored.
const TuningFormat = 1

// TuningEnv is the environment variable that controls the tuning file:
// "off" disables it, any other non-empty value is the path to read.
const TuningEnv = "SPURIOUS_TUNING"

// maxTuningFile bounds the size of a tuning file read, in bytes; a real
// one is well under a kilobyte per entry.
const maxTuningFile = 1 << 20

// Bounds a tuned block size must respect to be used; outside them the file
// is taken as corrupt.
const (
	maxTunedKC = 4096
	maxTunedMC = 8192
	maxTunedNC = 65536
)

// TunedBlocks is the outcome of tuning the GEMM block sizes of one
// precision on one instruction set: the blocking kept (KC, MC, NC), the
// derived blocking it was measured against, and the evidence. When no
// candidate beat the derived blocking clearly, KC, MC, NC are the derived
// values and Speedup is 1.
type TunedBlocks struct {
	ISA       string `json:"isa"`
	Precision string `json:"precision"` // "f64" or "f32"
	MR        int    `json:"mr"`        // the kernel's register tile
	NR        int    `json:"nr"`
	KC        int    `json:"kc"`
	MC        int    `json:"mc"`
	NC        int    `json:"nc"`
	DerivedKC int    `json:"derived_kc"`
	DerivedMC int    `json:"derived_mc"`
	DerivedNC int    `json:"derived_nc"`
	// Speedup is the median time of the derived blocking over that of the
	// kept one in the final confirmation rounds; Wins of Rounds paired
	// rounds were won by the kept one.
	Speedup float64 `json:"speedup"`
	Wins    int     `json:"wins"`
	Rounds  int     `json:"rounds"`
	Threads int     `json:"threads"` // goroutines the timed products ran on
}

// Tuned reports whether the entry changes the blocking, that is whether a
// candidate beat the derived one.
func (b TunedBlocks) Tuned() bool {
	return b.KC != b.DerivedKC || b.MC != b.DerivedMC || b.NC != b.DerivedNC
}

func (b TunedBlocks) blocking() blocking { return blocking{kc: b.KC, mc: b.MC, nc: b.NC} }
func (b TunedBlocks) derived() blocking {
	return blocking{kc: b.DerivedKC, mc: b.DerivedMC, nc: b.DerivedNC}
}
func (b TunedBlocks) key() (string, string) { return b.ISA, b.Precision }

// check reports what makes the entry unusable, or nil.
func (b TunedBlocks) check() error {
	switch {
	case b.ISA == "":
		return errors.New("an entry has no isa")
	case b.Precision != "f64" && b.Precision != "f32":
		return fmt.Errorf("entry %s: precision %q is neither f64 nor f32", b.ISA, b.Precision)
	case b.MR <= 0 || b.NR <= 0:
		return fmt.Errorf("entry %s %s: tile %dx%d", b.ISA, b.Precision, b.MR, b.NR)
	}
	for _, v := range []struct {
		name       string
		val, hi, m int
	}{
		{"kc", b.KC, maxTunedKC, 1}, {"mc", b.MC, maxTunedMC, b.MR}, {"nc", b.NC, maxTunedNC, b.NR},
		{"derived_kc", b.DerivedKC, maxTunedKC, 1}, {"derived_mc", b.DerivedMC, maxTunedMC, b.MR},
		{"derived_nc", b.DerivedNC, maxTunedNC, b.NR},
	} {
		if v.val <= 0 || v.val > v.hi || v.val%v.m != 0 {
			return fmt.Errorf("entry %s %s: %s = %d is not a multiple of %d in [1, %d]", b.ISA, b.Precision, v.name, v.val, v.m, v.hi)
		}
	}
	return nil
}

// Tuning is the content of a tuning file: the block sizes tuned on one CPU
// model, at most one entry per instruction set and precision.
type Tuning struct {
	Format  int           `json:"format"`  // TuningFormat
	CPU     string        `json:"cpu"`     // CPUModel() of the machine that tuned
	Created string        `json:"created"` // RFC 3339 time of the (last) tuning
	Entries []TunedBlocks `json:"entries"`
}

// CPUModel returns the CPU model string tuning files are keyed by: the
// brand string cpuid reports (or the vendor when there is none, common on
// arm64) with the family and model numbers, which tell apart the
// generations a virtual machine reports under one brand string (such as
// "Intel(R) Xeon(R) Processor").
func CPUModel() string {
	b := strings.TrimSpace(cpuid.CPU.BrandName)
	if b == "" {
		b = cpuid.CPU.VendorString
	}
	return fmt.Sprintf("%s (family %d model %d)", b, cpuid.CPU.Family, cpuid.CPU.Model)
}

// TuningFile returns the path of the tuning file: the value of
// SPURIOUS_TUNING when it names a path, else tuning.json in the folder
// spurious of os.UserCacheDir. It fails only when there is no user cache
// folder (no $HOME or $XDG_CACHE_HOME).
func TuningFile() (string, error) {
	if v := strings.TrimSpace(os.Getenv(TuningEnv)); v != "" && !strings.EqualFold(v, "off") {
		return v, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache folder for the tuning file (%w); set %s to a path", err, TuningEnv)
	}
	return filepath.Join(dir, "spurious", "tuning.json"), nil
}

// ReadTuning reads and checks a tuning file. It does not compare the CPU
// with this machine's; an error says why the file cannot be used.
func ReadTuning(path string) (Tuning, error) {
	f, err := os.Open(path)
	if err != nil {
		return Tuning{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTuningFile+1))
	if err != nil {
		return Tuning{}, err
	}
	if len(data) > maxTuningFile {
		return Tuning{}, fmt.Errorf("%s: corrupt tuning file (larger than %d bytes)", path, maxTuningFile)
	}
	return parseTuning(path, data)
}

// parseTuning decodes and checks the content of a tuning file.
func parseTuning(path string, data []byte) (Tuning, error) {
	var t Tuning
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&t); err != nil {
		return Tuning{}, fmt.Errorf("%s: corrupt tuning file: %v", path, err)
	}
	if dec.More() {
		return Tuning{}, fmt.Errorf("%s: corrupt tuning file: data after the JSON object", path)
	}
	if t.Format != TuningFormat {
		return Tuning{}, fmt.Errorf("%s: tuning file of format %d, this build reads format %d", path, t.Format, TuningFormat)
	}
	seen := map[[2]string]bool{}
	for _, e := range t.Entries {
		if err := e.check(); err != nil {
			return Tuning{}, fmt.Errorf("%s: corrupt tuning file: %v", path, err)
		}
		isa, prec := e.key()
		if seen[[2]string{isa, prec}] {
			return Tuning{}, fmt.Errorf("%s: corrupt tuning file: two entries for %s %s", path, isa, prec)
		}
		seen[[2]string{isa, prec}] = true
	}
	return t, nil
}

// WriteTuning writes t to path atomically (a temporary file in the same
// folder, then a rename; a symbolic link's target is written, a device or
// pipe written through, see internal/outfile), creating the folder if
// needed. When path holds a
// valid file of the same CPU and format, its entries for other instruction
// sets and precisions are kept. The engine of a running process keeps the
// tuning it loaded at start-up.
func WriteTuning(path string, t Tuning) error {
	t.Format = TuningFormat
	for _, e := range t.Entries {
		if err := e.check(); err != nil {
			return fmt.Errorf("linalg: WriteTuning: %v", err)
		}
	}
	if old, err := ReadTuning(path); err == nil && old.CPU == t.CPU {
		var merged []TunedBlocks
		for _, o := range old.Entries {
			if !hasEntry(t.Entries, o.ISA, o.Precision) {
				merged = append(merged, o)
			}
		}
		t.Entries = append(merged, t.Entries...)
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Atomic for a regular file; a link's target, a device or a pipe is
	// written through rather than replaced.
	err = outfile.Write(path, nil, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("writing the tuning file: %w", err)
	}
	return nil
}

func hasEntry(es []TunedBlocks, isa, prec string) bool {
	for _, e := range es {
		if e.ISA == isa && e.Precision == prec {
			return true
		}
	}
	return false
}

// TuningStatus is what the engine made of the tuning file at start-up.
type TuningStatus struct {
	Path    string        // the file consulted; "" when disabled or there is no cache folder
	Off     bool          // SPURIOUS_TUNING=off
	Entries []TunedBlocks // the entries loaded: this CPU model, this format
	// Note says why the file was ignored (corrupt, other CPU, other
	// format, unreadable) or, once an operation met one, why an entry was
	// (measured against other derived block sizes: other caches or
	// rules); "" when it was used or does not exist.
	Note string
}

// tuningStatus is the loaded tuning; nil until the first use. staleNote
// is the note about the first stale entry an operation met.
var (
	tuningStatus atomic.Pointer[TuningStatus]
	staleNote    atomic.Pointer[string]
	tuningMu     sync.Mutex
)

// TuningState returns the tuning the engine uses, loading the file on the
// first call (the engine also loads it on its first operation). The file
// is read once per process; SPURIOUS_TUNING is read then.
func TuningState() TuningStatus {
	s := *loadedTuning()
	s.Entries = append([]TunedBlocks(nil), s.Entries...)
	if n := staleNote.Load(); n != nil && s.Note == "" {
		s.Note = *n
	}
	return s
}

// ReloadTuning reads the tuning file again, as at start-up (after
// SPURIOUS_TUNING changed or spurious tune wrote the file), and returns
// what the engine uses from now on. Operations already running keep the
// block sizes they started with.
func ReloadTuning() TuningStatus {
	tuningMu.Lock()
	tuningStatus.Store(loadTuning(CPUModel()))
	staleNote.Store(nil)
	tuningMu.Unlock()
	return TuningState()
}

func loadedTuning() *TuningStatus {
	if s := tuningStatus.Load(); s != nil {
		return s
	}
	tuningMu.Lock()
	defer tuningMu.Unlock()
	if s := tuningStatus.Load(); s != nil {
		return s
	}
	s := loadTuning(CPUModel())
	tuningStatus.Store(s)
	staleNote.Store(nil)
	return s
}

// loadTuning reads the tuning file SPURIOUS_TUNING designates for the CPU
// model cpu. Nothing here fails: a file that cannot be used leaves no
// entries and a note.
func loadTuning(cpu string) *TuningStatus {
	env := strings.TrimSpace(os.Getenv(TuningEnv))
	if strings.EqualFold(env, "off") {
		return &TuningStatus{Off: true}
	}
	path, err := TuningFile()
	if err != nil {
		return &TuningStatus{Note: err.Error()}
	}
	s := &TuningStatus{Path: path}
	t, err := ReadTuning(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && env == "":
		// Not tuned on this machine: the derived block sizes, silently.
	case errors.Is(err, fs.ErrNotExist):
		s.Note = fmt.Sprintf("tuning file ignored: %s=%s names no file; block sizes derived from the caches", TuningEnv, env)
	case err != nil:
		s.Note = fmt.Sprintf("tuning file ignored: %v; run spurious tune again or delete it", err)
	case t.CPU != cpu:
		s.Note = fmt.Sprintf("tuning file ignored: %s was tuned on %q, this CPU is %q; run spurious tune here", path, t.CPU, cpu)
	default:
		s.Entries = t.Entries
	}
	return s
}

// tuningBypass, while positive, makes blockSizes ignore the tuning (Tune
// measures against the derived block sizes).
var tuningBypass atomic.Int32

// tunedBlockSizes returns the tuned block sizes of instruction set isa for
// an mr x nr kernel on elements of size bytes, when the loaded tuning has
// an entry for them that was measured against the derived blocking d;
// otherwise d. An entry tuned against other derived values (other cache
// sizes, other rules) is stale and ignored.
func tunedBlockSizes(d blocking, isa string, mr, nr, size int) blocking {
	if tuningBypass.Load() > 0 {
		return d
	}
	e, ok := tuningEntry(isa, mr, nr, size)
	switch {
	case !ok:
	case e.derived() == d:
		return e.blocking()
	case e.Tuned() && staleNote.Load() == nil:
		n := fmt.Sprintf("tuning entry %s %s ignored: measured against KC %d MC %d NC %d, the derived block sizes are now KC %d MC %d NC %d (other caches or rules); run spurious tune again",
			e.ISA, e.Precision, e.DerivedKC, e.DerivedMC, e.DerivedNC, d.kc, d.mc, d.nc)
		staleNote.CompareAndSwap(nil, &n)
	}
	return d
}

// tuningEntry returns the loaded entry of instruction set isa for an
// mr x nr kernel on elements of size bytes.
func tuningEntry(isa string, mr, nr, size int) (TunedBlocks, bool) {
	prec := precisionName(size)
	for _, e := range loadedTuning().Entries {
		if e.ISA == isa && e.Precision == prec && e.MR == mr && e.NR == nr {
			return e, true
		}
	}
	return TunedBlocks{}, false
}

// blockOrigin says where the block sizes b of instruction set isa for an
// mr x nr kernel on elements of size bytes come from: "tuned" (the tuning
// file), "override" (tests) or "derived" (the cache sizes).
func blockOrigin(b blocking, isa string, mr, nr, size int) string {
	if blockOverride.Load() != nil {
		return "override"
	}
	if e, ok := tuningEntry(isa, mr, nr, size); ok && e.Tuned() && tuningBypass.Load() == 0 && e.blocking() == b {
		return "tuned"
	}
	return "derived"
}

// precisionName is "f64" for 8-byte elements and "f32" for 4-byte ones.
func precisionName(size int) string {
	if size == 4 {
		return "f32"
	}
	return "f64"
}
