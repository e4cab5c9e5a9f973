package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// toySource builds a source of 3x2 images with C channels whose pixel
// values encode (image, position) so tests can find which image was drawn.
func toySource(c int, ntrain, ntest int) *Source {
	mk := func(n, off int) *ImageSet {
		s := &ImageSet{Height: 3, Width: 2, Channels: c}
		for i := range n {
			s.Labels = append(s.Labels, i%4) // classes 0..3 cycling
			for p := range 6 * c {
				s.Pix = append(s.Pix, byte(1+(off+i)%200+p%50)) // never 0
			}
		}
		return s
	}
	return &Source{Name: "toy", Train: mk(ntrain, 0), Test: mk(ntest, 100), Classes: []string{"a", "b", "c", "d"}}
}

func TestBorderTrialStructure(t *testing.T) {
	for _, c := range []int{1, 3} {
		src := toySource(c, 40, 20)
		cfg := ImageConfig{Name: "mnist", Classes: [2]int{1, 2}, Border: 2, N: 15, Nt: 8, Seed: 7}
		ds, err := BorderTrial(src, cfg)
		if err != nil {
			t.Fatal(err)
		}
		H, W := 7, 6
		if ds.D != H*W*c || ds.Height != H || ds.Width != W || ds.Channels != c || ds.N() != 15 || ds.Nt() != 8 {
			t.Fatalf("c=%d: got d=%d %dx%dx%d n=%d nt=%d", c, ds.D, ds.Height, ds.Width, ds.Channels, ds.N(), ds.Nt())
		}
		if want := float64(H*W-6) / float64(H*W); ds.Alpha != want {
			t.Errorf("alpha %v, want %v", ds.Alpha, want)
		}
		if err := ds.Validate(); err != nil {
			t.Fatal(err)
		}
		inCentre := func(k int) bool {
			y, x := k/c/W, k/c%W
			return y >= 2 && y < 5 && x >= 2 && x < 4
		}
		check := func(split string, set *ImageSet, z []float64, g []float64, zs []float64) {
			seen := map[int]bool{}
			for i := range g {
				row := z[i*ds.D : (i+1)*ds.D]
				// Identify the source image from the centre and check every centre value.
				var centre []byte
				for k, v := range row {
					if v != math.Trunc(v) || v < 0 || v > 255 {
						t.Fatalf("%s row %d value %v is not an integer 0..255", split, i, v)
					}
					if inCentre(k) {
						centre = append(centre, byte(v))
					}
				}
				idx := -1
				for j := range set.Len() {
					if slices.Equal(set.Image(j), centre) {
						idx = j
						break
					}
				}
				if idx < 0 {
					t.Fatalf("%s row %d: centre %v is none of the source images", split, i, centre)
				}
				if seen[idx] {
					t.Fatalf("%s: image %d drawn twice (want without replacement)", split, idx)
				}
				seen[idx] = true
				want := map[int]float64{1: -1, 2: 1}[set.Labels[idx]]
				if want == 0 || g[i] != want {
					t.Fatalf("%s row %d: image of class %d has label %v, want class 1 -> -1, class 2 -> +1", split, i, set.Labels[idx], g[i])
				}
				if zs == nil {
					continue
				}
				for k, v := range zs[i*ds.D : (i+1)*ds.D] {
					if inCentre(k) && v != 0 {
						t.Fatalf("spurious row %d: centre value %d = %v, want 0", i, k, v)
					}
					if !inCentre(k) && v != row[k] {
						t.Fatalf("spurious row %d: border value %d = %v, want the training border %v", i, k, v, row[k])
					}
				}
			}
		}
		check("train", src.Train, ds.Z, ds.G, ds.Zs)
		check("test", src.Test, ds.Zt, ds.Gt, nil)
	}
}

// TestBorderNoiseUniform checks the border values against the uniform law
// on 0..255: the mean is 127.5 and the variance (256^2-1)/12; with m values
// the sample mean has standard deviation sqrt((256^2-1)/12/m) and we allow
// 5 of those. Different rows have different borders.
func TestBorderNoiseUniform(t *testing.T) {
	src := toySource(3, 200, 10)
	ds, err := BorderTrial(src, ImageConfig{Name: "cifar10", Classes: [2]int{0, 3}, Border: 4, N: 100, Nt: 2, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	var sum, sum2 float64
	var m int
	counts := make([]int, 256)
	W := ds.Width
	for i := range ds.N() {
		row := ds.Z[i*ds.D : (i+1)*ds.D]
		for k, v := range row {
			y, x := k/3/W, k/3%W
			if y >= 4 && y < 7 && x >= 4 && x < 6 {
				continue
			}
			sum += v
			sum2 += v * v
			counts[int(v)]++
			m++
		}
	}
	mean := sum / float64(m)
	sd := math.Sqrt((256*256 - 1) / 12.0 / float64(m))
	if math.Abs(mean-127.5) > 5*sd {
		t.Errorf("border mean %v, want 127.5 ± %v", mean, 5*sd)
	}
	if v := sum2/float64(m) - mean*mean; math.Abs(v-(256*256-1)/12.0) > 0.05*(256*256-1)/12 {
		t.Errorf("border variance %v, want %v within 5%%", v, (256*256-1)/12.0)
	}
	// Each value 0..255 is hit with probability 1/256 per draw; with m/256
	// expected hits each, a value never drawn has probability (255/256)^m.
	for b, n := range counts {
		if n == 0 {
			t.Errorf("border value %d never drawn in %d draws", b, m)
		}
	}
	if slices.Equal(ds.Z[:ds.D/4], ds.Z[ds.D:ds.D+ds.D/4]) {
		t.Error("rows 0 and 1 share their first border values")
	}
}

func TestBorderTrialDeterminism(t *testing.T) {
	src := toySource(1, 60, 30)
	cfg := ImageConfig{Name: "mnist", Classes: [2]int{0, 1}, Border: 3, N: 10, Nt: 5, Seed: 5}
	a, err := BorderTrial(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BorderTrial(src, cfg)
	if !slices.Equal(a.Z, b.Z) || !slices.Equal(a.Zs, b.Zs) || !slices.Equal(a.Zt, b.Zt) || !slices.Equal(a.G, b.G) {
		t.Fatal("same seed gave different data")
	}
	cfg.Seed = 6
	c, _ := BorderTrial(src, cfg)
	if slices.Equal(a.Z, c.Z) {
		t.Fatal("different seeds gave the same data")
	}
	// The test set does not depend on N.
	cfg.Seed, cfg.N = 5, 12
	d, _ := BorderTrial(src, cfg)
	if !slices.Equal(a.Zt, d.Zt) || !slices.Equal(a.Gt, d.Gt) {
		t.Fatal("changing N changed the test set")
	}
}

func TestBorderTrialScaling(t *testing.T) {
	src := toySource(3, 40, 10)
	cfg := ImageConfig{Name: "cifar10", Classes: [2]int{0, 1}, Border: 2, N: 12, Nt: 4, Seed: 2}
	raw, err := BorderTrial(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Scale = ScaleUnit
	unit, err := BorderTrial(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range raw.Z {
		if unit.Z[i] != v/255 {
			t.Fatalf("unit Z[%d] = %v, want %v/255", i, unit.Z[i], v)
		}
	}
	cfg.Scale = ScaleStandardize
	st, err := BorderTrial(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Per channel, the training inputs have mean 0 and variance 1 up to
	// rounding: the sums here and in scale (the mean and the variance) each
	// carry at most γ(n)·Σ|x| ≈ n·u·n·max|x| of error, so over n terms the
	// mean is off by at most ~3·n·u·max|z| and the variance by ~3·n·u·max z².
	n := float64(len(st.Z) / 3)
	u := 0x1p-53
	for c := range 3 {
		var s, s2, big float64
		for i := c; i < len(st.Z); i += 3 {
			s += st.Z[i]
			s2 += st.Z[i] * st.Z[i]
			big = max(big, math.Abs(st.Z[i]))
		}
		if m, v := s/n, s2/n-(s/n)*(s/n); math.Abs(m) > 3*n*u*big || math.Abs(v-1) > 3*n*u*big*big {
			t.Errorf("channel %d: mean %v variance %v, want 0 and 1 within %v, %v", c, m, v, 3*n*u*big, 3*n*u*big*big)
		}
	}
	// The same affine map applies to spurious queries: a raw 0 maps to the
	// same value in every zeroed centre of the same channel.
	for i, v := range raw.Zs {
		if v == 0 && st.Zs[i] != st.Zs[i%3] && raw.Zs[i%3] == 0 {
			t.Fatalf("standardized zero differs between coordinates %d and %d", i, i%3)
		}
	}
	cfg.Scale = "log"
	if _, err := BorderTrial(src, cfg); err == nil || !strings.Contains(err.Error(), "standardize") {
		t.Errorf("unknown scale: got %v, want an error listing the options", err)
	}
}

func TestImageConfigErrors(t *testing.T) {
	src := toySource(1, 20, 8)
	for _, tc := range []struct {
		cfg  ImageConfig
		frag string
	}{
		{ImageConfig{Name: "mnist", Classes: [2]int{1, 1}, N: 2, Nt: 1}, "same"},
		{ImageConfig{Name: "mnist", Classes: [2]int{1, 9}, N: 2, Nt: 1}, "class 9 does not exist"},
		{ImageConfig{Name: "mnist", Classes: [2]int{0, 1}, N: 11, Nt: 1}, "11 training samples requested but the training split has 10"},
		{ImageConfig{Name: "mnist", Classes: [2]int{0, 1}, N: 2, Nt: 5}, "5 test samples requested but the test split has 4"},
		{ImageConfig{Name: "mnist", Classes: [2]int{0, 1}, N: 0, Nt: 1}, "n=0"},
		{ImageConfig{Name: "mnist", Classes: [2]int{0, 1}, N: 1, Border: -1}, "border -1"},
		{ImageConfig{Name: "fashion-mnist", N: 1}, "choose two classes"},
	} {
		_, err := BorderTrial(src, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.frag) {
			t.Errorf("%+v: got %v, want an error mentioning %q", tc.cfg, err, tc.frag)
		}
	}
	if _, err := Images(ImageConfig{Name: "svhn", N: 1}); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("unknown data set: got %v", err)
	}
}

func TestBorderDefaults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		classes [2]int
		border  int
	}{{"mnist", [2]int{1, 7}, 10}, {"cifar10", [2]int{3, 8}, 8}} {
		c, err := ImageConfig{Name: tc.name, N: 1}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		if c.Classes != tc.classes || c.Border != tc.border || c.Scale != ScaleRaw {
			t.Errorf("%s defaults: classes %v border %d scale %q, want %v %d raw", tc.name, c.Classes, c.Border, c.Scale, tc.classes, tc.border)
		}
	}
}
