package shard

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/trial"
)

// reduceEstimate returns the memory Reduce needs for the trial s: the
// summed Grams ((2N+Nt+Nh) x N float64), a read block (values and bytes)
// for each of the filesAtOnce files summed at once, and the solve
// (memorize.Bytes). Cost O(1).
func reduceEstimate(s trial.Spec) memory.Estimate {
	const huge = math.MaxInt / 4
	n, nt := min(s.N, huge), min(s.Nt, huge)
	nh := max(min(s.Heldout, nt), 0)
	return memory.Estimate{
		{What: "Gram matrices", Bytes: 8 * (2*float64(n) + float64(nt) + float64(nh)) * float64(n), Reduce: "--n or --nt"},
		{What: "read buffers", Bytes: filesAtOnce * 2 * ioBlockBytes, Reduce: "nothing"},
		{What: "solve", Bytes: memorize.Bytes(n, nt, nh, s.VerifyLOO), Reduce: "--n or --verify-loo"},
	}
}

// Partials reads the manifests of dirs and checks that they are the
// shards 0..Count-1 of one trial, each exactly once: the same spec hash,
// data hash and shard count (a foreign shard is an error naming its
// folder), no shard twice (an error naming both folders), none missing
// (an error naming the missing shards), and the same ISA and GEMM
// blocking (the last bits of the sums depend on them). It returns the
// manifests in shard order with their folders. Cost: reading the
// manifests.
func Partials(dirs []string) ([]*Manifest, []string, error) {
	if len(dirs) == 0 {
		return nil, nil, fmt.Errorf("shard: no partial folders given")
	}
	ms := make([]*Manifest, len(dirs))
	for i, d := range dirs {
		m, err := ReadManifest(d)
		if err != nil {
			return nil, nil, fmt.Errorf("shard: %w", err)
		}
		ms[i] = m
	}
	// The reference is the trial most folders belong to (the first on a tie).
	key := func(m *Manifest) string { return fmt.Sprintf("%s %s %d", m.SpecHash, m.DataSHA256, m.Shards) }
	count := map[string]int{}
	ref := ms[0]
	for _, m := range ms {
		count[key(m)]++
		if count[key(m)] > count[key(ref)] {
			ref = m
		}
	}
	for i, m := range ms {
		switch {
		case m.SpecHash != ref.SpecHash:
			return nil, nil, fmt.Errorf("shard: %s (shard %s) is from another trial: spec hash %.12s, the others %.12s (%s)", dirs[i], m.ID(), m.SpecHash, ref.SpecHash, specDiff(m.Spec, ref.Spec))
		case m.DataSHA256 != ref.DataSHA256:
			return nil, nil, fmt.Errorf("shard: %s (shard %s) was computed on other data: data hash %.12s, the others %.12s", dirs[i], m.ID(), m.DataSHA256, ref.DataSHA256)
		case m.Shards != ref.Shards:
			return nil, nil, fmt.Errorf("shard: %s is shard %s, but the others are of %d shards", dirs[i], m.ID(), ref.Shards)
		case m.ISA != ref.ISA || m.KC != ref.KC || m.MC != ref.MC || m.NC != ref.NC:
			return nil, nil, fmt.Errorf("shard: %s (shard %s) ran on isa %s with blocking kc=%d mc=%d nc=%d, the others on %s kc=%d mc=%d nc=%d: rerun it with --isa %s on a machine with the same blocking",
				dirs[i], m.ID(), m.ISA, m.KC, m.MC, m.NC, ref.ISA, ref.KC, ref.MC, ref.NC, ref.ISA)
		}
	}
	byShard := make([]int, ref.Shards)
	for i := range byShard {
		byShard[i] = -1
	}
	for i, m := range ms {
		if j := byShard[m.Shard]; j >= 0 {
			return nil, nil, fmt.Errorf("shard: shard %s given twice: %s and %s", m.ID(), dirs[j], dirs[i])
		}
		byShard[m.Shard] = i
	}
	var missing []string
	for s, i := range byShard {
		if i < 0 {
			missing = append(missing, ID{s, ref.Shards}.String())
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("shard: missing shard %s of %d (run them with --feature-shard, then reduce all %d folders)", strings.Join(missing, ", "), ref.Shards, ref.Shards)
	}
	out, outDirs := make([]*Manifest, ref.Shards), make([]string, ref.Shards)
	for s, i := range byShard {
		out[s], outDirs[s] = ms[i], dirs[i]
	}
	return out, outDirs, nil
}

// specDiff names the spec fields in which a and b differ.
func specDiff(a, b trial.Spec) string {
	var d []string
	add := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			d = append(d, fmt.Sprintf("%s %v vs %v", name, x, y))
		}
	}
	add("model", a.Model, b.Model)
	add("act", a.Act, b.Act)
	add("k", a.K, b.K)
	add("seed", a.Seed, b.Seed)
	add("n", a.N, b.N)
	add("nt", a.Nt, b.Nt)
	add("d", a.D, b.D)
	add("alpha", a.Alpha, b.Alpha)
	add("ridge", a.Ridge, b.Ridge)
	add("precision", a.Precision, b.Precision)
	add("block", a.Block, b.Block)
	if len(d) == 0 {
		return "other settings differ"
	}
	return strings.Join(d, ", ")
}

// Reduce sums the partials in dirs (see Partials for the checks) and
// solves the trial as trial.Run does, returning the same record: the
// Grams are summed in float64 in shard order, file by file, each file
// streamed in blocks of rows (memory: the summed Grams and one block, see
// reduceEstimate, checked first). GramFlops and GramSeconds are the sums
// of the shards'; Seconds adds the summation and the solve. If out is not
// "", the summed Grams are also written there as a one-shard partial
// (float64), which Reduce accepts alone. A corrupt or truncated file is
// an error, never a wrong sum. Cost: reading the partials
// (Count x (N(N+1)/2 + (N+Nt+Nh) x N) values) and the solve.
func Reduce(ctx context.Context, dirs []string, out string, opt Options) (*trial.Result, error) {
	start := time.Now()
	ms, dirs, err := Partials(dirs)
	if err != nil {
		return nil, err
	}
	ref := ms[0]
	s := ref.Spec
	if out != "" {
		for _, d := range dirs {
			if sameDir(out, d) {
				return nil, fmt.Errorf("shard: --out %s is the partial %s: write the summed Grams to another folder", out, d)
			}
		}
	}
	if err := reduceEstimate(s).CheckAvailable(); err != nil {
		return nil, fmt.Errorf("shard: reduce: %w", err)
	}
	for _, w := range ref.Warnings {
		if opt.Warn != nil {
			opt.Warn(fmt.Errorf("%s", w))
		}
	}
	g, err := sumPartials(ctx, ms, dirs, opt)
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := writeReduced(out, ref, g); err != nil {
			return nil, err
		}
	}
	sumSec := time.Since(start).Seconds()
	s.Engine = opt.Engine
	if s.Engine.ISA == "" {
		s.Engine.ISA = ref.ISA
	}
	r, err := trial.Solve(s, g, trial.Options{Warn: opt.Warn})
	if err != nil {
		return nil, err
	}
	r.KC, r.MC, r.NC, r.Blocking = ref.KC, ref.MC, ref.NC, ref.Blocking // the Grams' blocking
	r.Seconds += sumSec
	return r, nil
}

// sumPartials sums the Grams of the partials ms (in shard order, with
// their folders dirs) in float64 in shard order, file by file (of K the
// lower triangles, mirrored once at the end), and reads the labels of
// shard 0. Memory: the summed Grams and filesAtOnce read blocks.
func sumPartials(ctx context.Context, ms []*Manifest, dirs []string, opt Options) (*trial.Grams, error) {
	ref := ms[0]
	mats := make([]linalg.Matrix[float64], len(gramFiles))
	for i := range gramFiles {
		mats[i] = linalg.NewMatrix[float64](ref.Files[i].Rows, ref.Files[i].Cols)
	}
	// The files are summed filesAtOnce at a time, each by one goroutine, so
	// every element's sum runs in shard order whatever the concurrency.
	total, done := len(gramFiles)*len(ms), 0
	var mu sync.Mutex // guards done and the Progress calls
	err := filesConcurrently(len(mats), func(i int) error {
		return sumFile(ctx, ms, dirs, i, mats[i], func() {
			mu.Lock()
			defer mu.Unlock()
			done++
			if opt.Progress != nil {
				opt.Progress(done, total)
			}
		})
	})
	if err != nil {
		return nil, err
	}
	linalg.Symmetrize(linalg.Lower, mats[0]) // k.npy holds the lower triangle
	labels := make([][]float64, len(labelFiles))
	for i := range labelFiles {
		f := ref.Files[len(gramFiles)+i]
		labels[i] = make([]float64, f.Rows)
		if err := streamMatrix(filepath.Join(dirs[0], f.Name), f, func(r int, row []float64) { labels[i][r] = row[0] }); err != nil {
			return nil, fmt.Errorf("shard: %w", err)
		}
	}
	g := &trial.Grams{K: mats[0], Ks: mats[1], Kt: mats[2], Kh: mats[3], G: labels[0], Gt: labels[1], Gh: labels[2]}
	for _, m := range ms {
		g.Flops += m.Flops
		g.Seconds += m.Seconds
	}
	return g, nil
}

// sumFile sums file i of the partials ms (in their folders dirs) into acc
// in shard order and calls read after each partial.
func sumFile(ctx context.Context, ms []*Manifest, dirs []string, i int, acc linalg.Matrix[float64], read func()) error {
	for sh, m := range ms {
		if err := ctx.Err(); err != nil {
			return err
		}
		f := m.Files[i]
		err := streamMatrix(filepath.Join(dirs[sh], f.Name), f, func(r int, src []float64) {
			dst := acc.Row(r)[:len(src)]
			if sh == 0 {
				copy(dst, src)
				return
			}
			for j, v := range src {
				dst[j] += v
			}
		})
		if err != nil {
			return fmt.Errorf("shard: %w", err)
		}
		read()
	}
	return nil
}

// writeReduced writes the summed Grams g of the trial of ref to dir as the
// one-shard partial 0/1 (float64 files).
func writeReduced(dir string, ref *Manifest, g *trial.Grams) error {
	m := *ref
	m.Shard, m.Shards, m.Lo, m.Hi = 0, 1, 0, ref.K
	m.Flops, m.Seconds = g.Flops, g.Seconds
	m.Files = nil
	mats := []linalg.Matrix[float64]{g.K, g.Ks, g.Kt, g.Kh, column(g.G), column(g.Gt), column(g.Gh)}
	if err := writePartial(dir, &m, mats, "<f8", nil); err != nil {
		return fmt.Errorf("shard: writing the reduced Grams: %w", err)
	}
	return nil
}

// sameDir reports whether a and b name the same existing folder.
func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
