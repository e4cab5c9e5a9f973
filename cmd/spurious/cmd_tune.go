package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/linalg"
)

func init() {
	register("tune", "measure GEMM block sizes on this machine and save the winners for later runs", runTune)
}

// runTune implements `spurious tune`.
func runTune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tune", `usage: spurious tune [--budget D] [--precision f64|f32|both] [--isa X] [--threads T] [--scale S] [--out PATH] [--dry-run] [--json]

Times candidate GEMM block sizes (KC from 0.5x to 2x the derived value,
then MC, then NC) against the ones derived from the cache sizes, on
products of the sizes the RF and NTK trials run (n = 1536, 1000 x 4096 x
1000), scaled to fit --budget but not below half (then it takes longer).
Candidates and derived values alternate over several rounds, so that the
drift of a shared machine hits both alike; a candidate is kept only when
its median is at least 3% faster and it wins at least 4 of 5 paired
rounds, and again (8 of 9) in a final confirmation against the derived
values. Otherwise the derived values stay. The winners go to a small JSON file, keyed by CPU model,
instruction set and precision, that every later run loads at start-up;
`+linalg.TuningEnv+`=off ignores it, `+linalg.TuningEnv+`=PATH reads another
file. spurious cpu shows which block sizes are active. Block sizes other
than the derived ones change the last bits of results (KC splits the sums
over k; MC and NC do not change any bit), so results record them.

Without any SIMD path the generic one is tuned. Interrupted (Ctrl-C), it
writes nothing.
`, stderr)
	budget := fs.Duration("budget", linalg.DefaultTuneBudget, "measuring time for all precisions together")
	precision := fs.String("precision", "both", "f64, f32 or both")
	out := fs.String("out", "", "tuning file to write (default: $"+linalg.TuningEnv+" if it names a path, else tuning.json in the user cache folder's spurious/)")
	scale := fs.Float64("scale", 0, "size of the timed products relative to the trials' (0 < s <= 1; 0: the largest from 0.5 that fits --budget)")
	dryRun := fs.Bool("dry-run", false, "measure and print, write nothing")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var eng engineFlags
	eng.register(fs, "goroutines the timed products run on")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	precs, err := bench.ParseTunePrecisions(*precision)
	if err != nil {
		return fmt.Errorf("tune: --%w", err)
	}
	if *budget <= 0 {
		return fmt.Errorf("tune: --budget %v, want a positive duration such as 40s", *budget)
	}
	if !(*scale >= 0 && *scale <= 1) {
		return fmt.Errorf("tune: --scale %v, want 0 < s <= 1 (or 0 for the budget to choose)", *scale)
	}
	path := *out
	if path == "" && !*dryRun {
		if path, err = linalg.TuningFile(); err != nil {
			return fmt.Errorf("tune: %w, or give --out", err)
		}
	}
	restore, err := eng.apply()
	if err != nil {
		return cli.Usagef("tune: %w", err)
	}
	defer restore()
	if st := linalg.TuningState(); st.Note != "" {
		fmt.Fprintln(stderr, "tune: note:", st.Note)
	}

	if *dryRun {
		path = "" // measure only
	}
	rep, err := bench.Tune(ctx, linalg.TuneOptions{
		Budget: *budget, Precisions: precs, Scale: *scale,
		Progress: func(line string) { fmt.Fprintln(stderr, line) },
	}, path)
	if err != nil {
		if ctx.Err() != nil && len(rep.Tuning.Entries) == 0 {
			return fmt.Errorf("tune: interrupted, nothing written: %w", err)
		}
		return fmt.Errorf("tune: %w", err)
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	return rep.WriteText(stdout)
}
