package shard

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spurious-ml/spurious/trial"
)

// benchSizes reads SPURIOUS_SHARD_BENCH ("n=5000,k=100000,d=1000,s=4",
// any subset; those are the defaults, the size).
func benchSizes(b *testing.B) (n, k, d, s int) {
	n, k, d, s = 5000, 100000, 1000, 4
	v := os.Getenv("SPURIOUS_SHARD_BENCH")
	if v == "" {
		return
	}
	for _, kv := range strings.Split(v, ",") {
		name, val, _ := strings.Cut(kv, "=")
		x, err := strconv.Atoi(val)
		if err != nil || x < 1 {
			b.Fatalf("SPURIOUS_SHARD_BENCH: %q: want name=positive integer", kv)
		}
		switch name {
		case "n":
			n = x
		case "k":
			k = x
		case "d":
			d = x
		case "s":
			s = x
		default:
			b.Fatalf("SPURIOUS_SHARD_BENCH: unknown size %q (n, k, d, s)", name)
		}
	}
	return
}

// BenchmarkShardOverhead times an rf trial (phi2, synthetic, Nt = 1000
// or N if smaller) run unsharded, then as S shards run one after another
// plus the reduce, and reports the overhead of sharding, (shards + reduce
// - unsharded) / unsharded, in percent: the partials' I/O and the
// summation (the Gram flops and the solve are the same). Sizes from
// SPURIOUS_SHARD_BENCH, default the N=5000, k=1e5, d=1000, S=4
// (about 2 GB of partials in the temporary folder; set TMPDIR for
// another disk). Run it with
//
//	go test -run XXX -bench ShardOverhead -benchtime 1x ./shard
func BenchmarkShardOverhead(b *testing.B) {
	n, k, d, count := benchSizes(b)
	s := trial.Default()
	s.N, s.Nt, s.K, s.D = n, min(1000, n), k, d
	ctx := context.Background()
	var unsharded, shards, reduce time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := trial.Run(ctx, s, trial.Options{}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		root := b.TempDir()
		var dirs []string
		for i := range count {
			dir := filepath.Join(root, strconv.Itoa(i))
			if _, err := RunPartial(ctx, s, ID{i, count}, dir, Options{}); err != nil {
				b.Fatal(err)
			}
			dirs = append(dirs, dir)
		}
		t2 := time.Now()
		if _, err := Reduce(ctx, dirs, "", Options{}); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		unsharded += t1.Sub(t0)
		shards += t2.Sub(t1)
		reduce += t3.Sub(t2)
		os.RemoveAll(root)
	}
	runs := float64(b.N)
	b.ReportMetric(unsharded.Seconds()/runs, "unsharded-s")
	b.ReportMetric(shards.Seconds()/runs, "shards-s")
	b.ReportMetric(reduce.Seconds()/runs, "reduce-s")
	b.ReportMetric(100*(shards+reduce-unsharded).Seconds()/unsharded.Seconds(), "overhead-%")
	b.Logf("n=%d k=%d d=%d S=%d", n, k, d, count)
}
