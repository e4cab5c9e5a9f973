package cli

import (
	"bytes"
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestFlagsFromHelp(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Int("n", 0, "training samples")
	fs.String("out", "", "output `FILE`")
	fs.Bool("quick", false, "fewer points")
	var help bytes.Buffer
	help.WriteString("usage: spurious run [flags] (see also --n and --model-kind)\n")
	fs.SetOutput(&help)
	fs.PrintDefaults()
	got := FlagsFromHelp(help.String())
	want := []string{"--model-kind", "--n", "--out", "--quick"}
	if !slices.Equal(got, want) {
		t.Errorf("FlagsFromHelp = %v, want %v\nhelp:\n%s", got, want, help.String())
	}
	if got := FlagsFromHelp("no flags here\n"); len(got) != 0 {
		t.Errorf("FlagsFromHelp of a text without flags = %v", got)
	}
}

func TestWriteCompletion(t *testing.T) {
	c := Completion{
		Commands: []string{"data", "run"},
		Flags:    map[string][]string{"run": {"--n", "--out"}, "data": {"--dir"}},
		DataSub:  []string{"fetch", "list"},
		DataSets: []string{"mnist", "cifar10"},
	}
	for shell, wants := range map[string][]string{
		"bash": {`"data run help completion"`, `run) words="--n --out" ;;`, `data) words="--dir" ;;`, `words="fetch list"`, `words="mnist cifar10"`, "complete -o default -F _spurious spurious"},
		"zsh":  {"bashcompinit", `run) words="--n --out" ;;`},
		"fish": {`-a "data run help completion"`, "from run' -l n\n", "from run' -l out\n", "from data' -l dir\n", `-a "mnist cifar10"`},
	} {
		var b strings.Builder
		if err := WriteCompletion(&b, shell, c); err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		for _, w := range wants {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s script lacks %q:\n%s", shell, w, b.String())
			}
		}
	}
	if len(c.Commands) != 2 {
		t.Errorf("WriteCompletion changed Commands to %v", c.Commands)
	}
	var b strings.Builder
	if err := WriteCompletion(&b, "tcsh", c); err == nil || !strings.Contains(err.Error(), "bash, zsh or fish") || b.Len() != 0 {
		t.Errorf("tcsh: err %v, wrote %q", err, b.String())
	}
}
