package trial

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
