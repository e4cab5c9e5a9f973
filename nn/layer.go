package nn

import (
	"math"
	"math/rand/v2"

	"github.com/spurious-ml/spurious/linalg"
)

// Panic messages for programmer errors.
const (
	errInput    = "nn: batch has the wrong number of columns"
	errCompact  = "nn: batch rows must be contiguous (stride == cols)"
	errGradRows = "nn: gradient batch differs from the forward batch"
	errGeometry = "nn: invalid layer geometry"
	errLabels   = "nn: labels and outputs differ in length"
	errNoLayers = "nn: network has no layers"
)

// Param is one trainable array and its gradient, of equal length.
type Param[T linalg.Float] struct {
	Name  string
	Value []T
	Grad  []T
}

// Layer is one stage of a network acting on a batch: x is b x InSize(),
// one sample per row, with contiguous rows.
type Layer[T linalg.Float] interface {
	InSize() int
	OutSize() int
	// Forward returns the b x OutSize() output for x and keeps what
	// Backward needs (x itself must stay unchanged until then). The
	// result is owned by the layer and valid until the next Forward.
	Forward(x linalg.Matrix[T]) linalg.Matrix[T]
	// Backward takes dy = dL/dy for the last Forward, sets every
	// parameter gradient (Param.Grad = dL/dparam for this batch) and,
	// when needInput, returns dL/dx. It may overwrite dy. The result is
	// owned by the layer (or is dy) and valid until the next Backward.
	Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T]
	// Params returns the trainable arrays, nil for none.
	Params() []*Param[T]
}

// grow sets *buf to length n, reallocating when the capacity is short,
// and returns it.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// checkBatch panics unless x is a compact batch of cols columns.
func checkBatch[T linalg.Float](x linalg.Matrix[T], cols int) {
	if x.Cols != cols {
		panic(errInput)
	}
	if x.Rows > 1 && x.Stride != x.Cols {
		panic(errCompact)
	}
}

// engineOr returns en, or linalg.DefaultEngine when en is nil.
func engineOr[T linalg.Float](en *linalg.Engine[T]) *linalg.Engine[T] {
	if en == nil {
		return linalg.DefaultEngine[T]()
	}
	return en
}

func (l *Dense[T]) setEngine(en *linalg.Engine[T]) { l.Engine = en }

// rows returns the first r*c values of x as a compact r x c matrix.
func rows[T linalg.Float](x []T, r, c int) linalg.Matrix[T] {
	return linalg.MatrixFrom(r, c, x[:r*c])
}

// initUniform fills v with U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's
// default for nn.Linear and nn.Conv2d weights (kaiming_uniform_ with
// a = sqrt(5) gives exactly this bound) and biases.
func initUniform[T linalg.Float](v []T, fanIn int, r *rand.Rand) {
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range v {
		v[i] = T((2*r.Float64() - 1) * bound)
	}
}

// Dense is a fully connected layer y = x W^T + b, with W Out x In stored
// row-major (PyTorch's nn.Linear layout).
type Dense[T linalg.Float] struct {
	In, Out int
	W, B    Param[T]
	// Engine runs the products (nil: linalg.DefaultEngine); Net.SetEngine
	// sets it.
	Engine *linalg.Engine[T]

	x     linalg.Matrix[T]
	y, dx []T
}

// NewDense returns an In -> Out dense layer initialised as nn.Linear, with
// values drawn from r (weights, then biases).
func NewDense[T linalg.Float](in, out int, r *rand.Rand) *Dense[T] {
	if in < 1 || out < 1 {
		panic(errGeometry)
	}
	l := &Dense[T]{In: in, Out: out,
		W: Param[T]{Name: "weight", Value: make([]T, out*in), Grad: make([]T, out*in)},
		B: Param[T]{Name: "bias", Value: make([]T, out), Grad: make([]T, out)},
	}
	initUniform(l.W.Value, in, r)
	initUniform(l.B.Value, in, r)
	return l
}

func (l *Dense[T]) InSize() int         { return l.In }
func (l *Dense[T]) OutSize() int        { return l.Out }
func (l *Dense[T]) Params() []*Param[T] { return []*Param[T]{&l.W, &l.B} }

// Forward computes x W^T + b: one Gemm of 2*b*In*Out flops.
func (l *Dense[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.In)
	l.x = x
	y := rows(grow(&l.y, x.Rows*l.Out), x.Rows, l.Out)
	w := linalg.MatrixFrom(l.Out, l.In, l.W.Value)
	engineOr(l.Engine).Gemm(linalg.NoTrans, linalg.Trans, 1, x, w, 0, y)
	for i := range y.Rows {
		row := y.Row(i)
		for j, b := range l.B.Value {
			row[j] += b
		}
	}
	return y
}

// Backward sets dW = dy^T x and db = column sums of dy, and returns
// dx = dy W: two Gemms of 2*b*In*Out flops each (one without needInput).
func (l *Dense[T]) Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T] {
	checkBatch(dy, l.Out)
	if dy.Rows != l.x.Rows {
		panic(errGradRows)
	}
	en := engineOr(l.Engine)
	w := linalg.MatrixFrom(l.Out, l.In, l.W.Value)
	en.Gemm(linalg.Trans, linalg.NoTrans, 1, dy, l.x, 0, linalg.MatrixFrom(l.Out, l.In, l.W.Grad))
	sumRows(l.B.Grad, dy)
	if !needInput {
		return linalg.Matrix[T]{}
	}
	dx := rows(grow(&l.dx, dy.Rows*l.In), dy.Rows, l.In)
	en.Gemm(linalg.NoTrans, linalg.NoTrans, 1, dy, w, 0, dx)
	return dx
}

// sumRows sets dst to the sum of the rows of m (len(dst) == m.Cols).
func sumRows[T linalg.Float](dst []T, m linalg.Matrix[T]) {
	clear(dst)
	for i := range m.Rows {
		for j, v := range m.Row(i) {
			dst[j] += v
		}
	}
}

// ReLU is the element-wise max(x, 0) on Size features.
type ReLU[T linalg.Float] struct {
	Size int
	y    []T // output of the last Forward
}

// NewReLU returns a ReLU on size features.
func NewReLU[T linalg.Float](size int) *ReLU[T] {
	if size < 1 {
		panic(errGeometry)
	}
	return &ReLU[T]{Size: size}
}

func (l *ReLU[T]) InSize() int         { return l.Size }
func (l *ReLU[T]) OutSize() int        { return l.Size }
func (l *ReLU[T]) Params() []*Param[T] { return nil }

// Forward returns max(x, 0).
func (l *ReLU[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.Size)
	y := grow(&l.y, x.Rows*l.Size)
	for i, v := range x.Data[:len(y)] {
		y[i] = max(v, 0)
	}
	return rows(y, x.Rows, l.Size)
}

// Backward returns dy where the output was positive and 0 elsewhere (the
// derivative at 0 is taken as 0, as PyTorch does), in place in dy.
func (l *ReLU[T]) Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T] {
	checkBatch(dy, l.Size)
	d := dy.Data[:dy.Rows*l.Size]
	if len(d) != len(l.y) {
		panic(errGradRows)
	}
	for i, y := range l.y {
		if y <= 0 {
			d[i] = 0
		}
	}
	return dy
}
