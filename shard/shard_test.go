package shard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/internal/memory"
	"github.com/spurious-ml/spurious/internal/testutil"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/ntk"
	"github.com/spurious-ml/spurious/rf"
	"github.com/spurious-ml/spurious/trial"
)

// small returns a cheap synthetic rf or ntk trial whose features span
// several blocks.
func small(model string) trial.Spec {
	s := trial.Default()
	s.Model, s.Act, s.D, s.N, s.Nt, s.Seed, s.K, s.Block = model, "relu", 40, 30, 12, 3, 300, 32
	s.Engine = linalg.Settings{Threads: 2}
	return s
}

// runShards writes the count shards of s under a temporary folder and
// returns their folders.
func runShards(t *testing.T, s trial.Spec, count int) []string {
	t.Helper()
	root := t.TempDir()
	var dirs []string
	for i := range count {
		dir := filepath.Join(root, fmt.Sprintf("part%d", i))
		m, err := RunPartial(context.Background(), s, ID{i, count}, dir, Options{})
		if err != nil {
			t.Fatalf("shard %d/%d: %v", i, count, err)
		}
		if lo, hi := (ID{i, count}).Rows(m.K); m.Lo != lo || m.Hi != hi {
			t.Fatalf("shard %d/%d: rows [%d, %d), want [%d, %d)", i, count, m.Lo, m.Hi, lo, hi)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// readGrams reads the four Gram files of a float64 partial folder with
// numpy's reader, k.npy a 1-D lower triangle that it mirrors.
func readGrams(t *testing.T, dir string) []linalg.Matrix[float64] {
	t.Helper()
	var out []linalg.Matrix[float64]
	for _, name := range gramFiles {
		a, err := data.ReadNPY(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name != "k.npy" {
			out = append(out, linalg.MatrixFrom(a.Shape[0], a.Shape[1], a.Data))
			continue
		}
		n := int(math.Sqrt(float64(2 * len(a.Data))))
		if len(a.Shape) != 1 || n*(n+1)/2 != len(a.Data) {
			t.Fatalf("k.npy has shape %v, want (n(n+1)/2,)", a.Shape)
		}
		k := linalg.NewMatrix[float64](n, n)
		for i, p := 0, 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				k.Set(i, j, a.Data[p])
				k.Set(j, i, a.Data[p])
				p++
			}
		}
		out = append(out, k)
	}
	return out
}

func gramList(g *trial.Grams) []linalg.Matrix[float64] {
	return []linalg.Matrix[float64]{g.K, g.Ks, g.Kt, g.Kh}
}

// record is the JSON record of r without its timings.
func record(t *testing.T, r *trial.Result) map[string]any {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"seconds", "gram_seconds", "solve_seconds", "gram_flops"} {
		delete(m, k)
	}
	return m
}

// absGrams returns, for each Gram of the trial, sum_f |phi_f(x) phi_f(z)| / K
// from the explicit features (rf.Features, ntk.Features): the scale of the
// summation-order error bound.
func absGrams(t *testing.T, s trial.Spec, td *trial.Data) []linalg.Matrix[float64] {
	t.Helper()
	act := testutil.Act(t, s.Act)
	seed := trial.DeriveSeed(s.Seed, trial.StreamWeights)
	features := func(x linalg.Matrix[float64]) linalg.Matrix[float64] {
		var phi linalg.Matrix[float64]
		var err error
		if s.Model == "rf" {
			phi, err = rf.Features(rf.Config{Act: act, K: s.K, Seed: seed}, x)
		} else {
			phi, err = ntk.Features(ntk.Config{Act: act, Deriv: s.Deriv, K: s.K, Seed: seed}, x)
		}
		if err != nil {
			t.Fatal(err)
		}
		return phi
	}
	n, d := td.N(), td.D
	pz := features(linalg.MatrixFrom(n, d, td.Z))
	var out []linalg.Matrix[float64]
	for _, q := range []linalg.Matrix[float64]{linalg.MatrixFrom(n, d, td.Z), linalg.MatrixFrom(n, d, td.Zs),
		linalg.MatrixFrom(td.Nt(), d, td.Zt), linalg.MatrixFrom(len(td.Gh), d, td.Zh)} {
		_, abs := testutil.RefGram(features(q), pz, s.K)
		out = append(out, abs)
	}
	return out
}

// orderBound is the relative bound (times the abs Gram) on the difference
// between the reduced and the unsharded Grams of count shards: both sum
// the same K per-feature terms (bit-identical: each weight row and its
// projection do not depend on the shard) in two orders, each within
// gamma_{K+count+3} of the exact sum (the product, the scale by 1/K and,
// for ntk, the Hadamard factor add one rounding each). f32 blocks add
// the float32 rounding of the block products (blocks of Block rows) and
// of the stored partials (one per shard).
func orderBound(s trial.Spec, count int) float64 {
	b := 2 * fpbound.Gamma(s.K+count+3, fpbound.U64)
	if s.Precision == rf.F32 {
		b += 2*fpbound.Gamma(s.Block+2, fpbound.U32) + float64(count)*fpbound.U32*1.01
	}
	return b
}

// TestReduceMatchesUnsharded shards small rf and ntk trials 1, 2, 3 and 7
// ways and reduces them. The reduced Grams equal, bit for bit, the sum of
// the partials (trial.FeatureGrams of each row range, f32 partials rounded
// as stored) taken in shard order from a copy of shard 0: the documented
// order. Against the unsharded Grams they agree bit for bit for one shard
// (the same order) and within orderBound otherwise; the trial record then
// equals the unsharded one exactly for one shard and within the
// condition number times the Gram error otherwise.
func TestReduceMatchesUnsharded(t *testing.T) {
	ctx := context.Background()
	f32 := small("rf")
	f32.Precision = rf.F32
	strips := small("ntk")
	strips.Block = 64 // shards of 7 fit one block: ntk's strip path, unlike the unsharded run
	for _, tc := range []struct {
		name string
		spec trial.Spec
	}{{"rf", small("rf")}, {"ntk", small("ntk")}, {"rf-f32", f32}, {"ntk-strips", strips}} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.spec
			r0, err := trial.Run(ctx, s, trial.Options{})
			if err != nil {
				t.Fatal(err)
			}
			td, sn, err := trial.LoadData(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			full, err := trial.FeatureGrams(ctx, sn, td, 0, sn.K, nil)
			if err != nil {
				t.Fatal(err)
			}
			abs := absGrams(t, sn, td)
			for _, count := range []int{1, 2, 3, 7} {
				dirs := runShards(t, s, count)
				out := filepath.Join(t.TempDir(), "reduced")
				r, err := Reduce(ctx, dirs, out, Options{})
				if err != nil {
					t.Fatalf("%d shards: %v", count, err)
				}
				got := readGrams(t, out)
				// The documented order, in memory.
				var want []linalg.Matrix[float64]
				for i := range count {
					lo, hi := (ID{i, count}).Rows(sn.K)
					g, err := trial.FeatureGrams(ctx, sn, td, lo, hi, nil)
					if err != nil {
						t.Fatal(err)
					}
					for m, p := range gramList(g) {
						if s.Precision == rf.F32 {
							for j, v := range p.Data {
								p.Data[j] = float64(float32(v))
							}
						}
						if i == 0 {
							want = append(want, p.Clone())
							continue
						}
						for j, v := range p.Data {
							want[m].Data[j] += v
						}
					}
				}
				for m := range got {
					if !reflect.DeepEqual(got[m].Data, want[m].Data[:len(got[m].Data)]) {
						t.Fatalf("%d shards: %s differs from the partials summed in shard order", count, gramFiles[m])
					}
				}
				// The sums in memory, K mirrored from its triangles.
				ms, pdirs, err := Partials(dirs)
				if err != nil {
					t.Fatal(err)
				}
				sum, err := sumPartials(ctx, ms, pdirs, Options{})
				if err != nil {
					t.Fatal(err)
				}
				for m, g := range gramList(sum) {
					if !reflect.DeepEqual(g.Data, want[m].Data[:len(g.Data)]) {
						t.Fatalf("%d shards: the summed %s in memory differs from the partials summed in shard order", count, gramFiles[m])
					}
				}
				tol := orderBound(sn, count)
				maxErr := 0.0
				for m, g := range gramList(full) {
					if count == 1 && s.Precision == rf.F64 && !reflect.DeepEqual(got[m].Data, g.Data[:len(got[m].Data)]) {
						t.Fatalf("1 shard: %s is not the unsharded Gram bit for bit", gramFiles[m])
					}
					testutil.Within(t, fmt.Sprintf("%d shards: %s", count, gramFiles[m]), got[m], g, abs[m], tol)
					for i := range g.Rows {
						for j := range g.Cols {
							maxErr = max(maxErr, math.Abs(got[m].At(i, j)-g.At(i, j))/math.Abs(full.K.At(i, i)))
						}
					}
				}
				rec, rec0 := record(t, r), record(t, r0)
				if count == 1 && s.Precision == rf.F64 {
					if !reflect.DeepEqual(rec, rec0) {
						t.Fatalf("1 shard: record\n%v\nwant the unsharded\n%v", rec, rec0)
					}
					continue
				}
				// A Gram error of relative size e moves the solution by
				// about cond*e (first order); allow 100 times that.
				rel := 100 * r0.GramCondition * maxErr
				compareRecords(t, fmt.Sprintf("%d shards", count), rec, rec0, rel)
			}
		})
	}
}

// compareRecords fails unless rec and want have the same keys, equal
// non-numbers and numbers within rel (relative, and absolute below 1).
func compareRecords(t *testing.T, what string, rec, want map[string]any, rel float64) {
	t.Helper()
	if len(rec) != len(want) {
		t.Fatalf("%s: record keys %d, want %d", what, len(rec), len(want))
	}
	for k, w := range want {
		g := rec[k]
		wf, ok1 := w.(float64)
		gf, ok2 := g.(float64)
		if ok1 && ok2 {
			if math.Abs(gf-wf) > rel*max(1, math.Abs(wf)) {
				t.Fatalf("%s: %s = %v, want %v within %.3g", what, k, gf, wf, rel)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

// TestReduceDeterministic: reducing the same partials twice, with other
// thread counts for the shards, gives the same bits, and the summed Grams
// that --out writes reduce alone to the same record.
func TestReduceDeterministic(t *testing.T) {
	s := small("rf")
	a := runShards(t, s, 3)
	s.Engine.Threads = 1
	b := runShards(t, s, 3)
	outA, outB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	ra, err := Reduce(context.Background(), a, outA, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The summed Grams of --out reduce alone to the same record.
	again, err := Reduce(context.Background(), []string{outA}, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if x, y := record(t, again), record(t, ra); !reflect.DeepEqual(x, y) {
		t.Fatalf("reduce of --out:\n%v\nwant\n%v", x, y)
	}
	if _, err := Reduce(context.Background(), b, outB, Options{Engine: linalg.Settings{Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	ga, gb := readGrams(t, outA), readGrams(t, outB)
	for m := range ga {
		if !reflect.DeepEqual(ga[m].Data, gb[m].Data) {
			t.Fatalf("%s differs between thread counts", gramFiles[m])
		}
	}
}

// TestReduceErrors: missing, duplicated, foreign, corrupt and truncated
// partials are errors that name the culprit, never a sum.
func TestReduceErrors(t *testing.T) {
	ctx := context.Background()
	s := small("rf")
	dirs := runShards(t, s, 3)
	other := s
	other.Seed = 4
	foreign := runShards(t, other, 3)
	otherK := s
	otherK.K = 299
	foreignK := runShards(t, otherK, 3)

	// copyDir copies a partial folder so that it can be damaged.
	copyDir := func(src string) string {
		dst := filepath.Join(t.TempDir(), filepath.Base(src))
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(src)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dst
	}
	damage := func(name string, f func(b []byte) []byte) string {
		d := copyDir(dirs[1])
		p := filepath.Join(d, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f(b), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	flipped := damage("kt.npy", func(b []byte) []byte { b[len(b)-3] ^= 1; return b })
	truncated := damage("ks.npy", func(b []byte) []byte { return b[:len(b)-8] })
	header := damage("k.npy", func(b []byte) []byte { b[20] = 'X'; return b })
	badManifest := damage(ManifestName, func(b []byte) []byte { return b[:len(b)/2] })
	noManifest := copyDir(dirs[1])
	os.Remove(filepath.Join(noManifest, ManifestName))
	dense := damage(ManifestName, func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"layout": "lower"`, `"layout": "dense"`, 1))
	})
	tampered := damage(ManifestName, func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"Seed": 3`, `"Seed": 5`, 1))
	})

	for _, tc := range []struct {
		name string
		dirs []string
		want []string
	}{
		{"missing", []string{dirs[0], dirs[2]}, []string{"missing shard 1/3"}},
		{"duplicate", []string{dirs[0], dirs[1], dirs[1], dirs[2]}, []string{"shard 1/3 given twice", dirs[1]}},
		{"foreign seed", []string{dirs[0], foreign[1], dirs[2]}, []string{foreign[1], "another trial", "seed 4 vs 3"}},
		{"foreign k", []string{dirs[0], dirs[1], foreignK[2]}, []string{foreignK[2], "another trial", "k 299 vs 300"}},
		{"other count", []string{dirs[0], dirs[1], dirs[2], runShards(t, s, 2)[0]}, []string{"is shard 0/2", "of 3 shards"}},
		{"corrupt", []string{dirs[0], flipped, dirs[2]}, []string{filepath.Join(flipped, "kt.npy"), "CRC-32C"}},
		{"truncated", []string{dirs[0], truncated, dirs[2]}, []string{filepath.Join(truncated, "ks.npy"), "truncated"}},
		{"header", []string{dirs[0], header, dirs[2]}, []string{filepath.Join(header, "k.npy"), "header"}},
		{"bad manifest", []string{dirs[0], badManifest, dirs[2]}, []string{badManifest, "not a partial manifest"}},
		{"no manifest", []string{dirs[0], noManifest, dirs[2]}, []string{noManifest, "not finished"}},
		{"layout", []string{dirs[0], dense, dirs[2]}, []string{dense, `k.npy has layout "dense", want "lower"`}},
		{"tampered manifest", []string{dirs[0], tampered, dirs[2]}, []string{tampered, "spec_hash"}},
		{"none", nil, []string{"no partial folders"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Reduce(ctx, tc.dirs, "", Options{})
			if err == nil {
				t.Fatalf("no error; result %+v", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := Reduce(ctx, dirs, dirs[1], Options{}); err == nil || !strings.Contains(err.Error(), "is the partial") {
		t.Fatalf("--out onto a partial: %v", err)
	}
	if _, err := Reduce(ctx, dirs, "", Options{}); err != nil {
		t.Fatalf("the intact partials: %v", err)
	}
}

// TestRunPartialErrors: shards beyond the features and models without
// features are refused before any work.
func TestRunPartialErrors(t *testing.T) {
	s := small("rf")
	s.K = 5
	if _, err := RunPartial(context.Background(), s, ID{0, 6}, t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "at most 5 shards") {
		t.Fatalf("6 shards of 5 features: %v", err)
	}
	s = small("linear")
	s.K, s.Block = 0, 0
	if _, err := RunPartial(context.Background(), s, ID{0, 2}, t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "no features") {
		t.Fatalf("linear model: %v", err)
	}
}

// TestReduceMemoryRefused: a manifest whose Grams cannot fit is refused
// by the estimate before any file is read (the folder has none).
func TestReduceMemoryRefused(t *testing.T) {
	if lim, _ := memory.Limit(); lim == 0 {
		t.Skip("no memory limit known on this system")
	}
	s := small("rf")
	td, sn, err := trial.LoadData(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	sn.N, sn.Nt, sn.Heldout = 100_000_000, 0, 0
	m := Manifest{Format: Format, SpecHash: SpecHash(sn), Spec: sn, DataSHA256: dataHash(td), Shard: 0, Shards: 1,
		Lo: 0, Hi: sn.K, K: sn.K, Precision: "f64", Block: 32}
	sum := strings.Repeat("0", 8)
	for i, name := range []string{"k.npy", "ks.npy", "kt.npy", "kh.npy", "g.npy", "gt.npy", "gh.npy"} {
		rows, cols := []int{sn.N, sn.N, 0, 0, sn.N, 0, 0}[i], []int{sn.N, sn.N, sn.N, sn.N, 1, 1, 1}[i]
		layout := Dense
		if i == 0 {
			layout = Lower
		}
		m.Files = append(m.Files, File{Name: name, Rows: rows, Cols: cols, Layout: layout, DType: "<f8", CRC32C: sum})
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Reduce(context.Background(), []string{dir}, "", Options{})
	var me *memory.Error
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "reduce --n") {
		t.Fatalf("err = %v, want the memory estimate refused", err)
	}
}

// TestFormat1Refused: a manifest of the first format (SHA-256 checksums,
// a dense k.npy) is refused with a message to rerun the shards.
func TestFormat1Refused(t *testing.T) {
	dirs := runShards(t, small("rf"), 2)
	p := filepath.Join(dirs[1], ManifestName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(b), Format, "spurious-feature-shard/1", 1)
	if old == string(b) {
		t.Fatal("the manifest has no format tag")
	}
	if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Reduce(context.Background(), dirs, "", Options{})
	if err == nil || !strings.Contains(err.Error(), "spurious-feature-shard/1") || !strings.Contains(err.Error(), "rerun the shards") {
		t.Fatalf("a /1 manifest: %v", err)
	}
}

// TestByteOrderPaths: the conversion path of big-endian machines writes
// the same bytes as the little-endian one, which writes float64 memory as
// it is, and reads them back to the same sums.
func TestByteOrderPaths(t *testing.T) {
	if !nativeLE {
		t.Skip("big-endian machine: only the conversion path exists")
	}
	ctx := context.Background()
	s := small("ntk")
	native := runShards(t, s, 2)
	outN := filepath.Join(t.TempDir(), "native")
	rn, err := Reduce(ctx, native, outN, Options{})
	if err != nil {
		t.Fatal(err)
	}
	nativeLE = false
	defer func() { nativeLE = true }()
	conv := runShards(t, s, 2)
	outC := filepath.Join(t.TempDir(), "conv")
	rc, err := Reduce(ctx, conv, outC, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range native {
		for _, name := range slices.Concat(gramFiles, labelFiles) {
			a, err1 := os.ReadFile(filepath.Join(native[i], name))
			b, err2 := os.ReadFile(filepath.Join(conv[i], name))
			if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
				t.Fatalf("shard %d: %s differs between the byte-order paths (%v, %v)", i, name, err1, err2)
			}
		}
	}
	if x, y := record(t, rc), record(t, rn); !reflect.DeepEqual(x, y) {
		t.Fatalf("conversion path record\n%v\nwant\n%v", x, y)
	}
	gn, gc := readGrams(t, outN), readGrams(t, outC)
	for m := range gn {
		if !reflect.DeepEqual(gn[m].Data, gc[m].Data) {
			t.Fatalf("reduced %s differs between the byte-order paths", gramFiles[m])
		}
	}
}

// TestStreamMatrixBlocks: matrices of several read blocks (dense and
// lower triangles, <f8 and <f4) read back as written, row by row, and a
// flipped byte in the last block or a missing tail is an error.
func TestStreamMatrixBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := linalg.NewMatrix[float64](1100, 1100) // 9.7 MB: three 4 MiB blocks
	for i := range m.Rows {
		for j := 0; j <= i; j++ {
			v := rng.NormFloat64()
			m.Set(i, j, v)
			m.Set(j, i, v)
		}
	}
	for _, descr := range []string{"<f8", "<f4"} {
		for _, layout := range []string{Dense, Lower} {
			name := filepath.Join(t.TempDir(), "m.npy")
			f, err := writeMatrix(name, descr, layout, m)
			if err != nil {
				t.Fatal(err)
			}
			next := 0
			err = streamMatrix(name, f, func(i int, row []float64) {
				if i != next || len(row) != f.rowLen(i) {
					t.Fatalf("%s %s: row %d of length %d, want row %d of length %d", descr, layout, i, len(row), next, f.rowLen(next))
				}
				for j, v := range row {
					w := m.At(i, j)
					if descr == "<f4" {
						w = float64(float32(w))
					}
					if v != w {
						t.Fatalf("%s %s: [%d,%d] = %v, want %v", descr, layout, i, j, v, w)
					}
				}
				next++
			})
			if err != nil || next != m.Rows {
				t.Fatalf("%s %s: %d rows read, err %v", descr, layout, next, err)
			}
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-5] ^= 0x10
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := streamMatrix(name, f, func(int, []float64) {}); err == nil || !strings.Contains(err.Error(), "CRC-32C") {
				t.Fatalf("%s %s: flipped byte in the last block: %v", descr, layout, err)
			}
			if err := os.WriteFile(name, b[:len(b)-1], 0o644); err != nil {
				t.Fatal(err)
			}
			if err := streamMatrix(name, f, func(int, []float64) {}); err == nil || !strings.Contains(err.Error(), "truncated") {
				t.Fatalf("%s %s: truncated: %v", descr, layout, err)
			}
		}
	}
}
