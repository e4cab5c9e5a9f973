package bench

import (
	"context"
	"fmt"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/ntk"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/trial"
)

func init() {
	ops["rf"] = func(cfg Config) (Case, error) { return benchTrial("rf", cfg) }
	ops["ntk"] = func(cfg Config) (Case, error) { return benchTrial("ntk", cfg) }
}

// benchTrial prepares one full memorization trial of the paper's size
// (defaults d = 1000, N = Nt = 1000, k = 100000 for rf and 100 for ntk;
// phi2 on synthetic data with alpha = 1/2): the Gram matrices K, k(Zs, Z)
// and k(Zt, Z), then memorize.Solve. The data are drawn in setup; each Run
// computes the Grams from scratch and solves. Flops counts the Gram
// GEMM/SYRK flops executed (rf.Flops, ntk.Flops, minus the products on
// the shared spurious columns: rf.SharedFlops on the projections, and
// ntk.SharedFlops on the NTK's input Grams) plus N^3 for the Cholesky
// factorization (N^3/3) and the inverse (2N^3/3).
func benchTrial(model string, cfg Config) (Case, error) {
	n, d, k := cfg.N, cfg.D, cfg.K
	if n == 0 {
		n = 1000
	}
	if d == 0 {
		d = 1000
	}
	if k == 0 {
		k = trial.DefaultWidth[model]
	}
	prec, err := rf.ParsePrecision(cfg.Precision)
	if err != nil {
		return Case{}, err
	}
	if prec == rf.F32 && model != "rf" {
		return Case{}, fmt.Errorf("bench %s: precision f32 applies to rf only", model)
	}
	if n < 1 || d < 2 || k < 1 {
		return Case{}, fmt.Errorf("bench %s: n=%d, d=%d, k=%d: want n >= 1, d >= 2, k >= 1", model, n, d, k)
	}
	ds, err := data.Synthetic(data.SyntheticConfig{D: d, Alpha: 0.5, N: n, Nt: n, Seed: 1})
	if err != nil {
		return Case{}, err
	}
	act, err := activation.Lookup("phi2")
	if err != nil {
		return Case{}, err
	}
	z := linalg.MatrixFrom(n, d, ds.Z)
	zs := linalg.MatrixFrom(n, d, ds.Zs)
	zt := linalg.MatrixFrom(n, d, ds.Zt)
	nf := float64(n)
	flops := nf * nf * nf
	var gram func() (linalg.Matrix[float64], []linalg.Matrix[float64], error)
	ctx := context.Background()
	// The spurious queries keep the spurious columns of their training
	// samples: the products on those are shared (as in spurious run).
	dx, _ := data.SyntheticConfig{D: d, Alpha: 0.5}.Split()
	shared := []rf.Shared{{Query: 0, Base: -1, Lo: dx, Hi: d}}
	if model == "rf" {
		flops += rf.Flops(n, 2*n, d, k) - rf.SharedFlops(shared, []int{n, n}, k)
		c := rf.Config{Act: act, K: k, Seed: 1, Precision: prec, Shared: shared}
		gram = func() (linalg.Matrix[float64], []linalg.Matrix[float64], error) { return rf.Gram(ctx, c, z, zs, zt) }
	} else {
		flops += ntk.Flops(n, 2*n, d, k) - ntk.SharedFlops(shared, n, []int{n, n}) - rf.SharedFlops(shared, []int{n, n}, k)
		c := ntk.Config{Act: act, K: k, Seed: 1, Shared: shared}
		gram = func() (linalg.Matrix[float64], []linalg.Matrix[float64], error) { return ntk.Gram(ctx, c, z, zs, zt) }
	}
	return Case{
		Sizes: map[string]int{"n": n, "nt": n, "d": d, "k": k},
		Flops: flops,
		Run: func() error {
			kk, cross, err := gram()
			if err != nil {
				return err
			}
			_, err = memorize.Solve(memorize.Input{K: kk, Ks: cross[0], Kt: cross[1], G: ds.G, Gt: ds.Gt}, memorize.Options{})
			return err
		},
	}, nil
}
