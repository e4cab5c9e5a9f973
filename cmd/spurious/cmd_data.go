package main

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"io"
	"slices"
	"strings"

	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/internal/cli"
	"github.com/spurious-ml/spurious/internal/outfile"
)

func init() {
	register("data", "fetch, inspect and picture the real data sets (MNIST, Fashion-MNIST, CIFAR-10)", runData)
}

const dataUsage = `usage:
  spurious data fetch mnist|fashion-mnist|cifar10 [--cache DIR] [--url URL]
  spurious data list [--cache DIR] [--json]
  spurious data info --dataset mnist|fashion-mnist|cifar10 [--data DIR] [--classes A,B] [--border W] [--json]
  spurious data show --dataset mnist|fashion-mnist|cifar10 [--data DIR] [--classes A,B] [--border W]
                     [--count 8] [--seed S] [--zoom 3] --out FILE.png

fetch  makes a data set available offline in the data cache (--cache, default
       $SPURIOUS_CACHE or the user cache folder + /spurious), verified against
       its published checksums; run it again to resume an interrupted download.
         mnist          Go module proxy, else the PyTorch and TensorFlow mirrors (11 MB)
         fashion-mnist  Debian's dataset-fashion-mnist when installed, else the
                        publisher's files (30 MB)
         cifar10        the official binary archive cifar-10-binary.tar.gz (170 MB)
       --url replaces the source: the archive's URL for cifar10, the URL of the
       folder of the four files for the others (also $SPURIOUS_CIFAR10_URL,
       $SPURIOUS_MNIST_URL, $SPURIOUS_FASHION_MNIST_URL); file:// URLs read a
       local copy.
list   shows each data set's folder, whether it is there, and its size.
info   prints image counts per class, the image shape and, for the class pair,
       the dimension d and spurious fraction alpha after the noise border.
show   writes a PNG with --count bordered training samples (top row) above
       their spurious queries (bottom row, centre set to 0), like Figure 1.

--data DIR reads the data set from a folder instead of the cache (the same
flag as in run, nn, sweep and reproduce):
the four IDX files for MNIST/Fashion-MNIST; CIFAR-10 binary batches, the
Python version's pickled batches, or an image folder (train/CLASS/*.png|jpg,
test/CLASS/...) for cifar10. $SPURIOUS_CIFAR_DIR names a default CIFAR-10
folder other than the cache.
`

func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, dataUsage)
		return nil
	}
	switch args[0] {
	case "fetch":
		return dataFetch(ctx, args[1:], stdout, stderr)
	case "list":
		return dataList(args[1:], stdout, stderr)
	case "info":
		return dataInfo(ctx, args[1:], stdout, stderr)
	case "show":
		return dataShow(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, dataUsage)
	return cli.Usagef("data: unknown subcommand %q (want fetch, list, info or show)", args[0])
}

// dataCache returns the --cache value, or the default cache folder.
func dataCache(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	return data.DefaultCacheDir()
}

func dataFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("data fetch", dataUsage, stderr)
	cache := fs.String("cache", "", "cache folder (default $SPURIOUS_CACHE or the user cache folder + /spurious)")
	url := fs.String("url", "", "download from this URL instead (cifar10: the archive; mnist, fashion-mnist: the folder of the four files)")
	pos, help, err := parseInterleaved(fs, args)
	if help || err != nil {
		return err
	}
	if len(pos) != 1 || !slices.Contains(data.ImageDataSets, pos[0]) {
		return cli.Usagef("data fetch: name one data set: %s", strings.Join(data.ImageDataSets, ", "))
	}
	dir, err := dataCache(*cache)
	if err != nil {
		return err
	}
	got, err := data.Fetch(ctx, pos[0], dir, data.FetchOptions{URL: *url, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s (%s)\n", pos[0], got, data.FetchedForm(pos[0]))
	return nil
}

func dataList(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("data list", dataUsage, stderr)
	cache := fs.String("cache", "", "cache folder (default $SPURIOUS_CACHE or the user cache folder + /spurious)")
	asJSON := fs.Bool("json", false, "print JSON")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	dir, err := dataCache(*cache)
	if err != nil {
		return err
	}
	list := data.CacheList(dir)
	if *asJSON {
		return writeJSON(stdout, struct {
			Cache    string            `json:"cache"`
			DataSets []data.CacheEntry `json:"data_sets"`
		}{dir, list})
	}
	return data.WriteCacheList(stdout, dir, list)
}

// dataFlags are the flags info and show share.
type dataFlags struct {
	dataset, dir, classes string
	border                int
}

func (f *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataset, "dataset", "", "mnist, fashion-mnist or cifar10")
	fs.StringVar(&f.dir, "data", "", dataFlagUsage)
	fs.StringVar(&f.classes, "classes", "", "class pair A,B: A -> -1, B -> +1 (default mnist 1,7; cifar10 3,8)")
	fs.IntVar(&f.border, "border", 0, "noise border width in pixels (default mnist 10, cifar10 8)")
}

// load validates the flags and loads the source.
func (f *dataFlags) load(ctx context.Context) (*data.Source, data.ImageConfig, error) {
	cfg := data.ImageConfig{Name: f.dataset, Dir: f.dir, Border: f.border}
	if f.dataset == "" {
		return nil, cfg, fmt.Errorf("--dataset is required (mnist, fashion-mnist or cifar10)")
	}
	if f.classes != "" {
		c, err := data.ParseClasses(f.classes)
		if err != nil {
			return nil, cfg, fmt.Errorf("--%w", err)
		}
		cfg.Classes = c
	}
	src, err := data.LoadSource(ctx, f.dataset, cfg.Dir)
	return src, cfg, err
}

func dataInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("data info", dataUsage, stderr)
	var f dataFlags
	f.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	src, cfg, err := f.load(ctx)
	if err != nil {
		return err
	}
	out, err := data.Describe(src, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	return out.WriteText(stdout)
}

func dataShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("data show", dataUsage, stderr)
	var f dataFlags
	f.register(fs)
	out := fs.String("out", "", "PNG file to write (required)")
	count := fs.Int("count", 8, "number of samples")
	seed := fs.Uint64("seed", 1, "seed of the sample draw and the noise")
	zoom := fs.Int("zoom", 3, "pixels per image pixel")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *out == "" {
		return cli.Usagef("data show: --out FILE.png is required")
	}
	if err := data.CheckGrid(*count, *zoom); err != nil {
		return cli.Usagef("data show: --%w", err)
	}
	src, cfg, err := f.load(ctx)
	if err != nil {
		return err
	}
	cfg.N, cfg.Seed = *count, *seed
	ds, err := data.BorderTrial(src, cfg)
	if err != nil {
		return err
	}
	img := data.SampleGrid(ds, *zoom)
	if err := outfile.Write(*out, stdout, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return err
	}
	if *out == "-" {
		stdout = stderr // the image went to stdout
	}
	fmt.Fprintf(stdout, "wrote %s: %s\n", *out, data.GridCaption(ds))
	return nil
}
