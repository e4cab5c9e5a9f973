package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExitCode(t *testing.T) {
	plain := errors.New("no such file")
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain", plain, ExitError},
		{"Usagef", Usagef("--n %d: want >= 1", 0), ExitUsage},
		{"AsUsage", AsUsage(plain), ExitUsage},
		{"wrapped usage", fmt.Errorf("sweep: %w", Usagef("bad")), ExitUsage},
		{"internal", InternalError{Value: "boom"}, ExitInternal},
		{"wrapped internal", fmt.Errorf("x: %w", InternalError{Value: 1}), ExitInternal},
	} {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
	}
	if AsUsage(nil) != nil {
		t.Error("AsUsage(nil) is not nil")
	}
	if err := AsUsage(plain); !errors.Is(err, plain) || err.Error() != plain.Error() {
		t.Errorf("AsUsage changes the error: %v", err)
	}
}

func TestRecover(t *testing.T) {
	f := func() (err error) {
		defer Recover(&err)
		var m map[string]int
		m["x"] = 1 // a bug
		return nil
	}
	err := f()
	var ie InternalError
	if !errors.As(err, &ie) || ExitCode(err) != ExitInternal || len(ie.Stack) == 0 ||
		!strings.HasPrefix(err.Error(), "internal error (a bug in spurious") {
		t.Fatalf("panic recovered as %#v", err)
	}
	g := func() (err error) {
		defer Recover(&err)
		return plainErr
	}
	if err := g(); err != plainErr {
		t.Errorf("Recover without a panic changed the error to %v", err)
	}
}

var plainErr = errors.New("plain")

func TestErrorLine(t *testing.T) {
	for _, c := range []struct {
		cmd, msg, want string
	}{
		{"", `unknown command "x"`, `spurious: unknown command "x"`},
		{"run", "--n: n=0", "spurious run: --n: n=0"},
		{"run", "run: --precision: bad", "spurious run: --precision: bad"},
		{"data", "data show: --count 0, want 1..256", "spurious data show: --count 0, want 1..256"},
		{"data", "data file missing", "spurious data: data file missing"},
	} {
		if got := ErrorLine(c.cmd, errors.New(c.msg)); got != c.want {
			t.Errorf("ErrorLine(%q, %q) = %q, want %q", c.cmd, c.msg, got, c.want)
		}
	}
}

func TestExitCodesHelp(t *testing.T) {
	for _, code := range []int{ExitOK, ExitError, ExitInternal, ExitUsage} {
		if !strings.Contains(ExitCodesHelp, fmt.Sprintf("\n  %d ", code)) {
			t.Errorf("ExitCodesHelp does not document exit code %d", code)
		}
	}
}
