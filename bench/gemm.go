package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/linalg"
)

func init() { ops["gemm"] = prepareGemm }

// defaultGemmN is the size of `spurious bench gemm` without --n.
const defaultGemmN = 1024

// maxBytes bounds the memory a benchmark case may allocate.
const maxBytes = 16 << 30

// checkMemory refuses a case whose operands (bytes) exceed maxBytes or
// the memory available (internal/memory's Limit).
func checkMemory(what string, bytes float64) error {
	limit, source := memory.Limit()
	if limit == 0 || limit > maxBytes {
		limit, source = maxBytes, "bench's cap"
	}
	return memory.Estimate{{What: what, Bytes: bytes, Reduce: "the sizes"}}.Check(limit, source)
}

// prepareGemm sets up C = A*B (beta = 0, as numpy's matmul) with op(A)
// m x k, op(B) k x n, uniform random entries: m and k default to n.
// Flops: 2*m*n*k.
func prepareGemm(cfg Config) (Case, error) {
	n := cfg.N
	if n == 0 {
		n = defaultGemmN
	}
	m, k := cfg.M, cfg.K
	if m == 0 {
		m = n
	}
	if k == 0 {
		k = n
	}
	size := 8
	if cfg.Precision == "f32" {
		size = 4
	}
	bytes := float64(size) * (float64(m)*float64(k) + float64(k)*float64(n) + float64(m)*float64(n))
	if err := checkMemory(fmt.Sprintf("gemm m=%d n=%d k=%d", m, n, k), bytes); err != nil {
		return Case{}, err
	}
	c := Case{
		Sizes: map[string]int{"m": m, "n": n, "k": k},
		Flops: 2 * float64(m) * float64(n) * float64(k),
	}
	if cfg.Precision == "f32" {
		c.Run = gemmRunner[float32](m, n, k)
	} else {
		c.Run = gemmRunner[float64](m, n, k)
	}
	return c, nil
}

// gemmRunner allocates the operands (fixed seed) and returns the timed
// call.
func gemmRunner[T linalg.Float](m, n, k int) func() error {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := linalg.NewMatrix[T](m, k), linalg.NewMatrix[T](k, n), linalg.NewMatrix[T](m, n)
	for _, x := range [][]T{a.Data, b.Data} {
		for i := range x {
			x[i] = T(2*rng.Float64() - 1)
		}
	}
	return func() error {
		linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, a, b, 0, c)
		return nil
	}
}
