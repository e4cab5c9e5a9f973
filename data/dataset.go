package data

import (
	"fmt"
	"math"
)

// Dataset is one trial's data: training samples Z with labels G, their
// spurious queries Zs (row i belongs to training sample i), and a test set
// Zt with labels Gt. Matrices are row-major, one sample per row, D columns.
// Labels are -1 or +1.
type Dataset struct {
	Name  string    // e.g. "synthetic", "mnist", "cifar10 (JPEG copy)"
	D     int       // input dimension
	Alpha float64   // fraction of coordinates that are spurious
	Z     []float64 // N x D training inputs
	Zs    []float64 // N x D spurious queries
	Zt    []float64 // Nt x D test inputs
	G     []float64 // N training labels
	Gt    []float64 // Nt test labels

	// Height, Width and Channels give the image geometry of a row (HWC
	// order, Height*Width*Channels == D) for image data; all zero otherwise.
	Height, Width, Channels int
}

// N returns the number of training samples.
func (d *Dataset) N() int { return len(d.G) }

// Nt returns the number of test samples.
func (d *Dataset) Nt() int { return len(d.Gt) }

// Validate checks that the slice lengths agree with D, N and Nt, that
// labels are -1 or +1, that every input is finite and that Alpha lies in
// [0, 1]. It costs one pass over the data.
func (d *Dataset) Validate() error {
	n, nt := d.N(), d.Nt()
	switch {
	case d.D < 1:
		return fmt.Errorf("dataset %q: dimension D=%d, want >= 1", d.Name, d.D)
	case n < 1:
		return fmt.Errorf("dataset %q: no training samples", d.Name)
	case len(d.Z) != n*d.D:
		return fmt.Errorf("dataset %q: Z has %d values, want N*D = %d*%d", d.Name, len(d.Z), n, d.D)
	case len(d.Zs) != n*d.D:
		return fmt.Errorf("dataset %q: Zs has %d values, want N*D = %d*%d", d.Name, len(d.Zs), n, d.D)
	case len(d.Zt) != nt*d.D:
		return fmt.Errorf("dataset %q: Zt has %d values, want Nt*D = %d*%d", d.Name, len(d.Zt), nt, d.D)
	case !(d.Alpha >= 0 && d.Alpha <= 1):
		return fmt.Errorf("dataset %q: Alpha=%v, want a fraction in [0, 1]", d.Name, d.Alpha)
	case d.Height*d.Width*d.Channels != 0 && d.Height*d.Width*d.Channels != d.D:
		return fmt.Errorf("dataset %q: image shape %dx%dx%d does not match D=%d", d.Name, d.Height, d.Width, d.Channels, d.D)
	}
	for _, lab := range [...]struct {
		name string
		g    []float64
	}{{"G", d.G}, {"Gt", d.Gt}} {
		for i, v := range lab.g {
			if v != 1 && v != -1 {
				return fmt.Errorf("dataset %q: label %s[%d] = %v, want -1 or +1", d.Name, lab.name, i, v)
			}
		}
	}
	for _, m := range [...]struct {
		name string
		z    []float64
	}{{"Z", d.Z}, {"Zs", d.Zs}, {"Zt", d.Zt}} {
		for i, v := range m.z {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("dataset %q: %s row %d column %d is %v, want a finite number", d.Name, m.name, i/d.D, i%d.D, v)
			}
		}
	}
	return nil
}
