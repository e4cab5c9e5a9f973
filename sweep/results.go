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
	// Env is where the trial ran (absent in files written before it was
	// recorded).
	Env *Environment `json:"env,omitempty"`

	values map[string]float64 // numeric fields of Result
	src    Source             // where it was read from
}

// Source is where a record was read: file and 1-based line.
type Source struct {
	File string
	Line int
}

func (s Source) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Source returns the file and line the record was read from (zero for a
// record that was not read from a file).
func (r *Record) Source() Source { return r.src }

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
	env := environment
	line, err := json.Marshal(Record{Key: t.Key, Seed: t.Seed, Params: t.Params, Result: buf.Bytes(), Env: &env})
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

// MaxLineBytes bounds a line of a results file. A record is a few
// kilobytes; a longer line means the file is not a results file (or is
// /dev/zero), and reading stops there instead of filling memory.
const MaxLineBytes = 1 << 20

// Truncation is an incomplete or unparsable last line of a results file,
// the normal trace of a writer killed mid-line; readers skip it.
type Truncation struct {
	File  string
	Line  int   // 1-based line number
	Bytes int64 // its length
}

func (t Truncation) String() string {
	return fmt.Sprintf("%s:%d: skipped an incomplete last line (%d bytes), the trace of a killed sweep; rerunning the sweep on this file repairs it",
		t.File, t.Line, t.Bytes)
}

// readLine returns the next line of br (with its newline, if any), or an
// error once it exceeds MaxLineBytes.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineBytes {
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLineBytes)

// scanRecords reads JSON lines from rd. A last line that is incomplete (no
// newline, the mark of a killed writer) or unparsable is not an error: it is
// returned as trunc (nil if there is none) and good is the length of the
// valid prefix. A bad line before the last one, or a line longer than
// MaxLineBytes, is an error naming its line number.
func scanRecords(rd io.Reader, name string) (recs []Record, good int64, trunc *Truncation, err error) {
	br := bufio.NewReaderSize(rd, 1<<16)
	lineNo := 0
	var pending error // a bad line is fatal only if another line follows it
	var buf []byte
	for {
		line, rerr := readLine(br, buf)
		if rerr == errLineTooLong {
			return nil, 0, nil, fmt.Errorf("%s:%d: %v: not a results file (JSON lines written by a sweep)", name, lineNo+1, rerr)
		}
		buf = line
		if len(line) > 0 {
			lineNo++
			if pending != nil {
				return nil, 0, nil, pending
			}
			complete := line[len(line)-1] == '\n'
			trimmed := bytes.TrimSpace(line)
			switch {
			case len(trimmed) == 0 && complete:
				good += int64(len(line)) // blank line: harmless
			case !complete:
				trunc = &Truncation{File: name, Line: lineNo, Bytes: int64(len(line))}
			default:
				r, derr := decodeRecord(trimmed)
				if derr != nil {
					pending = fmt.Errorf("%s:%d: %v; remove or fix that line", name, lineNo, derr)
					trunc = &Truncation{File: name, Line: lineNo, Bytes: int64(len(line))}
					break
				}
				r.src = Source{File: name, Line: lineNo}
				recs = append(recs, r)
				good += int64(len(line))
			}
		}
		if rerr == io.EOF {
			return recs, good, trunc, nil
		}
		if rerr != nil {
			return nil, 0, nil, fmt.Errorf("%s: %w", name, rerr)
		}
	}
}

// checkRegular returns an error unless st describes a regular file: results
// are appended and reread, which a device or pipe cannot do.
func checkRegular(path string, st os.FileInfo) error {
	if st.Mode().IsRegular() {
		return nil
	}
	kind := "special file"
	switch t := st.Mode().Type(); {
	case t&os.ModeDir != 0:
		kind = "directory"
	case t&os.ModeCharDevice != 0:
		kind = "character device"
	case t&os.ModeDevice != 0:
		kind = "block device"
	case t&os.ModeNamedPipe != 0:
		kind = "named pipe"
	case t&os.ModeSocket != 0:
		kind = "socket"
	}
	return fmt.Errorf("%s is a %s, not a regular file: results files are JSON lines that a sweep appends to and rereads", path, kind)
}

// openRegular opens path with flag after checking (before and after
// opening, so a pipe is never opened) that it is a regular file or, with
// os.O_CREATE in flag, does not exist yet.
func openRegular(path string, flag int) (*os.File, error) {
	if path == "-" {
		return nil, errors.New("results cannot go to or come from standard output (-): give a file name")
	}
	st, err := os.Stat(path)
	switch {
	case err == nil:
		if err := checkRegular(path, st); err != nil {
			return nil, err
		}
	case !errors.Is(err, os.ErrNotExist) || flag&os.O_CREATE == 0:
		return nil, err
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err == nil {
		err = checkRegular(path, st)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ResultsFile is a results file as read by [ReadResults].
type ResultsFile struct {
	Records []Record // in file order; duplicate keys as they appear
	// Truncated is the skipped incomplete last line, or nil.
	Truncated *Truncation
}

// ReadResults reads a results file (a regular file, with lines of at most
// MaxLineBytes). An incomplete or corrupt last line (a writer killed
// mid-line) is skipped and reported in Truncated; any other malformed line
// is an error naming its line.
func ReadResults(path string) (*ResultsFile, error) {
	f, err := openRegular(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, _, trunc, err := scanRecords(f, path)
	if err != nil {
		return nil, err
	}
	return &ResultsFile{Records: recs, Truncated: trunc}, nil
}

// ReadRecords reads the records of a results file as [ReadResults] does,
// dropping the note about a skipped last line; use ReadResults to report it.
func ReadRecords(path string) ([]Record, error) {
	rf, err := ReadResults(path)
	if err != nil {
		return nil, err
	}
	return rf.Records, nil
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
	f, err := openRegular(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is in use by another sweep (%v): give each shard its own results file", path, err)
	}
	recs, good, _, err := scanRecords(f, path)
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
