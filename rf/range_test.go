package rf

import (
	"context"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/internal/testutil"
	"github.com/spurious-ml/spurious/linalg"
)

// TestGramRangePartition: the ranges of a partition of [0, K) sum to
// Gram within the order bound 2*gamma_{K+4} (the same per-feature terms in
// another association, see GramRange), each range reports its own
// progress, and empty or outside ranges are errors.
func TestGramRangePartition(t *testing.T) {
	ctx := context.Background()
	z, zs := testutil.RandMatrix(20, 12, 1), testutil.RandMatrix(9, 12, 2)
	for _, prec := range []Precision{F64, F32} {
		cfg := Config{Act: testutil.Act(t, "relu"), K: 300, Seed: 42, Block: 16, Precision: prec}
		k, cross, err := Gram(ctx, cfg, z, zs)
		if err != nil {
			t.Fatal(err)
		}
		sk, sc := linalg.NewMatrix[float64](20, 20), linalg.NewMatrix[float64](9, 20)
		cuts := []int{0, 7, 150, 151, 300}
		for i := range len(cuts) - 1 {
			last := 0
			c := cfg
			c.Progress = func(done, total int) {
				if total != cuts[i+1]-cuts[i] || done <= last {
					t.Fatalf("range %d: progress %d of %d", i, done, total)
				}
				last = done
			}
			pk, pc, err := GramRange(ctx, c, cuts[i], cuts[i+1], z, zs)
			if err != nil {
				t.Fatal(err)
			}
			if last != cuts[i+1]-cuts[i] {
				t.Fatalf("range %d: progress ended at %d", i, last)
			}
			for j := range sk.Data {
				sk.Data[j] += pk.Data[j]
			}
			for j := range sc.Data {
				sc.Data[j] += pc[0].Data[j]
			}
		}
		pz, _ := Features(cfg, z)
		ps, _ := Features(cfg, zs)
		_, ak := testutil.RefGram(pz, pz, cfg.K)
		_, as := testutil.RefGram(ps, pz, cfg.K)
		tol := 2 * fpbound.Gamma(cfg.K+4, fpbound.U64)
		if prec == F32 { // blocks cut at other rows round their float32 products differently
			tol += 2 * fpbound.Gamma(cfg.Block+2, fpbound.U32)
		}
		testutil.Within(t, prec.String()+" K", sk, k, ak, tol)
		testutil.Within(t, prec.String()+" Ks", sc, cross[0], as, tol)
	}
	cfg := Config{Act: testutil.Act(t, "relu"), K: 30, Seed: 1}
	for _, r := range [][2]int{{-1, 3}, {3, 3}, {5, 2}, {0, 31}} {
		if _, _, err := GramRange(ctx, cfg, r[0], r[1], z); err == nil {
			t.Errorf("range %v of 30: no error", r)
		}
	}
}
