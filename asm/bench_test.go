package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/impl"
)

// BenchmarkKernel times each micro-kernel on L1/L2-resident panels (kc =
// 256, the same panels every call), which is the kernel's ceiling inside a
// blocked GEMM. Compare GFLOP/s with BenchmarkFMALoop (×2 for float32).
func BenchmarkKernel(b *testing.B) {
	for _, v := range gemmF64Variants {
		benchKernel(b, v, "f64")
	}
	for _, v := range gemmF32Variants {
		benchKernel(b, v, "f32")
	}
}

func benchKernel[T float32 | float64](b *testing.B, v gemmVariant[T], prec string) {
	if !v.available {
		return
	}
	const kc = 256
	r := rand.New(rand.NewPCG(4, 0))
	gen := uniform[T](r)
	pa, pb, c := make([]T, v.mr*kc), make([]T, v.nr*kc), make([]T, v.mr*v.nr)
	for _, s := range [][]T{pa, pb, c} {
		for k := range s {
			s[k] = gen()
		}
	}
	b.Run(fmt.Sprintf("impl=%s/prec=%s/kc=%d", v.name, prec, kc), func(b *testing.B) {
		b.SetBytes(int64(len(pa)+len(pb)) * int64(sizeOf[T]()))
		for b.Loop() {
			v.fn(kc, pa, pb, c, v.nr)
		}
		b.ReportMetric(2*float64(v.mr*v.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

func sizeOf[T float32 | float64]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// BenchmarkFMALoop measures the float64 FMA peak of each path, the number
// `spurious bench` divides by.
func BenchmarkFMALoop(b *testing.B) {
	for _, name := range Available() {
		b.Run("impl="+name, func(b *testing.B) {
			withISA(b, name)
			const iters = 1 << 12
			var flops float64
			for b.Loop() {
				flops += FMALoop(iters)
			}
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// withISA selects the named path for the rest of b and restores the
// previous one when b ends.
func withISA(b *testing.B, name string) {
	prev := Active()
	if err := impl.Select(name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := impl.Select(prev); err != nil {
			b.Fatal(err)
		}
	})
}
