package sweep

import (
	"cmp"
	"math"
	"slices"
)

// Summary describes repeated measurements of one quantity.
type Summary struct {
	N    int     // measurements (NaN values are left out)
	Mean float64 // sample mean
	Std  float64 // sample standard deviation (n-1 denominator); NaN if N < 2
	// CI95 is the half-width of the two-sided 95% Student-t confidence
	// interval of the mean, t_{0.975, N-1} * Std / sqrt(N); NaN if N < 2.
	// (The paper's plots use seaborn's bootstrap interval instead; the two
	// agree for near-normal data, and t is exact for normal data and
	// deterministic.)
	CI95 float64
}

// Lo and Hi return the ends of the 95% interval (the mean when N < 2).
func (s Summary) Lo() float64 { return s.Mean - s.halfWidth() }

// Hi returns the upper end of the 95% interval; see [Summary.Lo].
func (s Summary) Hi() float64 { return s.Mean + s.halfWidth() }

func (s Summary) halfWidth() float64 {
	if math.IsNaN(s.CI95) {
		return 0
	}
	return s.CI95
}

// Summarize returns the mean, standard deviation and 95% confidence
// half-width of xs, ignoring NaNs. It costs O(len(xs)).
func Summarize(xs []float64) Summary {
	var n int
	var mean float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			n++
			mean += (x - mean) / float64(n)
		}
	}
	s := Summary{N: n, Mean: mean, Std: math.NaN(), CI95: math.NaN()}
	if n == 0 {
		s.Mean = math.NaN()
		return s
	}
	if n < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			ss += (x - mean) * (x - mean)
		}
	}
	s.Std = math.Sqrt(ss / float64(n-1))
	s.CI95 = TQuantile(0.975, float64(n-1)) * s.Std / math.Sqrt(float64(n))
	return s
}

// TQuantile returns the p-quantile of Student's t distribution with df
// degrees of freedom (df > 0, 0 < p < 1), found by bisection on the CDF to
// about 1e-12 relative; each CDF evaluation is a continued fraction of at
// most 300 terms.
func TQuantile(p, df float64) float64 {
	if !(p > 0 && p < 1) || !(df > 0) {
		return math.NaN()
	}
	if p < 0.5 {
		return -TQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for tCDF(hi, df) < p {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if tCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-13*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// TTail returns P(|T| > t) for Student's t with df degrees of freedom
// (t >= 0, df > 0): the two-sided tail, I_{df/(df+t^2)}(df/2, 1/2).
func TTail(t, df float64) float64 {
	if !(t >= 0) || !(df > 0) {
		return math.NaN()
	}
	return 2 * (1 - tCDF(t, df))
}

// tCDF returns P(T <= t) for t >= 0: 1 - I_{df/(df+t^2)}(df/2, 1/2)/2.
func tCDF(t, df float64) float64 {
	return 1 - 0.5*regIncBeta(df/2, 0.5, df/(df+t*t))
}

// regIncBeta is the regularized incomplete beta function I_x(a, b),
// by the continued fraction of Numerical Recipes (betacf, modified Lentz).
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	// step applies one term aa of the continued fraction (modified Lentz)
	// and returns the factor it multiplies h by.
	step := func(aa float64) float64 {
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		return d * c
	}
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		h *= step(fm * (b - fm) * x / ((qam + 2*fm) * (a + 2*fm)))
		del := step(-(a + fm) * (qab + fm) * x / ((a + 2*fm) * (qap + 2*fm)))
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return h
}

// PointGroup holds the records that share a parameter point (all fields but
// Rep), i.e. the repetitions of one point of the grid.
type PointGroup struct {
	Params  Params // Rep is 0
	Records []Record
}

// Summary summarizes the metric over the group's repetitions; records
// without the metric are left out.
func (g *PointGroup) Summary(metric string) Summary {
	xs := make([]float64, 0, len(g.Records))
	for i := range g.Records {
		if v, ok := g.Records[i].Metric(metric); ok {
			xs = append(xs, v)
		}
	}
	return Summarize(xs)
}

// Group gathers records into parameter points (dropping duplicate keys),
// sorted by model, act, dataset, alpha, d, k, nt, ridge, then n. It costs
// O(len(recs) log len(recs)).
func Group(recs []Record) []PointGroup {
	idx := map[string]int{}
	seen := map[string]bool{}
	var out []PointGroup
	for _, r := range recs {
		if seen[r.Key] {
			continue
		}
		seen[r.Key] = true
		pk := r.Params.Point().Key()
		i, ok := idx[pk]
		if !ok {
			i = len(out)
			idx[pk] = i
			out = append(out, PointGroup{Params: r.Params.Point()})
		}
		out[i].Records = append(out[i].Records, r)
	}
	slices.SortStableFunc(out, func(a, b PointGroup) int {
		x, y := a.Params, b.Params
		return cmp.Or(cmp.Compare(x.Model, y.Model), cmp.Compare(x.Act, y.Act), cmp.Compare(x.Dataset, y.Dataset),
			cmp.Compare(x.Alpha, y.Alpha), cmp.Compare(x.D, y.D), cmp.Compare(x.K, y.K), cmp.Compare(x.Nt, y.Nt),
			cmp.Compare(x.Ridge, y.Ridge), cmp.Compare(x.N, y.N))
	})
	return out
}
