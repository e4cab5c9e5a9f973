package trial

import (
	"math"

	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/ntk"
	"github.com/spurious-ml/spurious/rf"
)

// memoryEstimate estimates the memory of a trial with the sizes in s:
// data (training, spurious, test and held-out rows of d values), the Gram
// computation (outputs and workspace) and the solve. The parts name the
// Spec fields that drive them.
func memoryEstimate(s *Spec) memory.Estimate {
	// Sizes past a quarter of the int range are clamped so that the sum q
	// below cannot overflow (on 32-bit platforms too); the estimate is then
	// far beyond any machine anyway.
	const huge = math.MaxInt / 4
	n, nt, d := min(s.N, huge), min(s.Nt, huge), min(s.D, huge)
	nh := max(min(s.Heldout, nt), 0)
	q := nt + nh + n
	rows := float64(n) + float64(q)
	var gram float64
	switch s.Model {
	case "rf":
		gram = rf.Bytes(rf.Config{K: s.K, Block: s.Block, Precision: s.Precision}, n, q, d)
	case "ntk":
		gram = ntk.Bytes(ntk.Config{K: s.K, Block: s.Block}, n, q, d)
	default:
		gram = 8 * rows * float64(n)
	}
	return memory.Estimate{
		{What: "data", Bytes: 8 * rows * float64(d), Reduce: "N, Nt or D"},
		{What: "Gram matrices and workspace", Bytes: gram, Reduce: "N or Nt"},
		{What: "solve", Bytes: memorize.Bytes(n, nt, nh, s.VerifyLOO), Reduce: "N or VerifyLOO"},
	}
}
