package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

// TestRunFlagsRejectedEarly checks that bad --workers, --reps and
// --progress values fail before any file or folder is created.
func TestRunFlagsRejectedEarly(t *testing.T) {
	withFakeTrials(t, 0)
	for _, args := range [][]string{
		{"sweep", "--model", "rf", "--n", "10", "--workers", "-1", "--out", "OUT"},
		{"sweep", "--model", "rf", "--n", "10", "--reps", "0", "--out", "OUT"},
		{"sweep", "--model", "rf", "--n", "10", "--progress", "fancy", "--out", "OUT"},
		{"reproduce", "--workers", "-1", "--out", "OUT"},
		{"reproduce", "--workers", "0", "--out", "OUT"},
		{"reproduce", "--progress", "fancy", "--out", "OUT"},
	} {
		dir := t.TempDir()
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "OUT", filepath.Join(dir, "out"))
		}
		var so, se bytes.Buffer
		if err := run(context.Background(), args, &so, &se); err == nil {
			t.Errorf("%q accepted", args)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Errorf("%q created its output before failing", args)
		}
	}
}

// TestInapplicableFlags checks that flags the chosen data ignores are
// errors, and that nn's --nt 0 is no hidden default.
func TestInapplicableFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--dataset", "npy", "--data", "x", "--n", "10"}, "--n does not apply to --dataset npy"},
		{[]string{"run", "--dataset", "mnist", "--alpha", "0.25"}, "--alpha does not apply to --dataset mnist"},
		{[]string{"run", "--dataset", "synthetic", "--border", "3"}, "--border does not apply to --dataset synthetic"},
		{[]string{"nn", "--dataset", "cifar10", "--n", "10", "--d", "100"}, "--d does not apply to --dataset cifar10"},
		{[]string{"nn", "--dataset", "synthetic", "--n", "10", "--data", "x"}, "--data does not apply to --dataset synthetic"},
		{[]string{"nn", "--n", "10", "--nt", "0"}, "want at least 1 test sample"},
		{[]string{"run", "--model", "linear", "--block", "8"}, "--block does not apply to --model linear"},
		{[]string{"run", "--model", "rf", "--ntk-deriv", "true"}, "--ntk-deriv does not apply to --model rf"},
		{[]string{"data", "info", "--dataset", "cifar10", "--dir", "x"}, "not defined: -dir"},
	} {
		var so, se bytes.Buffer
		err := run(context.Background(), c.args, &so, &se)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
}

// TestDataFlag checks --data in sweep (passed to the real-data trials
// only) and reproduce (DIR/NAME per data set).
func TestDataFlag(t *testing.T) {
	var so, se bytes.Buffer
	err := run(context.Background(), []string{"sweep", "--model", "rf", "--dataset", "synthetic,mnist", "--n", "10", "--data", "/d/mnist", "--dry-run"}, &so, &se)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(so.String()), "\n") {
		if strings.Contains(line, "--dataset mnist") != strings.Contains(line, "--data=/d/mnist") {
			t.Errorf("dry-run line %q: --data must go with the mnist trials only", line)
		}
	}
	withFakeTrials(t, 0)
	dir := t.TempDir()
	if err := run(context.Background(), []string{"reproduce", "--out", dir, "--progress", "none", "--data", "/cache"}, &so, &se); err != nil {
		t.Fatal(err)
	}
	spec, _ := os.ReadFile(filepath.Join(dir, "spec.json"))
	for _, want := range []string{`"data": "/cache/mnist"`, `"data": "/cache/cifar10"`} {
		if !strings.Contains(string(spec), want) {
			t.Errorf("spec.json lacks %s", want)
		}
	}
}

// TestSweepInapplicableAxes checks that a sweep reports axes the trials'
// data ignores before running, and that npy trials get no size flags.
func TestSweepInapplicableAxes(t *testing.T) {
	var so, se bytes.Buffer
	err := run(context.Background(), []string{"sweep", "--model", "rf", "--dataset", "synthetic,mnist", "--alpha", "0.5", "--n", "10", "--dry-run"}, &so, &se)
	if err == nil || !strings.Contains(err.Error(), "alpha and d axes do not apply to dataset mnist") {
		t.Errorf("alpha axis with mnist: %v", err)
	}
	so.Reset()
	if err := run(context.Background(), []string{"sweep", "--model", "rf", "--dataset", "npy", "--n", "10", "--nt", "5", "--extra", "data=x", "--dry-run"}, &so, &se); err != nil {
		t.Fatal(err)
	}
	if line := so.String(); strings.Contains(line, "--n ") || strings.Contains(line, "--nt ") || !strings.Contains(line, "--data=x") {
		t.Errorf("npy trial %q: want no --n or --nt, and the data folder", line)
	}
}
