package ntk

import (
	"context"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/internal/testutil"
	"github.com/spurious-ml/spurious/linalg"
)

// TestGramRangePartition: the unit ranges of a partition of [0, K) sum to
// Gram within 2*gamma_{K+6} times the explicit features' |products|
// (the Hadamard product distributes over the sum; only the association
// differs), whether a range takes the strip path (at most Block units)
// or the blocked one; empty or outside ranges are errors.
func TestGramRangePartition(t *testing.T) {
	ctx := context.Background()
	z, zs := testutil.RandMatrix(20, 12, 1), testutil.RandMatrix(9, 12, 2)
	cfg := Config{Act: testutil.Act(t, "relu"), K: 200, Seed: 42, Block: 64}
	k, cross, err := Gram(ctx, cfg, z, zs)
	if err != nil {
		t.Fatal(err)
	}
	sk, sc := linalg.NewMatrix[float64](20, 20), linalg.NewMatrix[float64](9, 20)
	cuts := []int{0, 1, 60, 200} // strips, strips, blocks
	for i := range len(cuts) - 1 {
		pk, pc, err := GramRange(ctx, cfg, cuts[i], cuts[i+1], z, zs)
		if err != nil {
			t.Fatal(err)
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
	tol := 2 * fpbound.Gamma(cfg.K+6, fpbound.U64)
	testutil.Within(t, "K", sk, k, ak, tol)
	testutil.Within(t, "Ks", sc, cross[0], as, tol)
	for _, r := range [][2]int{{-1, 3}, {3, 3}, {0, 201}} {
		if _, _, err := GramRange(ctx, cfg, r[0], r[1], z); err == nil {
			t.Errorf("range %v of 200: no error", r)
		}
	}
}
