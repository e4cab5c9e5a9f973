package linalg

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// FuzzCholesky factors small symmetric matrices decoded from raw bits (so
// NaN, Inf, subnormals and huge values all occur) or from small integers
// made mostly diagonally dominant. It must never panic; it either returns a
// *NotPositiveDefiniteError or a finite factor with a positive diagonal,
// whose residual is checked componentwise for orders up to triLeaf (the
// unblocked path): |A - L L^T| <= 2(n+1)u |L||L^T| plus an underflow term
// of the smallest normal number times the factor's entries. CholeskySolve
// and CholeskyInverseDiag on a returned factor must not panic either.
//
//	go test -run '^$' -fuzz '^FuzzCholesky$' -fuzztime 20000x ./linalg
func FuzzCholesky(f *testing.F) {
	f.Add([]byte{}, uint8(0), false)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(3), false)
	nan := binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN()))
	inf := binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Inf(1)))
	sub := binary.LittleEndian.AppendUint64(nil, 1)
	f.Add(append(append(nan, inf...), sub...), uint8(2), true)
	f.Add([]byte{200, 10, 7, 99, 3, 0, 255, 128, 1, 64}, uint8(37), false)
	f.Fuzz(func(t *testing.T, data []byte, order uint8, raw bool) {
		n := int(order) % (2*triLeaf + 1)
		fuzzCholesky[float64](t, n, data, raw)
		fuzzCholesky[float32](t, n, data, raw)
	})
}

func fuzzCholesky[T Float](t *testing.T, n int, data []byte, raw bool) {
	size := 8
	var zero T
	if _, ok := any(zero).(float32); ok {
		size = 4
	}
	a := NewMatrix[T](n, n)
	idx := 0
	next := func() T {
		defer func() { idx++ }()
		if raw && len(data) >= size {
			off := idx * size % (len(data) - size + 1)
			if size == 8 {
				return T(math.Float64frombits(binary.LittleEndian.Uint64(data[off:])))
			}
			return T(math.Float32frombits(binary.LittleEndian.Uint32(data[off:])))
		}
		if len(data) == 0 {
			return T(idx%7) - 3
		}
		return T(int8(data[idx%len(data)])) / 16
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			a.Set(i, j, next())
		}
		if !raw {
			a.Set(i, i, T(math.Abs(float64(a.At(i, i))))+T(n)/8)
		}
	}
	l := a.Clone()
	err := Cholesky(l)
	if err != nil {
		var e *NotPositiveDefiniteError
		if !errors.As(err, &e) || e.Pivot < 0 || e.Pivot >= n || e.Value > 0 && !math.IsInf(e.Value, 1) {
			t.Fatalf("n=%d: unexpected error %v", n, err)
		}
		return
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := float64(l.At(i, j))
			if math.IsNaN(v) || math.IsInf(v, 0) || (i == j && !(v > 0)) {
				t.Fatalf("n=%d: factor element (%d, %d) = %v", n, i, j, v)
			}
		}
	}
	if n <= triLeaf {
		u := fpbound.Of[T]().U
		tiny := 0x1p-1022
		if size == 4 {
			tiny = 0x1p-126
		}
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				var s, abs, sum float64
				for k := 0; k <= j; k++ {
					p := float64(l.At(i, k)) * float64(l.At(j, k))
					s += p
					abs += math.Abs(p)
					sum += math.Abs(float64(l.At(i, k))) + math.Abs(float64(l.At(j, k)))
				}
				// Rounding, plus underflow: an element of L that
				// underflowed is off by at most tiny, which the residual
				// sees multiplied by its partner in the product.
				bound := 2*float64(n+1)*u*abs + float64(n+1)*tiny*(1+sum)
				if d := math.Abs(float64(a.At(i, j)) - s); !(d <= bound) {
					t.Fatalf("n=%d: residual at (%d, %d) is %g > %g", n, i, j, d, bound)
				}
			}
		}
	}
	b := NewMatrix[T](n, 3)
	for i := range b.Data {
		b.Data[i] = 1
	}
	CholeskySolve(l, b)
	CholeskyInverseDiag(l, make([]T, n))
}
