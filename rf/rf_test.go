package rf

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/spurious-ml/spurious/internal/testutil"
	"github.com/spurious-ml/spurious/linalg"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// f64Tol bounds the relative rounding error of a Gram entry: the
// projections are d-term dot products whose rounding (<= d*u relative to
// sum|v x|) the activation amplifies by at most |act'| (<= ~10 for the
// inputs here), and the Gram sums k products (<= k*u relative to
// sum|p p'|). With d = 12 and k = 300: (10*12 + 300)*u ~ 5e-14.
const f64Tol = (10*12 + 300) * fpbound.U64

func TestGramMatchesExplicitFeatures(t *testing.T) {
	z, zs, zt := testutil.RandMatrix(20, 12, 1), testutil.RandMatrix(20, 12, 2), testutil.RandMatrix(9, 12, 3)
	for _, name := range []string{"phi2", "relu", "tanh"} {
		for _, block := range []int{1, 7, 64, 300, 1000} {
			cfg := Config{Act: testutil.Act(t, name), K: 300, Seed: 42, Block: block}
			k, cross, err := Gram(context.Background(), cfg, z, zs, zt)
			if err != nil {
				t.Fatal(err)
			}
			pz, _ := Features(cfg, z)
			ps, _ := Features(cfg, zs)
			pt, _ := Features(cfg, zt)
			wk, ak := testutil.RefGram(pz, pz, cfg.K)
			ws, as := testutil.RefGram(ps, pz, cfg.K)
			wt, at := testutil.RefGram(pt, pz, cfg.K)
			testutil.Within(t, name+" K", k, wk, ak, f64Tol)
			testutil.Within(t, name+" Ks", cross[0], ws, as, f64Tol)
			testutil.Within(t, name+" Kt", cross[1], wt, at, f64Tol)
			for i := 0; i < k.Rows; i++ {
				for j := 0; j < i; j++ {
					if k.At(i, j) != k.At(j, i) {
						t.Fatalf("%s block %d: K not symmetric at (%d, %d)", name, block, i, j)
					}
				}
			}
		}
	}
}

func TestGramIdenticalAcrossThreads(t *testing.T) {
	z, zs := testutil.RandMatrix(70, 40, 4), testutil.RandMatrix(50, 40, 5)
	cfg := Config{Act: testutil.Act(t, "phi4"), K: 700, Seed: 9, Block: 256}
	run := func(procs int) (linalg.Matrix[float64], linalg.Matrix[float64]) {
		defer linalg.SetThreads(linalg.SetThreads(procs))
		k, c, err := Gram(context.Background(), cfg, z, zs)
		if err != nil {
			t.Fatal(err)
		}
		return k, c[0]
	}
	k1, c1 := run(1)
	for _, procs := range []int{2, 3} {
		k2, c2 := run(procs)
		for i := range k1.Data {
			if math.Float64bits(k1.Data[i]) != math.Float64bits(k2.Data[i]) {
				t.Fatalf("threads=%d: K differs at %d: %v vs %v", procs, i, k2.Data[i], k1.Data[i])
			}
		}
		for i := range c1.Data {
			if math.Float64bits(c1.Data[i]) != math.Float64bits(c2.Data[i]) {
				t.Fatalf("threads=%d: Ks differs at %d", procs, i)
			}
		}
	}
}

func TestWeightRowsIndependentOfSplit(t *testing.T) {
	whole := linalg.NewMatrix[float64](50, 30)
	WeightRows(nil, 3, 0, whole)
	part := linalg.NewMatrix[float64](17, 30)
	WeightRows(nil, 3, 20, part)
	for i := 0; i < part.Rows; i++ {
		for j, v := range part.Row(i) {
			if v != whole.At(20+i, j) {
				t.Fatalf("row %d col %d: %v, want %v", 20+i, j, v, whole.At(20+i, j))
			}
		}
	}
	// The entries are N(0, 1/d): d * mean square ~ 1 within 4 standard
	// errors (the mean of 1500 chi-square(1)/1500 has s.e. sqrt(2/1500)).
	var ss float64
	for _, v := range whole.Data {
		ss += v * v
	}
	if got := ss / float64(len(whole.Data)) * 30; math.Abs(got-1) > 4*math.Sqrt(2.0/1500) {
		t.Errorf("d * mean square = %v, want 1", got)
	}
}

func TestFloat32Gram(t *testing.T) {
	z, zs := testutil.RandMatrix(30, 16, 6), testutil.RandMatrix(25, 16, 7)
	cfg := Config{Act: testutil.Act(t, "phi2"), K: 400, Seed: 5, Block: 128}
	k64, c64, err := Gram(context.Background(), cfg, z, zs)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Precision = F32
	k32, c32, err := Gram(context.Background(), cfg, z, zs)
	if err != nil {
		t.Fatal(err)
	}
	pz, _ := Features(cfg, z)
	ps, _ := Features(cfg, zs)
	_, ak := testutil.RefGram(pz, pz, cfg.K)
	_, as := testutil.RefGram(ps, pz, cfg.K)
	// float32 rounding: projections (d terms, amplified by |act'| <= 10
	// here), then a block-sized sum: (10*d + block)*u32, u32 = 2^-24.
	tol := float64(10*16+128) * fpbound.U32
	testutil.Within(t, "K f32", k32, k64, ak, tol)
	testutil.Within(t, "Ks f32", c32[0], c64[0], as, tol)
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Gram(ctx, Config{Act: testutil.Act(t, "relu"), K: 10}, testutil.RandMatrix(3, 4, 1))
	if err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestBadConfig(t *testing.T) {
	if _, _, err := Gram(context.Background(), Config{Act: testutil.Act(t, "relu"), K: 0}, testutil.RandMatrix(3, 4, 1)); err == nil {
		t.Error("k = 0: no error")
	}
	if _, err := ParsePrecision("f16"); err == nil {
		t.Error("precision f16: no error")
	}
}

// withShared returns a copy of base's first rows rows with columns
// [lo, hi) kept and the others redrawn.
func withShared(base linalg.Matrix[float64], rows, lo, hi int, seed uint64) linalg.Matrix[float64] {
	m := testutil.RandMatrix(rows, base.Cols, seed)
	for i := 0; i < rows; i++ {
		copy(m.Row(i)[lo:hi], base.Row(i)[lo:hi])
	}
	return m
}

func TestGramShared(t *testing.T) {
	z, zt := testutil.RandMatrix(20, 12, 1), testutil.RandMatrix(9, 12, 3)
	zs := withShared(z, 20, 6, 12, 2) // spurious queries: last half shared with z
	zh := withShared(zt, 5, 0, 4, 4)  // held-out: a leading block shared with zt
	shared := []Shared{{Query: 0, Base: -1, Lo: 6, Hi: 12}, {Query: 2, Base: 1, Lo: 0, Hi: 4}}
	for _, prec := range []Precision{F64, F32} {
		cfg := Config{Act: testutil.Act(t, "phi2"), K: 300, Seed: 42, Block: 64, Precision: prec}
		plain, plainC, err := Gram(context.Background(), cfg, z, zs, zt, zh)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Shared = shared
		k, cross, err := Gram(context.Background(), cfg, z, zs, zt, zh)
		if err != nil {
			t.Fatal(err)
		}
		pz, _ := Features(cfg, z)
		_, ak := testutil.RefGram(pz, pz, cfg.K)
		tol := f64Tol
		if prec == F32 {
			tol = float64(10*12+64) * fpbound.U32 // see TestFloat32Gram
		}
		testutil.Within(t, prec.String()+" K shared", k, plain, ak, tol)
		for m, q := range []linalg.Matrix[float64]{zs, zt, zh} {
			pq, _ := Features(cfg, q)
			want, aq := testutil.RefGram(pq, pz, cfg.K)
			testutil.Within(t, prec.String()+" cross shared", cross[m], want, aq, 2*tol)
			testutil.Within(t, prec.String()+" cross plain", plainC[m], want, aq, 2*tol)
		}
	}
	if got, want := SharedFlops(shared, []int{20, 9, 5}, 300), 2*(20*6+5*4)*300.0; got != want {
		t.Errorf("SharedFlops = %v, want %v", got, want)
	}
}

func TestGramSharedChecked(t *testing.T) {
	z := testutil.RandMatrix(10, 8, 1)
	zs := withShared(z, 10, 4, 8, 2)
	zs.Set(7, 5, zs.At(7, 5)+1) // breaks the declaration
	cfg := Config{Act: testutil.Act(t, "relu"), K: 20, Seed: 1}
	for _, sh := range [][]Shared{
		{{Query: 0, Base: -1, Lo: 4, Hi: 8}},                                     // values differ at row 7
		{{Query: 0, Base: -1, Lo: 4, Hi: 9}},                                     // columns out of range
		{{Query: 0, Base: 0, Lo: 4, Hi: 8}},                                      // query is its own base
		{{Query: 1, Base: -1, Lo: 4, Hi: 8}},                                     // no such query
		{{Query: 0, Base: -1, Lo: 0, Hi: 1}, {Query: 0, Base: -1, Lo: 2, Hi: 3}}, // twice
	} {
		cfg.Shared = sh
		if _, _, err := Gram(context.Background(), cfg, z, zs); err == nil {
			t.Errorf("Shared %v: no error", sh)
		}
	}
}

// TestProject checks Project against one plain product per input, with a
// shared block, and that a wrongly shaped p panics.
func TestProject(t *testing.T) {
	z := testutil.RandMatrix(7, 10, 1)
	zs := withShared(z, 5, 3, 10, 2)
	zt := testutil.RandMatrix(4, 10, 3)
	v := testutil.RandMatrix(6, 10, 4)
	inputs := []linalg.Matrix[float64]{z, zs, zt}
	p := linalg.NewMatrix[float64](16, 6)
	Project(nil, inputs, []Shared{{Query: 0, Base: -1, Lo: 3, Hi: 10}}, v, p)
	row := 0
	for _, x := range inputs {
		want, scale := testutil.RefGram(x, v, 1)
		testutil.Within(t, "projection", p.View(row, 0, x.Rows, 6), want, scale, f64Tol)
		row += x.Rows
	}
	defer func() {
		if r := recover(); r != errPShape {
			t.Errorf("p with a missing row: recovered %v, want %q", r, errPShape)
		}
	}()
	Project(nil, inputs, nil, v, p.View(0, 0, 15, 6))
}

// TestGramNoQueries: without query matrices Gram returns K alone (the
// stacked result of SyrkTrapezoid has no cross rows), in both precisions.
func TestGramNoQueries(t *testing.T) {
	z := testutil.RandMatrix(21, 9, 11)
	for _, prec := range []Precision{F64, F32} {
		cfg := Config{Act: testutil.Act(t, "relu"), K: 300, Seed: 2, Block: 64, Precision: prec}
		k, cross, err := Gram(context.Background(), cfg, z)
		if err != nil {
			t.Fatal(err)
		}
		if len(cross) != 0 || k.Rows != 21 || k.Cols != 21 {
			t.Fatalf("%v: K %dx%d and %d cross Grams, want 21x21 and none", prec, k.Rows, k.Cols, len(cross))
		}
		pz, _ := Features(cfg, z)
		want, abs := testutil.RefGram(pz, pz, cfg.K)
		tol := float64(9+64) * fpbound.U64
		if prec == F32 {
			tol = float64(10*9+64) * fpbound.U32
		}
		testutil.Within(t, fmt.Sprintf("K %v", prec), k, want, abs, tol)
	}
}
