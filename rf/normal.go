package rf

import (
	"math/bits"
	"math/rand/v2"
	"sync"
)

// normals draws exactly the values that NormFloat64 of
// rand.New(rand.NewPCG(hi, lo)) returns, about 20% faster
// (BenchmarkNormals): it steps the same PCG-DXSM generator without an
// interface call and takes the common case of the ziggurat (Marsaglia &
// Tsang; more than 98% of draws) itself; every other case is handed to
// NormFloat64, starting with the word already drawn and continuing the
// same stream.
type normals struct {
	hi, lo uint64 // the 128-bit LCG state of rand.PCG
	strips *ziggurat
	replay replaySource
	slow   *rand.Rand // NormFloat64 on replay
}

func newNormals() *normals {
	g := &normals{strips: zigguratStrips()}
	g.replay.rest = g.uint64
	g.slow = rand.New(&g.replay)
	return g
}

// seed sets the state as rand.NewPCG(hi, lo) does.
func (g *normals) seed(hi, lo uint64) { g.hi, g.lo = hi, lo }

// PCG-DXSM with a 128-bit multiplier, as rand.PCG (O'Neill's pcg-cpp
// constants): state = state*mul + inc, then the DXSM output of the new
// state.
const (
	pcgMulHi    = 2549297995355413924
	pcgMulLo    = 4865540595714422341
	pcgIncHi    = 6364136223846793005
	pcgIncLo    = 1442695040888963407
	pcgCheapMul = 0xda942042e4dd58b5
)

// pcgStep advances the state (hi, lo) and returns the new state and its
// output word.
func pcgStep(hi, lo uint64) (nhi, nlo, out uint64) {
	nhi, nlo = bits.Mul64(lo, pcgMulLo)
	nhi += hi*pcgMulLo + lo*pcgMulHi
	var c uint64
	nlo, c = bits.Add64(nlo, pcgIncLo, 0)
	nhi, _ = bits.Add64(nhi, pcgIncHi, c)
	out = nhi ^ nhi>>32
	out *= pcgCheapMul
	out ^= out >> 48
	out *= nlo | 1
	return nhi, nlo, out
}

// uint64 returns the generator's next word.
func (g *normals) uint64() uint64 {
	var u uint64
	g.hi, g.lo, u = pcgStep(g.hi, g.lo)
	return u
}

// fill sets dst[k] to the next draws times scale. Cost: len(dst) draws.
func (g *normals) fill(dst []float64, scale float64) {
	hi, lo, z := g.hi, g.lo, g.strips
	for k := 0; k < len(dst); k++ {
		// The common case, with the state in registers: no call inside.
		var u uint64
		for ; k < len(dst); k++ {
			hi, lo, u = pcgStep(hi, lo)
			j := int32(u)
			i := u >> 32 & 0x7f
			if absInt32(j) >= z.kn[i] {
				break
			}
			x := float64(j) * z.wn[i]
			dst[k] = x * scale
		}
		if k == len(dst) {
			break
		}
		g.hi, g.lo = hi, lo
		dst[k] = g.fromWord(u) * scale
		hi, lo = g.hi, g.lo
	}
	g.hi, g.lo = hi, lo
}

// fromWord returns the draw NormFloat64 makes when its source returns u
// and then the words of g.replay.rest.
func (g *normals) fromWord(u uint64) float64 {
	j := int32(u)
	i := u >> 32 & 0x7f
	if absInt32(j) < g.strips.kn[i] {
		return float64(j) * g.strips.wn[i]
	}
	g.replay.first, g.replay.used = u, 0
	return g.slow.NormFloat64()
}

func absInt32(j int32) uint32 {
	if j < 0 {
		return uint32(-j)
	}
	return uint32(j)
}

// replaySource returns first, then the words of rest.
type replaySource struct {
	first uint64
	used  int
	rest  func() uint64
}

func (s *replaySource) Uint64() uint64 {
	s.used++
	if s.used == 1 {
		return s.first
	}
	return s.rest()
}

// ziggurat holds, for each of the 128 strips of NormFloat64's ziggurat,
// the threshold kn below which |j| takes the common case and the width wn
// that scales it: a word u with j = int32(u), i = u>>32 & 127 and
// |j| < kn[i] gives j * wn[i].
type ziggurat struct {
	kn [128]uint32
	wn [128]float64
}

// zigguratStrips reads the strips from NormFloat64 itself, so that they
// are the standard library's to the bit: with a source that returns a
// chosen word and then words of the common case, a draw is in the common
// case exactly when it asks for one word only. kn is the first j >= 0 that
// asks for more (binary search), wn[i] the value returned for j = 1.
var zigguratStrips = sync.OnceValue(func() *ziggurat {
	const easy = 5 << 32 // strip 5, j = 0: always the common case
	src := &replaySource{rest: func() uint64 { return easy }}
	r := rand.New(src)
	draw := func(i uint64, j uint32) (x float64, common bool) {
		src.first, src.used = i<<32|uint64(j), 0
		x = r.NormFloat64()
		return x, src.used == 1
	}
	z := new(ziggurat)
	for i := range uint64(128) {
		lo, hi := uint64(0), uint64(1)<<31 // common below lo's answer, not at hi
		for lo < hi {
			mid := (lo + hi) / 2
			if _, common := draw(i, uint32(mid)); common {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		z.kn[i] = uint32(lo)
		if x, common := draw(i, 1); common {
			z.wn[i] = x
		}
	}
	return z
})
