package linalg

import (
	"fmt"
	"unsafe"

	"github.com/spurious-ml/spurious/asm"
)

// Settings are what an Engine fixes: the instruction set and the thread
// count.
type Settings struct {
	// ISA names the instruction set of the micro-kernels (generic, avx2,
	// avx512, neon; see asm.Available). Empty means the process default:
	// the active path (the one $SPURIOUS_ISA selected, else the best
	// available).
	ISA string `json:"isa,omitempty"`
	// Threads caps the goroutines of each routine; 0 means the process
	// default, Threads() when the engine is made.
	Threads int `json:"threads,omitempty"`
}

// Resolve returns s with both fields made concrete (the canonical name of
// the instruction set and a positive thread count), or an error: an
// unknown or unavailable instruction set (the error names the available
// ones), an unusable $SPURIOUS_ISA when ISA is empty, or negative Threads.
func (s Settings) Resolve() (Settings, error) {
	if s.Threads < 0 {
		return s, fmt.Errorf("threads %d: want >= 0 (0: all cores)", s.Threads)
	}
	if s.Threads == 0 {
		s.Threads = Threads()
	}
	if s.ISA == "" {
		if err := asm.EnvError(); err != nil {
			return s, fmt.Errorf("%w; name an instruction set explicitly or fix the variable", err)
		}
		s.ISA = asm.Active()
		return s, nil
	}
	isa, err := asm.Check(s.ISA)
	if err != nil {
		return s, err
	}
	s.ISA = isa
	return s, nil
}

// Engine runs the routines of this package on one instruction set and
// thread count, fixed when it is made: concurrent computations on engines
// with different settings cannot affect each other, and no call reads the
// process-wide settings (SPURIOUS_ISA, SetThreads, the active path). The
// package-level functions are the methods of DefaultEngine. An Engine is
// immutable and safe for concurrent use; making one costs microseconds.
type Engine[T Float] struct {
	eng engine[T] // its maxThreads caps every routine, packed or not
}

// NewEngine returns an engine with settings s (zero fields take the
// process defaults, see Settings.Resolve), or the error of Resolve.
func NewEngine[T Float](s Settings) (*Engine[T], error) {
	s, err := s.Resolve()
	if err != nil {
		return nil, err
	}
	k, err := kernelFor[T](s.ISA)
	if err != nil {
		return nil, err
	}
	return &Engine[T]{eng: *engineOf(k, s.Threads)}, nil
}

// DefaultEngine returns an engine on the active instruction set (the one
// $SPURIOUS_ISA selected when usable, else the best available) and
// Threads(), as the package-level functions use. Unlike NewEngine it
// cannot fail: an unusable $SPURIOUS_ISA leaves the best path active (see
// asm.EnvError).
func DefaultEngine[T Float]() *Engine[T] {
	return &Engine[T]{eng: *newEngine[T]()}
}

// e returns a private copy of the packed machinery for one call.
func (en *Engine[T]) e() *engine[T] {
	e := en.eng
	return &e
}

// ISA returns the name of the engine's instruction set.
func (en *Engine[T]) ISA() string { return en.eng.isa }

// Threads returns the engine's goroutine cap.
func (en *Engine[T]) Threads() int { return en.eng.maxThreads }

// Settings returns the engine's resolved settings.
func (en *Engine[T]) Settings() Settings { return Settings{ISA: en.ISA(), Threads: en.eng.maxThreads} }

// Blocking returns the cache blocking of the engine's GEMM.
func (en *Engine[T]) Blocking() Blocking {
	k, b := en.eng.kernel, en.eng.blocking
	size := int(unsafe.Sizeof(T(0)))
	return Blocking{
		ISA: k.isa, MR: k.mr, NR: k.nr, KC: b.kc, MC: b.mc, NC: b.nc,
		ElemSize: size, ParallelFlops: parallelMinFlops,
		Caches: cacheSizes(), Rule: k.rule, Origin: blockOrigin(b, k.isa, k.mr, k.nr, size),
	}
}

// Gemm is the package-level Gemm on this engine.
func (en *Engine[T]) Gemm(tA, tB Transpose, alpha T, a, b Matrix[T], beta T, c Matrix[T]) {
	gemm(en.e(), tA, tB, alpha, a, b, beta, c)
}

// Syrk is the package-level Syrk on this engine.
func (en *Engine[T]) Syrk(uplo Uplo, t Transpose, alpha T, a Matrix[T], beta T, c Matrix[T]) {
	syrk(en.e(), uplo, t, alpha, a, beta, c)
}

// SyrkTrapezoid is the package-level SyrkTrapezoid on this engine.
func (en *Engine[T]) SyrkTrapezoid(alpha T, a Matrix[T], beta T, c Matrix[T]) {
	syrkTrapezoid(en.e(), alpha, a, beta, c)
}

// Trsm is the package-level Trsm on this engine.
func (en *Engine[T]) Trsm(side Side, uplo Uplo, tA Transpose, diag Diag, alpha T, a, b Matrix[T]) {
	trsm(en.e(), side, uplo, tA, diag, alpha, a, b)
}

// Cholesky is the package-level Cholesky on this engine.
func (en *Engine[T]) Cholesky(a Matrix[T]) error { return choleskyShift(en.e(), a, 0) }

// CholeskyShift is the package-level CholeskyShift on this engine.
func (en *Engine[T]) CholeskyShift(a Matrix[T], shift T) error {
	return choleskyShift(en.e(), a, shift)
}

// CholeskySolve is the package-level CholeskySolve on this engine.
func (en *Engine[T]) CholeskySolve(l, b Matrix[T]) { choleskySolve(en.e(), l, b) }

// CholeskyInverse is the package-level CholeskyInverse on this engine.
func (en *Engine[T]) CholeskyInverse(l Matrix[T]) { choleskyInverse(en.e(), l) }

// CholeskyInverseDiag is the package-level CholeskyInverseDiag on this
// engine.
func (en *Engine[T]) CholeskyInverseDiag(l Matrix[T], dst []T) {
	choleskyInverseDiag(en.e(), l, dst)
}

// MulVec is the package-level MulVec on this engine's threads.
func (en *Engine[T]) MulVec(a Matrix[T], x, y []T) { mulVec(en.eng.maxThreads, a, x, y) }

// Symmetrize is the package-level Symmetrize on this engine's threads.
func (en *Engine[T]) Symmetrize(uplo Uplo, a Matrix[T]) { symmetrize(en.eng.maxThreads, uplo, a) }

// ParallelFor is the package-level ParallelFor on this engine's threads.
func (en *Engine[T]) ParallelFor(n int, fn func(lo, hi int)) { parallelFor(en.eng.maxThreads, n, fn) }
