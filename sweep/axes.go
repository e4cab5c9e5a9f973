package sweep

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// GridAxes are the axis names ParseGrid takes.
var GridAxes = []string{"model", "act", "dataset", "alpha", "d", "k", "n", "nt", "ridge", "epochs", "extra"}

// GridAxisUsage describes each of GridAxes in a line: what its values
// are and how to write them (the help of the grid flags of `spurious
// sweep`).
var GridAxisUsage = map[string]string{
	"model":   "grid: models, comma-separated (rf,ntk,rf-inf,ntk-inf,linear; nn-fc,nn-cnn train networks)",
	"act":     "grid: activations, comma-separated",
	"dataset": "grid: datasets, comma-separated",
	"alpha":   "grid: spurious fractions, e.g. 1/2,1/4",
	"d":       "grid: input dimensions",
	"k":       "grid: widths",
	"n":       "grid: training-set sizes, e.g. 10,20,50,100",
	"nt":      "grid: test-set sizes",
	"ridge":   "grid: ridge penalties",
	"epochs":  "grid: training epochs (models nn-fc, nn-cnn)",
	"extra":   "pass-through run parameters name=value, comma-separated (e.g. isa=avx2)",
}

// ParseGrid builds a Grid from textual axes: each name of GridAxes maps to
// comma-separated values, names for model, act and dataset, numbers for
// alpha and ridge (a/b fractions allowed: "1/2,1/4"), integers for d, k,
// n, nt and epochs, and name=value pairs for extra (leading dashes of a
// name are dropped). An empty value leaves the axis unset. Errors name
// the axis; the values are checked by Spec.Trials, not here.
func ParseGrid(axes map[string]string) (Grid, error) {
	var g Grid
	for name, v := range axes {
		if !slices.Contains(GridAxes, name) {
			return g, fmt.Errorf("unknown axis %q (axes: %s)", name, strings.Join(GridAxes, ", "))
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		var err error
		switch name {
		case "model":
			g.Model = splitList(v)
		case "act":
			g.Act = splitList(v)
		case "dataset":
			g.Dataset = splitList(v)
		case "alpha":
			g.Alpha, err = parseFloats(v)
		case "ridge":
			g.Ridge, err = parseFloats(v)
		case "d":
			g.D, err = parseInts(v)
		case "k":
			g.K, err = parseInts(v)
		case "n":
			g.N, err = parseInts(v)
		case "nt":
			g.Nt, err = parseInts(v)
		case "epochs":
			g.Epochs, err = parseInts(v)
		case "extra":
			g.Extra = map[string]string{}
			for _, kv := range splitList(v) {
				k, val, _ := strings.Cut(kv, "=")
				g.Extra[strings.TrimLeft(k, "-")] = val
			}
		}
		if err != nil {
			return g, fmt.Errorf("%s: %w", name, err)
		}
	}
	return g, nil
}

func splitList(v string) []string {
	out := strings.Split(v, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// parseFloats parses a comma-separated list of numbers or a/b fractions.
func parseFloats(v string) ([]float64, error) {
	var out []float64
	for _, f := range splitList(v) {
		var x float64
		var err error
		if a, b, ok := strings.Cut(f, "/"); ok {
			var num, den float64
			num, err = strconv.ParseFloat(a, 64)
			if err == nil {
				den, err = strconv.ParseFloat(b, 64)
			}
			x = num / den
		} else {
			x, err = strconv.ParseFloat(f, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, x)
	}
	return out, nil
}

// parseInts parses a comma-separated list of integers.
func parseInts(v string) ([]int, error) {
	var out []int
	for _, f := range splitList(v) {
		x, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, x)
	}
	return out, nil
}
