//go:build unix

package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree maps each path under dir to its type and contents (for regular
// files), so a test can see exactly what a command changed.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		m[rel] = info.Mode().Type().String()
		if info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			m[rel] += string(b)
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			l, _ := os.Readlink(p)
			m[rel] += "->" + l
		}
		return nil
	})
	return m
}

// changed lists the paths whose type or contents differ between two trees.
func changed(before, after map[string]string) []string {
	var out []string
	for p, v := range after {
		if before[p] != v {
			out = append(out, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// TestOutputsOnlyWhereAsked runs every command that writes files with
// outputs of each kind (new file, symbolic link, FIFO, device, "-") from
// inside a scratch folder, and checks that it writes the paths it was
// given and nothing else, never replaces a link, a FIFO or a device, and
// reports a full disk (/dev/full) as an error.
func TestOutputsOnlyWhereAsked(t *testing.T) {
	withFakeTrials(t, 0)
	dir := t.TempDir()
	wd, _ := os.Getwd()
	fixture, _ := filepath.Abs(dataFixture)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	spec := writeSpec(t, dir)
	os.WriteFile("real.out", []byte("old"), 0o644)
	os.Symlink("real.out", "link")
	if err := syscall.Mkfifo("fifo", 0o644); err != nil {
		t.Skip(err)
	}
	if err := run(context.Background(), []string{"sweep", spec, "--out", "shard.jsonl", "--progress", "none"}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	runArgs := []string{"run", "--model", "linear", "--d", "30", "--n", "10", "--nt", "5"}
	commands := map[string]func(out string) []string{
		"run --per-sample": func(out string) []string { return append(slices.Clone(runArgs), "--per-sample", out) },
		"merge":            func(out string) []string { return []string{"merge", out, "shard.jsonl"} },
		"data show --out": func(out string) []string {
			return []string{"data", "show", "--dataset", "cifar10", "--data", fixture, "--border", "1", "--count", "2", "--out", out}
		},
	}
	for name, args := range commands {
		for _, out := range []string{"new.out", "link", "fifo", os.DevNull, "-"} {
			before := tree(t, dir)
			var stdout bytes.Buffer
			var got []byte
			done := make(chan bool)
			if out == "fifo" {
				go func() { got, _ = os.ReadFile("fifo"); close(done) }()
			}
			err := run(context.Background(), args(out), &stdout, new(bytes.Buffer))
			if out == "fifo" {
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					t.Errorf("%s %s: the command never opened the pipe", name, out) // the reader stays blocked
				}
			}
			if err != nil {
				t.Errorf("%s %s: %v", name, out, err)
				continue
			}
			want := map[string][]string{"new.out": {"new.out"}, "link": {"real.out"}}[out]
			if c := changed(before, tree(t, dir)); !slices.Equal(c, want) {
				t.Errorf("%s %s changed %v, want %v", name, out, c, want)
			}
			switch out {
			case "fifo":
				if len(got) == 0 {
					t.Errorf("%s %s: nothing came through the pipe", name, out)
				}
			case "-":
				// Only the output itself goes to stdout (the summary goes to stderr).
				prefix := map[string]string{"run --per-sample": "i,g,f_spurious,", "merge": `{"key":`, "data show --out": "\x89PNG"}[name]
				if o := stdout.String(); !strings.HasPrefix(o, prefix) || strings.Contains(o, "wrote") || strings.Contains(o, "merge:") || strings.Contains(o, "accuracy") {
					t.Errorf("%s -: standard output holds %.80q, want the output alone", name, o)
				}
			case "new.out":
				os.Remove("new.out")
			}
		}
		if _, err := os.Stat("/dev/full"); err == nil {
			err := run(context.Background(), args("/dev/full"), new(bytes.Buffer), new(bytes.Buffer))
			if err == nil || !strings.Contains(err.Error(), "no space left") {
				t.Errorf("%s /dev/full: %v, want a write error", name, err)
			}
		}
	}
	// A sweep appends to and rereads its results: anything but a regular
	// file is refused, and left alone.
	for _, out := range []string{"fifo", os.DevNull, "/dev/full", "-"} {
		before := tree(t, dir)
		err := run(context.Background(), []string{"sweep", spec, "--out", out, "--progress", "none"}, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil {
			t.Errorf("sweep --out %s accepted", out)
		}
		if c := changed(before, tree(t, dir)); len(c) > 0 {
			t.Errorf("sweep --out %s changed %v", out, c)
		}
	}
	// reproduce writes inside its --out folder only; a report.md that is a
	// link and a figure that is a link to /dev/null stay links.
	os.Mkdir("repro", 0o755)
	os.WriteFile("real.md", nil, 0o644)
	os.Symlink("../real.md", "repro/report.md")
	os.Symlink(os.DevNull, "repro/rf.png")
	before := tree(t, dir)
	if err := run(context.Background(), []string{"reproduce", "--quick", "--out", "repro", "--progress", "none"}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	for _, p := range changed(before, tree(t, dir)) {
		if !strings.HasPrefix(p, "repro"+string(filepath.Separator)) && p != "real.md" {
			t.Errorf("reproduce --out repro changed %s", p)
		}
		if p == "repro/report.md" || p == "repro/rf.png" {
			t.Errorf("reproduce replaced the link %s", p)
		}
	}
	if b, _ := os.ReadFile("real.md"); len(b) == 0 {
		t.Error("the report did not go through the link")
	}
	for _, p := range []string{"fifo", "link"} {
		if st, _ := os.Lstat(p); st.Mode().IsRegular() {
			t.Errorf("%s was replaced by a regular file", p)
		}
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device", os.DevNull)
	}
}
