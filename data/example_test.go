package data_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/spurious-ml/spurious/data"
)

// The paper's synthetic model: d = 1000 with half of the coordinates
// spurious; the spurious query keeps y and redraws x.
func ExampleSynthetic() {
	ds, err := data.Synthetic(data.SyntheticConfig{D: 1000, Alpha: 0.5, N: 200, Nt: 100, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Name, ds.D, ds.N(), ds.Nt(), ds.Alpha)
	// Output: synthetic 1000 200 100 0.5
}

// The noise-border construction on any labelled image set: two 2x2 gray
// images of classes 0 and 1 get a border of width 1 (4x4 canvases); the
// spurious query keeps the border and zeroes the centre.
func ExampleBorderTrial() {
	src := &data.Source{
		Name:    "toy",
		Train:   &data.ImageSet{Height: 2, Width: 2, Channels: 1, Pix: []byte{9, 9, 9, 9, 7, 7, 7, 7}, Labels: []int{0, 1}},
		Test:    &data.ImageSet{Height: 2, Width: 2, Channels: 1, Pix: []byte{5, 5, 5, 5}, Labels: []int{1}},
		Classes: []string{"zero", "one"},
	}
	ds, err := data.BorderTrial(src, data.ImageConfig{Classes: [2]int{0, 1}, Border: 1, N: 2, Nt: 1, Seed: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("d =", ds.D, "alpha =", ds.Alpha)
	fmt.Println("centre of a spurious query:", ds.Zs[5], ds.Zs[6], ds.Zs[9], ds.Zs[10])
	// Output:
	// d = 16 alpha = 0.75
	// centre of a spurious query: 0 0 0 0
}

// Users bring their own data as .npy files.
func ExampleLoadNPYDir() {
	dir, err := os.MkdirTemp("", "npy")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	must(data.WriteNPY(filepath.Join(dir, "z.npy"), []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}))
	must(data.WriteNPY(filepath.Join(dir, "zs.npy"), []int{2, 3}, []float64{0, 2, 3, 0, 5, 6}))
	must(data.WriteNPY(filepath.Join(dir, "zt.npy"), []int{1, 3}, []float64{1, 1, 1}))
	must(data.WriteNPY(filepath.Join(dir, "g.npy"), []int{2}, []int64{-1, 1}))
	must(data.WriteNPY(filepath.Join(dir, "gt.npy"), []int{1}, []int64{1}))
	ds, err := data.LoadNPYDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.N(), ds.Nt(), ds.D, ds.G)
	// Output: 2 1 3 [-1 1]
}

// The noise-border construction on all classes, as the paper's neural
// networks see it: rows stay raw bytes and labels are the classes.
func ExampleMultiClassTrial() {
	src := &data.Source{
		Name:    "toy",
		Train:   &data.ImageSet{Height: 1, Width: 1, Channels: 1, Pix: []byte{10, 20, 30}, Labels: []int{0, 1, 2}},
		Test:    &data.ImageSet{Height: 1, Width: 1, Channels: 1, Pix: []byte{40}, Labels: []int{2}},
		Classes: []string{"a", "b", "c"},
	}
	tr, err := data.MultiClassTrial(src, data.MultiClassConfig{Border: 1, N: 3, Nt: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("d =", tr.D(), "classes =", len(tr.Classes), "test label =", tr.Yt[0])
	fmt.Println("centres:", tr.X[4], tr.X[9+4], tr.X[18+4], "spurious centre:", tr.Xs[4])
	fmt.Println("labels match the centres:", int(tr.X[4])/10-1 == tr.Y[0])
	// Output:
	// d = 9 classes = 3 test label = 2
	// centres: 30 10 20 spurious centre: 0
	// labels match the centres: true
}
