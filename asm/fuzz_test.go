package asm

import (
	"encoding/binary"
	"math"
	"testing"
)

// bitSource decodes floats from raw fuzz bytes, cycling through them, so
// the fuzzer reaches NaN payloads, infinities and subnormals directly.
type bitSource struct {
	data []byte
	pos  int
}

func (s *bitSource) next(n int) uint64 {
	if len(s.data) == 0 {
		return 0
	}
	var buf [8]byte
	for i := 0; i < n; i++ {
		buf[i] = s.data[s.pos%len(s.data)]
		s.pos++
	}
	return binary.LittleEndian.Uint64(buf[:])
}

func bitsGen[T float32 | float64](s *bitSource) func() T {
	return func() T {
		var z T
		if _, ok := any(z).(float32); ok {
			return T(math.Float32frombits(uint32(s.next(4))))
		}
		return T(math.Float64frombits(s.next(8)))
	}
}

// FuzzKernel runs every available float64 and float32 variant on panels
// and a C tile decoded from raw bits, with the checks of the table tests
// (reference within its error bound or the same exceptional class, guard
// bands, unchanged inputs).
func FuzzKernel(f *testing.F) {
	le := binary.LittleEndian
	f.Add([]byte{}, uint8(0), uint8(0), uint8(0))
	f.Add(le.AppendUint64(nil, math.Float64bits(1.5)), uint8(9), uint8(3), uint8(1))
	special := []byte{}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0x1p-1074, math.MaxFloat64, -2} {
		special = le.AppendUint64(special, math.Float64bits(v))
	}
	f.Add(special, uint8(5), uint8(7), uint8(2))
	f32 := []byte{}
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(-1)), 0x1p-149, math.MaxFloat32, 3} {
		f32 = le.AppendUint32(f32, math.Float32bits(v))
	}
	f.Add(f32, uint8(17), uint8(0), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, kc, off, wide uint8) {
		k := int(kc % 20)
		for _, v := range gemmF64Variants {
			if v.available {
				tc := tileCase{k, v.nr + int(wide%4), int(off % 8), int(off/8) % 8, int(off/64) % 4}
				checkVariant(t, v, tc, bitsGen[float64](&bitSource{data: data}))
			}
		}
		for _, v := range gemmF32Variants {
			if v.available {
				tc := tileCase{k, v.nr + int(wide%4), int(off % 8), int(off/8) % 8, int(off/64) % 4}
				checkVariant(t, v, tc, bitsGen[float32](&bitSource{data: data}))
			}
		}
	})
}
