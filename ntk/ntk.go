package ntk

import (
	"context"
	"fmt"
	"sync"

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
	// Progress, if not nil, is called after each block with the number of
	// hidden units done so far and K.
	Progress func(done, total int)
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

// Flops returns the conventional flop count of Gram for n training rows,
// q query rows in total, input dimension d and width k: the input Grams
// n(n+1)d + 2qnd, the projections 2(n+q)dk and the derivative Grams
// n(n+1)k + 2qnk. Linear costs the input-Gram part alone.
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
	checkDims(z, queries)
	n := z.Rows
	k := linalg.NewMatrix[float64](n, n)
	linalg.Syrk(linalg.Lower, linalg.NoTrans, 1, z, 0, k)
	symmetrize(k)
	cross := make([]linalg.Matrix[float64], len(queries))
	for i, m := range queries {
		cross[i] = linalg.NewMatrix[float64](m.Rows, n)
		if m.Rows > 0 {
			linalg.Gemm(linalg.NoTrans, linalg.Trans, 1, m, z, 0, cross[i])
		}
	}
	return k, cross
}

// Gram returns the NTK Gram K = Phi(Z) Phi(Z)^T / k (N x N, both
// triangles) and the cross Grams C_m = Phi(Q_m) Phi(Z)^T / k, by the
// Hadamard identity, streaming over blocks of W. See Flops for the cost.
// It returns ctx.Err() if ctx is cancelled between blocks.
func Gram(ctx context.Context, cfg Config, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	if err := cfg.check(); err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	q := checkDims(z, queries)
	n, d := z.Rows, z.Cols
	b := cfg.Block
	if b == 0 {
		b = DefaultBlock
	}
	b = min(b, cfg.K)
	inputs := append([]linalg.Matrix[float64]{z}, queries...)
	wb := linalg.NewMatrix[float64](b, d)
	p := linalg.NewMatrix[float64](n+q, b)
	dk := linalg.NewMatrix[float64](n, n)
	dc := linalg.NewMatrix[float64](q, n)
	alpha := 1 / float64(cfg.K)
	for f0 := 0; f0 < cfg.K; f0 += b {
		if err := ctx.Err(); err != nil {
			return linalg.Matrix[float64]{}, nil, err
		}
		bb := min(b, cfg.K-f0)
		w := wb.View(0, 0, bb, d)
		rf.WeightRows(cfg.Seed, f0, w)
		pb := p.View(0, 0, n+q, bb)
		row := 0
		for _, x := range inputs {
			if x.Rows > 0 {
				linalg.Gemm(linalg.NoTrans, linalg.Trans, 1, x, w, 0, pb.View(row, 0, x.Rows, bb))
			}
			row += x.Rows
		}
		parallel(n+q, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				r := pb.Row(i)
				cfg.Act.ApplyDeriv(r, r, cfg.Deriv)
			}
		})
		pz := pb.View(0, 0, n, bb)
		linalg.Syrk(linalg.Lower, linalg.NoTrans, alpha, pz, 1, dk)
		if q > 0 {
			linalg.Gemm(linalg.NoTrans, linalg.Trans, alpha, pb.View(n, 0, q, bb), pz, 1, dc)
		}
		if cfg.Progress != nil {
			cfg.Progress(f0+bb, cfg.K)
		}
	}
	k, cross := Linear(z, queries...)
	symmetrize(dk)
	hadamard(k, dk)
	row := 0
	for _, c := range cross {
		hadamard(c, dc.View(row, 0, c.Rows, n))
		row += c.Rows
	}
	return k, cross, nil
}

// DotKernelGram returns K[i][j] = kern(|z_i|^2, |z_j|^2, z_i.z_j, d) and
// C_m[i][j] = kern(|q_i|^2, |z_j|^2, q_i.z_j, d) for a kernel that depends
// on inputs only through norms and dot products, such as the infinite-width
// RF and NTK kernels of package theory (rf-inf, ntk-inf). The dot products
// come from Linear; kern is evaluated (N^2 + qN) times, in parallel, and
// must be safe for concurrent use. K has both triangles, kern(a, b, t, d)
// being assumed equal to kern(b, a, t, d).
func DotKernelGram(kern func(nz2, nz2p, dot float64, d int) float64, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64]) {
	k, cross := Linear(z, queries...)
	d := z.Cols
	zn := make([]float64, z.Rows)
	for i := range zn {
		zn[i] = k.At(i, i)
	}
	parallel(k.Rows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := 0; j <= i; j++ {
				k.Set(i, j, kern(zn[i], zn[j], k.At(i, j), d))
			}
		}
	})
	symmetrize(k)
	for m, c := range cross {
		q := queries[m]
		parallel(c.Rows, func(lo, hi int) {
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

// symmetrize copies the lower triangle of k into the upper one.
func symmetrize(k linalg.Matrix[float64]) {
	for i := 0; i < k.Rows; i++ {
		for j := 0; j < i; j++ {
			k.Set(j, i, k.At(i, j))
		}
	}
}

// parallel splits [0, n) into up to linalg.Threads() contiguous ranges and
// runs fn on each concurrently.
func parallel(n int, fn func(lo, hi int)) {
	w := min(linalg.Threads(), n)
	if w <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for t := range w {
		lo, hi := t*n/w, (t+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
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
	rf.WeightRows(cfg.Seed, 0, w)
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
