package plot

import (
	"bytes"
	"encoding/xml"
	"image/color"
	"image/png"
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
				}
			}
		case n.attr("class") == "band":
			bands++
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

// TestBandsClampedToRange draws a band that runs past [0, 1] (a 95%
// interval of three repetitions) on a panel whose metric lies in [0, 1]:
// the band stops at the range, the fitted y axis shows no value outside
// it (beyond its 5% margin), and no tick labels one.
func TestBandsClampedToRange(t *testing.T) {
	p := &Panel{Range: [2]float64{0, 1}, Series: []Series{{
		X: []float64{1, 2, 3}, Y: []float64{0.833, 0.9, 0.95}, Lo: []float64{0.116, 0.5, 0.7}, Hi: []float64{1.55, 1.3, 1.2},
	}}}
	fr := p.frame(0, 0, 280, 230)
	if fr.ya.hi > 1.05 || fr.ya.lo < 0.116-0.05 {
		t.Errorf("y axis [%v, %v], want it fitted to the clamped band [0.116, 1]", fr.ya.lo, fr.ya.hi)
	}
	if got := fr.ya.ticks[len(fr.ya.ticks)-1]; got > 1 {
		t.Errorf("tick %v above the metric's range", got)
	}
	lo, hi := p.band(p.Series[0])
	for _, poly := range bandPolygons(p.Series[0].X, lo, hi, fr.xa, fr.ya) {
		for _, q := range poly {
			if q.y < fr.ya.px(1)-1e-9 {
				t.Errorf("band point at y=%v px, above the value 1 (%v px)", q.y, fr.ya.px(1))
			}
		}
	}
	// Without a range the band is drawn as given.
	p.Range = [2]float64{}
	if fr := p.frame(0, 0, 280, 230); fr.ya.hi < 1.55 {
		t.Errorf("no range: y axis top %v, want the band's 1.55 inside", fr.ya.hi)
	}
}

// TestAutoLegend fills all four corners of a panel with lines, so that an
// "auto" legend can only hide nothing by raising the top of the y range.
func TestAutoLegend(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	p := &Panel{Legend: "auto", Series: []Series{
		{Name: "top", X: x, Y: []float64{1, 1, 1, 1, 1, 1, 1, 1}},
		{Name: "bottom", X: x, Y: []float64{0, 0, 0, 0, 0, 0, 0, 0}},
	}}
	fr := p.frame(0, 0, 280, 230)
	if _, n := fr.bestCorner(); n == 0 {
		t.Fatal("test setup: some corner is free before the range is raised")
	}
	fr.placeLegend()
	if _, n := fr.bestCorner(); n != 0 || (fr.legend != "ne" && fr.legend != "nw") {
		t.Errorf("legend in %s hides %d points after raising the range to %v", fr.legend, n, fr.ya.hi)
	}
	// A free corner is used as it is.
	p.Series = p.Series[:1]
	p.Series[0].Y = []float64{0, 0, 0, 0, 1, 1, 1, 1}
	fr = p.frame(0, 0, 280, 230)
	hi := fr.ya.hi
	fr.placeLegend()
	if fr.legend != "nw" || fr.ya.hi != hi {
		t.Errorf("legend %s, y top %v -> %v; want nw and the range unchanged", fr.legend, hi, fr.ya.hi)
	}
}

// TestLayersAndShareY checks the painting order (bands, then series by
// layer) and shared y ranges.
func TestLayersAndShareY(t *testing.T) {
	x := []float64{1, 2}
	f := &Figure{ShareY: true, Panels: []*Panel{
		{Series: []Series{
			{Name: "measured", X: x, Y: []float64{0.1, 0.2}, Lo: []float64{0, 0.1}, Hi: []float64{0.2, 0.3}, Layer: 1},
			{Name: "theory", X: x, Y: []float64{0.1, 0.2}, Width: 3},
		}},
		{Series: []Series{{Name: "other", X: x, Y: []float64{0.5, 0.9}}}},
	}}
	var buf bytes.Buffer
	if err := f.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, buf.Bytes())
	var order []string
	var yLabels [2]int
	panel := -1
	root.walk(func(n *svgNode) {
		switch n.attr("class") {
		case "panel":
			panel++
		case "series-band":
			order = append(order, "band:"+n.attr("data-name"))
		case "series":
			order = append(order, n.attr("data-name"))
		case "tick-labels":
			for _, c := range n.Children {
				if c.attr("text-anchor") == "end" {
					yLabels[panel]++
				}
			}
		}
	})
	if want := []string{"band:measured", "theory", "measured", "other"}; !slices.Equal(order, want) {
		t.Errorf("painting order %q, want %q", order, want)
	}
	if yLabels[0] == 0 || yLabels[1] != 0 {
		t.Errorf("y tick labels per panel %v, want some in the first and none in the second", yLabels)
	}
	pw, ph, cols, _, top, _, _, _ := f.layout()
	fr := []*frame{f.Panels[0].frame(0, top, pw, ph), f.Panels[1].frame(pw, top, pw, ph)}
	shareY(fr, cols)
	if fr[0].ya.lo != fr[1].ya.lo || fr[0].ya.hi != fr[1].ya.hi || fr[0].ya.hi < 0.9 || fr[0].ya.lo > 0 {
		t.Errorf("shared ranges [%v, %v] and [%v, %v], want one range over 0..0.9", fr[0].ya.lo, fr[0].ya.hi, fr[1].ya.lo, fr[1].ya.hi)
	}
}

// TestPNG rasterizes the test figure and checks the image against the
// layout: its size, the white background, a pixel of a line in its color
// and dark text pixels in the title.
func TestPNG(t *testing.T) {
	f := testFigure()
	var buf bytes.Buffer
	if err := f.WritePNG(&buf, 2); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, _, _, _, w, h := f.layout()
	if b := img.Bounds(); b.Dx() != int(2*w) || b.Dy() != int(2*h) {
		t.Fatalf("image %v, want %vx%v", b, 2*w, 2*h)
	}
	rgb := func(x, y float64) [3]uint32 {
		r, g, b, _ := img.At(int(2*x), int(2*y)).RGBA()
		return [3]uint32{r >> 8, g >> 8, b >> 8}
	}
	if c := rgb(1, 1); c != [3]uint32{255, 255, 255} {
		t.Errorf("corner %v, want white", c)
	}
	pw, ph, _, _, top, _, _, _ := f.layout()
	fr := f.Panels[0].frame(0, top, pw, ph)
	s := f.Panels[0].Series[0] // #c44e52, no marker
	x, y := fr.xa.px(s.X[3]), fr.ya.px(s.Y[3])
	if c := rgb(x, y); c[0] < 150 || c[1] > 120 || c[2] > 120 {
		t.Errorf("line pixel at (%v, %v) is %v, want the series' red", x, y, c)
	}
	dark := 0
	for px := w/2 - 80; px < w/2+80; px += 0.5 {
		for py := 5.0; py < 20; py += 0.5 {
			if c := rgb(px, py); c[0] < 100 {
				dark++
			}
		}
	}
	if dark < 50 {
		t.Errorf("%d dark pixels in the title area, want text", dark)
	}
	if err := (&Figure{Panels: []*Panel{{Series: []Series{{X: []float64{1}, Y: nil}}}}}).WritePNG(io.Discard, 1); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestParseColor(t *testing.T) {
	for s, want := range map[string]color.RGBA{"#c44e52": {0xc4, 0x4e, 0x52, 255}, "#fff": {255, 255, 255, 255}, "gray": {128, 128, 128, 255}, "bogus": {0, 0, 0, 255}} {
		if got := parseColor(s); got != want {
			t.Errorf("parseColor(%q) = %v, want %v", s, got, want)
		}
	}
}
