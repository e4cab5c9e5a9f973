//go:build ignore

// gen writes the small committed fixtures of package data's tests. It
// builds every byte by hand from the format specifications (NPY v1/v2,
// IDX, CIFAR-10 binary, PNG), independently of package data, so the tests
// check the readers against the formats rather than against themselves.
//
//	cd testdata/data && go run gen.go
package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func write(name string, b []byte) {
	must(os.MkdirAll(filepath.Dir(name), 0o755))
	must(os.WriteFile(name, b, 0o644))
}

// npy builds an NPY file as numpy.save does: magic, version, header length
// (uint16 for v1, uint32 for v2), the dict padded with spaces so that the
// whole preamble is a multiple of 64 bytes, a final '\n', then the data.
func npy(major byte, dict string, data []byte) []byte {
	pre := 10
	if major == 2 {
		pre = 12
	}
	pad := 64 - (pre+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.WriteByte(major)
	b.WriteByte(0)
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(hdr)))
	}
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

func le(vals ...any) []byte {
	var b bytes.Buffer
	for _, v := range vals {
		must(binary.Write(&b, binary.LittleEndian, v))
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	must(w.Close())
	return out.Bytes()
}

// pngRGB encodes an 8-bit RGB PNG with filter 0 on every row.
func pngRGB(w, h int, rgb []byte) []byte {
	chunk := func(out *bytes.Buffer, typ string, data []byte) {
		binary.Write(out, binary.BigEndian, uint32(len(data)))
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		out.WriteString(typ)
		out.Write(data)
		binary.Write(out, binary.BigEndian, c.Sum32())
	}
	var raw bytes.Buffer
	for y := 0; y < h; y++ {
		raw.WriteByte(0)
		raw.Write(rgb[y*w*3 : (y+1)*w*3])
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	must(zw.Close())
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // bit depth 8, colour type RGB
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", z.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

func main() {
	// NPY v1, float64, shape (2, 3): 1, 2.5, -3, 4, 0.125, -6.
	write("f8_2x3.npy", npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
		le(1.0, 2.5, -3.0, 4.0, 0.125, -6.0)))
	// NPY v1, float32, shape (3,): 1.5, -2, 0.25.
	write("f4_3.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
		le(float32(1.5), float32(-2), float32(0.25))))
	// NPY v1, uint8, shape (4,): 0, 1, 128, 255.
	write("u1_4.npy", npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }",
		[]byte{0, 1, 128, 255}))
	// NPY v2, int64, shape (2, 2): -1, 1, 1, -1.
	write("i8_2x2_v2.npy", npy(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }",
		le(int64(-1), int64(1), int64(1), int64(-1))))
	// NPY v1, float64, scalar shape (): pi.
	write("f8_scalar.npy", npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", le(math.Pi)))
	// NPY v1, Fortran order: must be refused.
	write("fortran.npy", npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", le(1.0, 2.0, 3.0, 4.0)))
	// NPY v1, big-endian float64: must be refused.
	write("f8_bigendian.npy", npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}))

	// CSV with a header row.
	write("small.csv", []byte("a, b,c\n1,2,3\n-4.5, 5e-1,6\n"))

	// IDX: two 2x3 images (gzip) and their labels (raw).
	img := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
		0, 1, 2, 3, 4, 5,
		255, 254, 253, 252, 251, 250}
	write("idx/train-images-idx3-ubyte.gz", gz(img))
	write("idx/train-labels-idx1-ubyte", []byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 1})

	// CIFAR-10 binary: one record, label 8, pixel p has R=p%256, G=(p+1)%256, B=(p+2)%256.
	rec := make([]byte, 3073)
	rec[0] = 8
	for p := 0; p < 1024; p++ {
		rec[1+p] = byte(p)
		rec[1+1024+p] = byte(p + 1)
		rec[1+2048+p] = byte(p + 2)
	}
	write("cifar_one.bin", rec)

	// Image folder: 2x2 RGB PNGs.
	px := func(base byte) []byte {
		b := make([]byte, 12)
		for i := range b {
			b[i] = base + byte(i)
		}
		return b
	}
	write("folder/train/cat/a.png", pngRGB(2, 2, px(10)))
	write("folder/train/cat/b.png", pngRGB(2, 2, px(30)))
	write("folder/train/ship/a.png", pngRGB(2, 2, px(50)))
	write("folder/test/cat/a.png", pngRGB(2, 2, px(70)))
	write("folder/test/ship/a.png", pngRGB(2, 2, px(90)))
}
