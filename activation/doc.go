// Package activation is the catalogue of activation functions shared by the
// random-features (rf), neural-tangent-kernel (ntk) and theory packages.
//
// Each Activation carries the function phi, its true derivative phi', the
// derivative the paper's authors use in their NTK code (which for the
// Hermite-designed phi2 and phi4 is not the derivative of the RF phi), and,
// for polynomials, the exact coefficients in the normalized (probabilists')
// Hermite basis h_l = He_l / sqrt(l!), which is orthonormal under N(0, 1).
//
// The catalogue (see Names and Lookup):
//
//	relu      max(x, 0)              phi' = 1{x > 0} (both modes)
//	tanh      tanh(x)
//	erf       erf(x)
//	sigmoid   1 / (1 + e^-x)
//	softplus  log(1 + e^x)
//	gelu      x Phi(x) = x (1 + erf(x/sqrt 2)) / 2
//	phi2      h1 + h2                paper NTK phi' = h0 + h1
//	phi4      h1 + h4                paper NTK phi' = h0 + h3
//	hermite:c0,c1,...  sum_l c_l h_l (user polynomial), phi' by h_l' = sqrt(l) h_{l-1}
//
// Block evaluation (Apply, ApplyDeriv and their float32 twins) is the hot
// path of a trial: it runs on N x k elements. It never allocates, uses
// branch-free loops for relu and its step derivative, Horner loops for
// polynomials, and calls the math package directly (no closure per element)
// for the transcendental activations.
//
// The package imports only the standard library.
package activation
