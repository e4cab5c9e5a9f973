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
}
