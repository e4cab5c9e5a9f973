package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Grid is one Cartesian product of axis values. An empty axis means "not
// set": the trial's field keeps its zero value, and a runner is expected to
// leave the corresponding setting at its default (RunTrial does).
type Grid struct {
	Model   []string  `json:"model,omitempty"`
	Act     []string  `json:"act,omitempty"`
	Dataset []string  `json:"dataset,omitempty"`
	Alpha   []float64 `json:"alpha,omitempty"`
	D       []int     `json:"d,omitempty"`
	K       []int     `json:"k,omitempty"`
	N       []int     `json:"n,omitempty"`
	Nt      []int     `json:"nt,omitempty"`
	Ridge   []float64 `json:"ridge,omitempty"`
	Epochs  []int     `json:"epochs,omitempty"` // training epochs of trained networks

	// Repetitions, when > 0 in an entry of Spec.Grids, replaces the
	// spec's repetitions for that grid (e.g. fewer for costly trials). It
	// is not part of the trial key: repetition r of a point has the same
	// key and seed whatever the count. It is ignored in the top-level
	// grid, where Spec.Repetitions applies.
	Repetitions int `json:"repetitions,omitempty"`

	// Extra holds further parameters (name -> value, named as the options
	// of `spurious run` or `spurious nn`, e.g. "isa", "threads",
	// "heldout") that every trial of the grid carries; they are part of the
	// trial key. Trial.KernelSpec and Trial.NetworkConfig list those they
	// take.
	Extra map[string]string `json:"extra,omitempty"`
}

// Spec describes a sweep: the global seed, the number of repetitions of
// every parameter point, and one or more grids. The axes at the top level
// form the default grid; each entry of Grids overrides the axes it sets and
// inherits the others (Extra maps are merged, the grid's entries winning).
// With no Grids the top-level axes are the only grid.
type Spec struct {
	Seed        uint64 `json:"seed"`
	Repetitions int    `json:"repetitions"`
	Grid
	Grids []Grid `json:"grids,omitempty"`
}

// Params are the canonical parameters of one trial. Rep numbers the
// repetitions of the same parameter point from 0.
type Params struct {
	Model   string            `json:"model,omitempty"`
	Act     string            `json:"act,omitempty"`
	Dataset string            `json:"dataset,omitempty"`
	Alpha   float64           `json:"alpha,omitempty"`
	D       int               `json:"d,omitempty"`
	K       int               `json:"k,omitempty"`
	N       int               `json:"n"`
	Nt      int               `json:"nt,omitempty"`
	Ridge   float64           `json:"ridge,omitempty"`
	Epochs  int               `json:"epochs,omitempty"`
	Rep     int               `json:"rep"`
	Extra   map[string]string `json:"extra,omitempty"`
}

// Trial is one unit of work: its parameters, key and seed.
type Trial struct {
	Key  string
	Seed uint64
	Params
}

// canonical returns the text that Key hashes: one "name=value" line per
// field in a fixed order, floats in their shortest round-trip form, then
// epochs when set (a later field: leaving it out when zero keeps the keys
// of trials without it), then the extra flags sorted by name. Changing it
// changes every key.
func (p Params) canonical() string {
	var b strings.Builder
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	fmt.Fprintf(&b, "model=%s\nact=%s\ndataset=%s\nalpha=%s\nd=%d\nk=%d\nn=%d\nnt=%d\nridge=%s\nrep=%d\n",
		p.Model, p.Act, p.Dataset, f(p.Alpha), p.D, p.K, p.N, p.Nt, f(p.Ridge), p.Rep)
	if p.Epochs != 0 {
		fmt.Fprintf(&b, "epochs=%d\n", p.Epochs)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Extra)) {
		fmt.Fprintf(&b, "extra.%s=%s\n", name, p.Extra[name])
	}
	return b.String()
}

// Key returns the trial's stable key: the first 16 hex digits (64 bits) of
// the SHA-256 of the canonical parameters. It does not depend on the global
// seed, the spec's layout or the order of the trials. Parameters are hashed
// as given: an axis left out (which a runner fills with its default, such
// as dataset synthetic) and the same value given explicitly are different
// keys, hence different seeds; resume a sweep with its spec as written.
func (p Params) Key() string {
	sum := sha256.Sum256([]byte(p.canonical()))
	return hex.EncodeToString(sum[:8])
}

// Point returns p with Rep cleared: the parameter point that repetitions
// share; Point().Key() identifies it (see [Group]).
func (p Params) Point() Params {
	p.Rep = 0
	return p
}

// String formats the parameters compactly for logs and error messages.
func (p Params) String() string {
	return strings.TrimSuffix(strings.ReplaceAll(p.canonical(), "\n", " "), " ")
}

// MaxSeed is the largest seed [DeriveSeed] returns (2^53-1): seeds stay
// exact in every JSON reader, including those that parse numbers as float64.
const MaxSeed = 1<<53 - 1

// DeriveSeed returns the seed of the trial with the given key under the
// global seed: 53 bits of SHA-256 of both, so it depends on nothing else.
func DeriveSeed(global uint64, key string) uint64 {
	h := sha256.New()
	fmt.Fprintf(h, "spurious/sweep seed\x00%d\x00%s", global, key)
	return binary.BigEndian.Uint64(h.Sum(nil)[:8]) & MaxSeed
}

// LoadSpec reads a JSON spec of at most MaxSpecBytes from path (a file or
// a pipe); see [ParseSpec].
func LoadSpec(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSpecBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a sweep spec", path, MaxSpecBytes)
	}
	s, err := ParseSpec(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// MaxSpecBytes bounds a spec file, MaxTrials the trials a spec expands to.
const (
	MaxSpecBytes = 1 << 20
	MaxTrials    = 1_000_000
)

// ParseSpec decodes a JSON spec. Unknown fields are errors, so a misspelt
// axis is reported instead of silently ignored. The spec is validated by
// expanding it once.
func ParseSpec(b []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("sweep spec: %w", err)
	}
	if _, err := s.Trials(); err != nil {
		return nil, err
	}
	return &s, nil
}

// grids returns the effective grids with inheritance applied.
func (s *Spec) grids() []Grid {
	if len(s.Grids) == 0 {
		g := s.Grid
		g.Repetitions = 0 // the spec's own field applies
		return []Grid{g}
	}
	out := make([]Grid, len(s.Grids))
	for i, g := range s.Grids {
		e := s.Grid
		pick := func(dst *[]string, v []string) {
			if len(v) > 0 {
				*dst = v
			}
		}
		pickF := func(dst *[]float64, v []float64) {
			if len(v) > 0 {
				*dst = v
			}
		}
		pickI := func(dst *[]int, v []int) {
			if len(v) > 0 {
				*dst = v
			}
		}
		pick(&e.Model, g.Model)
		pick(&e.Act, g.Act)
		pick(&e.Dataset, g.Dataset)
		pickF(&e.Alpha, g.Alpha)
		pickI(&e.D, g.D)
		pickI(&e.K, g.K)
		pickI(&e.N, g.N)
		pickI(&e.Nt, g.Nt)
		pickF(&e.Ridge, g.Ridge)
		pickI(&e.Epochs, g.Epochs)
		e.Repetitions = g.Repetitions
		if len(s.Extra)+len(g.Extra) > 0 {
			e.Extra = make(map[string]string, len(s.Extra)+len(g.Extra))
			maps.Copy(e.Extra, s.Extra)
			maps.Copy(e.Extra, g.Extra)
		}
		out[i] = e
	}
	return out
}

// orUnset returns v, or a one-element slice holding the zero value when v
// is empty, so that an unset axis contributes a factor of one.
func orUnset[T any](v []T) []T {
	if len(v) == 0 {
		return make([]T, 1)
	}
	return v
}

// Trials expands the spec into its trials in a fixed order (grids in
// order; within a grid model, act, dataset, alpha, d, k, nt, ridge, epochs,
// n, then
// repetitions innermost). A trial produced by two grids appears once. It
// returns an error naming the first invalid axis value.
func (s *Spec) Trials() ([]Trial, error) {
	if s.Repetitions > MaxTrials {
		return nil, fmt.Errorf("sweep spec: repetitions = %d, more than the %d trials a sweep may have", s.Repetitions, MaxTrials)
	}
	if s.Repetitions < 0 {
		return nil, fmt.Errorf("sweep spec: repetitions = %d, want >= 1", s.Repetitions)
	}
	var out []Trial
	seen := map[string]bool{}
	total := 0
	for gi, g := range s.grids() {
		if err := g.validate(); err != nil {
			return nil, fmt.Errorf("sweep spec: grid %d: %w", gi, err)
		}
		reps := max(s.Repetitions, 1)
		if g.Repetitions > 0 {
			reps = g.Repetitions
		}
		count := reps // the grid's size, saturated above MaxTrials
		for _, axis := range []int{len(orUnset(g.Model)), len(orUnset(g.Act)), len(orUnset(g.Dataset)), len(orUnset(g.Alpha)),
			len(orUnset(g.D)), len(orUnset(g.K)), len(orUnset(g.Nt)), len(orUnset(g.Ridge)), len(orUnset(g.Epochs)), len(g.N)} {
			count = min(count*axis, MaxTrials+1)
		}
		if total += count; total > MaxTrials {
			return nil, fmt.Errorf("sweep spec: more than %d trials (axes times repetitions): split the sweep into several specs", MaxTrials)
		}
		for _, model := range orUnset(g.Model) {
			for _, act := range orUnset(g.Act) {
				for _, ds := range orUnset(g.Dataset) {
					for _, alpha := range orUnset(g.Alpha) {
						for _, d := range orUnset(g.D) {
							for _, k := range orUnset(g.K) {
								for _, nt := range orUnset(g.Nt) {
									for _, ridge := range orUnset(g.Ridge) {
										for _, epochs := range orUnset(g.Epochs) {
											for _, n := range g.N {
												for rep := range reps {
													p := Params{Model: model, Act: act, Dataset: ds, Alpha: alpha,
														D: d, K: k, N: n, Nt: nt, Ridge: ridge, Epochs: epochs, Rep: rep, Extra: g.Extra}
													key := p.Key()
													if seen[key] {
														continue
													}
													seen[key] = true
													out = append(out, Trial{Key: key, Seed: DeriveSeed(s.Seed, key), Params: p})
												}
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return out, nil
}

func (g *Grid) validate() error {
	if g.Repetitions < 0 || g.Repetitions > MaxTrials {
		return fmt.Errorf("repetitions = %d, want 1 to %d (or leave it out for the spec's)", g.Repetitions, MaxTrials)
	}
	if len(g.N) == 0 {
		return fmt.Errorf("axis n is empty: list the training-set sizes, e.g. \"n\": [10, 100, 1000]")
	}
	for _, n := range g.N {
		if n < 1 {
			return fmt.Errorf("n = %d, want >= 1", n)
		}
	}
	for name, v := range map[string][]int{"d": g.D, "k": g.K, "nt": g.Nt, "epochs": g.Epochs} {
		for _, x := range v {
			if x < 1 {
				return fmt.Errorf("%s = %d, want >= 1 (leave the axis out to keep the default)", name, x)
			}
		}
	}
	for _, a := range g.Alpha {
		if !(a > 0 && a < 1) {
			return fmt.Errorf("alpha = %v, want a fraction in (0, 1)", a)
		}
	}
	for _, r := range g.Ridge {
		if !(r >= 0) {
			return fmt.Errorf("ridge = %v, want >= 0", r)
		}
	}
	for name, vals := range map[string][]string{"model": g.Model, "act": g.Act, "dataset": g.Dataset} {
		for _, v := range vals {
			if v == "" || strings.ContainsAny(v, " \t\n=") {
				return fmt.Errorf("%s = %q, want a non-empty name without spaces or '='", name, v)
			}
		}
	}
	for name := range g.Extra {
		if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, " \t\n=") {
			return fmt.Errorf("extra flag name %q: give the name without dashes, e.g. \"isa\"", name)
		}
	}
	return nil
}
