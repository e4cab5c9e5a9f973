package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/internal/impl"
)

// guard is the bit pattern of the NaNs around and between the operands: an
// out-of-bounds write changes it, an out-of-bounds read turns a result into
// NaN.
const (
	guard64 = 0x7ff8_dead_beef_0bad
	guard32 = 0x7fc0_dbad
	guardN  = 8 // guard elements on each side
)

func guardValue[T float32 | float64]() T {
	var z T
	if _, ok := any(z).(float32); ok {
		return T(math.Float32frombits(guard32))
	}
	return T(math.Float64frombits(guard64))
}

// bitsOf returns the bit pattern of x, widened to 64 bits.
func bitsOf[T float32 | float64](x T) uint64 {
	switch v := any(x).(type) {
	case float32:
		return uint64(math.Float32bits(v))
	case float64:
		return math.Float64bits(v)
	}
	panic("unreachable")
}

// guarded returns a backing slice of n elements at offset off with guardN
// guards before and after (and off extra guards before), plus the operand
// view with cap == len.
func guarded[T float32 | float64](n, off int) (back, view []T) {
	back = make([]T, guardN+off+n+guardN)
	g := guardValue[T]()
	for i := range back {
		back[i] = g
	}
	lo := guardN + off
	return back, back[lo : lo+n : lo+n]
}

// tileCase is one call of a kernel: sizes, C's stride and the element
// offsets of the operands in their backing slices.
type tileCase struct {
	kc, ldc          int
	offA, offB, offC int
}

func (tc tileCase) String() string {
	return fmt.Sprintf("kc=%d ldc=%d offA=%d offB=%d offC=%d", tc.kc, tc.ldc, tc.offA, tc.offB, tc.offC)
}

// checkVariant runs v on the case tc with A, B and the C tile filled by
// gen, then checks every entry of C against refEntry and against the plain
// loop gemmTile{F64,F32}Generic, the guards of all operands (including the
// gaps between C's rows) bit for bit, and that A and B are unchanged.
func checkVariant[T float32 | float64](t *testing.T, v gemmVariant[T], tc tileCase, gen func() T) {
	t.Helper()
	mr, nr, kc, ldc := v.mr, v.nr, tc.kc, tc.ldc
	aBack, a := guarded[T](mr*kc, tc.offA)
	bBack, b := guarded[T](nr*kc, tc.offB)
	cLen := (mr-1)*ldc + nr
	cBack, c := guarded[T](cLen, tc.offC)
	for i := range a {
		a[i] = gen()
	}
	for i := range b {
		b[i] = gen()
	}
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			c[i*ldc+j] = gen()
		}
	}
	aSave, bSave, c0 := slices.Clone(aBack), slices.Clone(bBack), slices.Clone(c)

	v.fn(kc, a, b, c, ldc)

	for i := range aBack {
		if bitsOf(aBack[i]) != bitsOf(aSave[i]) {
			t.Fatalf("%s %v: A backing[%d] changed from %#x to %#x", v.name, tc, i, bitsOf(aSave[i]), bitsOf(aBack[i]))
		}
	}
	for i := range bBack {
		if bitsOf(bBack[i]) != bitsOf(bSave[i]) {
			t.Fatalf("%s %v: B backing[%d] changed from %#x to %#x", v.name, tc, i, bitsOf(bSave[i]), bitsOf(bBack[i]))
		}
	}
	gw := bitsOf(guardValue[T]())
	lo := guardN + tc.offC
	for k := range cBack {
		inTile := k >= lo && k < lo+cLen && (k-lo)%ldc < nr
		if !inTile && bitsOf(cBack[k]) != gw {
			t.Fatalf("%s %v: wrote outside the C tile at backing[%d] (tile starts at %d): %#x", v.name, tc, k, lo, bitsOf(cBack[k]))
		}
	}

	cGen := slices.Clone(c0)
	switch g := any(cGen).(type) {
	case []float64:
		gemmTileGeneric(mr, nr, kc, any(a).([]float64), any(b).([]float64), g, ldc)
	case []float32:
		gemmTileGeneric(mr, nr, kc, any(a).([]float32), any(b).([]float32), g, ldc)
	}
	x, y := make([]T, kc), make([]T, kc)
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			for p := 0; p < kc; p++ {
				x[p], y[p] = a[p*mr+i], b[p*nr+j]
			}
			want, bound, class := refEntry(c0[i*ldc+j], x, y)
			got, gen := float64(c[i*ldc+j]), float64(cGen[i*ldc+j])
			if !matches(got, want, bound, class) {
				t.Fatalf("%s %v: c[%d][%d] = %v, want %v ± %.3g (class %v)", v.name, tc, i, j, got, want, bound, class)
			}
			// The plain loop meets the same bound, so the two differ by at
			// most twice of it.
			if !matches(gen, want, bound, class) {
				t.Fatalf("gemmTileGeneric %v: c[%d][%d] = %v, want %v ± %.3g (class %v)", tc, i, j, gen, want, bound, class)
			}
			if class == classFinite && math.Abs(got-gen) > 2*bound {
				t.Fatalf("%s %v: c[%d][%d] = %v, plain loop %v, differ by more than 2·%.3g", v.name, tc, i, j, got, gen, bound)
			}
		}
	}
}

// kcSizes returns every kc from 0 to 2·unroll+1 plus sizes around 256 (the
// linalg default block depth).
func kcSizes(unroll int) []int {
	var ks []int
	for k := 0; k <= 2*unroll+1; k++ {
		ks = append(ks, k)
	}
	return append(ks, 255, 256, 257)
}

// offsets are the element offsets of the operands: over 64-byte vectors
// they cover every alignment class of float64, and odd ones of float32.
var offsets = []int{0, 1, 3, 7}

// uniform returns a generator of values uniform in [-1, 1).
func uniform[T float32 | float64](r *rand.Rand) func() T {
	return func() T { return T(2*r.Float64() - 1) }
}

// specials returns a generator that mixes NaN, ±Inf, ±0, subnormals,
// huge values and ordinary ones, each special with probability 1/8.
func specials[T float32 | float64](r *rand.Rand) func() T {
	p := fpbound.Of[T]()
	vals := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0,
		p.Eta, -3 * p.Eta, p.Max, -p.Max, 1}
	return func() T {
		if r.IntN(8) == 0 {
			return T(vals[r.IntN(len(vals))])
		}
		return T(2*r.Float64() - 1)
	}
}

func testVariants[T float32 | float64](t *testing.T, variants []gemmVariant[T]) {
	for _, v := range variants {
		t.Run("impl="+v.name, func(t *testing.T) {
			if !v.available {
				t.Skipf("%s not available on this CPU", v.name)
			}
			t.Parallel()
			r := rand.New(rand.NewPCG(1, uint64(v.mr*100+v.nr)))
			for _, kc := range kcSizes(v.unroll) {
				for _, ldc := range []int{v.nr, v.nr + 3} {
					for i, off := range offsets {
						tc := tileCase{kc, ldc, offsets[(i+1)%4], offsets[(i+2)%4], off}
						checkVariant(t, v, tc, uniform[T](r))
					}
				}
			}
		})
	}
}

func TestKernelF64Variants(t *testing.T) { testVariants(t, gemmF64Variants) }
func TestKernelF32Variants(t *testing.T) { testVariants(t, gemmF32Variants) }

func testSpecials[T float32 | float64](t *testing.T, variants []gemmVariant[T]) {
	for _, v := range variants {
		t.Run("impl="+v.name, func(t *testing.T) {
			if !v.available {
				t.Skipf("%s not available on this CPU", v.name)
			}
			t.Parallel()
			r := rand.New(rand.NewPCG(2, uint64(v.mr*100+v.nr)))
			for _, kc := range []int{1, 2, v.unroll + 1, 2*v.unroll + 1, 17} {
				for trial := 0; trial < 8; trial++ {
					tc := tileCase{kc, v.nr + 1, trial % 8, (trial + 3) % 8, (trial + 5) % 8}
					checkVariant(t, v, tc, specials[T](r))
				}
			}
		})
	}
}

func TestKernelF64Specials(t *testing.T) { testSpecials(t, gemmF64Variants) }
func TestKernelF32Specials(t *testing.T) { testSpecials(t, gemmF32Variants) }

// TestDispatch checks the wiring: for every selectable path, Active names
// it, the kernels report it, and MulAdd equals that path's variant bit for
// bit.
func TestDispatch(t *testing.T) {
	impl.ForEach(t, func(t *testing.T) {
		name := Active()
		if !slices.Contains(Available(), name) {
			t.Fatalf("Active() = %q, not in Available() = %v", name, Available())
		}
		k64, k32 := KernelF64(), KernelF32()
		if k64.ISA != name || k32.ISA != name {
			t.Fatalf("Active() = %q but KernelF64().ISA = %q, KernelF32().ISA = %q", name, k64.ISA, k32.ISA)
		}
		r := rand.New(rand.NewPCG(3, 0))
		dispatchCase(t, r, name, k64.MR, k64.NR, gemmF64Variants, k64.MulAdd)
		dispatchCase(t, r, name, k32.MR, k32.NR, gemmF32Variants, k32.MulAdd)
	})
}

func dispatchCase[T float32 | float64](t *testing.T, r *rand.Rand, name string, mr, nr int,
	variants []gemmVariant[T], mulAdd func(kc int, a, b, c []T, ldc int)) {
	t.Helper()
	i := slices.IndexFunc(variants, func(v gemmVariant[T]) bool { return v.name == name })
	if i < 0 {
		t.Fatalf("no %T variant named %q in the test table", *new(T), name)
	}
	v := variants[i]
	if v.mr != mr || v.nr != nr {
		t.Fatalf("%s: kernel tile %dx%d, variant table says %dx%d", name, mr, nr, v.mr, v.nr)
	}
	const kc = 37
	ldc := nr + 2
	gen := uniform[T](r)
	a, b, c := make([]T, mr*kc), make([]T, nr*kc), make([]T, (mr-1)*ldc+nr)
	for _, s := range [][]T{a, b, c} {
		for k := range s {
			s[k] = gen()
		}
	}
	want := slices.Clone(c)
	v.fn(kc, a, b, want, ldc)
	mulAdd(kc, a, b, c, ldc)
	for k := range c {
		if bitsOf(c[k]) != bitsOf(want[k]) {
			t.Fatalf("%s %T: MulAdd c[%d] = %v, variant %s gives %v", name, *new(T), k, c[k], v.name, want[k])
		}
	}
}

// TestMulAddPanics checks the argument checks of the exported wrappers, in
// gonum's order: kernel, kc, ldc, then slice lengths.
func TestMulAddPanics(t *testing.T) {
	k := KernelF64()
	mr, nr := k.MR, k.NR
	a, b, c := make([]float64, mr*2), make([]float64, nr*2), make([]float64, (mr-1)*nr+nr)
	checkPanics(t, []panicCase{
		{"zero TileF64", errKind, func() { TileF64{}.MulAdd(1, a, b, c, nr) }},
		{"zero TileF32", errKind, func() { TileF32{}.MulAdd(1, nil, nil, nil, 1) }},
		{"kc<0", errKc, func() { k.MulAdd(-1, a, b, c, nr) }},
		{"ldc<NR", errLdc, func() { k.MulAdd(1, a, b, c, nr-1) }},
		{"short A", errA, func() { k.MulAdd(2, a[:2*mr-1], b, c, nr) }},
		{"short B", errB, func() { k.MulAdd(2, a, b[:2*nr-1], c, nr) }},
		{"short C", errC, func() { k.MulAdd(2, a, b, c[:len(c)-1], nr) }},
		{"short C, wide ldc", errC, func() { k.MulAdd(2, a, b, c, nr+1) }},
		{"negative iters", errIters, func() { FMALoop(-1) }},
	})
	// kc == 0 is a no-op that reads nothing, even with empty panels and NaN in C.
	c[0] = math.NaN()
	k.MulAdd(0, nil, nil, c, nr)
	k32 := KernelF32()
	k32.MulAdd(0, nil, nil, make([]float32, (k32.MR-1)*k32.NR+k32.NR), k32.NR)
	if !math.IsNaN(c[0]) {
		t.Fatalf("MulAdd with kc=0 changed C")
	}
}

// panicCase is a call f that must panic with the message want.
type panicCase struct {
	name, want string
	f          func()
}

// checkPanics runs each case in a subtest and checks its panic message.
func checkPanics(t *testing.T, cases []panicCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Fatalf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestFMALoop checks the flop count of every path: 12 chains, 2 flops per
// lane, and the lane count of the path's widest vector.
func TestFMALoop(t *testing.T) {
	lanes := map[string]float64{Generic: 1, AVX2: 4, AVX512: 8, NEON: 2}
	impl.ForEach(t, func(t *testing.T) {
		l, ok := lanes[Active()]
		if !ok {
			t.Fatalf("no lane count known for %q", Active())
		}
		for _, iters := range []int{0, 1, 1000} {
			if got, want := FMALoop(iters), float64(iters)*fmaChains*2*l; got != want {
				t.Fatalf("FMALoop(%d) = %v flops, want %v", iters, got, want)
			}
		}
	})
}
