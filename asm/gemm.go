package asm

// Panic messages for programmer errors.
const (
	errKc   = "asm: kc < 0"
	errLdc  = "asm: ldc < NR"
	errA    = "asm: packed A panel shorter than MR*kc"
	errB    = "asm: packed B panel shorter than NR*kc"
	errC    = "asm: C tile shorter than (MR-1)*ldc+NR"
	errKind = "asm: kernel value not obtained from KernelF64 or KernelF32"
)

// kernelID names one micro-kernel implementation.
type kernelID uint8

const (
	idNone kernelID = iota
	idGeneric
	idAVX2
	idAVX512
	idNEON
)

// TileF64 is a float64 micro-kernel: its tile geometry and the path it runs.
// Obtain it with KernelF64; hold it for the duration of one operation so that
// packing and kernel agree even if the active path changes.
type TileF64 struct {
	MR, NR int    // rows and columns of the C tile
	ISA    string // instruction set that runs it
	id     kernelID
}

// TileF32 is the float32 counterpart of TileF64.
type TileF32 struct {
	MR, NR int
	ISA    string
	id     kernelID
}

// KernelF64 returns the float64 micro-kernel of the active instruction set.
func KernelF64() TileF64 { return tileF64(activeID()) }

// KernelF32 returns the float32 micro-kernel of the active instruction set.
func KernelF32() TileF32 { return tileF32(activeID()) }

// MulAdd adds the product of the packed panels a (MR x kc) and b (kc x NR) to
// the MR x NR tile of c with row stride ldc, as the package doc describes.
// It costs 2*MR*NR*kc flops and panics if a slice is too short.
func (t TileF64) MulAdd(kc int, a, b, c []float64, ldc int) {
	if t.id == idNone {
		panic(errKind)
	}
	if kc < 0 {
		panic(errKc)
	}
	if ldc < t.NR {
		panic(errLdc)
	}
	if kc == 0 {
		return
	}
	if len(a) < t.MR*kc {
		panic(errA)
	}
	if len(b) < t.NR*kc {
		panic(errB)
	}
	if len(c) < (t.MR-1)*ldc+t.NR {
		panic(errC)
	}
	mulAddF64(t.id, kc, &a[0], &b[0], &c[0], ldc)
}

// MulAdd is TileF64.MulAdd for float32.
func (t TileF32) MulAdd(kc int, a, b, c []float32, ldc int) {
	if t.id == idNone {
		panic(errKind)
	}
	if kc < 0 {
		panic(errKc)
	}
	if ldc < t.NR {
		panic(errLdc)
	}
	if kc == 0 {
		return
	}
	if len(a) < t.MR*kc {
		panic(errA)
	}
	if len(b) < t.NR*kc {
		panic(errB)
	}
	if len(c) < (t.MR-1)*ldc+t.NR {
		panic(errC)
	}
	mulAddF32(t.id, kc, &a[0], &b[0], &c[0], ldc)
}
