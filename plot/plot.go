package plot

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Series is one curve: points (X[i], Y[i]) joined by a line, with an
// optional band from Lo[i] to Hi[i] (e.g. a 95% confidence interval).
// Points with a non-finite coordinate (or X <= 0 on a log axis) break the
// line. Bands are painted under every line; lines and markers are painted
// in increasing Layer, in order within a layer.
type Series struct {
	Name   string    // legend label; empty keeps the series out of the legend
	X, Y   []float64 // same length
	Lo, Hi []float64 // nil, or the same length as X
	Color  string    // "#rrggbb", "#rgb" or a basic color name; default from Palette by index
	Dash   string    // SVG stroke-dasharray, e.g. "6,3"; empty draws solid
	Width  float64   // line width in px (default 1.8)
	Marker bool      // draw a dot at each point
	Layer  int       // painting order: higher layers are drawn above lower ones
}

// Panel is one set of axes.
type Panel struct {
	Title, XLabel, YLabel string
	LogX                  bool
	// YLim fixes the y range; the zero value fits it to what is drawn
	// (lines and bands, the latter clamped to Range), with a 5% margin.
	YLim [2]float64
	// Range is the range the metric can take, e.g. {0, 1} for an
	// accuracy: bands are clamped to it, so a confidence interval of a
	// few repetitions never runs past what the metric can be. The zero
	// value clamps nothing.
	Range [2]float64
	// HideYTickLabels keeps the y ticks but drops their numbers, for panels
	// that share the y range of their left neighbour (see Figure.ShareY).
	HideYTickLabels bool
	// Legend places a legend inside the panel: "ne", "nw", "se" or "sw"
	// (corner); "auto" picks the corner where it hides the fewest drawn
	// points and, when every corner hides some and YLim is not fixed,
	// raises the top of the y range to make room for it; empty draws none.
	Legend string
	Series []Series
}

// Figure is a grid of panels, written as one SVG image (WriteSVG) or PNG
// image (WritePNG) with the same layout.
type Figure struct {
	Title string
	// Note is a line of smaller text under the title, e.g. what the bands
	// are and how many repetitions each point has.
	Note string
	// Cols is the number of panels per row (default: all in one row).
	Cols int
	// PanelWidth and PanelHeight are the size of each panel in px
	// (defaults 280 and 230).
	PanelWidth, PanelHeight float64
	// ShareY gives every panel whose YLim is not fixed the same y range
	// (the union of their fitted ranges) and hides the y tick labels of all
	// but the first column.
	ShareY bool
	Panels []*Panel
	// Legend, when not empty, is drawn as a row under the panels: one
	// entry per element, using its Name, Color, Dash and Width (the points
	// are ignored). Use it for styles that several panels share.
	Legend []Series
}

// Palette is the default color cycle (seaborn's "deep").
var Palette = []string{"#4c72b0", "#c44e52", "#55a868", "#8172b2", "#ccb974", "#64b5cd", "#000000"}

// Layout constants, in px.
const (
	marginLeft   = 52
	marginRight  = 10
	marginTop    = 24
	marginBottom = 38
	titleHeight  = 26
	noteHeight   = 16
	fontSize     = 11
)

// check returns an error for a malformed series (length mismatch).
func (f *Figure) check() error {
	for pi, p := range f.Panels {
		for si, s := range p.Series {
			if len(s.Y) != len(s.X) || (s.Lo != nil && len(s.Lo) != len(s.X)) || (s.Hi != nil && len(s.Hi) != len(s.X)) {
				return fmt.Errorf("plot: panel %d series %d (%q): X, Y, Lo, Hi lengths %d, %d, %d, %d differ",
					pi, si, s.Name, len(s.X), len(s.Y), len(s.Lo), len(s.Hi))
			}
		}
	}
	return nil
}

// size returns the figure's layout: panel size, columns, rows, the height
// above the panels, the figure-legend rows and the total size.
func (f *Figure) layout() (pw, ph float64, cols, rows int, top float64, legendRows [][]int, width, height float64) {
	pw, ph = f.PanelWidth, f.PanelHeight
	if pw <= 0 {
		pw = 280
	}
	if ph <= 0 {
		ph = 230
	}
	cols = f.Cols
	if cols <= 0 || cols > len(f.Panels) {
		cols = max(len(f.Panels), 1)
	}
	rows = (len(f.Panels) + cols - 1) / cols
	if f.Title != "" {
		top = titleHeight
	}
	if f.Note != "" {
		top += noteHeight
	}
	width, height = float64(cols)*pw, top+float64(max(rows, 1))*ph
	legendRows = f.legendLayout(width)
	height += float64(len(legendRows)) * figLegendRowH
	return
}

// WriteSVG writes the figure as a standalone SVG document. It costs
// O(total points). It returns an error for a malformed series (length
// mismatch) or a write error.
func (f *Figure) WriteSVG(w io.Writer) error {
	if err := f.check(); err != nil {
		return err
	}
	_, _, _, _, _, _, width, height := f.layout()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="%d">`+"\n",
		num(width), num(height), num(width), num(height), fontSize)
	fmt.Fprintf(bw, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	f.draw(&svgCanvas{w: bw})
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

// draw paints the figure on c.
func (f *Figure) draw(c canvas) {
	pw, ph, cols, rows, top, legendRows, width, _ := f.layout()
	if f.Title != "" {
		c.text(width/2, 17, f.Title, textStyle{class: "figure-title", size: 14, anchor: "middle"})
	}
	if f.Note != "" {
		y := 13.0
		if f.Title != "" {
			y = titleHeight + 11
		}
		c.text(width/2, y, f.Note, textStyle{class: "figure-note", size: 10, anchor: "middle", color: "#555555"})
	}
	frames := make([]*frame, len(f.Panels))
	for i, p := range f.Panels {
		x0, y0 := float64(i%cols)*pw, top+float64(i/cols)*ph
		frames[i] = p.frame(x0, y0, pw, ph)
	}
	if f.ShareY {
		shareY(frames, cols)
	}
	for i, fr := range frames {
		fr.placeLegend()
		f.Panels[i].draw(c, fr)
	}
	f.writeLegend(c, legendRows, top+float64(max(rows, 1))*ph, width)
}

// axis maps data coordinates to pixels along one dimension.
type axis struct {
	lo, hi     float64 // data range (log10 of it when log)
	p0, p1     float64 // pixel range
	log        bool
	ticks      []float64 // data values
	minorTicks []float64
}

func (a *axis) px(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return a.p0 + (v-a.lo)/(a.hi-a.lo)*(a.p1-a.p0)
}

func (a *axis) valid(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!a.log || v > 0)
}

// dataRange returns the min and max of the finite values accepted by ok.
func dataRange(ok func(float64) bool, vals ...[]float64) (lo, hi float64, found bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range vals {
		for _, v := range vs {
			if ok(v) {
				lo, hi, found = min(lo, v), max(hi, v), true
			}
		}
	}
	return lo, hi, found
}

func (p *Panel) xAxis(p0, p1 float64) *axis {
	a := &axis{p0: p0, p1: p1, log: p.LogX}
	var xs [][]float64
	for _, s := range p.Series {
		xs = append(xs, s.X)
	}
	lo, hi, ok := dataRange(a.valid, xs...)
	if !ok {
		lo, hi = 1, 10
	}
	if a.log {
		a.lo, a.hi = math.Log10(lo), math.Log10(hi)
		if a.hi-a.lo < 1e-9 {
			a.lo, a.hi = a.lo-0.5, a.hi+0.5
		}
		pad := 0.04 * (a.hi - a.lo)
		a.lo, a.hi = a.lo-pad, a.hi+pad
		a.ticks, a.minorTicks = logTicks(a.lo, a.hi)
		return a
	}
	a.lo, a.hi = widen(lo, hi)
	a.ticks = niceTicks(a.lo, a.hi)
	return a
}

// widen turns an empty range into a unit one around its value.
func widen(lo, hi float64) (float64, float64) {
	if hi-lo < 1e-12*max(1, math.Abs(lo)) {
		return lo - 0.5, hi + 0.5
	}
	return lo, hi
}

// niceTicks returns about 5 ticks at multiples of 1, 2 or 5 times a power
// of ten inside [lo, hi] (Heckbert's "nice numbers"), rounded to the step's
// decimals so that labels print exactly.
func niceTicks(lo, hi float64) []float64 {
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var m float64
	switch r := raw / mag; {
	case r < 1.5:
		m = 1
	case r < 3.5:
		m = 2
	case r < 7.5:
		m = 5
	default:
		m = 10
	}
	step := m * mag
	dec := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var out []float64
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+1e-9*step; k++ {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(k*step, 'f', dec, 64), 64)
		out = append(out, v)
	}
	return out
}

// logTicks returns major ticks at powers of ten and minor ticks at 2..9
// times them, inside [10^lo, 10^hi]. When the range holds fewer than two
// powers of ten, 2x and 5x become major ticks too.
func logTicks(lo, hi float64) (major, minor []float64) {
	var decades []float64
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		decades = append(decades, math.Pow(10, e))
	}
	in := func(v float64) bool { l := math.Log10(v); return l >= lo-1e-9 && l <= hi+1e-9 }
	for _, d := range decades {
		if in(d) {
			major = append(major, d)
		}
	}
	few := len(major) < 2
	for _, d := range decades {
		for m := 2.0; m <= 9; m++ {
			v := m * d
			if !in(v) {
				continue
			}
			if few && (m == 2 || m == 5) {
				major = append(major, v)
			} else {
				minor = append(minor, v)
			}
		}
	}
	return major, minor
}

const (
	figLegendRowH   = 20.0
	figLegendSwatch = 26.0
)

// legendEntryWidth returns the width of a figure-legend entry in px.
func legendEntryWidth(s Series) float64 {
	return figLegendSwatch + 6 + textWidth(s.Name, fontSize) + 18
}

// legendLayout splits the figure legend into centred rows that fit width;
// it returns the indices of the entries of each row.
func (f *Figure) legendLayout(width float64) [][]int {
	var rows [][]int
	var cur []int
	used := 0.0
	for i, s := range f.Legend {
		w := legendEntryWidth(s)
		if len(cur) > 0 && used+w > width-20 {
			rows = append(rows, cur)
			cur, used = nil, 0
		}
		cur = append(cur, i)
		used += w
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}
	return rows
}

// tickLabel formats a tick value compactly: 10, 1000, 0.5, 1e+06.
func tickLabel(v float64) string {
	if v == 0 {
		return "0"
	}
	if a := math.Abs(v); a >= 1e5 || a < 1e-3 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// num formats a pixel coordinate with two decimals at most.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// esc escapes text for use in SVG character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
