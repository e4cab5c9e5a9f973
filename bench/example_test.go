package bench_test

import (
	"context"
	"fmt"

	"github.com/spurious-ml/spurious/bench"
	"github.com/spurious-ml/spurious/linalg"
)

// Timing a small GEMM: three samples of at least a millisecond each.
func Example() {
	defer linalg.SetThreads(linalg.SetThreads(0))
	prepare, _ := bench.Lookup("gemm")
	r, err := bench.Run(context.Background(), "gemm", prepare, bench.Config{N: 64, Threads: 1, Precision: "f64"}, 3, 1e6, 1e9)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Op, r.Sizes["m"], r.Sizes["n"], r.Sizes["k"], r.Threads, r.GFLOPS > 0)
	// Output: gemm 64 64 64 1 true
}
