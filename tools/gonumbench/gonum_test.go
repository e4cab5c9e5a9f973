// Package gonumbench times spurious's GEMM against gonum's Dgemm side by
// side in one process. It is its own module so that gonum never enters the
// product's go.mod. The product's plain-Go path is what runs on wasm and
// unknown architectures; measure it with the purego tag. gonum has
// assembly on amd64 only (its noasm tag switches it off); on every other
// architecture, wasm included, it runs its plain Go. So there are three
// comparisons, from the harshest to the one a wasm user sees:
//
//	cd tools/gonumbench
//	go test -tags purego -bench . -count 5        # gonum with its amd64 assembly
//	go test -tags purego,noasm -bench . -count 5  # plain Go against plain Go
//	GOOS=js GOARCH=wasm go test -c -o /tmp/gonumbench.wasm . &&
//	  node "$(go env GOROOT)/lib/wasm/wasm_exec_node.js" /tmp/gonumbench.wasm -test.run TestPaired -test.v
//
// TestPaired alternates the two libraries (PAIRS rounds, default 7) and
// prints the median GFLOP/s of each and the median of the per-round
// ratios; run it with -v.
package gonumbench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

func operands(n int) (a, b, c []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	a, b, c = make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for i := range a {
		a[i], b[i] = r.Float64()-0.5, r.Float64()-0.5
	}
	return a, b, c
}

func ours(n int, a, b, c []float64) func() {
	am, bm, cm := linalg.MatrixFrom(n, n, a), linalg.MatrixFrom(n, n, b), linalg.MatrixFrom(n, n, c)
	return func() { linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, am, bm, 0, cm) }
}

func gonum(n int, a, b, c []float64) func() {
	g := func(d []float64) blas64.General { return blas64.General{Rows: n, Cols: n, Stride: n, Data: d} }
	return func() { blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, g(a), g(b), 0, g(c)) }
}

func BenchmarkDgemm(b *testing.B) {
	for _, n := range []int{256, 1024} {
		for _, lib := range []struct {
			name string
			f    func(int, []float64, []float64, []float64) func()
		}{{"spurious-" + asm.Active(), ours}, {"gonum", gonum}} {
			b.Run(fmt.Sprintf("lib=%s/n=%d", lib.name, n), func(b *testing.B) {
				x, y, z := operands(n)
				run := lib.f(n, x, y, z)
				for b.Loop() {
					run()
				}
				b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// gflops times run over at least 0.25 s.
func gflops(n int, run func()) float64 {
	start, calls := time.Now(), 0
	for time.Since(start) < 250*time.Millisecond {
		run()
		calls++
	}
	return 2 * float64(n*n*n) * float64(calls) / time.Since(start).Seconds() / 1e9
}

func TestPaired(t *testing.T) {
	pairs := 7
	if v, err := strconv.Atoi(os.Getenv("PAIRS")); err == nil {
		pairs = v
	}
	for _, n := range []int{1024} {
		x, y, z := operands(n)
		o, g := ours(n, x, y, z), gonum(n, x, y, z)
		o()
		g()
		var os_, gs, rs []float64
		for range pairs {
			a, b := gflops(n, o), gflops(n, g)
			os_, gs, rs = append(os_, a), append(gs, b), append(rs, a/b)
		}
		med := func(v []float64) float64 { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
		t.Logf("DGEMM n=%d GOMAXPROCS=%d: spurious (%s) %.1f GFLOP/s, gonum %.1f GFLOP/s, ratio median %.2f (range %.2f-%.2f, %d pairs)",
			n, runtime.GOMAXPROCS(0), asm.Active(), med(os_), med(gs), med(rs), slices.Min(rs), slices.Max(rs), pairs)
	}
}
