// Package ntk computes the Gram matrices of the first-layer neural tangent
// kernel of a two-layer network, phi(z) = z (x) act'(W z) in R^{d*k}, with
// W a k x d matrix of i.i.d. N(0, 1/d) entries (paper §1.6), and of the
// linear model phi(z) = z.
//
// The d*k-dimensional features are never built: since
// (z (x) u)^T (z' (x) u') = (z^T z') (u^T u'), the Gram is the Hadamard
// product K = (Z Z^T) .* (D D^T) with D = act'(Z W^T), and likewise
// k(Q, Z) = (Q Z^T) .* (D_Q D^T). That costs O(N^2 (d + k)) instead of
// O(N^2 d k). Features builds the explicit Kronecker features for small
// sizes; it is the test oracle. When a query set repeats columns of another
// input (spurious queries keep their training samples' spurious
// coordinates), Config.Shared lets the products on those columns be
// computed once (LinearShared).
//
// DotKernelGram builds Gram matrices of any kernel of norms and dot
// products, such as the infinite-width RF and NTK kernels of package
// theory.
//
// The derivative is the authors' (activation.DerivPaper: phi2 -> h0 + h1,
// phi4 -> h0 + h3, relu -> step) or the true one (activation.DerivTrue).
// W is the weight stream of package rf (row r depends only on the seed and
// r), streamed in row blocks, so results do not depend on the block size
// beyond rounding, nor on the thread count. Gram matrices are divided by k,
// so that they converge to d * t * kappa'(t), t = z.z'/d, as k grows.
package ntk
