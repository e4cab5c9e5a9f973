package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ReadCSV reads a CSV file of numbers into an Array of shape (rows, cols).
// The first row is a header when any of its fields is not a number; it is
// returned (nil otherwise). Every row must have as many fields as the
// first. Fields may carry surrounding spaces. Memory grows with the
// content, never with a claimed size. Cost: one pass.
func ReadCSV(name string) (*Array, []string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return DecodeCSV(f, name)
}

// DecodeCSV decodes CSV from r; name labels errors. See ReadCSV.
func DecodeCSV(r io.Reader, name string) (*Array, []string, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	var header []string
	a := &Array{Shape: []int{0, 0}}
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
				header = append([]string(nil), rec...)
				for i := range header {
					header[i] = strings.TrimSpace(header[i])
				}
				continue
			}
		}
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				line, col := cr.FieldPos(j)
				return nil, nil, formatErr(name, -1, fmt.Sprintf("line %d column %d", line, col), "a number", fmt.Sprintf("%.40q", f))
			}
			a.Data = append(a.Data, v)
		}
		a.Shape[0]++
	}
	if a.Shape[0] == 0 {
		return nil, nil, formatErr(name, -1, "rows", "at least one row of numbers", "none")
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
