package asm

// gemm2x4Generic is the name the variant tables (variants_test.go) still
// use for the plain-Go kernel, whose tile is now 2x3 (genericMR x
// genericNR, which the tables read): it forwards to gemm2x3Generic and goes
// away once those tables name gemm2x3Generic.
func gemm2x4Generic[T float32 | float64](kc int, a, b, c []T, ldc int) {
	gemm2x3Generic(kc, a, b, c, ldc)
}
