package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// The noise-border construction shared by BorderTrial (a class pair,
// labels ±1) and MultiClassTrial (all classes).

// DefaultBorder is the paper's border width in pixels for a data set:
// 8 for CIFAR-10 (32x32 -> 48x48) and 10 otherwise (28x28 -> 48x48).
func DefaultBorder(name string) int {
	if strings.HasPrefix(name, "cifar10") {
		return 8
	}
	return 10
}

// sourceName is the data set name of src without qualifiers such as
// "(JPEG copy)".
func sourceName(src *Source) string {
	if f := strings.Fields(src.Name); len(f) > 0 {
		return f[0]
	}
	return src.Name
}

// checkSizes checks a border width and sample counts that do not depend on
// the data.
func checkSizes(name string, border, n, nt int) error {
	switch {
	case border < 0 || border > 1024:
		return fmt.Errorf("%s: border %d, want 1..1024 pixels", name, border)
	case n < 1:
		return fmt.Errorf("%s: n=%d, want n >= 1", name, n)
	case nt < 0:
		return fmt.Errorf("%s: nt=%d, want nt >= 0", name, nt)
	}
	return nil
}

// borderShape is the geometry of the canvases of a source with a border.
type borderShape struct {
	h, w, c, d int     // canvas height, width, channels; d = h*w*c
	alpha      float64 // the border's share of the pixels
}

// newBorderShape returns the canvas geometry of src's images with a border
// of w pixels, or an error when rows canvases of float64 would not fit in
// memory.
func newBorderShape(src *Source, w, rows int) (borderShape, error) {
	s := src.Train
	sh := borderShape{h: s.Height + 2*w, w: s.Width + 2*w, c: s.Channels}
	if int64(sh.h)*int64(sh.w)*int64(sh.c)*int64(rows) > math.MaxInt/8 {
		return sh, fmt.Errorf("%s: %d samples of dimension %d do not fit in memory", src.Name, rows, int64(sh.h)*int64(sh.w)*int64(sh.c))
	}
	sh.d = sh.h * sh.w * sh.c
	sh.alpha = float64(sh.h*sh.w-s.Height*s.Width) / float64(sh.h*sh.w)
	return sh, nil
}

// drawWithoutReplacement returns n distinct entries of pool by a partial
// Fisher-Yates shuffle of pool in place (one r.IntN per entry drawn).
func drawWithoutReplacement(pool []int, n int, r *rand.Rand) []int {
	for i := range n {
		j := i + r.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:n]
}

// canvases returns the canvases of images idx of s with a border of w
// pixels, one row of d = (H+2w)(W+2w)C bytes each in HWC order: the image
// in the centre, the other values uniform bytes from the stream (seed,
// stream, i) owned by row i, so a row does not depend on how many rows
// are drawn. With spurious it also returns the spurious queries: the same
// rows with the centre set to 0. Cost: O(len(idx)*d).
func canvases(s *ImageSet, idx []int, w int, seed, stream uint64, spurious bool) (z, zs []byte) {
	d := (s.Height + 2*w) * (s.Width + 2*w) * s.Channels
	z = make([]byte, len(idx)*d)
	if spurious {
		zs = make([]byte, len(idx)*d)
	}
	for i, j := range idx {
		row := z[i*d : (i+1)*d]
		borderCanvas(row, s, j, w, NewStream(seed, stream, uint64(i)))
		if spurious {
			copy(zs[i*d:], row)
			clearCentre(zs[i*d:(i+1)*d], s, w)
		}
	}
	return z, zs
}

// borderCanvas writes image idx of s into the centre of canvas and fills
// the border with uniform bytes of r: one byte per value, in HWC order over
// the whole canvas, 8 bytes per Uint64 taken little-endian first; centre
// values are drawn too and overwritten.
func borderCanvas(canvas []byte, s *ImageSet, idx, w int, r *rand.Rand) {
	for i := 0; i < len(canvas); i += 8 {
		v := r.Uint64()
		for k := i; k < i+8 && k < len(canvas); k++ {
			canvas[k] = byte(v)
			v >>= 8
		}
	}
	img := s.Image(idx)
	C, W := s.Channels, s.Width+2*w
	row := s.Width * C
	for y := range s.Height {
		copy(canvas[((y+w)*W+w)*C:], img[y*row:(y+1)*row])
	}
}

// clearCentre sets the original image region of canvas to 0.
func clearCentre(canvas []byte, s *ImageSet, w int) {
	C, W := s.Channels, s.Width+2*w
	row := s.Width * C
	for y := range s.Height {
		clear(canvas[((y+w)*W+w)*C:][:row])
	}
}
