package trial

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/spurious-ml/spurious/activation"
	"github.com/spurious-ml/spurious/data"
	"github.com/spurious-ml/spurious/linalg"
	"github.com/spurious-ml/spurious/memorize"
	"github.com/spurious-ml/spurious/rf"
)

// Models lists the feature models a trial can fit: random features (rf)
// and the neural tangent kernel (ntk) of a two-layer network at width K,
// the linear model phi(z) = z, and the infinite-width kernels.
var Models = []string{"rf", "ntk", "linear", "rf-inf", "ntk-inf"}

// DefaultWidth is the paper's K per model (models without a width are
// absent).
var DefaultWidth = map[string]int{"rf": 100000, "ntk": 100}

// Spec describes one trial. Default returns the defaults of
// `spurious run`; the zero value is not a valid Spec.
type Spec struct {
	Model string               // one of Models
	Act   string               // activation name (activation.Names, or hermite:c0,c1,...)
	Deriv activation.DerivMode // NTK derivative convention (ntk, ntk-inf)
	// K is the number of features (rf) or the hidden width (ntk); 0 takes
	// DefaultWidth. Other models have no width: K must be 0.
	K         int
	Ridge     float64      // lambda >= 0, relative to the mean diagonal of the Gram (0: min-norm interpolation)
	Precision rf.Precision // of the rf feature blocks (F32: model rf only)
	Block     int          // rows of the weight matrix per streamed block (0: default)

	// Dataset is synthetic, npy or one of data.ImageDataSets; DataDir is
	// the folder of npy arrays (required) or of the images (optional).
	Dataset string
	DataDir string
	// Alpha is the spurious fraction d_y/d in (0, 1): it shapes synthetic
	// data and is the theory's alpha for npy data (images derive it from
	// the border).
	Alpha float64
	D     int // input dimension (synthetic data)
	N, Nt int // training and test samples (images: at most; npy: from the files)
	// Heldout is the number of held-out spurious queries for the
	// memorization AUC: -1 as many as test samples, 0 none.
	Heldout int
	Classes [2]int // image class pair mapped to -1, +1 (zero: the data set's default)
	Border  int    // noise border of image data in pixels (0: the data set's default)

	Seed      uint64 // the trial's randomness (see the package doc)
	VerifyLOO int    // samples retrained by brute force to check the closed forms

	// Engine is the instruction set and thread count of the linear
	// algebra (zero fields: the process defaults).
	Engine linalg.Settings
}

// Default returns the defaults of `spurious run`: an rf model with the
// phi2 activation and the paper's width on synthetic data with d = 1000,
// N = Nt = 1000, alpha 1/2, seed 1.
func Default() Spec {
	return Spec{Model: "rf", Act: "phi2", Dataset: "synthetic", Alpha: 0.5, D: 1000, N: 1000, Nt: 1000, Heldout: -1, Seed: 1}
}

// FieldError is an invalid value of a Spec field: Field is the field's
// name (Engine.ISA and Engine.Threads for the engine settings).
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return "trial: " + e.Field + ": " + e.Err.Error() }

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// normalize checks the fields that do not need the data and fills the
// defaults (K, Heldout, the activation's canonical name); it returns the
// activation.
func (s *Spec) normalize() (*activation.Activation, error) {
	if !slices.Contains(Models, s.Model) {
		return nil, fieldErr("Model", "unknown model %q (valid: %s)", s.Model, strings.Join(Models, ", "))
	}
	a, err := activation.Lookup(s.Act)
	if err != nil {
		return nil, &FieldError{Field: "Act", Err: err}
	}
	s.Act = a.Name
	if s.Deriv != activation.DerivPaper && s.Deriv != activation.DerivTrue {
		return nil, fieldErr("Deriv", "unknown derivative convention %d", s.Deriv)
	}
	if s.K == 0 {
		s.K = DefaultWidth[s.Model]
	}
	switch {
	case s.Model == "rf" || s.Model == "ntk":
		if s.K < 1 {
			return nil, fieldErr("K", "k=%d, want k >= 1 features", s.K)
		}
	case s.K != 0:
		return nil, fieldErr("K", "a width does not apply to model %s", s.Model)
	}
	switch {
	case !(s.Alpha > 0 && s.Alpha < 1):
		return nil, fieldErr("Alpha", "alpha=%v, want 0 < alpha < 1", s.Alpha)
	case s.N < 1:
		return nil, fieldErr("N", "n=%d, want n >= 1", s.N)
	case s.Nt < 0:
		return nil, fieldErr("Nt", "nt=%d, want nt >= 0", s.Nt)
	case !(s.Ridge >= 0) || math.IsInf(s.Ridge, 0):
		return nil, fieldErr("Ridge", "ridge=%v, want a finite lambda >= 0", s.Ridge)
	case s.Ridge > memorize.MaxRidge:
		return nil, fieldErr("Ridge", "ridge=%v, want at most %g: a larger ridge drowns the Gram matrix in rounding (lambda -> infinity is the zero predictor)", s.Ridge, memorize.MaxRidge)
	case s.Block < 0:
		return nil, fieldErr("Block", "block=%d, want >= 0", s.Block)
	case s.VerifyLOO < 0:
		return nil, fieldErr("VerifyLOO", "%d samples to retrain, want >= 0", s.VerifyLOO)
	case s.Heldout < -1:
		return nil, fieldErr("Heldout", "%d held-out queries, want >= 0 (or -1: as many as test samples)", s.Heldout)
	case s.Precision != rf.F64 && s.Precision != rf.F32:
		return nil, fieldErr("Precision", "unknown precision %d", s.Precision)
	case s.Precision == rf.F32 && s.Model != "rf":
		return nil, fieldErr("Precision", "f32 applies to model rf only")
	case s.Border < 0:
		return nil, fieldErr("Border", "border=%d, want >= 0 (0: the data set's default)", s.Border)
	}
	if s.Heldout == -1 {
		s.Heldout = s.Nt
	}
	switch s.Dataset {
	case "synthetic":
		if s.D < 2 {
			return nil, fieldErr("D", "d=%d, want d >= 2", s.D)
		}
	case "npy":
		if s.DataDir == "" {
			return nil, &FieldError{Field: "DataDir", Err: errors.New("the npy data set needs the folder holding z.npy, zs.npy, zt.npy, g.npy, gt.npy")}
		}
	default:
		if !slices.Contains(data.ImageDataSets, s.Dataset) {
			return nil, fieldErr("Dataset", "unknown dataset %q (valid: synthetic, npy, %s)", s.Dataset, strings.Join(data.ImageDataSets, ", "))
		}
	}
	eng, err := s.Engine.Resolve()
	if err != nil {
		field := "Engine.ISA"
		if s.Engine.Threads < 0 {
			field = "Engine.Threads"
		}
		return nil, &FieldError{Field: field, Err: err}
	}
	s.Engine = eng
	return a, nil
}

// Validate reports the first invalid field of s (a *FieldError), checking
// everything that does not need the data.
func (s Spec) Validate() error {
	_, err := s.normalize()
	return err
}
