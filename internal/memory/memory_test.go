package memory

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	n := 1e6
	e := Estimate{
		{"data", 8 * 3 * n * 1e5, "N or d"},
		{"Gram matrices", 8 * n * n, "N"},
		{"tiny", 8, "nothing"},
	}
	err := e.Check(16<<30, "the test limit")
	var me *Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *Error", err)
	}
	msg := err.Error()
	for _, want := range []string{"16 GiB", "the test limit", "Gram matrices", "reduce N", "data"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Index(msg, "Gram") > strings.Index(msg, "data") || strings.Contains(msg, "tiny") {
		t.Errorf("parts not listed largest first, or a negligible one listed: %s", msg)
	}
	if err := (Estimate{{"x", 1 << 20, "N"}}).Check(2<<20, "limit"); err != nil {
		t.Errorf("a fitting estimate: %v", err)
	}
	if err := (Estimate{{"x", 1 << 50, "N"}}).Check(0, "unknown"); err != nil {
		t.Errorf("unknown limit: %v", err)
	}
	if err := (Estimate{{"x", math.NaN(), "N"}}).Check(1<<30, "limit"); err == nil {
		t.Error("a NaN estimate passed")
	}
	huge := float64(math.MaxInt64)
	if err := (Estimate{{"Gram", 8 * huge * huge, "N"}}).Check(1<<30, "limit"); err == nil || !strings.Contains(err.Error(), "EiB") {
		t.Errorf("N = MaxInt64: %v", err)
	}
}

func TestLimit(t *testing.T) {
	l, src := Limit()
	if runtime.GOOS == "linux" && (l == 0 || src == "") {
		t.Errorf("Limit() = %d, %q on Linux", l, src)
	}
	if s := Size(1.5 * (1 << 30)); s != "1.5 GiB" {
		t.Errorf("Size = %q", s)
	}
}
