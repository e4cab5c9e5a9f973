package rf

import (
	"context"
	"runtime"
	"testing"

	"github.com/spurious-ml/spurious/internal/testutil"
)

// allocated returns the bytes run allocates.
func allocated(run func()) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	run()
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc - before.TotalAlloc)
}

// TestBytesMatchesAllocations compares Bytes with what Gram allocates: the
// estimate must cover the allocations, and its growth from one size to
// twice that size must match theirs within 50% (pooled buffers that
// earlier calls left behind make the absolute amounts vary, not the
// growth).
func TestBytesMatchesAllocations(t *testing.T) {
	for _, prec := range []Precision{F64, F32} {
		cfg := Config{Act: testutil.Act(t, "relu"), K: 256, Block: 256, Precision: prec, Seed: 3}
		gram := func(n, q int) float64 {
			z, qs := testutil.RandMatrix(n, 60, 1), testutil.RandMatrix(q, 60, 2)
			return allocated(func() {
				if _, _, err := Gram(context.Background(), cfg, z, qs); err != nil {
					t.Fatal(err)
				}
			})
		}
		gram(50, 50) // warm the pools
		small, large := gram(400, 300), gram(800, 600)
		estSmall, estLarge := Bytes(cfg, 400, 300, 60), Bytes(cfg, 800, 600, 60)
		if estSmall < small || estLarge < large {
			t.Errorf("%v: Bytes %.0f, %.0f below the allocations %.0f, %.0f", prec, estSmall, estLarge, small, large)
		}
		if g, e := large-small, estLarge-estSmall; e < g || e > 1.5*g {
			t.Errorf("%v: Bytes grows by %.0f from n=400 to 800, Gram's allocations by %.0f", prec, e, g)
		}
	}
}
