package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spurious-ml/spurious/internal/outfile"
)

// Doc accumulates a Markdown document. The zero value is ready to use.
type Doc struct {
	b       strings.Builder
	figures []string
}

// Heading adds a heading of the given level (1 for "#").
func (d *Doc) Heading(level int, text string) {
	level = min(max(level, 1), 6)
	fmt.Fprintf(&d.b, "%s %s\n\n", strings.Repeat("#", level), oneLine(text))
}

// Para adds a paragraph of text (Markdown allowed).
func (d *Doc) Para(text string) {
	fmt.Fprintf(&d.b, "%s\n\n", strings.TrimSpace(text))
}

// Bullets adds a bullet list, one item per entry.
func (d *Doc) Bullets(items ...string) {
	for _, it := range items {
		fmt.Fprintf(&d.b, "- %s\n", oneLine(it))
	}
	d.b.WriteString("\n")
}

// Code adds a fenced code block.
func (d *Doc) Code(lang, text string) {
	fmt.Fprintf(&d.b, "```%s\n%s\n```\n\n", lang, strings.TrimRight(text, "\n"))
}

// Figure adds an image reference to path (relative to the document) with
// alt text, followed by a caption paragraph when caption is not empty.
func (d *Doc) Figure(path, alt, caption string) {
	d.figures = append(d.figures, path)
	fmt.Fprintf(&d.b, "![%s](%s)\n\n", strings.NewReplacer("[", "(", "]", ")").Replace(oneLine(alt)), path)
	if caption != "" {
		d.Para("*" + oneLine(caption) + "*")
	}
}

// Table adds a table; cells containing "|" are escaped. Rows shorter than
// the header are padded.
func (d *Doc) Table(header []string, rows [][]string) {
	cell := func(s string) string { return strings.ReplaceAll(oneLine(s), "|", `\|`) }
	row := func(cells []string) {
		d.b.WriteString("|")
		for i := range header {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			fmt.Fprintf(&d.b, " %s |", cell(c))
		}
		d.b.WriteString("\n")
	}
	row(header)
	d.b.WriteString("|")
	for range header {
		d.b.WriteString("---|")
	}
	d.b.WriteString("\n")
	for _, r := range rows {
		row(r)
	}
	d.b.WriteString("\n")
}

// Figures returns the figure paths referenced so far, in order.
func (d *Doc) Figures() []string { return append([]string(nil), d.figures...) }

// String returns the document.
func (d *Doc) String() string { return d.b.String() }

// WriteFile writes the document to path (see outfile.Write: a regular file
// is replaced atomically, a device or pipe written through, "-" is stdout).
func (d *Doc) WriteFile(path string) error {
	return outfile.Write(path, nil, func(w io.Writer) error {
		_, err := io.WriteString(w, d.String())
		return err
	})
}

var imageRef = regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+)\)`)

// FigureRefs returns the targets of the image references ![alt](path) in a
// Markdown text, in order.
func FigureRefs(markdown string) []string {
	var out []string
	for _, m := range imageRef.FindAllStringSubmatch(markdown, -1) {
		out = append(out, m[1])
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
