package asm

import (
	"math"
	"sync/atomic"
)

// errIters is the panic message of FMALoop for a negative count.
const errIters = "asm: iters < 0"

// fmaChains is the number of independent multiply-add chains FMALoop keeps
// in flight: enough to cover the FMA latency times the number of FMA pipes
// (4 cycles x 2 pipes on current x86 and arm64 cores) with a margin.
const fmaChains = 12

// FMALoop runs iters iterations of fmaChains = 12 independent float64
// multiply-add chains on the widest vector registers of the active
// instruction set (zmm for avx512, ymm for avx2, 128-bit registers for neon,
// scalar Go for generic) and returns the number of floating-point operations
// it executed (2 per lane per multiply-add). Timing it gives the machine's
// float64 peak for the active path; the float32 peak of the SIMD paths is
// twice that. The chains multiply and add zeros, so no value can overflow or
// become subnormal. It costs about iters*12/P cycles, P the number of FMA
// pipes, and panics if iters < 0.
func FMALoop(iters int) (flops float64) {
	if iters < 0 {
		panic(errIters)
	}
	return fmaLoop(iters)
}

// fmaSink keeps the generic chains observable so the compiler cannot drop
// them. It holds the bits of 0 and is only written if the chains (which
// start at 0 and add 0*0) ever become non-zero, so concurrent FMALoop calls
// share it without a race.
var fmaSink atomic.Uint64

// fmaLoopGeneric is FMALoop in plain Go: 12 scalar chains x = x*m + d.
func fmaLoopGeneric(iters int) float64 {
	var x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 float64
	m := math.Float64frombits(fmaSink.Load())
	d := m
	for i := 0; i < iters; i++ {
		x0 = x0*m + d
		x1 = x1*m + d
		x2 = x2*m + d
		x3 = x3*m + d
		x4 = x4*m + d
		x5 = x5*m + d
		x6 = x6*m + d
		x7 = x7*m + d
		x8 = x8*m + d
		x9 = x9*m + d
		x10 = x10*m + d
		x11 = x11*m + d
	}
	if s := x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11; s != 0 {
		fmaSink.Store(math.Float64bits(s))
	}
	return float64(iters) * fmaChains * 2
}
