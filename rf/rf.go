package rf

import (
	"context"
	"fmt"
	"math"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/linalg"
)

// DefaultBlock is the number of rows of V per streamed block when
// Config.Block is 0: large enough that the Gram GEMMs run at full speed,
// small enough that an N = Nt = 1000, d = 1000 trial stays near 100 MB.
const DefaultBlock = 1024

// Precision selects the arithmetic of the feature blocks.
type Precision int

const (
	// F64 computes everything in float64 (the default).
	F64 Precision = iota
	// F32 projects, applies the activation and multiplies each block in
	// float32, and accumulates the blocks in float64.
	F32
)

// String returns "f64" or "f32".
func (p Precision) String() string {
	if p == F32 {
		return "f32"
	}
	return "f64"
}

// ParsePrecision parses "f64" or "f32".
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "f64", "":
		return F64, nil
	case "f32":
		return F32, nil
	}
	return 0, fmt.Errorf("rf: unknown precision %q (valid: f64, f32)", s)
}

// Config describes one random-features model.
type Config struct {
	Act       *activation.Activation
	K         int    // number of features, >= 1
	Seed      uint64 // selects V
	Block     int    // rows of V per block; 0 means DefaultBlock
	Precision Precision
	// Shared declares columns that query matrices repeat from another
	// input, so that their projection is computed once (see Shared).
	Shared []Shared
	// Progress, if not nil, is called after each block with the number of
	// features done so far and K.
	Progress func(done, total int)
	// Engine is the instruction set and thread count of the linear
	// algebra (zero fields: the process defaults, see linalg.Settings).
	Engine linalg.Settings
}

// Panic messages for programmer errors.
const (
	errDims   = "rf: inputs have different numbers of columns"
	errNoAct  = "rf: Config.Act is nil"
	errWShape = "rf: weight matrix shape"
	errPShape = "rf: projection matrix shape: want the inputs' total rows by the weight rows"
)

func (c Config) check() error {
	if c.Act == nil {
		panic(errNoAct)
	}
	if c.K < 1 {
		return fmt.Errorf("rf: k=%d features, want k >= 1", c.K)
	}
	if c.Block < 0 {
		return fmt.Errorf("rf: block=%d, want >= 0 (0 picks %d)", c.Block, DefaultBlock)
	}
	return nil
}

// checkRange checks a feature row range [lo, hi) of k rows.
func checkRange(k, lo, hi int) error {
	if lo < 0 || hi > k || lo >= hi {
		return fmt.Errorf("rf: feature rows [%d, %d) empty or outside [0, %d)", lo, hi, k)
	}
	return nil
}

func (c Config) block() int {
	b := c.Block
	if b == 0 {
		b = DefaultBlock
	}
	return min(b, c.K)
}

// Flops returns the conventional flop count of Gram for n training rows,
// q query rows in total, input dimension d and k features: projections
// 2(n+q)dk, SYRK n(n+1)k, cross-Gram GEMM 2qnk. The activation is not
// counted; Config.Shared saves SharedFlops of it.
func Flops(n, q, d, k int) float64 {
	nf, qf, df, kf := float64(n), float64(q), float64(d), float64(k)
	return 2*(nf+qf)*df*kf + nf*(nf+1)*kf + 2*qf*nf*kf
}

// packBytes bounds the GEMM engine's packing buffers: two packed B panels
// of KC x NC (16 MiB at the AVX-512 blocking, KC 512, NC 2040), the packed
// A blocks of the threads and the pooled copies of earlier products.
const packBytes = 40 << 20

// Bytes returns the memory Gram allocates for n training rows, q query
// rows and d inputs under cfg: the outputs (n x n and q x n float64) plus
// one block of weights and projections and the linear algebra's packed
// copies of it (and, for F32, a float32 copy of the inputs and float32
// product scratch). Cost O(1).
func Bytes(cfg Config, n, q, d int) float64 {
	nf, qf, df := float64(n), float64(q), float64(d)
	bf := float64(DefaultBlock)
	if cfg.Block > 0 {
		bf = float64(cfg.Block)
	}
	if cfg.K > 0 {
		bf = min(bf, float64(cfg.K))
	}
	out := 8*(nf*nf+qf*nf) + packBytes
	if cfg.Precision == F32 {
		return out + 4*((nf+qf)*(df+4*bf)+bf*df+nf*nf+qf*nf)
	}
	return out + 8*(3*(nf+qf)*bf+bf*df)
}

// splitmix64 is the SplitMix64 finalizer, a bijective 64-bit mix.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// weightDomain separates the weight streams from other users of the same
// seed (the data package derives its streams from SplitMix64 of the seed
// too): it is mixed into every row's hash.
const weightDomain = 0x7766_5eed_a11c_e5e1

// WeightRows fills w, a rows x d matrix, with rows first, first+1, ... of
// the weight stream of seed: row r holds d i.i.d. N(0, 1/d) draws from a
// PCG generator seeded by a hash of (seed, r) alone (math/rand/v2's
// NormFloat64 on rand.NewPCG, to the bit). Rows are generated in
// parallel on en's threads (nil: linalg.DefaultEngine); the result does not
// depend on the thread count. Cost: rows*d normal draws.
func WeightRows(en *linalg.Engine[float64], seed uint64, first int, w linalg.Matrix[float64]) {
	weightRows(en, seed, first, w, nil)
}

// weightRows is WeightRows; then, when row is not nil, it calls row(i) for
// each row i of w, on the thread that drew it, while the row is in cache.
func weightRows(en *linalg.Engine[float64], seed uint64, first int, w linalg.Matrix[float64], row func(i int)) {
	if en == nil {
		en = linalg.DefaultEngine[float64]()
	}
	if first < 0 {
		panic(errWShape)
	}
	d := w.Cols
	scale := 1 / math.Sqrt(float64(d))
	h := splitmix64(seed ^ weightDomain)
	en.ParallelFor(w.Rows, func(lo, hi int) {
		g := newNormals()
		for i := lo; i < hi; i++ {
			r := uint64(first + i)
			s := splitmix64(h ^ splitmix64(r^0x3c6ef372fe94f82b))
			g.seed(s, splitmix64(s^0xd1b54a32d192ed03))
			g.fill(w.Row(i), scale)
			if row != nil {
				row(i)
			}
		}
	})
}

// Gram returns the training Gram K = Phi(Z) Phi(Z)^T / k (N x N, both
// triangles) and, for each query matrix Q_m, the cross Gram
// C_m = Phi(Q_m) Phi(Z)^T / k (rows(Q_m) x N): C_m[i][j] = k(q_i, z_j).
// All inputs have d columns. It streams over blocks of V and never stores
// more than one block of features; see Flops for the cost. It returns
// ctx.Err() if ctx is cancelled between blocks. Gram is GramRange over
// the rows [0, K).
func Gram(ctx context.Context, cfg Config, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	return GramRange(ctx, cfg, 0, cfg.K, z, queries...)
}

// GramRange returns the part of Gram's matrices that the weight rows
// [lo, hi) of V contribute: sum over those features f of
// phi_f(x) phi_f(z) / k, with k = cfg.K the total (not hi-lo). It draws
// only those rows (WeightRows) and adds their blocks of cfg.Block rows,
// starting at lo, into one accumulator in order, exactly as Gram does over
// [0, K): GramRange(0, K) is Gram bit for bit, and the ranges of a
// partition of [0, K) sum to Gram up to the order of the additions.
// Progress reports the rows done in the range and hi-lo. Cost: Flops with
// hi-lo features. A range outside [0, K) or empty is an error.
func GramRange(ctx context.Context, cfg Config, lo, hi int, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	if err := cfg.check(); err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	if err := checkRange(cfg.K, lo, hi); err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	d := z.Cols
	inputs := append([]linalg.Matrix[float64]{z}, queries...)
	off := make([]int, len(inputs)+1)
	for i, m := range inputs {
		if m.Cols != d {
			panic(errDims)
		}
		off[i+1] = off[i] + m.Rows
	}
	if err := checkShared(cfg.Shared, inputs); err != nil {
		return linalg.Matrix[float64]{}, nil, err
	}
	en, err := linalg.NewEngine[float64](cfg.Engine)
	if err != nil {
		return linalg.Matrix[float64]{}, nil, fmt.Errorf("rf: Config.Engine: %w", err)
	}
	if cfg.Precision == F32 {
		en32, err := linalg.NewEngine[float32](en.Settings())
		if err != nil {
			return linalg.Matrix[float64]{}, nil, fmt.Errorf("rf: Config.Engine: %w", err)
		}
		return gram32(ctx, cfg, lo, hi, en, en32, inputs, off)
	}
	n, b, q := z.Rows, min(cfg.block(), hi-lo), off[len(inputs)]-z.Rows
	vb := linalg.NewMatrix[float64](b, d)
	p := linalg.NewMatrix[float64](n+q, b)
	k, c, kc := stackedGrams(n, q)
	alpha := 1 / float64(cfg.K)
	for f0 := lo; f0 < hi; f0 += b {
		if err := ctx.Err(); err != nil {
			return linalg.Matrix[float64]{}, nil, err
		}
		bb := min(b, hi-f0)
		v := vb.View(0, 0, bb, d)
		WeightRows(en, cfg.Seed, f0, v)
		pb := p.View(0, 0, n+q, bb)
		Project(en, inputs, cfg.Shared, v, pb)
		en.ParallelFor(n+q, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				r := pb.Row(i)
				cfg.Act.Apply(r, r)
			}
		})
		en.SyrkTrapezoid(alpha, pb, 1, kc) // K's lower triangle and the cross Grams
		if cfg.Progress != nil {
			cfg.Progress(f0+bb-lo, hi-lo)
		}
	}
	en.Symmetrize(linalg.Lower, k)
	return k, split(c, queries), nil
}

// gram32 is Gram with float32 feature blocks: each block's products go to
// float32 scratch matrices and are added into the float64 accumulators.
func gram32(ctx context.Context, cfg Config, lo, hi int, en *linalg.Engine[float64], en32 *linalg.Engine[float32], inputs []linalg.Matrix[float64], off []int) (linalg.Matrix[float64], []linalg.Matrix[float64], error) {
	n, d, b := inputs[0].Rows, inputs[0].Cols, min(cfg.block(), hi-lo)
	q := off[len(inputs)] - n
	x := linalg.NewMatrix[float32](n+q, d)
	in32 := make([]linalg.Matrix[float32], len(inputs))
	for m, in := range inputs {
		in32[m] = x.View(off[m], 0, in.Rows, d)
		for i := 0; i < in.Rows; i++ {
			dst := in32[m].Row(i)
			for j, v := range in.Row(i) {
				dst[j] = float32(v)
			}
		}
	}
	vb := linalg.NewMatrix[float64](b, d)
	vb32 := linalg.NewMatrix[float32](b, d)
	p := linalg.NewMatrix[float32](n+q, b)
	kc32 := linalg.NewMatrix[float32](n+q, n) // a block's Grams stacked, for SyrkTrapezoid
	k, c, kc := stackedGrams(n, q)
	alpha := 1 / float64(cfg.K)
	for f0 := lo; f0 < hi; f0 += b {
		if err := ctx.Err(); err != nil {
			return linalg.Matrix[float64]{}, nil, err
		}
		bb := min(b, hi-f0)
		v := vb32.View(0, 0, bb, d)
		weightRows(en, cfg.Seed, f0, vb.View(0, 0, bb, d), func(i int) {
			dst := v.Row(i)
			for j, w := range vb.Row(i) {
				dst[j] = float32(w)
			}
		})
		pb := p.View(0, 0, n+q, bb)
		Project(en32, in32, cfg.Shared, v, pb)
		en.ParallelFor(n+q, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				r := pb.Row(i)
				cfg.Act.Apply32(r, r)
			}
		})
		en32.SyrkTrapezoid(1, pb, 0, kc32)
		accumulateTrapezoid(en, kc, kc32, alpha)
		if cfg.Progress != nil {
			cfg.Progress(f0+bb-lo, hi-lo)
		}
	}
	en.Symmetrize(linalg.Lower, k)
	return k, split(c, inputs[1:]), nil
}

// stackedGrams allocates the training Gram k (n x n) and the stacked cross
// Gram c (q x n) as the rows of one (n+q) x n matrix kc, the result of
// SyrkTrapezoid; k and c are capped so that neither reaches into the other.
func stackedGrams(n, q int) (k, c, kc linalg.Matrix[float64]) {
	kc = linalg.NewMatrix[float64](n+q, n)
	k = linalg.MatrixFrom(n, n, kc.Data[:n*n:n*n])
	c = linalg.MatrixFrom(q, n, kc.Data[n*n:])
	return k, c, kc
}

// accumulateTrapezoid adds alpha*src into the lower trapezoid of dst
// (the elements j <= i; same shape), in parallel over rows.
func accumulateTrapezoid(en *linalg.Engine[float64], dst linalg.Matrix[float64], src linalg.Matrix[float32], alpha float64) {
	en.ParallelFor(dst.Rows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			w := min(i+1, dst.Cols)
			d := dst.Row(i)[:w]
			for j, v := range src.Row(i)[:w] {
				d[j] += alpha * float64(v)
			}
		}
	})
}

// split cuts the stacked cross Gram c into one view per query matrix.
func split(c linalg.Matrix[float64], queries []linalg.Matrix[float64]) []linalg.Matrix[float64] {
	out := make([]linalg.Matrix[float64], len(queries))
	row := 0
	for i, m := range queries {
		out[i] = c.View(row, 0, m.Rows, c.Cols)
		row += m.Rows
	}
	return out
}

// Features returns the explicit feature matrix act(X V^T) (rows(X) x k)
// for the V of cfg, computed with plain dot-product loops in float64
// (no GEMM, no blocking): the reference Gram tests compare against. Its
// Gram Phi Phi^T / k is what Gram returns. Cost: 2*rows*d*k flops and
// rows*k memory, so use it for small sizes only.
func Features(cfg Config, x linalg.Matrix[float64]) (linalg.Matrix[float64], error) {
	if err := cfg.check(); err != nil {
		return linalg.Matrix[float64]{}, err
	}
	v := linalg.NewMatrix[float64](cfg.K, x.Cols)
	WeightRows(nil, cfg.Seed, 0, v)
	phi := linalg.NewMatrix[float64](x.Rows, cfg.K)
	for i := 0; i < x.Rows; i++ {
		xi := x.Row(i)
		for f := 0; f < cfg.K; f++ {
			var s float64
			for j, w := range v.Row(f) {
				s += w * xi[j]
			}
			phi.Set(i, f, cfg.Act.F(s))
		}
	}
	return phi, nil
}
