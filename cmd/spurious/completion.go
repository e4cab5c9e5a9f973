package main

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/cli"
)

// completion prints a completion script for bash, zsh or fish: command
// names, each command's flags (read from its -h output), and the data
// command's subcommands and data sets; other words complete as file names.
func completion(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("completion: name one shell: bash, zsh or fish (e.g. source <(spurious completion bash))")
	}
	c := cli.Completion{
		Commands: commandNames(),
		Flags:    map[string][]string{},
		DataSub:  []string{"fetch", "list", "info", "show"},
		DataSets: data.ImageDataSets,
	}
	for _, name := range c.Commands {
		var buf bytes.Buffer
		commands[name].run(ctx, []string{"-h"}, &buf, &buf) //nolint:errcheck // -h only prints
		c.Flags[name] = cli.FlagsFromHelp(buf.String())
	}
	return cli.WriteCompletion(stdout, args[0], c)
}
