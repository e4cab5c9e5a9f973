package data

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // decoder for image folders
	_ "image/png"  // decoder for image folders
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// CIFAR10Classes are the CIFAR-10 class names, indexed by label.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

const (
	cifarSide   = 32
	cifarPlane  = cifarSide * cifarSide
	cifarRecord = 1 + 3*cifarPlane // label byte + R, G, B planes

	// maxImagePixels bounds the width*height an image-folder file may
	// declare before it is decoded (the decoders allocate from the header).
	maxImagePixels = 1 << 22
	// maxPixelsPerByte bounds width*height per byte of an image file: far
	// above what PNG (DEFLATE, at most ~1032 bytes per byte, 1-bit pixels)
	// or baseline JPEG (a few bits per 8x8 block) reach for real images.
	maxPixelsPerByte = 8192
)

// cifarTrainBatches and cifarTestBatch are the standard binary file names.
var (
	cifarTrainBatches = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifarTestBatch    = "test_batch.bin"
)

// ReadCIFARBinary reads one CIFAR-10 binary batch: records of one label
// byte (0..9) and 3072 pixel bytes, the R, G and B planes of a 32x32 image
// in row-major order. Images are returned in HWC order (R, G, B per
// pixel). Cost: one pass; the allocation equals the file size.
func ReadCIFARBinary(name string) (*ImageSet, error) {
	return decodeFile(name, DecodeCIFARBinary)
}

// DecodeCIFARBinary decodes a CIFAR-10 binary batch of size bytes from r;
// name labels errors. See ReadCIFARBinary.
func DecodeCIFARBinary(r io.Reader, size int64, name string) (*ImageSet, error) {
	if size < 0 || size%cifarRecord != 0 {
		return nil, formatErr(name, size-size%cifarRecord, "file size", fmt.Sprintf("a multiple of the %d-byte record (1 label + 3x32x32 pixels)", cifarRecord), fmt.Sprintf("%d bytes (%d records and %d extra bytes)", size, size/cifarRecord, size%cifarRecord))
	}
	n := int(size / cifarRecord)
	s := &ImageSet{Height: cifarSide, Width: cifarSide, Channels: 3, Pix: make([]byte, n*3*cifarPlane), Labels: make([]int, n)}
	br := bufio.NewReaderSize(r, 1<<16)
	var rec [cifarRecord]byte
	for i := range n {
		off := int64(i) * cifarRecord
		if k, err := io.ReadFull(br, rec[:]); err != nil {
			return nil, formatErr(name, off+int64(k), fmt.Sprintf("record %d", i), fmt.Sprintf("%d bytes", cifarRecord), fmt.Sprintf("end of file (%v)", err))
		}
		if rec[0] >= 10 {
			return nil, formatErr(name, off, fmt.Sprintf("record %d label", i), "a class 0..9", fmt.Sprint(rec[0]))
		}
		s.Labels[i] = int(rec[0])
		dst := s.Pix[i*3*cifarPlane : (i+1)*3*cifarPlane]
		for p := range cifarPlane {
			dst[3*p] = rec[1+p]
			dst[3*p+1] = rec[1+cifarPlane+p]
			dst[3*p+2] = rec[1+2*cifarPlane+p]
		}
	}
	return s, nil
}

// readCIFARBinaryDir reads data_batch_1..5.bin and test_batch.bin of dir.
func readCIFARBinaryDir(dir string) (train, test *ImageSet, err error) {
	var parts []*ImageSet
	for _, b := range cifarTrainBatches {
		s, err := ReadCIFARBinary(filepath.Join(dir, b))
		if err != nil {
			return nil, nil, err
		}
		parts = append(parts, s)
	}
	test, err = ReadCIFARBinary(filepath.Join(dir, cifarTestBatch))
	if err != nil {
		return nil, nil, err
	}
	return concatImageSets(parts), test, nil
}

func concatImageSets(parts []*ImageSet) *ImageSet {
	out := &ImageSet{Height: parts[0].Height, Width: parts[0].Width, Channels: parts[0].Channels}
	for _, p := range parts {
		out.Pix = append(out.Pix, p.Pix...)
		out.Labels = append(out.Labels, p.Labels...)
	}
	return out
}

// isImageFile reports whether name has an extension the folder reader decodes.
func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// DecodeImage decodes one PNG or JPEG image held in b into HWC bytes with
// the given number of channels (1: luma as Go's color.Gray model computes
// it; 3: R, G, B, alpha dropped). The header is checked before decoding:
// an image over 4Mi pixels, or over 8192 pixels per byte of b, is refused
// before the decoder allocates. name labels errors; lossy reports a JPEG.
func DecodeImage(b []byte, name string, channels int) (pix []byte, height, width int, lossy bool, err error) {
	if channels != 1 && channels != 3 {
		panic("data: DecodeImage channels must be 1 or 3")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, 0, 0, false, formatErr(name, 0, "image header", "a PNG or JPEG image", err.Error())
	}
	limit := min(maxImagePixels, maxPixelsPerByte*int64(len(b)))
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > limit {
		return nil, 0, 0, false, formatErr(name, 0, format+" image size", fmt.Sprintf("between 1 and %d pixels (for a %d-byte file)", limit, len(b)), fmt.Sprintf("%dx%d", cfg.Width, cfg.Height))
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, 0, 0, false, formatErr(name, -1, format+" image data", "a decodable image", err.Error())
	}
	r := img.Bounds()
	return imagePixels(img, channels), r.Dy(), r.Dx(), format == "jpeg", nil
}

// imagePixels converts img to HWC bytes with 1 (luma, color.GrayModel) or
// 3 (R, G, B of color.NRGBAModel) channels. Opaque YCbCr (every JPEG),
// gray, NRGBA and opaque RGBA images take fast paths equal to the generic
// per-pixel conversion.
func imagePixels(img image.Image, channels int) []byte {
	r := img.Bounds()
	pix := make([]byte, 0, r.Dx()*r.Dy()*channels)
	switch m := img.(type) {
	case *image.Gray:
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, y):][:r.Dx()]
			if channels == 1 {
				pix = append(pix, row...)
				continue
			}
			for _, v := range row {
				pix = append(pix, v, v, v)
			}
		}
		return pix
	case *image.YCbCr:
		if channels == 3 {
			rgba := image.NewRGBA(r)
			draw.Draw(rgba, r, m, r.Min, draw.Src)
			return appendRGB(pix, rgba.Pix)
		}
	case *image.NRGBA:
		if channels == 3 {
			for y := r.Min.Y; y < r.Max.Y; y++ {
				pix = appendRGB(pix, m.Pix[m.PixOffset(r.Min.X, y):][:4*r.Dx()])
			}
			return pix
		}
	case *image.RGBA:
		if channels == 3 && m.Opaque() {
			for y := r.Min.Y; y < r.Max.Y; y++ {
				pix = appendRGB(pix, m.Pix[m.PixOffset(r.Min.X, y):][:4*r.Dx()])
			}
			return pix
		}
	}
	return appendGenericPixels(pix, img, channels)
}

// appendGenericPixels appends the pixels of img to pix, converted one at a
// time through color.GrayModel (1 channel) or color.NRGBAModel (3): the
// reference that imagePixels' fast paths match.
func appendGenericPixels(pix []byte, img image.Image, channels int) []byte {
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.At(x, y)
			if channels == 1 {
				pix = append(pix, color.GrayModel.Convert(c).(color.Gray).Y)
				continue
			}
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			pix = append(pix, n.R, n.G, n.B)
		}
	}
	return pix
}

// appendRGB appends the R, G, B bytes of 4-byte RGBA pixels.
func appendRGB(dst, rgba []byte) []byte {
	for i := 0; i+3 < len(rgba); i += 4 {
		dst = append(dst, rgba[i], rgba[i+1], rgba[i+2])
	}
	return dst
}

// ImageFolder is what ReadImageFolder found: one ImageSet per split, the
// class names indexed by label, and whether any file was a (lossy) JPEG.
type ImageFolder struct {
	Train, Test *ImageSet
	Classes     []string
	Lossy       bool
}

// ReadImageFolder reads the image-folder layout dir/{train,test}/CLASS/FILE
// with FILE a .png, .jpg or .jpeg image; all images must have the same
// size. Class directories are mapped to labels as follows: when every name
// is in known (e.g. CIFAR10Classes), the label is its index there; when
// every name is a non-negative integer, the label is that integer;
// otherwise labels follow the sorted names. Within a class, files are read
// in name order, classes in label order. Cost: one decode per file.
func ReadImageFolder(dir string, channels int, known []string) (*ImageFolder, error) {
	if channels != 1 && channels != 3 {
		panic("data: ReadImageFolder channels must be 1 or 3")
	}
	splits := map[string]map[string][]string{} // split -> class -> files
	names := map[string]bool{}
	for _, split := range []string{"train", "test"} {
		sd := filepath.Join(dir, split)
		ents, err := os.ReadDir(sd)
		if err != nil {
			return nil, fmt.Errorf("image folder %s: %w (want subfolders train/CLASS/ and test/CLASS/ holding .png or .jpg files)", dir, err)
		}
		splits[split] = map[string][]string{}
		for _, e := range ents {
			if !e.IsDir() {
				continue
			}
			files, err := os.ReadDir(filepath.Join(sd, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("image folder %s: %w", dir, err)
			}
			var list []string
			for _, f := range files {
				if f.Type().IsRegular() && isImageFile(f.Name()) {
					list = append(list, filepath.Join(sd, e.Name(), f.Name()))
				}
			}
			if len(list) == 0 {
				continue
			}
			slices.Sort(list)
			splits[split][e.Name()] = list
			names[e.Name()] = true
		}
		if len(splits[split]) == 0 {
			return nil, fmt.Errorf("image folder %s: %s has no CLASS subfolder with .png or .jpg files", dir, sd)
		}
	}
	classes, index := folderLabels(slices.Sorted(maps.Keys(names)), known)
	out := &ImageFolder{Classes: classes}
	for _, split := range []string{"train", "test"} {
		s := &ImageSet{Channels: channels}
		byLabel := slices.SortedFunc(maps.Keys(splits[split]), func(a, b string) int { return index[a] - index[b] })
		for _, cls := range byLabel {
			for _, file := range splits[split][cls] {
				b, err := os.ReadFile(file)
				if err != nil {
					return nil, err
				}
				pix, h, w, lossy, err := DecodeImage(b, file, channels)
				if err != nil {
					return nil, err
				}
				if s.Height == 0 {
					s.Height, s.Width = h, w
				} else if h != s.Height || w != s.Width {
					return nil, formatErr(file, -1, "image size", fmt.Sprintf("%dx%d like the other images of the folder", s.Width, s.Height), fmt.Sprintf("%dx%d", w, h))
				}
				out.Lossy = out.Lossy || lossy
				s.Pix = append(s.Pix, pix...)
				s.Labels = append(s.Labels, index[cls])
			}
		}
		if split == "train" {
			out.Train = s
		} else {
			out.Test = s
		}
	}
	if out.Train.Height != out.Test.Height || out.Train.Width != out.Test.Width {
		return nil, fmt.Errorf("image folder %s: train images are %dx%d but test images are %dx%d", dir, out.Train.Width, out.Train.Height, out.Test.Width, out.Test.Height)
	}
	return out, nil
}

// folderLabels maps sorted class folder names to labels (see ReadImageFolder)
// and returns the class names indexed by label.
func folderLabels(names, known []string) ([]string, map[string]int) {
	index := map[string]int{}
	allKnown := len(known) > 0
	for _, n := range names {
		if !slices.Contains(known, n) {
			allKnown = false
		}
	}
	if allKnown {
		for _, n := range names {
			index[n] = slices.Index(known, n)
		}
		return slices.Clone(known), index
	}
	maxInt := -1
	for _, n := range names {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 || v > 1<<16 || strconv.Itoa(v) != n {
			maxInt = -2
			break
		}
		index[n] = v
		maxInt = max(maxInt, v)
	}
	if maxInt >= 0 {
		classes := make([]string, maxInt+1)
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
		return classes, index
	}
	for i, n := range names {
		index[n] = i
	}
	return slices.Clone(names), index
}

// CIFAR10 is CIFAR-10 read from dir in any of three layouts: the binary
// batches (data_batch_1..5.bin and test_batch.bin, in dir or in its
// cifar-10-batches-bin subfolder), the Python version's pickled batches
// (data_batch_1..5 and test_batch, in dir or cifar-10-batches-py; see
// ReadCIFARPickle) or an image folder (train/CLASS/*,
// test/CLASS/*; see ReadImageFolder with CIFAR10Classes). The name is
// "cifar10", or "cifar10 (JPEG copy)" when any image was a JPEG (lossy).
func CIFAR10(dir string) (*Source, error) {
	for _, d := range []string{dir, filepath.Join(dir, "cifar-10-batches-bin"), filepath.Join(dir, "cifar-10-batches-py")} {
		read := readCIFARBinaryDir
		if _, err := os.Stat(filepath.Join(d, cifarTestBatch)); err != nil {
			if _, err := os.Stat(filepath.Join(d, cifarPyTestBatch)); err != nil {
				continue
			}
			read = readCIFARPickleDir
		}
		train, test, err := read(d)
		if err != nil {
			return nil, err
		}
		return &Source{Name: "cifar10", Dir: d, Train: train, Test: test, Classes: slices.Clone(CIFAR10Classes)}, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "train")); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("CIFAR-10 in %s: %w: found neither %s (binary batches), %s (Python batches) nor train/ and test/ (image folder)", dir, ErrUnavailable, cifarTestBatch, cifarPyTestBatch)
	}
	f, err := ReadImageFolder(dir, 3, CIFAR10Classes)
	if err != nil {
		return nil, err
	}
	name := "cifar10"
	if f.Lossy {
		name = "cifar10 (JPEG copy)"
	}
	return &Source{Name: name, Dir: dir, Train: f.Train, Test: f.Test, Classes: f.Classes}, nil
}
