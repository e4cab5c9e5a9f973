// Package memorize solves min-norm (or ridge) kernel regression from Gram
// matrices and measures, for every training sample at once, how much of its
// label the model recalls from the sample's spurious part alone.
//
// Inputs are kernel matrices, whatever feature map produced them:
//
//	K   N x N    K[i][j]  = k(z_i, z_j)        training Gram (symmetric)
//	Ks  N x N    Ks[i][j] = k(zs_i, z_j)       spurious query of sample i vs training
//	Kt  Nt x N   Kt[t][j] = k(zt_t, z_j)       test samples
//	Kh  Nh x N   Kh[h][j] = k(zh_h, z_j)       held-out spurious queries (optional)
//
// With a = (K + lambda*I)^{-1} g and B = (K + lambda*I)^{-1}, everything
// follows from one Cholesky factorization and one inverse (N^3/3 + 2N^3/3
// flops; the per-sample quantities cost O(N^2) in total):
//
//	f(x)            = k(x, Z) a                      predictions
//	F_i             = sum_j B_ij Ks[i][j]            feature alignment (paper §2.2, §2.5)
//	S_i             = a_i / B_ii                     stability = g_i - f_{-i}(z_i) (§2.3)
//	f_{-i}(zs_i)    = f(zs_i) - F_i S_i              the paper's Lemma (§2.4)
//
// The identities are exact for any positive definite K; with a ridge they
// hold for K + lambda*I (the ridge model retrained without sample i).
//
// Scaling. A Gram matrix may be multiplied by any c > 0 (e.g. 1/k for k
// random features) without changing predictions or F: a scales by 1/c. The
// ridge is therefore relative: Options.Ridge = lambda solves
// (K + lambda*s*I) a = g with s = mean(diag K), i.e. it is the ridge of the
// Gram rescaled to unit mean diagonal. F, S, predictions and every reported
// statistic are invariant to scaling all Gram matrices by the same c.
//
// Memorization audit. Each training sample's score is g_i f(zs_i); each
// held-out sample's score is gh_h f(zh_h), where zh_h is the spurious query
// of a sample the model never saw (for the paper's data: a test sample with
// its own spurious part and a fresh core, or its image with the centre
// blanked). The AUC and the TPR at 1% FPR of "training vs held-out" on
// these scores are what a membership-inference audit would report.
package memorize
