package ntk

import (
	"context"
	"runtime"
	"testing"

	"github.com/spurious-ml/spurious/internal/testutil"
)

// TestBytesMatchesAllocations: see rf's test of the same name.
func TestBytesMatchesAllocations(t *testing.T) {
	z, q := testutil.RandMatrix(400, 60, 1), testutil.RandMatrix(300, 60, 2)
	cfg := Config{Act: testutil.Act(t, "relu"), K: 256, Block: 256, Seed: 3}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, _, err := Gram(context.Background(), cfg, z, q); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	got := float64(after.TotalAlloc - before.TotalAlloc)
	if est := Bytes(cfg, 400, 300, 60); est < got || est > 1.3*got {
		t.Errorf("Bytes = %.0f, Gram allocated %.0f", est, got)
	}
}
