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

// TestCSVNumpyPandas reads the layouts numpy and pandas write.
func TestCSVNumpyPandas(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		header     []string
		shape      []int
		data       []float64
	}{
		{"bom", "\xef\xbb\xbf1,2\n3,4\n", nil, []int{2, 2}, []float64{1, 2, 3, 4}},
		{"bom-header", "\xef\xbb\xbfa,b\n3,4\n", []string{"a", "b"}, []int{1, 2}, []float64{3, 4}},
		// np.savetxt(f, x, delimiter=",", header="a,b")
		{"savetxt-comma", "# a,b\n1.000000000000000000e+00,2.000000000000000000e+00\n3.000000000000000000e+00,4.000000000000000000e+00\n", nil, []int{2, 2}, []float64{1, 2, 3, 4}},
		// np.savetxt(f, x, header="a b"): space-separated
		{"savetxt-space", "# a b\n1.0e+00 2.0e+00\n3.0e+00\t4.0e+00\n\n", nil, []int{2, 2}, []float64{1, 2, 3, 4}},
		// pd.DataFrame(x).to_csv(f): index column, numeric column names
		{"pandas-index", ",0,1\n0,1.5,2.5\n1,3.5,4.5\n2,5.5,6.5\n", []string{"0", "1"}, []int{3, 2}, []float64{1.5, 2.5, 3.5, 4.5, 5.5, 6.5}},
		{"pandas-unnamed", "Unnamed: 0,x,y\n0,1,2\n1,3,4\n", []string{"x", "y"}, []int{2, 2}, []float64{1, 2, 3, 4}},
		// pd.DataFrame(x).to_csv(f, index=False): numeric header row
		{"pandas-noindex", "0,1,2\n0.5,1.5,2.5\n3,4,5\n", []string{"0", "1", "2"}, []int{2, 3}, []float64{0.5, 1.5, 2.5, 3, 4, 5}},
		// pd.Series(g).to_csv(f, index=False): labels with header "0"
		{"pandas-series", "0\n1.0\n-1.0\n1.0\n", []string{"0"}, []int{3, 1}, []float64{1, -1, 1}},
		{"crlf-comment", "# made by hand\r\n1,2\r\n# middle\r\n3,4\r\n", nil, []int{2, 2}, []float64{1, 2, 3, 4}},
	} {
		p := writeFile(t, filepath.Join(dir, tc.name+".csv"), []byte(tc.text))
		a, header, err := ReadCSV(p)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(header, tc.header) || !slices.Equal(a.Shape, tc.shape) || !slices.Equal(a.Data, tc.data) {
			t.Errorf("%s: header %q shape %v data %v, want %q %v %v", tc.name, header, a.Shape, a.Data, tc.header, tc.shape, tc.data)
		}
	}
}

// TestCSVAmbiguous: files that could be read two ways are errors saying so.
func TestCSVAmbiguous(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		frag       []string
	}{
		// pd.DataFrame(x).to_csv(f, header=False): an index with no header
		{"index-no-header", "0,1.5,2.5\n1,3.5,4.5\n2,5.5,6.5\n", []string{"column 1", "pandas index", "index=False"}},
		{"unnamed-not-index", ",a\n0.5,1\n1,2\n", []string{"line 2 column 1", "index=False"}},
		{"space-ragged", "1 2\n3\n", []string{"line 2", "2 fields"}},
	} {
		p := writeFile(t, filepath.Join(dir, tc.name+".csv"), []byte(tc.text))
		_, _, err := ReadCSV(p)
		wantFormatError(t, err, p, tc.frag...)
	}
}
