package data

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spurious-ml/spurious/fetch"
)

// ParseClasses parses a class pair "A,B" (labels: integers >= 0), the
// form `spurious run --classes` and ImageConfig.Classes take.
func ParseClasses(s string) ([2]int, error) {
	parts := strings.Split(s, ",")
	var c [2]int
	if len(parts) != 2 {
		return c, fmt.Errorf("classes %q: want two labels A,B", s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return c, fmt.Errorf("classes %q: %q is not a class label (an integer >= 0)", s, p)
		}
		c[i] = v
	}
	return c, nil
}

// FetchedForm says in a few words what Fetch leaves in the cache for the
// data set name and how it was verified ("" for an unknown name).
func FetchedForm(name string) string {
	return map[string]string{
		"mnist":         "4 IDX files, SHA-256 verified",
		"fashion-mnist": "4 IDX files, MD5 verified or from Debian's package",
		"cifar10":       "binary batches from the MD5-verified official archive",
	}[name]
}

// WriteCacheList writes the CacheList of the cache folder dir as `spurious
// data list` prints it: the folder, then two lines per data set (name,
// state, size and folder; where it came from).
func WriteCacheList(w io.Writer, dir string, list []CacheEntry) error {
	_, err := fmt.Fprintf(w, "cache %s\n", dir)
	for _, e := range list {
		size := "-"
		if e.Bytes > 0 {
			size = fetch.FormatBytes(e.Bytes)
		}
		state := "absent"
		if e.Present {
			state = "present"
		}
		if _, err2 := fmt.Fprintf(w, "%-13s %-7s %9s  %s\n%13s %s\n", e.Name, state, size, e.Dir, "", e.Source); err == nil {
			err = err2
		}
	}
	return err
}

// WriteText writes in as `spurious data info` prints it: the data set, its
// image shape, a table of the image counts per class (classes with
// images), the totals (known to an Info from Describe, 0 otherwise) and
// the class pair with its bordered geometry, or a hint to choose a pair.
func (in Info) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "dataset  %s\nsource   %s\nimages   %dx%dx%d (height x width x channels)\n", in.Name, in.Dir, in.Height, in.Width, in.Channels)
	fmt.Fprintf(w, "%-5s %-12s %7s %7s\n", "class", "name", "train", "test")
	for c, name := range in.Classes {
		if in.TrainCounts[c]+in.TestCounts[c] > 0 {
			fmt.Fprintf(w, "%-5d %-12s %7d %7d\n", c, name, in.TrainCounts[c], in.TestCounts[c])
		}
	}
	fmt.Fprintf(w, "total              %7d %7d\n", in.trainTotal, in.testTotal)
	if in.Pair == nil {
		_, err := fmt.Fprintln(w, "pair     none by default: choose one with --classes A,B")
		return err
	}
	fmt.Fprintf(w, "pair     %d (%s) -> -1, %d (%s) -> +1: %d train, %d test images\n",
		in.Pair[0], in.Classes[in.Pair[0]], in.Pair[1], in.Classes[in.Pair[1]], in.PairTrain, in.PairTest)
	t := in.Bordered
	_, err := fmt.Fprintf(w, "border   %d -> %dx%dx%d, d=%d, alpha=%.4f\n", in.Border, t.Height, t.Width, t.Channels, in.D, in.Alpha)
	return err
}
