// Package memory estimates what a computation will allocate and checks it
// against the memory the process may use, so that a command refuses a size
// that does not fit with an error saying what to reduce instead of dying
// with "fatal error: out of memory" halfway through.
//
// Sizes are float64 byte counts: a product of user-given sizes (N*N*8 with
// N = 2^63-1) cannot overflow, it only becomes a huge number that fails
// the check.
package memory

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

// Part is one allocation of a computation.
type Part struct {
	What   string  // e.g. "Gram matrices (N x N and queries x N)"
	Bytes  float64 // its size
	Reduce string  // the sizes that drive it, e.g. "N"
}

// Estimate is the allocations of a computation that are live at once.
type Estimate []Part

// Total returns the sum of the parts' bytes.
func (e Estimate) Total() float64 {
	var t float64
	for _, p := range e {
		t += p.Bytes
	}
	return t
}

// Error is returned by [Estimate.Check] when a computation does not fit.
type Error struct {
	Need, Limit float64
	Parts       Estimate // largest first
	Source      string   // where the limit comes from
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "needs about %s of memory but %s allows %s:", Size(e.Need), e.Source, Size(e.Limit))
	for i, p := range e.Parts {
		if i == 3 || p.Bytes < e.Need/100 {
			break
		}
		fmt.Fprintf(&b, " %s %s (reduce %s);", p.What, Size(p.Bytes), p.Reduce)
	}
	s := strings.TrimSuffix(b.String(), ";")
	return s
}

// Check returns nil when the total fits in limit bytes (limit 0 means
// unknown: nothing is refused), or an *Error listing the largest parts and
// the sizes that drive them. source names the limit in the message.
func (e Estimate) Check(limit uint64, source string) error {
	need := e.Total()
	if limit == 0 || need <= float64(limit) && !math.IsNaN(need) {
		return nil
	}
	parts := slices.Clone(e)
	slices.SortStableFunc(parts, func(a, b Part) int {
		switch {
		case a.Bytes > b.Bytes:
			return -1
		case a.Bytes < b.Bytes:
			return 1
		}
		return 0
	})
	return &Error{Need: need, Limit: float64(limit), Parts: parts, Source: source}
}

// CheckAvailable is Check against [Limit].
func (e Estimate) CheckAvailable() error {
	limit, source := Limit()
	return e.Check(limit, source)
}

// Size formats a byte count with a binary unit ("1.5 GiB").
func Size(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == len(units)-1 && b >= 1024 {
		return fmt.Sprintf("%.3g EiB", b)
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}

// Limit returns the bytes this process may still allocate and a phrase
// naming where that comes from: the smallest of GOMEMLIMIT (when set), the
// cgroup v2 limit less its current use, and the machine's available memory
// (MemAvailable in /proc/meminfo). It returns 0 when none is known (not
// Linux, no /proc). Cost: reads two or three small files.
func Limit() (uint64, string) {
	var limit uint64
	var source string
	take := func(v uint64, s string) {
		if v > 0 && (limit == 0 || v < limit) {
			limit, source = v, s
		}
	}
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		take(uint64(l), "GOMEMLIMIT")
	}
	if max, ok := readUint("/sys/fs/cgroup/memory.max"); ok {
		cur, _ := readUint("/sys/fs/cgroup/memory.current")
		if max > cur {
			take(max-cur, "the container's memory limit")
		}
	}
	if avail, ok := meminfo("MemAvailable"); ok {
		take(avail, "the machine's available memory")
	}
	return limit, source
}

// readUint reads a file holding one decimal number ("max" is not one).
func readUint(name string) (uint64, bool) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
	return v, err == nil
}

// meminfo returns a field of /proc/meminfo in bytes.
func meminfo(field string) (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0, false
		}
		v, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(fields) > 1 && fields[1] == "kB" {
			v *= 1024
		}
		return v, true
	}
	return 0, false
}
