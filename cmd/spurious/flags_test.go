package main

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

func newTestFlagSet(name string) (*flag.FlagSet, *int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs, fs.Int("n", 0, "a number")
}

func TestParseFlags(t *testing.T) {
	fs, n := newTestFlagSet("demo")
	if help, err := parseFlags(fs, []string{"--n", "3"}); help || err != nil || *n != 3 {
		t.Errorf("--n 3: help %v err %v n %d", help, err, *n)
	}
	fs, _ = newTestFlagSet("demo")
	if help, err := parseFlags(fs, []string{"-h"}); !help || err != nil {
		t.Errorf("-h: help %v err %v, want help and no error", help, err)
	}
	fs, _ = newTestFlagSet("demo")
	if _, err := parseFlags(fs, []string{"--n", "3", "extra"}); err == nil || err.Error() != `demo: unexpected argument "extra"` {
		t.Errorf("positional argument: %v", err)
	}
	fs, _ = newTestFlagSet("demo")
	if help, err := parseFlags(fs, []string{"--m", "1"}); help || err == nil {
		t.Errorf("unknown flag: help %v err %v, want an error", help, err)
	}
}

func TestParseInterleaved(t *testing.T) {
	fs, n := newTestFlagSet("demo")
	pos, help, err := parseInterleaved(fs, []string{"a", "--n", "4", "b"})
	if help || err != nil || *n != 4 || !slices.Equal(pos, []string{"a", "b"}) {
		t.Errorf("got pos %q n %d help %v err %v, want [a b] and n 4", pos, *n, help, err)
	}
	fs, _ = newTestFlagSet("demo")
	if _, help, err := parseInterleaved(fs, []string{"a", "--help"}); !help || err != nil {
		t.Errorf("--help after a positional: help %v err %v", help, err)
	}
}

func TestEngineFlags(t *testing.T) {
	fs, _ := newTestFlagSet("demo")
	var e engineFlags
	e.register(fs, "goroutines")
	if err := fs.Parse([]string{"--threads", "1", "--isa", "generic"}); err != nil {
		t.Fatal(err)
	}
	if got := e.settings(); got != (linalg.Settings{ISA: "generic", Threads: 1}) {
		t.Errorf("settings() = %+v, want generic on 1 thread", got)
	}
	threads, isa := linalg.Threads(), asm.Active()
	restore, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if linalg.Threads() != 1 || asm.Active() != "generic" {
		t.Errorf("applied: %d threads, isa %s; want 1 and generic", linalg.Threads(), asm.Active())
	}
	restore()
	if linalg.Threads() != threads || asm.Active() != isa {
		t.Errorf("restored: %d threads, isa %s; want %d and %s", linalg.Threads(), asm.Active(), threads, isa)
	}
	for _, bad := range []engineFlags{{threads: -1}, {isa: "sse9"}} {
		if _, err := bad.apply(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if err := fs.Parse([]string{"--threads", "x"}); err == nil || !strings.Contains(err.Error(), "threads") {
		t.Errorf("--threads x: %v", err)
	}
}
