package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestTopLevel checks spurious alone (usage on stderr, an error), help
// CMD, --version and the completion scripts.
func TestTopLevel(t *testing.T) {
	ctx := context.Background()
	var so, se bytes.Buffer
	if err := run(ctx, nil, &so, &se); !errors.Is(err, errUsage) || so.Len() != 0 || !strings.Contains(se.String(), "usage: spurious <command>") {
		t.Errorf("no arguments: %v, stdout %q, stderr %q; want errUsage and the usage on stderr", err, so.String(), se.String())
	}
	so.Reset()
	if err := run(ctx, []string{"help", "sweep"}, &so, &se); err != nil || !strings.Contains(so.String(), "usage: spurious sweep") || !strings.Contains(so.String(), "-dry-run\n") {
		t.Errorf("help sweep: %v\n%s", err, so.String())
	}
	if err := run(ctx, []string{"help", "nosuch"}, &so, &se); err == nil {
		t.Error("help of an unknown command accepted")
	}
	so.Reset()
	if err := run(ctx, []string{"--version"}, &so, &se); err != nil || !strings.Contains(so.String(), runtime.Version()) || !strings.Contains(so.String(), "ISA ") || !strings.Contains(so.String(), "revision ") {
		t.Errorf("--version: %v, %q", err, so.String())
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		so.Reset()
		if err := run(ctx, []string{"completion", sh}, &so, &se); err != nil {
			t.Fatalf("completion %s: %v", sh, err)
		}
		for _, want := range []string{"reproduce", "--workers", "fetch", "cifar10"} {
			if !strings.Contains(so.String(), strings.TrimPrefix(want, "--")) {
				t.Errorf("completion %s lacks %q", sh, want)
			}
		}
		if sh == "bash" {
			if bash, err := exec.LookPath("bash"); err == nil {
				cmd := exec.Command(bash, "-n")
				cmd.Stdin = strings.NewReader(so.String())
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v\n%s", err, out)
				}
			}
		}
	}
	if err := run(ctx, []string{"completion", "tcsh"}, &so, &se); err == nil {
		t.Error("unknown shell accepted")
	}
}
