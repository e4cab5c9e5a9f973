package ntk

import (
	"context"
	"fmt"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/rf"
)

// DefaultBlock is the number of rows of W per streamed block when
// Config.Block is 0.
const DefaultBlock = 1024

// Config describes one NTK model.
type Config struct {
	Act   *activation.Activation
	Deriv activation.DerivMode // which derivative act' is (default: the authors')
	K     int                  // hidden width, >= 1
	Seed  uint64               // selects W
	Block int                  // rows of W per block; 0 means DefaultBlock
	// Shared declares columns that query matrices repeat from another
	// input; the input Grams then compute the shared products once (see
	// LinearShared).
	Shared []rf.Shared
	// Progress, if not nil, is called after each block with the number of
	// hidden units done so far and K.
	Progress func(done, total int)
	// Engine is the instruction set and thread count of the linear
	// algebra (zero fields: the process defaults, see linalg.Settings).
	Engine linalg.Settings
}

// Panic messages for programmer errors.
const (
	errDims  = "ntk: inputs have different numbers of columns"
	errNoAct = "ntk: Config.Act is nil"
)

func (c Config) check() error {
	if c.Act == nil {
		panic(errNoAct)
	}
	if c.K < 1 {
		return fmt.Errorf("ntk: k=%d hidden units, want k >= 1", c.K)
	}
	if c.Block < 0 {
		return fmt.Errorf("ntk: block=%d, want >= 0 (0 picks %d)", c.Block, DefaultBlock)
	}
	return nil
}

// Bytes returns the memory Gram allocates for n training rows, q query
// rows and d inputs under cfg: the outputs (n x n and q x n), the
// derivative Grams of the same size and an n x n scratch, one block of
// weights and projections with the linear algebra's packed copies, and
// 1 MiB of fixed packing buffers. Cost O(1).
func Bytes(cfg Config, n, q, d int) float64 {
	nf, qf, df := float64(n), float64(q), float64(d)
	bf := float64(DefaultBlock)
	if cfg.Block > 0 {
		bf = float64(cfg.Block)
	}
	if cfg.K > 0 {
		bf = min(bf, float64(cfg.K))
	}
	return 8*(3*nf*nf+2*qf*nf+3*(nf+qf)*bf+bf*df) + 40<<20 // packing buffers, as rf.Bytes
}

// Flops returns the conventional flop count of Gram for n training rows,
// q query rows in total, input dimension d and width k: the input Grams
// n(n+1)d + 2qnd, the projections 2(n+q)dk and the derivative Grams
// n(n+1)k + 2qnk. Linear costs the input-Gram part alone. Config.Shared
// saves SharedFlops on the input Grams and rf.SharedFlops (with k) on the
// projections.
func Flops(n, q, d, k int) float64 {
	nf, qf, df, kf := float64(n), float64(q), float64(d), float64(k)
	return LinearFlops(n, q, d) + 2*(nf+qf)*df*kf + nf*(nf+1)*kf + 2*qf*nf*kf
}

// LinearFlops returns the flop count of Linear: n(n+1)d + 2qnd.
func LinearFlops(n, q, d int) float64 {
	nf, qf, df := float64(n), float64(q), float64(d)
	return nf*(nf+1)*df + 2*qf*nf*df
}

func checkDims(z linalg.Matrix[float64], queries []linalg.Matrix[float64]) int {
	q := 0
	for _, m := range queries {
		if m.Cols != z.Cols {
			panic(errDims)
		}
		q += m.Rows
	}
	return q
}

// Linear returns the Gram matrices of the linear model phi(z) = z:
// K = Z Z^T (N x N, both triangles) and C_m = Q_m Z^T for each query
// matrix, unscaled. Cost: LinearFlops.
func Linear(z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64]) {
	k, cross, _ := LinearShared(nil, nil, z, queries...)
	return k, cross
}

// LinearShared is Linear with shared-column declarations (see rf.Shared):
// when query q repeats columns B of its base, q's products with Z on B are
// those of the base, so C_q = Q[:, A] Z[:, A]^T + (base)[:, B] Z[:, B]^T
// reuses the second term, computed once for both. For a base that is Z
// itself this applies when the query has N rows (then the reused term is
// the SYRK Z[:, B] Z[:, B]^T). Cost: LinearFlops minus SharedFlops. The
// declarations are checked (rf.CheckShared). The products run on en (nil:
// linalg.DefaultEngine).
func LinearShared(en *linalg.Engine[float64], shared []rf.Shared, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	checkDims(z, queries)
	if err := rf.CheckShared(shared, z, queries...); err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	if en == nil {
		en = linalg.DefaultEngine[float64]()
	}
	n, d := z.Rows, z.Cols
	k := linalg.NewMatrix[float64](n, n)
	cross := make([]linalg.Matrix[float64], len(queries))
	for i, m := range queries {
		cross[i] = linalg.NewMatrix[float64](m.Rows, n)
	}
	out := func(i int) linalg.Matrix[float64] { // product of input i with Z
		if i == 0 {
			return k
		}
		return cross[i-1]
	}
	in := func(i int) linalg.Matrix[float64] {
		if i == 0 {
			return z
		}
		return queries[i-1]
	}
	// gemmCols sets dst = x[:, lo:hi] Z[:, lo:hi]^T + beta*dst.
	gemmCols := func(x linalg.Matrix[float64], lo, hi int, beta float64, dst linalg.Matrix[float64]) {
		if hi > lo && x.Rows > 0 {
			en.Gemm(linalg.NoTrans, linalg.Trans, 1, x.View(0, lo, x.Rows, hi-lo), z.View(0, lo, n, hi-lo), beta, dst)
		}
	}
	done := make([]int, len(queries)+1) // leading rows of each product done
	for _, s := range shared {
		q, b := s.Query+1, s.Base+1
		rq := in(q).Rows
		outside := [][2]int{{0, s.Lo}, {s.Hi, d}}
		switch {
		case rq == 0:
		case b == 0 && rq == n:
			zb := z.View(0, s.Lo, n, s.Hi-s.Lo)
			en.Syrk(linalg.Lower, linalg.NoTrans, 1, zb, 0, k)
			en.Symmetrize(linalg.Lower, k)
			cq := cross[q-1]
			for i := 0; i < n; i++ {
				copy(cq.Row(i), k.Row(i))
			}
			for _, r := range outside {
				if r[1] > r[0] {
					en.Syrk(linalg.Lower, linalg.NoTrans, 1, z.View(0, r[0], n, r[1]-r[0]), 1, k)
				}
				gemmCols(in(q), r[0], r[1], 1, cq)
			}
			done[q], done[0] = rq, n
		case b > 0:
			cq, cb := cross[q-1], cross[b-1].View(0, 0, rq, n)
			xb := in(b).View(0, 0, rq, d)
			gemmCols(xb, s.Lo, s.Hi, 0, cq)
			for i := 0; i < rq; i++ {
				copy(cb.Row(i), cq.Row(i))
			}
			for _, r := range outside {
				gemmCols(in(q), r[0], r[1], 1, cq)
				gemmCols(xb, r[0], r[1], 1, cb)
			}
			done[q], done[b] = rq, rq
		}
	}
	if done[0] == 0 {
		en.Syrk(linalg.Lower, linalg.NoTrans, 1, z, 0, k)
	}
	en.Symmetrize(linalg.Lower, k)
	for i := 1; i <= len(queries); i++ {
		x := in(i)
		if r := x.Rows - done[i]; r > 0 {
			gemmCols(x.View(done[i], 0, r, d), 0, d, 0, out(i).View(done[i], 0, r, n))
		}
	}
	return k, cross, nil
}

// SharedFlops is the flops LinearShared (and Gram, on its input Grams)
// saves with the declarations: 2*rows(Query)*N*(Hi-Lo) each, for n training rows and
// queries with the given row counts (declarations whose base is Z save
// only when the query has n rows).
func SharedFlops(shared []rf.Shared, n int, rows []int) float64 {
	var s float64
	for _, sh := range shared {
		rq := rows[sh.Query]
		if sh.Base == -1 && rq != n {
			continue
		}
		s += 2 * float64(rq) * float64(n) * float64(sh.Hi-sh.Lo)
	}
	return s
}

// Gram returns the NTK Gram K = Phi(Z) Phi(Z)^T / k (N x N, both
// triangles) and the cross Grams C_m = Phi(Q_m) Phi(Z)^T / k, by the
// Hadamard identity K = (Z Z^T) .* (D D^T) / k with D = act'(Z W^T). When
// W fits in one block (k <= Block) the derivative Grams are computed in row
// strips and multiplied in while the strip is in cache (hadamardStrips);
// otherwise they are accumulated over the blocks of W in N x N and q x N
// buffers. See Flops for the cost. It returns ctx.Err() if ctx is
// cancelled between blocks. Gram is GramRange over the units [0, K).
func Gram(ctx context.Context, cfg Config, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	return GramRange(ctx, cfg, 0, cfg.K, z, queries...)
}

// GramRange returns the part of Gram's matrices that the hidden units
// [lo, hi) contribute: (Z Z^T) .* (D_r D_r^T) / k with D_r the derivative
// columns of those units and k = cfg.K the total (not hi-lo), and likewise
// for the cross Grams. It draws only those rows of W (rf.WeightRows) and
// takes Gram's path on them: row strips when hi-lo <= Block, else blocks
// of Block units from lo accumulated in order. GramRange(0, K) is Gram
// bit for bit; the ranges of a partition of [0, K) sum to Gram up to the
// order of the additions (the Hadamard product distributes over the
// sum). Every range computes the input Gram Z Z^T again (LinearFlops).
// Progress reports the units done in the range and hi-lo. Cost: Flops
// with hi-lo units. A range outside [0, K) or empty is an error.
func GramRange(ctx context.Context, cfg Config, lo, hi int, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	if err := cfg.check(); err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	if lo < 0 || hi > cfg.K || lo >= hi {
		return linalg.Matrix[float64]{}, nil, fmt.Errorf("ntk: hidden units [%d, %d) empty or outside [0, %d)", lo, hi, cfg.K)
	}
	q := checkDims(z, queries)
	en, err := linalg.NewEngine[float64](cfg.Engine)
	if err != nil {
		return linalg.Matrix[float64]{}, nil, fmt.Errorf("ntk: Config.Engine: %w", err)
	}
	k, cross, err := LinearShared(en, cfg.Shared, z, queries...)
	if err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	n, d := z.Rows, z.Cols
	b := cfg.Block
	if b == 0 {
		b = DefaultBlock
	}
	b = min(b, hi-lo)
	inputs := append([]linalg.Matrix[float64]{z}, queries...)
	wb := linalg.NewMatrix[float64](b, d)
	p := linalg.NewMatrix[float64](n+q, b)
	alpha := 1 / float64(cfg.K)
	// derivs sets rows of pb to act'(x W_block^T) for the stacked inputs.
	derivs := func(f0, bb int) linalg.Matrix[float64] {
		w := wb.View(0, 0, bb, d)
		rf.WeightRows(en, cfg.Seed, f0, w)
		pb := p.View(0, 0, n+q, bb)
		rf.Project(en, inputs, cfg.Shared, w, pb)
		en.ParallelFor(n+q, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				r := pb.Row(i)
				cfg.Act.ApplyDeriv(r, r, cfg.Deriv)
			}
		})
		return pb
	}
	if b == hi-lo {
		if err := ctx.Err(); err != nil {
			return linalg.Matrix[float64]{}, nil, err
		}
		hadamardStrips(en, alpha, derivs(lo, b), k, cross)
		if cfg.Progress != nil {
			cfg.Progress(b, b)
		}
		return k, cross, nil
	}
	dkc := linalg.NewMatrix[float64](n+q, n) // the two Grams stacked, for SyrkTrapezoid
	dk, dc := dkc.View(0, 0, n, n), dkc.View(n, 0, q, n)
	for f0 := lo; f0 < hi; f0 += b {
		if err := ctx.Err(); err != nil {
			return linalg.Matrix[float64]{}, nil, err
		}
		bb := min(b, hi-f0)
		en.SyrkTrapezoid(alpha, derivs(f0, bb), 1, dkc)
		if cfg.Progress != nil {
			cfg.Progress(f0+bb-lo, hi-lo)
		}
	}
	en.Symmetrize(linalg.Lower, dk)
	hadamard(k, dk)
	row := 0
	for _, c := range cross {
		hadamard(c, dc.View(row, 0, c.Rows, n))
		row += c.Rows
	}
	return k, cross, nil
}

// hadamardRows is the height of the row strips of hadamardStrips: a strip
// of the derivative Gram (hadamardRows x N) stays in L2/L3 between the
// GEMM that writes it and the product that reads it.
const hadamardRows = 128

// hadamardStrips multiplies k (N x N, both triangles) by alpha * D_z D_z^T
// and each cross[m] by alpha * D_m D_z^T, elementwise, where the rows of d
// are D_z (N rows) and then the D_m stacked. It computes the derivative
// Grams hadamardRows rows at a time into one small buffer, instead of into
// N x N and q x N matrices: of k only the lower triangle and the diagonal
// blocks (then mirrored), so it costs about the flops of the SYRK and GEMM
// it replaces.
func hadamardStrips(en *linalg.Engine[float64], alpha float64, d linalg.Matrix[float64], k linalg.Matrix[float64], cross []linalg.Matrix[float64]) {
	n := k.Rows
	dz := d.View(0, 0, n, d.Cols)
	strip := linalg.NewMatrix[float64](min(hadamardRows, max(d.Rows, 1)), n)
	// mul sets out = out .* (alpha * x dz[:cols]^T) for the rows of x.
	mul := func(x linalg.Matrix[float64], cols int, out linalg.Matrix[float64]) {
		t := strip.View(0, 0, x.Rows, cols)
		en.Gemm(linalg.NoTrans, linalg.Trans, alpha, x, dz.View(0, 0, cols, d.Cols), 0, t)
		en.ParallelFor(x.Rows, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				o := out.Row(i)[:cols]
				for j, v := range t.Row(i) {
					o[j] *= v
				}
			}
		})
	}
	for r0 := 0; r0 < n; r0 += hadamardRows {
		r1 := min(r0+hadamardRows, n)
		mul(dz.View(r0, 0, r1-r0, d.Cols), r1, k.View(r0, 0, r1-r0, n))
	}
	en.Symmetrize(linalg.Lower, k)
	row := n
	for _, c := range cross {
		for r0 := 0; r0 < c.Rows; r0 += hadamardRows {
			r1 := min(r0+hadamardRows, c.Rows)
			mul(d.View(row+r0, 0, r1-r0, d.Cols), n, c.View(r0, 0, r1-r0, n))
		}
		row += c.Rows
	}
}

// DotKernelGram returns K[i][j] = kern(|z_i|^2, |z_j|^2, z_i.z_j, d) and
// C_m[i][j] = kern(|q_i|^2, |z_j|^2, q_i.z_j, d) for a kernel that depends
// on inputs only through norms and dot products, such as the infinite-width
// RF and NTK kernels of package theory (rf-inf, ntk-inf). The dot products
// come from Linear; kern is evaluated (N^2 + qN) times, in parallel, and
// must be safe for concurrent use. K has both triangles, kern(a, b, t, d)
// being assumed equal to kern(b, a, t, d). It runs on en (nil:
// linalg.DefaultEngine).
func DotKernelGram(en *linalg.Engine[float64], kern func(nz2, nz2p, dot float64, d int) float64, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64]) {
	if en == nil {
		en = linalg.DefaultEngine[float64]()
	}
	k, cross, _ := LinearShared(en, nil, z, queries...)
	d := z.Cols
	zn := make([]float64, z.Rows)
	for i := range zn {
		zn[i] = k.At(i, i)
	}
	en.ParallelFor(k.Rows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := 0; j <= i; j++ {
				k.Set(i, j, kern(zn[i], zn[j], k.At(i, j), d))
			}
		}
	})
	en.Symmetrize(linalg.Lower, k)
	for m, c := range cross {
		q := queries[m]
		en.ParallelFor(c.Rows, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				qi := q.Row(i)
				var qn float64
				for _, v := range qi {
					qn += v * v
				}
				r := c.Row(i)
				for j, dot := range r {
					r[j] = kern(qn, zn[j], dot, d)
				}
			}
		})
	}
	return k, cross
}

// hadamard sets a = a .* b (same shape).
func hadamard(a, b linalg.Matrix[float64]) {
	for i := 0; i < a.Rows; i++ {
		br := b.Row(i)
		for j := range a.Row(i) {
			a.Data[i*a.Stride+j] *= br[j]
		}
	}
}

// Features returns the explicit NTK features of the rows of x,
// phi(x) = x (x) act'(W x) in numpy's kron order (entry a*k + f is
// x_a * act'(w_f . x)), as a rows(x) x (d*k) matrix computed with plain
// loops. Its Gram Phi Phi^T / k is what Gram returns. Cost: 2*rows*d*k
// flops and rows*d*k memory: small sizes only.
func Features(cfg Config, x linalg.Matrix[float64]) (linalg.Matrix[float64], error) {
	if err := cfg.check(); err != nil {
		return linalg.Matrix[float64]{}, err
	}
	d := x.Cols
	w := linalg.NewMatrix[float64](cfg.K, d)
	rf.WeightRows(nil, cfg.Seed, 0, w)
	deriv := cfg.Act.Deriv(cfg.Deriv)
	phi := linalg.NewMatrix[float64](x.Rows, d*cfg.K)
	u := make([]float64, cfg.K)
	for i := 0; i < x.Rows; i++ {
		xi := x.Row(i)
		for f := range u {
			var s float64
			for j, v := range w.Row(f) {
				s += v * xi[j]
			}
			u[f] = deriv(s)
		}
		row := phi.Row(i)
		for a, xa := range xi {
			for f, uf := range u {
				row[a*cfg.K+f] = xa * uf
			}
		}
	}
	return phi, nil
}
