package bench

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

// Tiling is the GEMM kernel and blocking of one precision on one path.
type Tiling struct {
	MR int `json:"mr"`
	NR int `json:"nr"`
	KC int `json:"kc"`
	MC int `json:"mc"`
	NC int `json:"nc"`
	// Blocking is "tuned" (from the tuning file) or "derived" (from the
	// cache sizes).
	Blocking string `json:"blocking"`
}

// Kernels is the GEMM set-up of one instruction set.
type Kernels struct {
	ISA    string `json:"isa"`
	Active bool   `json:"active"`
	F64    Tiling `json:"f64"`
	F32    Tiling `json:"f32"`
}

// Machine describes this machine and build for `spurious cpu`: the CPU,
// the instruction sets and their GEMM kernels and blocking, the caches,
// the threads and the Go version.
type Machine struct {
	CPU           string    `json:"cpu"`
	Vendor        string    `json:"vendor"`
	PhysicalCores int       `json:"physical_cores"`
	LogicalCores  int       `json:"logical_cores"`
	ISA           string    `json:"isa"`
	AvailableISAs []string  `json:"available_isas"`
	Kernels       []Kernels `json:"kernels"`
	L1DBytes      int       `json:"l1d_bytes"`
	L2Bytes       int       `json:"l2_bytes"`
	L3Bytes       int       `json:"l3_bytes"`
	CacheSource   string    `json:"cache_source"`
	GOMAXPROCS    int       `json:"gomaxprocs"`
	Threads       int       `json:"threads"`
	GoVersion     string    `json:"go_version"`
	Platform      string    `json:"platform"`
	TuningFile    string    `json:"tuning_file"` // "" when SPURIOUS_TUNING=off
	TuningOff     bool      `json:"tuning_off"`
	TuningEntries int       `json:"tuning_entries"` // entries loaded for this CPU
	TuningNote    string    `json:"tuning_note,omitempty"`
}

func tiling(b linalg.Blocking) Tiling {
	return Tiling{MR: b.MR, NR: b.NR, KC: b.KC, MC: b.MC, NC: b.NC, Blocking: b.Origin}
}

// DescribeMachine collects the Machine report; the kernels of every
// available instruction set are read from their engines (linalg.NewEngine),
// without switching the active one.
func DescribeMachine() (Machine, error) {
	c := linalg.CacheSizes()
	r := Machine{
		CPU: strings.TrimSpace(cpuid.CPU.BrandName), Vendor: cpuid.CPU.VendorString,
		PhysicalCores: cpuid.CPU.PhysicalCores, LogicalCores: cpuid.CPU.LogicalCores,
		ISA: asm.Active(), AvailableISAs: asm.Available(),
		L1DBytes: c.L1D, L2Bytes: c.L2, L3Bytes: c.L3, CacheSource: c.Source,
		GOMAXPROCS: runtime.GOMAXPROCS(0), Threads: linalg.Threads(),
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	tu := linalg.TuningState()
	r.TuningFile, r.TuningOff, r.TuningEntries, r.TuningNote = tu.Path, tu.Off, len(tu.Entries), tu.Note
	for _, isa := range r.AvailableISAs {
		e64, err := linalg.NewEngine[float64](linalg.Settings{ISA: isa})
		if err != nil {
			return r, err
		}
		e32, err := linalg.NewEngine[float32](linalg.Settings{ISA: isa})
		if err != nil {
			return r, err
		}
		r.Kernels = append(r.Kernels, Kernels{
			ISA: isa, Active: isa == r.ISA, F64: tiling(e64.Blocking()), F32: tiling(e32.Blocking()),
		})
	}
	return r, nil
}

// Header is the one-line environment every benchmark output starts
// with: path, CPU, caches, threads and Go version.
func Header() string {
	c := linalg.CacheSizes()
	brand := strings.TrimSpace(cpuid.CPU.BrandName)
	if brand == "" {
		brand = "unknown CPU"
	}
	return fmt.Sprintf("isa=%s cpu=%q L1D=%dK L2=%dK L3=%dM gomaxprocs=%d %s %s/%s",
		asm.Active(), brand, c.L1D>>10, c.L2>>10, c.L3>>20, runtime.GOMAXPROCS(0),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// Build describes the running binary from its build information.
type Build struct {
	Version  string // module version, "(devel)" for a source build
	Revision string // VCS revision, "" when built without VCS information
	Time     string // VCS commit time
	Modified bool   // built with uncommitted changes
}

// String describes b and the running process as `spurious --version`
// prints it: the module version, the VCS revision and time (when the
// binary was built with VCS information), the Go version, the target and
// the instruction set the kernels use.
func (b Build) String() string {
	rev := "unknown (built without VCS information)"
	if b.Revision != "" {
		rev = b.Revision + " (" + b.Time
		if b.Modified {
			rev += ", modified"
		}
		rev += ")"
	}
	return fmt.Sprintf("spurious %s\nrevision %s\n%s %s/%s, ISA %s", b.Version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH, asm.Active())
}

// ReadBuild returns the Build of the running binary.
func ReadBuild() Build {
	b := Build{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if bi.Main.Version != "" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}
