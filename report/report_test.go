package report

import (
	"slices"
	"strings"
	"testing"
)

func TestDocFiguresAndTables(t *testing.T) {
	var d Doc
	d.Heading(1, "Results")
	d.Figure("rf.svg", "RF [figure]", "Test and spurious accuracy.")
	d.Table([]string{"N", "acc"}, [][]string{{"10", "0.5 | 0.1"}, {"20"}})
	d.Figure("ntk.svg", "NTK", "")
	md := d.String()
	if got := FigureRefs(md); !slices.Equal(got, []string{"rf.svg", "ntk.svg"}) || !slices.Equal(d.Figures(), got) {
		t.Errorf("FigureRefs = %q, Figures = %q", got, d.Figures())
	}
	for _, want := range []string{"# Results\n", "| N | acc |\n|---|---|\n", `| 10 | 0.5 \| 0.1 |`, "| 20 |  |", "![RF (figure)](rf.svg)"} {
		if !strings.Contains(md, want) {
			t.Errorf("document lacks %q:\n%s", want, md)
		}
	}
}
