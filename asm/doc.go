// Package asm holds the register-tile GEMM micro-kernels of spurious, one
// implementation per instruction set, chosen at start-up.
//
// # Kernel contract
//
// A float64 micro-kernel K with tile MR x NR computes, for kc >= 1,
//
//	for i := 0; i < K.MR; i++ {
//		for j := 0; j < K.NR; j++ {
//			for p := 0; p < kc; p++ {
//				c[i*ldc+j] += a[p*K.MR+i] * b[p*K.NR+j]
//			}
//		}
//	}
//
// where a is a packed MR x kc micro-panel (column p of the panel stored
// contiguously) and b a packed kc x NR micro-panel (row p contiguous). The
// float32 kernels are the same with float32. The order of the additions over
// p is fixed for a given kernel, so results are deterministic, but it
// differs between instruction sets (and FMA rounds once), so results differ
// between paths in the last bits.
//
// Kernels need no alignment (C's rows may start anywhere), read only the
// MR*kc and NR*kc values of the panels and write only the MR x NR entries
// of the tile (never the gaps between rows when ldc > NR). c must not
// overlap a. MulAdd's tile may be rows of b itself (ldc = NR): every
// kernel reads all of a and b before it writes c, and the triangular
// solves of package linalg update packed rows in place this way; the
// tiles of MulAddColumn must not overlap b. NaN and ±Inf propagate with the exceptional class of the
// loop above, not necessarily its NaN payload. Kernels are pure functions,
// safe for concurrent use on disjoint tiles.
//
// MulAddColumn applies a kernel to a column of tiles (A micro-panels back
// to back, as in a packed A block; C tiles MR rows apart) in one call: one
// assembly loop on every SIMD path, so that a blocked GEMM pays the call
// overhead once per column. PackA6 packs the 6-row A micro-panels of the
// AVX2 tiles (in registers, four columns per step, for float64).
//
// # One table per architecture
//
// Everything a blocked GEMM needs to know about a kernel travels with its
// tile (TileF64, TileF32): the shape MR x NR, the instruction set, the
// packers of its micro-panels (PackA for A, PackBT for a transposed B, each
// choosing the tile's fastest routine) and its BlockRule, the measured rule
// that turns the cache sizes into the block depth KC and the height MC of a
// packed A block. The tiles of each architecture, their rules and the
// kernels' tuning constants sit in one file: stubs_amd64.go (AVX2,
// AVX-512), stubs_arm64.go (NEON), generic.go (plain Go). Adding an
// instruction set or a CPU family means one entry there plus its kernels;
// package linalg never looks at a tile's height or its instruction set.
//
// FMALoop measures the floating-point peak of the active path at run time.
//
// # Instruction sets
//
// generic (plain Go, always present), avx2 (AVX2+FMA), avx512 (AVX-512F) on
// amd64, and neon on arm64. The best path the CPU supports is chosen at
// start-up; the environment variable SPURIOUS_ISA=generic|avx2|avx512|neon
// selects another, and a path the CPU lacks (or an unknown name) is an
// error, never a silent fallback: EnvError reports it to whoever asks for
// the default (linalg.NewEngine), while an explicitly named path
// (KernelFor, an engine's Settings.ISA) overrides the variable.
// Building with -tags purego removes all assembly.
package asm
