package impl

import (
	"slices"
	"strings"
	"testing"
)

// The test binary of this package imports no kernels, so it owns the
// registry: two fake paths, the stronger one unavailable.
var fakeWeak, fakeStrong bool

func init() {
	Register("weak", true, &fakeWeak)
	Register("strong", false, &fakeStrong)
}

func TestRegistry(t *testing.T) {
	if got := Available(); !slices.Equal(got, []string{Generic, "weak"}) {
		t.Fatalf("Available() = %v", got)
	}
	if Active() != "weak" || !fakeWeak || fakeStrong {
		t.Fatalf("start-up: active %q weak=%v strong=%v", Active(), fakeWeak, fakeStrong)
	}
	if err := Select("GENERIC"); err != nil || Active() != Generic || fakeWeak {
		t.Fatalf("Select(generic): err=%v active=%q weak=%v", err, Active(), fakeWeak)
	}
	err := Select("strong")
	if err == nil || !strings.Contains(err.Error(), "not supported") || Active() != Generic {
		t.Fatalf("Select(strong) on a CPU without it: err=%v active=%q", err, Active())
	}
	err = Select("sse9")
	if err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Fatalf("Select(sse9): err=%v", err)
	}
	if err := Select("weak"); err != nil || Active() != "weak" {
		t.Fatalf("Select(weak): err=%v active=%q", err, Active())
	}
}

func TestForEach(t *testing.T) {
	var seen []string
	ForEach(t, func(t *testing.T) { seen = append(seen, Active()) })
	if !slices.Equal(seen, []string{Generic, "weak"}) {
		t.Fatalf("ForEach ran %v", seen)
	}
	if Active() != "weak" {
		t.Fatalf("ForEach did not restore the active path: %q", Active())
	}
	if u := Unavailable(); !slices.Equal(u, []string{"strong"}) {
		t.Fatalf("Unavailable() = %v", u)
	}
}

func TestCheck(t *testing.T) {
	defer func() {
		if err := Select("weak"); err != nil {
			t.Fatal(err)
		}
	}()
	if err := Select(Generic); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in, want, errPart string
	}{
		{" Weak ", "weak", ""},
		{"generic", Generic, ""},
		{"strong", "strong", "not supported"},
		{"sse9", "sse9", "unknown"},
	} {
		got, err := Check(c.in)
		if got != c.want || (c.errPart == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.errPart)) {
			t.Errorf("Check(%q) = %q, %v; want %q and an error containing %q", c.in, got, err, c.want, c.errPart)
		}
	}
	if Active() != Generic || fakeWeak {
		t.Fatalf("Check changed the active path to %q", Active())
	}
}
