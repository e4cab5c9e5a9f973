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
	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/internal/outfile"
	"github.com/spurious-ml/spurious/shard"
	"github.com/spurious-ml/spurious/sweep"
	"github.com/spurious-ml/spurious/trial"
)

func init() {
	register("reduce", "sum the feature shards of one trial (run --feature-shard) and solve it", runReduce)
}

func runReduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reduce", "usage: spurious reduce DIR... [--out DIR] [--json] [--per-sample FILE.csv] [--isa X] [--threads T]\n"+
		"\nSums the partial Grams that `spurious run --feature-shard I/S --partial-out DIR` wrote (every shard\n"+
		"0..S-1 of one trial exactly once, in shard order, in float64, streamed from disk), then solves and\n"+
		"measures the trial as run does and prints the same report. Flags:\n", stderr)
	out := fs.String("out", "", "also write the summed Grams to this folder, as a one-shard partial that reduce accepts alone")
	perSample := fs.String("per-sample", "", "write per-sample values to this CSV file (-: standard output, and the report goes to stderr)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var eng engineFlags
	eng.register(fs, "threads for the solve")
	dirs, help, err := parseInterleaved(fs, args)
	if help || err != nil {
		return err
	}
	if len(dirs) == 0 {
		fs.Usage()
		return cli.Usagef("reduce: no partial folders given")
	}
	res, err := shard.Reduce(ctx, dirs, *out, shard.Options{
		Engine: eng.settings(),
		Warn:   func(err error) { fmt.Fprintf(stderr, "reduce: %v\n", err) },
	})
	if err != nil {
		var fe *trial.FieldError
		if errors.As(err, &fe) && fe.Field == "Engine.ISA" {
			return fmt.Errorf("reduce: %w (the shards ran on %s: pass --isa with one this machine has)", err, isaOf(dirs))
		}
		return fmt.Errorf("reduce: %w", err)
	}
	if *perSample != "" {
		if err := outfile.Write(*perSample, stdout, res.WritePerSample); err != nil {
			return fmt.Errorf("reduce: writing --per-sample file: %w", err)
		}
		if *perSample == "-" {
			stdout = stderr
		}
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	return res.WriteText(stdout)
}

// isaOf names the ISA of the first partial in dirs.
func isaOf(dirs []string) string {
	m, err := shard.ReadManifest(dirs[0])
	if err != nil {
		return "another ISA"
	}
	return m.ISA
}

// shardFlags are run's flags of a feature shard.
type shardFlags struct {
	shard, out string
	count      int
}

func (f *shardFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.shard, "feature-shard", "", "compute only shard I/S of the features (rf rows of V, ntk hidden units) and write its partial Grams to --partial-out; "+
		"I/S with I omitted (/S) takes I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
	fs.IntVar(&f.count, "feature-shards", 0, "shard count S, the index I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (as --feature-shard /S)")
	fs.StringVar(&f.out, "partial-out", "", "folder of the feature shard's partial Grams ({shard} is replaced by I)")
}

// active reports whether any of the flags was given.
func (f *shardFlags) active(set map[string]bool) bool {
	return set["feature-shard"] || set["feature-shards"] || set["partial-out"]
}

// resolve returns the shard the flags and the scheduler's environment
// (getenv) give.
func (f *shardFlags) resolve(getenv func(string) string) (shard.ID, error) {
	explicit, count := f.shard, f.count
	if c, ok := strings.CutPrefix(explicit, "/"); ok {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			return shard.ID{}, fmt.Errorf("--feature-shard %q: want I/S or /S with S >= 1", f.shard)
		}
		if count != 0 && count != n {
			return shard.ID{}, fmt.Errorf("--feature-shard %s and --feature-shards %d disagree", f.shard, count)
		}
		explicit, count = "", n
	}
	s, err := sweep.ResolveShard(explicit, count, getenv)
	if errors.Is(err, sweep.ErrNoShardIndex) {
		return shard.ID{}, fmt.Errorf("%d feature shards but %v: pass --feature-shard I/%d", count, err, count)
	}
	if err != nil {
		return shard.ID{}, fmt.Errorf("--feature-shard: %w", err)
	}
	if count != 0 && count != s.Count {
		if explicit != "" {
			return shard.ID{}, fmt.Errorf("--feature-shard %s and --feature-shards %d disagree", f.shard, count)
		}
		return shard.ID{}, fmt.Errorf("%d feature shards, but the scheduler's array has %d tasks (SLURM_ARRAY_TASK_COUNT)", count, s.Count)
	}
	return shard.ID{I: s.I, Count: s.Count}, nil
}

// runPartial is `spurious run` with feature-shard flags: it computes and
// writes the shard's partial, then prints what it wrote (the manifest as
// JSON with --json) and the commands that run every shard and reduce them.
func runPartial(ctx context.Context, spec trial.Spec, f *shardFlags, args []string, asJSON bool, stdout, stderr io.Writer) error {
	if spec.Model != "rf" && spec.Model != "ntk" {
		return cli.Usagef("run: --feature-shard applies to --model rf or ntk (model %s has no features to split)", spec.Model)
	}
	if f.out == "" {
		return cli.Usagef("run: a feature shard needs --partial-out DIR (e.g. parts/{shard}, on a file system every node sees)")
	}
	id, err := f.resolve(os.Getenv)
	if err != nil {
		return cli.Usagef("run: %w", err)
	}
	dir := strings.ReplaceAll(f.out, "{shard}", strconv.Itoa(id.I))
	start := time.Now()
	m, err := shard.RunPartial(ctx, spec, id, dir, shard.Options{
		Progress: trial.PrintProgress(stderr, fmt.Sprintf("run: %s shard %s", spec.Model, id), 2*time.Second),
		Warn:     func(err error) { fmt.Fprintf(stderr, "run: %v\n", err) },
	})
	if err != nil {
		var me *memory.Error
		if errors.As(err, &me) {
			return fmt.Errorf("run: %w", err)
		}
		return runFlagError(spec.Model, err)
	}
	report := stdout
	if asJSON {
		if err := writeJSON(stdout, m); err != nil {
			return err
		}
		report = stderr
	}
	fmt.Fprintf(report, "run: shard %s of the %s trial (k=%d): feature rows [%d, %d) written to %s in %s\n",
		id, m.Spec.Model, m.K, m.Lo, m.Hi, dir, time.Since(start).Round(time.Millisecond))
	fmt.Fprint(report, shardCommands(args, f.out, id.Count))
	return nil
}

// shardCommands returns the commands that run all count shards of the
// trial that `spurious run args` describes (a Slurm array, a Kubernetes
// Indexed Job) and the reduce command, with the partial folders out
// ({shard} replaced by each index).
func shardCommands(args []string, out string, count int) string {
	pattern := out
	note := ""
	if !strings.Contains(pattern, "{shard}") {
		pattern += "-{shard}"
		note = "  (--partial-out without {shard}: each task needs its own folder, so these use " + pattern + ")\n"
	}
	run := append([]string{"spurious", "run"}, withoutFlags(args, "feature-shard", "feature-shards", "partial-out", "json")...)
	run = append(run, "--feature-shards", strconv.Itoa(count), "--partial-out", pattern)
	line := shellJoin(run)
	var b strings.Builder
	fmt.Fprintf(&b, "run all %d shards, e.g. as a Slurm array or a Kubernetes Indexed Job (completions: %d, completionMode: Indexed):\n", count, count)
	b.WriteString(note)
	fmt.Fprintf(&b, "  sbatch --array=0-%d --wrap %s\n", count-1, shellQuote(line))
	fmt.Fprintf(&b, "  %s   # in the Indexed Job's container\n", line)
	fmt.Fprintf(&b, "then sum and solve them:\n  spurious reduce")
	for i := range count {
		b.WriteString(" " + shellQuote(strings.ReplaceAll(pattern, "{shard}", strconv.Itoa(i))))
	}
	b.WriteString(" [--json] [--per-sample FILE.csv]\n")
	return b.String()
}

// withoutFlags returns args without the flags names (as --name value,
// --name=value, and the - forms; json is a switch).
func withoutFlags(args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !slices.Contains(names, name) {
			out = append(out, a)
			continue
		}
		if !hasValue && name != "json" {
			i++ // skip the value
		}
	}
	return out
}

// shellJoin joins words into a POSIX shell command line.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./:,=+{}@%.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:,=+{}@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
