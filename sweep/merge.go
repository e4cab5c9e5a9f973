package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// MergeReport summarizes a call to [Merge].
type MergeReport struct {
	Read       int     // records read from all inputs
	Written    int     // distinct trials written
	Duplicates int     // records dropped because their key was already present
	Conflicts  int     // duplicates whose result differs from the kept one
	Missing    []Trial // trials of the spec absent from every input (spec given)
	Foreign    int     // records whose key is not in the spec (spec given)
}

// Merge writes to out the union of the results files ins, keeping the first
// record of each key (duplicates from a rerun shard are dropped; those whose
// numbers differ are counted as Conflicts, which happens only when the same
// trial ran on machines with different instruction sets). An incomplete last
// line in an input is ignored. out is replaced atomically and may be one of
// ins. With a non-nil spec, Merge lists the spec's trials that are missing;
// that is not an error, the caller decides.
func Merge(out string, ins []string, spec *Spec) (MergeReport, error) {
	var rep MergeReport
	kept := map[string]Record{}
	var order []string
	for _, in := range ins {
		recs, err := ReadRecords(in)
		if err != nil {
			return rep, err
		}
		for _, r := range recs {
			rep.Read++
			prev, dup := kept[r.Key]
			if !dup {
				kept[r.Key] = r
				order = append(order, r.Key)
				continue
			}
			rep.Duplicates++
			if !sameJSON(prev.Result, r.Result) || prev.Seed != r.Seed {
				rep.Conflicts++
			}
		}
	}
	if spec != nil {
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
				return rep, fmt.Errorf("trial %s has seed %d in the inputs but %d under the spec's global seed %d: "+
					"the files come from a sweep with another seed", t.Key, r.Seed, t.Seed, spec.Seed)
			}
		}
		for _, k := range order {
			if !inSpec[k] {
				rep.Foreign++
			}
		}
	}

	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".merge-*")
	if err != nil {
		return rep, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return rep, err
	}
	var buf bytes.Buffer
	for _, k := range order {
		r := kept[k]
		line, err := json.Marshal(Record{Key: r.Key, Seed: r.Seed, Params: r.Params, Result: r.Result})
		if err != nil {
			tmp.Close()
			return rep, err
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return rep, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return rep, err
	}
	if err := tmp.Close(); err != nil {
		return rep, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return rep, err
	}
	rep.Written = len(order)
	return rep, nil
}

// sameJSON reports whether two JSON texts are equal after compaction.
func sameJSON(a, b json.RawMessage) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}
