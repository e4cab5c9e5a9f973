package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSyntheticStructure(t *testing.T) {
	for _, tc := range []struct {
		d      int
		alpha  float64
		dx, dy int
	}{{1000, 0.5, 500, 500}, {1000, 0.25, 750, 250}, {7, 0.5, 3, 4}, {2, 0.5, 1, 1}} {
		cfg := SyntheticConfig{D: tc.d, Alpha: tc.alpha, N: 30, Nt: 20, Seed: 9}
		if dx, dy := cfg.Split(); dx != tc.dx || dy != tc.dy {
			t.Errorf("d=%d alpha=%v: split %d+%d, want %d+%d", tc.d, tc.alpha, dx, dy, tc.dx, tc.dy)
		}
		ds, err := Synthetic(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.Validate(); err != nil {
			t.Fatal(err)
		}
		if ds.Name != "synthetic" || ds.D != tc.d || ds.N() != 30 || ds.Nt() != 20 || ds.Alpha != float64(tc.dy)/float64(tc.d) || ds.Height != 0 {
			t.Fatalf("got %s d=%d n=%d nt=%d alpha=%v", ds.Name, ds.D, ds.N(), ds.Nt(), ds.Alpha)
		}
		// u as Synthetic draws it: the labels must be sign(<u, x>).
		ru := NewStream(9, streamSynthU)
		u := make([]float64, tc.dx)
		for i := range u {
			u[i] = ru.NormFloat64() / math.Sqrt(float64(tc.dx))
		}
		sign := func(x []float64) float64 {
			var s float64
			for i := range u {
				s += u[i] * x[i]
			}
			return math.Copysign(1, s)
		}
		for i := range ds.N() {
			z, zs := ds.Z[i*tc.d:(i+1)*tc.d], ds.Zs[i*tc.d:(i+1)*tc.d]
			if g := sign(z[:tc.dx]); g != ds.G[i] {
				t.Fatalf("d=%d sample %d: label %v, want sign(<u,x>) = %v", tc.d, i, ds.G[i], g)
			}
			if !slices.Equal(zs[tc.dx:], z[tc.dx:]) {
				t.Fatalf("d=%d sample %d: spurious query does not keep y", tc.d, i)
			}
			if slices.Equal(zs[:tc.dx], z[:tc.dx]) {
				t.Fatalf("d=%d sample %d: spurious query keeps x", tc.d, i)
			}
		}
		for i := range ds.Nt() {
			if g := sign(ds.Zt[i*tc.d : i*tc.d+tc.dx]); g != ds.Gt[i] {
				t.Fatalf("d=%d test sample %d: label %v, want %v", tc.d, i, ds.Gt[i], g)
			}
		}
	}
}

// TestSyntheticMoments checks that the entries of Z, the fresh cores of Zs
// and Zt are standard normal: over m entries the sample mean has standard
// deviation 1/sqrt(m) and the sample variance sqrt(2/m); we allow 5 of
// those. The fresh core must be uncorrelated with the original core
// (correlation within 5/sqrt(m)), and labels balanced (|mean g| within 5/sqrt(N)).
func TestSyntheticMoments(t *testing.T) {
	cfg := SyntheticConfig{D: 200, Alpha: 0.5, N: 400, Nt: 300, Seed: 1}
	ds, err := Synthetic(cfg)
	if err != nil {
		t.Fatal(err)
	}
	moments := func(name string, vals []float64) {
		m := float64(len(vals))
		var s, s2 float64
		for _, v := range vals {
			s += v
			s2 += v * v
		}
		mean, vr := s/m, s2/m-(s/m)*(s/m)
		if math.Abs(mean) > 5/math.Sqrt(m) || math.Abs(vr-1) > 5*math.Sqrt(2/m) {
			t.Errorf("%s: mean %v variance %v over %v entries, want N(0,1)", name, mean, vr, m)
		}
	}
	dx, _ := cfg.Split()
	var coreS, corr []float64
	for i := range ds.N() {
		for j := range dx {
			coreS = append(coreS, ds.Zs[i*cfg.D+j])
			corr = append(corr, ds.Zs[i*cfg.D+j]*ds.Z[i*cfg.D+j])
		}
	}
	moments("Z", ds.Z)
	moments("Zt", ds.Zt)
	moments("Zs core", coreS)
	var c float64
	for _, v := range corr {
		c += v
	}
	if c /= float64(len(corr)); math.Abs(c) > 5/math.Sqrt(float64(len(corr))) {
		t.Errorf("correlation of fresh and original cores %v, want 0 ± %v", c, 5/math.Sqrt(float64(len(corr))))
	}
	var g float64
	for _, v := range ds.G {
		g += v
	}
	if math.Abs(g/400) > 5/math.Sqrt(400) {
		t.Errorf("mean label %v, want 0 ± 0.25", g/400)
	}
}

func TestSyntheticDeterminism(t *testing.T) {
	a, _ := Synthetic(SyntheticConfig{D: 50, Alpha: 0.3, N: 10, Nt: 5, Seed: 42})
	b, _ := Synthetic(SyntheticConfig{D: 50, Alpha: 0.3, N: 10, Nt: 5, Seed: 42})
	if !slices.Equal(a.Z, b.Z) || !slices.Equal(a.Zs, b.Zs) || !slices.Equal(a.Zt, b.Zt) || !slices.Equal(a.G, b.G) || !slices.Equal(a.Gt, b.Gt) {
		t.Fatal("same seed, different data")
	}
	c, _ := Synthetic(SyntheticConfig{D: 50, Alpha: 0.3, N: 10, Nt: 5, Seed: 43})
	if slices.Equal(a.Z, c.Z) {
		t.Fatal("different seeds, same data")
	}
	// Growing N keeps the first rows and the whole test set.
	d, _ := Synthetic(SyntheticConfig{D: 50, Alpha: 0.3, N: 20, Nt: 5, Seed: 42})
	if !slices.Equal(a.Z, d.Z[:len(a.Z)]) || !slices.Equal(a.Zs, d.Zs[:len(a.Zs)]) || !slices.Equal(a.Zt, d.Zt) {
		t.Fatal("growing N changed earlier rows or the test set")
	}
}

func TestSyntheticErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  SyntheticConfig
		frag string
	}{
		{SyntheticConfig{D: 1, Alpha: 0.5, N: 1}, "d >= 2"},
		{SyntheticConfig{D: 10, Alpha: 0, N: 1}, "0 < alpha < 1"},
		{SyntheticConfig{D: 10, Alpha: 1, N: 1}, "0 < alpha < 1"},
		{SyntheticConfig{D: 10, Alpha: math.NaN(), N: 1}, "0 < alpha < 1"},
		{SyntheticConfig{D: 10, Alpha: 0.01, N: 1}, "dy=0"},
		{SyntheticConfig{D: 10, Alpha: 0.99, N: 1}, "dx=0"},
		{SyntheticConfig{D: 10, Alpha: 0.5, N: 0}, "n >= 1"},
		{SyntheticConfig{D: 10, Alpha: 0.5, N: 1, Nt: -1}, "nt >= 0"},
		{SyntheticConfig{D: math.MaxInt / 16, Alpha: 0.5, N: 64}, "do not fit"},
	} {
		_, err := Synthetic(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.frag) {
			t.Errorf("%+v: got %v, want an error mentioning %q", tc.cfg, err, tc.frag)
		}
	}
}

func TestDatasetValidate(t *testing.T) {
	good := func() *Dataset {
		return &Dataset{Name: "x", D: 2, Alpha: 0.5, Z: []float64{1, 2}, Zs: []float64{0, 2}, Zt: []float64{3, 4}, G: []float64{1}, Gt: []float64{-1}}
	}
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod  func(*Dataset)
		frag string
	}{
		{func(d *Dataset) { d.Zs = d.Zs[:1] }, "Zs has 1 values"},
		{func(d *Dataset) { d.G[0] = 0 }, "G[0] = 0"},
		{func(d *Dataset) { d.Zt[1] = math.Inf(1) }, "Zt row 0 column 1"},
		{func(d *Dataset) { d.Alpha = 2 }, "Alpha=2"},
		{func(d *Dataset) { d.Height, d.Width, d.Channels = 1, 1, 1 }, "image shape"},
	} {
		d := good()
		tc.mod(d)
		if err := d.Validate(); err == nil || !strings.Contains(err.Error(), tc.frag) {
			t.Errorf("got %v, want an error mentioning %q", err, tc.frag)
		}
	}
}
