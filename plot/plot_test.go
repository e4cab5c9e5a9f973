package plot

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
)

// svgNode is a generic XML element tree.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []svgNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk calls f on n and all its descendants.
func (n *svgNode) walk(f func(*svgNode)) {
	f(n)
	for i := range n.Children {
		n.Children[i].walk(f)
	}
}

// parseSVG checks that b is well-formed XML (strict decoder, every token)
// and returns its element tree.
func parseSVG(t *testing.T, b []byte) *svgNode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, b)
		}
	}
	var root svgNode
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root element is %q, want svg", root.XMLName.Local)
	}
	return &root
}

func testFigure() *Figure {
	ns := []float64{10, 20, 50, 100, 200, 500, 1000}
	mk := func(f func(float64) float64) []float64 {
		out := make([]float64, len(ns))
		for i, n := range ns {
			out[i] = f(n)
		}
		return out
	}
	acc := mk(func(n float64) float64 { return 0.5 + 0.08*math.Log10(n) })
	return &Figure{
		Title:  "RF <test> & friends",
		Legend: []Series{{Name: "shared solid", Color: "gray"}, {Name: "shared dotted", Color: "gray", Dash: "2,3"}},
		Panels: []*Panel{
			{Title: "Synthetic - test accuracy", XLabel: "N", LogX: true, YLim: [2]float64{0.48, 1.02}, Legend: "sw",
				Series: []Series{
					{Name: "φ2, α=1/2", X: ns, Y: acc, Lo: mk(func(n float64) float64 { return 0.49 + 0.08*math.Log10(n) }),
						Hi: mk(func(n float64) float64 { return 0.51 + 0.08*math.Log10(n) }), Color: "#c44e52"},
					{Name: "φ4, α=1/4", X: ns, Y: mk(func(n float64) float64 { return 1 - 0.1*math.Log10(n) }), Color: "black", Dash: "6,3", Marker: true},
				}},
			{Title: "gaps", XLabel: "N", LogX: true, HideYTickLabels: true,
				Series: []Series{{Name: "with NaN", X: ns, Y: []float64{1, 2, math.NaN(), 4, 5, math.Inf(1), 7}}}},
		},
	}
}

func TestSVGWellFormedWithSeries(t *testing.T) {
	var buf bytes.Buffer
	if err := testFigure().WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, buf.Bytes())
	var names, panels, legend []string
	lines := map[string]string{}
	bands := 0
	root.walk(func(n *svgNode) {
		switch {
		case n.attr("class") == "panel":
			panels = append(panels, n.attr("data-title"))
		case n.attr("class") == "series":
			names = append(names, n.attr("data-name"))
			for _, c := range n.Children {
				switch c.attr("class") {
				case "line":
					lines[n.attr("data-name")] = c.attr("d")
				case "band":
					bands++
				}
			}
		case n.attr("class") == "legend-entry":
			legend = append(legend, n.Text)
		}
	})
	if want := []string{"Synthetic - test accuracy", "gaps"}; !slices.Equal(panels, want) {
		t.Errorf("panels %q, want %q", panels, want)
	}
	if want := []string{"φ2, α=1/2", "φ4, α=1/4", "with NaN"}; !slices.Equal(names, want) {
		t.Errorf("series %q, want %q", names, want)
	}
	if want := []string{"φ2, α=1/2", "φ4, α=1/4", "shared solid", "shared dotted"}; !slices.Equal(legend, want) {
		t.Errorf("legend %q, want %q", legend, want)
	}
	if bands != 1 {
		t.Errorf("%d bands, want 1", bands)
	}
	// 7 points: one move and six line-tos; the NaN and Inf split the third
	// series into three sub-paths.
	if d := lines["φ2, α=1/2"]; strings.Count(d, "M") != 1 || strings.Count(d, "L") != 6 {
		t.Errorf("line path %q, want 1 M and 6 L", d)
	}
	if d := lines["with NaN"]; strings.Count(d, "M") != 3 {
		t.Errorf("line with gaps %q, want 3 sub-paths", d)
	}
	if !strings.Contains(buf.String(), "RF &lt;test&gt; &amp; friends") {
		t.Error("title not escaped")
	}
}

func TestLogAxisMapsDecadesEvenly(t *testing.T) {
	p := &Panel{LogX: true, Series: []Series{{X: []float64{10, 1000}, Y: []float64{0, 1}}}}
	a := p.xAxis(0, 100)
	d1, d2 := a.px(100)-a.px(10), a.px(1000)-a.px(100)
	if math.Abs(d1-d2) > 1e-9 || d1 <= 0 {
		t.Errorf("decades map to %v and %v px", d1, d2)
	}
	if !slices.Equal(a.ticks, []float64{10, 100, 1000}) {
		t.Errorf("log ticks %v", a.ticks)
	}
	// The axis is padded by 4% of its two decades: 9 fits below 10, 2000
	// does not fit above 1000.
	var wantMinor []float64
	for _, d := range []float64{1, 10, 100} {
		for m := 2.0; m <= 9; m++ {
			if d > 1 || m == 9 {
				wantMinor = append(wantMinor, m*d)
			}
		}
	}
	if !slices.Equal(a.minorTicks, wantMinor) {
		t.Errorf("minor ticks %v, want %v", a.minorTicks, wantMinor)
	}
	maj, _ := logTicks(math.Log10(20), math.Log10(300))
	if !slices.Equal(maj, []float64{100, 20, 50, 200}) {
		t.Errorf("short log range ticks %v, want 100 plus 2x and 5x", maj)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0.48, 1.02, []float64{0.5, 0.6, 0.7, 0.8, 0.9, 1}},
		{0, 1000, []float64{0, 200, 400, 600, 800, 1000}},
		{-3, 7, []float64{-2, 0, 2, 4, 6}},
	} {
		if got := niceTicks(c.lo, c.hi); !slices.Equal(got, c.want) {
			t.Errorf("niceTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}

func TestWriteSVGRejectsLengthMismatch(t *testing.T) {
	f := &Figure{Panels: []*Panel{{Series: []Series{{Name: "bad", X: []float64{1, 2}, Y: []float64{1}}}}}}
	if err := f.WriteSVG(io.Discard); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("length mismatch: %v", err)
	}
}
