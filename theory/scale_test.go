package theory

import (
	"fmt"
	"testing"

	"github.com/spurious-ml/spurious/activation"
)

// TestGammaScaleInvariant: gamma depends on the activation only up to
// scale, so coefficients near the ends of float64's range (whose squares
// overflow or underflow) give the same predictions as moderate ones.
func TestGammaScaleInvariant(t *testing.T) {
	for _, model := range []Model{RF, NTK} {
		var ref [3]float64
		for i, c := range []float64{1, 1e200, 1e-200} {
			act, err := activation.Lookup(fmt.Sprintf("hermite:0,%g,%g,%g", c, c, 3*c))
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPredictor(model, act, activation.DerivPaper)
			if err != nil {
				t.Fatalf("%v scale %g: %v", model, c, err)
			}
			large, _ := p.LargeN(0.5)
			small, _ := p.SmallN(0.5)
			psi, _ := p.Psi(0.5, 100, 1000)
			got := [3]float64{large, small, psi}
			if i == 0 {
				ref = got
				continue
			}
			for j := range got {
				if d := got[j] - ref[j]; d > 1e-14 || d < -1e-14 {
					t.Errorf("%v scale %g: gamma %v, want %v as at scale 1", model, c, got, ref)
					break
				}
			}
		}
	}
}
