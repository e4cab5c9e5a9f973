package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spurious-ml/spurious/linalg"
)

// WriteText writes m as `spurious cpu` prints it: the CPU, the
// instruction sets, the caches, the threads, the Go version, the tuning
// in use and a table of the GEMM kernels and block sizes of each
// instruction set.
func (m Machine) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "cpu:        %s (%s, %d physical / %d logical cores)\n", m.CPU, m.Vendor, m.PhysicalCores, m.LogicalCores)
	fmt.Fprintf(w, "isa:        %s (available: %s)\n", m.ISA, strings.Join(m.AvailableISAs, ", "))
	fmt.Fprintf(w, "caches:     L1D %d KiB, L2 %d KiB per core, L3 %d MiB (%s)\n", m.L1DBytes>>10, m.L2Bytes>>10, m.L3Bytes>>20, m.CacheSource)
	fmt.Fprintf(w, "threads:    %d (GOMAXPROCS %d)\n", m.Threads, m.GOMAXPROCS)
	fmt.Fprintf(w, "go:         %s %s\n", m.GoVersion, m.Platform)
	switch {
	case m.TuningOff:
		fmt.Fprintf(w, "tuning:     off (%s=off): block sizes derived from the caches\n", linalg.TuningEnv)
	case m.TuningEntries > 0:
		fmt.Fprintf(w, "tuning:     %s (%d entries for this CPU; blocks column: f64/f32)\n", m.TuningFile, m.TuningEntries)
	default:
		fmt.Fprintf(w, "tuning:     none loaded (%s): block sizes derived from the caches; spurious tune measures them\n", m.TuningFile)
	}
	if m.TuningNote != "" {
		fmt.Fprintf(w, "            note: %s\n", m.TuningNote)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "isa\tf64 tile\tKC\tMC\tNC\tf32 tile\tKC\tMC\tNC\tblocks\t\t")
	for _, k := range m.Kernels {
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

// WriteTable writes results as `spurious bench` prints them: the measured
// peak (flop/s), then an aligned table of one row per result.
func WriteTable(w io.Writer, results []Result, peak float64) {
	fmt.Fprintf(w, "measured FMA peak: %.1f GFLOP/s float64 per thread\n", peak/1e9)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tsizes\tthreads\tprec\tisa\tseconds\tbound s\tGFLOP/s\tpeak\t% peak\t")
	for _, r := range results {
		keys := slices.Sorted(maps.Keys(r.Sizes))
		var sizes []string
		for _, k := range keys {
			sizes = append(sizes, fmt.Sprintf("%s=%d", k, r.Sizes[k]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.4g\t%.4g\t%.1f\t%.1f\t%.1f%%\t\n", r.Op, strings.Join(sizes, " "),
			r.Threads, r.Precision, r.ISA, r.Seconds, r.BoundSeconds, r.GFLOPS, r.PeakGFLOPS, 100*r.PeakFraction)
	}
	tw.Flush()
}
