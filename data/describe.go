package data

import (
	"fmt"
	"image"
	"image/color"
	"strings"
)

// Info describes a real-image data set as a trial would use it: the image
// geometry, the classes with their training and test counts and, when the
// configuration has a class pair (given or the data set's default), the
// pair, its sample counts and the bordered geometry (border, d, alpha).
// The JSON keys are those of `spurious data info --json`.
type Info struct {
	Dataset     string   `json:"dataset"`
	Name        string   `json:"name"`
	Dir         string   `json:"dir"`
	Height      int      `json:"height"`
	Width       int      `json:"width"`
	Channels    int      `json:"channels"`
	Classes     []string `json:"classes"`
	TrainCounts []int    `json:"train_counts"`
	TestCounts  []int    `json:"test_counts"`
	Pair        []int    `json:"pair,omitempty"`
	PairTrain   int      `json:"pair_train,omitempty"`
	PairTest    int      `json:"pair_test,omitempty"`
	Border      int      `json:"border,omitempty"`
	D           int      `json:"d,omitempty"`
	Alpha       float64  `json:"alpha,omitempty"`

	// Bordered is the one-sample trial that gave the pair's geometry, nil
	// without a pair.
	Bordered *Dataset `json:"-"`

	trainTotal, testTotal int // images in the splits, for WriteText
}

// Describe returns the Info of src under cfg (cfg.Name names the data set).
// A data set without a default pair (Fashion-MNIST) and no cfg.Classes
// gives an Info without a pair; other configuration errors are returned.
// Cost: counting the labels and building one bordered sample.
func Describe(src *Source, cfg ImageConfig) (Info, error) {
	k := len(src.Classes)
	out := Info{
		Dataset: cfg.Name, Name: src.Name, Dir: src.Dir,
		Height: src.Train.Height, Width: src.Train.Width, Channels: src.Train.Channels,
		Classes: src.Classes, TrainCounts: src.Train.Counts(k), TestCounts: src.Test.Counts(k),
		trainTotal: src.Train.Len(), testTotal: src.Test.Len(),
	}
	// The pair and the border geometry come from a one-sample trial, so they
	// are exactly what a trial would use.
	one := ImageConfig{Name: cfg.Name, Classes: cfg.Classes, Border: cfg.Border, N: 1}
	t, err := BorderTrial(src, one)
	if err != nil {
		if cfg.Classes == [2]int{} && cfg.Name == "fashion-mnist" {
			return out, nil // no default pair
		}
		return out, err
	}
	full, _ := one.withDefaults() // BorderTrial has accepted it
	pair := full.Classes
	out.Pair = pair[:]
	out.PairTrain = out.TrainCounts[pair[0]] + out.TrainCounts[pair[1]]
	out.PairTest = out.TestCounts[pair[0]] + out.TestCounts[pair[1]]
	out.Border = (t.Width - src.Train.Width) / 2
	out.D, out.Alpha, out.Bordered = t.D, t.Alpha, t
	return out, nil
}

// Limits of the sample count and the zoom of a SampleGrid that `spurious
// data show` accepts; at both limits a grid of 48x48 images is 197,636 x
// 1,548 pixels (1.2 GB in memory).
const (
	MaxGridSamples = 256
	MaxGridZoom    = 16
)

// CheckGrid returns an error naming the value out of range when count is
// not in 1..MaxGridSamples or zoom not in 1..MaxGridZoom, e.g.
// "count 0, want 1..256".
func CheckGrid(count, zoom int) error {
	switch {
	case count < 1 || count > MaxGridSamples:
		return fmt.Errorf("count %d, want 1..%d", count, MaxGridSamples)
	case zoom < 1 || zoom > MaxGridZoom:
		return fmt.Errorf("zoom %d, want 1..%d", zoom, MaxGridZoom)
	}
	return nil
}

// GridCaption describes SampleGrid(ds, zoom) in one line: the samples,
// their labels in order, the rows and the trial's geometry. Cost: O(N).
func GridCaption(ds *Dataset) string {
	labels := make([]string, ds.N())
	for i, g := range ds.G {
		labels[i] = fmt.Sprintf("%+.0f", g)
	}
	return fmt.Sprintf("%d %s training samples (top row; labels %s) above their spurious queries (bottom row); %dx%dx%d, d=%d, alpha=%.4f",
		ds.N(), ds.Name, strings.Join(labels, " "), ds.Height, ds.Width, ds.Channels, ds.D, ds.Alpha)
}

// gridGap is the white space between the tiles of SampleGrid, in output
// pixels.
const gridGap = 4

// SampleGrid draws the training samples of the image trial ds (raw 0..255
// values) in the top row and their spurious queries in the bottom row,
// each pixel a zoom x zoom block, on a white background. Cost: the image,
// 2*N*D*zoom^2 pixels.
func SampleGrid(ds *Dataset, zoom int) *image.NRGBA {
	th, tw := ds.Height*zoom, ds.Width*zoom
	n := ds.N()
	img := image.NewNRGBA(image.Rect(0, 0, n*tw+(n+1)*gridGap, 2*th+3*gridGap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for row, m := range [][]float64{ds.Z, ds.Zs} {
		for i := range n {
			z := m[i*ds.D : (i+1)*ds.D]
			x0, y0 := gridGap+i*(tw+gridGap), gridGap+row*(th+gridGap)
			for y := range ds.Height {
				for x := range ds.Width {
					p := z[(y*ds.Width+x)*ds.Channels:]
					c := color.NRGBA{A: 255}
					if ds.Channels == 1 {
						c.R, c.G, c.B = byte(p[0]), byte(p[0]), byte(p[0])
					} else {
						c.R, c.G, c.B = byte(p[0]), byte(p[1]), byte(p[2])
					}
					for dy := range zoom {
						for dx := range zoom {
							img.SetNRGBA(x0+x*zoom+dx, y0+y*zoom+dy, c)
						}
					}
				}
			}
		}
	}
	return img
}
