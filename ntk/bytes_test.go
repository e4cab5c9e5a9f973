package ntk

import (
	"context"
	"runtime"
	"testing"

	"github.com/spurious-ml/spurious/internal/testutil"
)

// TestBytesMatchesAllocations: see rf's test of the same name.
func TestBytesMatchesAllocations(t *testing.T) {
	cfg := Config{Act: testutil.Act(t, "relu"), K: 512, Block: 256, Seed: 3} // two blocks: the path Bytes models
	gram := func(n, q int) float64 {
		z, qs := testutil.RandMatrix(n, 60, 1), testutil.RandMatrix(q, 60, 2)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, _, err := Gram(context.Background(), cfg, z, qs); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc - before.TotalAlloc)
	}
	gram(50, 50) // warm the pools
	// The least of three calls per size: a call that misses the pooled
	// buffers (the GC empties the pools) allocates them again, which moved
	// the growth by a few percent from run to run.
	least := func(n, q int) float64 { return min(gram(n, q), gram(n, q), gram(n, q)) }
	small, large := least(400, 300), least(800, 600)
	estSmall, estLarge := Bytes(cfg, 400, 300, 60), Bytes(cfg, 800, 600, 60)
	if estSmall < small || estLarge < large {
		t.Errorf("Bytes %.0f, %.0f below the allocations %.0f, %.0f", estSmall, estLarge, small, large)
	}
	// Within 50% both ways: the absolute check above is the one that
	// keeps the estimate safe; packing buffers that grow with the product
	// up to their block size (a few hundred KB here) put the growth a few
	// percent above Bytes' on the plain-Go blocking.
	if g, e := large-small, estLarge-estSmall; e < g/1.5 || e > 1.5*g {
		t.Errorf("Bytes grows by %.0f from n=400 to 800, Gram's allocations by %.0f", e, g)
	}
}
