package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/internal/memory"
)

// SyntheticConfig selects the paper's Gaussian model (§1.2): z = [x, y] in
// R^D with x ~ N(0, I_dx), y ~ N(0, I_dy), dy = round(Alpha*D), dx = D-dy.
type SyntheticConfig struct {
	D     int     // input dimension, >= 2
	Alpha float64 // spurious fraction in (0, 1)
	N, Nt int     // training and test sample counts (N >= 1, Nt >= 0)
	Seed  uint64
}

// Split returns the core and spurious dimensions dx, dy = D-round(Alpha*D),
// round(Alpha*D), as the paper's code computes them (d//2 for Alpha = 1/2).
func (c SyntheticConfig) Split() (dx, dy int) {
	dy = int(math.Round(c.Alpha * float64(c.D)))
	return c.D - dy, dy
}

func (c SyntheticConfig) validate() error {
	if c.D < 2 {
		return fmt.Errorf("synthetic data: d=%d, want d >= 2 (one core and one spurious coordinate)", c.D)
	}
	if !(c.Alpha > 0 && c.Alpha < 1) {
		return fmt.Errorf("synthetic data: alpha=%v, want 0 < alpha < 1", c.Alpha)
	}
	dx, dy := c.Split()
	if dy < 1 || dx < 1 {
		return fmt.Errorf("synthetic data: alpha=%v with d=%d gives dx=%d, dy=%d; both must be >= 1: raise d or move alpha away from 0 and 1", c.Alpha, c.D, dx, dy)
	}
	if c.N < 1 {
		return fmt.Errorf("synthetic data: n=%d, want n >= 1", c.N)
	}
	if c.Nt < 0 {
		return fmt.Errorf("synthetic data: nt=%d, want nt >= 0", c.Nt)
	}
	values := (2*float64(c.N) + float64(c.Nt)) * float64(c.D)
	if values > math.MaxInt/8 {
		return fmt.Errorf("synthetic data: (2n+nt)*d = (2*%d+%d)*%d values do not fit in memory", c.N, c.Nt, c.D)
	}
	est := memory.Estimate{{What: "synthetic data (2n+nt) x d", Bytes: 8 * values, Reduce: "n, nt or d"}}
	if err := est.CheckAvailable(); err != nil {
		return fmt.Errorf("synthetic data: %w", err)
	}
	return nil
}

// Synthetic draws the paper's synthetic data set. The label vector u is
// drawn from N(0, I_dx/dx) and g = sign(<u, x>) (sign(0) = +1). The
// spurious query of training sample i is [x'_i, y_i] with a fresh core x'_i.
// The Nt test samples are fresh draws of [x, y] labelled by the same u.
//
// Each part (u, training rows, spurious cores, test rows) comes from its own
// PCG stream derived from Seed, so the result is a pure function of cfg and,
// for a fixed Seed, the first rows do not change when N or Nt grow.
// Cost: (2N+Nt)*D normal draws and O((N+Nt)*D) arithmetic.
func Synthetic(cfg SyntheticConfig) (*Dataset, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	d := cfg.D
	dx, dy := cfg.Split()

	u := make([]float64, dx)
	ru := NewStream(cfg.Seed, streamSynthU)
	su := 1 / math.Sqrt(float64(dx))
	for i := range u {
		u[i] = ru.NormFloat64() * su
	}
	label := func(x []float64) float64 {
		var s float64
		for i, v := range x {
			s += u[i] * v
		}
		if s < 0 {
			return -1
		}
		return 1
	}

	ds := &Dataset{
		Name:  "synthetic",
		D:     d,
		Alpha: float64(dy) / float64(d),
		Z:     make([]float64, cfg.N*d),
		Zs:    make([]float64, cfg.N*d),
		Zt:    make([]float64, cfg.Nt*d),
		G:     make([]float64, cfg.N),
		Gt:    make([]float64, cfg.Nt),
	}
	fill := func(z []float64, r *rand.Rand) {
		for j := range z {
			z[j] = r.NormFloat64()
		}
	}
	rt := NewStream(cfg.Seed, streamSynthTrain)
	rs := NewStream(cfg.Seed, streamSynthSpurious)
	for i := range cfg.N {
		z := ds.Z[i*d : (i+1)*d]
		fill(z, rt)
		ds.G[i] = label(z[:dx])
		zs := ds.Zs[i*d : (i+1)*d]
		fill(zs[:dx], rs)
		copy(zs[dx:], z[dx:])
	}
	re := NewStream(cfg.Seed, streamSynthTest)
	for i := range cfg.Nt {
		z := ds.Zt[i*d : (i+1)*d]
		fill(z, re)
		ds.Gt[i] = label(z[:dx])
	}
	return ds, nil
}
