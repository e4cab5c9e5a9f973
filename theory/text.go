package theory

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// ParseAlphas parses a comma-separated list of spurious fractions, each in
// the open interval (0, 1), as `spurious theory --alpha` takes them.
func ParseAlphas(s string) ([]float64, error) {
	var as []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("alpha %q is not a number", strings.TrimSpace(f))
		}
		if !(v > 0 && v < 1) {
			return nil, fmt.Errorf("alpha %v is outside (0, 1); alpha is the fraction d_y/d of spurious coordinates", v)
		}
		as = append(as, v)
	}
	return as, nil
}

// WriteText writes r as `spurious theory` prints it: a header, the Hermite
// coefficients, a table of the predictions and the curve, if any.
func (r *Summary) WriteText(w io.Writer) error {
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
	if err := writePoints(w, r.Results); err != nil {
		return err
	}
	if len(r.Curve) > 0 {
		fmt.Fprintf(w, "\ncurve over %s:\n", r.CurveKind)
		return writePoints(w, r.Curve)
	}
	return nil
}

// writePoints writes pts as a table, with the psi columns when the points
// have gamma(psi).
func writePoints(w io.Writer, pts []Point) error {
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
