// Package theory computes the paper's predictions for how much random
// features (RF) and neural-tangent (NTK) models memorize spurious features:
// Hermite expansions of activations, the feature-alignment limit gamma in
// three regimes, and the infinite-width kernels.
//
// Conventions (paper §3.1): h_l = He_l/sqrt(l!) are the normalized
// probabilists' Hermite polynomials, orthonormal under G ~ N(0,1);
// mu_l(f) = E[f(G) h_l(G)]; kappa(t) = E[f(G1) f(G2)] = sum_l mu_l^2 t^l for
// standard normals with correlation t; mu_l(f') = sqrt(l+1) mu_{l+1}(f).
//
// Building blocks:
//   - GaussHermite: n-point rules for the standard normal weight, stable at
//     any n up to 4096 (Golub–Welsch eigenvalues, Newton polishing, weights
//     in logarithms), cached.
//   - HermiteCoeffs: mu_l of any function by quadrature with an error
//     estimate from two orders; ReLUCoeffs, StepCoeffs and polynomial
//     coefficients are exact closed forms; Coeffs picks the right one for
//     an activation and model.
//   - Predictor (and GammaPsi): gamma for RF (phi) and NTK (phi', paper or
//     true derivative) at large N (gamma_RF^lb, gamma_NTK), small N, and
//     the proportional deterministic equivalent gamma(psi), psi = (N-1)/d,
//     with the Marchenko–Pastur root M(s, psi).
//   - RFKernel, NTKKernel: the k -> infinity kernels for inputs of any norm,
//     as functions of |z|^2, |z'|^2 and z.z' (the rf-inf and ntk-inf models):
//     arc-cosine closed forms for relu and its step derivative, exact finite
//     series for polynomials, and a Hermite (Mehler) series with a rigorous
//     tail bound, falling back to 2-D Gauss–Hermite quadrature, otherwise.
//
// Where a closed kernel exists, the sums over infinitely many Hermite
// orders in gamma use it (c_* = kappa(1) - mu_0^2 - mu_1^2 and
// c_*(alpha) = kappa(alpha) - mu_0^2 - mu_1^2 alpha), so nothing is truncated.
//
// The package imports only activation and the standard library.
package theory
