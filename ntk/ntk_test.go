package ntk

import (
	"context"
	"math"
	"testing"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/internal/testutil"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/rf"

	"github.com/spurious-ml/spurious/internal/fpbound"
)

// gramTol bounds the relative rounding of a Gram entry: the d*k-term sum
// of the explicit Gram and the d- and k-term sums of the Hadamard route
// (each <= terms*u relative to the sum of |products|), plus the rounding
// of act'(w.x) (d terms, amplified by the second derivative, <= ~10 here):
// (d*k + d + k + 10*d)*u with d = 10, k = 60.
const gramTol = (10*60 + 10 + 60 + 10*10) * fpbound.U64

func TestHadamardEqualsKronecker(t *testing.T) {
	z, zs, zt := testutil.RandMatrix(15, 10, 1), testutil.RandMatrix(15, 10, 2), testutil.RandMatrix(7, 10, 3)
	for _, name := range []string{"phi2", "phi4", "relu", "tanh"} {
		for _, mode := range []activation.DerivMode{activation.DerivPaper, activation.DerivTrue} {
			for _, block := range []int{1, 16, 60, 500} {
				cfg := Config{Act: testutil.Act(t, name), Deriv: mode, K: 60, Seed: 8, Block: block}
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
				what := name + "/" + mode.String()
				testutil.Within(t, what+" K", k, wk, ak, gramTol)
				testutil.Within(t, what+" Ks", cross[0], ws, as, gramTol)
				testutil.Within(t, what+" Kt", cross[1], wt, at, gramTol)
			}
		}
	}
}

func TestKroneckerOrder(t *testing.T) {
	// numpy kron(x, u): entry a*k + f is x_a * u_f with u_f = act'(w_f . x).
	cfg := Config{Act: testutil.Act(t, "phi4"), K: 3, Seed: 1}
	x := testutil.RandMatrix(1, 2, 4)
	phi, _ := Features(cfg, x)
	w := linalg.NewMatrix[float64](3, 2)
	rf.WeightRows(nil, cfg.Seed, 0, w)
	for a := 0; a < 2; a++ {
		for f := 0; f < 3; f++ {
			u := cfg.Act.NTKDeriv(w.At(f, 0)*x.At(0, 0) + w.At(f, 1)*x.At(0, 1))
			if got, want := phi.At(0, a*3+f), x.At(0, a)*u; math.Abs(got-want) > 1e-15*math.Abs(want) {
				t.Errorf("entry %d = %v, want x_%d * u_%d = %v", a*3+f, got, a, f, want)
			}
		}
	}
}

func TestGramIdenticalAcrossThreads(t *testing.T) {
	// 300 rows: the row strips of the one-block path end mid-matrix.
	z, zs := testutil.RandMatrix(300, 30, 4), testutil.RandMatrix(140, 30, 5)
	// Block 128: accumulated over three blocks of W; 0: one block, strips.
	for _, block := range []int{128, 0} {
		cfg := Config{Act: testutil.Act(t, "phi4"), K: 300, Seed: 9, Block: block}
		run := func(procs int) []float64 {
			defer linalg.SetThreads(linalg.SetThreads(procs))
			k, c, err := Gram(context.Background(), cfg, z, zs)
			if err != nil {
				t.Fatal(err)
			}
			return append(append([]float64(nil), k.Data...), c[0].Data...)
		}
		a := run(1)
		for _, procs := range []int{2, 3} {
			b := run(procs)
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					t.Fatalf("block=%d threads=%d: entry %d differs: %v vs %v", block, procs, i, b[i], a[i])
				}
			}
		}
	}
}

func TestLinear(t *testing.T) {
	z, q := testutil.RandMatrix(9, 14, 6), testutil.RandMatrix(5, 14, 7)
	k, cross := Linear(z, q)
	wk, ak := testutil.RefGram(z, z, 1)
	wq, aq := testutil.RefGram(q, z, 1)
	tol := 14 * fpbound.U64
	testutil.Within(t, "ZZ^T", k, wk, ak, tol)
	testutil.Within(t, "QZ^T", cross[0], wq, aq, tol)
}

func TestBadConfig(t *testing.T) {
	if _, _, err := Gram(context.Background(), Config{Act: testutil.Act(t, "relu"), K: -1}, testutil.RandMatrix(2, 2, 1)); err == nil {
		t.Error("k = -1: no error")
	}
}

func TestDotKernelGram(t *testing.T) {
	z, q := testutil.RandMatrix(8, 5, 1), testutil.RandMatrix(4, 5, 2)
	// A kernel that records its arguments: norms and dot products.
	kern := func(a, b, dot float64, d int) float64 { return a + 10*b + 100*dot + float64(d) }
	k, cross := DotKernelGram(nil, kern, z, q)
	norm := func(x []float64) float64 { return dot(x, x) }
	for i := 0; i < z.Rows; i++ {
		for j := 0; j < z.Rows; j++ {
			lo, hi := min(i, j), max(i, j) // the lower triangle is computed, then mirrored
			want := kern(norm(z.Row(hi)), norm(z.Row(lo)), dot(z.Row(hi), z.Row(lo)), 5)
			if math.Abs(k.At(i, j)-want) > 1e-12*math.Abs(want) {
				t.Fatalf("K[%d][%d] = %v, want %v", i, j, k.At(i, j), want)
			}
		}
	}
	for i := 0; i < q.Rows; i++ {
		for j := 0; j < z.Rows; j++ {
			want := kern(norm(q.Row(i)), norm(z.Row(j)), dot(q.Row(i), z.Row(j)), 5)
			if math.Abs(cross[0].At(i, j)-want) > 1e-12*math.Abs(want) {
				t.Fatalf("C[%d][%d] = %v, want %v", i, j, cross[0].At(i, j), want)
			}
		}
	}
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func TestLinearShared(t *testing.T) {
	z, zt := testutil.RandMatrix(12, 10, 1), testutil.RandMatrix(7, 10, 2)
	share := func(base linalg.Matrix[float64], rows, lo, hi int, seed uint64) linalg.Matrix[float64] {
		m := testutil.RandMatrix(rows, base.Cols, seed)
		for i := 0; i < rows; i++ {
			copy(m.Row(i)[lo:hi], base.Row(i)[lo:hi])
		}
		return m
	}
	zs := share(z, 12, 5, 10, 3) // base Z, all rows: the SYRK is reused
	zs2 := share(z, 6, 0, 3, 4)  // base Z, fewer rows: computed in full
	zh := share(zt, 4, 2, 10, 5) // base a query
	queries := []linalg.Matrix[float64]{zs, zt, zh, zs2}
	shared := []rf.Shared{{Query: 0, Base: -1, Lo: 5, Hi: 10}, {Query: 2, Base: 1, Lo: 2, Hi: 10}}
	k, cross, err := LinearShared(nil, shared, z, queries...)
	if err != nil {
		t.Fatal(err)
	}
	wk, ak := testutil.RefGram(z, z, 1)
	tol := 10 * fpbound.U64 // a 10-term sum, however it is split
	testutil.Within(t, "K", k, wk, ak, tol)
	for m, q := range queries {
		w, a := testutil.RefGram(q, z, 1)
		testutil.Within(t, "C", cross[m], w, a, tol)
	}
	if got, want := SharedFlops(shared, 12, []int{12, 7, 4, 6}), 2*(12*12*5+4*12*8.0); got != want {
		t.Errorf("SharedFlops = %v, want %v", got, want)
	}
	// The NTK Gram with and without the declarations.
	cfg := Config{Act: testutil.Act(t, "phi2"), K: 40, Seed: 2}
	plain, plainC, _ := Gram(context.Background(), cfg, z, zs, zt, zh)
	cfg.Shared = shared
	sk, sc, err := Gram(context.Background(), cfg, z, zs, zt, zh)
	if err != nil {
		t.Fatal(err)
	}
	pz, _ := Features(cfg, z)
	_, ak = testutil.RefGram(pz, pz, cfg.K)
	testutil.Within(t, "NTK K shared", sk, plain, ak, gramTol)
	for m, q := range []linalg.Matrix[float64]{zs, zt, zh} {
		pq, _ := Features(cfg, q)
		_, a := testutil.RefGram(pq, pz, cfg.K)
		testutil.Within(t, "NTK C shared", sc[m], plainC[m], a, gramTol)
	}
	zs.Set(3, 7, 0) // break the declaration
	if _, _, err := LinearShared(nil, shared, z, queries...); err == nil {
		t.Error("broken declaration: no error")
	}
}
