package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/linalg"
)

// Flag handling shared by the subcommands.

// isaUsage is the help text of --isa.
const isaUsage = "instruction set: generic, avx2, avx512 or neon (default: the best available, or $SPURIOUS_ISA)"

// parseFlags parses args, which must hold flags only. help reports -h or
// --help: the usage has been printed and the command should return nil.
// A positional argument is an error naming the command (fs.Name()).
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		return errors.Is(err, flag.ErrHelp), helpIsNoError(err)
	}
	if fs.NArg() > 0 {
		return false, cli.Usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return false, nil
}

// parseInterleaved parses flags that may come before, between or after
// positional arguments (`sweep SPEC --out F` as well as `sweep --out F
// SPEC`) and returns the positional ones; help is as for parseFlags.
func parseInterleaved(fs *flag.FlagSet, args []string) (pos []string, help bool, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errors.Is(err, flag.ErrHelp), helpIsNoError(err)
		}
		if fs.NArg() == 0 {
			return pos, false, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// dataFlagUsage is the help text of --data, the data folder flag of run,
// nn, sweep and data.
const dataFlagUsage = "folder of the data set, instead of the data cache (npy: z, zs, zt, g, gt [, zh, gh]; images: the IDX files, CIFAR-10 batches or an image folder)"

// rejectInapplicable returns an error when a flag given on the command
// line (set) does not apply to the value of the flag choice (dataset or
// model): notFor maps a value (for datasets, "images" stands for the real
// image sets) to the flags it ignores.
func rejectInapplicable(cmd, choice, value string, set map[string]bool, notFor map[string][]string) error {
	key := value
	if choice == "dataset" && slices.Contains(data.ImageDataSets, value) {
		key = "images"
	}
	for _, name := range notFor[key] {
		if set[name] {
			return cli.Usagef("%s: --%s does not apply to --%s %s", cmd, name, choice, value)
		}
	}
	return nil
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// helpIsNoError returns nil for flag.ErrHelp and err, as a usage error,
// otherwise.
func helpIsNoError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return cli.AsUsage(err)
}

// engineFlags are --isa and --threads, the settings of the linear algebra
// engine that the compute commands share.
type engineFlags struct {
	isa     string
	threads int
}

// register adds --isa and --threads to fs; threadsUsage describes what
// the threads run.
func (e *engineFlags) register(fs *flag.FlagSet, threadsUsage string) {
	fs.StringVar(&e.isa, "isa", "", isaUsage)
	fs.IntVar(&e.threads, "threads", 0, threadsUsage+" (default: all cores)")
}

// settings returns the engine settings the flags give (zero fields: the
// process defaults).
func (e *engineFlags) settings() linalg.Settings {
	return linalg.Settings{ISA: e.isa, Threads: e.threads}
}

// apply selects the instruction set and the thread count process-wide for
// the rest of the command, for commands that measure the process-wide
// settings themselves (tune); restore puts both back.
func (e *engineFlags) apply() (restore func(), err error) {
	if e.threads < 0 {
		return nil, fmt.Errorf("--threads %d, want >= 0 (0: all cores)", e.threads)
	}
	restoreISA, err := selectISA(e.isa)
	if err != nil {
		return nil, err
	}
	prev := linalg.SetThreads(e.threads)
	return func() {
		linalg.SetThreads(prev)
		restoreISA()
	}, nil
}

// writeJSON writes v as indented JSON, the --json output of a command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newFlagSet returns the flag set of command name, reporting to stderr;
// its usage (on -h or a bad flag) prints usage, then the flags.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return fs
}
