package linalg

import (
	"strings"
	"testing"
)

func TestMatrixViews(t *testing.T) {
	m := NewMatrix[float64](4, 5)
	for i := range m.Data {
		m.Data[i] = float64(i)
	}
	v := m.View(1, 2, 2, 3)
	if v.Rows != 2 || v.Cols != 3 || v.Stride != 5 {
		t.Fatalf("view shape %dx%d stride %d, want 2x3 stride 5", v.Rows, v.Cols, v.Stride)
	}
	if v.At(1, 2) != m.At(2, 4) {
		t.Fatalf("view (1,2) = %g, want parent (2,4) = %g", v.At(1, 2), m.At(2, 4))
	}
	v.Set(0, 0, -1)
	if m.At(1, 2) != -1 {
		t.Fatal("Set through a view did not reach the parent")
	}
	if r := v.Row(1); len(r) != 3 || cap(r) != 3 || r[0] != m.At(2, 2) {
		t.Fatalf("Row(1) = %v (cap %d), want 3 elements from parent row 2", r, cap(r))
	}
	c := v.Clone()
	if c.Stride != 3 || c.At(1, 1) != v.At(1, 1) {
		t.Fatalf("Clone: stride %d, (1,1) = %g; want compact copy", c.Stride, c.At(1, 1))
	}
	c.Set(0, 0, 99)
	if v.At(0, 0) == 99 {
		t.Fatal("Clone shares storage with its source")
	}
	for _, e := range [][4]int{{0, 0, 0, 5}, {4, 0, 0, 0}, {0, 5, 0, 0}} {
		if w := m.View(e[0], e[1], e[2], e[3]); w.Rows != e[2] || w.Cols != e[3] || len(w.Clone().Data) != 0 {
			t.Fatalf("empty view %v: %dx%d", e, w.Rows, w.Cols)
		}
	}
	empty := m.View(1, 1, 3, 0)
	if len(empty.Row(2)) != 0 {
		t.Fatal("Row of a view with no columns is not empty")
	}
	w := MatrixFrom(2, 3, []float32{1, 2, 3, 4, 5, 6})
	if w.At(1, 0) != 4 || w.Stride != 3 {
		t.Fatalf("MatrixFrom: (1,0) = %g stride %d", w.At(1, 0), w.Stride)
	}
}

func TestMatrixPanics(t *testing.T) {
	m := NewMatrix[float64](3, 3)
	for _, tc := range []struct {
		name string
		f    func()
		msg  string
	}{
		{"new-negative", func() { NewMatrix[float64](-1, 2) }, errNegDim},
		{"from-negative", func() { MatrixFrom(2, -2, []float64{}) }, errNegDim},
		{"from-short", func() { MatrixFrom(2, 3, make([]float64, 5)) }, errShortData},
		{"view-past-end", func() { m.View(2, 0, 2, 1) }, errView},
		{"view-negative", func() { m.View(0, -1, 1, 1) }, errView},
		{"stride", func() { Matrix[float64]{Rows: 2, Cols: 3, Stride: 2, Data: make([]float64, 6)}.check() }, errStride},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); s != tc.msg || !strings.HasPrefix(s, "linalg: ") {
					t.Fatalf("panic %v, want %q", r, tc.msg)
				}
			}()
			tc.f()
		})
	}
}

func TestSymmetrize(t *testing.T) {
	rng := gemmTestRNG(7)
	for _, n := range []int{0, 1, 2, symTile - 1, symTile, symTile + 1, 3*symTile + 5, 200} {
		for _, uplo := range []Uplo{Lower, Upper} {
			for _, threads := range []int{1, 2, 3} {
				// A view with a wider stride, so that tile offsets use it.
				base := NewMatrix[float64](n, n+3)
				fillUniform(rng, base)
				a := base.View(0, 1, n, n)
				orig := base.Clone()
				prev := SetThreads(threads)
				Symmetrize(uplo, a)
				SetThreads(prev)
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						src := orig.At(i, j+1) // the kept triangle's element
						if (uplo == Lower && j > i) || (uplo == Upper && j < i) {
							src = orig.At(j, i+1)
						}
						if got := a.At(i, j); got != src {
							t.Fatalf("n=%d uplo=%d threads=%d: a(%d,%d)=%v, want %v", n, uplo, threads, i, j, got, src)
						}
					}
				}
				for i := 0; i < n; i++ { // columns outside the view untouched
					if base.At(i, 0) != orig.At(i, 0) || base.At(i, n+1) != orig.At(i, n+1) || base.At(i, n+2) != orig.At(i, n+2) {
						t.Fatalf("n=%d: Symmetrize wrote outside the view in row %d", n, i)
					}
				}
			}
		}
	}
}
