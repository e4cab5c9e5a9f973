package shard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/shard"
	"github.com/spurious-ml/spurious/trial"
)

// One rf trial with 600 features split into 3 shards of 200 (as 3 cluster
// jobs would run them), reduced and solved.
func Example() {
	root, err := os.MkdirTemp("", "shards")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(root)
	s := trial.Default()
	s.Act, s.K, s.D, s.N, s.Nt, s.Seed = "relu", 600, 50, 40, 20, 7
	s.Engine = linalg.Settings{ISA: "generic", Threads: 1}
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(root, fmt.Sprint(i))
		m, err := shard.RunPartial(context.Background(), s, shard.ID{I: i, Count: 3}, dir, shard.Options{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("shard %s: feature rows [%d, %d)\n", m.ID(), m.Lo, m.Hi)
		dirs = append(dirs, dir)
	}
	r, err := shard.Reduce(context.Background(), dirs, "", shard.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("k=%d, train accuracy %.2f, %d held-out queries\n", *r.K, r.TrainAcc, r.Nh)

	_, err = shard.Reduce(context.Background(), dirs[:2], "", shard.Options{})
	fmt.Println(err)
	// Output:
	// shard 0/3: feature rows [0, 200)
	// shard 1/3: feature rows [200, 400)
	// shard 2/3: feature rows [400, 600)
	// k=600, train accuracy 1.00, 20 held-out queries
	// shard: missing shard 2/3 of 3 (run them with --feature-shard, then reduce all 3 folders)
}
