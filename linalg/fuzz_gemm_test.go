package linalg

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/spurious-ml/spurious/internal/impl"
)

// FuzzGemm runs Gemm on shapes and values decoded from the fuzzer's input
// on every instruction set and both precisions, and checks the result with
// the same rules as the table tests (error bound for finite data, IEEE
// class for NaN and Inf, nothing outside C touched). Values come from raw
// bits, so NaN payloads, infinities, subnormals and huge magnitudes occur.
//
// shape packs m (mod 13), n (mod 53), k (mod 23), the transposes, the
// alpha and beta choices and whether to use tiny block sizes (so that a
// small product crosses KC, MC and NC blocks).
func FuzzGemm(f *testing.F) {
	f.Add([]byte{}, uint32(0))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, uint32(5+13*9+13*53*7)) // NaN
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0}, uint32(1<<31|9+13*25+13*53*6))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7f}, uint32(12+13*52+13*53*22|3<<26))
	f.Add([]byte("spurious features are memorized"), uint32(7+13*17+13*53*5|1<<25))
	f.Fuzz(func(t *testing.T, data []byte, shape uint32) {
		prev := impl.Active()
		defer func() {
			if err := impl.Select(prev); err != nil {
				t.Fatal(err)
			}
		}()
		for _, isa := range impl.Available() {
			if err := impl.Select(isa); err != nil {
				t.Fatal(err)
			}
			fuzzGemmCase[float64](t, isa, data, shape)
			fuzzGemmCase[float32](t, isa, data, shape)
		}
	})
}

func fuzzGemmCase[T Float](t *testing.T, isa string, data []byte, shape uint32) {
	m := int(shape % 13)
	n := int(shape / 13 % 53)
	k := int(shape / (13 * 53) % 23)
	tA, tB := Transpose(shape>>24&1 == 1), Transpose(shape>>25&1 == 1)
	alpha := T([]float64{1, -1, 0.5, 0}[shape>>26&3])
	beta := T([]float64{0, 1, -1, 2}[shape>>28&3])
	if shape>>31 == 1 {
		defer setBlockSizes(5, 1, 1)()
	}
	size := int(unsafe.Sizeof(T(0)))
	next := 0
	value := func() T {
		if len(data) < size {
			return T(next % 3)
		}
		off := next * size % (len(data) / size * size)
		next++
		if size == 8 {
			return T(math.Float64frombits(binary.LittleEndian.Uint64(data[off:])))
		}
		return T(math.Float32frombits(binary.LittleEndian.Uint32(data[off:])))
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	const fill = 3.5
	a := NewMatrix[T](ar, ac)
	b := NewMatrix[T](br, bc)
	c, cParent := paddedView[T](m, n, 1, 1, 2, fill)
	for _, x := range []Matrix[T]{a, b, c} {
		for i := 0; i < x.Rows; i++ {
			for j := range x.Row(i) {
				x.Row(i)[j] = value()
			}
		}
	}
	c0 := c.Clone()
	Gemm(tA, tB, alpha, a, b, beta, c)
	label := fmt.Sprintf("isa=%s size=%d m=%d n=%d k=%d tA=%v tB=%v alpha=%g beta=%g", isa, size, m, n, k, tA, tB, alpha, beta)
	checkGemm(t, label, tA, tB, alpha, a, b, beta, c0, c)
	checkOutside(t, label, cParent, 1, 1, m, n, fill)
}
