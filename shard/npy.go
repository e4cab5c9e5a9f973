package shard

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
)

// npyHeader returns the NPY version 1.0 header of a C-ordered rows x cols
// array of descr, as numpy.save writes it (padded with spaces to a
// multiple of 64 bytes, ending in '\n'). Shards store matrices with this
// exact header, and the reader accepts nothing else.
func npyHeader(descr string, rows, cols int) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr, rows, cols)
	pad := (64 - (10+len(dict)+1)%64) % 64
	hlen := len(dict) + pad + 1
	h := []byte("\x93NUMPY\x01\x00")
	h = binary.LittleEndian.AppendUint16(h, uint16(hlen))
	h = append(h, dict...)
	h = append(h, strings.Repeat(" ", pad)+"\n"...)
	return h
}

// elemSize is the bytes of one element of descr (<f8 or <f4).
func elemSize(descr string) int {
	if descr == "<f4" {
		return 4
	}
	return 8
}

// hashWriter counts the SHA-256 of what passes through it.
type hashWriter struct {
	w io.Writer
	h hash.Hash
}

func (hw hashWriter) Write(p []byte) (int, error) {
	hw.h.Write(p)
	return hw.w.Write(p)
}

// writeMatrix writes m as the NPY file name (atomically: a reader never
// sees half a file) in descr (<f8, or <f4 rounding each value to float32)
// and returns the file's description with its SHA-256. It buffers one row.
func writeMatrix(name, descr string, m linalg.Matrix[float64]) (File, error) {
	h := sha256.New()
	err := data.WriteFileAtomic(name, func(w io.Writer) error {
		bw := bufio.NewWriterSize(hashWriter{w, h}, 1<<16)
		if _, err := bw.Write(npyHeader(descr, m.Rows, m.Cols)); err != nil {
			return err
		}
		buf := make([]byte, 0, m.Cols*8)
		for i := 0; i < m.Rows; i++ {
			buf = buf[:0]
			for _, v := range m.Row(i) {
				if descr == "<f4" {
					buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
				} else {
					buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				}
			}
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
	if err != nil {
		return File{}, err
	}
	return File{Name: filepath.Base(name), Rows: m.Rows, Cols: m.Cols, DType: descr, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// readBlockBytes bounds the buffer of streamMatrix: rows are read in
// blocks of at most this many bytes (at least one row).
const readBlockBytes = 1 << 22

// streamMatrix reads the NPY file path described by f, whose header must
// be exactly the one writeMatrix writes, and calls add(i0, rows) for
// consecutive blocks of rows (values converted to float64, row-major,
// len(rows) a multiple of f.Cols); rows is reused between calls. It checks
// the file's size before reading (a truncated or padded file is an error)
// and its SHA-256 after: a mismatch is an error, and the caller must then
// discard what add accumulated. Memory: one block of at most 4 MiB.
func streamMatrix(path string, f File, add func(i0 int, rows []float64)) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	head := npyHeader(f.DType, f.Rows, f.Cols)
	es := elemSize(f.DType)
	want := int64(len(head)) + int64(f.Rows)*int64(f.Cols)*int64(es)
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	if st.Size() != want {
		return fmt.Errorf("%s: %d bytes, want %d for a %dx%d %s array: truncated or corrupt (rerun its shard)", path, st.Size(), want, f.Rows, f.Cols, f.DType)
	}
	h := sha256.New()
	r := io.TeeReader(bufio.NewReaderSize(fh, 1<<16), h)
	got := make([]byte, len(head))
	if _, err := io.ReadFull(r, got); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if string(got) != string(head) {
		return fmt.Errorf("%s: NPY header %q, want %q (corrupt, or not written by spurious run --feature-shard)", path, got, head)
	}
	rowBytes := f.Cols * es
	block := max(1, readBlockBytes/max(rowBytes, 1))
	raw := make([]byte, min(block, max(f.Rows, 1))*rowBytes)
	vals := make([]float64, min(block, max(f.Rows, 1))*f.Cols)
	for i0 := 0; i0 < f.Rows; i0 += block {
		nr := min(block, f.Rows-i0)
		b := raw[:nr*rowBytes]
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		v := vals[:nr*f.Cols]
		if es == 4 {
			for j := range v {
				v[j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:])))
			}
		} else {
			for j := range v {
				v[j] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
			}
		}
		add(i0, v)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("%s: SHA-256 %s, but the manifest says %s: the file is corrupt or from another run (rerun its shard)", path, sum, f.SHA256)
	}
	return nil
}
