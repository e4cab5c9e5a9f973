package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spurious-ml/spurious/internal/outfile"
)

// Prefer says which record [Merge] keeps when two records of the same
// trial hold different numbers.
type Prefer int

const (
	PreferNone  Prefer = iota // a conflict is an error (*ConflictError)
	PreferFirst               // keep the record of the earliest input
	PreferLast                // keep the record of the latest input
)

// ParsePrefer parses "first", "last" or "" (PreferNone).
func ParsePrefer(s string) (Prefer, error) {
	switch s {
	case "":
		return PreferNone, nil
	case "first":
		return PreferFirst, nil
	case "last":
		return PreferLast, nil
	}
	return PreferNone, fmt.Errorf("prefer %q: want first or last", s)
}

// MergeOptions configure [Merge].
type MergeOptions struct {
	// Spec, when not nil, lists the trials expected: Merge reports those
	// missing from every input and checks the seeds.
	Spec *Spec
	// Prefer resolves conflicts; PreferNone makes them an error.
	Prefer Prefer
	// Stdout receives the output when out is "-" (nil: os.Stdout).
	Stdout io.Writer
}

// MergeReport summarizes a call to [Merge].
type MergeReport struct {
	Read       int          // records read from all inputs
	Written    int          // distinct trials written
	Duplicates int          // records dropped because their key was already present
	Conflicts  []Conflict   // duplicates whose numbers differ, in input order
	Truncated  []Truncation // incomplete last lines skipped in the inputs
	Missing    []Trial      // trials of the spec absent from every input (spec given)
	Foreign    int          // records whose key is not in the spec (spec given)
}

// Conflict is a trial with two records whose seeds or results differ in
// a field other than the run's description (see [RunField]).
type Conflict struct {
	Key      string
	Params   Params
	Sources  [2]Source // the kept record so far, then the new one
	Fields   []string  // differing result fields (sorted), "seed" first if seeds differ
	ISAs     [2]string // the "isa" fields of the two results ("" if absent)
	Examples [2]string // the first differing field's values, as JSON
}

func (c Conflict) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "trial %s (%s): %s and %s differ in %s", c.Key, c.Params, c.Sources[0], c.Sources[1], strings.Join(c.Fields, ", "))
	if len(c.Fields) > 0 {
		fmt.Fprintf(&b, " (%s: %s vs %s)", c.Fields[0], c.Examples[0], c.Examples[1])
	}
	switch {
	case c.Fields[0] == "seed":
		b.WriteString("; the files come from sweeps with different seeds")
	case c.ISAs[0] != c.ISAs[1]:
		fmt.Fprintf(&b, "; they ran on different instruction sets (%s, %s), which round differently", c.ISAs[0], c.ISAs[1])
	case c.ISAs[0] != "":
		fmt.Fprintf(&b, "; both ran on %s, so the runs were not deterministic (different thread counts or versions) or a file was edited", c.ISAs[0])
	}
	return b.String()
}

// ConflictError is returned by [Merge] with PreferNone when some trial has
// conflicting records; nothing is written.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	const show = 5
	var b strings.Builder
	fmt.Fprintf(&b, "%d trials have records with different numbers:", len(e.Conflicts))
	for i, c := range e.Conflicts {
		if i == show {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Conflicts)-show)
			break
		}
		b.WriteString("\n  " + c.String())
	}
	b.WriteString("\nchoose which input wins (first or last)")
	return b.String()
}

// RunField reports whether a result field describes how a trial ran (time,
// speed, instruction set, threads, Go version) rather than what it
// measured; Merge ignores such fields when comparing duplicates: "isa",
// "threads", "go_version" and names ending in "seconds" or "_per_second".
func RunField(name string) bool {
	switch name {
	case "isa", "threads", "go_version":
		return true
	}
	return strings.HasSuffix(name, "seconds") || strings.HasSuffix(name, "_per_second")
}

// Merge writes to out the union of the results files ins, one record per
// trial. Duplicates with the same seed and the same results (ignoring
// [RunField]s) are dropped; records whose numbers differ are Conflicts,
// resolved by opt.Prefer or, with PreferNone, returned as a *ConflictError
// before anything is written. An incomplete last line in an input is
// skipped and listed in Truncated. out is written with outfile.Write
// (atomic for a regular file) and may be one of ins. With opt.Spec, Merge
// lists the spec's trials that are missing; that is not an error, the
// caller decides.
func Merge(out string, ins []string, opt MergeOptions) (MergeReport, error) {
	var rep MergeReport
	kept := map[string]Record{}
	var order []string
	for _, in := range ins {
		rf, err := ReadResults(in)
		if err != nil {
			return rep, err
		}
		if rf.Truncated != nil {
			rep.Truncated = append(rep.Truncated, *rf.Truncated)
		}
		for _, r := range rf.Records {
			rep.Read++
			prev, dup := kept[r.Key]
			if !dup {
				kept[r.Key] = r
				order = append(order, r.Key)
				continue
			}
			rep.Duplicates++
			if c, ok := compare(prev, r); ok {
				rep.Conflicts = append(rep.Conflicts, c)
				if opt.Prefer == PreferLast {
					kept[r.Key] = r
				}
			}
		}
	}
	if len(rep.Conflicts) > 0 && opt.Prefer == PreferNone {
		return rep, &ConflictError{rep.Conflicts}
	}
	if spec := opt.Spec; spec != nil {
		trials, err := spec.Trials()
		if err != nil {
			return rep, err
		}
		inSpec := make(map[string]bool, len(trials))
		for _, t := range trials {
			inSpec[t.Key] = true
			r, ok := kept[t.Key]
			if !ok {
				rep.Missing = append(rep.Missing, t)
				continue
			}
			if r.Seed != t.Seed {
				return rep, fmt.Errorf("trial %s has seed %d in %s but %d under the spec's global seed %d: "+
					"the files come from a sweep with another seed", t.Key, r.Seed, r.src, t.Seed, spec.Seed)
			}
		}
		for _, k := range order {
			if !inSpec[k] {
				rep.Foreign++
			}
		}
	}

	err := outfile.Write(out, opt.Stdout, func(w io.Writer) error {
		for _, k := range order {
			r := kept[k]
			line, err := json.Marshal(Record{Key: r.Key, Seed: r.Seed, Params: r.Params, Result: r.Result, Env: r.Env})
			if err != nil {
				return err
			}
			if _, err := w.Write(append(line, '\n')); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.Written = len(order)
	return rep, nil
}

// compare returns the conflict between two records of one trial, or false
// when they agree on the seed and on every result field but RunFields.
func compare(a, b Record) (Conflict, bool) {
	c := Conflict{Key: a.Key, Params: a.Params, Sources: [2]Source{a.src, b.src}}
	if a.Seed != b.Seed {
		c.Fields = append(c.Fields, "seed")
		c.Examples = [2]string{fmt.Sprint(a.Seed), fmt.Sprint(b.Seed)}
	}
	fa, fb := resultFields(a.Result), resultFields(b.Result)
	c.ISAs = [2]string{isaOf(fa), isaOf(fb)}
	var diff []string
	for k, va := range fa {
		if vb, ok := fb[k]; (!ok || !bytes.Equal(va, vb)) && !RunField(k) {
			diff = append(diff, k)
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok && !RunField(k) {
			diff = append(diff, k)
		}
	}
	slices.Sort(diff)
	if len(c.Fields) == 0 && len(diff) > 0 {
		c.Examples = [2]string{orAbsent(fa[diff[0]]), orAbsent(fb[diff[0]])}
	}
	c.Fields = append(c.Fields, diff...)
	return c, len(c.Fields) > 0
}

func orAbsent(v []byte) string {
	if v == nil {
		return "absent"
	}
	return string(v)
}

// resultFields returns the compacted JSON of each top-level field of a
// result object (a non-object result is one field named "").
func resultFields(raw json.RawMessage) map[string][]byte {
	var m map[string]json.RawMessage
	out := map[string][]byte{}
	if json.Unmarshal(raw, &m) != nil {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) != nil {
			return map[string][]byte{"": raw}
		}
		return map[string][]byte{"": buf.Bytes()}
	}
	for k, v := range m {
		var buf bytes.Buffer
		if json.Compact(&buf, v) != nil {
			out[k] = v
			continue
		}
		out[k] = buf.Bytes()
	}
	return out
}

func isaOf(f map[string][]byte) string {
	var s string
	if json.Unmarshal(f["isa"], &s) != nil {
		return ""
	}
	return s
}
