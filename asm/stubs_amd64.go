//go:build gc && !purego

package asm

import (
	"golang.org/x/sys/cpu"

	"github.com/spurious-ml/spurious/internal/impl"
)

// Dispatch flags, set at start-up from x/sys/cpu (which honours GODEBUG and
// checks OS support) and switched by internal/impl.
var useAVX2, useAVX512 bool

func registerPaths() {
	impl.Register(AVX2, cpu.X86.HasAVX2 && cpu.X86.HasFMA, &useAVX2)
	impl.Register(AVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA, &useAVX512)
}

func activeID() kernelID {
	switch {
	case useAVX512:
		return idAVX512
	case useAVX2:
		return idAVX2
	}
	return idGeneric
}

// TODO(asm-amd64): SIMD kernels replace the generic ones below.
func tileF64(id kernelID) TileF64 { return tileGenericF64 }

func tileF32(id kernelID) TileF32 { return tileGenericF32 }

func mulAddF64(id kernelID, kc int, a, b, c *float64, ldc int) { mulAddGenericF64(kc, a, b, c, ldc) }

func mulAddF32(id kernelID, kc int, a, b, c *float32, ldc int) { mulAddGenericF32(kc, a, b, c, ldc) }
