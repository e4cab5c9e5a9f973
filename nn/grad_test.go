package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/internal/fpbound"
	"github.com/spurious-ml/spurious/linalg"
)

// gamma returns γ(n) for float64: the relative bound on the rounding
// error of a sum or dot product of n terms, in any order.
func gamma(n int) float64 { return fpbound.Gamma(n, fpbound.F64.U) }

// fdProblem is a scalar objective of some float64 arrays (vars) with their
// analytic gradients. obj(abs) evaluates the objective; with abs true it
// evaluates it on the absolute values of every input, parameter and
// projection weight, which bounds the sum of the absolute values of the
// terms, so that γ(depth)·obj(true) bounds the rounding error of obj(false)
// (depth: the longest chain of additions). For smooth objectives, trunc
// bounds |f”'|/6 along each coordinate, so the central difference
// truncation error is at most trunc·h². pattern, when set, fingerprints
// the activation pattern (ReLU signs, pool winners): a perturbation that
// changes it crosses a kink, and that coordinate is skipped.
type fdProblem struct {
	vars    map[string][]float64
	grads   map[string][]float64
	obj     func(abs bool) float64
	depth   int
	h       float64
	trunc   float64
	pattern func() string
	sample  int // check at most this many coordinates per array (0: all)
}

// check compares every analytic derivative with the central difference
// (f(x+h) − f(x−h))/2h. The error of the difference is at most
// 2·γ(depth)·S/(2h) + trunc·h², S = obj(true); the analytic value has its
// own rounding error, bounded by γ(depth) times the same scale per unit h,
// so the tolerance is 2·γ(depth)·S/h + trunc·h².
func (p fdProblem) check(t *testing.T, name string) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	S := p.obj(true)
	tol := 2*gamma(p.depth)*S/p.h + p.trunc*p.h*p.h
	base := ""
	if p.pattern != nil {
		p.obj(false)
		base = p.pattern()
	}
	skipped, checked := 0, 0
	for vname, x := range p.vars {
		g := p.grads[vname]
		idx := make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
		if p.sample > 0 && len(idx) > p.sample {
			r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
			idx = idx[:p.sample]
		}
		for _, i := range idx {
			x0 := x[i]
			x[i] = x0 + p.h
			fp := p.obj(false)
			kink := p.pattern != nil && p.pattern() != base
			x[i] = x0 - p.h
			fm := p.obj(false)
			kink = kink || (p.pattern != nil && p.pattern() != base)
			x[i] = x0
			if kink {
				skipped++
				continue
			}
			checked++
			fd := (fp - fm) / (2 * p.h)
			if d := math.Abs(fd - g[i]); !(d <= tol) {
				t.Errorf("%s: d/d%s[%d]: analytic %.12g, central difference %.12g, |diff| %.3g > tol %.3g", name, vname, i, g[i], fd, d, tol)
			}
		}
	}
	if skipped > checked/10 {
		t.Errorf("%s: %d of %d coordinates crossed a kink: h = %g is too large for this problem", name, skipped, skipped+checked, p.h)
	}
}

// absed runs f with every array of arrs replaced by its absolute values
// when abs is true, restoring them afterwards.
func absed(abs bool, arrs [][]float64, f func() float64) float64 {
	if !abs {
		return f()
	}
	saved := make([][]float64, len(arrs))
	for k, a := range arrs {
		saved[k] = append([]float64(nil), a...)
		for i := range a {
			a[i] = math.Abs(a[i])
		}
	}
	v := f()
	for k, a := range arrs {
		copy(a, saved[k])
	}
	return v
}

func normals(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// spaced returns a random permutation of n values spaced 0.01 apart and
// centred on 0, offset by 0.005: no two are within 0.01 of each other and
// none is within 0.005 of 0, so perturbations of 1e-4 cross no ReLU or
// max-pool kink.
func spaced(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i, p := range r.Perm(n) {
		v[i] = (float64(p)-float64(n)/2)*0.01 + 0.005
	}
	return v
}

// layerProblem builds the objective L = Σ w∘Layer(x) for a layer and its
// analytic gradients (input and parameters) from one Backward.
func layerProblem(l Layer[float64], x []float64, batch int, r *rand.Rand) fdProblem {
	w := normals(r, batch*l.OutSize())
	arrs := [][]float64{x, w}
	vars := map[string][]float64{"x": x}
	for _, p := range l.Params() {
		arrs = append(arrs, p.Value)
		vars[p.Name] = p.Value
	}
	obj := func(abs bool) float64 {
		return absed(abs, arrs, func() float64 {
			y := l.Forward(linalg.MatrixFrom(batch, l.InSize(), x))
			var s float64
			for i, v := range y.Data[:len(w)] {
				s += w[i] * v
			}
			return s
		})
	}
	obj(false)
	dy := append([]float64(nil), w...)
	dx := l.Backward(linalg.MatrixFrom(batch, l.OutSize(), dy), true)
	grads := map[string][]float64{"x": append([]float64(nil), dx.Data[:len(x)]...)}
	for _, p := range l.Params() {
		grads[p.Name] = append([]float64(nil), p.Grad...)
	}
	return fdProblem{vars: vars, grads: grads, obj: obj, depth: l.InSize() + len(w) + 1, h: 1e-4}
}

func TestGradDense(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	l := NewDense[float64](7, 5, r)
	layerProblem(l, normals(r, 3*7), 3, r).check(t, "dense")
}

func TestGradReLU(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	l := NewReLU[float64](11)
	layerProblem(l, spaced(r, 4*11), 4, r).check(t, "relu")
}

func TestGradConv3x3(t *testing.T) {
	for _, c := range []struct {
		h, w, cin, cout, batch int
		pool                   bool
	}{
		{4, 5, 2, 3, 2, false},
		{3, 3, 1, 2, 3, false},
		{5, 4, 3, 2, 17, false}, // two groups of the weight gradient
		{1, 1, 2, 2, 2, false},  // every tap outside but the centre
		{2, 6, 2, 4, 2, false},
		{9, 7, 2, 9, 2, false}, // more pixels than a tile is wide, channels past a tile's height
		{4, 6, 2, 3, 2, true},
		{8, 10, 1, 9, 17, true},
	} {
		name := fmt.Sprintf("conv %dx%dx%d->%d batch %d pool %v", c.h, c.w, c.cin, c.cout, c.batch, c.pool)
		r := rand.New(rand.NewPCG(uint64(c.h), uint64(c.w*c.cin)))
		l := NewConv3x3[float64](c.h, c.w, c.cin, c.cout, r)
		l.Pool = c.pool
		p := layerProblem(l, normals(r, c.batch*c.h*c.w*c.cin), c.batch, r)
		if c.pool {
			p.pattern = func() string { return string(l.arg) }
		}
		p.check(t, name)
	}
}

func TestGradMaxPool2(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 3))
	l := NewMaxPool2[float64](4, 6, 3)
	layerProblem(l, spaced(r, 2*4*6*3), 2, r).check(t, "maxpool")
	l.ReLU = true
	layerProblem(l, spaced(r, 2*4*6*3), 2, r).check(t, "maxpool+relu")
}

func TestGradSoftmaxCE(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 4))
	const b, c = 4, 5
	z := normals(r, b*c)
	for i := range z {
		z[i] *= 3
	}
	labels := []int{0, 4, 2, 2}
	grad := make([]float64, b*c)
	loss := SoftmaxCE[float64]{}
	loss.Eval(linalg.MatrixFrom(b, c, z), labels, linalg.MatrixFrom(b, c, grad))
	scratch := make([]float64, b*c)
	p := fdProblem{
		vars:  map[string][]float64{"z": z},
		grads: map[string][]float64{"z": grad},
		obj: func(abs bool) float64 {
			if abs {
				// Each row sums C exponentials (relative error of exp and log
				// a few u) and subtracts z_label: the terms are bounded by
				// lse + |z_label| <= 2 max|z| + log C per row, over b rows.
				var s float64
				for i := range b {
					m := 0.0
					for _, v := range z[i*c : (i+1)*c] {
						m = max(m, math.Abs(v))
					}
					s += 2*m + math.Log(c)
				}
				return s / b
			}
			return loss.Eval(linalg.MatrixFrom(b, c, z), labels, linalg.MatrixFrom(b, c, scratch))
		},
		depth: c + b + 4, h: 1e-4,
		// Along one logit, the third derivative of log-sum-exp is
		// p(1−p)(1−2p), at most 1/(6√3) in absolute value, divided by b.
		trunc: 1 / (6 * math.Sqrt(3)) / b / 6,
	}
	p.check(t, "softmax-ce")
	for i := range b {
		var s float64
		for _, g := range grad[i*c : (i+1)*c] {
			s += g
		}
		if math.Abs(s) > gamma(c)*2 {
			t.Errorf("row %d: CE gradient sums to %g, want 0", i, s)
		}
	}
}

func TestGradMSE(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 5))
	const b = 6
	o := normals(r, b)
	labels := []int{1, -1, -1, 1, 1, -1}
	grad := make([]float64, b)
	loss := MSE[float64]{}
	loss.Eval(linalg.MatrixFrom(b, 1, o), labels, linalg.MatrixFrom(b, 1, grad))
	scratch := make([]float64, b)
	fdProblem{
		vars:  map[string][]float64{"out": o},
		grads: map[string][]float64{"out": grad},
		obj: func(abs bool) float64 {
			if abs {
				var s float64
				for _, v := range o {
					s += (math.Abs(v) + 1) * (math.Abs(v) + 1)
				}
				return s / b
			}
			return loss.Eval(linalg.MatrixFrom(b, 1, o), labels, linalg.MatrixFrom(b, 1, scratch))
		},
		depth: b + 3, h: 1e-4,
	}.check(t, "mse")
}

// TestGradNet checks the parameter gradients of a whole small CNN (every
// layer kind, MSE on one output: in any single parameter the objective is
// piecewise quadratic, so central differences are exact up to rounding
// away from kinks, which the activation pattern detects).
func TestGradNet(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 1))
	const b, h, w, c = 3, 8, 4, 2
	net := NewCNN[float64](h, w, c, 1, r)
	x := normals(r, b*h*w*c)
	labels := []int{1, -1, 1}
	loss := MSE[float64]{}
	grad := make([]float64, b)
	loss.Eval(net.Forward(linalg.MatrixFrom(b, h*w*c, x)), labels, linalg.MatrixFrom(b, 1, grad))
	net.Backward(linalg.MatrixFrom(b, 1, grad))
	vars, grads := map[string][]float64{}, map[string][]float64{}
	arrs := [][]float64{x}
	for i, p := range net.Params() {
		key := fmt.Sprintf("%d.%s", i/2, p.Name)
		vars[key] = p.Value
		grads[key] = append([]float64(nil), p.Grad...)
		arrs = append(arrs, p.Value)
	}
	scratch := make([]float64, b)
	depth := 0
	for _, l := range net.Layers {
		depth += l.InSize() // the longest chain is bounded by the sum of the fan-ins
	}
	fdProblem{
		vars: vars, grads: grads, depth: depth, h: 1e-4, sample: 60,
		obj: func(abs bool) float64 {
			return absed(abs, arrs, func() float64 {
				out := net.Forward(linalg.MatrixFrom(b, h*w*c, x))
				if abs {
					var s float64
					for i := range b {
						v := math.Abs(out.At(i, 0)) + 1
						s += v * v
					}
					return s / b
				}
				return loss.Eval(out, labels, linalg.MatrixFrom(b, 1, scratch))
			})
		},
		pattern: func() string {
			var s []byte
			for _, l := range net.Layers {
				switch l := l.(type) {
				case *ReLU[float64]:
					for _, v := range l.y {
						if v > 0 {
							s = append(s, 1)
						} else {
							s = append(s, 0)
						}
					}
				case *MaxPool2[float64]:
					s = append(s, l.arg...)
				case *Conv3x3[float64]:
					s = append(s, l.arg...)
				}
			}
			return string(s)
		},
	}.check(t, "cnn")
}
