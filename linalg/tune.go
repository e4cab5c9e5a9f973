package linalg

import (
	"sync"
	"sync/atomic"

	"github.com/klauspost/cpuid/v2"

	"github.com/spurious-ml/spurious/asm"
)

// This file holds every tuning constant of the GEMM engine: the cache sizes
// it plans for and the rules that turn them into the block sizes KC, MC and
// NC (BLIS notation), plus the size below which Gemm runs on one thread.

// Cache sizes assumed when cpuid cannot report them (typical of current
// x86-64 and arm64 server cores).
const (
	defaultL1D = 32 << 10
	defaultL2  = 1 << 20
	defaultL3  = 8 << 20
)

// Bounds of the block sizes, in elements.
const (
	minKC = 64
	maxKC = 512
	maxMC = 1024
	maxNC = 8192
	// kcAlign keeps micro-panels of any precision a whole number of cache
	// lines when MR or NR is odd.
	kcAlign = 16
)

// parallelMinFlops is the smallest flop count for which Gemm (and Syrk,
// Trsm, the Cholesky updates) use more than one thread: below it, waking a
// second goroutine and one barrier per block cost more than they save
// (about 10 µs of work on one core).
const parallelMinFlops = 2 * 96 * 96 * 96

// Caches holds the data-cache sizes, in bytes, that the block sizes derive
// from; Source is "cpuid" when they were detected and "default" when
// cpuid could not tell and the defaults of this package were used.
type Caches struct {
	L1D, L2, L3 int
	Source      string
}

// CacheSizes returns the cache sizes the GEMM engine plans for: L1D and L2
// per core, L3 as reported (shared). Detected once.
func CacheSizes() Caches { return cacheSizes() }

var cacheSizes = sync.OnceValue(func() Caches {
	c := Caches{L1D: cpuid.CPU.Cache.L1D, L2: cpuid.CPU.Cache.L2, L3: cpuid.CPU.Cache.L3, Source: "cpuid"}
	if c.L1D <= 0 || c.L2 <= 0 {
		c = Caches{L1D: defaultL1D, L2: defaultL2, L3: defaultL3, Source: "default"}
	}
	if c.L3 <= 0 {
		c.L3 = defaultL3
	}
	return c
})

// Blocking is the cache blocking of Gemm for one micro-kernel: MR x NR is
// the register tile of the kernel (from package asm), KC the depth of a
// packed panel, MC the rows of a packed block of A (kept in L2) and NC the
// columns of a packed panel of B (kept in L3, shared by all threads).
// MC is a multiple of MR and NC a multiple of NR.
type Blocking struct {
	ISA           string
	MR, NR        int
	KC, MC, NC    int
	ElemSize      int           // bytes per element: 8 for float64, 4 for float32
	ParallelFlops int           // 2*m*n*k below which Gemm runs on one thread
	Caches        Caches        // the cache sizes the blocking derives from
	Rule          asm.BlockRule // the kernel's rule that turned Caches into KC and MC
	Origin        string        // "tuned" (the tuning file, see TuningState) or "derived" (from Caches and Rule)
}

// GemmBlocking returns the blocking Gemm uses now for element type T on
// the active instruction set.
func GemmBlocking[T Float]() Blocking { return DefaultEngine[T]().Blocking() }

// blocking is the internal form of the block sizes, in elements.
type blocking struct{ kc, mc, nc int }

// blockOverride, when set, replaces the derived block sizes (fields that
// are zero keep their derived value); tests use it to reach block edges
// with small matrices.
var blockOverride atomic.Pointer[blocking]

// ruleKC is the depth KC (before alignment and bounds) at which the
// micro-panels the rule counts take rule.KCL1 times the L1D.
func ruleKC(rule asm.BlockRule, c Caches, mr, nr, size int) int {
	panel := nr * size // bytes per k step of a B micro-panel
	if rule.KCBoth {
		panel += mr * size
	}
	return int(rule.KCL1 * float64(c.L1D) / float64(panel))
}

// setBlockSizes overrides the block sizes until the returned function is
// called. mc and nc are rounded up to multiples of MR and NR when used.
func setBlockSizes(kc, mc, nc int) (restore func()) {
	prev := blockOverride.Swap(&blocking{kc: kc, mc: mc, nc: nc})
	return func() { blockOverride.Store(prev) }
}

// blockSizes returns KC, MC and NC for the mr x nr kernel of instruction
// set isa on elements of size bytes: the tuned values of the tuning file
// when it has them (tuning.go), else KC and MC by the kernel's rule
// (asm.BlockRule, measured per instruction set) and NC so that the packed
// B panel (kc x nc) takes at
// most a sixteenth of the L3 and four L2s (2 MiB on the 32 MiB-L3 EPYCs
// measured). The L3 is shared with the other cores and, in a VM, with
// other tenants; on a Zen 3 VM, n = 3072 ran at 34-38 GFLOP/s per core with
// nc near 1000 against 31-32 with a panel filling a quarter of the L3
// (3640).
func blockSizes(isa string, rule asm.BlockRule, mr, nr, size int) blocking {
	c := cacheSizes()
	kc := min(max(ruleKC(rule, c, mr, nr, size)/kcAlign*kcAlign, minKC), maxKC)
	mc := min(max(int(rule.AL2*float64(c.L2))/(kc*size), mr), maxMC)
	nc := min(max(min(c.L3/16, 4*c.L2)/(kc*size), nr), maxNC)
	b := blocking{kc: kc, mc: mc / mr * mr, nc: nc / nr * nr}
	b = tunedBlockSizes(b, isa, mr, nr, size) // the tuning file's, if any (tuning.go)
	if o := blockOverride.Load(); o != nil {
		if o.kc > 0 {
			b.kc = o.kc
		}
		if o.mc > 0 {
			b.mc = o.mc
		}
		if o.nc > 0 {
			b.nc = o.nc
		}
		b.mc = (b.mc + mr - 1) / mr * mr
		b.nc = (b.nc + nr - 1) / nr * nr
	}
	return b
}
