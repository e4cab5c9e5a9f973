//go:build purego || !gc || !(amd64 || arm64)

package asm

// registerPaths has nothing to register: only the generic path is built.
func registerPaths() {}

func activeID() kernelID { return idGeneric }

func tileF64(kernelID) TileF64 { return tileGenericF64 }

func tileF32(kernelID) TileF32 { return tileGenericF32 }

func mulAddF64(_ kernelID, kc int, a, b, c *float64, ldc int) { mulAddGeneric(kc, a, b, c, ldc) }

func mulAddF32(_ kernelID, kc int, a, b, c *float32, ldc int) { mulAddGeneric(kc, a, b, c, ldc) }

func mulAddColumnF64(id kernelID, mr, kc int, a, b, c *float64, ldc, tiles int) {
	columnLoop(id, mr, kc, a, b, c, ldc, tiles)
}

func mulAddColumnF32(id kernelID, mr, kc int, a, b, c *float32, ldc, tiles int) {
	columnLoop(id, mr, kc, a, b, c, ldc, tiles)
}

func fmaLoop(iters int) float64 { return fmaLoopGeneric(iters) }

// packA6F64 and packA6F32 have no assembly here: PackA6 packs every
// column in Go.
func packA6F64(dst, src []float64, lds int, alpha float64, kb int) int { return 0 }

func packA6F32(dst, src []float32, lds int, alpha float32, kb int) int { return 0 }

// packT8F64 and packT8F32 have no assembly here: PackT8 packs every
// column in Go.
func packT8F64(dst, src []float64, lds, ldd, kb int) int { return 0 }

func packT8F32(dst, src []float32, lds, ldd, kb int) int { return 0 }

// scaleF64 and scaleF32 have no assembly here: scale multiplies every
// element in Go.
func scaleF64(x []float64, alpha float64) int { return 0 }

func scaleF32(x []float32, alpha float32) int { return 0 }
