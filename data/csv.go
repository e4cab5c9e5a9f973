package data

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// ReadCSV reads a CSV file of numbers into an Array of shape (rows, cols),
// accepting what numpy and pandas write:
//
//   - a UTF-8 byte-order mark is skipped;
//   - lines starting with '#' are comments (np.savetxt's header);
//   - fields separated by commas, or, when the first line has no comma, by
//     spaces or tabs (np.savetxt's default);
//   - the first row is a header when any of its fields is not a number, or
//     when it is exactly 0, 1, ..., cols-1 (pandas' default column names);
//     it is returned (nil otherwise);
//   - a header whose first name is empty or "Unnamed: 0" marks a pandas
//     index column, which is dropped (its values must be integers).
//
// A file that could be read two ways is an error that says so rather than a
// guess: a first column counting 0, 1, 2, ... with no header (a pandas index
// written with header=False). Every row must have as many fields as the
// first. Memory grows with the content, never with a claimed size. Cost:
// one pass.
func ReadCSV(name string) (*Array, []string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return DecodeCSV(f, name)
}

// utf8BOM is the byte-order mark some writers (Excel, pandas with
// encoding="utf-8-sig") put at the start of a UTF-8 file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// csvRows yields the records of a comma- or whitespace-separated file.
type csvRows interface {
	Read() ([]string, error)
	// pos returns the line and 1-based column of field j of the last record.
	pos(j int) (line, col int)
}

type commaRows struct{ *csv.Reader }

func (c commaRows) pos(j int) (int, int) { return c.FieldPos(j) }

// spaceRows splits lines on runs of spaces and tabs, skipping blank lines
// and '#' comments.
type spaceRows struct {
	br   *bufio.Reader
	line int
	cols []int
}

func (s *spaceRows) Read() ([]string, error) {
	for {
		text, err := s.br.ReadString('\n')
		if text == "" && err != nil {
			return nil, err
		}
		s.line++
		t := strings.TrimRight(text, "\r\n")
		if strings.HasPrefix(strings.TrimLeft(t, " \t"), "#") {
			continue
		}
		var rec []string
		s.cols = s.cols[:0]
		for i := 0; i < len(t); {
			if t[i] == ' ' || t[i] == '\t' {
				i++
				continue
			}
			j := i
			for j < len(t) && t[j] != ' ' && t[j] != '\t' {
				j++
			}
			rec = append(rec, t[i:j])
			s.cols = append(s.cols, i+1)
			i = j
		}
		if len(rec) > 0 {
			return rec, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (s *spaceRows) pos(j int) (int, int) { return s.line, s.cols[j] }

// newRows skips a byte-order mark and picks the separator from the first
// line that is not a comment: a comma if it has one, else whitespace.
func newRows(r io.Reader) csvRows {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	b, _ := br.Peek(1 << 16) // as much as fits, up to the end of the file
	spaces := false
	for len(b) > 0 {
		line := b
		if end := bytes.IndexByte(b, '\n'); end >= 0 {
			line, b = b[:end], b[end+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		spaces = !bytes.ContainsRune(line, ',') && bytes.ContainsAny(line, " \t")
		break
	}
	if spaces {
		return &spaceRows{br: br}
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	return commaRows{cr}
}

// DecodeCSV decodes CSV from r; name labels errors. See ReadCSV.
func DecodeCSV(r io.Reader, name string) (*Array, []string, error) {
	cr := newRows(r)
	var header []string
	a := &Array{Shape: []int{0, 0}}
	var first []float64 // the first row when it may be pandas' default header
	dropIndex := false  // the first column is a pandas index
	counting := true    // the first column so far is 0, 1, 2, ...
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					return nil, nil, formatErr(name, -1, fmt.Sprintf("line %d", pe.Line), fmt.Sprintf("%d fields like the first row", a.Shape[1]), fmt.Sprintf("%d fields", len(rec)))
				}
				return nil, nil, formatErr(name, -1, fmt.Sprintf("line %d column %d", pe.Line, pe.Column), "valid CSV", pe.Err.Error())
			}
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if row == 0 {
			a.Shape[1] = len(rec)
			if !allNumbers(rec) {
				header = make([]string, len(rec))
				for i := range header {
					header[i] = strings.TrimSpace(rec[i])
				}
				dropIndex = len(header) > 1 && (header[0] == "" || header[0] == "Unnamed: 0")
				continue
			}
		} else if len(rec) != a.Shape[1] {
			line, _ := cr.pos(0)
			return nil, nil, formatErr(name, -1, fmt.Sprintf("line %d", line), fmt.Sprintf("%d fields like the first row", a.Shape[1]), fmt.Sprintf("%d fields", len(rec)))
		}
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				line, col := cr.pos(j)
				return nil, nil, formatErr(name, -1, fmt.Sprintf("line %d column %d", line, col), "a number", fmt.Sprintf("%.40q", f))
			}
			if j == 0 {
				if dropIndex && v != math.Trunc(v) {
					line, col := cr.pos(j)
					return nil, nil, formatErr(name, -1, fmt.Sprintf("line %d column %d", line, col),
						"an integer: the header has no name for column 1, as pandas writes its index, but the column holds other numbers; name the column or write the file with index=False", strconv.Quote(f))
				}
				counting = counting && v == float64(a.Shape[0])
			}
			a.Data = append(a.Data, v)
		}
		a.Shape[0]++
		if row == 0 && header == nil && isRange(rec) {
			first = a.Data[:len(rec):len(rec)]
		}
	}
	if first != nil && a.Shape[0] > 1 {
		// pandas' default column names 0..cols-1 (a frame built from an array).
		header = make([]string, len(first))
		for i := range header {
			header[i] = strconv.Itoa(i)
		}
		a.Data = a.Data[len(first):]
		a.Shape[0]--
		counting = false
	}
	if a.Shape[0] == 0 {
		return nil, nil, formatErr(name, -1, "rows", "at least one row of numbers", "none")
	}
	cols := a.Shape[1]
	if header == nil && cols > 1 && a.Shape[0] > 2 && counting {
		return nil, nil, formatErr(name, -1, "column 1", "a feature or label column",
			"0, 1, 2, ... on every row, which looks like a pandas index written with header=False (ambiguous); write the file with index=False, or with a header")
	}
	if dropIndex {
		for i := range a.Shape[0] {
			copy(a.Data[i*(cols-1):(i+1)*(cols-1)], a.Data[i*cols+1:(i+1)*cols])
		}
		a.Data = a.Data[:a.Shape[0]*(cols-1)]
		a.Shape[1]--
		header = header[1:]
	}
	return a, header, nil
}

func allNumbers(rec []string) bool {
	for _, f := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return false
		}
	}
	return true
}

// isRange reports whether the fields are exactly "0", "1", ..., written as
// pandas writes the default integer column names.
func isRange(rec []string) bool {
	for i, f := range rec {
		if strings.TrimSpace(f) != strconv.Itoa(i) {
			return false
		}
	}
	return true
}
