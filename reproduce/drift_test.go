package reproduce

import (
	"bytes"
	"os"
	"testing"
)

// committedSpec is the committed reproduction record's spec, from this
// package's folder.
const committedSpec = "../reproduction/full/spec.json"

// TestCommittedSpecMatchesCode: the committed record's spec.json is what
// the current code generates for `spurious reproduce --full` (seed 1, all
// real data sets), byte for byte, so the record cannot silently drift from
// the code. A change of the Full preset must come with a new record (or a
// resumed one: `spurious reproduce --full --out reproduction/full` runs
// only the new trials and rewrites spec.json).
func TestCommittedSpecMatchesCode(t *testing.T) {
	got, err := os.ReadFile(committedSpec)
	if os.IsNotExist(err) {
		t.Skipf("%s absent: no committed reproduction record", committedSpec)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := specJSON(SweepSpec(Full, 1, Datasets))
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s differs from SweepSpec(Full, 1, Datasets) from byte %d:\ncommitted: %.200q\ncode:      %.200q\n"+
			"resume the record with `spurious reproduce --full --out reproduction/full` (it runs only the new trials) and commit its spec.json",
			committedSpec, i, got[i:], want[i:])
	}
}
