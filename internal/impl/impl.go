// Package impl is the registry of switchable instruction-set paths, shaped
// like the standard library's crypto/internal/impl. Package asm registers one
// flag per SIMD path it compiled in; tests and the command line select a
// path by name, and every test can run once per path available here.
//
// It lives under internal so that only this module can flip the global
// dispatch state; embedders choose a path per computation (linalg.NewEngine)
// or with the SPURIOUS_ISA variable.
package impl

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Generic names the plain-Go path, always available.
const Generic = "generic"

type entry struct {
	name      string
	available bool  // detected at start-up
	flag      *bool // the dispatch flag the kernels switch on
}

var (
	mu      sync.Mutex
	entries []entry // best path last
)

// Register records a SIMD path. available says whether the CPU and OS
// support it; flag is the variable that dispatch reads. Paths must be
// registered from the weakest to the strongest.
func Register(name string, available bool, flag *bool) {
	mu.Lock()
	defer mu.Unlock()
	entries = append(entries, entry{name, available, flag})
	*flag = available
}

// Available lists the paths this machine can run, generic first.
func Available() []string {
	mu.Lock()
	defer mu.Unlock()
	names := []string{Generic}
	for _, e := range entries {
		if e.available {
			names = append(names, e.name)
		}
	}
	return names
}

// Check returns name in the canonical form (lower case, trimmed) if it is
// a path this build knows and this machine supports, else an error naming
// the available paths. It changes nothing.
func Check(name string) (string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	mu.Lock()
	defer mu.Unlock()
	_, err := lookup(name)
	return name, err
}

// lookup returns the index in entries of name (-1 for generic), or an
// error when name is unknown or not supported here. mu must be held.
func lookup(name string) (int, error) {
	if name == Generic {
		return -1, nil
	}
	idx := -1
	for i, e := range entries {
		if e.name == name {
			idx = i
		}
	}
	if idx >= 0 && entries[idx].available {
		return idx, nil
	}
	avail := []string{Generic}
	known := []string{Generic}
	for _, e := range entries {
		known = append(known, e.name)
		if e.available {
			avail = append(avail, e.name)
		}
	}
	if idx < 0 {
		return 0, fmt.Errorf("unknown instruction set %q: this build knows %s (available on this CPU: %s)",
			name, strings.Join(known, ", "), strings.Join(avail, ", "))
	}
	return 0, fmt.Errorf("instruction set %q is not supported by this CPU: available are %s",
		name, strings.Join(avail, ", "))
}

// Select makes name the active path: its flag and those of all weaker
// available paths stay on (the dispatchers test the strongest first), the
// stronger ones are switched off. It returns an error naming the available
// paths when name is unknown or not supported here; it never falls back.
func Select(name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	mu.Lock()
	defer mu.Unlock()
	idx, err := lookup(name)
	if err != nil {
		return err
	}
	for i, e := range entries {
		*e.flag = e.available && i <= idx
	}
	return nil
}

// Active returns the strongest path whose flag is on.
func Active() string {
	mu.Lock()
	defer mu.Unlock()
	for i := len(entries) - 1; i >= 0; i-- {
		if *entries[i].flag {
			return entries[i].name
		}
	}
	return Generic
}

// ForEach runs f as a subtest once per available path (generic included),
// with that path selected, then restores the path that was active. Paths
// this build knows but the machine cannot run appear as skipped subtests,
// so a log shows what was not covered. Subtests must not call t.Parallel.
func ForEach(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	prev := Active()
	defer func() {
		if err := Select(prev); err != nil {
			t.Fatal(err)
		}
	}()
	names := Available()
	for _, name := range names {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		t.Run("isa="+name, f)
	}
	for _, name := range Unavailable() {
		t.Run("isa="+name, func(t *testing.T) { t.Skipf("instruction set %s is not available on this machine", name) })
	}
	t.Logf("ran on instruction sets: %s", strings.Join(names, ", "))
}

// Unavailable lists the paths this build knows but this machine cannot
// run, weakest first.
func Unavailable() []string {
	mu.Lock()
	defer mu.Unlock()
	var names []string
	for _, e := range entries {
		if !e.available {
			names = append(names, e.name)
		}
	}
	return names
}
