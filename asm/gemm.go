package asm

import (
	"unsafe"

	"github.com/spurious-ml/spurious/internal/impl"
)

// Panic messages for programmer errors.
const (
	errKc    = "asm: kc < 0"
	errLdc   = "asm: ldc < NR"
	errA     = "asm: packed A panel shorter than MR*kc"
	errB     = "asm: packed B panel shorter than NR*kc"
	errC     = "asm: C tile shorter than (MR-1)*ldc+NR"
	errKind  = "asm: kernel value not obtained from KernelF64 or KernelF32"
	errTiles = "asm: tiles < 0"
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
	MR, NR int       // rows and columns of the C tile
	ISA    string    // instruction set that runs it
	Rule   BlockRule // how a blocked GEMM sizes its blocks for it
	id     kernelID
}

// TileF32 is the float32 counterpart of TileF64.
type TileF32 struct {
	MR, NR int
	ISA    string
	Rule   BlockRule
	id     kernelID
}

// KernelF64 returns the float64 micro-kernel of the active instruction set.
func KernelF64() TileF64 { return tileF64(activeID()) }

// KernelF32 returns the float32 micro-kernel of the active instruction set.
func KernelF32() TileF32 { return tileF32(activeID()) }

// KernelF64For returns the float64 micro-kernel of the named instruction
// set without changing the active one, or an error naming the available
// sets when this build or CPU cannot run it.
func KernelF64For(isa string) (TileF64, error) {
	id, err := idFor(isa)
	if err != nil {
		return TileF64{}, err
	}
	return tileF64(id), nil
}

// KernelF32For is KernelF64For for float32.
func KernelF32For(isa string) (TileF32, error) {
	id, err := idFor(isa)
	if err != nil {
		return TileF32{}, err
	}
	return tileF32(id), nil
}

// idFor returns the kernel id of a runnable instruction set.
func idFor(isa string) (kernelID, error) {
	name, err := impl.Check(isa)
	if err != nil {
		return idNone, err
	}
	switch name {
	case AVX2:
		return idAVX2, nil
	case AVX512:
		return idAVX512, nil
	case NEON:
		return idNEON, nil
	}
	return idGeneric, nil
}

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

// MulAddColumn is MulAdd on a column of tiles, the layout of a packed A
// block: for r < tiles, the MR x NR tile of c starting at row r*MR gets
// the product of the A micro-panel a[r*MR*kc:] and b. Where the path has
// it, one assembly loop runs the whole column, so the per-call overhead
// is paid once per column instead of once per tile. It costs
// 2*MR*NR*kc*tiles flops and panics if a slice is too short.
func (t TileF64) MulAddColumn(kc int, a, b, c []float64, ldc, tiles int) {
	if t.checkColumn(kc, len(a), len(b), len(c), ldc, tiles) {
		mulAddColumnF64(t.id, t.MR, kc, &a[0], &b[0], &c[0], ldc, tiles)
	}
}

// MulAddColumn is TileF64.MulAddColumn for float32.
func (t TileF32) MulAddColumn(kc int, a, b, c []float32, ldc, tiles int) {
	if TileF64(t).checkColumn(kc, len(a), len(b), len(c), ldc, tiles) {
		mulAddColumnF32(t.id, t.MR, kc, &a[0], &b[0], &c[0], ldc, tiles)
	}
}

// checkColumn panics on arguments MulAddColumn cannot take and reports
// whether there is work to do.
func (t TileF64) checkColumn(kc, la, lb, lc, ldc, tiles int) bool {
	if t.id == idNone {
		panic(errKind)
	}
	if kc < 0 {
		panic(errKc)
	}
	if tiles < 0 {
		panic(errTiles)
	}
	if ldc < t.NR {
		panic(errLdc)
	}
	if kc == 0 || tiles == 0 {
		return false
	}
	if la < tiles*t.MR*kc {
		panic(errA)
	}
	if lb < t.NR*kc {
		panic(errB)
	}
	if lc < (tiles*t.MR-1)*ldc+t.NR {
		panic(errC)
	}
	return true
}

// columnLoopF64 runs a column of tiles as one kernel call per tile, for
// paths without a column loop in assembly. Pointers are formed only for
// tiles that exist.
func columnLoopF64(id kernelID, mr, kc int, a, b, c *float64, ldc, tiles int) {
	for r := range tiles {
		mulAddF64(id, kc, (*float64)(unsafe.Add(unsafe.Pointer(a), r*mr*kc*8)), b,
			(*float64)(unsafe.Add(unsafe.Pointer(c), r*mr*ldc*8)), ldc)
	}
}

// columnLoopF32 is columnLoopF64 for float32.
func columnLoopF32(id kernelID, mr, kc int, a, b, c *float32, ldc, tiles int) {
	for r := range tiles {
		mulAddF32(id, kc, (*float32)(unsafe.Add(unsafe.Pointer(a), r*mr*kc*4)), b,
			(*float32)(unsafe.Add(unsafe.Pointer(c), r*mr*ldc*4)), ldc)
	}
}
