package data

import (
	"context"
	"path/filepath"
	"testing"
)

// TestLoadSourceCache checks that LoadSource decodes a folder once while
// it is among the last sourceCacheSize loaded, and again once evicted.
func TestLoadSourceCache(t *testing.T) {
	dirs := make([]string, sourceCacheSize+1)
	for i := range dirs {
		dirs[i] = t.TempDir()
		for _, b := range cifarTrainBatches {
			writeFile(t, filepath.Join(dirs[i], "cifar-10-batches-bin", b), cifarRec(byte(i), func(p, c int) byte { return byte(p + c) }))
		}
		writeFile(t, filepath.Join(dirs[i], "cifar-10-batches-bin", cifarTestBatch), cifarRec(9, func(p, c int) byte { return 0 }))
	}
	ctx := context.Background()
	load := func(i int) *Source {
		t.Helper()
		s, err := LoadSource(ctx, "cifar10", dirs[i])
		if err != nil {
			t.Fatal(err)
		}
		if s.Train.Labels[0] != i {
			t.Fatalf("folder %d: label %d, want %d (another folder's data)", i, s.Train.Labels[0], i)
		}
		return s
	}
	first := load(0)
	if load(0) != first {
		t.Error("second load of the same folder decoded it again")
	}
	// Relative and absolute spellings of a folder share the entry.
	if rel, err := filepath.Rel(".", dirs[0]); err == nil {
		if s, err := LoadSource(ctx, "cifar10", rel); err != nil || s != first {
			t.Errorf("relative path %s: a different source (%v)", rel, err)
		}
	}
	for i := 1; i < len(dirs); i++ {
		load(i)
	}
	if load(0) == first {
		t.Errorf("folder 0 still cached after %d other folders were loaded (cache size %d)", len(dirs)-1, sourceCacheSize)
	}
	if _, err := LoadSource(ctx, "svhn", ""); err == nil {
		t.Error("unknown data set accepted")
	}
}
