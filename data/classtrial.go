package data

import (
	"fmt"
	"slices"
)

// MultiClassConfig selects a noise-border trial on all classes of a data
// set, as in the paper's neural-network experiments (spec §4.4).
type MultiClassConfig struct {
	Name   string // data set name for messages and defaults; empty: the source's
	Border int    // border width in pixels; 0: DefaultBorder(Name)
	N, Nt  int    // training and test samples, drawn without replacement
	Seed   uint64
}

// ClassTrial is a noise-border trial with class labels: N training
// canvases X labelled Y, their spurious queries Xs (row i belongs to
// training sample i) and Nt test canvases Xt labelled Yt. Rows are
// Height*Width*Channels raw pixel values 0..255 in HWC order, kept as
// bytes (a network casts and scales them as it needs; bytes take an eighth
// of the memory of float64 rows).
type ClassTrial struct {
	Name                    string
	Classes                 []string // class names; labels index them
	Height, Width, Channels int      // canvas geometry
	Alpha                   float64  // the border's share of the pixels
	X, Xs, Xt               []byte
	Y, Yt                   []int
}

// D returns the number of values in a row.
func (t *ClassTrial) D() int { return t.Height * t.Width * t.Channels }

// N returns the number of training samples.
func (t *ClassTrial) N() int { return len(t.Y) }

// Nt returns the number of test samples.
func (t *ClassTrial) Nt() int { return len(t.Yt) }

// MultiClassTrial builds the noise-border trial of BorderTrial on all
// classes of src: N training and Nt test images are drawn without
// replacement from all images of each split (partial Fisher-Yates shuffles
// from streams derived from cfg.Seed), labels are the images' classes, and
// the canvases, border noise and spurious queries are those of
// BorderTrial (the same streams: with the same seed, row i of both trials
// has the same border). Cost: O((2N+Nt)*D) time and bytes of memory,
// D = (H+2w)(W+2w)C.
func MultiClassTrial(src *Source, cfg MultiClassConfig) (*ClassTrial, error) {
	if cfg.Name == "" {
		cfg.Name = sourceName(src)
	}
	if cfg.Border == 0 {
		cfg.Border = DefaultBorder(cfg.Name)
	}
	if err := checkSizes(cfg.Name, cfg.Border, cfg.N, cfg.Nt); err != nil {
		return nil, err
	}
	tr, te := src.Train, src.Test
	switch {
	case cfg.N > tr.Len():
		return nil, fmt.Errorf("%s: n=%d training samples requested but the training split has %d images", src.Name, cfg.N, tr.Len())
	case cfg.Nt > te.Len():
		return nil, fmt.Errorf("%s: nt=%d test samples requested but the test split has %d images", src.Name, cfg.Nt, te.Len())
	case len(src.Classes) < 2:
		return nil, fmt.Errorf("%s: %d classes, need at least 2", src.Name, len(src.Classes))
	}
	sh, err := newBorderShape(src, cfg.Border, 2*cfg.N+cfg.Nt)
	if err != nil {
		return nil, err
	}
	t := &ClassTrial{
		Name: src.Name, Classes: src.Classes,
		Height: sh.h, Width: sh.w, Channels: sh.c, Alpha: sh.alpha,
	}
	trainIdx := drawWithoutReplacement(allIndices(tr.Len()), cfg.N, NewStream(cfg.Seed, streamPickTrain))
	testIdx := drawWithoutReplacement(allIndices(te.Len()), cfg.Nt, NewStream(cfg.Seed, streamPickTest))
	t.X, t.Xs = canvases(tr, trainIdx, cfg.Border, cfg.Seed, streamBorderTrain, true)
	t.Xt, _ = canvases(te, testIdx, cfg.Border, cfg.Seed, streamBorderTest, false)
	t.Y = classLabels(tr, trainIdx)
	t.Yt = classLabels(te, testIdx)
	for _, y := range slices.Concat(t.Y, t.Yt) {
		if y < 0 || y >= len(src.Classes) {
			return nil, fmt.Errorf("%s: label %d outside the %d classes; the source's labels and class names disagree", src.Name, y, len(src.Classes))
		}
	}
	return t, nil
}

// allIndices returns 0, 1, ..., n-1.
func allIndices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// classLabels returns the labels of images idx of s.
func classLabels(s *ImageSet, idx []int) []int {
	y := make([]int, len(idx))
	for i, j := range idx {
		y[i] = s.Labels[j]
	}
	return y
}
