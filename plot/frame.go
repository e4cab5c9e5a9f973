package plot

import (
	"math"
	"slices"
	"strings"
)

// frame is a panel laid out on the figure: its plot area, axes and
// resolved legend corner.
type frame struct {
	p                        *Panel
	x0, y0                   float64
	left, right, top, bottom float64
	xa, ya                   *axis
	fitted                   bool    // the y range was fitted to the data (no YLim)
	dlo, dhi                 float64 // the fitted data extent
	hideY                    bool    // y tick labels hidden by Figure.ShareY
	legend                   string  // "ne", "nw", "se", "sw" or ""
}

func (p *Panel) frame(x0, y0, pw, ph float64) *frame {
	fr := &frame{p: p, x0: x0, y0: y0, left: x0 + marginLeft, right: x0 + pw - marginRight, top: y0 + marginTop, bottom: y0 + ph - marginBottom}
	fr.xa = p.xAxis(fr.left, fr.right)
	if p.YLim[0] != p.YLim[1] {
		fr.setY(p.YLim[0], p.YLim[1])
		return fr
	}
	fr.fitted = true
	valid := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	var ys [][]float64
	for _, s := range p.Series {
		lo, hi := p.band(s)
		ys = append(ys, s.Y, lo, hi)
	}
	lo, hi, ok := dataRange(valid, ys...)
	if !ok {
		lo, hi = 0, 1
	}
	fr.dlo, fr.dhi = lo, hi
	fr.fitY(lo, hi)
	return fr
}

// fitY sets the y axis to the data extent [lo, hi] plus a 5% margin.
func (fr *frame) fitY(lo, hi float64) {
	lo, hi = widen(lo, hi)
	pad := 0.05 * (hi - lo)
	fr.setY(lo-pad, hi+pad)
}

func (fr *frame) setY(lo, hi float64) {
	fr.ya = &axis{p0: fr.bottom, p1: fr.top, lo: lo, hi: hi, ticks: niceTicks(lo, hi)}
	if r := fr.p.Range; r[0] != r[1] {
		// No tick labels a value the metric cannot take.
		fr.ya.ticks = slices.DeleteFunc(fr.ya.ticks, func(t float64) bool { return t < r[0]-1e-12 || t > r[1]+1e-12 })
	}
}

// band returns the series' band clamped to the panel's Range (nil when
// the series has none).
func (p *Panel) band(s Series) (lo, hi []float64) {
	if s.Lo == nil || s.Hi == nil {
		return nil, nil
	}
	r := p.Range
	if r[0] == r[1] {
		return s.Lo, s.Hi
	}
	lo, hi = make([]float64, len(s.Lo)), make([]float64, len(s.Hi))
	for i := range lo {
		lo[i] = min(max(s.Lo[i], r[0]), r[1])
		hi[i] = min(max(s.Hi[i], r[0]), r[1])
	}
	return lo, hi
}

// shareY gives the fitted frames the union of their ranges, hides the y
// tick labels of all but the first column, and makes room for the auto
// legends that need it, by the same amount in every frame.
func shareY(frames []*frame, cols int) {
	lo, hi, any := math.Inf(1), math.Inf(-1), false
	for _, fr := range frames {
		if fr.fitted {
			lo, hi, any = min(lo, fr.dlo), max(hi, fr.dhi), true
		}
	}
	if !any {
		return
	}
	top := math.Inf(-1)
	for i, fr := range frames {
		if !fr.fitted {
			continue
		}
		fr.dlo, fr.dhi = lo, hi
		fr.fitY(lo, hi)
		fr.hideY = i%cols != 0
		if fr.p.Legend == "auto" {
			if _, n := fr.bestCorner(); n > 0 {
				top = max(top, fr.raisedTop())
			}
		}
	}
	for _, fr := range frames {
		if fr.fitted {
			fr.fitted = false // placeLegend must not raise one frame alone
			if top > fr.ya.hi {
				fr.setY(fr.ya.lo, top)
			}
		}
	}
}

// placeLegend resolves the panel's legend corner (see Panel.Legend).
func (fr *frame) placeLegend() {
	if fr.p.Legend != "auto" {
		fr.legend = fr.p.Legend
		return
	}
	corner, n := fr.bestCorner()
	if n > 0 && fr.fitted {
		fr.setY(fr.ya.lo, fr.raisedTop())
		corner, _ = fr.bestCorner()
	}
	fr.legend = corner
}

// raisedTop returns the top of a y range whose upper part, as tall as the
// legend, lies above everything drawn.
func (fr *frame) raisedTop() float64 {
	_, _, _, bh := fr.legendBox("ne")
	h := fr.bottom - fr.top
	if bh+8 > h/2 {
		return fr.ya.hi // no room: the legend stays where it hides least
	}
	return fr.ya.lo + (fr.ya.hi-fr.ya.lo)*h/(h-bh-8)
}

// legendItems returns the indices of the series named in the legend.
func (p *Panel) legendItems() []int {
	var items []int
	for i, s := range p.Series {
		if s.Name != "" {
			items = append(items, i)
		}
	}
	return items
}

const (
	legendRowH   = 14.0
	legendPad    = 5.0
	legendSwatch = 22.0
)

// legendBox returns the legend's rectangle in corner.
func (fr *frame) legendBox(corner string) (bx, by, bw, bh float64) {
	items := fr.p.legendItems()
	wmax := 0.0
	for _, i := range items {
		wmax = max(wmax, textWidth(fr.p.Series[i].Name, fontSize))
	}
	bw = legendPad*3 + legendSwatch + wmax
	bh = legendPad*2 + legendRowH*float64(len(items))
	bx, by = fr.right-bw-4, fr.top+4
	if strings.Contains(corner, "w") {
		bx = fr.left + 4
	}
	if strings.Contains(corner, "s") {
		by = fr.bottom - bh - 4
	}
	return bx, by, bw, bh
}

// bestCorner returns the corner where the legend covers the fewest
// sample points of the lines, markers and bands, and that number.
func (fr *frame) bestCorner() (string, int) {
	best, bestN := "ne", math.MaxInt
	samples := fr.samples()
	for _, c := range []string{"ne", "nw", "se", "sw"} {
		bx, by, bw, bh := fr.legendBox(c)
		n := 0
		for _, q := range samples {
			if q.x >= bx-2 && q.x <= bx+bw+2 && q.y >= by-2 && q.y <= by+bh+2 {
				n++
			}
		}
		if n < bestN {
			best, bestN = c, n
		}
	}
	return best, bestN
}

// samples returns points every 3 px along the drawn lines and across the
// drawn bands, in px.
func (fr *frame) samples() []point {
	var out []point
	xa, ya := fr.xa, fr.ya
	for _, s := range fr.p.Series {
		lo, hi := fr.p.band(s)
		prev := -1
		for i := range s.X {
			if !xa.valid(s.X[i]) || !ya.valid(s.Y[i]) {
				prev = -1
				continue
			}
			p := point{xa.px(s.X[i]), ya.px(s.Y[i])}
			out = append(out, p)
			if prev >= 0 {
				q := point{xa.px(s.X[prev]), ya.px(s.Y[prev])}
				steps := int(math.Hypot(p.x-q.x, p.y-q.y) / 3)
				for k := 1; k < steps; k++ {
					t := float64(k) / float64(steps)
					out = append(out, point{q.x + t*(p.x-q.x), q.y + t*(p.y-q.y)})
				}
			}
			prev = i
		}
		if lo == nil {
			continue
		}
		for i := range s.X {
			if i+1 >= len(s.X) || !xa.valid(s.X[i]) || !xa.valid(s.X[i+1]) || !ya.valid(lo[i]) || !ya.valid(hi[i]) || !ya.valid(lo[i+1]) || !ya.valid(hi[i+1]) {
				continue
			}
			x0, x1 := xa.px(s.X[i]), xa.px(s.X[i+1])
			steps := max(1, int(math.Abs(x1-x0)/3))
			for k := 0; k <= steps; k++ {
				t := float64(k) / float64(steps)
				ylo := ya.px(lo[i]) + t*(ya.px(lo[i+1])-ya.px(lo[i]))
				yhi := ya.px(hi[i]) + t*(ya.px(hi[i+1])-ya.px(hi[i]))
				for y := min(ylo, yhi); y <= max(ylo, yhi); y += 3 {
					out = append(out, point{x0 + t*(x1-x0), y})
				}
			}
		}
	}
	return out
}

// draw paints the panel laid out as fr.
func (p *Panel) draw(c canvas, fr *frame) {
	left, right, top, bottom := fr.left, fr.right, fr.top, fr.bottom
	xa, ya := fr.xa, fr.ya
	c.begin("panel", "data-title", p.Title)
	grid := stroke{color: "#dddddd", width: 0.6}
	dark := stroke{color: "#333333", width: 0.8}
	line := func(x1, y1, x2, y2 float64, st stroke) { c.path([][]point{{{x1, y1}, {x2, y2}}}, st, "") }
	c.begin("axes")
	for _, t := range xa.ticks {
		line(xa.px(t), top, xa.px(t), bottom, grid)
	}
	for _, t := range ya.ticks {
		line(left, ya.px(t), right, ya.px(t), grid)
	}
	c.end()
	c.rect(left, top, right-left, bottom-top, "", 0, dark)
	c.begin("ticks")
	for _, t := range xa.ticks {
		line(xa.px(t), bottom, xa.px(t), bottom+4, dark)
	}
	for _, t := range xa.minorTicks {
		line(xa.px(t), bottom, xa.px(t), bottom+2, dark)
	}
	for _, t := range ya.ticks {
		line(left-4, ya.px(t), left, ya.px(t), dark)
	}
	c.end()
	c.begin("tick-labels")
	lbl := textStyle{size: fontSize, anchor: "middle", color: "#333333"}
	for _, t := range xa.ticks {
		c.text(xa.px(t), bottom+15, tickLabel(t), lbl)
	}
	if !p.HideYTickLabels && !fr.hideY {
		lbl.anchor = "end"
		for _, t := range ya.ticks {
			c.text(left-6, ya.px(t)+4, tickLabel(t), lbl)
		}
	}
	c.end()
	if p.Title != "" {
		c.text((left+right)/2, top-8, p.Title, textStyle{class: "panel-title", size: 12, anchor: "middle"})
	}
	if p.XLabel != "" {
		c.text((left+right)/2, bottom+31, p.XLabel, textStyle{class: "xlabel", size: fontSize, anchor: "middle"})
	}
	if p.YLabel != "" {
		c.text(fr.x0+13, (top+bottom)/2, p.YLabel, textStyle{class: "ylabel", size: fontSize, anchor: "middle", rotate: true})
	}
	c.clip(left, top, right-left, bottom-top)
	// Bands first, under every line.
	for si, s := range p.Series {
		lo, hi := p.band(s)
		if lo == nil {
			continue
		}
		c.begin("series-band", "data-name", s.Name)
		for _, poly := range bandPolygons(s.X, lo, hi, xa, ya) {
			c.fill(poly, seriesColor(s, si), 0.18, "band")
		}
		c.end()
	}
	order := make([]int, len(p.Series))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return p.Series[a].Layer - p.Series[b].Layer })
	for _, si := range order {
		s := p.Series[si]
		color := seriesColor(s, si)
		c.begin("series", "data-name", s.Name)
		width := s.Width
		if width <= 0 {
			width = 1.8
		}
		c.path(lineRuns(s, xa, ya), stroke{color: color, width: width, dash: s.Dash}, "line")
		if s.Marker {
			for i := range s.X {
				if xa.valid(s.X[i]) && ya.valid(s.Y[i]) {
					c.circle(xa.px(s.X[i]), ya.px(s.Y[i]), 2.4, color)
				}
			}
		}
		c.end()
	}
	c.end()
	fr.drawLegend(c)
	c.end()
}

func seriesColor(s Series, i int) string {
	if s.Color != "" {
		return s.Color
	}
	return Palette[i%len(Palette)]
}

// lineRuns returns the series' line as runs of valid points, in px.
func lineRuns(s Series, xa, ya *axis) [][]point {
	var out [][]point
	var run []point
	for i := range s.X {
		if !xa.valid(s.X[i]) || !ya.valid(s.Y[i]) {
			if len(run) > 0 {
				out = append(out, run)
			}
			run = nil
			continue
		}
		run = append(run, point{xa.px(s.X[i]), ya.px(s.Y[i])})
	}
	if len(run) > 0 {
		out = append(out, run)
	}
	return out
}

// bandPolygons returns one closed polygon per run of valid band points.
func bandPolygons(x, lo, hi []float64, xa, ya *axis) [][]point {
	var out [][]point
	var run []int
	flush := func() {
		if len(run) >= 2 {
			var poly []point
			for _, i := range run {
				poly = append(poly, point{xa.px(x[i]), ya.px(hi[i])})
			}
			for j := len(run) - 1; j >= 0; j-- {
				poly = append(poly, point{xa.px(x[run[j]]), ya.px(lo[run[j]])})
			}
			out = append(out, poly)
		}
		run = run[:0]
	}
	for i := range x {
		if xa.valid(x[i]) && ya.valid(lo[i]) && ya.valid(hi[i]) {
			run = append(run, i)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func (fr *frame) drawLegend(c canvas) {
	items := fr.p.legendItems()
	if fr.legend == "" || len(items) == 0 {
		return
	}
	bx, by, bw, bh := fr.legendBox(fr.legend)
	c.begin("legend")
	c.rect(bx, by, bw, bh, "white", 0.85, stroke{color: "#cccccc", width: 0.6})
	for j, i := range items {
		s := fr.p.Series[i]
		y := by + legendPad + legendRowH*(float64(j)+0.5)
		c.path([][]point{{{bx + legendPad, y}, {bx + legendPad + legendSwatch, y}}}, stroke{color: seriesColor(s, i), width: 1.8, dash: s.Dash}, "")
		if s.Marker {
			c.circle(bx+legendPad+legendSwatch/2, y, 2.4, seriesColor(s, i))
		}
		c.text(bx+2*legendPad+legendSwatch, y+4, s.Name, textStyle{class: "legend-entry", size: fontSize})
	}
	c.end()
}

func (f *Figure) writeLegend(c canvas, rows [][]int, y0, figW float64) {
	if len(rows) == 0 {
		return
	}
	c.begin("legend figure-legend")
	for ri, r := range rows {
		rowW := 0.0
		for _, i := range r {
			rowW += legendEntryWidth(f.Legend[i])
		}
		x := (figW - rowW) / 2
		y := y0 + figLegendRowH*(float64(ri)+0.5)
		for _, i := range r {
			s := f.Legend[i]
			width := s.Width
			if width <= 0 {
				width = 1.8
			}
			c.path([][]point{{{x, y}, {x + figLegendSwatch, y}}}, stroke{color: seriesColor(s, i), width: width, dash: s.Dash}, "")
			if s.Marker {
				c.circle(x+figLegendSwatch/2, y, 2.4, seriesColor(s, i))
			}
			c.text(x+figLegendSwatch+6, y+4, s.Name, textStyle{class: "legend-entry", size: fontSize})
			x += legendEntryWidth(s)
		}
	}
	c.end()
}
