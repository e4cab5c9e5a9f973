//go:build gc && !purego

package asm

import "github.com/spurious-ml/spurious/internal/impl"

// useNEON is the dispatch flag of the NEON kernels (Advanced SIMD is part of
// the arm64 baseline), switched by internal/impl.
var useNEON bool

func registerPaths() { impl.Register(NEON, true, &useNEON) }

func activeID() kernelID {
	if useNEON {
		return idNEON
	}
	return idGeneric
}

// TODO(asm-neon): NEON kernels replace the generic ones below.
func tileF64(id kernelID) TileF64 { return tileGenericF64 }

func tileF32(id kernelID) TileF32 { return tileGenericF32 }

func mulAddF64(id kernelID, kc int, a, b, c *float64, ldc int) { mulAddGenericF64(kc, a, b, c, ldc) }

func mulAddF32(id kernelID, kc int, a, b, c *float32, ldc int) { mulAddGenericF32(kc, a, b, c, ldc) }
