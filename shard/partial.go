package shard

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/ntk"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/trial"
)

// Options are the optional hooks of RunPartial and Reduce.
type Options struct {
	// Progress, if not nil, receives the progress of the Gram computation
	// (RunPartial: feature rows of the shard done and their total) or of
	// the summation (Reduce: files summed and their total).
	Progress func(done, total int)
	// Warn, if not nil, receives the problems the trial runs despite (see
	// trial.Options).
	Warn func(error)
	// Engine, for Reduce, is the engine of the solve: a zero ISA takes
	// the shards' ISA (the record then equals the unsharded run's), a zero
	// thread count the process default.
	Engine linalg.Settings
}

// partialEstimate returns the memory RunPartial needs for shard id of s
// (the spec LoadData returns): the data, the model's Gram workspace
// (rf.Bytes, ntk.Bytes) for the shard's feature rows and the write
// buffers of the files written at once. Cost O(1).
func partialEstimate(s trial.Spec, id ID) memory.Estimate {
	const huge = math.MaxInt / 4
	n, nt, d := min(s.N, huge), min(s.Nt, huge), min(s.D, huge)
	nh := max(min(s.Heldout, nt), 0)
	q := n + nt + nh
	lo, hi := id.Rows(s.K)
	var gram float64
	if s.Model == "ntk" {
		gram = ntk.Bytes(ntk.Config{K: hi - lo, Block: s.Block}, n, q, d)
	} else {
		gram = rf.Bytes(rf.Config{K: hi - lo, Block: s.Block, Precision: s.Precision}, n, q, d)
	}
	return memory.Estimate{
		{What: "data", Bytes: 8 * (float64(n) + float64(q)) * float64(d), Reduce: "--n, --nt or --d"},
		{What: "partial Gram matrices and workspace", Bytes: gram, Reduce: "--n or --nt"},
		{What: "write buffers", Bytes: filesAtOnce * ioBlockBytes, Reduce: "nothing"},
	}
}

// RunPartial computes shard id of the rf or ntk trial s, the part of its
// Grams that the feature rows id.Rows(K) contribute (trial.FeatureGrams),
// and writes it to dir (created if needed): k.npy, ks.npy, kt.npy, kh.npy
// (float32 for --precision f32, else float64), the labels g.npy, gt.npy,
// gh.npy, and manifest.json last. It checks the memory first (an
// *memory.Error) and returns the manifest. Cost: the model's Gram flops
// with K/Count features, the data, and writing N(N+1)/2 + (N+Nt+Nh) x N
// values.
func RunPartial(ctx context.Context, s trial.Spec, id ID, dir string, opt Options) (*Manifest, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.Model != "rf" && s.Model != "ntk" {
		return nil, &trial.FieldError{Field: "Model", Err: fmt.Errorf("model %s has no features to shard (rf and ntk have)", s.Model)}
	}
	if s.K == 0 {
		s.K = trial.DefaultWidth[s.Model]
	}
	if err := id.check(s.K); err != nil {
		return nil, err
	}
	if s.Dataset == "synthetic" {
		s.Heldout = normHeldout(s)
		if err := partialEstimate(s, id).CheckAvailable(); err != nil {
			return nil, fmt.Errorf("shard: %w", err)
		}
	}
	td, s, err := trial.LoadData(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := partialEstimate(s, id).CheckAvailable(); err != nil {
		return nil, fmt.Errorf("shard: %w", err)
	}
	var warnings []string
	if td.Warning != nil {
		warnings = append(warnings, td.Warning.Error())
		if opt.Warn != nil {
			opt.Warn(td.Warning)
		}
	}
	lo, hi := id.Rows(s.K)
	g, err := trial.FeatureGrams(ctx, s, td, lo, hi, opt.Progress)
	if err != nil {
		return nil, err
	}
	bl, err := blocking(s)
	if err != nil {
		return nil, err
	}
	block := s.Block
	if block == 0 {
		block = rf.DefaultBlock // ntk.DefaultBlock is the same
	}
	m := &Manifest{
		Format: Format, SpecHash: SpecHash(s), Spec: s,
		Shard: id.I, Shards: id.Count, Lo: lo, Hi: hi, K: s.K, Precision: s.Precision.String(), Block: block,
		ISA: s.Engine.ISA, KC: bl.KC, MC: bl.MC, NC: bl.NC, Blocking: bl.Origin,
		Flops: g.Flops, Seconds: g.Seconds, Warnings: warnings,
	}
	mats := []linalg.Matrix[float64]{g.K, g.Ks, g.Kt, g.Kh, column(g.G), column(g.Gt), column(g.Gh)}
	hash := make(chan string, 1)
	go func() { hash <- dataHash(td) }() // on the core the writes leave idle
	if err := writePartial(dir, m, mats, dtypeOf(s), hash); err != nil {
		return nil, fmt.Errorf("shard: writing the partial: %w", err)
	}
	return m, nil
}

// filesAtOnce is the number of files a partial writes, or a reduce sums,
// at once: most of a file's cost is the kernel's (page cache, flush to the
// device), and two files in flight measured 1.5-3x faster than one.
const filesAtOnce = 2

// writePartial writes mats (the Grams in gramFiles order, then the labels
// as columns) into dir (created if needed), the Grams in dtype gramType
// (of the symmetric K only the lower triangle) and the labels in <f8,
// sets m.Files and writes m as the manifest, last. If dataHash is not
// nil, m.DataSHA256 is received from it after the files are written.
func writePartial(dir string, m *Manifest, mats []linalg.Matrix[float64], gramType string, dataHash <-chan string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	os.Remove(filepath.Join(dir, ManifestName)) // a rerun: the old manifest must not describe new files
	names := slices.Concat(gramFiles, labelFiles)
	m.Files = make([]File, len(names))
	err := filesConcurrently(len(names), func(i int) error {
		dt, layout := gramType, Dense
		if i >= len(gramFiles) {
			dt = "<f8"
		}
		if names[i] == "k.npy" {
			layout = Lower
		}
		var err error
		m.Files[i], err = writeMatrix(filepath.Join(dir, names[i]), dt, layout, mats[i])
		return err
	})
	if err != nil {
		return err
	}
	if dataHash != nil {
		m.DataSHA256 = <-dataHash
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return data.WriteFileAtomic(filepath.Join(dir, ManifestName), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// normHeldout is the held-out count of s with -1 resolved to Nt.
func normHeldout(s trial.Spec) int {
	if s.Heldout == -1 {
		return s.Nt
	}
	return s.Heldout
}

// column views v as a len(v) x 1 matrix.
func column(v []float64) linalg.Matrix[float64] { return linalg.MatrixFrom(len(v), 1, v) }

// blocking returns the GEMM blocking of the Gram's precision on the
// spec's engine (the numbers of the partial depend on it).
func blocking(s trial.Spec) (linalg.Blocking, error) {
	if s.Precision == rf.F32 {
		en, err := linalg.NewEngine[float32](s.Engine)
		if err != nil {
			return linalg.Blocking{}, err
		}
		return en.Blocking(), nil
	}
	en, err := linalg.NewEngine[float64](s.Engine)
	if err != nil {
		return linalg.Blocking{}, err
	}
	return en.Blocking(), nil
}

// dataHash is the SHA-256 of the trial's data: the dimensions, then the
// bits of Z, Zs, Zt, Zh and the labels G, Gt, Gh, each prefixed by its
// length. Shards of one trial must hash the same data.
func dataHash(td *trial.Data) string {
	h := sha256.New()
	var buf []byte
	put := func(v []float64) {
		buf = binary.LittleEndian.AppendUint64(buf[:0], uint64(len(v)))
		for _, x := range v {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			if len(buf) >= 1<<16 {
				h.Write(buf)
				buf = buf[:0]
			}
		}
		h.Write(buf)
	}
	put([]float64{float64(td.D)})
	for _, v := range [][]float64{td.Z, td.Zs, td.Zt, td.Zh, td.G, td.Gt, td.Gh} {
		put(v)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// filesConcurrently calls fn(i) for i in [0, n), filesAtOnce calls at a
// time, and returns the error of the first i that failed, or nil.
func filesConcurrently(n int, fn func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, filesAtOnce)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
