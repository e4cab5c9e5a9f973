package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
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
		{[]string{"no-such-command"}, exitUsage, `spurious: unknown command "no-such-command"`},
		{[]string{"run", "--no-such-flag"}, exitUsage, "spurious run: flag provided but not defined"},
		{[]string{"run", "extra"}, exitUsage, `spurious run: unexpected argument "extra"`},
		{[]string{"run", "--n", "0"}, exitUsage, "spurious run: n=0"},
		{[]string{"run", "--precision", "f16"}, exitUsage, "spurious run: "},
		{[]string{"merge", "out", "in", "--prefer", "middle"}, exitUsage, "spurious merge: --prefer"},
		{[]string{"run", "--dataset", "npy", "--data", "/nonexistent"}, exitError, "spurious run: "},
		{[]string{"merge", "out.jsonl", "/nonexistent.jsonl"}, exitError, "spurious merge: "},
		{[]string{"test-panic"}, exitInternal, "spurious test-panic: internal error (a bug"},
		{[]string{"data", "show", "--count", "0", "--out", "x.png"}, exitUsage, "spurious data show: --count 0"},
		{[]string{"theory", "--coeffs", "0"}, exitUsage, "spurious theory: --coeffs 0"},
	} {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		cmd := ""
		if _, ok := commands[c.args[0]]; ok {
			cmd = c.args[0]
		}
		if got := exitCode(err); got != c.code {
			t.Errorf("%v: exit code %d, want %d (err %v)", c.args, got, c.code, err)
		}
		if err != nil {
			if line := errorLine(cmd, err); !strings.HasPrefix(line, c.msg) {
				t.Errorf("%v: message %q, want prefix %q", c.args, line, c.msg)
			}
		}
	}
	if exitCode(nil) != exitOK || exitCode(errors.New("x")) != exitError {
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
