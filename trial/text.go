package trial

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// WriteText writes r as `spurious run` prints it: an aligned two-column
// table of the model, the data, the metrics, the warnings, the brute-force
// check (when run) and the timings.
func (r *Result) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	opt := func(p *float64, format string) string {
		if p == nil {
			return "n/a"
		}
		return fmt.Sprintf(format, *p)
	}
	k := "inf"
	if r.K != nil {
		k = strconv.Itoa(*r.K)
	} else if r.Model == "linear" {
		k = "-"
	}
	model := r.Model
	if r.NTKDeriv != "" {
		model += " (phi' " + r.NTKDeriv + ")"
	}
	rows := [][2]string{
		{"model", fmt.Sprintf("%s, act %s, k %s, ridge %g", model, r.Act, k, r.Ridge)},
		{"data", fmt.Sprintf("%s, alpha %.4g, d %d, n %d, nt %d, held-out %d, seed %d", r.Dataset, r.Alpha, r.D, r.N, r.Nt, r.Nh, r.Seed)},
		{"train / test accuracy", fmt.Sprintf("%.4f / %s", r.TrainAcc, opt(r.TestAcc, "%.4f"))},
		{"spurious accuracy", fmt.Sprintf("%.4f", r.SpuriousAcc)},
		{"test MSE / LOO MSE", fmt.Sprintf("%s / %.4f", opt(r.TestMSE, "%.4f"), r.LOOMSE)},
		{"feature alignment F", fmt.Sprintf("%.4f +- %.4f (std)   theory gamma(psi) %s", r.FeatureAlignmentMean, r.FeatureAlignmentStd, opt(r.GammaTheory, "%.4f"))},
		{"stability mean S*g / |S|", fmt.Sprintf("%.4f / %.4f", r.StabilityMean, r.StabilityAbsMean)},
		{"Cov(f(zs), g) / Lemma", fmt.Sprintf("%.4f / %.4f", r.CovSpurious, r.CovLemma)},
		{"memorization AUC / TPR@1%FPR", fmt.Sprintf("%s / %s", opt(r.AUC, "%.4f"), opt(r.TPRAt1PctFPR, "%.4f"))},
		{"Lemma max rel err", fmt.Sprintf("%.2g", r.LemmaMaxRelErr)},
		{"Gram condition number", fmt.Sprintf("%.3g", r.GramCondition)},
	}
	for _, w := range r.Warnings {
		rows = append(rows, [2]string{"WARNING", w})
	}
	if r.VerifyLOO > 0 {
		rows = append(rows, [2]string{"brute-force LOO check", fmt.Sprintf("%d samples: closed forms %.2g, Lemma %.2g",
			r.VerifyLOO, *r.VerifyLOOMaxRelErr, *r.VerifyLemmaMaxRelErr)})
	}
	rows = append(rows, [2]string{"time", fmt.Sprintf("%.2f s (Gram %.2f s, %.3g flops, %.1f GFLOP/s; solve %.2f s), %s, KC %d MC %d NC %d (%s), %d threads",
		r.Seconds, r.GramSeconds, r.GramFlops, r.GramFlops/r.GramSeconds/1e9, r.SolveSeconds, r.ISA, r.KC, r.MC, r.NC, r.Blocking, r.Threads)})
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

// PrintProgress returns an Options.Progress callback that writes, at most
// once per interval, a line of the Gram's progress to w: prefix, the
// features (or hidden units) done of their total, the time elapsed and an
// estimate of the time left.
func PrintProgress(w io.Writer, prefix string, interval time.Duration) func(done, total int) {
	start := time.Now()
	last := start
	return func(done, total int) {
		now := time.Now()
		if now.Sub(last) >= interval {
			last = now
			el := now.Sub(start).Seconds()
			fmt.Fprintf(w, "%s Gram %d/%d (%.0f%%), %.1f s elapsed, ~%.0f s left\n",
				prefix, done, total, 100*float64(done)/float64(total), el, el*float64(total-done)/float64(done))
		}
	}
}
