package sweep

import (
	"errors"
	"testing"
)

func TestResolveShard(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	s, err := ResolveShard("", 0, env(map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "5"}))
	if err != nil || s != (Shard{I: 2, Count: 5}) {
		t.Errorf("Slurm: %v, %v", s, err)
	}
	s, err = ResolveShard("", 4, env(map[string]string{"JOB_COMPLETION_INDEX": "3"}))
	if err != nil || s != (Shard{I: 3, Count: 4}) {
		t.Errorf("Kubernetes: %v, %v", s, err)
	}
	if s, err = ResolveShard("1/2", 0, env(map[string]string{"JOB_COMPLETION_INDEX": "3"})); err != nil || s != (Shard{I: 1, Count: 2}) {
		t.Errorf("--shard must win over the environment: %v, %v", s, err)
	}
	if _, err = ResolveShard("", 4, env(nil)); !errors.Is(err, ErrNoShardIndex) {
		t.Errorf("a shard count without a scheduler index: %v", err)
	}
	if s, err = ResolveShard("", 1, env(nil)); err != nil || s != All {
		t.Errorf("no shard: %v, %v", s, err)
	}
}
