package bench

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spurious-ml/spurious/linalg"
)

// TuneReport is the outcome of a tuning run (linalg.Tune) and where it
// went; its JSON form is the --json output of `spurious tune`.
type TuneReport struct {
	Tuning  linalg.Tuning `json:"tuning"`
	Path    string        `json:"path"`    // the file written ("" with --dry-run)
	Written bool          `json:"written"` // false with --dry-run
	Seconds float64       `json:"seconds"`
}

// Tune measures GEMM block sizes (linalg.Tune with opt, about opt.Budget
// of timed products) and, unless path is "", writes the winners to path
// (linalg.WriteTuning). A failed measurement returns a zero report; a
// failed write returns the measured tuning, not written.
func Tune(ctx context.Context, opt linalg.TuneOptions, path string) (TuneReport, error) {
	start := time.Now()
	tu, err := linalg.Tune(ctx, opt)
	if err != nil {
		return TuneReport{}, err
	}
	rep := TuneReport{Tuning: tu, Seconds: time.Since(start).Seconds()}
	if path != "" {
		if err := linalg.WriteTuning(path, tu); err != nil {
			return rep, err
		}
		rep.Path, rep.Written = path, true
	}
	return rep, nil
}

// ParseTunePrecisions returns the precisions linalg.Tune measures for s:
// "f64", "f32" or "both" (f64 then f32).
func ParseTunePrecisions(s string) ([]string, error) {
	switch s {
	case "both":
		return []string{"f64", "f32"}, nil
	case "f64", "f32":
		return []string{s}, nil
	}
	return nil, fmt.Errorf("precision %q, want f64, f32 or both", s)
}

// WriteText writes rep as `spurious tune` prints it: a table of the block
// sizes kept against the derived ones, then where the tuning went and
// whether later runs read it (linalg.TuningFile, linalg.TuningState).
func (rep TuneReport) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "cpu: %s; %.0f s\n", rep.Tuning.CPU, rep.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "isa\tprec\ttile\tthreads\tKC\tMC\tNC\tderived KC\tMC\tNC\tspeedup\twon\t\t")
	for _, e := range rep.Tuning.Entries {
		verdict, won := "derived kept", "-"
		if e.Tuned() {
			verdict, won = "tuned", fmt.Sprintf("%d/%d", e.Wins, e.Rounds)
		}
		fmt.Fprintf(tw, "%s\t%s\t%dx%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.3f\t%s\t%s\t\n", e.ISA, e.Precision, e.MR, e.NR, e.Threads,
			e.KC, e.MC, e.NC, e.DerivedKC, e.DerivedMC, e.DerivedNC, e.Speedup, won, verdict)
	}
	tw.Flush()
	read, _ := linalg.TuningFile()
	var err error
	switch {
	case !rep.Written:
		_, err = fmt.Fprintln(w, "dry run: nothing written")
	case linalg.TuningState().Off:
		_, err = fmt.Fprintf(w, "wrote %s; %s=off, so runs ignore it until the variable is unset\n", rep.Path, linalg.TuningEnv)
	case rep.Path != read:
		_, err = fmt.Fprintf(w, "wrote %s; runs read %s, set %s=%s to use it\n", rep.Path, read, linalg.TuningEnv, rep.Path)
	default:
		_, err = fmt.Fprintf(w, "wrote %s; later runs on this CPU use it (spurious cpu shows the active block sizes)\n", rep.Path)
	}
	return err
}
