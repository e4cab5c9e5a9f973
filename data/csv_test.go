package data

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestCSVGolden(t *testing.T) {
	a, header, err := ReadCSV(filepath.Join(fixture, "small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(header, []string{"a", "b", "c"}) || !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Data, []float64{1, 2, 3, -4.5, 0.5, 6}) {
		t.Fatalf("got header %q shape %v data %v", header, a.Shape, a.Data)
	}
	dir := t.TempDir()
	p := writeFile(t, filepath.Join(dir, "nohdr.csv"), []byte("1e3,-2\r\n 3 ,4\n"))
	a, header, err = ReadCSV(p)
	if err != nil {
		t.Fatal(err)
	}
	if header != nil || !slices.Equal(a.Shape, []int{2, 2}) || !slices.Equal(a.Data, []float64{1000, -2, 3, 4}) {
		t.Fatalf("got header %q shape %v data %v", header, a.Shape, a.Data)
	}
}

func TestCSVErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		frag       []string
	}{
		{"ragged", "1,2\n3\n", []string{"line 2", "2 fields like the first row", "found 1 fields"}},
		{"text", "x,y\n1,2\n3,abc\n", []string{"line 3 column 3", "a number", `"abc"`}},
		{"empty", "", []string{"rows", "at least one row"}},
		{"header-only", "a,b\n", []string{"rows"}},
		{"quote", "1,\"2\n", []string{"line 1", "valid CSV"}},
	} {
		p := writeFile(t, filepath.Join(dir, tc.name+".csv"), []byte(tc.text))
		_, _, err := ReadCSV(p)
		wantFormatError(t, err, p, tc.frag...)
	}
}
