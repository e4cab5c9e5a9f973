package reproduce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spurious-ml/spurious/internal/outfile"
	"github.com/spurious-ml/spurious/plot"
	"github.com/spurious-ml/spurious/sweep"
)

// Options configure Run.
type Options struct {
	Preset Preset
	Out    string // output directory (created)
	Seed   uint64 // global seed of the sweep
	NoReal bool   // skip the real-data panels
	// DataDir holds a folder per real data set (mnist/, cifar10/: the data
	// cache's layout); empty: the data cache.
	DataDir string
	// Sweep sets the workers and the progress display of the sweep; its
	// Shard is ignored (a reproduction runs every trial).
	Sweep sweep.Options
	// Runner executes the trials (nil: sweep.RunTrial).
	Runner sweep.Runner
	// Probe checks that a real dataset can be used (nil: Probe).
	Probe func(context.Context, Dataset) error
	// Command is the command line shown in the report as the way to
	// produce it again (e.g. "spurious reproduce --quick --out DIR").
	Command string
	// Warn, if not nil, receives the real datasets that are skipped.
	Warn func(error)
	// ReportOnly writes spec.json, the figures and the report from the
	// trials already in Out/results.jsonl without running any (and
	// without probing the real datasets: all of them are in the spec
	// unless NoReal); the report lists the trials still missing.
	ReportOnly bool
}

// Outcome is what Run did: the sweep's report and the path of report.md.
type Outcome struct {
	Sweep  sweep.Report
	Report string
}

// Run runs (or resumes, reusing Out/results.jsonl) the sweep behind the
// paper's RF, NTK and NN figures and writes Out/spec.json, Out/rf.svg,
// Out/ntk.svg, Out/theory.svg, Out/nn.svg (each also as .png) and
// Out/report.md. A real
// dataset whose data cannot be loaded (Probe) is left out and noted in the
// report. Failed trials are noted in the report too, and Run then also
// returns the sweep's error; an interrupted sweep writes no report. With
// opt.ReportOnly no trial runs: the figures and the report show the
// trials in Out/results.jsonl, and the report marks the record partial
// when trials of the spec are missing.
func Run(ctx context.Context, opt Options) (Outcome, error) {
	var out Outcome
	if opt.Out == "" {
		return out, errors.New("reproduce: no output directory")
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return out, err
	}
	var datasets []Dataset
	var notes []string
	probe := opt.Probe
	if probe == nil {
		probe = Probe
	}
	if opt.NoReal {
		notes = append(notes, "The MNIST and CIFAR-10 panels were skipped (--no-real).")
	} else if opt.ReportOnly {
		for _, ds := range Datasets {
			if opt.DataDir != "" {
				ds.Dir = filepath.Join(opt.DataDir, ds.Name)
			}
			datasets = append(datasets, ds)
		}
	} else {
		for _, ds := range Datasets {
			if opt.DataDir != "" {
				ds.Dir = filepath.Join(opt.DataDir, ds.Name)
			}
			if err := probe(ctx, ds); err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				notes = append(notes, fmt.Sprintf("The %s panels were skipped: the dataset is not usable here (%v).", ds.Title, err))
				if opt.Warn != nil {
					opt.Warn(fmt.Errorf("skipping %s: %w", ds.Name, err))
				}
				continue
			}
			datasets = append(datasets, ds)
		}
	}
	preset := opt.Preset
	spec := SweepSpec(preset, opt.Seed, datasets)
	sb := specJSON(spec)
	if err := outfile.Write(filepath.Join(opt.Out, "spec.json"), nil, func(w io.Writer) error { _, err := w.Write(sb); return err }); err != nil {
		return out, err
	}
	resultsPath := filepath.Join(opt.Out, "results.jsonl")
	var runErr error
	var sweepWall time.Duration
	if opt.ReportOnly {
		if _, err := os.Stat(resultsPath); err != nil {
			return out, fmt.Errorf("reproduce: nothing to report: %w (run without report-only first)", err)
		}
	} else {
		runner := opt.Runner
		if runner == nil {
			runner = sweep.RunTrial
		}
		sopt := opt.Sweep
		sopt.Shard = sweep.All
		start := time.Now()
		var rep sweep.Report
		rep, runErr = sweep.Run(ctx, spec, resultsPath, runner, sopt)
		out.Sweep = rep
		if runErr != nil && (errors.Is(runErr, sweep.ErrInterrupted) || len(rep.Failed) == 0) {
			return out, runErr // interrupted or unusable results file: no report
		}
		sweepWall = time.Since(start)
		for _, f := range rep.Failed {
			notes = append(notes, fmt.Sprintf("Trial %s (%s) failed: %v", f.Trial.Key, f.Trial.Params, f.Err))
		}
	}
	trials, err := spec.Trials()
	if err != nil {
		return out, err
	}
	recs, err := records(trials, resultsPath)
	if err != nil {
		return out, err
	}
	if opt.ReportOnly {
		out.Sweep = sweep.Report{Total: len(trials), Skipped: len(recs)}
	}
	groups := sweep.Group(recs)
	curves, theoryCmds, err := theoryCurves(preset)
	if err != nil {
		return out, err
	}
	figs := []struct {
		file string
		fig  *plot.Figure
	}{
		{"rf.svg", accuracyFigure("Random features (RF)", "rf", groups, datasets)},
		{"ntk.svg", accuracyFigure("Neural tangent kernel (NTK)", "ntk", groups, datasets)},
		{"theory.svg", theoryFigure(groups, curves)},
		{"nn.svg", nnFigure(groups, nnDatasets(preset, datasets))},
	}
	for _, f := range figs {
		reps := strconv.Itoa(preset.Reps) + " repetitions"
		if f.file == "nn.svg" && preset.CNNReps > 0 && preset.CNNReps != preset.Reps && len(nnDatasets(preset, datasets)) > 2 {
			reps += fmt.Sprintf(" (CNN panels: %d)", preset.CNNReps)
		}
		f.fig.Note = figureNote(reps, f.file != "theory.svg")
		if err := writeFigure(filepath.Join(opt.Out, f.file), f.fig); err != nil {
			return out, err
		}
	}
	doc := buildReport(reportInput{
		preset: preset, command: opt.Command, spec: spec, groups: groups, datasets: datasets, notes: notes,
		run: out.Sweep, sweepWall: sweepWall, theoryCmds: theoryCmds, env: currentEnvironment(), out: opt.Out,
		trials: trials, reportOnly: opt.ReportOnly,
	})
	out.Report = filepath.Join(opt.Out, "report.md")
	if err := doc.WriteFile(out.Report); err != nil {
		return out, err
	}
	return out, runErr
}

// specJSON is the encoding of spec.json: indented JSON and a newline.
func specJSON(spec *sweep.Spec) []byte {
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		panic(err) // a Spec has only encodable fields
	}
	return append(b, '\n')
}
