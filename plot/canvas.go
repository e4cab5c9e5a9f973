package plot

import (
	"bufio"
	"fmt"
	"strings"
)

// A canvas receives the drawing operations of a figure, in painting order
// (later operations cover earlier ones). svgCanvas writes them as SVG
// elements; rasterCanvas paints them into an image. Coordinates are in px
// of the SVG document, y pointing down.
type canvas interface {
	begin(class string, attrs ...string) // open a group (pairs of attribute names and values)
	end()                                // close the innermost group
	clip(x, y, w, h float64)             // open a group clipped to the rectangle
	path(sub [][]point, st stroke, class string)
	fill(poly []point, color string, opacity float64, class string)
	rect(x, y, w, h float64, fill string, fillOpacity float64, st stroke)
	circle(cx, cy, r float64, color string)
	text(x, y float64, s string, t textStyle)
}

type point struct{ x, y float64 }

// stroke is how a line is drawn; an empty color draws none.
type stroke struct {
	color string
	width float64
	dash  string // SVG dash array, e.g. "6,3"
}

// textStyle is how text is drawn: anchor "start", "middle" or "end" at the
// point (x, baseline y); rotate turns it 90° counter-clockwise about it.
type textStyle struct {
	class  string
	size   float64
	anchor string
	color  string
	rotate bool
}

// svgCanvas writes SVG elements.
type svgCanvas struct {
	w     *bufio.Writer
	clips int
}

func (c *svgCanvas) begin(class string, attrs ...string) {
	var b strings.Builder
	if class != "" {
		fmt.Fprintf(&b, ` class="%s"`, esc(class))
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&b, ` %s="%s"`, attrs[i], esc(attrs[i+1]))
	}
	fmt.Fprintf(c.w, "<g%s>\n", b.String())
}

func (c *svgCanvas) end() { fmt.Fprintln(c.w, "</g>") }

func (c *svgCanvas) clip(x, y, w, h float64) {
	fmt.Fprintf(c.w, `<defs><clipPath id="clip%d"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath></defs>`+"\n",
		c.clips, num(x), num(y), num(w), num(h))
	fmt.Fprintf(c.w, `<g clip-path="url(#clip%d)">`+"\n", c.clips)
	c.clips++
}

func strokeAttrs(st stroke) string {
	s := fmt.Sprintf(`stroke="%s" stroke-width="%s"`, esc(st.color), num(st.width))
	if st.dash != "" {
		s += fmt.Sprintf(` stroke-dasharray="%s"`, esc(st.dash))
	}
	return s
}

func classAttr(class string) string {
	if class == "" {
		return ""
	}
	return fmt.Sprintf(`class="%s" `, esc(class))
}

func (c *svgCanvas) path(sub [][]point, st stroke, class string) {
	var b strings.Builder
	for _, s := range sub {
		for i, p := range s {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%s %s ", cmd, num(p.x), num(p.y))
		}
	}
	d := strings.TrimSpace(b.String())
	if d == "" {
		return
	}
	if len(sub) == 1 && len(sub[0]) == 2 && class == "" {
		p, q := sub[0][0], sub[0][1]
		fmt.Fprintf(c.w, `<line x1="%s" y1="%s" x2="%s" y2="%s" %s/>`+"\n", num(p.x), num(p.y), num(q.x), num(q.y), strokeAttrs(st))
		return
	}
	fmt.Fprintf(c.w, `<path %sd="%s" fill="none" %s stroke-linejoin="round"/>`+"\n", classAttr(class), d, strokeAttrs(st))
}

func (c *svgCanvas) fill(poly []point, color string, opacity float64, class string) {
	var b strings.Builder
	for i, p := range poly {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%s %s ", cmd, num(p.x), num(p.y))
	}
	b.WriteString("Z")
	fmt.Fprintf(c.w, `<path %sd="%s" fill="%s" fill-opacity="%s" stroke="none"/>`+"\n", classAttr(class), b.String(), esc(color), num(opacity))
}

func (c *svgCanvas) rect(x, y, w, h float64, fill string, fillOpacity float64, st stroke) {
	if fill == "" {
		fill = "none"
	}
	op := ""
	if fillOpacity > 0 && fillOpacity < 1 {
		op = fmt.Sprintf(` fill-opacity="%s"`, num(fillOpacity))
	}
	sa := `stroke="none"`
	if st.color != "" {
		sa = strokeAttrs(st)
	}
	fmt.Fprintf(c.w, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s %s/>`+"\n", num(x), num(y), num(w), num(h), esc(fill), op, sa)
}

func (c *svgCanvas) circle(cx, cy, r float64, color string) {
	fmt.Fprintf(c.w, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", num(cx), num(cy), num(r), esc(color))
}

func (c *svgCanvas) text(x, y float64, s string, t textStyle) {
	var b strings.Builder
	if t.class != "" {
		fmt.Fprintf(&b, ` class="%s"`, esc(t.class))
	}
	fmt.Fprintf(&b, ` x="%s" y="%s"`, num(x), num(y))
	if t.anchor != "" && t.anchor != "start" {
		fmt.Fprintf(&b, ` text-anchor="%s"`, t.anchor)
	}
	if t.size != fontSize {
		fmt.Fprintf(&b, ` font-size="%s"`, num(t.size))
	}
	if t.color != "" {
		fmt.Fprintf(&b, ` fill="%s"`, esc(t.color))
	}
	if t.rotate {
		fmt.Fprintf(&b, ` transform="rotate(-90 %s %s)"`, num(x), num(y))
	}
	fmt.Fprintf(c.w, "<text%s>%s</text>\n", b.String(), esc(s))
}

// textWidth returns the width in px of s drawn at size px, from the
// glyph advances of the built-in font (DejaVu Sans); unknown runes count
// as a question mark.
func textWidth(s string, size float64) float64 {
	adv := 0
	for _, r := range s {
		g, ok := glyphs[r]
		if !ok {
			g = glyphs['?']
		}
		adv += g.adv
	}
	return float64(adv) / 64 * size / glyphSize
}

// glyph is one rasterized character of the built-in font (see font_data.go).
type glyph struct {
	adv          int // advance in 1/64 px at glyphSize
	x, y, dx, dy int // mask offset from the pen (y down from the baseline) and size
	mask         string
}
