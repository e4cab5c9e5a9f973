package memorize

import (
	"math"
	"slices"
	"sort"
)

// AUC returns the area under the ROC curve of scores pos (positives, e.g.
// training samples) against neg (negatives, e.g. held-out samples): the
// probability that a random positive scores above a random negative, ties
// counting 1/2 (the Mann-Whitney statistic). It returns NaN if either set
// is empty. Cost O((P+Q) log(P+Q)).
func AUC(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	ns := slices.Clone(neg)
	slices.Sort(ns)
	var wins float64
	for _, p := range pos {
		below := sort.SearchFloat64s(ns, p) // negatives < p
		upTo := below
		for upTo < len(ns) && ns[upTo] == p {
			upTo++
		}
		wins += float64(below) + 0.5*float64(upTo-below)
	}
	return wins / (float64(len(pos)) * float64(len(neg)))
}

// TPRAtFPR returns the fraction of pos strictly above the threshold t
// chosen as the (floor(fpr*Q)+1)-th largest of the Q scores in neg, so at
// most floor(fpr*Q) negatives (a false-positive rate <= fpr) lie above t.
// It returns NaN if either set is empty. Cost O((P+Q) log Q).
func TPRAtFPR(pos, neg []float64, fpr float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	ns := slices.Clone(neg)
	slices.Sort(ns)
	allowed := int(math.Floor(fpr * float64(len(ns))))
	allowed = min(max(allowed, 0), len(ns)-1)
	t := ns[len(ns)-1-allowed]
	var tp int
	for _, p := range pos {
		if p > t {
			tp++
		}
	}
	return float64(tp) / float64(len(pos))
}
