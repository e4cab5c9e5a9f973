package data

import (
	"io"
	"os"

	"github.com/spurious-ml/spurious/internal/outfile"
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

// WriteFileAtomic writes the file name with what write produces, as
// outfile.Write does: a regular or new file is replaced atomically (readers
// see the old file or the complete new one; on error name is untouched), a
// device or named pipe is written through, symbolic links are followed and
// "-" is standard output.
func WriteFileAtomic(name string, write func(w io.Writer) error) error {
	return outfile.Write(name, nil, write)
}
