package reproduce

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spurious-ml/spurious/report"
	"github.com/spurious-ml/spurious/sweep"
)

// refStat is a reference value: mean and standard deviation over the
// reference's repetitions, as printed (three decimals).
type refStat struct{ Mean, Std float64 }

// refRow is one row of the reference tables of spec §4.6: a synthetic
// parameter point and its six quantities in the order of refQuantities.
type refRow struct {
	Model, Act string
	Alpha      float64
	N          int
	Vals       [6]refStat
}

// refQuantities are the reference tables' columns and the result fields
// that measure them.
var refQuantities = [6]struct{ metric, head string }{
	{"test_acc", "test acc"},
	{"spurious_acc", "spurious acc"},
	{"feature_alignment_mean", "mean F_i"},
	{"stability_mean", "mean S_i g_i"},
	{"cov_spurious", "Cov(f(zˢ), g)"},
	{"cov_lemma", "mean F_i S_i g_i"},
}

// refReps are the repetitions behind the reference's mean ± std, and
// refK the widths, by model; refD and refNt are the reference's d and Nt.
var (
	refReps = map[string]int{"rf": 3, "ntk": 10}
	refK    = map[string]int{"rf": 100000, "ntk": 100}
)

const refD, refNt = 1000, 1000

const (
	// refRounding is half a unit of the reference's last printed digit.
	refRounding = 0.0005
	// zFlag is the |z| above which a cell is flagged.
	zFlag = 3
)

// resolution is the step in which a quantity of one trial moves: 1/N for
// the spurious accuracy (over the N training samples), 1/Nt for the test
// accuracy, 0 for the continuous quantities.
func resolution(metric string, p sweep.Params) float64 {
	switch metric {
	case "spurious_acc":
		return 1 / float64(p.N)
	case "test_acc":
		if p.Nt > 0 {
			return 1 / float64(p.Nt)
		}
	}
	return 0
}

// zScore returns (ours − ref) in units of the combined standard error
// sqrt(se_ours² + se_ref²), se = std / sqrt(repetitions), with the floors
// of the report's rule: a standard deviation below the quantity's
// resolution res is raised to it (and the reference's also to its
// rounding, refRounding); the reference's mean carries its rounding error
// (uniform, std refRounding/sqrt(3)); with a single repetition of ours its
// standard deviation is taken from the reference. It returns NaN when
// ours has no measurement.
func zScore(ours sweep.Summary, ref refStat, reps int, res float64) float64 {
	z, _ := zAndDF(ours, ref, reps, res)
	return z
}

// zAndDF returns zScore and the Welch-Satterthwaite degrees of freedom of
// its denominator, (v_o + v_r)^2 / (v_o^2/(n_o-1) + v_r^2/(n_r-1)) with
// v = std^2/n after the floors (the rounding term left out): under the
// hypothesis that both sides estimate the same mean, z is then about
// Student-t with that many degrees of freedom. With a single repetition
// of ours only the reference's variance counts (df = reps - 1).
func zAndDF(ours sweep.Summary, ref refStat, reps int, res float64) (z, df float64) {
	if ours.N == 0 {
		return math.NaN(), math.NaN()
	}
	stdO := ours.Std
	if ours.N < 2 || math.IsNaN(stdO) {
		stdO = ref.Std
	}
	stdO = max(stdO, res)
	stdR := max(ref.Std, res, refRounding)
	vO, vR := stdO*stdO/float64(ours.N), stdR*stdR/float64(reps)
	se2 := vO + vR + refRounding*refRounding/3
	z = (ours.Mean - ref.Mean) / math.Sqrt(se2)
	den := vR * vR / float64(reps-1)
	if ours.N >= 2 {
		den += vO * vO / float64(ours.N-1)
	} else {
		vO = 0
	}
	return z, (vO + vR) * (vO + vR) / den
}

// chanceFlags returns, for the measured cells, the expected number of
// |z| > zFlag if every difference were chance (the sum over cells of
// P(|T_df| > zFlag), df from zAndDF), and the probability of at least
// observed such cells, from the Poisson-binomial distribution of
// independent cells. The six quantities of a point share their trials, so
// the cells are not independent: both numbers are a guide. Cost
// O(cells^2).
func chanceFlags(cells []refCell, observed int) (expected, pAtLeast float64) {
	dist := []float64{1} // dist[j] = P(j flags among the cells so far)
	for _, c := range cells {
		if math.IsNaN(c.z) {
			continue
		}
		_, df := zAndDF(c.ours, c.row.Vals[c.q], refReps[c.row.Model], resolution(refQuantities[c.q].metric, c.params))
		p := sweep.TTail(zFlag, df)
		if math.IsNaN(p) {
			continue
		}
		expected += p
		next := make([]float64, len(dist)+1)
		for j, q := range dist {
			next[j] += q * (1 - p)
			next[j+1] += q * p
		}
		dist = next
	}
	for j := observed; j < len(dist); j++ {
		pAtLeast += dist[j]
	}
	return expected, min(pAtLeast, 1)
}

// refCell is the comparison of one quantity at one reference point.
type refCell struct {
	row    refRow
	q      int // index into refQuantities
	ours   sweep.Summary
	z      float64 // NaN: not measured
	params sweep.Params
}

// compareReference compares every reference cell with the measured
// groups of the reference's sizes (synthetic, d, k and Nt). It costs
// O(cells + groups).
func compareReference(groups []sweep.PointGroup) []refCell {
	byPoint := map[string]*sweep.PointGroup{}
	for i := range groups {
		p := groups[i].Params
		if p.Dataset != "synthetic" || p.D != refD || p.Nt != refNt || p.K != refK[p.Model] {
			continue
		}
		byPoint[refKey(p.Model, p.Act, p.Alpha, p.N)] = &groups[i]
	}
	var cells []refCell
	for _, row := range reference {
		g := byPoint[refKey(row.Model, row.Act, row.Alpha, row.N)]
		for q := range refQuantities {
			c := refCell{row: row, q: q, z: math.NaN()}
			if g != nil {
				c.params = g.Params
				c.ours = g.Summary(refQuantities[q].metric)
				c.z = zScore(c.ours, row.Vals[q], refReps[row.Model], resolution(refQuantities[q].metric, g.Params))
			}
			cells = append(cells, c)
		}
	}
	return cells
}

func refKey(model, act string, alpha float64, n int) string {
	return fmt.Sprintf("%s/%s/%g/%d", model, act, alpha, n)
}

// refCounts counts the measured cells, those within zFlag, and lists the
// flagged ones.
func refCounts(cells []refCell) (measured, within int, flagged []refCell) {
	for _, c := range cells {
		if math.IsNaN(c.z) {
			continue
		}
		measured++
		if math.Abs(c.z) <= zFlag {
			within++
		} else {
			flagged = append(flagged, c)
		}
	}
	return measured, within, flagged
}

func (c refCell) label() string {
	return fmt.Sprintf("%s %s α=%s N=%d %s (z = %+.1f)", strings.ToUpper(c.row.Model), actLabel(c.row.Act),
		alphaLabel(c.row.Alpha), c.row.N, refQuantities[c.q].head, c.z)
}

// referenceSection writes the comparison with spec §4.6: the rule, the
// summary line and one table per model.
func referenceSection(d *report.Doc, p Preset, groups []sweep.PointGroup) {
	d.Heading(2, "Comparison with the reference numbers (synthetic RF and NTK)")
	if p.D != refD || p.Nt != refNt || p.KRF != refK["rf"] || p.KNTK != refK["ntk"] {
		d.Para(fmt.Sprintf("The reference numbers of spec §4.6 are for d = %d, Nt = %d, k = %d (RF) and %d (NTK); this preset's sizes "+
			"differ (d = %d, Nt = %d, k = %d and %d), so there is no comparison: `spurious reproduce --full` makes it.",
			refD, refNt, refK["rf"], refK["ntk"], p.D, p.Nt, p.KRF, p.KNTK))
		return
	}
	cells := compareReference(groups)
	d.Para("The reference is the table of spec §4.6: re-runs of the authors' synthetic pipeline (d = 1000, Nt = 1000; " +
		"RF k = 100 000 over 3 repetitions, NTK k = 100 over 10), mean ± standard deviation across repetitions, printed with three decimals. " +
		"They are not the paper's own numbers, which are not readable. Each cell reads `ours mean ± std / reference mean ± std / z`, " +
		"where z = (ours − reference) / sqrt(se_ours² + se_ref²) and se = std / sqrt(repetitions); |z| > 3 is flagged in bold. " +
		"Floors, so that cells with zero spread (e.g. spurious accuracy 1.000 ± 0.000) are judged honestly: a standard deviation " +
		"below the quantity's resolution is raised to it (an accuracy over N samples moves in steps of 1/N: 1/N for the spurious accuracy, " +
		"1/Nt for the test accuracy); the reference's standard deviation is at least 0.0005 (half its last printed digit), and its mean " +
		"carries a rounding error of ±0.0005 (uniform, standard deviation 0.0005/√3). With a single repetition of ours, its standard " +
		"deviation is taken from the reference. Quantities: test and spurious accuracy (`test_acc`, `spurious_acc`), mean F_i " +
		"(`feature_alignment_mean`), mean S_i g_i (`stability_mean`), Cov(f(zˢ), g) (`cov_spurious`), mean F_i S_i g_i (`cov_lemma`). " +
		"γ(ψ) is the theory's deterministic equivalent (`gamma_theory`), shown next to mean F_i. " +
		"The standard errors are themselves estimated from few repetitions (3 for the RF reference), so |z| > 3 happens by chance " +
		"more often than the 0.3% of a normal z: a flagged cell is a cell to look at, not by itself a failed reproduction.")
	measured, within, flagged := refCounts(cells)
	summary := fmt.Sprintf("**Summary: %d of %d measured cells are within 3 standard errors of the reference", within, measured)
	if len(cells) > measured {
		summary += fmt.Sprintf("; %d of the reference's %d cells are not measured yet", len(cells)-measured, len(cells))
	}
	summary += fmt.Sprintf("; %d flagged.**", len(flagged))
	if measured > 0 {
		expected, p := chanceFlags(cells, len(flagged))
		summary += fmt.Sprintf(" If every difference were chance, about %.1f of the %d cells would be flagged (each z taken as Student-t "+
			"with its Welch degrees of freedom, the standard errors being estimated from 3 to 10 repetitions), and %d or more "+
			"flags would occur with probability %.2f (cells taken as independent; the six quantities of a point share their trials, "+
			"so this is a guide).", expected, measured, len(flagged), p)
	}
	d.Para(summary)
	if len(flagged) > 0 {
		var fl []string
		for _, c := range flagged {
			fl = append(fl, c.label())
		}
		d.Para("Flagged cells (|z| > 3):")
		d.Bullets(fl...)
	}
	for _, model := range models {
		var rows [][]string
		for i := 0; i < len(cells); i += len(refQuantities) {
			row := cells[i].row
			if row.Model != model {
				continue
			}
			reps := "—"
			if cells[i].ours.N > 0 {
				reps = strconv.Itoa(cells[i].ours.N)
			}
			r := []string{actLabel(row.Act), alphaLabel(row.Alpha), strconv.Itoa(row.N), reps + " / " + strconv.Itoa(refReps[model])}
			for q := range refQuantities {
				r = append(r, cells[i+q].format())
				if refQuantities[q].metric == "feature_alignment_mean" {
					r = append(r, gammaCell(groups, cells[i+q].params, cells[i+q].ours.N > 0))
				}
			}
			rows = append(rows, r)
		}
		head := []string{"act", "α", "N", "reps (ours / ref)"}
		for _, q := range refQuantities {
			head = append(head, q.head)
			if q.metric == "feature_alignment_mean" {
				head = append(head, "γ(ψ)")
			}
		}
		d.Heading(3, strings.ToUpper(model))
		d.Table(head, rows)
	}
}

// format writes the cell as ours / reference / z.
func (c refCell) format() string {
	ref := fmt.Sprintf("%.3f ± %.3f", c.row.Vals[c.q].Mean, c.row.Vals[c.q].Std)
	if math.IsNaN(c.z) {
		return "— / " + ref
	}
	ours := fmt.Sprintf("%.3f", c.ours.Mean)
	if !math.IsNaN(c.ours.Std) {
		ours += fmt.Sprintf(" ± %.3f", c.ours.Std)
	}
	z := fmt.Sprintf("%+.1f", c.z)
	if math.Abs(c.z) > zFlag {
		z = "**" + z + "**"
	}
	return ours + " / " + ref + " / " + z
}

// gammaCell is the mean gamma_theory of the group with parameters p.
func gammaCell(groups []sweep.PointGroup, p sweep.Params, measured bool) string {
	if !measured {
		return "—"
	}
	i := slices.IndexFunc(groups, func(g sweep.PointGroup) bool { return g.Params.Key() == p.Key() })
	if i < 0 {
		return "—"
	}
	s := groups[i].Summary("gamma_theory")
	if s.N == 0 {
		return "—"
	}
	return fmt.Sprintf("%.4f", s.Mean)
}
