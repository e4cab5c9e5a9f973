package fetch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Lock takes an exclusive lock on the file name (created if needed) that
// other processes calling Lock on it respect, so that two commands do not
// download into the same .part file or unpack into the same folder at
// once. It waits, polling every 200 ms and reporting once to progress (if
// not nil), until the lock is free or ctx is done. Where the system has no
// advisory file locks (not Unix or Windows) it only creates the file.
// The returned function releases the lock.
func Lock(ctx context.Context, name string, progress io.Writer) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	told := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", name, err)
		}
		if ok {
			return func() { unlockFile(f); f.Close() }, nil
		}
		if !told && progress != nil {
			fmt.Fprintf(progress, "waiting for another process that holds %s\n", name)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
