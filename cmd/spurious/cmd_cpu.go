package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/klauspost/cpuid/v2"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/internal/impl"
	"github.com/spurious-ml/spurious/linalg"
)

func init() {
	register("cpu", "detected instruction sets, GEMM kernels, cache and block sizes", runCPU)
}

// cpuTiling is the GEMM kernel and blocking of one precision on one path.
type cpuTiling struct {
	MR int `json:"mr"`
	NR int `json:"nr"`
	KC int `json:"kc"`
	MC int `json:"mc"`
	NC int `json:"nc"`
	// Blocking is "tuned" (from the tuning file) or "derived" (from the
	// cache sizes).
	Blocking string `json:"blocking"`
}

// cpuKernels is the GEMM set-up of one instruction set.
type cpuKernels struct {
	ISA    string    `json:"isa"`
	Active bool      `json:"active"`
	F64    cpuTiling `json:"f64"`
	F32    cpuTiling `json:"f32"`
}

// cpuReport is the output of `spurious cpu`.
type cpuReport struct {
	CPU           string       `json:"cpu"`
	Vendor        string       `json:"vendor"`
	PhysicalCores int          `json:"physical_cores"`
	LogicalCores  int          `json:"logical_cores"`
	ISA           string       `json:"isa"`
	AvailableISAs []string     `json:"available_isas"`
	Kernels       []cpuKernels `json:"kernels"`
	L1DBytes      int          `json:"l1d_bytes"`
	L2Bytes       int          `json:"l2_bytes"`
	L3Bytes       int          `json:"l3_bytes"`
	CacheSource   string       `json:"cache_source"`
	GOMAXPROCS    int          `json:"gomaxprocs"`
	Threads       int          `json:"threads"`
	GoVersion     string       `json:"go_version"`
	Platform      string       `json:"platform"`
	TuningFile    string       `json:"tuning_file"` // "" when SPURIOUS_TUNING=off
	TuningOff     bool         `json:"tuning_off"`
	TuningEntries int          `json:"tuning_entries"` // entries loaded for this CPU
	TuningNote    string       `json:"tuning_note,omitempty"`
}

func tiling(b linalg.Blocking) cpuTiling {
	return cpuTiling{MR: b.MR, NR: b.NR, KC: b.KC, MC: b.MC, NC: b.NC, Blocking: b.Origin}
}

// describeCPU collects the report. It selects each available instruction
// set in turn to read its kernels and restores the active one.
func describeCPU() (cpuReport, error) {
	c := linalg.CacheSizes()
	r := cpuReport{
		CPU: strings.TrimSpace(cpuid.CPU.BrandName), Vendor: cpuid.CPU.VendorString,
		PhysicalCores: cpuid.CPU.PhysicalCores, LogicalCores: cpuid.CPU.LogicalCores,
		ISA: asm.Active(), AvailableISAs: asm.Available(),
		L1DBytes: c.L1D, L2Bytes: c.L2, L3Bytes: c.L3, CacheSource: c.Source,
		GOMAXPROCS: runtime.GOMAXPROCS(0), Threads: linalg.Threads(),
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	tu := linalg.TuningState()
	r.TuningFile, r.TuningOff, r.TuningEntries, r.TuningNote = tu.Path, tu.Off, len(tu.Entries), tu.Note
	active := r.ISA
	defer impl.Select(active) //nolint:errcheck // re-selecting the active path cannot fail
	for _, isa := range r.AvailableISAs {
		if err := impl.Select(isa); err != nil {
			return r, err
		}
		r.Kernels = append(r.Kernels, cpuKernels{
			ISA: isa, Active: isa == active,
			F64: tiling(linalg.GemmBlocking[float64]()), F32: tiling(linalg.GemmBlocking[float32]()),
		})
	}
	return r, nil
}

// envHeader is the one-line environment every benchmark output starts
// with: path, CPU, caches, threads and Go version.
func envHeader() string {
	c := linalg.CacheSizes()
	brand := strings.TrimSpace(cpuid.CPU.BrandName)
	if brand == "" {
		brand = "unknown CPU"
	}
	return fmt.Sprintf("isa=%s cpu=%q L1D=%dK L2=%dK L3=%dM gomaxprocs=%d %s %s/%s",
		asm.Active(), brand, c.L1D>>10, c.L2>>10, c.L3>>20, runtime.GOMAXPROCS(0),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// blockingSummary describes the GEMM block sizes in use for both
// precisions, for the environment lines of reports: results depend on KC
// in the last bits.
func blockingSummary() string {
	b64, b32 := linalg.GemmBlocking[float64](), linalg.GemmBlocking[float32]()
	return fmt.Sprintf("GEMM blocks f64 KC %d MC %d NC %d (%s), f32 KC %d MC %d NC %d (%s)",
		b64.KC, b64.MC, b64.NC, b64.Origin, b32.KC, b32.MC, b32.NC, b32.Origin)
}

// runCPU implements `spurious cpu`.
func runCPU(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cpu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	isa := fs.String("isa", "", isaUsage)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: spurious cpu [--isa X] [--json]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	restore, err := selectISA(*isa)
	if err != nil {
		return err
	}
	defer restore()
	r, err := describeCPU()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "cpu:        %s (%s, %d physical / %d logical cores)\n", r.CPU, r.Vendor, r.PhysicalCores, r.LogicalCores)
	fmt.Fprintf(stdout, "isa:        %s (available: %s)\n", r.ISA, strings.Join(r.AvailableISAs, ", "))
	fmt.Fprintf(stdout, "caches:     L1D %d KiB, L2 %d KiB per core, L3 %d MiB (%s)\n", r.L1DBytes>>10, r.L2Bytes>>10, r.L3Bytes>>20, r.CacheSource)
	fmt.Fprintf(stdout, "threads:    %d (GOMAXPROCS %d)\n", r.Threads, r.GOMAXPROCS)
	fmt.Fprintf(stdout, "go:         %s %s\n", r.GoVersion, r.Platform)
	switch {
	case r.TuningOff:
		fmt.Fprintf(stdout, "tuning:     off (%s=off): block sizes derived from the caches\n", linalg.TuningEnv)
	case r.TuningEntries > 0:
		fmt.Fprintf(stdout, "tuning:     %s (%d entries for this CPU; blocks column: f64/f32)\n", r.TuningFile, r.TuningEntries)
	default:
		fmt.Fprintf(stdout, "tuning:     none loaded (%s): block sizes derived from the caches; spurious tune measures them\n", r.TuningFile)
	}
	if r.TuningNote != "" {
		fmt.Fprintf(stdout, "            note: %s\n", r.TuningNote)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "isa\tf64 tile\tKC\tMC\tNC\tf32 tile\tKC\tMC\tNC\tblocks\t\t")
	for _, k := range r.Kernels {
		mark := ""
		if k.Active {
			mark = "active"
		}
		fmt.Fprintf(tw, "%s\t%dx%d\t%d\t%d\t%d\t%dx%d\t%d\t%d\t%d\t%s/%s\t%s\t\n", k.ISA,
			k.F64.MR, k.F64.NR, k.F64.KC, k.F64.MC, k.F64.NC,
			k.F32.MR, k.F32.NR, k.F32.KC, k.F32.MC, k.F32.NC, k.F64.Blocking, k.F32.Blocking, mark)
	}
	return tw.Flush()
}

// selectISA makes name the active instruction set (no-op when empty) and
// returns a function restoring the previous one. An unknown or unsupported
// name is an error, never a fallback.
func selectISA(name string) (restore func(), err error) {
	if name == "" {
		return func() {}, nil
	}
	prev := impl.Active()
	if err := impl.Select(name); err != nil {
		return nil, fmt.Errorf("--isa: %w", err)
	}
	return func() { impl.Select(prev) }, nil //nolint:errcheck // prev was active, so it is available
}
