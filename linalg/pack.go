package linalg

import (
	"sync"
	"unsafe"

	"github.com/spurious-ml/spurious/asm"
)

// Building blocks of the GotoBLAS/BLIS engine, shared by Gemm and by the
// routines built on it (Syrk, Trsm, Cholesky updates):
//
//   - newKernel: the micro-kernel of the active instruction set and its tile
//     MR x NR, obtained once per operation;
//   - blockSizes (tune.go): KC, MC, NC for that tile;
//   - packBlockA: a block of op(A), scaled by alpha, into MR-row micro-panels
//     (packAFromB: the same from a packed B panel, for Gram updates);
//   - packPanelB: a panel of op(B) into NR-column micro-panels;
//   - kernel.tile: one (possibly partial) C tile += A micro-panel x B
//     micro-panel, edge tiles through a small buffer;
//   - kernel.macro: a packed block of A times a range of packed micro-panels
//     of B, added into C (the jr/ir loops of BLIS);
//   - scaleBlock: C = beta*C for a block (beta = 0 writes zeros);
//   - getBuf/putBuf: pooled packing buffers; parallel and barrier
//     (threads.go): one goroutine per thread for a whole operation.
//
// Layout of the packed panels. A packed A block of mb x kb holds
// ceil(mb/MR) micro-panels one after the other; micro-panel r holds rows
// r*MR..r*MR+MR-1, column by column: element (i, p) of the block is at
// r*MR*kb + p*MR + (i - r*MR). A packed B panel of kb x nb holds
// ceil(nb/NR) micro-panels; micro-panel s holds columns s*NR..s*NR+NR-1,
// row by row: element (p, j) is at s*NR*kb + p*NR + (j - s*NR). Rows of A
// and columns of B past the edge are stored as zeros, so the kernel always
// runs on full micro-panels. These are the layouts the asm kernels take.

// packRows is the height of the strips in which packBlockA (transposed)
// and packPanelB (not transposed) read their source: enough rows to fill
// the hardware prefetchers, few enough that their lines stay in L1.
const packRows = 16

// kernel is the micro-kernel of one operation with its tile geometry.
type kernel[T Float] struct {
	mr, nr int
	isa    string
	// mulAdd adds the product of a packed mr x kc micro-panel a and a
	// packed kc x nr micro-panel b to the mr x nr tile of c (row stride
	// ldc): the asm kernel contract.
	mulAdd func(kc int, a, b, c []T, ldc int)
	// mulAddColumn is mulAdd for a column of tiles: A micro-panels one
	// after the other in a, C tiles mr rows apart (asm MulAddColumn).
	mulAddColumn func(kc int, a, b, c []T, ldc, tiles int)
	// packA packs alpha times rows (<= mr) rows of a source into one A
	// micro-panel, zero-padded (asm PackA); packBT packs the transpose of
	// cols (<= nr) rows into one B micro-panel (asm PackBT).
	packA  func(dst, src []T, lds, rows int, alpha T, kb int)
	packBT func(dst, src []T, lds, cols, kb int)
	rule   asm.BlockRule // how the block sizes derive from the caches
}

// engine is the packed machinery of one operation: the micro-kernel of
// one instruction set, its block sizes (tune.go) and the goroutines it may
// use, fixed when the engine is made, so that packing and kernel agree and
// nothing in the call tree reads the process-wide settings again (Engine
// holds one for a whole computation).
type engine[T Float] struct {
	kernel[T]
	blocking
	// maxThreads (>= 1) caps the goroutines of the operations run with this
	// engine; sub-problems that run side by side get a copy with a lower
	// cap.
	maxThreads int
}

// threads is the engine's goroutine cap.
func (e *engine[T]) threads() int { return e.maxThreads }

// threadsFor returns how many goroutines an operation of the given flops
// uses: the engine's cap, or one below parallelMinFlops (tune.go).
func (e *engine[T]) threadsFor(flops float64) int {
	if flops < parallelMinFlops {
		return 1
	}
	return e.threads()
}

// newEngine returns an engine on the active instruction set and Threads().
func newEngine[T Float]() *engine[T] { return engineOf(newKernel[T](), Threads()) }

// engineOf returns the engine of kernel k on up to threads goroutines.
func engineOf[T Float](k kernel[T], threads int) *engine[T] {
	return &engine[T]{kernel: k, blocking: blockSizes(k.isa, k.rule, k.mr, k.nr, int(unsafe.Sizeof(T(0)))), maxThreads: max(threads, 1)}
}

// newKernel returns the micro-kernel of the active instruction set for T.
// Call it once per operation so that packing and kernel agree even if the
// active path is switched meanwhile.
func newKernel[T Float]() kernel[T] { return kernelOf(asm.Kernel[T]()) }

// kernelFor returns the micro-kernel for T of the named instruction set,
// or an error naming the available ones.
func kernelFor[T Float](isa string) (kernel[T], error) {
	t, err := asm.KernelFor[T](isa)
	if err != nil {
		return kernel[T]{}, err
	}
	return kernelOf(t), nil
}

// kernelOf wraps a tile of asm.
func kernelOf[T Float](t asm.Tile[T]) kernel[T] {
	return kernel[T]{mr: t.MR, nr: t.NR, isa: t.ISA, rule: t.Rule,
		mulAdd: t.MulAdd, mulAddColumn: t.MulAddColumn, packA: t.PackA, packBT: t.PackBT}
}

// packedASize is the length of a packed mb x kb block of A.
func packedASize(mb, kb, mr int) int { return (mb + mr - 1) / mr * mr * kb }

// packedBSize is the length of a packed B panel of kb x nb.
func packedBSize(kb, nb, nr int) int { return (nb + nr - 1) / nr * nr * kb }

// packBlockA packs alpha times the mb x kb block of op(A) whose top-left
// element is (i0, p0) into dst with the layout above (op(A) = A, or A^T
// if tA). It reads mb*kb elements and writes packedASize(mb, kb, mr).
func (k *kernel[T]) packBlockA(dst []T, a Matrix[T], tA Transpose, alpha T, i0, mb, p0, kb int) {
	mr, lda := k.mr, a.Stride
	panels := (mb + mr - 1) / mr
	if tA {
		// op(A)(i, p) = A(p, i): rows of A hold columns of every
		// micro-panel; strips of packRows rows, walked panel by panel, as
		// for B in packPanelB.
		for pb := 0; pb < kb; pb += packRows {
			pe := min(pb+packRows, kb)
			for r := 0; r < panels; r++ {
				rows := min(mr, mb-r*mr)
				for p := pb; p < pe; p++ {
					d := dst[r*mr*kb+p*mr : r*mr*kb+p*mr+mr]
					off := (p0+p)*lda + i0 + r*mr
					src := a.Data[off : off+rows]
					for i, v := range src {
						d[i] = alpha * v
					}
					clear(d[rows:])
				}
			}
		}
		return
	}
	// op(A)(i, p) = A(i, p): row i is contiguous in p; the tile's packer
	// reads the rows of a micro-panel together.
	for r := 0; r < panels; r++ {
		rows := min(mr, mb-r*mr)
		end := (i0+r*mr+rows-1)*lda + p0 + kb
		k.packA(dst[r*mr*kb:(r+1)*mr*kb], a.Data[(i0+r*mr)*lda+p0:end], lda, rows, alpha, kb)
	}
}

// packAFromB packs alpha times rows i0..i0+mb-1 of the transpose of a
// packed B panel bp (kb x nb, layout above) as an A block into dst: the A
// block of a Gram update whose B panel holds the same rows, read from
// cache instead of memory. The values equal packBlockA's from the source.
func packAFromB[T Float](dst, bp []T, alpha T, i0, mb, kb, mr, nr int) {
	panels := (mb + mr - 1) / mr
	for r := 0; r < panels; r++ {
		panel := dst[r*mr*kb : (r+1)*mr*kb]
		rows := min(mr, mb-r*mr)
		// Rows i..i+run-1 of the A micro-panel are consecutive columns of
		// one B micro-panel: each step p copies a contiguous run.
		for i := 0; i < rows; {
			col := i0 + r*mr + i
			jj := col % nr
			run := min(rows-i, nr-jj)
			src := bp[col/nr*nr*kb+jj : (col/nr+1)*nr*kb]
			d := panel[i:]
			for p := 0; p < kb; p++ {
				dp := d[p*mr : p*mr+run : p*mr+run]
				sp := src[p*nr : p*nr+run : p*nr+run]
				for q := range dp {
					dp[q] = alpha * sp[q]
				}
			}
			i += run
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kb; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packPanelB packs micro-panels s0..s1-1 of the kb x nb block of op(B) whose
// top-left element is (p0, j0) into dst (which holds the whole packed
// panel, layout above). Threads pack disjoint micro-panel ranges of one
// shared panel. It writes (s1-s0)*nr*kb elements.
func (k *kernel[T]) packPanelB(dst []T, b Matrix[T], tB Transpose, p0, kb, j0, nb, s0, s1 int) {
	nr, ldb := k.nr, b.Stride
	if s0 >= s1 {
		return
	}
	if !tB {
		// op(B)(p, j) = B(p, j): rows of B hold rows of every micro-panel.
		// Walking down one micro-panel at a time reads B at stride ldb
		// (a cache miss per row, no prefetching), walking along the rows
		// writes the panels at a stride of a multiple of 4 KiB (all in one
		// L1 set); strips of packRows rows of B walked panel by panel do
		// neither.
		full := min(s1, nb/nr) // micro-panels without padding
		for pb := 0; pb < kb; pb += packRows {
			pe := min(pb+packRows, kb)
			for s := s0; s < full; s++ {
				o := s*nr*kb + pb*nr
				src := b.Data[(p0+pb)*ldb+j0+s*nr:]
				for p := pb; p < pe; p++ {
					copy(dst[o:o+nr], src)
					o += nr
					if p+1 < pe {
						src = src[ldb:]
					}
				}
			}
			if full < s1 {
				for p := pb; p < pe; p++ {
					d := dst[full*nr*kb+p*nr : full*nr*kb+p*nr+nr]
					off := (p0+p)*ldb + j0 + full*nr
					n := copy(d, b.Data[off:off+nb-full*nr])
					clear(d[n:])
				}
			}
		}
		return
	}
	// op(B)(p, j) = B(j, p): column j of op(B) is row j of B; the tile's
	// packer transposes the rows of a micro-panel.
	for s := s0; s < s1; s++ {
		cols := min(nr, nb-s*nr)
		end := (j0+s*nr+cols-1)*ldb + p0 + kb
		k.packBT(dst[s*nr*kb:(s+1)*nr*kb], b.Data[(j0+s*nr)*ldb+p0:end], ldb, cols, kb)
	}
}

// tile adds the product of the packed micro-panels a (mr x kb) and b
// (kb x nr) to the rows x cols tile of c starting at c[off] (row stride
// ldc). A partial tile (rows < mr or cols < nr) is computed into tmp
// (length >= mr*nr) and then added, so the kernel never writes outside C;
// the sum is the same as for a full tile, so results do not depend on
// where tile edges fall.
func (k *kernel[T]) tile(kb int, a, b, c []T, off, ldc, rows, cols int, tmp []T) {
	if rows == k.mr && cols == k.nr {
		k.mulAdd(kb, a, b, c[off:], ldc)
		return
	}
	t := tmp[:k.mr*k.nr]
	clear(t)
	k.mulAdd(kb, a, b, t, k.nr)
	for i := 0; i < rows; i++ {
		dst := c[off+i*ldc : off+i*ldc+cols]
		src := t[i*k.nr : i*k.nr+cols]
		for j, v := range src {
			dst[j] += v
		}
	}
}

// macro adds (packed A block a, mb x kb) x (micro-panels s0..s1-1 of the
// packed B panel b, kb x nb) into the mb x nb block c: columns
// s0*NR..min(s1*NR, nb)-1 of c are updated. Loop order is BLIS's: a B
// micro-panel stays in L1 while the A micro-panels stream from L2; the
// full tiles of a micro-panel's column go to the kernel in one call.
// It costs 2*mb*kb*(columns updated) flops.
func (k *kernel[T]) macro(kb int, a []T, mb int, b []T, nb, s0, s1 int, c Matrix[T], tmp []T) {
	mr, nr := k.mr, k.nr
	for s := s0; s < s1; s++ {
		bp := b[s*nr*kb : (s+1)*nr*kb]
		j := s * nr
		cols := min(nr, nb-j)
		full := 0 // tiles run as one column
		if cols == nr {
			full = mb / mr
			k.mulAddColumn(kb, a, bp, c.Data[j:], c.Stride, full)
		}
		for r := full; r*mr < mb; r++ {
			i := r * mr
			k.tile(kb, a[r*mr*kb:(r+1)*mr*kb], bp, c.Data, i*c.Stride+j, c.Stride, min(mr, mb-i), cols, tmp)
		}
	}
}

// scaleBlock sets c = beta*c: beta = 1 leaves c alone, beta = 0 writes
// zeros without reading c (so NaN in c does not survive).
func scaleBlock[T Float](c Matrix[T], beta T) {
	if beta == 1 {
		return
	}
	for i := 0; i < c.Rows; i++ {
		row := c.Row(i)
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// Pools of packing buffers, one per element type, so that repeated calls
// (and the blocked factorizations) do not allocate.
var bufPools [2]sync.Pool

func poolFor[T Float]() *sync.Pool {
	var zero T
	if _, ok := any(zero).(float64); ok {
		return &bufPools[0]
	}
	return &bufPools[1]
}

// getBuf returns a pooled buffer of length n with unspecified contents.
func getBuf[T Float](n int) *[]T {
	if v, ok := poolFor[T]().Get().(*[]T); ok && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	s := make([]T, n)
	return &s
}

// putBuf returns a buffer from getBuf to the pool.
func putBuf[T Float](b *[]T) { poolFor[T]().Put(b) }
