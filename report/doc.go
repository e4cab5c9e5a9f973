// Package report builds Markdown documents: headings, paragraphs, bullet
// lists, tables, code blocks and figure references. It records every figure
// it references, so a caller can check that each one was written, and
// [FigureRefs] finds the references in any Markdown text.
package report
