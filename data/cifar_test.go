package data

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCIFARBinaryGolden(t *testing.T) {
	dir := t.TempDir()
	f := func(label byte) func(p, c int) byte {
		return func(p, c int) byte { return byte(p*7 + c*50 + int(label)) }
	}
	var train [][]byte
	for i, b := range cifarTrainBatches {
		// batch i holds i+1 records with labels i, i+1, ...
		var recs []byte
		for r := range i + 1 {
			recs = append(recs, cifarRec(byte(i+r), f(byte(i+r)))...)
		}
		train = append(train, recs)
		writeFile(t, filepath.Join(dir, "cifar-10-batches-bin", b), recs)
	}
	writeFile(t, filepath.Join(dir, "cifar-10-batches-bin", cifarTestBatch), cifarRec(9, f(9)))
	src, err := CIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "cifar10" || src.Train.Len() != 15 || src.Test.Len() != 1 {
		t.Fatalf("got %q with %d/%d images, want cifar10 with 15/1", src.Name, src.Train.Len(), src.Test.Len())
	}
	var wantLabels []int
	for i := range 5 {
		for r := range i + 1 {
			wantLabels = append(wantLabels, i+r)
		}
	}
	if !slices.Equal(src.Train.Labels, wantLabels) {
		t.Errorf("labels %v, want %v", src.Train.Labels, wantLabels)
	}
	for k, lab := range wantLabels {
		img := src.Train.Image(k)
		for y := range 32 {
			for x := range 32 {
				for c := range 3 {
					if got, want := img[(y*32+x)*3+c], f(byte(lab))(y*32+x, c); got != want {
						t.Fatalf("image %d pixel (%d,%d) channel %d = %d, want %d (HWC from RGB planes)", k, y, x, c, got, want)
					}
				}
			}
		}
	}
	if src.Test.Labels[0] != 9 {
		t.Errorf("test label %d, want 9", src.Test.Labels[0])
	}
}

func TestCIFARBinaryCommitted(t *testing.T) {
	s, err := ReadCIFARBinary(filepath.Join(fixture, "cifar_one.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 || s.Labels[0] != 8 {
		t.Fatalf("got %d records, labels %v, want 1 record of label 8", s.Len(), s.Labels)
	}
	img := s.Image(0)
	for p := range 1024 {
		if img[3*p] != byte(p) || img[3*p+1] != byte(p+1) || img[3*p+2] != byte(p+2) {
			t.Fatalf("pixel %d = %v, want [%d %d %d]", p, img[3*p:3*p+3], byte(p), byte(p+1), byte(p+2))
		}
	}
}

func TestCIFARBinaryErrors(t *testing.T) {
	dir := t.TempDir()
	short := writeFile(t, filepath.Join(dir, "short.bin"), make([]byte, cifarRecord+100))
	_, err := ReadCIFARBinary(short)
	wantFormatError(t, err, short, "file size", "multiple of the 3073-byte record", "1 records and 100 extra bytes", "offset 3073")
	bad := cifarRec(3, func(p, c int) byte { return 0 })
	bad = append(bad, cifarRec(10, func(p, c int) byte { return 0 })...)
	badLabel := writeFile(t, filepath.Join(dir, "label.bin"), bad)
	_, err = ReadCIFARBinary(badLabel)
	wantFormatError(t, err, badLabel, "record 1 label", "offset 3073", "0..9", "found 10")
	// A batch missing from a binary folder is named.
	writeFile(t, filepath.Join(dir, "bin", cifarTestBatch), cifarRec(1, func(p, c int) byte { return 0 }))
	if _, err := CIFAR10(filepath.Join(dir, "bin")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing data_batch_1.bin: got %v, want a not-exist error", err)
	}
	if _, err := CIFAR10(filepath.Join(dir, "nothing")); !errors.Is(err, ErrUnavailable) {
		t.Errorf("empty folder: got %v, want ErrUnavailable", err)
	}
}

func TestImageFolderGolden(t *testing.T) {
	dir := t.TempDir()
	pix := func(seed int) []byte {
		b := make([]byte, 4*5*3)
		for i := range b {
			b[i] = byte(seed*37 + i*11)
		}
		return b
	}
	files := map[string]int{"train/ship/0001.png": 1, "train/cat/0002.png": 2, "train/cat/0001.png": 3, "test/ship/x.png": 4, "test/cat/y.png": 5}
	for name, seed := range files {
		writeFile(t, filepath.Join(dir, name), encodeImage(t, 4, 5, pix(seed), "png"))
	}
	writeFile(t, filepath.Join(dir, "train/cat/notes.txt"), []byte("ignored"))
	src, err := CIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "cifar10" {
		t.Errorf("name %q, want cifar10 (PNG is lossless)", src.Name)
	}
	// cat (3) before ship (8); files in name order.
	if !slices.Equal(src.Train.Labels, []int{3, 3, 8}) || !slices.Equal(src.Test.Labels, []int{3, 8}) {
		t.Fatalf("labels %v / %v, want [3 3 8] / [3 8]", src.Train.Labels, src.Test.Labels)
	}
	for k, seed := range []int{3, 2, 1} {
		if !bytes.Equal(src.Train.Image(k), pix(seed)) {
			t.Errorf("train image %d = %v, want %v", k, src.Train.Image(k), pix(seed))
		}
	}
	if src.Train.Height != 4 || src.Train.Width != 5 || src.Train.Channels != 3 {
		t.Errorf("shape %dx%dx%d, want 4x5x3", src.Train.Height, src.Train.Width, src.Train.Channels)
	}

	// A JPEG makes the set lossy and the name says so.
	writeFile(t, filepath.Join(dir, "test/cat/z.jpg"), encodeImage(t, 4, 5, pix(6), "jpeg"))
	src, err = CIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "cifar10 (JPEG copy)" {
		t.Errorf("name %q, want cifar10 (JPEG copy)", src.Name)
	}
	// A mis-sized image is named.
	bad := writeFile(t, filepath.Join(dir, "test/ship/big.png"), encodeImage(t, 6, 5, make([]byte, 90), "png"))
	_, err = CIFAR10(dir)
	wantFormatError(t, err, bad, "image size", "5x4", "found 5x6")
	// A corrupt image is named.
	corrupt := writeFile(t, filepath.Join(dir, "test/ship/big.png"), []byte("\x89PNG\r\n\x1a\nnot really"))
	_, err = CIFAR10(dir)
	wantFormatError(t, err, corrupt, "image header", "PNG or JPEG")
}

func TestImageFolderCommitted(t *testing.T) {
	f, err := ReadImageFolder(filepath.Join(fixture, "folder"), 3, CIFAR10Classes)
	if err != nil {
		t.Fatal(err)
	}
	base := func(b byte) []byte {
		out := make([]byte, 12)
		for i := range out {
			out[i] = b + byte(i)
		}
		return out
	}
	want := map[string][][]byte{
		"train": {base(10), base(30), base(50)},
		"test":  {base(70), base(90)},
	}
	for split, s := range map[string]*ImageSet{"train": f.Train, "test": f.Test} {
		for k, w := range want[split] {
			if !bytes.Equal(s.Image(k), w) {
				t.Errorf("%s image %d = %v, want %v", split, k, s.Image(k), w)
			}
		}
	}
	if !slices.Equal(f.Train.Labels, []int{3, 3, 8}) || f.Lossy {
		t.Errorf("labels %v lossy %v, want [3 3 8] false", f.Train.Labels, f.Lossy)
	}
}

func TestFolderLabels(t *testing.T) {
	for _, tc := range []struct {
		names, classes []string
		want           []int
	}{
		{[]string{"cat", "ship"}, CIFAR10Classes, []int{3, 8}},
		{[]string{"0", "4"}, CIFAR10Classes, []int{0, 4}},
		{[]string{"apple", "cat"}, CIFAR10Classes, []int{0, 1}},
		{[]string{"01", "2"}, nil, []int{0, 1}}, // "01" is not canonical: sorted order
	} {
		_, idx := folderLabels(tc.names, tc.classes)
		var got []int
		for _, n := range tc.names {
			got = append(got, idx[n])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("folderLabels(%v) = %v, want %v", tc.names, got, tc.want)
		}
	}
}

// cifarJPEGDir is the shared JPEG copy of CIFAR-10's cat and ship classes.
const cifarJPEGDir = "../../shared/data/cifar10-jpeg"

func TestCIFARJPEGReal(t *testing.T) {
	if _, err := os.Stat(cifarJPEGDir); err != nil {
		t.Skipf("shared CIFAR-10 JPEG copy absent (%v); it lives at ../shared/data/cifar10-jpeg from the repository root", err)
	}
	src, err := CIFAR10(cifarJPEGDir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "cifar10 (JPEG copy)" {
		t.Errorf("name %q, want cifar10 (JPEG copy)", src.Name)
	}
	tr, te := src.Train.Counts(10), src.Test.Counts(10)
	if tr[3] != 5000 || tr[8] != 5000 || te[3] != 1000 || te[8] != 1000 || src.Train.Len() != 10000 || src.Test.Len() != 2000 {
		t.Errorf("counts train cat/ship %d/%d test %d/%d (total %d/%d), want 5000/5000 1000/1000", tr[3], tr[8], te[3], te[8], src.Train.Len(), src.Test.Len())
	}
	ds, err := BorderTrial(src, ImageConfig{N: 30, Nt: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if ds.D != 6912 || ds.Height != 48 || ds.Width != 48 || ds.Channels != 3 {
		t.Errorf("d=%d shape %dx%dx%d, want 6912 = 48x48x3", ds.D, ds.Height, ds.Width, ds.Channels)
	}
	if want := (2304.0 - 1024) / 2304; ds.Alpha != want {
		t.Errorf("alpha %v, want %v", ds.Alpha, want)
	}
	if ds.Name != "cifar10 (JPEG copy)" {
		t.Errorf("dataset name %q", ds.Name)
	}
	if err := ds.Validate(); err != nil {
		t.Error(err)
	}
}
