package data

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// py2Batch returns the bytes Python 2's cPickle.dump(d, f, 2) writes for a
// CIFAR-10 batch dict d = {'data': uint8 array (n, 3072), 'labels': [...],
// 'batch_label': ..., 'filenames': [...]}: the format of
// cifar-10-python.tar.gz. Opcodes are spelled out so the test does not
// depend on the reader's view of the format.
func py2Batch(labels []byte, pixel func(i, j int) byte) []byte {
	n := len(labels)
	var b bytes.Buffer
	put := func(s ...any) {
		for _, x := range s {
			switch v := x.(type) {
			case string:
				b.WriteString(v)
			case byte:
				b.WriteByte(v)
			case []byte:
				b.Write(v)
			}
		}
	}
	memo := byte(1)
	binput := func() { put(byte('q'), memo); memo++ }
	short := func(s string) { put(byte('U'), byte(len(s)), s); binput() }
	put("\x80\x02", byte('}'))
	binput()
	put(byte('('))
	short("data")
	put("cnumpy.core.multiarray\n_reconstruct\n")
	binput()
	put("cnumpy\nndarray\n")
	binput()
	put("K\x00", byte(0x85), "U\x01b", byte(0x87), byte('R'))
	binput()
	put("(K\x01")
	put(byte('K'), byte(n), "M\x00\x0c", byte(0x86)) // shape (n, 3072)
	binput()
	put("cnumpy\ndtype\n")
	binput()
	put("U\x02u1K\x00K\x01", byte(0x87), byte('R'))
	binput()
	put("(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb")
	put(byte(0x89)) // fortran_order False
	raw := make([]byte, n*3072)
	for i := range n {
		for j := range 3072 {
			raw[i*3072+j] = pixel(i, j)
		}
	}
	put(byte('T'), binary.LittleEndian.AppendUint32(nil, uint32(len(raw))), raw)
	binput()
	put("tb")
	short("labels")
	put(byte(']'))
	binput()
	put(byte('('))
	for _, l := range labels {
		put(byte('K'), l)
	}
	put(byte('e'))
	short("batch_label")
	short("training batch 1 of 5")
	short("filenames")
	put(byte(']'))
	binput()
	put(byte('('))
	for i := range n {
		short(strings.Repeat("x", i+1) + ".png")
	}
	put("eu.")
	return b.Bytes()
}

func TestCIFARPickle(t *testing.T) {
	// Byte j of row i; the planes (j/1024) differ, so a channel mix-up shows.
	pixel := func(i, j int) byte { return byte(i*7 + j + j/1024*85) }
	// Python 2 (the official files) and Python 3 (protocols 2 and 4,
	// testdata/data/gen_pickle.py, the same bytes) pickles.
	py3 := pixel
	cases := []struct {
		name   string
		b      []byte
		labels []int
		pix    func(i, j int) byte
	}{
		{"python 2 cPickle", py2Batch([]byte{6, 9, 9, 4}, pixel), []int{6, 9, 9, 4}, pixel},
		{"python 3 protocol 2", readFixture(t, "cifar_py3_proto2.pickle"), []int{3, 8, 9}, py3},
		{"python 3 protocol 4", readFixture(t, "cifar_py3_proto4.pickle"), []int{3, 8, 9}, py3},
	}
	for _, c := range cases {
		s, err := DecodeCIFARPickle(bytes.NewReader(c.b), int64(len(c.b)), c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.Len() != len(c.labels) || s.Height != 32 || s.Width != 32 || s.Channels != 3 {
			t.Fatalf("%s: %d images %dx%dx%d", c.name, s.Len(), s.Height, s.Width, s.Channels)
		}
		for i, l := range c.labels {
			if s.Labels[i] != l {
				t.Errorf("%s: label %d = %d, want %d", c.name, i, s.Labels[i], l)
			}
			img := s.Image(i)
			// Pixel p of plane ch is row byte ch*1024+p, stored at HWC 3p+ch.
			for _, p := range []int{0, 1, 31, 32, 500, 1023} {
				for ch := range 3 {
					if got, want := img[3*p+ch], c.pix(i, ch*1024+p); got != want {
						t.Fatalf("%s: image %d pixel %d channel %d = %d, want %d", c.name, i, p, ch, got, want)
					}
				}
			}
		}
	}
	// The folder layout: cifar-10-batches-py with data_batch_1..5, test_batch.
	dir := t.TempDir()
	for i, b := range cifarPyTrainBatches {
		writeFile(t, filepath.Join(dir, "cifar-10-batches-py", b), py2Batch([]byte{byte(i), 3}, pixel))
	}
	writeFile(t, filepath.Join(dir, "cifar-10-batches-py", cifarPyTestBatch), py2Batch([]byte{8}, pixel))
	src, err := CIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Train.Len() != 10 || src.Test.Len() != 1 || src.Train.Labels[4] != 2 || src.Test.Labels[0] != 8 || src.Name != "cifar10" {
		t.Errorf("folder: %s %d/%d images, labels %v / %v", src.Name, src.Train.Len(), src.Test.Len(), src.Train.Labels, src.Test.Labels)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCIFARPickleRejects checks errors for pickles that are not CIFAR-10
// batches or that try to call other code.
func TestCIFARPickleRejects(t *testing.T) {
	good := py2Batch([]byte{1, 2}, func(i, j int) byte { return 0 })
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"os.system", []byte("\x80\x02cos\nsystem\nU\x02lsq\x00\x85R."), "no other callable is run"},
		{"label 10", py2Batch([]byte{1, 10}, func(i, j int) byte { return 0 }), "label 1"},
		{"truncated", good[:len(good)/2], "bytes left"},
		{"truncated after the data", good[:len(good)-3], "end of file"},
		{"huge string", []byte("\x80\x02T\xff\xff\xff\x7f"), "bytes left"},
		{"not a dict", []byte("\x80\x02K\x05."), "found int"},
		{"unknown opcode", []byte("\x80\x02\xff"), "0xff"},
		{"stop on empty stack", []byte("."), "empty stack"},
		{"short data", bytes.Replace(good, []byte("M\x00\x0c"), []byte("M\x01\x0c"), 1), "data bytes for shape"},
		{"missing labels", bytes.Replace(good, []byte("U\x06labels"), []byte("U\x06labelz"), 1), "'labels'"},
	}
	for _, c := range cases {
		_, err := DecodeCIFARPickle(bytes.NewReader(c.b), int64(len(c.b)), "p")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
}

func FuzzCIFARPickle(f *testing.F) {
	f.Add(py2Batch([]byte{1, 2}, func(i, j int) byte { return byte(j) }))
	addFiles(f, "cifar_py3_proto2.pickle", "cifar_py3_proto4.pickle")
	f.Add([]byte("\x80\x02}q\x00(U\x04dataq\x01]q\x02(K\x01eu."))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The pickle may hold a few copies of its bytes (strings, then the
		// images); a small constant factor bounds the allocation.
		checkAlloc(t, "DecodeCIFARPickle", 64*uint64(len(b))+overhead, func() {
			s, err := DecodeCIFARPickle(bytes.NewReader(b), int64(len(b)), "fuzz")
			if err == nil && (len(s.Pix) != s.Len()*3072 || len(s.Labels) != s.Len()) {
				t.Fatalf("%d images but %d bytes", s.Len(), len(s.Pix))
			}
		})
	})
}
