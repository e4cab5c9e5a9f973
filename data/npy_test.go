package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestNPYCommitted reads NPY files whose bytes follow numpy.save exactly.
func TestNPYCommitted(t *testing.T) {
	for _, tc := range []struct {
		file  string
		shape []int
		data  []float64
	}{
		{"f8_2x3.npy", []int{2, 3}, []float64{1, 2.5, -3, 4, 0.125, -6}},
		{"f4_3.npy", []int{3}, []float64{1.5, -2, 0.25}},
		{"u1_4.npy", []int{4}, []float64{0, 1, 128, 255}},
		{"i8_2x2_v2.npy", []int{2, 2}, []float64{-1, 1, 1, -1}},
		{"f8_scalar.npy", []int{}, []float64{math.Pi}},
	} {
		a, err := ReadNPY(filepath.Join(fixture, tc.file))
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if !slices.Equal(a.Shape, tc.shape) || !slices.Equal(a.Data, tc.data) {
			t.Errorf("%s: got shape %v data %v, want %v %v", tc.file, a.Shape, a.Data, tc.shape, tc.data)
		}
	}
}

// TestNPYWriterMatchesNumpy checks that EncodeNPY writes the same bytes as
// the committed numpy-layout files.
func TestNPYWriterMatchesNumpy(t *testing.T) {
	for _, tc := range []struct {
		file  string
		shape []int
		data  any
	}{
		{"f8_2x3.npy", []int{2, 3}, []float64{1, 2.5, -3, 4, 0.125, -6}},
		{"f4_3.npy", []int{3}, []float32{1.5, -2, 0.25}},
		{"u1_4.npy", []int{4}, []uint8{0, 1, 128, 255}},
		{"f8_scalar.npy", []int{}, []float64{math.Pi}},
	} {
		want, err := os.ReadFile(filepath.Join(fixture, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := EncodeNPY(&b, tc.shape, tc.data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s: EncodeNPY wrote\n%q\nwant\n%q", tc.file, b.Bytes(), want)
		}
	}
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f64 := []float64{0, -0, 1e-310, math.MaxFloat64, -math.SmallestNonzeroFloat64, math.Inf(1), 3.5}
	for _, tc := range []struct {
		shape []int
		data  any
		want  []float64
	}{
		{[]int{7}, f64, f64},
		{[]int{1, 7}, f64, f64},
		{[]int{2, 2}, []float32{1.25, -2, float32(math.Inf(-1)), 1e-40}, []float64{1.25, -2, math.Inf(-1), float64(float32(1e-40))}},
		{[]int{3}, []uint8{255, 0, 7}, []float64{255, 0, 7}},
		{[]int{2, 1, 2}, []int64{-1 << 40, 1, 0, 1<<53 - 1}, []float64{-1 << 40, 1, 0, 1<<53 - 1}},
		{[]int{0, 5}, []float64{}, []float64{}},
	} {
		p := filepath.Join(dir, "a.npy")
		if err := WriteNPY(p, tc.shape, tc.data); err != nil {
			t.Fatal(err)
		}
		a, err := ReadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Shape, tc.shape) || len(a.Data) != len(tc.want) {
			t.Fatalf("shape %v len %d, want %v %d", a.Shape, len(a.Data), tc.shape, len(tc.want))
		}
		for i := range a.Data {
			if math.Float64bits(a.Data[i]) != math.Float64bits(tc.want[i]) {
				t.Errorf("%T element %d: %v, want %v (bit for bit)", tc.data, i, a.Data[i], tc.want[i])
			}
		}
	}
	// A header beyond 65535 bytes switches to format version 2.0.
	shape := slices.Repeat([]int{1}, 30000)
	p := filepath.Join(dir, "v2.npy")
	if err := WriteNPY(p, shape, []float64{42}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if b[6] != 2 || (12+int(binary.LittleEndian.Uint32(b[8:])))%64 != 0 {
		t.Errorf("long header: version %d, want 2 and a 64-byte aligned preamble", b[6])
	}
	a, err := ReadNPY(p)
	if err != nil || len(a.Shape) != 30000 || a.Data[0] != 42 {
		t.Fatalf("v2 round trip: %v", err)
	}
}

func TestNPYErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(fixture, "f8_2x3.npy"))
	if err != nil {
		t.Fatal(err)
	}
	hdr := func(dict string) []byte {
		var b bytes.Buffer
		b.WriteString("\x93NUMPY\x01\x00")
		b.Write([]byte{byte(len(dict) + 1), 0})
		b.WriteString(dict + "\n")
		return b.Bytes()
	}
	cases := []struct {
		name string
		b    []byte
		frag []string
	}{
		{"fortran", nil, []string{"fortran_order", "False (C order)", "found True"}},
		{"bigendian", nil, []string{"'descr'", "little-endian", `found ">f8"`}},
		{"wrong-magic", append([]byte("\x93NUMPZ"), good[6:]...), []string{"magic", "offset 0"}},
		{"version", append(append([]byte{}, good[:6]...), append([]byte{9, 0}, good[8:]...)...), []string{"version", "offset 6", "found 9.0"}},
		{"truncated", good[:len(good)-5], []string{"data", "48 bytes for shape [2 3]", "found 43 bytes"}},
		{"trailing", append(slices.Clone(good), 0), []string{"data", "found 49 bytes"}},
		{"header-too-long", append(slices.Clone(good[:8]), 0xff, 0xff), []string{"header length", "offset 8"}},
		{"dtype", hdr("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }"), []string{"'descr'", `"<c16"`}},
		{"object", hdr("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"), []string{"'descr'"}},
		{"bad-shape", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }"), []string{"header", "shape"}},
		{"missing-key", hdr("{'descr': '<f8', 'shape': (1,), }"), []string{"header", `"fortran_order" missing`}},
		{"not-dict", hdr("[1, 2]"), []string{"header", "'{'"}},
		{"huge-shape", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 1000000), }"), []string{"data", "17179869176000000 bytes for shape", "found 0 bytes"}},
		{"overflowing-shape", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 4), }"), []string{"data", "295147905179352825824 bytes for shape", "found 0 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(fixture, tc.name+".npy")
			if tc.name == "bigendian" {
				p = filepath.Join(fixture, "f8_bigendian.npy")
			}
			if tc.b != nil {
				p = writeFile(t, filepath.Join(dir, tc.name+".npy"), tc.b)
			}
			_, err := ReadNPY(p)
			wantFormatError(t, err, p, tc.frag...)
		})
	}
}

// TestNPYNativeOrder: '=' (native byte order) is little-endian on the
// machines this reads on.
func TestNPYNativeOrder(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixture, "f8_2x3.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DecodeNPY(bytes.NewReader(good), int64(len(good)), "good")
	native := bytes.Replace(good, []byte("'<f8'"), []byte("'=f8'"), 1)
	a, err := DecodeNPY(bytes.NewReader(native), int64(len(native)), "native")
	if !littleEndian() {
		if err == nil {
			t.Error("'=f8' accepted on a big-endian machine")
		}
		return
	}
	if err != nil || !slices.Equal(a.Data, want.Data) || !slices.Equal(a.Shape, want.Shape) {
		t.Errorf("'=f8': %v, %v; want %v", a, err, want)
	}
}

func TestWriteNPYAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.npy")
	if err := WriteNPY(p, []int{1}, []float64{1}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	// A failing write leaves the old file intact and no temporary file.
	boom := errors.New("boom")
	err := WriteFileAtomic(p, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("partial"), 20000))
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), p) {
		t.Fatalf("got %v, want the write error naming %s", err, p)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("failed write changed the existing file")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("folder holds %d entries after a failed write, want only out.npy", len(ents))
	}
	if err := WriteNPY(filepath.Join(dir, "no/such/dir/x.npy"), []int{1}, []float64{1}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write into a missing folder: got %v", err)
	}
}

func TestLoadNPYDir(t *testing.T) {
	dir := t.TempDir()
	z := []float64{1, 2, 3, 4, 5, 6}
	zs := []float64{0, 0, 3, 0, 0, 6}
	zt := []float64{7, 8, 9}
	write := func(name string, shape []int, data any) {
		t.Helper()
		if err := WriteNPY(filepath.Join(dir, name), shape, data); err != nil {
			t.Fatal(err)
		}
	}
	write("z.npy", []int{2, 3}, z)
	write("zs.npy", []int{2, 3}, zs)
	write("zt.npy", []int{1, 3}, zt)
	write("g.npy", []int{2}, []int64{-1, 1})
	writeFile(t, filepath.Join(dir, "gt.csv"), []byte("label\n1\n"))
	ds, err := LoadNPYDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.D != 3 || ds.N() != 2 || ds.Nt() != 1 || !slices.Equal(ds.Z, z) || !slices.Equal(ds.Zs, zs) || !slices.Equal(ds.Zt, zt) || !slices.Equal(ds.G, []float64{-1, 1}) || !slices.Equal(ds.Gt, []float64{1}) {
		t.Fatalf("got %+v", ds)
	}
	// Mis-shaped and invalid files are named.
	write("zs.npy", []int{3, 2}, zs)
	_, err = LoadNPYDir(dir)
	wantFormatError(t, err, filepath.Join(dir, "zs.npy"), "shape", "(2, 3) like z", "[3 2]")
	write("zs.npy", []int{2, 3}, zs)
	write("g.npy", []int{2, 1}, []float64{0, 1})
	_, err = LoadNPYDir(dir)
	wantFormatError(t, err, filepath.Join(dir, "g.npy"), "label 0", "-1 or +1", "found 0")
	write("g.npy", []int{3}, []float64{1, 1, 1})
	_, err = LoadNPYDir(dir)
	wantFormatError(t, err, filepath.Join(dir, "g.npy"), "(2,) or (2, 1)")
	write("g.npy", []int{2}, []float64{1, 1})
	write("zt.npy", []int{1, 2}, []float64{1, 2})
	_, err = LoadNPYDir(dir)
	wantFormatError(t, err, filepath.Join(dir, "zt.npy"), "(Nt, 3)")
	write("zt.npy", []int{1, 3}, []float64{1, math.NaN(), 2})
	if _, err = LoadNPYDir(dir); err == nil || !strings.Contains(err.Error(), "Zt row 0 column 1") {
		t.Errorf("NaN input: got %v", err)
	}
	os.Remove(filepath.Join(dir, "zt.npy"))
	if _, err = LoadNPYDir(dir); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "zt.npy nor zt.csv") {
		t.Errorf("missing zt: got %v", err)
	}
}
