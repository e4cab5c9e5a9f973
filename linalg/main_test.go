package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// TestMain prints the environment the tests run in (instruction sets,
// kernel tiles, block sizes), so that a failure log says which paths ran.
func TestMain(m *testing.M) {
	for _, isa := range impl.Available() {
		if err := impl.Select(isa); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		b64, b32 := GemmBlocking[float64](), GemmBlocking[float32]()
		fmt.Printf("linalg tests: isa=%s f64 %dx%d KC=%d MC=%d NC=%d; f32 %dx%d KC=%d MC=%d NC=%d\n",
			isa, b64.MR, b64.NR, b64.KC, b64.MC, b64.NC, b32.MR, b32.NR, b32.KC, b32.MC, b32.NC)
	}
	c := CacheSizes()
	fmt.Printf("linalg tests: caches L1D=%d L2=%d L3=%d (%s), threads=%d\n", c.L1D, c.L2, c.L3, c.Source, Threads())
	// The last entry of Available is the default path.
	avail := impl.Available()
	if err := impl.Select(avail[len(avail)-1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// forEachPrec runs f as subtests prec=f64 and prec=f32.
func forEachPrec(t *testing.T, f64 func(t *testing.T), f32 func(t *testing.T)) {
	t.Run("prec=f64", f64)
	t.Run("prec=f32", f32)
}

// gemmTestRNG returns a deterministic generator for a test.
func gemmTestRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// fillUniform fills the view m with uniform values in [-1, 1).
func fillUniform[T Float](rng *rand.Rand, m Matrix[T]) {
	for i := 0; i < m.Rows; i++ {
		for j := range m.Row(i) {
			m.Row(i)[j] = T(2*rng.Float64() - 1)
		}
	}
}

// paddedView returns an r x c view at offset (oi, oj) of a fresh parent
// matrix whose stride exceeds c by pad, with every element of the parent
// set to fill; the parent is returned to check that nothing outside the
// view changes.
func paddedView[T Float](r, c, oi, oj, pad int, fill T) (view, parent Matrix[T]) {
	parent = NewMatrix[T](r+oi+1, c+oj+pad)
	for i := range parent.Data {
		parent.Data[i] = fill
	}
	return parent.View(oi, oj, r, c), parent
}

// sameBits reports whether x and y hold the same bit patterns.
func sameBits[T Float](x, y []T) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float64bits(float64(x[i])) != math.Float64bits(float64(y[i])) {
			if !(math.IsNaN(float64(x[i])) && math.IsNaN(float64(y[i]))) {
				return false
			}
		}
	}
	return true
}
