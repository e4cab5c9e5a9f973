package data

import (
	"bytes"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// overhead covers a parser's fixed buffers (bufio, gzip window and tables).
const overhead = 1 << 20

// checkAlloc runs f and fails when it allocated more than bound bytes.
func checkAlloc(t *testing.T, what string, bound uint64, f func()) {
	t.Helper()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	if got := b.TotalAlloc - a.TotalAlloc; got > bound {
		t.Fatalf("%s allocated %d bytes, bound %d", what, got, bound)
	}
}

func addFiles(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(fixture, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzIDX(f *testing.F) {
	addFiles(f, "idx/train-images-idx3-ubyte.gz", "idx/train-labels-idx1-ubyte")
	f.Add(idxBytes([]uint32{1 << 31, 28, 28}, make([]byte, 84)))
	f.Add(idxBytes([]uint32{2, 2}, []byte{1, 2, 3, 4}))
	f.Add(gzipBytes(f, idxBytes([]uint32{3}, []byte{1, 2, 3})))
	f.Add(idxBytes([]uint32{1<<32 - 1, 0, 28}, nil)) // zero-sized images, huge count
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAlloc(t, "DecodeIDX", maxDeflateRatio*uint64(len(b))+overhead, func() {
			x, err := DecodeIDX(bytes.NewReader(b), int64(len(b)), "fuzz")
			if err != nil {
				return
			}
			n := 1
			for _, d := range x.Dims {
				n *= d
			}
			if n != len(x.Data) {
				t.Fatalf("dims %v but %d bytes", x.Dims, len(x.Data))
			}
			if s, err := idxImages(x, "fuzz"); err == nil && len(s.Pix) != s.Len()*s.Height*s.Width {
				t.Fatalf("%d images of %dx%d but %d bytes", s.Len(), s.Height, s.Width, len(s.Pix))
			}
		})
	})
}

func FuzzCIFARBinary(f *testing.F) {
	addFiles(f, "cifar_one.bin")
	f.Add(make([]byte, 100))
	f.Add(cifarRec(10, func(p, c int) byte { return 1 }))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAlloc(t, "DecodeCIFARBinary", uint64(len(b))+overhead, func() {
			s, err := DecodeCIFARBinary(bytes.NewReader(b), int64(len(b)), "fuzz")
			if err == nil && len(s.Pix) != s.Len()*3072 {
				t.Fatalf("%d images but %d bytes", s.Len(), len(s.Pix))
			}
		})
	})
}

func FuzzNPY(f *testing.F) {
	addFiles(f, "f8_2x3.npy", "f4_3.npy", "u1_4.npy", "i8_2x2_v2.npy", "f8_scalar.npy", "fortran.npy", "f8_bigendian.npy")
	f.Add([]byte("\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2147483648, 99999), }"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAlloc(t, "DecodeNPY", 8*uint64(len(b))+overhead, func() {
			a, err := DecodeNPY(bytes.NewReader(b), int64(len(b)), "fuzz")
			if err != nil {
				return
			}
			n := 1
			for _, d := range a.Shape {
				n *= d
			}
			if n != len(a.Data) {
				t.Fatalf("shape %v but %d values", a.Shape, len(a.Data))
			}
			// What was read writes back to an array that reads the same.
			var w bytes.Buffer
			if err := EncodeNPY(&w, a.Shape, a.Data); err != nil {
				t.Fatal(err)
			}
			c, err := DecodeNPY(bytes.NewReader(w.Bytes()), int64(w.Len()), "re-encoded")
			if err != nil || len(c.Data) != len(a.Data) {
				t.Fatalf("re-encoded array does not read back: %v", err)
			}
		})
	})
}

func FuzzCSV(f *testing.F) {
	addFiles(f, "small.csv")
	f.Add([]byte("1,2\n3"))
	f.Add([]byte("\"a\"\"\",1\n"))
	f.Add([]byte("\xef\xbb\xbf# c\n,0,1\n0,1,2\n1,3,4\n"))
	f.Add([]byte("# a b\n1 2\n3\t4\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAlloc(t, "DecodeCSV", 64*uint64(len(b))+overhead, func() {
			a, _, err := DecodeCSV(bytes.NewReader(b), "fuzz")
			if err == nil && a.Shape[0]*a.Shape[1] != len(a.Data) {
				t.Fatalf("shape %v but %d values", a.Shape, len(a.Data))
			}
		})
	})
}

func FuzzDecodeImage(f *testing.F) {
	addFiles(f, "folder/train/cat/a.png")
	f.Add(encodeImage(f, 3, 5, make([]byte, 45), "jpeg"))
	// A PNG header claiming 65535x65535 pixels.
	png := encodeImage(f, 1, 1, []byte{1, 2, 3}, "png")
	big := bytes.Clone(png)
	copy(big[16:24], []byte{0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff})
	f.Add(big)
	f.Fuzz(func(t *testing.T, b []byte) {
		// The decoders allocate up to 8 bytes per admitted pixel (RGBA64
		// for 16-bit PNGs), plus our 3 bytes per pixel.
		pixels := min(maxImagePixels, maxPixelsPerByte*uint64(len(b)))
		checkAlloc(t, "DecodeImage", 16*pixels+overhead, func() {
			for _, c := range []int{1, 3} {
				pix, h, w, _, err := DecodeImage(b, "fuzz", c)
				if err == nil && len(pix) != h*w*c {
					t.Fatalf("%dx%dx%d image but %d bytes", h, w, c, len(pix))
				}
			}
		})
	})
}

func TestImagePixelsFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	rect := image.Rect(3, 2, 20, 13) // odd sizes and a non-zero origin
	var imgs []image.Image
	for _, ss := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		m := image.NewYCbCr(rect, ss)
		fill(m.Y)
		fill(m.Cb)
		fill(m.Cr)
		imgs = append(imgs, m)
	}
	g := image.NewGray(rect)
	fill(g.Pix)
	n := image.NewNRGBA(rect)
	fill(n.Pix)
	op := image.NewRGBA(rect)
	fill(op.Pix)
	for i := 3; i < len(op.Pix); i += 4 {
		op.Pix[i] = 255
	}
	tr := image.NewRGBA(rect) // premultiplied with alpha: the generic path
	for i := 0; i < len(tr.Pix); i += 4 {
		a := byte(rng.Uint32())
		tr.Pix[i+3] = a
		for k := range 3 {
			tr.Pix[i+k] = byte(rng.UintN(uint(a) + 1))
		}
	}
	imgs = append(imgs, g, n, op, tr, g.SubImage(image.Rect(5, 4, 9, 11)))
	for k, img := range imgs {
		for _, c := range []int{1, 3} {
			if got, want := imagePixels(img, c), appendGenericPixels(nil, img, c); !bytes.Equal(got, want) {
				t.Errorf("image %d (%T) channels %d: fast path differs from the per-pixel conversion", k, img, c)
			}
		}
	}
}
