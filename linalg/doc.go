// Package linalg is the dense linear algebra of spurious: a row-major
// matrix view type and the BLAS/LAPACK-style routines the feature models
// spend their time in (Gemm, Syrk, Cholesky, triangular solves), for
// float64 (the default) and float32.
//
// # Matrices
//
// Matrix[T] is a view: element (i, j) is Data[i*Stride+j], and View
// returns a sub-matrix sharing storage, so blocked algorithms and callers
// pass windows of larger arrays without copying. Transposes are flags
// (NoTrans, Trans) handled inside the routines, never copies.
//
// # The GEMM engine
//
// Gemm follows GotoBLAS and BLIS: op(B) is packed into panels of KC rows
// and NC columns cut into NR-wide micro-panels, op(A) into blocks of MC
// rows and KC columns cut into MR-high micro-panels (alpha folded in), and
// a register-tile micro-kernel from package asm multiplies one MR x KC
// micro-panel by one KC x NR micro-panel into an MR x NR tile of C. The
// tile comes from the instruction set active at the call (generic, avx2,
// avx512 or neon; see package asm and SPURIOUS_ISA), and KC, MC, NC from
// the cache sizes reported by cpuid (GemmBlocking shows them; tune.go holds
// every tuning rule). Edge tiles go through a small buffer, so any shape
// and stride runs on the same kernel.
//
// # Tuned block sizes
//
// Tune times candidate KC, MC and NC around the derived ones on this
// machine and keeps a candidate only when it is clearly and consistently
// faster; WriteTuning saves the result to a small versioned JSON file
// (TuningFile: tuning.json under os.UserCacheDir()/spurious, keyed by
// CPUModel, instruction set and precision). The engine loads that file
// once, on its first operation, and uses an entry when it matches the CPU
// model, the active instruction set, the kernel's tile and the derived
// block sizes it was measured against. SPURIOUS_TUNING=off ignores the
// file and SPURIOUS_TUNING=PATH reads another one. A corrupt or stale file
// never fails an operation: it is ignored and TuningState says why.
// GemmBlocking reports whether the block sizes in force are "tuned" or
// "derived".
//
// # Threads and determinism
//
// Gemm runs on up to Threads() goroutines (SetThreads; default GOMAXPROCS),
// one per thread for the whole call: they pack each B panel together and
// then split the C tiles of the panel between them, with one barrier per
// panel. Small products run on one goroutine. Every element of C is summed
// over k in a fixed order by the goroutine that owns its tile, so results
// are identical bit for bit for any number of threads and from run to run.
// They depend on the instruction set (each kernel rounds in its own order;
// FMA rounds once) and on KC, which fixes how the sum over k is split, so
// the same inputs give last-bit differences between machines with
// different kernels, caches or tuned KC. MC and NC change no bit: they
// only decide which tiles are computed together.
//
// # Engines
//
// The package-level functions run on the process-wide settings, read once
// per call: the active instruction set and Threads(). An Engine (NewEngine)
// fixes both for every call made through it, down to the last sub-problem,
// so concurrent computations with different settings cannot affect each
// other; DefaultEngine is the engine of the package-level functions.
//
// # Errors
//
// Shape mismatches and negative sizes are programmer errors and panic with
// a constant message prefixed "linalg: ". Data-dependent failures (a
// matrix that is not positive definite) are returned as errors.
package linalg
