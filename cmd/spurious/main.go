// Command spurious measures how random-features and NTK models memorize
// spurious features, and benchmarks the linear algebra underneath.
//
// Each subcommand lives in its own file and registers itself in init with
// register; main only dispatches.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/internal/cli"
)

// command is one subcommand: run parses args and writes results to stdout.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// register adds a subcommand; called from init in each cmd_*.go file.
func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	if _, dup := commands[name]; dup {
		panic("spurious: command registered twice: " + name)
	}
	commands[name] = command{summary, run}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: spurious <command> [flags]\n\ncommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "  help       print the help of a command: spurious help COMMAND")
	fmt.Fprintln(w, "  completion print a shell completion script: spurious completion bash|zsh|fish")
	fmt.Fprintln(w, "\nRun 'spurious <command> -h' for the flags of a command, 'spurious --version' for the build.")
	fmt.Fprintln(w, "\n"+cli.ExitCodesHelp)
}

// commandNames returns the registered commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// errUsage is returned when spurious runs without a command: the usage
// went to stderr and the exit status is non-zero.
var errUsage = errors.New("no command given")

// run dispatches args[0] to its command; it is main without the exit. A
// panic in the command's goroutine becomes a cli.InternalError.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		usage(stderr)
		return cli.AsUsage(errUsage)
	}
	defer cli.Recover(&err)
	switch args[0] {
	case "-h", "--help":
		usage(stdout)
		return nil
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return nil
		}
		c, ok := commands[args[1]]
		if !ok {
			usage(stderr)
			return cli.Usagef("help: unknown command %q", args[1])
		}
		// Commands print their flags to stderr on -h; help prints them to stdout.
		return c.run(ctx, []string{"-h"}, stdout, stdout)
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, bench.ReadBuild())
		return nil
	case "completion":
		return completion(ctx, args[1:], stdout)
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return cli.Usagef("unknown command %q", args[0])
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		stop()
		if errors.Is(err, errUsage) {
			os.Exit(cli.ExitUsage) // the usage is on stderr
		}
		cmd := os.Args[1]
		if _, ok := commands[cmd]; !ok {
			cmd = ""
		}
		fmt.Fprintln(os.Stderr, cli.ErrorLine(cmd, err))
		os.Exit(cli.ExitCode(err))
	}
}
