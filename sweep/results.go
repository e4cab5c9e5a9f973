package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Record is one line of a results file: a finished trial.
type Record struct {
	Key    string          `json:"key"`
	Seed   uint64          `json:"seed"`
	Params Params          `json:"params"`
	Result json.RawMessage `json:"result"`

	values map[string]float64 // numeric fields of Result
}

// Metric returns the numeric field name of the trial's result; ok is false
// when the field is absent, null or not a number.
func (r *Record) Metric(name string) (v float64, ok bool) {
	if r.values == nil {
		r.values = numericFields(r.Result)
	}
	v, ok = r.values[name]
	return v, ok
}

// numericFields decodes the top-level numbers of a JSON object.
func numericFields(raw json.RawMessage) map[string]float64 {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	out := map[string]float64{}
	if dec.Decode(&m) != nil {
		return out
	}
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				out[k] = f
			}
		}
	}
	return out
}

// encodeRecord returns the JSON line (with its newline) for a finished
// trial. result must be a JSON object; it is compacted onto one line.
func encodeRecord(t Trial, result json.RawMessage) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, result); err != nil {
		return nil, fmt.Errorf("trial %s: runner result is not valid JSON: %w", t.Key, err)
	}
	if b := buf.Bytes(); len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("trial %s: runner result is %.40q, want a JSON object", t.Key, b)
	}
	line, err := json.Marshal(Record{Key: t.Key, Seed: t.Seed, Params: t.Params, Result: buf.Bytes()})
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

// decodeRecord parses one line and checks that its key matches its
// parameters, so a hand-edited or foreign line cannot pose as a trial.
func decodeRecord(line []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(line, &r); err != nil {
		return r, err
	}
	if r.Key == "" || len(r.Result) == 0 {
		return r, errors.New("missing key or result")
	}
	if k := r.Params.Key(); k != r.Key {
		return r, fmt.Errorf("key %s does not match its params (which hash to %s)", r.Key, k)
	}
	return r, nil
}

// scanRecords reads JSON lines from rd. A last line that is incomplete (no
// newline, the mark of a killed writer) or unparsable is not an error: its
// byte offset is returned as good, the length of the valid prefix. A bad
// line before the last one is an error naming its line number.
func scanRecords(rd io.Reader, name string) (recs []Record, good int64, err error) {
	br := bufio.NewReaderSize(rd, 1<<16)
	lineNo := 0
	var pending error // a bad line is fatal only if another line follows it
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			lineNo++
			if pending != nil {
				return nil, 0, pending
			}
			complete := line[len(line)-1] == '\n'
			trimmed := bytes.TrimSpace(line)
			switch {
			case len(trimmed) == 0 && complete:
				good += int64(len(line)) // blank line: harmless
			case !complete:
				// truncated by a kill: drop it
			default:
				r, derr := decodeRecord(trimmed)
				if derr != nil {
					pending = fmt.Errorf("%s:%d: %v; remove or fix that line", name, lineNo, derr)
					break
				}
				recs = append(recs, r)
				good += int64(len(line))
			}
		}
		if rerr == io.EOF {
			return recs, good, nil
		}
		if rerr != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, rerr)
		}
	}
}

// ReadRecords reads a results file. It tolerates an incomplete or corrupt
// last line (a writer killed mid-line) by ignoring it, and returns an error
// for any other malformed line. Duplicate keys are returned as they appear.
func ReadRecords(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, _, err := scanRecords(f, path)
	return recs, err
}

// resultsFile is an open, locked results file positioned for appending.
type resultsFile struct {
	f    *os.File
	done map[string]Record
	// repaired is the number of bytes cut from the end (a truncated line).
	repaired int64
}

// openResults opens (creating if needed) the results file at path, takes an
// exclusive advisory lock so that two sweeps cannot append to the same file,
// cuts a truncated last line, and indexes the finished trials by key.
func openResults(path string) (*resultsFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is in use by another sweep (%v): give each shard its own --out file", path, err)
	}
	recs, good, err := scanRecords(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, err
	}
	rf := &resultsFile{f: f, done: make(map[string]Record, len(recs))}
	if end > good {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: cutting the truncated last line: %w", path, err)
		}
		if _, err := f.Seek(good, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		rf.repaired = end - good
	}
	for _, r := range recs {
		if _, dup := rf.done[r.Key]; !dup {
			rf.done[r.Key] = r
		}
	}
	return rf, nil
}

// append writes one complete line with a single write and fsyncs it, so a
// kill leaves either the whole line or a truncated tail that openResults
// repairs.
func (rf *resultsFile) append(line []byte) error {
	if _, err := rf.f.Write(line); err != nil {
		return err
	}
	return rf.f.Sync()
}

func (rf *resultsFile) close() error { return rf.f.Close() }
