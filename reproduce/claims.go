package reproduce

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/spurious-ml/spurious/report"
	"github.com/spurious-ml/spurious/sweep"
)

// verdict is the outcome of a check of a qualitative claim.
type verdict int

const (
	notRun verdict = iota // too few points measured
	holds
	fails
)

func (v verdict) String() string {
	return [...]string{"not run", "true", "false"}[v]
}

// check is one falsifiable test of a claim on one curve or pair of curves.
type check struct {
	what   string
	v      verdict
	detail string
}

// Criteria of the checks.
const (
	// trendRho: a curve falls with N when the Spearman rank correlation of
	// its mean spurious accuracy with N is at most trendRho, over at least
	// trendMinN training-set sizes.
	trendRho  = -0.8
	trendMinN = 4
	// saturated: points where both curves of a pair are at or above it
	// (spurious accuracy 1: both memorize everything) cannot order them
	// and are left out of the paired test.
	saturated = 0.999
	// pairedMinN: the paired test needs at least this many N.
	pairedMinN = 3
	// pairedLevel: one-sided level of the paired t test.
	pairedLevel = 0.05
)

// meanCurve returns the N values and mean spurious accuracy of the groups
// that match, in increasing N.
func meanCurve(groups []sweep.PointGroup, match func(sweep.Params) bool) (ns []int, ys []float64) {
	for i := range groups {
		if !match(groups[i].Params) {
			continue
		}
		if s := groups[i].Summary("spurious_acc"); s.N > 0 {
			ns, ys = append(ns, groups[i].Params.N), append(ys, s.Mean)
		}
	}
	idx := make([]int, len(ns))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return ns[a] - ns[b] })
	sn, sy := make([]int, len(ns)), make([]float64, len(ns))
	for i, j := range idx {
		sn[i], sy[i] = ns[j], ys[j]
	}
	return sn, sy
}

// midranks returns the ranks of xs (1-based), ties sharing their mean rank.
func midranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case xs[a] < xs[b]:
			return -1
		case xs[a] > xs[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

// spearman returns the Spearman rank correlation of x and y (Pearson's
// correlation of their midranks); NaN when either is constant.
func spearman(x, y []float64) float64 {
	rx, ry := midranks(x), midranks(y)
	n := float64(len(x))
	var mx, my float64
	for i := range rx {
		mx, my = mx+rx[i]/n, my+ry[i]/n
	}
	var sxy, sxx, syy float64
	for i := range rx {
		sxy += (rx[i] - mx) * (ry[i] - my)
		sxx += (rx[i] - mx) * (rx[i] - mx)
		syy += (ry[i] - my) * (ry[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// trendCheck tests that a curve's mean spurious accuracy falls with N.
func trendCheck(what string, ns []int, ys []float64) check {
	c := check{what: what}
	if len(ns) < trendMinN {
		c.detail = fmt.Sprintf("%d N measured, need %d", len(ns), trendMinN)
		return c
	}
	x := make([]float64, len(ns))
	for i, n := range ns {
		x[i] = float64(n)
	}
	rho := spearman(x, ys)
	c.v = fails
	if rho <= trendRho {
		c.v = holds
	}
	c.detail = fmt.Sprintf("Spearman ρ = %+.2f over %d N; %.3f at N = %d → %.3f at N = %d", rho, len(ns), ys[0], ns[0], ys[len(ys)-1], ns[len(ns)-1])
	return c
}

// pairedCheck tests that curve a lies above curve b: a one-sided paired t
// test over the N both have (left out: N where both are saturated).
func pairedCheck(what string, an []int, ay []float64, bn []int, by []float64) check {
	c := check{what: what}
	var d []float64
	for i, n := range an {
		if j := slices.Index(bn, n); j >= 0 && !(ay[i] >= saturated && by[j] >= saturated) {
			d = append(d, ay[i]-by[j])
		}
	}
	if len(d) < pairedMinN {
		c.detail = fmt.Sprintf("%d unsaturated N in common, need %d", len(d), pairedMinN)
		return c
	}
	s := sweep.Summarize(d)
	t := math.Inf(1)
	if s.Std > 0 {
		t = s.Mean / (s.Std / math.Sqrt(float64(s.N)))
	} else if s.Mean <= 0 {
		t = math.Inf(-1)
	}
	crit := sweep.TQuantile(1-pairedLevel, float64(s.N-1))
	c.v = fails
	if t > crit {
		c.v = holds
	}
	c.detail = fmt.Sprintf("mean difference %+.3f over %d N, t = %.2f (one-sided 5%% critical value %.2f)", s.Mean, s.N, t, crit)
	return c
}

// claim is one of the paper's qualitative claims and its checks.
type claim struct {
	text   string
	checks []check
}

// verdict: false if any check that ran fails, true if at least one ran
// and all that ran hold, not run otherwise.
func (c claim) verdict() verdict {
	v := notRun
	for _, ch := range c.checks {
		switch ch.v {
		case fails:
			return fails
		case holds:
			v = holds
		}
	}
	return v
}

// claims checks the qualitative claims of spec §4.6 against the groups.
func claims(groups []sweep.PointGroup) []claim {
	synth := func(model, act string, alpha float64) func(sweep.Params) bool {
		return func(q sweep.Params) bool {
			return q.Model == model && q.Dataset == "synthetic" && q.Act == act && q.Alpha == alpha
		}
	}
	var c1, c2, c3, c4 claim
	c1.text = "Spurious accuracy falls as N grows (synthetic RF and NTK)"
	c2.text = "φ4 memorizes less than φ2: its spurious accuracy is lower"
	c3.text = "A smaller spurious fraction α memorizes less: α = 1/4 below α = 1/2"
	c4.text = "The same fall with N on real data and trained networks (MNIST, CIFAR-10; RF, NTK, FC, CNN). No reference numbers exist for these panels"
	for _, m := range models {
		M := strings.ToUpper(m)
		for _, act := range modelActs(m) {
			for _, a := range alphaAxis {
				ns, ys := meanCurve(groups, synth(m, act, a))
				c1.checks = append(c1.checks, trendCheck(fmt.Sprintf("%s %s α=%s", M, actLabel(act), alphaLabel(a)), ns, ys))
			}
			an, ay := meanCurve(groups, synth(m, act, 0.5))
			bn, by := meanCurve(groups, synth(m, act, 0.25))
			c3.checks = append(c3.checks, pairedCheck(fmt.Sprintf("%s %s", M, actLabel(act)), an, ay, bn, by))
		}
		for _, a := range alphaAxis {
			an, ay := meanCurve(groups, synth(m, "phi2", a))
			bn, by := meanCurve(groups, synth(m, "phi4", a))
			c2.checks = append(c2.checks, pairedCheck(fmt.Sprintf("%s α=%s", M, alphaLabel(a)), an, ay, bn, by))
		}
	}
	for _, m := range models {
		for _, ds := range Datasets {
			ns, ys := meanCurve(groups, func(q sweep.Params) bool { return q.Model == m && q.Dataset == ds.Name })
			c4.checks = append(c4.checks, trendCheck(strings.ToUpper(m)+" ReLU, "+ds.Title, ns, ys))
		}
	}
	for _, p := range nnPanels {
		ns, ys := meanCurve(groups, func(q sweep.Params) bool { return q.Model == p.Model && q.Dataset == p.Name })
		c4.checks = append(c4.checks, trendCheck("NN "+p.Title, ns, ys))
	}
	return []claim{c1, c2, c3, c4}
}

// claimsSection writes each claim with its verdict and its checks.
func claimsSection(d *report.Doc, groups []sweep.PointGroup) {
	d.Heading(2, "The paper's qualitative claims, checked")
	d.Para(fmt.Sprintf("Each claim of spec §4.6 is tested on the curves of mean spurious accuracy against N. "+
		"\"Falls with N\": Spearman's rank correlation between N and the mean (ties share their mean rank) is at most %.1f, "+
		"over at least %d N (fewer: not run). \"A below B\": a one-sided paired t test over the N that both "+
		"curves have, at the %g level, on the differences of their means, leaving out N where both are at or above %.3f "+
		"(saturated: both recall every label); at least %d such N (fewer: not run). A claim is true when every check that ran holds, "+
		"false when one fails.", trendRho, trendMinN, pairedLevel, saturated, pairedMinN))
	for _, c := range claims(groups) {
		lines := make([]string, len(c.checks))
		for i, ch := range c.checks {
			lines[i] = fmt.Sprintf("%s: %s (%s)", ch.what, ch.v, ch.detail)
		}
		d.Para(fmt.Sprintf("**%s: %s.**", c.text, c.verdict()))
		d.Bullets(lines...)
	}
}
