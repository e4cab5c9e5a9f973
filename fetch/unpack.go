package fetch

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits bound what UnpackTarGz writes; a zero field means no file of
// that kind may be written (so every caller states its bounds).
type Limits struct {
	Files     int   // entries extracted (directories included)
	FileBytes int64 // size of one file
	Total     int64 // sum of the sizes of the extracted files
}

// ErrUnsafe is wrapped by the errors of archives UnpackTarGz refuses: an
// entry that escapes the destination or is a link or special file, or an
// archive over its Limits.
var ErrUnsafe = errors.New("unsafe archive")

// UnpackTarGz extracts the gzip-compressed tar archive into a new folder
// dst, all or nothing. Entries pass through keep, which returns the
// relative path to write an entry's file to (a cleaned, slash-separated
// path inside dst) and false to skip it; keep == nil writes every entry
// under its own name. Any entry name that is absolute or contains "..",
// any symbolic or hard link, device, FIFO or other special entry, and any
// archive over lim makes the whole unpack fail with an error wrapping
// ErrUnsafe, whether or not keep would have kept the entry.
//
// The files go to a temporary folder beside dst; verify (if not nil) is
// called on it, and on success the folder is renamed to dst, replacing an
// older dst. On any error the temporary folder is removed and dst is left
// as it was. Cost: one pass over the archive.
func UnpackTarGz(archive, dst string, lim Limits, keep func(name string) (string, bool), verify func(dir string) error) (err error) {
	in, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer in.Close()
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".unpack*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err = extract(in, archive, tmp, lim, keep); err != nil {
		return err
	}
	if verify != nil {
		if err = verify(tmp); err != nil {
			return err
		}
	}
	return replaceDir(tmp, dst)
}

// replaceDir renames the folder tmp to dst; an existing dst is first moved
// aside and removed after the rename.
func replaceDir(tmp, dst string) error {
	old := ""
	if _, err := os.Lstat(dst); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// extract writes the entries of the gzip'd tar stream r into dir.
func extract(r io.Reader, name, dir string, lim Limits, keep func(string) (string, bool)) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%s: not a gzip file (%v): a damaged download", name, err)
	}
	// The tar stream cannot expand past the files' bytes plus one header and
	// padding block per entry; bounding it stops a bomb of padding too.
	budget := lim.Total + int64(lim.Files+2)*2048 + 1<<20
	lr := &io.LimitedReader{R: zr, N: budget}
	tr := tar.NewReader(lr)
	var files int
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			// Read to the end so that gzip checks its CRC and length.
			if _, err := io.Copy(io.Discard, lr); err != nil {
				return fmt.Errorf("%s: damaged archive (%v)", name, err)
			}
			return nil
		}
		if err != nil {
			if lr.N <= 0 {
				return fmt.Errorf("%s: %w: it expands past %d bytes", name, ErrUnsafe, budget)
			}
			return fmt.Errorf("%s: damaged archive (%v)", name, err)
		}
		rel, err := entryPath(h.Name)
		if err != nil {
			return fmt.Errorf("%s: %w: %w", name, ErrUnsafe, err)
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeDir:
		case tar.TypeXGlobalHeader:
			continue
		default:
			return fmt.Errorf("%s: %w: entry %q is a %s, not a file or folder", name, ErrUnsafe, h.Name, typeName(h.Typeflag))
		}
		if files++; files > lim.Files {
			return fmt.Errorf("%s: %w: more than %d entries", name, ErrUnsafe, lim.Files)
		}
		if h.Typeflag == tar.TypeDir {
			continue // folders are created for the files kept
		}
		if h.Size > lim.FileBytes {
			return fmt.Errorf("%s: %w: entry %q holds %d bytes, more than the %d allowed", name, ErrUnsafe, h.Name, h.Size, lim.FileBytes)
		}
		if total += h.Size; total > lim.Total {
			return fmt.Errorf("%s: %w: the entries hold more than the %d bytes allowed", name, ErrUnsafe, lim.Total)
		}
		out := rel
		if keep != nil {
			var ok bool
			if out, ok = keep(rel); !ok {
				continue
			}
			if out, err = entryPath(out); err != nil {
				panic("fetch: keep returned an unsafe path: " + err.Error())
			}
		}
		if err := writeEntry(tr, filepath.Join(dir, filepath.FromSlash(out)), h.Size); err != nil {
			if lr.N <= 0 {
				return fmt.Errorf("%s: %w: it expands past %d bytes", name, ErrUnsafe, budget)
			}
			return fmt.Errorf("%s: entry %q: %w", name, h.Name, err)
		}
	}
}

// entryPath cleans a slash-separated entry name and refuses names that
// would leave the destination.
func entryPath(name string) (string, error) {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("entry %q is not a relative path", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("entry %q climbs out of the folder with \"..\"", name)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", fmt.Errorf("entry %q names the folder itself", name)
	}
	return c, nil
}

// writeEntry writes exactly size bytes from r to a new file name.
func writeEntry(r io.Reader, name string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("%d of %d bytes: the archive is truncated", n, size)
	}
	return err
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return fmt.Sprintf("special entry (type %q)", t)
}
