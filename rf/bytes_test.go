package rf

import (
	"context"
	"runtime"
	"testing"

	"github.com/spurious-ml/spurious/internal/testutil"
)

// TestBytesMatchesAllocations compares Bytes with what Gram allocates: the
// estimate must cover the allocations and not exceed them by more than
// 30% (it guards memory checks, so it may err high, slightly).
func TestBytesMatchesAllocations(t *testing.T) {
	z, q := testutil.RandMatrix(400, 60, 1), testutil.RandMatrix(300, 60, 2)
	for _, prec := range []Precision{F64, F32} {
		cfg := Config{Act: testutil.Act(t, "relu"), K: 256, Block: 256, Precision: prec, Seed: 3}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, _, err := Gram(context.Background(), cfg, z, q); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		got := float64(after.TotalAlloc - before.TotalAlloc)
		est := Bytes(cfg, 400, 300, 60)
		if est < got || est > 1.3*got {
			t.Errorf("%v: Bytes = %.0f, Gram allocated %.0f", prec, est, got)
		}
	}
}
