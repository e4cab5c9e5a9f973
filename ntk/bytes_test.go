package ntk

import (
	"context"
	"runtime"
	"testing"

	"github.com/spurious-ml/spurious/internal/testutil"
)

// TestBytesMatchesAllocations: see rf's test of the same name.
func TestBytesMatchesAllocations(t *testing.T) {
	cfg := Config{Act: testutil.Act(t, "relu"), K: 256, Block: 256, Seed: 3}
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
	small, large := gram(400, 300), gram(800, 600)
	estSmall, estLarge := Bytes(cfg, 400, 300, 60), Bytes(cfg, 800, 600, 60)
	if estSmall < small || estLarge < large {
		t.Errorf("Bytes %.0f, %.0f below the allocations %.0f, %.0f", estSmall, estLarge, small, large)
	}
	if g, e := large-small, estLarge-estSmall; e < g || e > 1.5*g {
		t.Errorf("Bytes grows by %.0f from n=400 to 800, Gram's allocations by %.0f", e, g)
	}
}
