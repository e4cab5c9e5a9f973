package data

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
}

// N returns the number of training samples.
func (d *Dataset) N() int { return len(d.G) }

// Nt returns the number of test samples.
func (d *Dataset) Nt() int { return len(d.Gt) }
