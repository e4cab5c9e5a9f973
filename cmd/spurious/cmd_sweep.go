package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/sweep"
)

func init() {
	register("sweep", "run a grid of trials, resumable and shardable (Slurm/Kubernetes arrays)", cmdSweep)
}

// sweepTrialRunner executes one trial. It is a variable only so that the
// command's own tests can substitute a cheap deterministic trial.
var sweepTrialRunner sweep.Runner = sweep.RunTrial

// sweepProgressFlag adds --progress (see sweepProgress) to fs.
func sweepProgressFlag(fs *flag.FlagSet) *string {
	return fs.String("progress", "auto", "progress display: auto, bar, lines or none")
}

// sweepOptions checks --workers and --progress (before a command creates
// anything) and returns the sweep options they give.
func sweepOptions(workers int, progress string, stderr io.Writer) (sweep.Options, error) {
	opt := sweep.Options{Workers: workers}
	if workers < 1 {
		return opt, fmt.Errorf("--workers %d: want at least 1", workers)
	}
	if err := opt.SetProgress(progress, stderr); err != nil {
		return opt, fmt.Errorf("--progress: %w", err)
	}
	return opt, nil
}

// sweepGridFlags are the flags that describe a simple grid on the command
// line instead of a spec file.
type sweepGridFlags struct {
	axes map[string]*string
	seed uint64
	reps int
}

func (g *sweepGridFlags) register(fs *flag.FlagSet) {
	g.axes = map[string]*string{}
	for _, name := range sweep.GridAxes {
		g.axes[name] = fs.String(name, "", sweep.GridAxisUsage[name])
	}
	fs.Uint64Var(&g.seed, "seed", 0, "global seed (each trial's seed derives from it and the trial key)")
	fs.IntVar(&g.reps, "reps", 1, "repetitions of each grid point")
}

// spec builds the spec the flags describe.
func (g *sweepGridFlags) spec() (*sweep.Spec, error) {
	if g.reps < 1 {
		return nil, fmt.Errorf("--reps %d: want at least 1", g.reps)
	}
	axes := map[string]string{}
	for name, v := range g.axes {
		axes[name] = *v
	}
	grid, err := sweep.ParseGrid(axes)
	if err != nil {
		return nil, fmt.Errorf("--%w", err)
	}
	s := &sweep.Spec{Seed: g.seed, Repetitions: g.reps, Grid: grid}
	if _, err := s.Trials(); err != nil {
		return nil, err
	}
	return s, nil
}

func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep", "usage: spurious sweep [SPEC.json | grid flags] --out results.jsonl [--workers W] [--shard i/n]\n"+
		"\nRuns every trial of the spec that is not yet in the results file, appending one JSON line\n"+
		"per finished trial; rerun the same command after a kill to resume. Flags:\n", stderr)
	var grid sweepGridFlags
	grid.register(fs)
	out := fs.String("out", "", "results file (JSON lines, appended; {shard} is replaced by the shard index)")
	workers := fs.Int("workers", 1, "trials run at once (each trial already uses all cores for large sizes)")
	shardFlag := fs.String("shard", "", "run shard i/n of the trials (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else all)")
	shards := fs.Int("shards", 0, "shard count to use with SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
	progressMode := sweepProgressFlag(fs)
	interval := fs.Duration("interval", 10*time.Second, "time between plain progress lines")
	dryRun := fs.Bool("dry-run", false, "print the trials of this shard as spurious run or nn command lines and exit (a switch)")
	printSpec := fs.Bool("print-spec", false, "print the spec as JSON and exit (turn grid flags into a spec file)")
	dataDir := fs.String("data", "", "folder of the real data set the trials read (as run --data; synthetic trials ignore it)")
	pos, help, err := parseInterleaved(fs, args)
	if help || err != nil {
		return err
	}
	opt, err := sweepOptions(*workers, *progressMode, stderr)
	if err != nil {
		return cli.Usagef("sweep: %w", err)
	}
	set := setFlags(fs)
	gridSet := slices.ContainsFunc(slices.Concat(sweep.GridAxes, []string{"seed", "reps"}), func(name string) bool { return set[name] })
	var spec *sweep.Spec
	switch {
	case len(pos) > 1:
		return cli.Usagef("sweep: one spec file expected, got %q", pos)
	case len(pos) == 1 && gridSet:
		return cli.Usagef("sweep: give either a spec file or grid flags (--n, --model, ...), not both")
	case len(pos) == 1:
		if spec, err = sweep.LoadSpec(pos[0]); err != nil {
			return err
		}
	case gridSet:
		if spec, err = grid.spec(); err != nil {
			return cli.AsUsage(err)
		}
	default:
		fs.Usage()
		return cli.Usagef("sweep: no spec: pass SPEC.json or grid flags such as --model rf --n 10,100")
	}
	if *dataDir != "" {
		if spec.Extra == nil {
			spec.Extra = map[string]string{}
		}
		spec.Extra["data"] = *dataDir
	}
	if err := sweep.Check(spec); err != nil {
		return err
	}
	if *printSpec {
		return writeJSON(stdout, spec)
	}
	shard, err := sweep.ResolveShard(*shardFlag, *shards, os.Getenv)
	if errors.Is(err, sweep.ErrNoShardIndex) {
		return cli.Usagef("--shards %d given but %v: pass --shard i/%d", *shards, err, *shards)
	} else if err != nil {
		return cli.AsUsage(err)
	}
	if *dryRun {
		trials, _ := spec.Trials()
		for _, t := range shard.Select(trials) {
			fmt.Fprintf(stdout, "%s spurious %s\n", t.Key, strings.Join(t.Command(), " "))
		}
		return nil
	}
	if *out == "" {
		return cli.Usagef("sweep: --out is required (e.g. --out results.jsonl, or results.{shard}.jsonl for arrays)")
	}
	path := strings.ReplaceAll(*out, "{shard}", strconv.Itoa(shard.I))
	opt.Shard, opt.Interval = shard, *interval
	rep, err := sweep.Run(ctx, spec, path, sweepTrialRunner, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sweep: shard %s complete: %d trials in %s (%d run now, %d already done) in %s\n",
		shard, rep.Total, path, rep.Done, rep.Skipped, rep.Elapsed.Round(time.Millisecond))
	return nil
}
