package nn

import (
	"math/rand/v2"

	"github.com/spurious-ml/spurious/linalg"
)

// colsChunkValues bounds the im2col buffer (values per chunk of samples):
// the batch is processed a chunk of samples at a time so that the unfolded
// inputs stay in a few MB. It is a constant, so the summation order of the
// weight gradient, and hence the result, never depends on the machine.
const colsChunkValues = 1 << 21

// Conv3x3 is a 3x3 convolution with stride 1 and zero padding 1 from Cin
// to Cout channels on H x W images. Samples are rows in HWC order (channels
// last), input H*W*Cin values, output H*W*Cout values. The weight W is
// Cout x 9*Cin, column (ky*3+kx)*Cin + c holding the tap (ky, kx) of input
// channel c (PyTorch's Conv2d weight [Cout][Cin][ky][kx], permuted).
type Conv3x3[T linalg.Float] struct {
	H, W, Cin, Cout int
	Weight, Bias    Param[T]

	x          linalg.Matrix[T]
	y, dx, col []T
	chunkVals  int // im2col buffer bound; 0: colsChunkValues (tests lower it)
	// Engine runs the products (nil: linalg.DefaultEngine); Net.SetEngine
	// sets it.
	Engine *linalg.Engine[T]
}

func (l *Conv3x3[T]) setEngine(en *linalg.Engine[T]) { l.Engine = en }

// NewConv3x3 returns the convolution initialised as nn.Conv2d (fan_in =
// 9*Cin), drawing weights, then biases, from r.
func NewConv3x3[T linalg.Float](h, w, cin, cout int, r *rand.Rand) *Conv3x3[T] {
	if h < 1 || w < 1 || cin < 1 || cout < 1 {
		panic(errGeometry)
	}
	k := 9 * cin
	l := &Conv3x3[T]{H: h, W: w, Cin: cin, Cout: cout,
		Weight: Param[T]{Name: "weight", Value: make([]T, cout*k), Grad: make([]T, cout*k)},
		Bias:   Param[T]{Name: "bias", Value: make([]T, cout), Grad: make([]T, cout)},
	}
	initUniform(l.Weight.Value, k, r)
	initUniform(l.Bias.Value, k, r)
	return l
}

func (l *Conv3x3[T]) InSize() int         { return l.H * l.W * l.Cin }
func (l *Conv3x3[T]) OutSize() int        { return l.H * l.W * l.Cout }
func (l *Conv3x3[T]) Params() []*Param[T] { return []*Param[T]{&l.Weight, &l.Bias} }

// chunk returns how many samples one im2col buffer holds.
func (l *Conv3x3[T]) chunk() int {
	v := l.chunkVals
	if v == 0 {
		v = colsChunkValues
	}
	return max(1, v/(l.H*l.W*9*l.Cin))
}

// weights returns the weight as a Cout x 9*Cin matrix.
func (l *Conv3x3[T]) weights() linalg.Matrix[T] {
	return linalg.MatrixFrom(l.Cout, 9*l.Cin, l.Weight.Value)
}

// Forward computes the convolution: per chunk of samples, the unfolded
// input (one row of 9*Cin values per output pixel) times W^T, a Gemm of
// 2*H*W*9*Cin*Cout flops per sample, plus the bias.
func (l *Conv3x3[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.InSize())
	l.x = x
	hw, k, in, out := l.H*l.W, 9*l.Cin, l.InSize(), l.OutSize()
	y := grow(&l.y, x.Rows*out)
	cs := l.chunk()
	col := grow(&l.col, min(cs, x.Rows)*hw*k)
	w := l.weights()
	en := engineOr(l.Engine)
	for s0 := 0; s0 < x.Rows; s0 += cs {
		ns := min(cs, x.Rows-s0)
		c := rows(col, ns*hw, k)
		l.im2col(c.Data, x.Data[s0*in:(s0+ns)*in], ns)
		yc := rows(y[s0*out:], ns*hw, l.Cout)
		en.Gemm(linalg.NoTrans, linalg.Trans, 1, c, w, 0, yc)
	}
	for p := 0; p < len(y); p += l.Cout {
		row := y[p : p+l.Cout]
		for j, b := range l.Bias.Value {
			row[j] += b
		}
	}
	return rows(y, x.Rows, out)
}

// Backward sets dW = sum over output pixels of dy_pixel^T * unfolded input
// (the unfolding is recomputed chunk by chunk rather than stored) and
// db = the sum of dy over pixels, and returns dx by scattering dy W back
// through the unfolding (col2im). Cost: two Gemms of the forward's size
// (one without needInput).
func (l *Conv3x3[T]) Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T] {
	checkBatch(dy, l.OutSize())
	if dy.Rows != l.x.Rows {
		panic(errGradRows)
	}
	hw, k, in, out := l.H*l.W, 9*l.Cin, l.InSize(), l.OutSize()
	b := dy.Rows
	sumRows(l.Bias.Grad, rows(dy.Data, b*hw, l.Cout))
	var dx []T
	if needInput {
		dx = grow(&l.dx, b*in)
		clear(dx)
	}
	cs := l.chunk()
	col := grow(&l.col, min(cs, b)*hw*k)
	w := l.weights()
	dw := linalg.MatrixFrom(l.Cout, k, l.Weight.Grad)
	en := engineOr(l.Engine)
	for s0 := 0; s0 < b; s0 += cs {
		ns := min(cs, b-s0)
		c := rows(col, ns*hw, k)
		dyc := rows(dy.Data[s0*out:], ns*hw, l.Cout)
		l.im2col(c.Data, l.x.Data[s0*in:(s0+ns)*in], ns)
		beta := T(1)
		if s0 == 0 {
			beta = 0
		}
		en.Gemm(linalg.Trans, linalg.NoTrans, 1, dyc, c, beta, dw)
		if needInput {
			en.Gemm(linalg.NoTrans, linalg.NoTrans, 1, dyc, w, 0, c)
			l.col2im(dx[s0*in:(s0+ns)*in], c.Data, ns)
		}
	}
	if !needInput {
		return linalg.Matrix[T]{}
	}
	return rows(dx, b, in)
}

// im2col writes the unfolded input of ns samples x (HWC each) to col: row
// (s*H+y)*W+x holds the 3x3 neighbourhood of pixel (y, x) of sample s,
// ordered (ky, kx, c), with zeros outside the image. Cost: 9*H*W*Cin
// copies per sample.
func (l *Conv3x3[T]) im2col(col, x []T, ns int) {
	H, W, C := l.H, l.W, l.Cin
	k := 9 * C
	for s := range ns {
		img := x[s*H*W*C : (s+1)*H*W*C]
		for y := range H {
			for xx := range W {
				row := col[((s*H+y)*W+xx)*k:][:k]
				for ky := range 3 {
					dst := row[ky*3*C : (ky+1)*3*C]
					iy := y + ky - 1
					if iy < 0 || iy >= H {
						clear(dst)
						continue
					}
					line := img[iy*W*C : (iy+1)*W*C]
					switch {
					case xx > 0 && xx < W-1: // the three taps are adjacent pixels
						copy(dst, line[(xx-1)*C:(xx+2)*C])
					default:
						for kx := range 3 {
							d := dst[kx*C : (kx+1)*C]
							if ix := xx + kx - 1; ix < 0 || ix >= W {
								clear(d)
							} else {
								copy(d, line[ix*C:(ix+1)*C])
							}
						}
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds every value of col to the input
// position it was copied from (dx must be zeroed by the caller).
func (l *Conv3x3[T]) col2im(dx, col []T, ns int) {
	H, W, C := l.H, l.W, l.Cin
	k := 9 * C
	for s := range ns {
		img := dx[s*H*W*C : (s+1)*H*W*C]
		for y := range H {
			for xx := range W {
				row := col[((s*H+y)*W+xx)*k:][:k]
				for ky := range 3 {
					iy := y + ky - 1
					if iy < 0 || iy >= H {
						continue
					}
					line := img[iy*W*C : (iy+1)*W*C]
					src := row[ky*3*C : (ky+1)*3*C]
					lo, hi := max(xx-1, 0), min(xx+2, W) // input pixels covered
					dst := line[lo*C : hi*C]
					src = src[(lo-(xx-1))*C:][:len(dst)]
					for i, v := range src {
						dst[i] += v
					}
				}
			}
		}
	}
}

// MaxPool2 is 2x2 max-pooling with stride 2 on H x W x C images (HWC rows;
// H and W even), giving H/2 x W/2 x C.
type MaxPool2[T linalg.Float] struct {
	H, W, C int

	arg   []int32 // per output value: index of the maximum within its sample's input
	y, dx []T
}

// NewMaxPool2 returns 2x2 max-pooling for h x w x c inputs.
func NewMaxPool2[T linalg.Float](h, w, c int) *MaxPool2[T] {
	if h < 2 || w < 2 || h%2 != 0 || w%2 != 0 || c < 1 {
		panic(errGeometry)
	}
	return &MaxPool2[T]{H: h, W: w, C: c}
}

func (l *MaxPool2[T]) InSize() int         { return l.H * l.W * l.C }
func (l *MaxPool2[T]) OutSize() int        { return l.H / 2 * l.W / 2 * l.C }
func (l *MaxPool2[T]) Params() []*Param[T] { return nil }

// Forward returns the maximum of each 2x2 window per channel (the first
// one in row-major window order on ties, as PyTorch) and records where it
// was.
func (l *MaxPool2[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.InSize())
	in, out := l.InSize(), l.OutSize()
	H2, W2, C := l.H/2, l.W/2, l.C
	y := grow(&l.y, x.Rows*out)
	arg := grow(&l.arg, x.Rows*out)
	rowLen := l.W * C
	for s := range x.Rows {
		img := x.Data[s*in : (s+1)*in]
		for oy := range H2 {
			top := img[2*oy*rowLen : (2*oy+1)*rowLen]
			bot := img[(2*oy+1)*rowLen : (2*oy+2)*rowLen]
			for ox := range W2 {
				o := s*out + (oy*W2+ox)*C
				p := 2 * ox * C
				a, b := top[p:p+C], top[p+C:p+2*C]
				c, d := bot[p:p+C], bot[p+C:p+2*C]
				yo, ao := y[o:o+C], arg[o:o+C]
				for ch := range yo {
					v, at := a[ch], 2*oy*rowLen+p+ch
					if b[ch] > v {
						v, at = b[ch], 2*oy*rowLen+p+C+ch
					}
					if c[ch] > v {
						v, at = c[ch], (2*oy+1)*rowLen+p+ch
					}
					if d[ch] > v {
						v, at = d[ch], (2*oy+1)*rowLen+p+C+ch
					}
					yo[ch], ao[ch] = v, int32(at)
				}
			}
		}
	}
	return rows(y, x.Rows, out)
}

// Backward routes each output gradient to the input that was the maximum.
func (l *MaxPool2[T]) Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T] {
	checkBatch(dy, l.OutSize())
	in, out := l.InSize(), l.OutSize()
	if dy.Rows*out != len(l.arg) {
		panic(errGradRows)
	}
	if !needInput {
		return linalg.Matrix[T]{}
	}
	dx := grow(&l.dx, dy.Rows*in)
	clear(dx)
	for s := range dy.Rows {
		d := dx[s*in : (s+1)*in]
		for i, g := range dy.Data[s*out : (s+1)*out] {
			d[l.arg[s*out+i]] += g
		}
	}
	return rows(dx, dy.Rows, in)
}
