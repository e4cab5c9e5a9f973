package rf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNormalsMatchStdlib: normals gives math/rand/v2's NormFloat64 on the
// same PCG bit for bit, including the draws that leave the common case.
func TestNormalsMatchStdlib(t *testing.T) {
	draws := 2_000_000
	if testing.Short() {
		draws = 200_000
	}
	g := newNormals()
	slow := 0
	got := make([]float64, draws)
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {0xdeadbeef, 42}} {
		ref := rand.New(rand.NewPCG(seed[0], seed[1]))
		g.seed(seed[0], seed[1])
		// In rows of odd and even lengths, and an empty one.
		pieces := []int{1000, 1, 2, 3, 999, 7, 0, 4}
		for lo, p := 0, 0; lo < draws; p++ {
			n := min(pieces[p%len(pieces)], draws-lo)
			g.fill(got[lo:lo+n], 1)
			lo += n
		}
		for n, v := range got {
			if want := ref.NormFloat64(); math.Float64bits(v) != math.Float64bits(want) {
				t.Fatalf("seed %v draw %d: %v, NormFloat64 %v", seed, n, v, want)
			}
		}
		scaled := make([]float64, 3)
		g.fill(scaled, 0.25)
		for n, v := range scaled {
			if want := ref.NormFloat64() * 0.25; v != want {
				t.Fatalf("seed %v: scaled draw %d: %v, want %v", seed, n, v, want)
			}
		}
		// Count the draws that left the common case.
		g.seed(seed[0], seed[1])
		for range draws {
			hi, lo := g.hi, g.lo
			g.fill(got[:1], 1)
			if stepped(hi, lo, 1) != [2]uint64{g.hi, g.lo} {
				slow++
			}
		}
	}
	// About 1.2% of draws take the other cases: they must have been met.
	if slow < draws/200 {
		t.Errorf("only %d draws left the common case", slow)
	}
}

func TestZigguratStrips(t *testing.T) {
	z := zigguratStrips()
	if z.kn[1] != 0 {
		t.Errorf("kn[1] = %#x, want 0 (strip 1 never takes the common case)", z.kn[1])
	}
	for i := 2; i < 128; i++ {
		// The strips' right ends x_i = 2^31 wn[i] grow towards the tail.
		if z.kn[i] == 0 || z.wn[i] <= z.wn[i-1] {
			t.Errorf("strip %d: kn %#x, wn %g after %g", i, z.kn[i], z.wn[i], z.wn[i-1])
		}
	}
	// wn[127] is rn / 2^31 with rn = 3.442619855899, rounded to float32.
	if want := float64(float32(3.442619855899 / (1 << 31))); z.wn[127] != want {
		t.Errorf("wn[127] = %g, want %g", z.wn[127], want)
	}
}

// TestNormalsStripEdges feeds the words at each strip's threshold (the
// last j of the common case and the first after it, both signs) to normals
// and to NormFloat64, followed by the same stream: an off-by-one in kn, or
// a wrong wn, shows here although random words almost never meet it.
func TestNormalsStripEdges(t *testing.T) {
	g := newNormals()
	z := zigguratStrips()
	stream := func() func() uint64 {
		p := rand.NewPCG(7, 8)
		return p.Uint64
	}
	for i := range uint64(128) {
		k := int64(z.kn[i])
		for _, j := range []int64{k - 1, k, -(k - 1), -k, 1, 0} {
			u := i<<32 | uint64(uint32(int32(j)))
			g.replay.rest = stream()
			got := g.fromWord(u)
			want := rand.New(&replaySource{first: u, rest: stream()}).NormFloat64()
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("strip %d, j = %d: %v, NormFloat64 %v", i, j, got, want)
			}
		}
	}
}

// stepped returns the PCG state n steps after (hi, lo).
func stepped(hi, lo uint64, n int) [2]uint64 {
	for range n {
		hi, lo, _ = pcgStep(hi, lo)
	}
	return [2]uint64{hi, lo}
}

// TestPCGMatchesStdlib: pcgStep gives rand.PCG's words.
func TestPCGMatchesStdlib(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 3}} {
		p := rand.NewPCG(seed[0], seed[1])
		hi, lo := seed[0], seed[1]
		for n := range 1000 {
			var u uint64
			hi, lo, u = pcgStep(hi, lo)
			if want := p.Uint64(); u != want {
				t.Fatalf("seed %v word %d: %#x, rand.PCG %#x", seed, n, u, want)
			}
		}
	}
}

// BenchmarkNormals compares normals with NormFloat64 on the same PCG, in
// rows of 1000 draws (ns/op is per row).
func BenchmarkNormals(b *testing.B) {
	b.Run("normals", func(b *testing.B) {
		g := newNormals()
		buf := make([]float64, 1000)
		for b.Loop() {
			g.fill(buf, 1)
		}
		b.SetBytes(0)
		sink = buf[0]
	})
	b.Run("NormFloat64", func(b *testing.B) {
		r := rand.New(rand.NewPCG(0, 0))
		buf := make([]float64, 1000)
		for b.Loop() {
			for k := range buf {
				buf[k] = r.NormFloat64()
			}
		}
		sink = buf[0]
	})
}

var sink float64
