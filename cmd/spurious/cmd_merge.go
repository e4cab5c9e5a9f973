package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/sweep"
)

func init() {
	register("merge", "union sweep shard files, drop duplicates, report missing trials", cmdMerge)
}

// mergeListMax is how many missing trials merge prints one by one.
const mergeListMax = 20

func cmdMerge(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", "usage: spurious merge OUT.jsonl IN.jsonl... [--spec SPEC.json] [--allow-missing] [--prefer first|last]\n"+
		"\nWrites the union of the inputs to OUT (which may be one of them), keeping one line per\n"+
		"trial. With --spec, lists the spec's trials that are missing and fails if there are any.\n", stderr)
	specPath := fs.String("spec", "", "sweep spec: list its trials that no input holds")
	allowMissing := fs.Bool("allow-missing", false, "exit 0 even when trials of the spec are missing")
	prefer := fs.String("prefer", "", "when two records of a trial hold different numbers, keep the one from the first or last input that has it (default: fail)")
	pos, help, err := parseInterleaved(fs, args)
	if help || err != nil {
		return err
	}
	if len(pos) < 2 {
		fs.Usage()
		return cli.Usagef("merge: need an output file and at least one input")
	}
	var spec *sweep.Spec
	if *specPath != "" {
		if spec, err = sweep.LoadSpec(*specPath); err != nil {
			return err
		}
	}
	pref, err := sweep.ParsePrefer(*prefer)
	if err != nil {
		return cli.Usagef("merge: --%w", err)
	}
	out, ins := pos[0], pos[1:]
	rep, err := sweep.Merge(out, ins, sweep.MergeOptions{Spec: spec, Prefer: pref, Stdout: stdout})
	if out == "-" {
		stdout = stderr // the records went to stdout: the summary goes to stderr
	}
	for _, t := range rep.Truncated {
		fmt.Fprintf(stderr, "merge: note: %s\n", t)
	}
	var conflict *sweep.ConflictError
	if errors.As(err, &conflict) {
		return fmt.Errorf("merge: %w: pass --prefer first or --prefer last", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merge: %d records from %d files -> %d trials in %s (%d duplicates dropped",
		rep.Read, len(ins), rep.Written, out, rep.Duplicates)
	if len(rep.Conflicts) > 0 {
		fmt.Fprintf(stdout, ", %d with different numbers, resolved by --prefer %s", len(rep.Conflicts), *prefer)
	}
	fmt.Fprintln(stdout, ")")
	for _, c := range rep.Conflicts {
		fmt.Fprintf(stderr, "merge: conflict: %s\n", c)
	}
	if spec == nil {
		return nil
	}
	if rep.Foreign > 0 {
		fmt.Fprintf(stdout, "merge: %d trials are not in the spec %s (kept)\n", rep.Foreign, *specPath)
	}
	if len(rep.Missing) == 0 {
		fmt.Fprintf(stdout, "merge: all trials of %s are present\n", *specPath)
		return nil
	}
	fmt.Fprintf(stdout, "merge: %d trials of %s are missing:\n", len(rep.Missing), *specPath)
	for i, t := range rep.Missing {
		if i == mergeListMax {
			fmt.Fprintf(stdout, "  ... and %d more\n", len(rep.Missing)-mergeListMax)
			break
		}
		fmt.Fprintf(stdout, "  %s %s\n", t.Key, t.Params)
	}
	if *allowMissing {
		return nil
	}
	return fmt.Errorf("merge: %d trials missing; rerun the shards that hold them (spurious sweep %s --shard i/n resumes), or pass --allow-missing",
		len(rep.Missing), *specPath)
}
