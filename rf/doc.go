// Package rf computes the Gram matrices of the random-features model
// phi(z) = act(V z), V a k x d matrix with i.i.d. N(0, 1/d) entries, without
// ever holding the N x k feature matrix.
//
// Gram streams over blocks of rows of V: for each block Vb it projects all
// inputs at once, P = act(X Vb^T) (one GEMM per input set plus a vectorized
// activation), and accumulates K += P_Z P_Z^T / k (SYRK) and
// C += P_Q P_Z^T / k (one GEMM for all query sets stacked). Memory is
// O(N^2 + (N+Q)*(d+block)), independent of k. When a query set repeats
// columns of another input (a spurious query keeps its training sample's
// spurious coordinates), Config.Shared lets the shared part of the
// projection be computed once.
//
// Reproducibility: row r of V is drawn from its own PCG stream seeded by
// (Seed, r), so V — and hence the model — depends only on the seed, never on
// the block size or the number of threads. With a fixed block size the Gram
// matrices are bit-for-bit identical for any thread count (the GEMM engine
// sums every entry in a fixed order); across block sizes they agree to
// rounding (the order of the sum over features changes).
//
// Scaling: the Gram matrices are divided by k, so that they converge to the
// infinite-width kernel kappa(z.z'/d) as k grows (paper §1.6).
//
// Precision F32 runs the projection, the activation and the per-block Gram
// products in float32 and accumulates the blocks into float64 matrices.
// Features returns the explicit feature matrix for small sizes; it is the
// test oracle for Gram.
package rf
