package data

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// decodeFile opens the file name and decodes it whole with decode, which
// receives the file size (readers check their headers against it before
// they allocate) and name for its error messages.
func decodeFile[T any](name string, decode func(r io.Reader, size int64, name string) (T, error)) (T, error) {
	f, err := os.Open(name)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(f, st.Size(), name)
}

// WriteFileAtomic writes a file through write into a temporary file in the
// destination's directory, syncs it and renames it to name, so readers see
// either the old file or the complete new one; on any error the temporary
// file is removed and name is untouched.
func WriteFileAtomic(name string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = os.Rename(tmp, name); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
