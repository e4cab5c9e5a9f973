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
// line.
type Series struct {
	Name   string    // legend label; empty keeps the series out of the legend
	X, Y   []float64 // same length
	Lo, Hi []float64 // nil, or the same length as X
	Color  string    // any SVG color; default from Palette by index
	Dash   string    // SVG stroke-dasharray, e.g. "6,3"; empty draws solid
	Width  float64   // line width in px (default 1.8)
	Marker bool      // draw a dot at each point
}

// Panel is one set of axes.
type Panel struct {
	Title, XLabel, YLabel string
	LogX                  bool
	// YLim fixes the y range; the zero value selects it from the data.
	YLim [2]float64
	// HideYTickLabels keeps the y ticks but drops their numbers, for panels
	// that share the y range of their left neighbour.
	HideYTickLabels bool
	// Legend places a legend inside the panel: "ne", "nw", "se" or "sw"
	// (corner); empty draws none.
	Legend string
	Series []Series
}

// Figure is a grid of panels, written as one SVG image.
type Figure struct {
	Title string
	// Cols is the number of panels per row (default: all in one row).
	Cols int
	// PanelWidth and PanelHeight are the size of each panel in px
	// (defaults 280 and 230).
	PanelWidth, PanelHeight float64
	Panels                  []*Panel
	// Legend, when not empty, is drawn as a row under the panels: one
	// entry per element, using its Name, Color, Dash and Width (the points
	// are ignored). Use it for styles that several panels share.
	Legend []Series
}

// Palette is the default color cycle (seaborn's "deep").
var Palette = []string{"#4c72b0", "#c44e52", "#55a868", "#8172b2", "#ccb974", "#64b5cd", "#000000"}

// Layout constants, in px.
const (
	marginLeft   = 46
	marginRight  = 10
	marginTop    = 24
	marginBottom = 38
	titleHeight  = 26
	fontSize     = 11
)

// WriteSVG writes the figure as a standalone SVG document. It costs
// O(total points). It returns an error for a malformed series (length
// mismatch) or a write error.
func (f *Figure) WriteSVG(w io.Writer) error {
	for pi, p := range f.Panels {
		for si, s := range p.Series {
			if len(s.Y) != len(s.X) || (s.Lo != nil && len(s.Lo) != len(s.X)) || (s.Hi != nil && len(s.Hi) != len(s.X)) {
				return fmt.Errorf("plot: panel %d series %d (%q): X, Y, Lo, Hi lengths %d, %d, %d, %d differ",
					pi, si, s.Name, len(s.X), len(s.Y), len(s.Lo), len(s.Hi))
			}
		}
	}
	pw, ph := f.PanelWidth, f.PanelHeight
	if pw <= 0 {
		pw = 280
	}
	if ph <= 0 {
		ph = 230
	}
	cols := f.Cols
	if cols <= 0 || cols > len(f.Panels) {
		cols = max(len(f.Panels), 1)
	}
	rows := (len(f.Panels) + cols - 1) / cols
	top := 0.0
	if f.Title != "" {
		top = titleHeight
	}
	width, height := float64(cols)*pw, top+float64(max(rows, 1))*ph
	legendRows := f.legendLayout(width)
	height += float64(len(legendRows)) * figLegendRowH

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="Helvetica, Arial, sans-serif" font-size="%d">`+"\n",
		num(width), num(height), num(width), num(height), fontSize)
	fmt.Fprintf(bw, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	if f.Title != "" {
		fmt.Fprintf(bw, `<text class="figure-title" x="%s" y="17" text-anchor="middle" font-size="14">%s</text>`+"\n", num(width/2), esc(f.Title))
	}
	for i, p := range f.Panels {
		x0, y0 := float64(i%cols)*pw, top+float64(i/cols)*ph
		p.write(bw, i, x0, y0, pw, ph)
	}
	f.writeLegend(bw, legendRows, top+float64(max(rows, 1))*ph, width)
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
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

func (p *Panel) yAxis(p0, p1 float64) *axis {
	a := &axis{p0: p0, p1: p1}
	if p.YLim[0] != p.YLim[1] {
		a.lo, a.hi = p.YLim[0], p.YLim[1]
	} else {
		var ys [][]float64
		for _, s := range p.Series {
			ys = append(ys, s.Y, s.Lo, s.Hi)
		}
		lo, hi, ok := dataRange(a.valid, ys...)
		if !ok {
			lo, hi = 0, 1
		}
		a.lo, a.hi = widen(lo, hi)
		pad := 0.05 * (a.hi - a.lo)
		a.lo, a.hi = a.lo-pad, a.hi+pad
	}
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

func (p *Panel) write(w *bufio.Writer, idx int, x0, y0, pw, ph float64) {
	left, right := x0+marginLeft, x0+pw-marginRight
	top, bottom := y0+marginTop, y0+ph-marginBottom
	xa, ya := p.xAxis(left, right), p.yAxis(bottom, top)

	fmt.Fprintf(w, `<g class="panel" data-title="%s">`+"\n", esc(p.Title))
	fmt.Fprintf(w, `<defs><clipPath id="clip%d"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath></defs>`+"\n",
		idx, num(left), num(top), num(right-left), num(bottom-top))
	// Grid and ticks.
	fmt.Fprintln(w, `<g class="axes" stroke="#dddddd" stroke-width="0.6">`)
	for _, t := range xa.ticks {
		x := xa.px(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(top), num(x), num(bottom))
	}
	for _, t := range ya.ticks {
		y := ya.px(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(left), num(y), num(right), num(y))
	}
	fmt.Fprintln(w, `</g>`)
	fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#333333" stroke-width="0.8"/>`+"\n",
		num(left), num(top), num(right-left), num(bottom-top))
	fmt.Fprintln(w, `<g class="ticks" stroke="#333333" stroke-width="0.8">`)
	for _, t := range xa.ticks {
		x := xa.px(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(bottom), num(x), num(bottom+4))
	}
	for _, t := range xa.minorTicks {
		x := xa.px(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(bottom), num(x), num(bottom+2))
	}
	for _, t := range ya.ticks {
		y := ya.px(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(left-4), num(y), num(left), num(y))
	}
	fmt.Fprintln(w, `</g>`)
	fmt.Fprintln(w, `<g class="tick-labels" fill="#333333">`)
	for _, t := range xa.ticks {
		fmt.Fprintf(w, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", num(xa.px(t)), num(bottom+15), esc(tickLabel(t)))
	}
	if !p.HideYTickLabels {
		for _, t := range ya.ticks {
			fmt.Fprintf(w, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", num(left-6), num(ya.px(t)+4), esc(tickLabel(t)))
		}
	}
	fmt.Fprintln(w, `</g>`)
	if p.Title != "" {
		fmt.Fprintf(w, `<text class="panel-title" x="%s" y="%s" text-anchor="middle" font-size="12">%s</text>`+"\n",
			num((left+right)/2), num(top-8), esc(p.Title))
	}
	if p.XLabel != "" {
		fmt.Fprintf(w, `<text class="xlabel" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", num((left+right)/2), num(bottom+31), esc(p.XLabel))
	}
	if p.YLabel != "" {
		cx, cy := x0+11, (top+bottom)/2
		fmt.Fprintf(w, `<text class="ylabel" x="%s" y="%s" text-anchor="middle" transform="rotate(-90 %s %s)">%s</text>`+"\n",
			num(cx), num(cy), num(cx), num(cy), esc(p.YLabel))
	}
	// Bands under lines.
	fmt.Fprintf(w, `<g clip-path="url(#clip%d)">`+"\n", idx)
	for si, s := range p.Series {
		fmt.Fprintf(w, `<g class="series" data-name="%s">`+"\n", esc(s.Name))
		color := seriesColor(s, si)
		if s.Lo != nil && s.Hi != nil {
			for _, seg := range bandSegments(s, xa, ya) {
				fmt.Fprintf(w, `<path class="band" d="%s" fill="%s" fill-opacity="0.18" stroke="none"/>`+"\n", seg, esc(color))
			}
		}
		width := s.Width
		if width <= 0 {
			width = 1.8
		}
		dash := ""
		if s.Dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, esc(s.Dash))
		}
		if d := linePath(s, xa, ya); d != "" {
			fmt.Fprintf(w, `<path class="line" d="%s" fill="none" stroke="%s" stroke-width="%s"%s stroke-linejoin="round"/>`+"\n",
				d, esc(color), num(width), dash)
		}
		if s.Marker {
			for i := range s.X {
				if xa.valid(s.X[i]) && ya.valid(s.Y[i]) {
					fmt.Fprintf(w, `<circle cx="%s" cy="%s" r="2.4" fill="%s"/>`+"\n", num(xa.px(s.X[i])), num(ya.px(s.Y[i])), esc(color))
				}
			}
		}
		fmt.Fprintln(w, `</g>`)
	}
	fmt.Fprintln(w, `</g>`)
	p.writeLegend(w, left, right, top, bottom)
	fmt.Fprintln(w, `</g>`)
}

func seriesColor(s Series, i int) string {
	if s.Color != "" {
		return s.Color
	}
	return Palette[i%len(Palette)]
}

// linePath returns the SVG path data of the series' line, starting a new
// sub-path after each invalid point.
func linePath(s Series, xa, ya *axis) string {
	var b strings.Builder
	pen := false
	for i := range s.X {
		if !xa.valid(s.X[i]) || !ya.valid(s.Y[i]) {
			pen = false
			continue
		}
		cmd := "L"
		if !pen {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%s %s ", cmd, num(xa.px(s.X[i])), num(ya.px(s.Y[i])))
		pen = true
	}
	return strings.TrimSpace(b.String())
}

// bandSegments returns one closed polygon per run of valid band points.
func bandSegments(s Series, xa, ya *axis) []string {
	var out []string
	var run []int
	flush := func() {
		if len(run) >= 2 {
			var b strings.Builder
			for j, i := range run {
				cmd := "L"
				if j == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&b, "%s%s %s ", cmd, num(xa.px(s.X[i])), num(ya.px(s.Hi[i])))
			}
			for j := len(run) - 1; j >= 0; j-- {
				i := run[j]
				fmt.Fprintf(&b, "L%s %s ", num(xa.px(s.X[i])), num(ya.px(s.Lo[i])))
			}
			b.WriteString("Z")
			out = append(out, b.String())
		}
		run = run[:0]
	}
	for i := range s.X {
		if xa.valid(s.X[i]) && ya.valid(s.Lo[i]) && ya.valid(s.Hi[i]) {
			run = append(run, i)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func (p *Panel) writeLegend(w *bufio.Writer, left, right, top, bottom float64) {
	if p.Legend == "" {
		return
	}
	var items []int
	maxLen := 0
	for i, s := range p.Series {
		if s.Name != "" {
			items = append(items, i)
			maxLen = max(maxLen, len([]rune(s.Name)))
		}
	}
	if len(items) == 0 {
		return
	}
	const rowH, pad, swatch = 14.0, 5.0, 22.0
	bw := pad*3 + swatch + float64(maxLen)*fontSize*0.56
	bh := pad*2 + rowH*float64(len(items))
	bx, by := right-bw-4, top+4
	if strings.Contains(p.Legend, "w") {
		bx = left + 4
	}
	if strings.Contains(p.Legend, "s") {
		by = bottom - bh - 4
	}
	fmt.Fprintf(w, `<g class="legend">`+"\n")
	fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="white" fill-opacity="0.85" stroke="#cccccc" stroke-width="0.6"/>`+"\n",
		num(bx), num(by), num(bw), num(bh))
	for j, i := range items {
		s := p.Series[i]
		y := by + pad + rowH*(float64(j)+0.5)
		dash := ""
		if s.Dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, esc(s.Dash))
		}
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.8"%s/>`+"\n",
			num(bx+pad), num(y), num(bx+pad+swatch), num(y), esc(seriesColor(s, i)), dash)
		fmt.Fprintf(w, `<text class="legend-entry" x="%s" y="%s">%s</text>`+"\n", num(bx+2*pad+swatch), num(y+4), esc(s.Name))
	}
	fmt.Fprintln(w, `</g>`)
}

const (
	figLegendRowH   = 20.0
	figLegendSwatch = 26.0
)

// legendEntryWidth estimates the width of a figure-legend entry in px.
func legendEntryWidth(s Series) float64 {
	return figLegendSwatch + 6 + float64(len([]rune(s.Name)))*fontSize*0.56 + 18
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

func (f *Figure) writeLegend(w *bufio.Writer, rows [][]int, y0, figW float64) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, `<g class="legend figure-legend">`)
	for ri, r := range rows {
		rowW := 0.0
		for _, i := range r {
			rowW += legendEntryWidth(f.Legend[i])
		}
		x := (figW - rowW) / 2
		y := y0 + figLegendRowH*(float64(ri)+0.5)
		for _, i := range r {
			s := f.Legend[i]
			dash := ""
			if s.Dash != "" {
				dash = fmt.Sprintf(` stroke-dasharray="%s"`, esc(s.Dash))
			}
			width := s.Width
			if width <= 0 {
				width = 1.8
			}
			fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`+"\n",
				num(x), num(y), num(x+figLegendSwatch), num(y), esc(seriesColor(s, i)), num(width), dash)
			fmt.Fprintf(w, `<text class="legend-entry" x="%s" y="%s">%s</text>`+"\n", num(x+figLegendSwatch+6), num(y+4), esc(s.Name))
			x += legendEntryWidth(s)
		}
	}
	fmt.Fprintln(w, `</g>`)
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
