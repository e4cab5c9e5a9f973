package sweep

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseGrid(t *testing.T) {
	g, err := ParseGrid(map[string]string{"model": "rf, ntk", "alpha": "1/2,0.25", "n": "10,20", "ridge": "", "extra": "--isa=generic,threads=2"})
	if err != nil {
		t.Fatal(err)
	}
	want := Grid{Model: []string{"rf", "ntk"}, Alpha: []float64{0.5, 0.25}, N: []int{10, 20}, Extra: map[string]string{"isa": "generic", "threads": "2"}}
	if !reflect.DeepEqual(g, want) {
		t.Fatalf("ParseGrid = %+v, want %+v", g, want)
	}
	for axes, part := range map[string]string{"alpha": "alpha", "n": "n:", "width": "unknown axis"} {
		in := map[string]string{axes: "x"}
		if _, err := ParseGrid(in); err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("ParseGrid(%v): err = %v, want one containing %q", in, err, part)
		}
	}
}

func FuzzParseGrid(f *testing.F) {
	f.Add("alpha", "1/2,1/4")
	f.Add("n", "10, 20")
	f.Add("extra", "isa=avx2,x")
	f.Fuzz(func(t *testing.T, axis, v string) {
		g, err := ParseGrid(map[string]string{axis: v})
		if err != nil {
			return
		}
		// Whatever parses expands or is rejected by Trials without panicking.
		s := &Spec{Grid: g}
		s.N = append(s.N, 1)
		_, _ = s.Trials()
	})
}

func TestSetProgress(t *testing.T) {
	var o Options
	var b strings.Builder
	for _, c := range []struct {
		mode     string
		log, bar bool
	}{{"auto", true, false}, {"bar", true, true}, {"lines", true, false}, {"none", false, false}} {
		if err := o.SetProgress(c.mode, &b); err != nil || (o.Log != nil) != c.log || o.Terminal != c.bar {
			t.Errorf("SetProgress(%s): log %v, terminal %v, err %v", c.mode, o.Log != nil, o.Terminal, err)
		}
	}
	if err := o.SetProgress("fancy", &b); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestGridAxisUsage(t *testing.T) {
	if len(GridAxisUsage) != len(GridAxes) {
		t.Errorf("%d usages for %d axes", len(GridAxisUsage), len(GridAxes))
	}
	for _, a := range GridAxes {
		if GridAxisUsage[a] == "" {
			t.Errorf("axis %s has no usage", a)
		}
	}
}
