package data

import "testing"

func TestCheckGrid(t *testing.T) {
	for _, c := range []struct {
		count, zoom int
		want        string
	}{
		{1, 1, ""},
		{MaxGridSamples, MaxGridZoom, ""},
		{0, 3, "count 0, want 1..256"},
		{MaxGridSamples + 1, 3, "count 257, want 1..256"},
		{8, 0, "zoom 0, want 1..16"},
		{8, MaxGridZoom + 1, "zoom 17, want 1..16"},
	} {
		got := ""
		if err := CheckGrid(c.count, c.zoom); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("CheckGrid(%d, %d) = %q, want %q (\"\" for nil)", c.count, c.zoom, got, c.want)
		}
	}
}

func TestGridCaption(t *testing.T) {
	ds := &Dataset{Name: "mnist", D: 2304, Alpha: 0.5659722, G: []float64{1, -1, 1}, Height: 48, Width: 48, Channels: 1}
	want := "3 mnist training samples (top row; labels +1 -1 +1) above their spurious queries (bottom row); 48x48x1, d=2304, alpha=0.5660"
	if got := GridCaption(ds); got != want {
		t.Errorf("GridCaption = %q\nwant         %q", got, want)
	}
}
