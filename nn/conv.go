package nn

import (
	"math/rand/v2"

	"github.com/spurious-ml/spurious/linalg"
)

// convGroup is the number of samples whose weight gradient one goroutine
// sums into one partial sum; the partial sums are then added in group
// order. It is a constant, so the summation order of the weight gradient,
// and hence the result, never depends on the number of threads.
const convGroup = 16

// convPiece is the number of samples a goroutine takes at a time in a
// convolution's forward pass (see dynamicFor).
const convPiece = 4

// Conv3x3 is a 3x3 convolution with stride 1 and zero padding 1 from Cin
// to Cout channels on H x W images. Samples are rows in CHW order
// (channels first, as PyTorch's), input Cin*H*W values, output Cout*H*W.
// The weight W is Cout x 9*Cin, column (c*3+ky)*3+kx holding the tap
// (ky, kx) of input channel c: PyTorch's Conv2d weight [Cout][Cin][ky][kx].
//
// With Pool set (H and W even; set it before the first Forward), the layer
// is the convolution followed by 2x2 max-pooling and a ReLU (a MaxPool2
// with ReLU), output Cout*(H/2)*(W/2): each sample's full-size output and
// its gradient then live only in a per-goroutine buffer, never in memory
// for the whole batch.
type Conv3x3[T linalg.Float] struct {
	H, W, Cin, Cout int
	Pool            bool
	Weight, Bias    Param[T]

	// Engine sets the instruction set of the kernels and the goroutines
	// (nil: linalg.DefaultEngine); Net.SetEngine sets it.
	Engine *linalg.Engine[T]

	x                          linalg.Matrix[T]
	arg                        []uint8 // with Pool: the winners, as MaxPool2's
	y, dx, wp, wt, wtp, ws, ps []T
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

func (l *Conv3x3[T]) InSize() int { return l.H * l.W * l.Cin }
func (l *Conv3x3[T]) OutSize() int {
	if l.Pool {
		return l.H / 2 * l.W / 2 * l.Cout
	}
	return l.H * l.W * l.Cout
}
func (l *Conv3x3[T]) Params() []*Param[T] { return []*Param[T]{&l.Weight, &l.Bias} }

func (l *Conv3x3[T]) checkPool() {
	if l.Pool && (l.H%2 != 0 || l.W%2 != 0) {
		panic(errGeometry)
	}
}

// Forward computes the convolution directly on the micro-kernel of the
// active instruction set (see convSamples and convSplit), then with Pool
// the pooling and ReLU: 2*H*W*9*Cin*Cout flops per sample, the samples
// handed out to the engine's goroutines.
func (l *Conv3x3[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.InSize())
	l.checkPool()
	l.x = x
	en := engineOr(l.Engine)
	k := kernelFor(en)
	in, out, full := l.InSize(), l.OutSize(), l.H*l.W*l.Cout
	y := grow(&l.y, x.Rows*out)
	wp := k.packConv(&l.wp, &l.ws, l.Weight.Value, l.Cout, l.Cin)
	if !l.Pool {
		dynamicFor(en, x.Rows, convPiece, func() func(lo, hi int) {
			cs := newConvScratch(k, l.H, l.W, l.Cin, l.Cout)
			return func(lo, hi int) {
				k.conv(y[lo*out:hi*out], x.Data[lo*in:hi*in], l.H, l.W, l.Cin, l.Cout, wp, l.Bias.Value, cs)
			}
		})
		return rows(y, x.Rows, out)
	}
	arg := grow(&l.arg, x.Rows*out)
	dynamicFor(en, x.Rows, convPiece, func() func(lo, hi int) {
		buf, cs := make([]T, full), newConvScratch(k, l.H, l.W, l.Cin, l.Cout)
		return func(lo, hi int) {
			for s := lo; s < hi; s++ {
				k.conv(buf, x.Data[s*in:(s+1)*in], l.H, l.W, l.Cin, l.Cout, wp, l.Bias.Value, cs)
				pool2(y[s*out:(s+1)*out], arg[s*out:(s+1)*out], buf, l.W, true)
			}
		}
	})
	return rows(y, x.Rows, out)
}

// Backward sets dW = sum over samples and pixels of dy_pixel^T * unfolded
// input and db = the sum of dy over samples and pixels (per group of
// convGroup samples, then over the groups in order), and returns dx, the
// convolution of dy with the flipped, transposed weights (the adjoint of
// Forward). With Pool, each sample's dy is first routed back through the
// pooling into a per-goroutine buffer. Cost: two products of the forward's
// flops (one without needInput), handed out to the engine's goroutines.
func (l *Conv3x3[T]) Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T] {
	checkBatch(dy, l.OutSize())
	if dy.Rows != l.x.Rows {
		panic(errGradRows)
	}
	en := engineOr(l.Engine)
	k := kernelFor(en)
	H, W, ci, co := l.H, l.W, l.Cin, l.Cout
	in, out, K, full := l.InSize(), l.OutSize(), 9*ci, H*W*co
	b := dy.Rows
	mt := ceilDiv(co, k.mr)
	kp := ceilDiv(K, k.nr) * k.nr
	stride := mt*k.mr*kp + co // one group's partial dW (mt*mr x kp) and db
	ng := ceilDiv(b, convGroup)
	ps := grow(&l.ps, ng*stride)
	clear(ps)
	var wtp, dx []T
	if needInput {
		// The adjoint: dx[c][y][x] = sum over o, ky, kx of
		// W[o][c][2-ky][2-kx] * dy[o][y+ky-1][x+kx-1], a forward
		// convolution from Cout to Cin channels with the weights flipped
		// and transposed.
		wt := grow(&l.wt, ci*9*co)
		for o := range co {
			for c := range ci {
				for t := range 9 {
					wt[c*9*co+o*9+t] = l.Weight.Value[o*K+c*9+8-t]
				}
			}
		}
		wtp = k.packConv(&l.wtp, &l.ws, wt, ci, co)
		dx = grow(&l.dx, b*in)
	}
	dynamicFor(en, ng, 1, func() func(lo, hi int) {
		s, cs := newDWScratch(k, H, W, K, mt), newConvScratch(k, H, W, co, ci)
		var buf []T
		if l.Pool {
			buf = make([]T, full)
		}
		return func(lo, hi int) {
			for g := lo; g < hi; g++ {
				part := ps[g*stride : (g+1)*stride]
				for n := g * convGroup; n < min((g+1)*convGroup, b); n++ {
					d := dy.Data[n*out : (n+1)*out]
					if l.Pool {
						unpool2(buf, d, l.arg[n*out:(n+1)*out], W)
						d = buf
					}
					k.weightGrad(part[:mt*k.mr*kp], part[mt*k.mr*kp:], kp, d, l.x.Data[n*in:(n+1)*in], H, W, ci, co, s)
					if needInput {
						k.conv(dx[n*in:(n+1)*in], d, H, W, co, ci, wtp, nil, cs)
					}
				}
			}
		}
	})
	dw, db := l.Weight.Grad, l.Bias.Grad
	clear(dw)
	clear(db)
	for g := range ng {
		part := ps[g*stride : (g+1)*stride]
		for i := range co {
			row, src := dw[i*K:(i+1)*K], part[i*kp:][:K]
			for p, v := range src {
				row[p] += v
			}
			db[i] += part[mt*k.mr*kp+i]
		}
	}
	if !needInput {
		return linalg.Matrix[T]{}
	}
	return rows(dx, b, in)
}

// MaxPool2 is 2x2 max-pooling with stride 2 on C x H x W images (CHW rows;
// H and W even), giving C x H/2 x W/2. With ReLU set it is followed by a
// ReLU in the same pass: the output is max(window maximum, 0), and the
// gradient goes to the window's maximum when it is positive (max-pooling
// and ReLU commute, and so do their gradients).
type MaxPool2[T linalg.Float] struct {
	H, W, C int
	ReLU    bool

	// Engine sets the goroutines (nil: linalg.DefaultEngine); Net.SetEngine
	// sets it.
	Engine *linalg.Engine[T]

	arg   []uint8 // per output value: the position of the maximum in its window (row-major), 4 for none
	y, dx []T
}

func (l *MaxPool2[T]) setEngine(en *linalg.Engine[T]) { l.Engine = en }

// NewMaxPool2 returns 2x2 max-pooling for c x h x w inputs.
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
// one in row-major window order on ties, as PyTorch), or with ReLU its
// positive part, and records where it was. Cost: one pass over the input,
// samples split over the threads.
func (l *MaxPool2[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.InSize())
	in, out := l.InSize(), l.OutSize()
	y := grow(&l.y, x.Rows*out)
	arg := grow(&l.arg, x.Rows*out)
	engineOr(l.Engine).ParallelFor(x.Rows, func(lo, hi int) {
		pool2(y[lo*out:hi*out], arg[lo*out:hi*out], x.Data[lo*in:hi*in], l.W, l.ReLU)
	})
	return rows(y, x.Rows, out)
}

// pool2 pools the pairs of lines of length w of x (the lines of a stack of
// images of even height) into y, recording the winners in arg (4 for a
// maximum <= 0 when relu). The maxima and winners are computed without
// branches, which random data would mispredict; ties go to the first in
// row-major order (max may return +0 for a tie of -0 and +0).
func pool2[T linalg.Float](y []T, arg []uint8, x []T, w int, relu bool) {
	w2 := w / 2
	for r := range len(x) / (2 * w) {
		top := x[2*r*w : (2*r+1)*w]
		bot := x[(2*r+1)*w : (2*r+2)*w]
		yo := y[r*w2 : (r+1)*w2]
		ao := arg[r*w2 : (r+1)*w2]
		for ox := range yo {
			a, b := top[2*ox], top[2*ox+1]
			c, d := bot[2*ox], bot[2*ox+1]
			t, u := bit(b > a), bit(d > c)
			vt, vb := max(a, b), max(c, d)
			s := bit(vb > vt)
			v, at := max(vt, vb), t+s*(2+u-t)
			if relu {
				p := bit(v > 0)
				v, at = max(v, 0), at+(1-p)*(4-at)
			}
			yo[ox], ao[ox] = v, at
		}
	}
}

// bit returns 1 for true and 0 for false, without a branch.
func bit(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}

// Backward routes each output gradient to the input that was the maximum
// (nowhere for a ReLU-clipped output) and writes zeros at the other inputs
// of its window.
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
	engineOr(l.Engine).ParallelFor(dy.Rows, func(lo, hi int) {
		unpool2(dx[lo*in:hi*in], dy.Data[lo*out:hi*out], l.arg[lo*out:hi*out], l.W)
	})
	return rows(dx, dy.Rows, in)
}

// unpool2 is the adjoint of pool2: it writes into each 2x2 window of dx
// (lines of length w) the gradient of its output at the winner recorded
// in arg and zeros elsewhere.
func unpool2[T linalg.Float](dx, dy []T, arg []uint8, w int) {
	w2 := w / 2
	for r := range len(dx) / (2 * w) {
		top := dx[2*r*w : (2*r+1)*w]
		bot := dx[(2*r+1)*w : (2*r+2)*w]
		g := dy[r*w2 : (r+1)*w2]
		a := arg[r*w2 : (r+1)*w2]
		for ox, v := range g {
			var win [8]T
			win[a[ox]&7] = v
			top[2*ox], top[2*ox+1] = win[0], win[1]
			bot[2*ox], bot[2*ox+1] = win[2], win[3]
		}
	}
}

// ChannelsFirst reorders H x W x C images from HWC (channels last, the
// layout of package data) to CHW, the layout of Conv3x3 and MaxPool2.
type ChannelsFirst[T linalg.Float] struct {
	H, W, C int
	y, dx   []T
}

// NewChannelsFirst returns the HWC -> CHW permutation of h x w x c images.
func NewChannelsFirst[T linalg.Float](h, w, c int) *ChannelsFirst[T] {
	if h < 1 || w < 1 || c < 1 {
		panic(errGeometry)
	}
	return &ChannelsFirst[T]{H: h, W: w, C: c}
}

func (l *ChannelsFirst[T]) InSize() int         { return l.H * l.W * l.C }
func (l *ChannelsFirst[T]) OutSize() int        { return l.InSize() }
func (l *ChannelsFirst[T]) Params() []*Param[T] { return nil }

// Forward returns the CHW images: y[c][q] = x[q][c] for pixel q.
func (l *ChannelsFirst[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	checkBatch(x, l.InSize())
	n := l.InSize()
	y := grow(&l.y, x.Rows*n)
	transposeSamples(y, x.Data, x.Rows, l.H*l.W, l.C)
	return rows(y, x.Rows, n)
}

// Backward returns dy back in HWC order.
func (l *ChannelsFirst[T]) Backward(dy linalg.Matrix[T], needInput bool) linalg.Matrix[T] {
	checkBatch(dy, l.OutSize())
	if !needInput {
		return linalg.Matrix[T]{}
	}
	n := l.InSize()
	dx := grow(&l.dx, dy.Rows*n)
	transposeSamples(dx, dy.Data, dy.Rows, l.C, l.H*l.W)
	return rows(dx, dy.Rows, n)
}

// transposeSamples writes the transpose of each of samples r x c
// matrices stored one after the other in src into dst:
// dst[s*r*c+j*r+i] = src[s*r*c+i*c+j].
func transposeSamples[T linalg.Float](dst, src []T, samples, r, c int) {
	n := r * c
	for s := range samples {
		from, to := src[s*n:(s+1)*n], dst[s*n:(s+1)*n]
		for i := range r {
			for j := range c {
				to[j*r+i] = from[i*c+j]
			}
		}
	}
}
