// Package bench measures the operations behind a memorization trial: GEMM,
// SYRK, the Cholesky factorization (potrf), triangular solves (trsm), a
// whole random-features or NTK trial (rf, ntk), and a training step of
// the paper's networks (nn-fc, nn-cnn). Lookup returns an operation's
// preparation (Op), which sets up one Case from a Config; Run times it
// (median of repeated samples, each long enough to average out load
// bursts) and reports GFLOP/s against the FMA peak that MeasurePeak
// measures. It is what `spurious bench` executes.
package bench
