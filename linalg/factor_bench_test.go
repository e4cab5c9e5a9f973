package linalg

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// Benchmarks of Syrk, Cholesky and Trsm on the shapes of the anchors
// (anchors.md), per instruction set and thread count, in GFLOP/s with the
// conventional flop counts: SYRK n(n+1)k, POTRF n^3/3, TRSM m^2 nrhs.
//
//	go test -run '^$' -bench 'Syrk|Potrf|Trsm' -benchtime 3x ./linalg

var benchThreads = []int{1, 2}

func forEachISABench(b *testing.B, f func(b *testing.B)) {
	prev := impl.Active()
	defer func() { _ = impl.Select(prev) }()
	for _, isa := range impl.Available() {
		if err := impl.Select(isa); err != nil {
			b.Fatal(err)
		}
		b.Run("impl="+isa, f)
	}
}

func reportGFLOPs(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSyrk(b *testing.B) {
	forEachISABench(b, func(b *testing.B) {
		for _, sz := range [][2]int{{256, 4096}, {1000, 20000}} {
			n, k := sz[0], sz[1]
			rng := rand.New(rand.NewPCG(1, 1))
			a := facRand[float64](rng, n, k, 0)
			c := NewMatrix[float64](n, n)
			for _, th := range benchThreads {
				b.Run(fmt.Sprintf("n=%d/k=%d/threads=%d", n, k, th), func(b *testing.B) {
					defer SetThreads(SetThreads(th))
					for b.Loop() {
						Syrk(Lower, NoTrans, 1, a, 0, c)
					}
					reportGFLOPs(b, float64(n)*float64(n+1)*float64(k))
				})
				// The same Gram through Gemm (full C, 2n^2k flops): the
				// efficiency Syrk should match.
				b.Run(fmt.Sprintf("gemm/n=%d/k=%d/threads=%d", n, k, th), func(b *testing.B) {
					defer SetThreads(SetThreads(th))
					for b.Loop() {
						Gemm(NoTrans, Trans, 1, a, a, 0, c)
					}
					reportGFLOPs(b, 2*float64(n)*float64(n)*float64(k))
				})
			}
		}
	})
}

// benchSPD returns a well-conditioned SPD matrix (G G^T / n + I).
func benchSPD(n int) Matrix[float64] {
	rng := rand.New(rand.NewPCG(2, 2))
	g := facRand[float64](rng, n, n, 0)
	a := NewMatrix[float64](n, n)
	Syrk(Lower, NoTrans, 1/float64(n), g, 0, a)
	for i := 0; i < n; i++ {
		a.Set(i, i, a.At(i, i)+1)
	}
	return a
}

func BenchmarkPotrf(b *testing.B) {
	forEachISABench(b, func(b *testing.B) {
		for _, n := range []int{256, 1000, 2000} {
			a := benchSPD(n)
			l := a.Clone()
			for _, th := range benchThreads {
				b.Run(fmt.Sprintf("n=%d/threads=%d", n, th), func(b *testing.B) {
					defer SetThreads(SetThreads(th))
					for b.Loop() {
						b.StopTimer()
						copy(l.Data, a.Data)
						b.StartTimer()
						if err := Cholesky(l); err != nil {
							b.Fatal(err)
						}
					}
					reportGFLOPs(b, float64(n)*float64(n)*float64(n)/3)
				})
			}
		}
	})
}

func BenchmarkTrsm(b *testing.B) {
	forEachISABench(b, func(b *testing.B) {
		for _, sz := range [][2]int{{1000, 4096}, {1000, 16384}} {
			m, r := sz[0], sz[1]
			rng := rand.New(rand.NewPCG(3, 3))
			a := trsmTriangle[float64](rng, m, Lower, false)
			x0 := facRand[float64](rng, m, r, 0)
			x := x0.Clone()
			for _, th := range benchThreads {
				b.Run(fmt.Sprintf("m=%d/nrhs=%d/threads=%d", m, r, th), func(b *testing.B) {
					defer SetThreads(SetThreads(th))
					for b.Loop() {
						// Restore x: repeated solves in place would drift
						// towards subnormals, which are slow.
						b.StopTimer()
						copy(x.Data, x0.Data)
						b.StartTimer()
						Trsm(Left, Lower, NoTrans, NonUnit, 1, a, x)
					}
					reportGFLOPs(b, float64(m)*float64(m)*float64(r))
				})
			}
		}
	})
}
