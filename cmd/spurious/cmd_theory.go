package main

import (
	"context"
	"io"
	"strings"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/theory"
)

func init() {
	register("theory", "Hermite coefficients and the predicted feature alignment gamma", runTheory)
}

// runTheory implements `spurious theory`.
func runTheory(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("theory", "usage: spurious theory --model rf|ntk --act NAME --alpha A[,A...] [--n N --d D] "+
		"[--ntk-deriv paper|true] [--curve alpha|n] [--json]\n", stderr)
	model := fs.String("model", "rf", "feature model: rf or ntk (rf-inf, ntk-inf share their theory)")
	act := fs.String("act", "relu", "activation: "+strings.Join(activation.Names(), ", "))
	alphas := fs.String("alpha", "0.5", "spurious fraction(s) d_y/d in (0,1), comma-separated")
	n := fs.Int("n", 0, "training samples N (with --d: also print gamma(psi), psi = (N-1)/d)")
	d := fs.Int("d", 0, "input dimension d (default 1000 for --curve n)")
	deriv := fs.String("ntk-deriv", "paper", "NTK derivative: paper (authors' phi') or true")
	curve := fs.String("curve", "", "also print a curve: alpha (grid 0.05..0.95) or n (log grid of N up to 100 d)")
	nCoef := fs.Int("coeffs", 10, "number of Hermite coefficients to print")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	m, err := theory.ParseModel(*model)
	if err != nil {
		return cli.AsUsage(err)
	}
	a, err := activation.Lookup(*act)
	if err != nil {
		return cli.AsUsage(err)
	}
	mode, err := activation.ParseDerivMode(*deriv)
	if err != nil {
		return cli.AsUsage(err)
	}
	as, err := theory.ParseAlphas(*alphas)
	if err != nil {
		return cli.Usagef("theory: --%w", err)
	}
	if *n < 0 || *d < 0 || (*n > 0 && *d == 0) || (*d > 0 && *n == 0 && *curve != "n") {
		return cli.Usagef("theory: give both --n and --d (positive) for gamma(psi); got n = %d, d = %d", *n, *d)
	}
	if *curve != "" && *curve != "alpha" && *curve != "n" {
		return cli.Usagef("theory: --curve %q: use alpha or n", *curve)
	}
	if *nCoef < 1 || *nCoef > theory.MaxCoeffs {
		return cli.Usagef("theory: --coeffs %d: use 1 to %d", *nCoef, theory.MaxCoeffs)
	}

	rep, err := theory.Summarize(m, a, mode, as, *n, *d, *curve, *nCoef)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	return rep.WriteText(stdout)
}
