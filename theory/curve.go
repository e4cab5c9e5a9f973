package theory

import "math"

// Point is the prediction of the mean feature alignment at one spurious
// fraction alpha: its large- and small-N limits and, when N and d are
// positive, gamma(psi) at psi = (N-1)/d. The JSON keys are those of
// `spurious theory --json`.
type Point struct {
	Alpha       float64  `json:"alpha"`
	N           int      `json:"n,omitempty"`
	D           int      `json:"d,omitempty"`
	Psi         *float64 `json:"psi,omitempty"`
	GammaLargeN float64  `json:"gamma_large_n"`
	GammaSmallN float64  `json:"gamma_small_n"`
	GammaPsi    *float64 `json:"gamma_psi,omitempty"`
}

// At evaluates the limits at alpha and, when n and d are positive,
// gamma(psi) (see Psi for its cost).
func (p *Predictor) At(alpha float64, n, d int) (Point, error) {
	pt := Point{Alpha: alpha, N: n, D: d}
	var err error
	if pt.GammaLargeN, err = p.LargeN(alpha); err != nil {
		return pt, err
	}
	if pt.GammaSmallN, err = p.SmallN(alpha); err != nil {
		return pt, err
	}
	if n > 0 && d > 0 {
		g, err := p.Psi(alpha, n, d)
		if err != nil {
			return pt, err
		}
		psi := float64(n-1) / float64(d)
		pt.GammaPsi, pt.Psi = &g, &psi
	}
	return pt, nil
}

// CurveN returns At(alpha, N, d) for N on LogGrid(10, 100*d): gamma(psi)
// against the training-set size, up to psi = 100.
func (p *Predictor) CurveN(alpha float64, d int) ([]Point, error) {
	var out []Point
	for _, n := range LogGrid(10, 100*d) {
		pt, err := p.At(alpha, n, d)
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}

// LogGrid returns the distinct integers round(lo * 10^(k/4)), k = 0, 1,
// ..., up to hi inclusive: four points per decade.
func LogGrid(lo, hi int) []int {
	var g []int
	for k := 0; ; k++ {
		v := int(math.Round(float64(lo) * math.Pow(10, float64(k)/4)))
		if v > hi {
			break
		}
		if len(g) == 0 || v != g[len(g)-1] {
			g = append(g, v)
		}
	}
	return g
}
