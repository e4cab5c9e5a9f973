package linalg

import (
	"fmt"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// BenchmarkGemm measures C = A*B + C on square matrices for every
// instruction set and both precisions, with the default threads and block
// sizes, and reports GFLOP/s (2*n^3 flops per call). The per-core peak of
// the machine is printed by `spurious cpu` and `spurious bench gemm`.
func BenchmarkGemm(b *testing.B) {
	prev := impl.Active()
	defer func() {
		if err := impl.Select(prev); err != nil {
			b.Fatal(err)
		}
	}()
	for _, isa := range impl.Available() {
		if err := impl.Select(isa); err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{16, 64, 256, 1024} {
			b.Run(fmt.Sprintf("isa=%s/prec=f64/n=%d", isa, n), func(b *testing.B) { benchGemm[float64](b, n, n, n) })
			b.Run(fmt.Sprintf("isa=%s/prec=f32/n=%d", isa, n), func(b *testing.B) { benchGemm[float32](b, n, n, n) })
		}
	}
}

// BenchmarkGemmShapes measures the shapes of the random-features model
// (m x k times k x n with one long side) on the default instruction set.
func BenchmarkGemmShapes(b *testing.B) {
	for _, s := range [][3]int{{1000, 4096, 1000}, {4096, 1000, 1000}, {1000, 1000, 4096}} {
		b.Run(fmt.Sprintf("isa=%s/prec=f64/m=%d/n=%d/k=%d", impl.Active(), s[0], s[1], s[2]), func(b *testing.B) {
			benchGemm[float64](b, s[0], s[1], s[2])
		})
	}
}

func benchGemm[T Float](b *testing.B, m, n, k int) {
	rng := gemmTestRNG(1)
	a, bm, c := NewMatrix[T](m, k), NewMatrix[T](k, n), NewMatrix[T](m, n)
	fillUniform(rng, a)
	fillUniform(rng, bm)
	for b.Loop() {
		Gemm(NoTrans, NoTrans, 1, a, bm, 1, c)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
