package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is the committed test data folder.
const fixture = "../testdata/data"

// idxBytes builds an IDX file of unsigned bytes with the given dimensions.
func idxBytes(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// cifarRecord builds one CIFAR-10 binary record whose pixel p of plane c
// holds f(p, c).
func cifarRec(label byte, f func(p, c int) byte) []byte {
	rec := make([]byte, cifarRecord)
	rec[0] = label
	for c := range 3 {
		for p := range cifarPlane {
			rec[1+c*cifarPlane+p] = f(p, c)
		}
	}
	return rec
}

// encodeImage writes an RGB image (HWC bytes) as PNG or JPEG.
func encodeImage(t testing.TB, h, w int, pix []byte, format string) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			p := pix[(y*w+x)*3:]
			img.SetNRGBA(x, y, color.NRGBA{p[0], p[1], p[2], 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wantFormatError checks that err is a *FormatError naming file whose
// message mentions every fragment.
func wantFormatError(t *testing.T, err error, file string, fragments ...string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v (%T), want a *FormatError", err, err)
	}
	if fe.File != file {
		t.Errorf("error names file %q, want %q", fe.File, file)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}
