package data

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// ImageSet is a labelled set of equally sized 8-bit images, each stored in
// HWC order (row-major pixels, channels interleaved).
type ImageSet struct {
	Height, Width, Channels int
	Pix                     []byte // Len()*Height*Width*Channels bytes
	Labels                  []int  // class of each image
}

// Len returns the number of images.
func (s *ImageSet) Len() int { return len(s.Labels) }

// Image returns the bytes of image i (aliasing Pix).
func (s *ImageSet) Image(i int) []byte {
	sz := s.Height * s.Width * s.Channels
	return s.Pix[i*sz : (i+1)*sz]
}

// Counts returns the number of images of each class 0..len(classes)-1.
func (s *ImageSet) Counts(numClasses int) []int {
	c := make([]int, numClasses)
	for _, l := range s.Labels {
		if l >= 0 && l < numClasses {
			c[l]++
		}
	}
	return c
}

// Source is a real image data set with its standard train/test split.
type Source struct {
	Name        string // "mnist", "fashion-mnist", "cifar10" or "cifar10 (JPEG copy)"
	Dir         string // folder it was read from
	Train, Test *ImageSet
	Classes     []string // class names indexed by label
}

// FindCIFARDir returns the folder CIFAR-10 is read from by default:
// $SPURIOUS_CIFAR_DIR when set (binary batches or an image folder),
// otherwise DefaultCacheDir()/cifar10, which `spurious data fetch cifar10`
// fills. When that holds no batches the error gives the fetch command.
func FindCIFARDir() (string, error) {
	if d := os.Getenv("SPURIOUS_CIFAR_DIR"); d != "" {
		return d, nil
	}
	cache, err := DefaultCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "cifar10")
	if err := checkCIFARBinaryDir(dir); err != nil {
		return "", fmt.Errorf("CIFAR-10: %w: not in the data cache %s; run `spurious data fetch cifar10` (a 170 MB download), or give the folder of a copy you have", ErrUnavailable, dir)
	}
	return dir, nil
}

// ImageDataSets are the names LoadSource and Images accept.
var ImageDataSets = []string{"mnist", "fashion-mnist", "cifar10"}

// LoadSource loads a real data set by name ("mnist", "fashion-mnist",
// "cifar10"). dir overrides where it is read from; empty means the default
// (MNIST: the verified cache, fetched through the module proxy on first
// use; Fashion-MNIST: FashionMNISTDir, else the cache; CIFAR-10:
// FindCIFARDir).
//
// The decoded sources of the last sourceCacheSize (name, folder) pairs
// stay in memory, so the trials of a sweep that run in one process decode
// (and, for MNIST, verify) each data set once: about 0.4 s for MNIST and
// 1.3 s for the CIFAR-10 JPEG copy on two cores. The returned Source is
// then shared: callers must not modify it. A process sees a folder's data
// as it was when first loaded.
func LoadSource(ctx context.Context, name, dir string) (*Source, error) {
	key, dir, err := resolveSourceDir(name, dir)
	if err != nil {
		return nil, err
	}
	sources.Lock() // also serializes loads: concurrent trials decode once
	defer sources.Unlock()
	if i := slices.IndexFunc(sources.entries, func(e cachedSource) bool { return e.key == key }); i >= 0 {
		e := sources.entries[i]
		sources.entries = append(slices.Delete(sources.entries, i, i+1), e) // most recent last
		return e.src, nil
	}
	src, err := loadSource(ctx, name, dir)
	if err != nil {
		return nil, err
	}
	if len(sources.entries) == sourceCacheSize {
		sources.entries = slices.Delete(sources.entries, 0, 1)
	}
	sources.entries = append(sources.entries, cachedSource{key, src})
	return src, nil
}

// sourceCacheSize is how many decoded sources LoadSource keeps (MNIST
// takes 55 MB, the CIFAR-10 JPEG copy 37 MB).
const sourceCacheSize = 2

type cachedSource struct {
	key string
	src *Source
}

// sources is LoadSource's cache, least recently used first.
var sources struct {
	sync.Mutex
	entries []cachedSource
}

// resolveSourceDir returns the cache key of data set name read from dir,
// and dir with CIFAR-10's default resolved.
func resolveSourceDir(name, dir string) (key, resolved string, err error) {
	switch name {
	case "mnist", "fashion-mnist":
		if dir == "" {
			// The default folders: MNIST's depends on SPURIOUS_CACHE.
			c, err := DefaultCacheDir()
			if err != nil && name == "mnist" {
				return "", "", err
			}
			return name + "\x00default\x00" + c, "", nil
		}
	case "cifar10":
		if dir == "" {
			if dir, err = FindCIFARDir(); err != nil {
				return "", "", err
			}
		}
	default:
		return "", "", fmt.Errorf("unknown image data set %q (want %s)", name, strings.Join(ImageDataSets, ", "))
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return name + "\x00" + dir, dir, nil
}

// loadSource decodes data set name from dir (empty: the default of MNIST
// and Fashion-MNIST).
func loadSource(ctx context.Context, name, dir string) (*Source, error) {
	switch name {
	case "mnist":
		return MNIST(ctx, dir)
	case "fashion-mnist":
		return FashionMNIST(dir)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("CIFAR-10: %w: %s does not exist", ErrUnavailable, dir)
	}
	return CIFAR10(dir)
}

// Scalings accepted by ImageConfig.Scale.
const (
	ScaleRaw         = "raw"         // pixel values 0..255, as the paper's code
	ScaleUnit        = "unit"        // pixel/255, in [0, 1]
	ScaleStandardize = "standardize" // (pixel-mean_c)/std_c per channel c, statistics of the training inputs
)

// ImageConfig selects a real-image trial with the paper's noise border.
// Zero values select the paper's defaults where one exists.
type ImageConfig struct {
	Name    string // "mnist", "fashion-mnist" or "cifar10"
	Dir     string // data folder; empty: see LoadSource
	Classes [2]int // class mapped to -1, class mapped to +1; {0, 0}: MNIST {1, 7}, CIFAR-10 {3, 8} (cat, ship); Fashion-MNIST has no default
	Border  int    // border width in pixels; 0: MNIST/Fashion-MNIST 10, CIFAR-10 8
	N, Nt   int    // training and test samples, drawn without replacement
	Seed    uint64
	Scale   string // ScaleRaw (default when empty), ScaleUnit or ScaleStandardize
}

// withDefaults fills the paper's defaults and checks the choices that do
// not depend on the data.
func (c ImageConfig) withDefaults() (ImageConfig, error) {
	if c.Classes == [2]int{} {
		switch c.Name {
		case "mnist":
			c.Classes = [2]int{1, 7}
		case "cifar10":
			c.Classes = [2]int{3, 8}
		case "fashion-mnist":
			var opts []string
			for i, n := range FashionMNISTClasses {
				opts = append(opts, fmt.Sprintf("%d=%s", i, n))
			}
			return c, fmt.Errorf("fashion-mnist has no default class pair: choose two classes (%s)", strings.Join(opts, ", "))
		}
	}
	if c.Border == 0 {
		c.Border = DefaultBorder(c.Name)
	}
	if c.Scale == "" {
		c.Scale = ScaleRaw
	}
	switch {
	case c.Classes[0] == c.Classes[1]:
		return c, fmt.Errorf("%s: classes %d and %d are the same; choose two different classes", c.Name, c.Classes[0], c.Classes[1])
	case c.Classes[0] < 0 || c.Classes[1] < 0:
		return c, fmt.Errorf("%s: classes %v, want labels >= 0", c.Name, c.Classes)
	case c.Scale != ScaleRaw && c.Scale != ScaleUnit && c.Scale != ScaleStandardize:
		return c, fmt.Errorf("scale %q, want %s, %s or %s", c.Scale, ScaleRaw, ScaleUnit, ScaleStandardize)
	}
	return c, checkSizes(c.Name, c.Border, c.N, c.Nt)
}

// Images loads the data set cfg.Name and builds a trial from it; it is
// ImagesContext with context.Background().
func Images(cfg ImageConfig) (*Dataset, error) {
	return ImagesContext(context.Background(), cfg)
}

// ImagesContext loads the data set cfg.Name (LoadSource; ctx bounds the
// MNIST download) and returns BorderTrial on it.
func ImagesContext(ctx context.Context, cfg ImageConfig) (*Dataset, error) {
	if !slices.Contains(ImageDataSets, cfg.Name) {
		return nil, fmt.Errorf("unknown image data set %q (want %s)", cfg.Name, strings.Join(ImageDataSets, ", "))
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	src, err := LoadSource(ctx, cfg.Name, cfg.Dir)
	if err != nil {
		return nil, err
	}
	return BorderTrial(src, cfg)
}

// BorderTrial builds the paper's real-data trial (§1.3) from src:
//
//   - the images of classes cfg.Classes[0] (label -1) and cfg.Classes[1]
//     (label +1) are kept; N training and Nt test images are drawn without
//     replacement (a partial Fisher-Yates shuffle of the class-filtered
//     indices, in data set order, from streams derived from cfg.Seed);
//   - each drawn image is placed in the centre of a (H+2w)x(W+2w)xC
//     canvas whose other values are i.i.d. uniform integers 0..255, drawn
//     from a stream owned by that sample (seed, split, draw position):
//     the same seed gives the same noise whatever N and Nt are;
//   - the spurious query of training sample i is its canvas with the
//     centre set to 0 (the border kept);
//   - rows are the canvases flattened in HWC order, scaled per cfg.Scale;
//     Alpha is the border's share of the coordinates.
//
// The authors' code draws training indices from the first 10000
// class-filtered images only and test indices with replacement; here both
// splits are drawn without replacement from all images of the pair.
//
// Cost: O((2N+Nt)*D) time and memory, D = (H+2w)(W+2w)C.
func BorderTrial(src *Source, cfg ImageConfig) (*Dataset, error) {
	if cfg.Name == "" {
		cfg.Name = sourceName(src)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	for _, c := range cfg.Classes {
		if c >= len(src.Classes) {
			return nil, fmt.Errorf("%s: class %d does not exist (labels 0..%d)", src.Name, c, len(src.Classes)-1)
		}
	}
	tr, te := src.Train, src.Test
	sh, err := newBorderShape(src, cfg.Border, 2*cfg.N+cfg.Nt)
	if err != nil {
		return nil, err
	}
	pickTrain, err := pickPair(tr, cfg, cfg.N, NewStream(cfg.Seed, streamPickTrain), src, "training")
	if err != nil {
		return nil, err
	}
	pickTest, err := pickPair(te, cfg, cfg.Nt, NewStream(cfg.Seed, streamPickTest), src, "test")
	if err != nil {
		return nil, err
	}
	d := sh.d
	ds := &Dataset{
		Name:     src.Name,
		D:        d,
		Alpha:    sh.alpha,
		Z:        make([]float64, cfg.N*d),
		Zs:       make([]float64, cfg.N*d),
		Zt:       make([]float64, cfg.Nt*d),
		G:        pairLabels(tr, pickTrain, cfg.Classes),
		Gt:       pairLabels(te, pickTest, cfg.Classes),
		Height:   sh.h,
		Width:    sh.w,
		Channels: sh.c,
	}
	z, zs := canvases(tr, pickTrain, cfg.Border, cfg.Seed, streamBorderTrain, true)
	toFloat(ds.Z, z)
	toFloat(ds.Zs, zs)
	zt, _ := canvases(te, pickTest, cfg.Border, cfg.Seed, streamBorderTest, false)
	toFloat(ds.Zt, zt)
	scale(ds, cfg.Scale)
	return ds, nil
}

// pickPair draws n images of the class pair without replacement and
// returns their indices in s.
func pickPair(s *ImageSet, cfg ImageConfig, n int, r *rand.Rand, src *Source, split string) ([]int, error) {
	var pool []int
	for i, l := range s.Labels {
		if l == cfg.Classes[0] || l == cfg.Classes[1] {
			pool = append(pool, i)
		}
	}
	if n > len(pool) {
		return nil, fmt.Errorf("%s: %d %s samples requested but the %s split has %d images of classes %d and %d", src.Name, n, split, split, len(pool), cfg.Classes[0], cfg.Classes[1])
	}
	return drawWithoutReplacement(pool, n, r), nil
}

// pairLabels maps the images idx of s to -1 (class pair[0]) or +1.
func pairLabels(s *ImageSet, idx []int, pair [2]int) []float64 {
	g := make([]float64, len(idx))
	for i, j := range idx {
		g[i] = 1
		if s.Labels[j] == pair[0] {
			g[i] = -1
		}
	}
	return g
}

func toFloat(dst []float64, src []byte) {
	for i, b := range src {
		dst[i] = float64(b)
	}
}

// scale applies the pixel scaling in place (raw: nothing).
func scale(ds *Dataset, how string) {
	all := [][]float64{ds.Z, ds.Zs, ds.Zt}
	switch how {
	case ScaleUnit:
		for _, m := range all {
			for i := range m {
				m[i] /= 255
			}
		}
	case ScaleStandardize:
		C := ds.Channels
		mean := make([]float64, C)
		m2 := make([]float64, C)
		cnt := float64(len(ds.Z) / C)
		for i, v := range ds.Z {
			mean[i%C] += v
		}
		for c := range mean {
			mean[c] /= cnt
		}
		for i, v := range ds.Z {
			e := v - mean[i%C]
			m2[i%C] += e * e
		}
		inv := make([]float64, C)
		for c := range inv {
			sd := math.Sqrt(m2[c] / cnt)
			inv[c] = 1
			if sd > 0 {
				inv[c] = 1 / sd
			}
		}
		for _, m := range all {
			for i := range m {
				m[i] = (m[i] - mean[i%C]) * inv[i%C]
			}
		}
	}
}
