// Package reproduce reproduces the figures of Bombari & Mondelli (ICML
// 2024): the sweep of random-features, NTK and trained-network trials
// behind them (SweepSpec, at the sizes of a Preset), the figures (SVG,
// package plot) with the theory's gamma(psi) overlaid (package theory),
// and a Markdown report (package report) with the tables, the environment
// and the commands that reproduce it. Run does all of it into a
// directory, reusing the finished trials of an earlier run; it is what
// `spurious reproduce` executes.
//
// Real-data panels (MNIST, CIFAR-10) are included when their data loads
// (Probe loads it without running a trial).
//
// The report compares the synthetic RF and NTK numbers with the reference
// table of the spec (§4.6, kept here as a Go table) in units of the
// combined standard error, checks the paper's qualitative claims with
// stated criteria, gives the cost per figure, the completeness of the
// record and the environment of every trial. Options.ReportOnly writes
// the figures and the report from the trials already run.
package reproduce
