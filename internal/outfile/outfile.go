// Package outfile writes a command's output files without ever clobbering
// what the user did not mean to replace.
//
// [Write] replaces a regular file atomically (a temporary file in the same
// folder, synced and renamed over it, so a reader sees the old file or the
// whole new one), writes through to a character device or a named pipe
// (/dev/null, /dev/stdout, a FIFO read by another program) instead of
// replacing the node, follows symbolic links to write their target, treats
// "-" as standard output, and reports every write error, a full disk
// included. Directories, sockets and other special files are refused.
package outfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Stdout is the name that means standard output.
const Stdout = "-"

// maxLinks bounds the symbolic links followed, as the kernel's ELOOP does.
const maxLinks = 40

// Write creates or replaces the file name with what write produces, through
// a 64 KiB buffer. For name "-" the output goes to stdout (os.Stdout when
// stdout is nil). The error names the file and says why; on error a regular
// target is left untouched and the temporary file is removed.
func Write(name string, stdout io.Writer, write func(w io.Writer) error) error {
	if name == Stdout {
		if stdout == nil {
			stdout = os.Stdout
		}
		return writeBuffered(stdout, write, "standard output")
	}
	if name == "" {
		return errors.New("writing output: empty file name")
	}
	target, st, err := Resolve(name)
	if err != nil {
		return err
	}
	if st == nil || st.Mode().IsRegular() {
		return writeAtomic(name, target, st, write)
	}
	switch t := st.Mode().Type(); {
	case t&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		err = writeBuffered(f, write, name)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing %s: %w", name, cerr)
		}
		return err
	case t&fs.ModeDir != 0:
		return fmt.Errorf("writing %s: it is a directory; give a file name", name)
	default:
		return fmt.Errorf("writing %s: it is a %s, not a regular file, device or pipe; give a file name", name, describe(t))
	}
}

// Resolve follows the symbolic links of name (at most 40) and returns the
// path they lead to and its file info, or a nil info when that path does
// not exist yet (a new file, or a dangling link whose target Write will
// create). Any other failure to inspect the path is an error.
func Resolve(name string) (string, fs.FileInfo, error) {
	p := name
	for range maxLinks {
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("writing %s: %w", name, err)
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return p, st, nil
		}
		dst, err := os.Readlink(p)
		if err != nil {
			return "", nil, fmt.Errorf("writing %s: %w", name, err)
		}
		if !filepath.IsAbs(dst) {
			dst = filepath.Join(filepath.Dir(p), dst)
		}
		p = dst
	}
	return "", nil, fmt.Errorf("writing %s: more than %d symbolic links", name, maxLinks)
}

func describe(t fs.FileMode) string {
	switch {
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeDevice != 0:
		return "block device"
	}
	return "special file"
}

// writeBuffered runs write on w through a buffer and flushes it.
func writeBuffered(w io.Writer, write func(io.Writer) error, name string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// writeAtomic writes target (a regular file, or a new one when st is nil)
// through a temporary file renamed over it. A replaced file keeps its
// permission bits; a new one gets 0644.
func writeAtomic(name, target string, st fs.FileInfo, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(target)
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
	if err = writeBuffered(f, write, name); err != nil {
		return err
	}
	perm := fs.FileMode(0o644)
	if st != nil {
		perm = st.Mode().Perm()
	}
	for _, step := range []func() error{func() error { return f.Chmod(perm) }, f.Sync, f.Close, func() error { return os.Rename(tmp, target) }} {
		if err = step(); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}
