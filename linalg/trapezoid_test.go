package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSyrkTrapezoid checks SyrkTrapezoid on every instruction-set path
// against Syrk on the first n rows and Gemm on the others, bit for bit
// (the contract: the same sums in the same order), on edge shapes, with
// padded rows, NaN in C where beta = 0 must not read, and an upper
// triangle that must keep its bits; and for 1, 2 and 3 threads.
func TestSyrkTrapezoid(t *testing.T) {
	facTypes(t, testSyrkTrapezoid[float64], testSyrkTrapezoid[float32])
}

func testSyrkTrapezoid[T Float](t *testing.T) {
	kern := newEngine[T]()
	rng := rand.New(rand.NewPCG(7, 8))
	mr, nr := kern.mr, kern.nr
	ns := []int{0, 1, mr - 1, mr + 1, nr + 1, 2*max(mr, nr) + 3, kern.mc + 5}
	ks := []int{0, 1, 3, kern.kc + 1}
	type ab struct{ alpha, beta T }
	scalars := []ab{{1, 0}, {-0.5, 1}, {0.25, 2}, {0, 0.5}}
	for _, n := range ns {
		for _, extra := range []int{0, 1, nr + 2, n + 7} {
			m := n + extra
			for _, k := range ks {
				for si, sc := range scalars {
					if n > 2*max(mr, nr)+3 && (si > 1 || k == 1) {
						continue // the large size with fewer cases
					}
					name := fmt.Sprintf("m=%d/n=%d/k=%d/alpha=%v/beta=%v", m, n, k, sc.alpha, sc.beta)
					a := facRand[T](rng, m, k, 3)
					c := facRand[T](rng, m, n, 2)
					if sc.beta == 0 {
						for i := 0; i < m; i++ {
							for j := 0; j <= min(i, n-1); j++ {
								c.Set(i, j, T(math.NaN()))
							}
						}
					}
					want := c.Clone()
					Syrk(Lower, NoTrans, sc.alpha, a.View(0, 0, n, k), sc.beta, want.View(0, 0, n, n))
					Gemm(NoTrans, Trans, sc.alpha, a.View(n, 0, m-n, k), a.View(0, 0, n, k), sc.beta, want.View(n, 0, m-n, n))
					for _, p := range []int{1, 2, 3} {
						got := c.Clone()
						facWithThreads(p, func() { SyrkTrapezoid(sc.alpha, a, sc.beta, got) })
						facSameBits(t, fmt.Sprintf("%s/threads=%d", name, p), got, want)
					}
				}
			}
		}
	}
}

// TestSyrkTrapezoidSmallBlocks repeats the comparison with block sizes far
// below the shape, so that C spans several NC panels and MC blocks and
// the row blocks straddle the end of the triangle.
func TestSyrkTrapezoidSmallBlocks(t *testing.T) {
	restore := setBlockSizes(16, 12, 16)
	defer restore()
	facTypes(t, testSyrkTrapezoidSmall[float64], testSyrkTrapezoidSmall[float32])
}

func testSyrkTrapezoidSmall[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	m, n, k := 143, 61, 600
	a := facRand[T](rng, m, k, 1)
	c := facRand[T](rng, m, n, 1)
	want := c.Clone()
	Syrk(Lower, NoTrans, 0.5, a.View(0, 0, n, k), -1, want.View(0, 0, n, n))
	Gemm(NoTrans, Trans, 0.5, a.View(n, 0, m-n, k), a.View(0, 0, n, k), -1, want.View(n, 0, m-n, n))
	for _, p := range []int{1, 2, 3} {
		got := c.Clone()
		facWithThreads(p, func() { SyrkTrapezoid(0.5, a, -1, got) })
		facSameBits(t, fmt.Sprintf("threads=%d", p), got, want)
	}
}

func TestSyrkTrapezoidPanics(t *testing.T) {
	a := NewMatrix[float64](5, 4)
	for name, f := range map[string]func(){
		"rows":  func() { SyrkTrapezoid(1, a, 0, NewMatrix[float64](4, 3)) },
		"wide":  func() { SyrkTrapezoid(1, a, 0, NewMatrix[float64](5, 6)) },
		"empty": func() { SyrkTrapezoid(1, NewMatrix[float64](0, 4), 0, NewMatrix[float64](0, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
