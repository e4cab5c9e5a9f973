package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/internal/cli"
)

func TestExitCodes(t *testing.T) {
	commands["test-panic"] = command{"panics", func(context.Context, []string, io.Writer, io.Writer) error {
		var m map[string]int
		m["x"] = 1 // a bug
		return nil
	}}
	defer delete(commands, "test-panic")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"no-such-command"}, cli.ExitUsage, `spurious: unknown command "no-such-command"`},
		{[]string{"run", "--no-such-flag"}, cli.ExitUsage, "spurious run: flag provided but not defined"},
		{[]string{"run", "extra"}, cli.ExitUsage, `spurious run: unexpected argument "extra"`},
		{[]string{"run", "--n", "0"}, cli.ExitUsage, "spurious run: --n: n=0"},
		{[]string{"run", "--precision", "f16"}, cli.ExitUsage, "spurious run: "},
		{[]string{"merge", "out", "in", "--prefer", "middle"}, cli.ExitUsage, "spurious merge: --prefer"},
		{[]string{"run", "--dataset", "npy", "--data", "/nonexistent"}, cli.ExitError, "spurious run: "},
		{[]string{"merge", "out.jsonl", "/nonexistent.jsonl"}, cli.ExitError, "spurious merge: "},
		{[]string{"test-panic"}, cli.ExitInternal, "spurious test-panic: internal error (a bug"},
		{[]string{"data", "show", "--count", "0", "--out", "x.png"}, cli.ExitUsage, "spurious data show: --count 0"},
		{[]string{"theory", "--coeffs", "0"}, cli.ExitUsage, "spurious theory: --coeffs 0"},
	} {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		cmd := ""
		if _, ok := commands[c.args[0]]; ok {
			cmd = c.args[0]
		}
		if got := cli.ExitCode(err); got != c.code {
			t.Errorf("%v: exit code %d, want %d (err %v)", c.args, got, c.code, err)
		}
		if err != nil {
			if line := cli.ErrorLine(cmd, err); !strings.HasPrefix(line, c.msg) {
				t.Errorf("%v: message %q, want prefix %q", c.args, line, c.msg)
			}
		}
	}
	if cli.ExitCode(nil) != cli.ExitOK || cli.ExitCode(errors.New("x")) != cli.ExitError {
		t.Error("exitCode of nil or a plain error")
	}
	var help bytes.Buffer
	run(context.Background(), []string{"--help"}, &help, io.Discard)
	for _, code := range []string{"  0 ", "  1 ", "  2 ", "  64 "} {
		if !strings.Contains(help.String(), code) {
			t.Errorf("--help does not document exit code %q:\n%s", code, help.String())
		}
	}
}

// TestMergeConflictCLI: two files holding one trial with different
// numbers make merge fail, naming the trial and both sources, until
// --prefer chooses.
func TestMergeConflictCLI(t *testing.T) {
	withFakeTrials(t, 0)
	dir := t.TempDir()
	spec := writeSpec(t, dir)
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	if err := run(context.Background(), []string{"sweep", spec, "--out", a, "--progress", "none"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(must(os.ReadFile(a))), "\n")
	var rec map[string]any
	json.Unmarshal([]byte(lines[0]), &rec)
	res := rec["result"].(map[string]any)
	res["test_acc"] = res["test_acc"].(float64) + 0.25
	edited, _ := json.Marshal(rec)
	os.WriteFile(b, append(edited, '\n'), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	err := run(context.Background(), []string{"merge", out, a, b}, io.Discard, io.Discard)
	if cli.ExitCode(err) != cli.ExitError || err == nil || !strings.Contains(err.Error(), rec["key"].(string)) ||
		!strings.Contains(err.Error(), a+":1") || !strings.Contains(err.Error(), b+":1") || !strings.Contains(err.Error(), "--prefer") {
		t.Fatalf("conflicting merge: %v", err)
	}
	var so, se bytes.Buffer
	if err := run(context.Background(), []string{"merge", out, a, b, "--prefer", "last"}, &so, &se); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(so.String(), "1 with different numbers, resolved by --prefer last") || !strings.Contains(se.String(), "test_acc") {
		t.Errorf("merge --prefer last: stdout %q stderr %q", so.String(), se.String())
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
