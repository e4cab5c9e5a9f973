package plot

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// WritePNG writes the figure as a PNG image: the same drawing as WriteSVG,
// rasterized with anti-aliasing at scale device pixels per SVG px (scale
// <= 0 selects 2, sharp on paper and on high-density screens), with text
// in the built-in font (DejaVu Sans). Cost: O(pixels + total points).
func (f *Figure) WritePNG(w io.Writer, scale float64) error {
	img, err := f.Image(scale)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// Image rasterizes the figure (see WritePNG).
func (f *Figure) Image(scale float64) (*image.RGBA, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if scale <= 0 {
		scale = 2
	}
	_, _, _, _, _, _, width, height := f.layout()
	img := image.NewRGBA(image.Rect(0, 0, int(math.Ceil(width*scale)), int(math.Ceil(height*scale))))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	c := &rasterCanvas{img: img, s: scale}
	c.clips = []image.Rectangle{img.Bounds()}
	f.draw(c)
	return img, nil
}

// rasterCanvas paints into an RGBA image (opaque white background), in
// device pixels of s per px.
type rasterCanvas struct {
	img   *image.RGBA
	s     float64
	clips []image.Rectangle // stack; the last applies; groups push a copy
}

func (c *rasterCanvas) begin(string, ...string) { c.clips = append(c.clips, c.clips[len(c.clips)-1]) }
func (c *rasterCanvas) end()                    { c.clips = c.clips[:len(c.clips)-1] }

func (c *rasterCanvas) clip(x, y, w, h float64) {
	r := image.Rect(int(math.Floor(x*c.s)), int(math.Floor(y*c.s)), int(math.Ceil((x+w)*c.s)), int(math.Ceil((y+h)*c.s)))
	c.clips = append(c.clips, r.Intersect(c.clips[len(c.clips)-1]))
}

// blend paints color col with coverage a (0..1) over device pixel (x, y).
func (c *rasterCanvas) blend(x, y int, col color.RGBA, a float64) {
	if a <= 0 || !(image.Point{x, y}).In(c.clips[len(c.clips)-1]) {
		return
	}
	a = min(a, 1) * float64(col.A) / 255
	i := c.img.PixOffset(x, y)
	p := c.img.Pix[i : i+3 : i+3]
	p[0] = uint8(float64(p[0])*(1-a) + float64(col.R)*a + 0.5)
	p[1] = uint8(float64(p[1])*(1-a) + float64(col.G)*a + 0.5)
	p[2] = uint8(float64(p[2])*(1-a) + float64(col.B)*a + 0.5)
}

// coverage accumulates per-pixel coverage over a bounding box, so that an
// anti-aliased shape made of overlapping pieces is painted once.
type coverage struct {
	x0, y0, w, h int
	a            []float64
}

func newCoverage(x0, y0, x1, y1 float64) *coverage {
	cv := &coverage{x0: int(math.Floor(x0)) - 1, y0: int(math.Floor(y0)) - 1}
	cv.w, cv.h = int(math.Ceil(x1))+2-cv.x0, int(math.Ceil(y1))+2-cv.y0
	cv.w, cv.h = max(cv.w, 0), max(cv.h, 0)
	cv.a = make([]float64, cv.w*cv.h)
	return cv
}

// max sets the coverage of pixel (x, y) to at least a.
func (cv *coverage) max(x, y int, a float64) {
	x, y = x-cv.x0, y-cv.y0
	if x >= 0 && y >= 0 && x < cv.w && y < cv.h {
		if i := y*cv.w + x; a > cv.a[i] {
			cv.a[i] = min(a, 1)
		}
	}
}

func (c *rasterCanvas) paint(cv *coverage, col color.RGBA, opacity float64) {
	for y := range cv.h {
		for x := range cv.w {
			if a := cv.a[y*cv.w+x]; a > 0 {
				c.blend(cv.x0+x, cv.y0+y, col, a*opacity)
			}
		}
	}
}

// segment adds a round-capped segment of half-width r (device px) to cv.
func (cv *coverage) segment(p, q point, r float64) {
	minX, maxX := math.Floor(min(p.x, q.x)-r-1), math.Ceil(max(p.x, q.x)+r+1)
	minY, maxY := math.Floor(min(p.y, q.y)-r-1), math.Ceil(max(p.y, q.y)+r+1)
	dx, dy := q.x-p.x, q.y-p.y
	l2 := dx*dx + dy*dy
	for y := minY; y <= maxY; y++ {
		for x := minX; x <= maxX; x++ {
			px, py := x+0.5, y+0.5
			t := 0.0
			if l2 > 0 {
				t = min(max(((px-p.x)*dx+(py-p.y)*dy)/l2, 0), 1)
			}
			d := math.Hypot(px-(p.x+t*dx), py-(p.y+t*dy))
			cv.max(int(x), int(y), r+0.5-d)
		}
	}
}

func (c *rasterCanvas) dev(p point) point { return point{p.x * c.s, p.y * c.s} }

func (c *rasterCanvas) path(sub [][]point, st stroke, _ string) {
	if st.color == "" || st.width <= 0 {
		return
	}
	col := parseColor(st.color)
	r := max(st.width*c.s/2, 0.5)
	var dash []float64
	for _, f := range strings.FieldsFunc(st.dash, func(r rune) bool { return r == ',' || r == ' ' }) {
		if v, err := strconv.ParseFloat(f, 64); err == nil && v > 0 {
			dash = append(dash, v*c.s)
		}
	}
	if len(dash)%2 == 1 {
		dash = append(dash, dash...)
	}
	for _, run := range sub {
		if len(run) == 0 {
			continue
		}
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		dp := make([]point, len(run))
		for i, p := range run {
			dp[i] = c.dev(p)
			minX, minY, maxX, maxY = min(minX, dp[i].x), min(minY, dp[i].y), max(maxX, dp[i].x), max(maxY, dp[i].y)
		}
		cv := newCoverage(minX-r-1, minY-r-1, maxX+r+1, maxY+r+1)
		if len(dp) == 1 {
			cv.segment(dp[0], dp[0], r)
		}
		di, left := 0, 0.0 // dash index, length left in it
		if len(dash) > 0 {
			left = dash[0]
		}
		for i := 1; i < len(dp); i++ {
			p, q := dp[i-1], dp[i]
			if len(dash) == 0 {
				cv.segment(p, q, r)
				continue
			}
			seg := math.Hypot(q.x-p.x, q.y-p.y)
			for pos := 0.0; pos < seg; {
				step := min(left, seg-pos)
				if di%2 == 0 {
					a, b := pos/seg, (pos+step)/seg
					cv.segment(point{p.x + a*(q.x-p.x), p.y + a*(q.y-p.y)}, point{p.x + b*(q.x-p.x), p.y + b*(q.y-p.y)}, r)
				}
				pos += step
				if left -= step; left <= 1e-9 {
					di = (di + 1) % len(dash)
					left = dash[di]
				}
			}
		}
		c.paint(cv, col, 1)
	}
}

// fill paints a polygon (even-odd rule) with 4 sub-scanlines per pixel
// and exact horizontal coverage.
func (c *rasterCanvas) fill(poly []point, col string, opacity float64, _ string) {
	if len(poly) < 3 {
		return
	}
	dp := make([]point, len(poly))
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, p := range poly {
		dp[i] = c.dev(p)
		minX, minY, maxX, maxY = min(minX, dp[i].x), min(minY, dp[i].y), max(maxX, dp[i].x), max(maxY, dp[i].y)
	}
	cv := newCoverage(minX, minY, maxX, maxY)
	const sub = 4
	var xs []float64
	for y := math.Floor(minY); y <= maxY; y++ {
		for k := range sub {
			sy := y + (float64(k)+0.5)/sub
			xs = xs[:0]
			for i := range dp {
				p, q := dp[i], dp[(i+1)%len(dp)]
				if (p.y <= sy) != (q.y <= sy) {
					xs = append(xs, p.x+(sy-p.y)/(q.y-p.y)*(q.x-p.x))
				}
			}
			sort.Float64s(xs)
			for j := 0; j+1 < len(xs); j += 2 {
				cv.span(int(y), xs[j], xs[j+1], 1.0/sub)
			}
		}
	}
	c.paint(cv, parseColor(col), opacity)
}

// span adds weight w times the covered fraction of each pixel of row y
// between a and b.
func (cv *coverage) span(y int, a, b, w float64) {
	for x := math.Floor(a); x < b; x++ {
		cov := min(b, x+1) - max(a, x)
		xi, yi := int(x)-cv.x0, y-cv.y0
		if cov > 0 && xi >= 0 && yi >= 0 && xi < cv.w && yi < cv.h {
			cv.a[yi*cv.w+xi] = min(cv.a[yi*cv.w+xi]+w*cov, 1)
		}
	}
}

func (c *rasterCanvas) rect(x, y, w, h float64, fill string, fillOpacity float64, st stroke) {
	if fill != "" && fill != "none" {
		if fillOpacity <= 0 {
			fillOpacity = 1
		}
		c.fill([]point{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}, fill, fillOpacity, "")
	}
	if st.color != "" {
		c.path([][]point{{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}}, st, "")
	}
}

func (c *rasterCanvas) circle(cx, cy, r float64, col string) {
	p := c.dev(point{cx, cy})
	cv := newCoverage(p.x-r*c.s-1, p.y-r*c.s-1, p.x+r*c.s+1, p.y+r*c.s+1)
	cv.segment(p, p, r*c.s)
	c.paint(cv, parseColor(col), 1)
}

// text draws s with the built-in font: each device pixel samples the
// glyph masks (rasterized at glyphSize) bilinearly.
func (c *rasterCanvas) text(x, y float64, s string, t textStyle) {
	size := t.size * c.s
	k := size / glyphSize // device px per glyph px
	w := textWidth(s, t.size) * c.s
	ox := 0.0
	switch t.anchor {
	case "middle":
		ox = -w / 2
	case "end":
		ox = -w
	}
	col := parseColor(t.color)
	if t.color == "" {
		col = color.RGBA{0, 0, 0, 255}
	}
	o := c.dev(point{x, y})
	// Text-space (u right along the baseline, v down) to device space.
	toDev := func(u, v float64) (float64, float64) {
		if t.rotate {
			return o.x + v, o.y - u
		}
		return o.x + u, o.y + v
	}
	pen := ox
	for _, r := range s {
		g, ok := glyphs[r]
		if !ok {
			g = glyphs['?']
		}
		if g.dx > 0 {
			u0, v0 := pen+float64(g.x)*k, float64(g.y)*k
			u1, v1 := u0+float64(g.dx)*k, v0+float64(g.dy)*k
			ax, ay := toDev(u0, v0)
			bx, by := toDev(u1, v1)
			for dy := math.Floor(min(ay, by)); dy <= max(ay, by); dy++ {
				for dx := math.Floor(min(ax, bx)); dx <= max(ax, bx); dx++ {
					// Back to text space, then to glyph pixels.
					u, v := dx+0.5-o.x, dy+0.5-o.y
					if t.rotate {
						u, v = o.y-(dy+0.5), dx+0.5-o.x
					}
					gx, gy := (u-u0)/k-0.5, (v-v0)/k-0.5
					if a := g.sample(gx, gy); a > 0 {
						c.blend(int(dx), int(dy), col, a)
					}
				}
			}
		}
		pen += float64(g.adv) / 64 * k
	}
}

// sample returns the glyph's coverage at (x, y) in its pixel grid,
// interpolated bilinearly (0 outside).
func (g glyph) sample(x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= g.dx || y >= g.dy {
			return 0
		}
		h := g.mask[y*g.dx+x]
		if h <= '9' {
			return float64(h-'0') / 15
		}
		return float64(h-'a'+10) / 15
	}
	ix, iy := int(x0), int(y0)
	return (at(ix, iy)*(1-fx)+at(ix+1, iy)*fx)*(1-fy) + (at(ix, iy+1)*(1-fx)+at(ix+1, iy+1)*fx)*fy
}

// parseColor reads "#rgb", "#rrggbb" or a basic SVG color name; anything
// else is black.
func parseColor(s string) color.RGBA {
	switch strings.ToLower(s) {
	case "white":
		return color.RGBA{255, 255, 255, 255}
	case "gray", "grey":
		return color.RGBA{128, 128, 128, 255}
	case "red":
		return color.RGBA{255, 0, 0, 255}
	case "green":
		return color.RGBA{0, 128, 0, 255}
	case "blue":
		return color.RGBA{0, 0, 255, 255}
	}
	if h, ok := strings.CutPrefix(s, "#"); ok {
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		if v, err := strconv.ParseUint(h, 16, 32); err == nil && len(h) == 6 {
			return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
		}
	}
	return color.RGBA{0, 0, 0, 255}
}
