package fpbound

import (
	"math"
	"testing"
)

func TestHarness(t *testing.T) {
	if Of[float32]() != F32 || Of[float64]() != F64 || 2*F64.U != math.Nextafter(1, 2)-1 || 2*F32.U != float64(math.Nextafter32(1, 2)-1) {
		t.Fatal("formats: u must be half the spacing of the numbers above 1")
	}
	if g := Gamma(10, F64.U); g <= 10*F64.U || g > 10*F64.U*(1+1e-14) || !math.IsInf(Gamma(1<<25, F32.U), 1) {
		t.Fatalf("Gamma(10, u) = %v", g)
	}
	// 1e16 + 1 - 1e16 is 0 in naive float64 and 1 exactly.
	x, y := []float64{1e16, 1, -1e16}, []float64{1, 1, 1}
	if s, abs := Dot2(0, x, y); s != 1 || abs != 2e16+1 {
		t.Fatalf("Dot2 = %v, %v; want 1, 2e16+1", s, abs)
	}
	if p, e := TwoProd(1+0x1p-30, 1+0x1p-30); p != 1+0x1p-29 || e != 0x1p-60 {
		t.Fatalf("TwoProd error %v", e)
	}
	if s, e := TwoSum(1, 0x1p-60); s != 1 || e != 0x1p-60 {
		t.Fatalf("TwoSum = %v, %v", s, e)
	}
	if !Within(1, 1.5, 0.5) || Within(1, 1.5, 0.4) || Within(math.NaN(), 0, math.Inf(1)) || !Within(math.Inf(1), math.Inf(1), 0) {
		t.Fatal("Within")
	}
}
