package shard

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
)

// Layouts of a partial's matrix in its NPY file (File.Layout).
const (
	// Dense is a C-ordered rows x cols array.
	Dense = "dense"
	// Lower is the lower triangle of a symmetric n x n matrix, row by
	// row (row i holds columns 0..i), as a 1-D array of n(n+1)/2 values.
	Lower = "lower"
)

// castagnoli is the CRC-32C table of the files' checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// nativeLE reports whether float64 slices are little-endian in memory
// (amd64, arm64): files are then written from and read into them without
// a conversion pass. A variable so that tests cover the other path.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// npyHeader returns the NPY version 1.0 header of a C-ordered array of
// descr and shape (one or two dimensions), as numpy.save writes it
// (padded with spaces to a multiple of 64 bytes, ending in '\n'). Shards
// store matrices with this exact header, and the reader accepts nothing
// else.
func npyHeader(descr string, shape ...int) []byte {
	dims := make([]string, len(shape))
	for i, v := range shape {
		dims[i] = strconv.Itoa(v)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	pad := (64 - (10+len(dict)+1)%64) % 64
	hlen := len(dict) + pad + 1
	h := []byte("\x93NUMPY\x01\x00")
	h = binary.LittleEndian.AppendUint16(h, uint16(hlen))
	h = append(h, dict...)
	h = append(h, strings.Repeat(" ", pad)+"\n"...)
	return h
}

// fileHeader is the NPY header of f: shape (Rows, Cols) for Dense,
// (Rows(Rows+1)/2,) for Lower.
func fileHeader(f File) []byte {
	if f.Layout == Lower {
		return npyHeader(f.DType, f.Rows*(f.Rows+1)/2)
	}
	return npyHeader(f.DType, f.Rows, f.Cols)
}

// rowLen is the number of stored values of row i of f: i+1 for Lower,
// Cols for Dense.
func (f File) rowLen(i int) int {
	if f.Layout == Lower {
		return i + 1
	}
	return f.Cols
}

// elemSize is the bytes of one element of descr (<f8 or <f4).
func elemSize(descr string) int {
	if descr == "<f4" {
		return 4
	}
	return 8
}

// asBytes views v's memory as bytes (native byte order).
func asBytes(v []float64) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*len(v))
}

// ioBlockBytes is the size of the write buffer and the bound of a read
// block (at least one row is read at a time).
const ioBlockBytes = 1 << 22

// crcWriter counts the CRC-32C of what passes through it.
type crcWriter struct {
	w   io.Writer
	crc uint32
}

func (cw *crcWriter) Write(p []byte) (int, error) {
	cw.crc = crc32.Update(cw.crc, castagnoli, p)
	return cw.w.Write(p)
}

// writeMatrix writes m as the NPY file name (atomically: a reader never
// sees half a file) in descr (<f8, or <f4 rounding each value to float32)
// and layout (Dense, or Lower for a symmetric m: its lower triangle), and
// returns the file's description with its CRC-32C. float64 rows are
// written from m's memory on little-endian machines; the buffer holds 4
// MiB. Cost: the bytes written plus the CRC, about 0.1 ns per byte.
func writeMatrix(name, descr, layout string, m linalg.Matrix[float64]) (File, error) {
	if layout == Lower && m.Rows != m.Cols {
		panic(fmt.Sprintf("shard: lower triangle of a %dx%d matrix", m.Rows, m.Cols))
	}
	f := File{Name: filepath.Base(name), Rows: m.Rows, Cols: m.Cols, Layout: layout, DType: descr}
	cw := &crcWriter{}
	err := data.WriteFileAtomic(name, func(w io.Writer) error {
		cw.w = w
		bw := bufio.NewWriterSize(cw, ioBlockBytes)
		if _, err := bw.Write(fileHeader(f)); err != nil {
			return err
		}
		var buf []byte
		for i := 0; i < m.Rows; i++ {
			row := m.Row(i)[:f.rowLen(i)]
			var b []byte
			switch {
			case descr == "<f4":
				buf = buf[:0]
				for _, v := range row {
					buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
				}
				b = buf
			case nativeLE:
				b = asBytes(row)
			default:
				buf = buf[:0]
				for _, v := range row {
					buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				}
				b = buf
			}
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
	if err != nil {
		return File{}, err
	}
	f.CRC32C = fmt.Sprintf("%08x", cw.crc)
	return f, nil
}

// streamMatrix reads the NPY file path described by f, whose header must
// be exactly the one writeMatrix writes, and calls add(i, row) for its
// rows in order (row i's stored values, f.rowLen(i) of them, as float64;
// row is reused between calls). It checks the file's size before reading
// (a truncated or padded file is an error) and its CRC-32C after: a
// mismatch is an error, and the caller must then discard what add
// accumulated. Memory: one block of at most 4 MiB (or one row). Cost:
// reading the file plus the CRC, about 0.1 ns per byte, and for <f4 or
// big-endian machines a conversion.
func streamMatrix(path string, f File, add func(i int, row []float64)) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	head := fileHeader(f)
	es := elemSize(f.DType)
	values := int64(f.Rows) * int64(f.Cols)
	if f.Layout == Lower {
		values = int64(f.Rows) * (int64(f.Rows) + 1) / 2
	}
	want := int64(len(head)) + values*int64(es)
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	if st.Size() != want {
		return fmt.Errorf("%s: %d bytes, want %d for a %dx%d %s %s array: truncated or corrupt (rerun its shard)", path, st.Size(), want, f.Rows, f.Cols, f.Layout, f.DType)
	}
	got := make([]byte, len(head))
	if _, err := io.ReadFull(fh, got); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if string(got) != string(head) {
		return fmt.Errorf("%s: NPY header %q, want %q (corrupt, or not written by spurious run --feature-shard)", path, got, head)
	}
	crc := crc32.Update(0, castagnoli, got)
	maxRow := f.rowLen(max(f.Rows-1, 0))
	vals := make([]float64, max(ioBlockBytes/8, maxRow))
	var raw []byte // the bytes of a block, when they cannot be read into vals
	if es == 4 || !nativeLE {
		raw = make([]byte, len(vals)*es)
	}
	for i0 := 0; i0 < f.Rows; {
		// The block: rows i0..i1-1, at most len(vals) values (at least one row).
		n, i1 := 0, i0
		for i1 < f.Rows && n+f.rowLen(i1) <= len(vals) {
			n += f.rowLen(i1)
			i1++
		}
		v := vals[:n]
		b := raw[:min(len(raw), n*es)]
		if raw == nil {
			b = asBytes(v)
		}
		if _, err := io.ReadFull(fh, b); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		crc = crc32.Update(crc, castagnoli, b)
		switch {
		case es == 4:
			for j := range v {
				v[j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:])))
			}
		case raw != nil:
			for j := range v {
				v[j] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
			}
		}
		for i := i0; i < i1; i++ {
			l := f.rowLen(i)
			add(i, v[:l])
			v = v[l:]
		}
		i0 = i1
	}
	if sum := fmt.Sprintf("%08x", crc); sum != f.CRC32C {
		return fmt.Errorf("%s: CRC-32C %s, but the manifest says %s: the file is corrupt or from another run (rerun its shard)", path, sum, f.CRC32C)
	}
	return nil
}
