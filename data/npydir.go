package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadArray reads name.npy from dir, or name.csv when there is no .npy
// file, and returns the array and the path it read.
func ReadArray(dir, name string) (*Array, string, error) {
	p := filepath.Join(dir, name+".npy")
	if _, err := os.Stat(p); err == nil {
		a, err := ReadNPY(p)
		return a, p, err
	}
	c := filepath.Join(dir, name+".csv")
	if _, err := os.Stat(c); err == nil {
		a, _, err := ReadCSV(c)
		return a, c, err
	}
	return nil, p, fmt.Errorf("%s: %w: neither %s.npy nor %s.csv exists", dir, fs.ErrNotExist, name, name)
}

// LoadNPYDir reads a user's data set from dir: z.npy (N x d training
// inputs), zs.npy (N x d spurious queries, row i for training sample i),
// zt.npy (Nt x d test inputs), g.npy and gt.npy (labels -1 or +1, shape
// (N,) or (N, 1)). Each file may instead be a CSV (z.csv, ...; see
// ReadCSV). The shapes must agree and labels must be -1 or +1. The spurious
// fraction is not recorded in the files: Alpha is 0, for the caller to set.
// Cost: reading the files.
func LoadNPYDir(dir string) (*Dataset, error) {
	arr := map[string]*Array{}
	path := map[string]string{}
	for _, n := range []string{"z", "zs", "zt", "g", "gt"} {
		a, p, err := ReadArray(dir, n)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%w (a data folder holds z, zs, zt: samples x features; g, gt: labels -1/+1)", err)
			}
			return nil, err
		}
		arr[n], path[n] = a, p
	}
	z := arr["z"]
	if len(z.Shape) != 2 || z.Shape[0] < 1 || z.Shape[1] < 1 {
		return nil, formatErr(path["z"], -1, "shape", "(N, d) with N, d >= 1: one training sample per row", fmt.Sprint(z.Shape))
	}
	n, d := z.Shape[0], z.Shape[1]
	if s := arr["zs"].Shape; len(s) != 2 || s[0] != n || s[1] != d {
		return nil, formatErr(path["zs"], -1, "shape", fmt.Sprintf("(%d, %d) like z: one spurious query per training sample", n, d), fmt.Sprint(s))
	}
	zt := arr["zt"]
	if len(zt.Shape) != 2 || zt.Shape[1] != d {
		return nil, formatErr(path["zt"], -1, "shape", fmt.Sprintf("(Nt, %d): test samples with as many features as z", d), fmt.Sprint(zt.Shape))
	}
	nt := zt.Shape[0]
	labels := func(key string, want int) ([]float64, error) {
		a := arr[key]
		if s := a.Shape; !(len(s) == 1 && s[0] == want) && !(len(s) == 2 && s[0] == want && s[1] == 1) {
			return nil, formatErr(path[key], -1, "shape", fmt.Sprintf("(%d,) or (%d, 1): one label per sample", want, want), fmt.Sprint(s))
		}
		for i, v := range a.Data {
			if v != 1 && v != -1 {
				return nil, formatErr(path[key], -1, fmt.Sprintf("label %d", i), "-1 or +1 (map 0/1 labels with 2*g-1)", fmt.Sprint(v))
			}
		}
		return a.Data, nil
	}
	g, err := labels("g", n)
	if err != nil {
		return nil, err
	}
	gt, err := labels("gt", nt)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: "npy", D: d, Z: z.Data, Zs: arr["zs"].Data, Zt: zt.Data, G: g, Gt: gt}
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return ds, nil
}
