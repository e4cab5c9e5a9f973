package trial

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestResultWriteText(t *testing.T) {
	s := small("linear")
	s.VerifyLOO = 2
	r, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"model ", "linear, act relu, k -, ridge 0", "n 30, nt 12", "spurious accuracy", "brute-force LOO check         2 samples", "time "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 13+len(r.Warnings) {
		t.Errorf("%d lines, want %d:\n%s", n, 13+len(r.Warnings), out)
	}
}

func TestPrintProgress(t *testing.T) {
	var b bytes.Buffer
	p := PrintProgress(&b, "run: rf", 0)
	p(1, 4)
	if out := b.String(); !strings.HasPrefix(out, "run: rf Gram 1/4 (25%), ") || !strings.HasSuffix(out, " s left\n") {
		t.Errorf("progress line %q", out)
	}
	b.Reset()
	p = PrintProgress(&b, "x", time.Hour)
	p(1, 4)
	p(2, 4)
	if b.Len() != 0 {
		t.Errorf("printed before the interval: %q", b.String())
	}
}
