package linalg

import (
	"math"
	"slices"
	"sync/atomic"
	"testing"
)

func TestDotMulVec(t *testing.T) {
	for n := 0; n <= 9; n++ {
		x, y := make([]float64, n), make([]float64, n+2)
		var want, bound float64
		for i := range x {
			x[i], y[i] = float64(i+1)/3, 1-float64(i)/7
			want += x[i] * y[i]
			bound += math.Abs(x[i] * y[i])
		}
		bound *= float64(n+1) * 0x1p-52
		if got := Dot(x, y); math.Abs(got-want) > bound {
			t.Errorf("Dot n=%d: %v, want %v ± %v", n, got, want, bound)
		}
	}
	a := MatrixFrom(2, 3, []float64{1, 2, 3, 4, 5, 6})
	y := make([]float64, 2)
	MulVec(a.View(0, 0, 2, 3), []float64{1, 0, -1}, y)
	if !slices.Equal(y, []float64{-2, -2}) {
		t.Errorf("MulVec = %v, want [-2 -2]", y)
	}
	defer func() {
		if recover() != errVecLen {
			t.Error("MulVec with a short x did not panic with errVecLen")
		}
	}()
	MulVec(a, []float64{1}, y)
}

func TestParallelFor(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		prev := SetThreads(threads)
		for _, n := range []int{0, 1, 2, 5, 100} {
			var covered atomic.Int64
			seen := make([]int32, n)
			ParallelFor(n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&seen[i], 1)
				}
				covered.Add(int64(hi - lo))
			})
			if covered.Load() != int64(n) || slices.ContainsFunc(seen, func(c int32) bool { return c != 1 }) {
				t.Errorf("threads=%d n=%d: ranges do not partition [0,n): %v", threads, n, seen)
			}
		}
		SetThreads(prev)
	}
}

// TestMulVecParallel checks that the row-split MulVec of a matrix above
// mulVecParallel gives, for every thread count, exactly the Dot of each row.
func TestMulVecParallel(t *testing.T) {
	rows, cols := 300, mulVecParallel/300+7
	a := NewMatrix[float64](rows, cols)
	fillUniform(gemmTestRNG(3), a)
	x := make([]float64, cols)
	for i := range x {
		x[i] = float64(i%7) - 3
	}
	for _, threads := range []int{1, 2, 3} {
		prev := SetThreads(threads)
		y := make([]float64, rows)
		MulVec(a, x, y)
		SetThreads(prev)
		for i, v := range y {
			if want := Dot(a.Row(i), x); v != want {
				t.Fatalf("threads=%d: y[%d] = %v, want Dot of row %d = %v", threads, i, v, i, want)
			}
		}
	}
}
