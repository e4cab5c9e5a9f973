package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/reproduce"
)

func init() {
	register("reproduce", "reproduce the paper's RF and NTK figures with theory overlaid (SVG + report.md)", cmdReproduce)
}

// reproduceProbe checks a real dataset; a variable so that tests can
// pretend a dataset is there or not.
var reproduceProbe = reproduce.Probe

func cmdReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reproduce", "usage: spurious reproduce [--quick|--full] --out DIR [--workers W] [--report-only]\n"+
		"\nRuns (or resumes, reusing DIR/results.jsonl) the sweeps behind the paper's RF, NTK\n"+
		"and NN figures and writes DIR/rf.svg, DIR/ntk.svg, DIR/theory.svg, DIR/nn.svg (each also as .png)\n"+
		"and DIR/report.md. With --report-only it runs no trial and reports those in DIR/results.jsonl.\nFlags:\n", stderr)
	quick := fs.Bool("quick", false, "small sizes, a few minutes on two cores (default)")
	full := fs.Bool("full", false, "the paper's sizes (k=100000 RF, N up to 1000, 10 repetitions, 1000 NN epochs)")
	out := fs.String("out", "", "output directory for results.jsonl, spec.json, *.svg, *.png and report.md")
	workers := fs.Int("workers", 1, "trials run at once")
	seed := fs.Uint64("seed", 1, "global seed of the sweep")
	noReal := fs.Bool("no-real", false, "skip the MNIST and CIFAR-10 panels")
	dataDir := fs.String("data", "", "folder holding a folder per data set (mnist/, cifar10/: the data cache's layout); default: the data cache")
	reportOnly := fs.Bool("report-only", false, "run no trial: write spec.json, the figures and the report from DIR/results.jsonl, listing the missing trials")
	progressMode := sweepProgressFlag(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *quick && *full {
		return cli.Usagef("reproduce: choose one of --quick and --full")
	}
	sweepOpt, err := sweepOptions(*workers, *progressMode, stderr)
	if err != nil {
		return cli.Usagef("reproduce: %w", err)
	}
	if *out == "" {
		return cli.Usagef("reproduce: --out DIR is required")
	}
	opt := reproduce.Options{Preset: reproduce.Quick, Out: *out, Seed: *seed, NoReal: *noReal, DataDir: *dataDir,
		Sweep: sweepOpt, Runner: sweepTrialRunner, Probe: reproduceProbe,
		Command: strings.Join(append([]string{"spurious reproduce"}, args...), " "),
		Warn:    func(err error) { fmt.Fprintf(stderr, "reproduce: %v\n", err) }, ReportOnly: *reportOnly}
	if *full {
		opt.Preset = reproduce.Full
	}
	res, err := reproduce.Run(ctx, opt)
	if res.Report != "" && *reportOnly {
		fmt.Fprintf(stdout, "reproduce: report of %d of %d trials (none run) -> %s\n", res.Sweep.Skipped, res.Sweep.Total, res.Report)
	} else if res.Report != "" {
		fmt.Fprintf(stdout, "reproduce: %d trials (%d run now) -> %s\n", res.Sweep.Total, res.Sweep.Done, res.Report)
	}
	return err
}
