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
	errKind  = "asm: tile not obtained from Kernel or KernelFor"
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

// Tile is a micro-kernel for elements of type T: its tile geometry, the
// path it runs and its block rule. Obtain it with Kernel (or KernelFor);
// hold it for the duration of one operation so that packing and kernel
// agree even if the active path changes.
type Tile[T float32 | float64] struct {
	MR, NR int       // rows and columns of the C tile
	ISA    string    // instruction set that runs it
	Rule   BlockRule // how a blocked GEMM sizes its blocks for it
	id     kernelID
}

// TileF64 and TileF32 are the tiles of the two precisions.
type (
	TileF64 = Tile[float64]
	TileF32 = Tile[float32]
)

// Kernel returns the micro-kernel for T of the active instruction set.
func Kernel[T float32 | float64]() Tile[T] { return tileOf[T](activeID()) }

// KernelF64 is Kernel[float64].
func KernelF64() TileF64 { return Kernel[float64]() }

// KernelF32 is Kernel[float32].
func KernelF32() TileF32 { return Kernel[float32]() }

// KernelFor returns the micro-kernel for T of the named instruction set
// without changing the active one, or an error naming the available sets
// when this build or CPU cannot run it.
func KernelFor[T float32 | float64](isa string) (Tile[T], error) {
	id, err := idFor(isa)
	if err != nil {
		return Tile[T]{}, err
	}
	return tileOf[T](id), nil
}

// isF64 reports whether T is float64.
func isF64[T float32 | float64]() bool {
	var zero T
	_, ok := any(zero).(float64)
	return ok
}

// tileOf returns the tile for T of kernel id (tileF64 and tileF32 are the
// per-architecture tables).
func tileOf[T float32 | float64](id kernelID) Tile[T] {
	if isF64[T]() {
		return any(tileF64(id)).(Tile[T])
	}
	return any(tileF32(id)).(Tile[T])
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
func (t Tile[T]) MulAdd(kc int, a, b, c []T, ldc int) {
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
	mulAdd(t.id, kc, &a[0], &b[0], &c[0], ldc)
}

// MulAddColumn is MulAdd on a column of tiles, the layout of a packed A
// block: for r < tiles, the MR x NR tile of c starting at row r*MR gets
// the product of the A micro-panel a[r*MR*kc:] and b. Where the path has
// it, one assembly loop runs the whole column, so the per-call overhead
// is paid once per column instead of once per tile. It costs
// 2*MR*NR*kc*tiles flops and panics if a slice is too short.
func (t Tile[T]) MulAddColumn(kc int, a, b, c []T, ldc, tiles int) {
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
		return
	}
	if len(a) < tiles*t.MR*kc {
		panic(errA)
	}
	if len(b) < t.NR*kc {
		panic(errB)
	}
	if len(c) < (tiles*t.MR-1)*ldc+t.NR {
		panic(errC)
	}
	if isF64[T]() {
		mulAddColumnF64(t.id, t.MR, kc, f64p(&a[0]), f64p(&b[0]), f64p(&c[0]), ldc, tiles)
		return
	}
	mulAddColumnF32(t.id, t.MR, kc, f32p(&a[0]), f32p(&b[0]), f32p(&c[0]), ldc, tiles)
}

// mulAdd runs kernel id of T's precision on checked pointers.
func mulAdd[T float32 | float64](id kernelID, kc int, a, b, c *T, ldc int) {
	if isF64[T]() {
		mulAddF64(id, kc, f64p(a), f64p(b), f64p(c), ldc)
		return
	}
	mulAddF32(id, kc, f32p(a), f32p(b), f32p(c), ldc)
}

// f64p and f32p view a *T as the pointer of its precision (T is that
// type: the callers check isF64).
func f64p[T float32 | float64](p *T) *float64 { return (*float64)(unsafe.Pointer(p)) }
func f32p[T float32 | float64](p *T) *float32 { return (*float32)(unsafe.Pointer(p)) }

// columnLoop runs a column of tiles as one kernel call per tile, for paths
// without a column loop in assembly. Pointers are formed only for tiles
// that exist.
func columnLoop[T float32 | float64](id kernelID, mr, kc int, a, b, c *T, ldc, tiles int) {
	size := int(unsafe.Sizeof(*a))
	for r := range tiles {
		mulAdd(id, kc, (*T)(unsafe.Add(unsafe.Pointer(a), r*mr*kc*size)), b,
			(*T)(unsafe.Add(unsafe.Pointer(c), r*mr*ldc*size)), ldc)
	}
}
