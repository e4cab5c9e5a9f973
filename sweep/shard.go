package sweep

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Shard selects the trials with index I of Count: a trial belongs to shard
// (first 8 bytes of its key as a big-endian integer) mod Count. The shards
// 0..Count-1 therefore partition any set of trials exactly, and a trial's
// shard does not change when other trials are added to the spec.
type Shard struct {
	I, Count int
}

// All is the single shard that holds every trial.
var All = Shard{0, 1}

// String returns "I/Count".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.Count) }

// Contains reports whether the trial with the given key belongs to s.
// It panics if key is not a key made by [Params.Key].
func (s Shard) Contains(key string) bool {
	b, err := hex.DecodeString(key)
	if err != nil || len(b) < 8 {
		panic("sweep: malformed trial key " + strconv.Quote(key))
	}
	var h uint64
	for _, c := range b[:8] {
		h = h<<8 | uint64(c)
	}
	return h%uint64(s.Count) == uint64(s.I)
}

// Select returns the trials of ts that belong to s, in order.
func (s Shard) Select(ts []Trial) []Trial {
	var out []Trial
	for _, t := range ts {
		if s.Contains(t.Key) {
			out = append(out, t)
		}
	}
	return out
}

// ParseShard parses "i/n" with 0 <= i < n.
func ParseShard(v string) (Shard, error) {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want i/n, e.g. 0/4", v)
	}
	return newShard(i, n, v)
}

func newShard(i, n int, src string) (Shard, error) {
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %s: want 0 <= i < n and n >= 1", src)
	}
	return Shard{i, n}, nil
}

// ShardFromEnv derives the shard from a job scheduler's environment, read
// through getenv (os.Getenv in production):
//
//   - Slurm job arrays: i = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN
//     (MIN defaults to 0), n = SLURM_ARRAY_TASK_COUNT, or count if that is
//     unset. Submit with --array=0-(n-1) (or any contiguous range).
//   - Kubernetes Indexed Jobs: i = JOB_COMPLETION_INDEX, n = count (the
//     Job's completions; Kubernetes does not export it).
//
// count <= 0 means "not given". found is false when neither scheduler's
// variables are set.
func ShardFromEnv(getenv func(string) string, count int) (s Shard, found bool, err error) {
	atoi := func(name string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(getenv(name)))
		if err != nil {
			return 0, fmt.Errorf("%s=%q: want an integer", name, getenv(name))
		}
		return v, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := atoi("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return Shard{}, true, err
		}
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = atoi("SLURM_ARRAY_TASK_MIN"); err != nil {
				return Shard{}, true, err
			}
		}
		n := count
		if getenv("SLURM_ARRAY_TASK_COUNT") != "" {
			if n, err = atoi("SLURM_ARRAY_TASK_COUNT"); err != nil {
				return Shard{}, true, err
			}
		}
		if n <= 0 {
			return Shard{}, true, fmt.Errorf("SLURM_ARRAY_TASK_ID is set but the task count is unknown: give the shard count")
		}
		s, err := newShard(id-lo, n, fmt.Sprintf("%d/%d (from SLURM_ARRAY_TASK_ID=%d, SLURM_ARRAY_TASK_MIN=%d)", id-lo, n, id, lo))
		return s, true, err
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		id, err := atoi("JOB_COMPLETION_INDEX")
		if err != nil {
			return Shard{}, true, err
		}
		if count <= 0 {
			return Shard{}, true, fmt.Errorf("JOB_COMPLETION_INDEX is set: give the shard count, the Job's completions")
		}
		s, err := newShard(id, count, fmt.Sprintf("%d/%d (from JOB_COMPLETION_INDEX)", id, count))
		return s, true, err
	}
	return All, false, nil
}

// ErrNoShardIndex is ResolveShard's error for a shard count above 1
// without a scheduler variable that holds the shard index.
var ErrNoShardIndex = errors.New("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")

// ResolveShard returns the shard to run: explicit ("i/n", see ParseShard)
// when not "", else the one the scheduler's environment gives
// (ShardFromEnv with count), else All. A count
// above 1 without a scheduler index is ErrNoShardIndex: the shard index is
// missing.
func ResolveShard(explicit string, count int, getenv func(string) string) (Shard, error) {
	if explicit != "" {
		return ParseShard(explicit)
	}
	s, found, err := ShardFromEnv(getenv, count)
	if err == nil && !found && count > 1 {
		err = ErrNoShardIndex
	}
	return s, err
}
