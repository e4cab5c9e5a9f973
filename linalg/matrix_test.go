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
