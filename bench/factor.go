package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/linalg"
)

func init() {
	ops["syrk"] = prepareSyrk
	ops["potrf"] = preparePotrf
	ops["trsm"] = prepareTrsm
}

// Default sizes of the factorization benchmarks: the anchors' shapes (the
// random-features Gram, its factorization, and many right-hand sides).
const (
	defaultSyrkN     = 1000
	defaultSyrkK     = 100000
	defaultPotrfN    = 1000
	defaultTrsmM     = 1000
	defaultTrsmNRHS  = 16384
	benchFactorSeedA = 3
)

// checkBytes refuses cases whose elements elements do not fit (see
// checkMemory).
func checkBytes(prec string, elements float64, sizes string) error {
	size := 8.0
	if prec == "f32" {
		size = 4
	}
	return checkMemory(sizes, size*elements)
}

// prepareSyrk sets up the Gram matrix C = A*A^T (lower triangle, beta =
// 0) of an n x k matrix A with uniform entries. Flops: n(n+1)k.
func prepareSyrk(cfg Config) (Case, error) {
	n, k := cfg.N, cfg.K
	if n == 0 {
		n = defaultSyrkN
	}
	if k == 0 {
		k = defaultSyrkK
	}
	if err := checkBytes(cfg.Precision, float64(n)*float64(k)+float64(n)*float64(n),
		fmt.Sprintf("n=%d k=%d", n, k)); err != nil {
		return Case{}, err
	}
	c := Case{Sizes: map[string]int{"n": n, "k": k}, Flops: float64(n) * float64(n+1) * float64(k)}
	if cfg.Precision == "f32" {
		c.Run = syrkRunner[float32](n, k)
	} else {
		c.Run = syrkRunner[float64](n, k)
	}
	return c, nil
}

func syrkRunner[T linalg.Float](n, k int) func() error {
	rng := rand.New(rand.NewPCG(benchFactorSeedA, 1))
	a, c := linalg.NewMatrix[T](n, k), linalg.NewMatrix[T](n, n)
	for i := range a.Data {
		a.Data[i] = T(2*rng.Float64() - 1)
	}
	return func() error {
		linalg.Syrk(linalg.Lower, linalg.NoTrans, 1, a, 0, c)
		return nil
	}
}

// preparePotrf sets up the Cholesky factorization of an n x n SPD matrix
// G*G^T/n + I. The lower triangle is restored from a saved copy before
// each run, untimed (OpenBLAS's anchor script subtracts the time of its
// copy). Flops: n^3/3.
func preparePotrf(cfg Config) (Case, error) {
	n := cfg.N
	if n == 0 {
		n = defaultPotrfN
	}
	if err := checkBytes(cfg.Precision, 3*float64(n)*float64(n), fmt.Sprintf("n=%d", n)); err != nil {
		return Case{}, err
	}
	c := Case{Sizes: map[string]int{"n": n}, Flops: float64(n) * float64(n) * float64(n) / 3}
	if cfg.Precision == "f32" {
		c.Reset, c.Run = potrfRunner[float32](n)
	} else {
		c.Reset, c.Run = potrfRunner[float64](n)
	}
	return c, nil
}

// potrfRunner returns the untimed restore of the input and the timed
// factorization.
func potrfRunner[T linalg.Float](n int) (reset func(), run func() error) {
	rng := rand.New(rand.NewPCG(benchFactorSeedA, 2))
	g := linalg.NewMatrix[T](n, n)
	for i := range g.Data {
		g.Data[i] = T(2*rng.Float64() - 1)
	}
	a := linalg.NewMatrix[T](n, n)
	linalg.Syrk(linalg.Lower, linalg.NoTrans, 1/T(n), g, 0, a)
	for i := 0; i < n; i++ {
		a.Set(i, i, a.At(i, i)+1)
	}
	l := linalg.NewMatrix[T](n, n)
	reset = func() {
		for i := 0; i < n; i++ {
			copy(l.Row(i)[:i+1], a.Row(i)[:i+1])
		}
	}
	return reset, func() error { return linalg.Cholesky(l) }
}

// prepareTrsm sets up B = L^{-1}*B (left, lower, no transpose, non-unit)
// for an m x m triangular L and m x nrhs B. L has diagonal +-1 and small
// off-diagonal entries (uniform in [-1, 1)/m), so repeated solves in place
// keep B of order one instead of drifting towards subnormals (which are
// slow), and no copy is timed. Flops: m^2*nrhs.
func prepareTrsm(cfg Config) (Case, error) {
	m, r := cfg.M, cfg.NRHS
	if m == 0 {
		m = cfg.N
	}
	if m == 0 {
		m = defaultTrsmM
	}
	if r == 0 {
		r = defaultTrsmNRHS
	}
	if err := checkBytes(cfg.Precision, float64(m)*float64(m)+float64(m)*float64(r),
		fmt.Sprintf("m=%d nrhs=%d", m, r)); err != nil {
		return Case{}, err
	}
	c := Case{Sizes: map[string]int{"m": m, "nrhs": r}, Flops: float64(m) * float64(m) * float64(r)}
	if cfg.Precision == "f32" {
		c.Run = trsmRunner[float32](m, r)
	} else {
		c.Run = trsmRunner[float64](m, r)
	}
	return c, nil
}

func trsmRunner[T linalg.Float](m, r int) func() error {
	rng := rand.New(rand.NewPCG(benchFactorSeedA, 3))
	l, b := linalg.NewMatrix[T](m, m), linalg.NewMatrix[T](m, r)
	for i := 0; i < m; i++ {
		for j := 0; j < i; j++ {
			l.Set(i, j, T((2*rng.Float64()-1)/float64(m)))
		}
		l.Set(i, i, T(1-2*float64(rng.IntN(2))))
	}
	for i := range b.Data {
		b.Data[i] = T(2*rng.Float64() - 1)
	}
	return func() error {
		linalg.Trsm(linalg.Left, linalg.Lower, linalg.NoTrans, linalg.NonUnit, 1, l, b)
		return nil
	}
}
