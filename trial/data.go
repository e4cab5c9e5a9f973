package trial

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/data"
)

// Data is a loaded trial: the data set plus the held-out spurious queries
// (Zh, rows of D values) and the labels of the samples they come from.
type Data struct {
	*data.Dataset
	Zh, Gh []float64
	// Warning, if not nil, says why an image trial has no held-out
	// queries (no memorization AUC); the trial runs without them.
	Warning error
}

// LoadData validates s, loads the data it describes and builds the
// held-out spurious queries, without computing anything else. It returns
// s normalized (defaults filled, D, N, Nt and, for images, Alpha as the
// data have them). Costs the data set's reading or generation.
func LoadData(ctx context.Context, s Spec) (*Data, Spec, error) {
	if _, err := s.normalize(); err != nil {
		return nil, s, err
	}
	td, err := loadData(ctx, &s)
	return td, s, err
}

// loadData is LoadData on a normalized spec, which it updates.
func loadData(ctx context.Context, s *Spec) (*Data, error) {
	td := &Data{}
	switch s.Dataset {
	case "synthetic":
		ds, err := data.Synthetic(data.SyntheticConfig{D: s.D, Alpha: s.Alpha, N: s.N, Nt: s.Nt, Seed: s.Seed})
		if err != nil {
			return nil, err
		}
		td.Dataset = ds
		// Held-out query h: test sample h's spurious part with a fresh core.
		cfg := data.SyntheticConfig{D: s.D, Alpha: s.Alpha}
		dx, _ := cfg.Split()
		nh := min(s.Heldout, s.Nt)
		td.Zh = make([]float64, nh*s.D)
		td.Gh = append([]float64(nil), ds.Gt[:nh]...)
		r := rand.New(rand.NewPCG(DeriveSeed(s.Seed, StreamHeldout), 1))
		for h := range nh {
			row := td.Zh[h*s.D : (h+1)*s.D]
			for j := range dx {
				row[j] = r.NormFloat64()
			}
			copy(row[dx:], ds.Zt[h*s.D+dx:(h+1)*s.D])
		}
	case "npy":
		ds, err := data.LoadNPYDir(s.DataDir)
		if err != nil {
			return nil, &FieldError{Field: "DataDir", Err: err}
		}
		ds.Alpha = s.Alpha
		td.Dataset = ds
		if err := loadHeldoutNPY(td, s); err != nil {
			return nil, &FieldError{Field: "DataDir", Err: err}
		}
	default:
		ds, err := data.ImagesContext(ctx, data.ImageConfig{
			Name: s.Dataset, Dir: s.DataDir, Classes: s.Classes, Border: s.Border, N: s.N, Nt: s.Nt, Seed: s.Seed,
		})
		if errors.Is(err, data.ErrUnavailable) {
			return nil, &FieldError{Field: "DataDir", Err: err}
		}
		if err != nil {
			return nil, err
		}
		td.Dataset = ds
		if err := imageHeldout(td, s.Heldout); err != nil {
			td.Warning = fmt.Errorf("no memorization AUC: %w", err)
		}
	}
	if err := td.Validate(); err != nil {
		return nil, err
	}
	s.D, s.N, s.Nt = td.D, td.N(), td.Nt()
	if s.Dataset != "synthetic" && s.Dataset != "npy" {
		s.Alpha = td.Alpha
	}
	return td, nil
}

// loadHeldoutNPY reads the optional zh.npy (Nh x d held-out spurious
// queries) and gh.npy (their labels) from the data folder.
func loadHeldoutNPY(td *Data, s *Spec) error {
	if s.Heldout == 0 {
		return nil
	}
	zh, pz, err := data.ReadArray(s.DataDir, "zh")
	if err != nil {
		return nil // optional: no AUC
	}
	gh, pg, err := data.ReadArray(s.DataDir, "gh")
	if err != nil {
		return fmt.Errorf("%s exists but its labels do not: %w", pz, err)
	}
	d := td.D
	if len(zh.Shape) != 2 || zh.Shape[1] != d {
		return fmt.Errorf("%s has shape %v, want (Nh, %d): held-out spurious queries with as many features as z", pz, zh.Shape, d)
	}
	nh := zh.Shape[0]
	if len(gh.Data) != nh {
		return fmt.Errorf("%s has %d labels, want %d (one per row of %s)", pg, len(gh.Data), nh, pz)
	}
	for i, v := range gh.Data {
		if v != 1 && v != -1 {
			return fmt.Errorf("%s[%d] = %v, want -1 or +1", pg, i, v)
		}
	}
	nh = min(nh, s.Heldout)
	td.Zh, td.Gh = zh.Data[:nh*d], gh.Data[:nh]
	return nil
}

// imageHeldout builds held-out spurious queries from the first test
// images: each keeps its own noise border and gets the centre that the
// training spurious queries have (the blanked original image, after
// scaling). The centre's size follows from Alpha on the square canvas.
func imageHeldout(td *Data, nh int) error {
	ds := td.Dataset
	nh = min(nh, ds.Nt())
	if nh == 0 {
		return nil
	}
	H, W, C := ds.Height, ds.Width, ds.Channels
	core := int(math.Round(float64(H*W) * (1 - ds.Alpha)))
	side := int(math.Round(math.Sqrt(float64(core))))
	w := (H - side) / 2
	if H != W || side*side != core || H-2*w != side {
		return fmt.Errorf("cannot locate the blanked centre of a %dx%d canvas with alpha %.4f", H, W, ds.Alpha)
	}
	td.Zh = append([]float64(nil), ds.Zt[:nh*ds.D]...)
	td.Gh = append([]float64(nil), ds.Gt[:nh]...)
	for h := range nh {
		row := td.Zh[h*ds.D : (h+1)*ds.D]
		for y := w; y < w+side; y++ {
			lo, hi := (y*W+w)*C, (y*W+w+side)*C
			copy(row[lo:hi], ds.Zs[lo:hi]) // the centre of training spurious query 0
		}
	}
	return nil
}
