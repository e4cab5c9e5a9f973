package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// completionFlag finds flag names in a command's help: "  -name" lines of
// flag.PrintDefaults and "--name" in usage lines.
var completionFlag = regexp.MustCompile(`(?m)(?:^\s+-|--)([a-z][a-z0-9-]*)`)

// completionWords returns each command's flags (as --name), read from its
// -h output, and the data command's subcommands.
func completionWords(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	for _, name := range commandNames() {
		var buf bytes.Buffer
		commands[name].run(ctx, []string{"-h"}, &buf, &buf) //nolint:errcheck // -h only prints
		var flags []string
		for _, m := range completionFlag.FindAllStringSubmatch(buf.String(), -1) {
			if f := "--" + m[1]; !slices.Contains(flags, f) {
				flags = append(flags, f)
			}
		}
		slices.Sort(flags)
		out[name] = flags
	}
	return out
}

// completion prints a completion script for bash, zsh or fish: command
// names, each command's flags, and the data command's subcommands and data
// sets; other words complete as file names.
func completion(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("completion: name one shell: bash, zsh or fish (e.g. source <(spurious completion bash))")
	}
	words := completionWords(ctx)
	cmds := append(commandNames(), "help", "completion")
	dataSub := "fetch list info show"
	dataSets := "mnist fashion-mnist cifar10"
	switch args[0] {
	case "bash", "zsh":
		var b strings.Builder
		if args[0] == "zsh" {
			b.WriteString("autoload -U +X bashcompinit && bashcompinit\n")
		}
		b.WriteString("# spurious completion; load with: source <(spurious completion " + args[0] + ")\n")
		b.WriteString("_spurious() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} words=\n")
		fmt.Fprintf(&b, "\tif [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(cmds, " "))
		b.WriteString("\tcase \"$cmd\" in\n")
		for _, name := range commandNames() {
			fmt.Fprintf(&b, "\t%s) words=%q ;;\n", name, strings.Join(words[name], " "))
		}
		fmt.Fprintf(&b, "\thelp) words=%q ;;\n\tcompletion) words=\"bash zsh fish\" ;;\n\tesac\n", strings.Join(commandNames(), " "))
		fmt.Fprintf(&b, "\tif [ \"$cmd\" = data ] && [ \"$COMP_CWORD\" -eq 2 ]; then words=%q; fi\n", dataSub)
		fmt.Fprintf(&b, "\tif [ \"$cmd\" = data ] && [ \"${COMP_WORDS[2]}\" = fetch ] && [[ $cur != -* ]]; then words=%q; fi\n", dataSets)
		b.WriteString("\tif [[ $cur == -* || $cmd == help || $cmd == completion || ( $cmd == data && $COMP_CWORD -le 3 ) ]]; then\n")
		b.WriteString("\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\tfi\n}\n")
		b.WriteString("complete -o default -F _spurious spurious\n")
		_, err := io.WriteString(stdout, b.String())
		return err
	case "fish":
		var b strings.Builder
		b.WriteString("# spurious completion; load with: spurious completion fish | source\n")
		fmt.Fprintf(&b, "complete -c spurious -f -n __fish_use_subcommand -a %q\n", strings.Join(cmds, " "))
		for _, name := range commandNames() {
			for _, f := range words[name] {
				fmt.Fprintf(&b, "complete -c spurious -n '__fish_seen_subcommand_from %s' -l %s\n", name, strings.TrimPrefix(f, "--"))
			}
		}
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from data; and not __fish_seen_subcommand_from %s' -a %q\n", dataSub, dataSub)
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from fetch' -a %q\n", dataSets)
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from help' -a %q\n", strings.Join(commandNames(), " "))
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
		_, err := io.WriteString(stdout, b.String())
		return err
	}
	return fmt.Errorf("completion: unknown shell %q (want bash, zsh or fish)", args[0])
}
