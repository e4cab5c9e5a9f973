// Package plot writes line plots as SVG with no dependency beyond the
// standard library.
//
// A [Figure] is a grid of [Panel]s; a panel holds [Series], each a line with
// an optional error band (for example mean ± 95% confidence interval), an
// optional log-scaled x axis, fixed or automatic y limits, and an optional
// legend. The output is a standalone, well-formed SVG document whose series
// are <g class="series" data-name="..."> groups, so tests and scripts can
// find them again.
package plot
