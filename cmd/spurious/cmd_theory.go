package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/theory"
)

func init() {
	register("theory", "Hermite coefficients and the predicted feature alignment gamma", runTheory)
}

// runTheory implements `spurious theory`.
func runTheory(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("theory", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "rf", "feature model: rf or ntk (rf-inf, ntk-inf share their theory)")
	act := fs.String("act", "relu", "activation: "+strings.Join(activation.Names(), ", "))
	alphas := fs.String("alpha", "0.5", "spurious fraction(s) d_y/d in (0,1), comma-separated")
	n := fs.Int("n", 0, "training samples N (with --d: also print gamma(psi), psi = (N-1)/d)")
	d := fs.Int("d", 0, "input dimension d (default 1000 for --curve n)")
	deriv := fs.String("ntk-deriv", "paper", "NTK derivative: paper (authors' phi') or true")
	curve := fs.String("curve", "", "also print a curve: alpha (grid 0.05..0.95) or n (log grid of N up to 100 d)")
	nCoef := fs.Int("coeffs", 10, "number of Hermite coefficients to print")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: spurious theory --model rf|ntk --act NAME --alpha A[,A...] [--n N --d D] "+
			"[--ntk-deriv paper|true] [--curve alpha|n] [--json]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	m, err := theory.ParseModel(*model)
	if err != nil {
		return asUsage(err)
	}
	a, err := activation.Lookup(*act)
	if err != nil {
		return asUsage(err)
	}
	mode, err := activation.ParseDerivMode(*deriv)
	if err != nil {
		return asUsage(err)
	}
	as, err := parseAlphas(*alphas)
	if err != nil {
		return asUsage(err)
	}
	if *n < 0 || *d < 0 || (*n > 0 && *d == 0) || (*d > 0 && *n == 0 && *curve != "n") {
		return usageErrorf("theory: give both --n and --d (positive) for gamma(psi); got n = %d, d = %d", *n, *d)
	}
	if *curve != "" && *curve != "alpha" && *curve != "n" {
		return usageErrorf("theory: --curve %q: use alpha or n", *curve)
	}
	if *nCoef < 1 || *nCoef > theory.MaxCoeffs {
		return usageErrorf("theory: --coeffs %d: use 1 to %d", *nCoef, theory.MaxCoeffs)
	}

	rep, err := theory.Summarize(m, a, mode, as, *n, *d, *curve, *nCoef)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	return printTheory(stdout, rep)
}

// parseAlphas parses a comma-separated list of alphas in the open (0, 1).
func parseAlphas(s string) ([]float64, error) {
	var as []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("theory: --alpha %q is not a number", strings.TrimSpace(f))
		}
		if !(v > 0 && v < 1) {
			return nil, fmt.Errorf("theory: --alpha %v is outside (0, 1); alpha is the fraction d_y/d of spurious coordinates", v)
		}
		as = append(as, v)
	}
	return as, nil
}

func printTheory(w io.Writer, r *theory.Summary) error {
	head := fmt.Sprintf("model %s  act %s", r.Model, r.Act)
	if r.NTKDeriv != "" {
		head += "  ntk-deriv " + r.NTKDeriv
	}
	fmt.Fprintf(w, "%s\nkernel: %s\ns = %.6g\n\n", head, r.KernelMethod, r.S)
	fmt.Fprintf(w, "Hermite coefficients of %s (error estimate %.2g):\n", r.CoefficientsOf, r.CoefficientError)
	for l, c := range r.Coefficients {
		format := "  mu_%-2d = % .6f\n"
		if a := math.Abs(c); a >= 1e6 || a > 0 && a < 1e-4 {
			format = "  mu_%-2d = % .6e\n" // hermite:0,1e200 would print 200 digits
		}
		fmt.Fprintf(w, format, l, c)
	}
	fmt.Fprintln(w)
	if err := pointTable(w, r.Results); err != nil {
		return err
	}
	if len(r.Curve) > 0 {
		fmt.Fprintf(w, "\ncurve over %s:\n", r.CurveKind)
		return pointTable(w, r.Curve)
	}
	return nil
}

func pointTable(w io.Writer, pts []theory.Point) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	withPsi := pts[0].GammaPsi != nil
	if withPsi {
		fmt.Fprintln(tw, "alpha\tN\td\tpsi\tlarge-N\tsmall-N\tgamma(psi)\t")
	} else {
		fmt.Fprintln(tw, "alpha\tlarge-N\tsmall-N\t")
	}
	for _, p := range pts {
		if withPsi {
			fmt.Fprintf(tw, "%.4g\t%d\t%d\t%.4g\t%.6f\t%.6f\t%.6f\t\n", p.Alpha, p.N, p.D, *p.Psi, p.GammaLargeN, p.GammaSmallN, *p.GammaPsi)
		} else {
			fmt.Fprintf(tw, "%.4g\t%.6f\t%.6f\t\n", p.Alpha, p.GammaLargeN, p.GammaSmallN)
		}
	}
	return tw.Flush()
}
