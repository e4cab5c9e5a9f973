package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/trial"
)

// Format is the format tag of a manifest; Reduce rejects other versions.
const Format = "spurious-feature-shard/2"

// format1 is the tag of the first format (SHA-256 file checksums, a dense
// k.npy), which Reduce refuses with a message to rerun the shards.
const format1 = "spurious-feature-shard/1"

// ManifestName is the manifest's file name in a partial's folder. RunPartial
// writes it last, so a folder without it holds an unfinished shard.
const ManifestName = "manifest.json"

// ID is shard I of Count: the feature rows [I*K/Count, (I+1)*K/Count).
type ID struct {
	I, Count int
}

// String returns "I/Count".
func (id ID) String() string { return strconv.Itoa(id.I) + "/" + strconv.Itoa(id.Count) }

// Rows returns the feature rows [lo, hi) of shard id among k features:
// lo = I*k/Count, hi = (I+1)*k/Count (integer division), so the shards
// 0..Count-1 partition [0, k).
func (id ID) Rows(k int) (lo, hi int) {
	return id.I * k / id.Count, (id.I + 1) * k / id.Count
}

// check returns an error unless 0 <= I < Count <= k (every shard gets at
// least one feature row).
func (id ID) check(k int) error {
	if id.Count < 1 || id.I < 0 || id.I >= id.Count {
		return fmt.Errorf("shard %s: want 0 <= i < n", id)
	}
	if id.Count > k {
		return fmt.Errorf("shard %s: %d shards of %d features leave some empty; use at most %d shards", id, id.Count, k, k)
	}
	return nil
}

// File describes one NPY file of a partial: a rows x cols matrix of
// DType ("<f8" float64, "<f4" float32) stored in Layout (Dense, or Lower:
// the lower triangle of the symmetric k.npy, as a 1-D array), with the
// CRC-32C (Castagnoli) of the whole file in 8 hex digits. The CRC guards
// against corruption and truncation (a damaged disk or copy), not
// against an adversary who edits a file and its manifest together.
type File struct {
	Name   string `json:"name"`
	Rows   int    `json:"rows"`
	Cols   int    `json:"cols"`
	Layout string `json:"layout"`
	DType  string `json:"dtype"`
	CRC32C string `json:"crc32c"`
}

// Manifest describes a partial: which trial (Spec, SpecHash, DataSHA256),
// which shard and feature rows, how its numbers were computed (Precision
// of the feature blocks, ISA and GEMM blocking, Block rows per feature
// block) and its files. Its JSON form is manifest.json.
type Manifest struct {
	Format     string     `json:"format"`
	SpecHash   string     `json:"spec_hash"`
	Spec       trial.Spec `json:"spec"`
	DataSHA256 string     `json:"data_sha256"`
	Shard      int        `json:"shard"`
	Shards     int        `json:"shards"`
	Lo         int        `json:"lo"` // first feature row
	Hi         int        `json:"hi"` // one past the last
	K          int        `json:"k"`
	Precision  string     `json:"precision"` // of the feature blocks: f64 or f32 (f32 partials are stored as <f4)
	Block      int        `json:"block"`     // feature rows per streamed block
	ISA        string     `json:"isa"`
	KC         int        `json:"kc"`
	MC         int        `json:"mc"`
	NC         int        `json:"nc"`
	Blocking   string     `json:"blocking"`
	Flops      float64    `json:"flops"`
	Seconds    float64    `json:"seconds"` // of computing the partial Grams
	Warnings   []string   `json:"warnings,omitempty"`
	Files      []File     `json:"files"`
}

// ID returns the manifest's shard.
func (m *Manifest) ID() ID { return ID{m.Shard, m.Shards} }

// gramFiles and labelFiles are the files of a partial, in reduce order.
var (
	gramFiles  = []string{"k.npy", "ks.npy", "kt.npy", "kh.npy"}
	labelFiles = []string{"g.npy", "gt.npy", "gh.npy"}
)

var (
	hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hexCRC = regexp.MustCompile(`^[0-9a-f]{8}$`)
)

// ParseManifest decodes and checks a manifest: the format tag (a
// spurious-feature-shard/1 manifest is an error asking to rerun the
// shards), unknown keys (an error), the shard and its rows, the spec's
// validity and hash, and the files (the four Grams and three label
// vectors, shapes and layouts consistent with the spec). name labels the
// errors. Cost: linear in len(b).
func ParseManifest(b []byte, name string) (*Manifest, error) {
	var tag struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(b, &tag) == nil && tag.Format == format1 {
		return nil, fmt.Errorf("%s: format %s, written by an older spurious (SHA-256 checksums, full k.npy); this version reads only %s: rerun the shards with it", name, format1, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: not a partial manifest: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the manifest", name)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
	}
	if m.Format != Format {
		return nil, bad("format %q, want %q (written by another version of spurious?)", m.Format, Format)
	}
	s := m.Spec
	s.Engine = linalg.Settings{} // this machine need not have the shards' ISA
	if err := s.Validate(); err != nil {
		return nil, bad("spec: %v", err)
	}
	if s.Model != "rf" && s.Model != "ntk" {
		return nil, bad("model %q, want rf or ntk", s.Model)
	}
	if m.K != s.K {
		return nil, bad("k=%d but the spec has %d", m.K, s.K)
	}
	if err := m.ID().check(m.K); err != nil {
		return nil, bad("%v", err)
	}
	if lo, hi := m.ID().Rows(m.K); m.Lo != lo || m.Hi != hi {
		return nil, bad("rows [%d, %d), but shard %s of k=%d has [%d, %d)", m.Lo, m.Hi, m.ID(), m.K, lo, hi)
	}
	if h := SpecHash(s); m.SpecHash != h {
		return nil, bad("spec_hash %s does not match its spec (%s)", m.SpecHash, h)
	}
	if m.Precision != s.Precision.String() {
		return nil, bad("precision %q, but the spec has %s", m.Precision, s.Precision)
	}
	if !hexSHA.MatchString(m.DataSHA256) {
		return nil, bad("data_sha256 %q is not a SHA-256", m.DataSHA256)
	}
	nh := min(s.Heldout, s.Nt)
	want := []File{
		{Name: "k.npy", Rows: s.N, Cols: s.N, Layout: Lower}, {Name: "ks.npy", Rows: s.N, Cols: s.N},
		{Name: "kt.npy", Rows: s.Nt, Cols: s.N}, {Name: "kh.npy", Rows: -1, Cols: s.N},
		{Name: "g.npy", Rows: s.N, Cols: 1}, {Name: "gt.npy", Rows: s.Nt, Cols: 1}, {Name: "gh.npy", Rows: -1, Cols: 1},
	}
	if len(m.Files) != len(want) {
		return nil, bad("%d files, want %d (%s)", len(m.Files), len(want), strings.Join(slices.Concat(gramFiles, labelFiles), ", "))
	}
	gramType := dtypeOf(s)
	if len(m.Files) > 0 && m.Files[0].DType == "<f8" {
		gramType = "<f8" // f32 blocks summed in float64 (Reduce's --out)
	}
	for i, f := range m.Files {
		w := want[i]
		if w.Layout == "" {
			w.Layout = Dense
		}
		dt := gramType
		if i >= len(gramFiles) {
			dt = "<f8"
		}
		if w.Rows == -1 { // held-out queries: at most min(Heldout, Nt), as many as gh
			w.Rows = f.Rows
			if f.Rows < 0 || f.Rows > nh {
				return nil, bad("%s has %d rows, want 0..%d held-out queries", f.Name, f.Rows, nh)
			}
		}
		switch {
		case f.Name != w.Name:
			return nil, bad("file %d is %q, want %q", i, f.Name, w.Name)
		case f.Rows != w.Rows || f.Cols != w.Cols:
			return nil, bad("%s is %dx%d, want %dx%d", f.Name, f.Rows, f.Cols, w.Rows, w.Cols)
		case f.Layout != w.Layout:
			return nil, bad("%s has layout %q, want %q", f.Name, f.Layout, w.Layout)
		case f.DType != dt:
			return nil, bad("%s has dtype %q, want %q", f.Name, f.DType, dt)
		case !hexCRC.MatchString(f.CRC32C):
			return nil, bad("%s: crc32c %q is not 8 lowercase hex digits", f.Name, f.CRC32C)
		}
	}
	if m.Files[3].Rows != m.Files[6].Rows {
		return nil, bad("kh.npy has %d rows but gh.npy %d labels", m.Files[3].Rows, m.Files[6].Rows)
	}
	return &m, nil
}

// ReadManifest reads and checks dir/manifest.json (see ParseManifest). A
// missing manifest is an error saying the shard did not finish.
func ReadManifest(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s: not a partial, or its shard has not finished (rerun it)", dir, ManifestName)
	}
	if err != nil {
		return nil, err
	}
	return ParseManifest(b, name)
}

// dtypeOf is the NPY dtype of a spec's partial Grams: <f4 for f32 feature
// blocks, else <f8.
func dtypeOf(s trial.Spec) string {
	if s.Precision.String() == "f32" {
		return "<f4"
	}
	return "<f8"
}

// SpecHash returns the hex SHA-256 of the JSON of s without the fields
// that do not change its numbers: the data folder (the data's own hash is
// in Manifest.DataSHA256) and the engine (the ISA and GEMM blocking are
// compared on their own; the thread count changes no bit). Pass the spec
// LoadData returns, with its defaults filled.
func SpecHash(s trial.Spec) string {
	s.DataDir = ""
	s.Engine.ISA, s.Engine.Threads = "", 0
	b, err := json.Marshal(s)
	if err != nil {
		panic("shard: spec does not marshal: " + err.Error())
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
