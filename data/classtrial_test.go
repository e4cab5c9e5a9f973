package data

import (
	"slices"
	"strings"
	"testing"
)

func TestMultiClassTrialStructure(t *testing.T) {
	src := toySource(3, 20, 9)
	cfg := MultiClassConfig{N: 12, Nt: 9, Border: 2, Seed: 9}
	tr, err := MultiClassTrial(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	H, W, C := 7, 6, 3
	if tr.D() != H*W*C || tr.Height != H || tr.Width != W || tr.Channels != C || len(tr.Classes) != 4 || tr.N() != 12 || tr.Nt() != 9 {
		t.Fatalf("geometry %dx%dx%d d=%d classes=%d n=%d nt=%d", tr.Height, tr.Width, tr.Channels, tr.D(), len(tr.Classes), tr.N(), tr.Nt())
	}
	if want := float64(H*W-6) / float64(H*W); tr.Alpha != want {
		t.Errorf("alpha %v, want %v", tr.Alpha, want)
	}
	d := tr.D()
	inside := func(k int) bool {
		y, x := k/C/W, k/C%W
		return y >= 2 && y < 5 && x >= 2 && x < 4
	}
	check := func(split string, set *ImageSet, x []byte, y []int, xs []byte) {
		seen := map[int]bool{}
		for i := range y {
			row := x[i*d : (i+1)*d]
			var centre []byte
			for k, v := range row {
				if inside(k) {
					centre = append(centre, v)
				}
			}
			img := slices.IndexFunc(allIndices(set.Len()), func(j int) bool { return slices.Equal(set.Image(j), centre) })
			if img < 0 || seen[img] {
				t.Fatalf("%s row %d: centre matches image %d (seen before: %v), want a new source image", split, i, img, img >= 0 && seen[img])
			}
			seen[img] = true
			if y[i] != set.Labels[img] {
				t.Errorf("%s row %d: label %d, want the image's class %d", split, i, y[i], set.Labels[img])
			}
			if xs == nil {
				continue
			}
			for k, v := range xs[i*d : (i+1)*d] {
				if inside(k) && v != 0 || !inside(k) && v != row[k] {
					t.Fatalf("spurious row %d value %d = %d, want 0 in the centre and the training border %d outside", i, k, v, row[k])
				}
			}
		}
	}
	check("train", src.Train, tr.X, tr.Y, tr.Xs)
	check("test", src.Test, tr.Xt, tr.Yt, nil)

	again, _ := MultiClassTrial(src, cfg)
	if !slices.Equal(tr.X, again.X) || !slices.Equal(tr.Xt, again.Xt) || !slices.Equal(tr.Y, again.Y) {
		t.Fatal("same seed, different data")
	}
	// Row i's border comes from the stream of (seed, split, i), shared with
	// BorderTrial: only the centres differ.
	pair, err := BorderTrial(src, ImageConfig{Name: "mnist", Classes: [2]int{0, 1}, Border: 2, N: 3, Nt: 1, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for k := range d {
		if !inside(k) && float64(tr.X[k]) != pair.Z[k] {
			t.Fatalf("border value %d: %d in the multi-class trial, %v in BorderTrial with the same seed", k, tr.X[k], pair.Z[k])
		}
	}
}

func TestMultiClassTrialErrors(t *testing.T) {
	src := toySource(1, 20, 9)
	for _, tc := range []struct {
		cfg  MultiClassConfig
		frag string
	}{
		{MultiClassConfig{N: 21}, "training split has 20"},
		{MultiClassConfig{N: 5, Nt: 10}, "test split has 9"},
		{MultiClassConfig{N: 0}, "n=0"},
		{MultiClassConfig{N: 1, Nt: -1}, "nt=-1"},
		{MultiClassConfig{N: 1, Border: -2}, "border -2"},
	} {
		if _, err := MultiClassTrial(src, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.frag) {
			t.Errorf("%+v: got %v, want an error mentioning %q", tc.cfg, err, tc.frag)
		}
	}
	bad := toySource(1, 4, 1)
	bad.Classes = bad.Classes[:2] // labels 2 and 3 have no class
	if _, err := MultiClassTrial(bad, MultiClassConfig{N: 4}); err == nil || !strings.Contains(err.Error(), "outside the 2 classes") {
		t.Errorf("labels beyond the class names: got %v", err)
	}
	for name, want := range map[string]int{"mnist": 10, "fashion-mnist": 10, "cifar10": 8} {
		if got := DefaultBorder(name); got != want {
			t.Errorf("DefaultBorder(%q) = %d, want %d", name, got, want)
		}
	}
}
