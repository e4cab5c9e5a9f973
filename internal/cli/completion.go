package cli

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// helpFlag finds flag names in a command's help: "  -name" lines of
// flag.PrintDefaults and "--name" in usage lines.
var helpFlag = regexp.MustCompile(`(?m)(?:^\s+-|--)([a-z][a-z0-9-]*)`)

// FlagsFromHelp returns the flags a command's -h output names, as sorted,
// distinct "--name" words: the "  -name" lines of flag.PrintDefaults and
// every "--name" in the text. Cost: one regexp pass over help.
func FlagsFromHelp(help string) []string {
	var flags []string
	for _, m := range helpFlag.FindAllStringSubmatch(help, -1) {
		if f := "--" + m[1]; !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	slices.Sort(flags)
	return flags
}

// Completion is what a completion script offers besides file names.
type Completion struct {
	Commands []string            // the subcommands, sorted; help and completion are added
	Flags    map[string][]string // each subcommand's flags, as "--name"
	DataSub  []string            // the subcommands of the data command
	DataSets []string            // the data sets `data fetch` takes
}

// WriteCompletion writes the completion script for shell (bash, zsh or
// fish) to w: subcommand names, each subcommand's flags, the data
// command's subcommands and data sets; other words complete as file names.
// An unknown shell is an error naming the ones known.
func WriteCompletion(w io.Writer, shell string, c Completion) error {
	cmds := strings.Join(append(slices.Clone(c.Commands), "help", "completion"), " ")
	names := strings.Join(c.Commands, " ")
	dataSub, dataSets := strings.Join(c.DataSub, " "), strings.Join(c.DataSets, " ")
	var b strings.Builder
	switch shell {
	case "bash", "zsh":
		if shell == "zsh" {
			b.WriteString("autoload -U +X bashcompinit && bashcompinit\n")
		}
		b.WriteString("# spurious completion; load with: source <(spurious completion " + shell + ")\n")
		b.WriteString("_spurious() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} words=\n")
		fmt.Fprintf(&b, "\tif [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", cmds)
		b.WriteString("\tcase \"$cmd\" in\n")
		for _, name := range c.Commands {
			fmt.Fprintf(&b, "\t%s) words=%q ;;\n", name, strings.Join(c.Flags[name], " "))
		}
		fmt.Fprintf(&b, "\thelp) words=%q ;;\n\tcompletion) words=\"bash zsh fish\" ;;\n\tesac\n", names)
		fmt.Fprintf(&b, "\tif [ \"$cmd\" = data ] && [ \"$COMP_CWORD\" -eq 2 ]; then words=%q; fi\n", dataSub)
		fmt.Fprintf(&b, "\tif [ \"$cmd\" = data ] && [ \"${COMP_WORDS[2]}\" = fetch ] && [[ $cur != -* ]]; then words=%q; fi\n", dataSets)
		b.WriteString("\tif [[ $cur == -* || $cmd == help || $cmd == completion || ( $cmd == data && $COMP_CWORD -le 3 ) ]]; then\n")
		b.WriteString("\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\tfi\n}\n")
		b.WriteString("complete -o default -F _spurious spurious\n")
	case "fish":
		b.WriteString("# spurious completion; load with: spurious completion fish | source\n")
		fmt.Fprintf(&b, "complete -c spurious -f -n __fish_use_subcommand -a %q\n", cmds)
		for _, name := range c.Commands {
			for _, f := range c.Flags[name] {
				fmt.Fprintf(&b, "complete -c spurious -n '__fish_seen_subcommand_from %s' -l %s\n", name, strings.TrimPrefix(f, "--"))
			}
		}
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from data; and not __fish_seen_subcommand_from %s' -a %q\n", dataSub, dataSub)
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from fetch' -a %q\n", dataSets)
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from help' -a %q\n", names)
		fmt.Fprintf(&b, "complete -c spurious -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	default:
		return fmt.Errorf("completion: unknown shell %q (want bash, zsh or fish)", shell)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
