package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

// refConv is the plain definition of Conv3x3 on CHW samples: forward
// output, and for dy the weight, bias and input gradients, in float64.
func refConv(h, w, ci, co, b int, wt, bias, x, dy []float64) (y, dw, db, dx []float64) {
	in, out := ci*h*w, co*h*w
	y, dx = make([]float64, b*out), make([]float64, b*in)
	dw, db = make([]float64, co*9*ci), make([]float64, co)
	for s := range b {
		for o := range co {
			for yy := range h {
				for xx := range w {
					v := bias[o]
					g := dy[s*out+(o*h+yy)*w+xx]
					db[o] += g
					for c := range ci {
						for ky := range 3 {
							for kx := range 3 {
								iy, ix := yy+ky-1, xx+kx-1
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								wi, xi := o*9*ci+(c*3+ky)*3+kx, s*in+(c*h+iy)*w+ix
								v += wt[wi] * x[xi]
								dw[wi] += g * x[xi]
								dx[xi] += g * wt[wi]
							}
						}
					}
					y[s*out+(o*h+yy)*w+xx] = v
				}
			}
		}
	}
	return y, dw, db, dx
}

// checkClose fails unless got is within tol*(1+|want|) of want everywhere.
func checkClose[T linalg.Float](t *testing.T, name string, got []T, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i, v := range got {
		if d := math.Abs(float64(v) - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %v, want %v", name, i, v, want[i])
		}
	}
}

func testConvReference[T linalg.Float](t *testing.T, tol float64) {
	for _, isa := range asm.Available() {
		en, err := linalg.NewEngine[T](linalg.Settings{ISA: isa, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(isa, func(t *testing.T) { testConvReferenceOn(t, en, tol) })
	}
}

func testConvReferenceOn[T linalg.Float](t *testing.T, en *linalg.Engine[T], tol float64) {
	for _, c := range []struct{ h, w, ci, co, b int }{
		{1, 1, 1, 1, 1},
		{3, 5, 1, 16, 2},
		{7, 9, 3, 5, 3},     // pixels not a multiple of any tile width, odd channels
		{12, 10, 16, 32, 2}, // the CNN's channels, rows crossing a tile
		{2, 50, 2, 9, 17},   // a line longer than a tile; two weight-gradient groups
		{6, 4, 13, 3, 1},    // more taps than a tile is wide
		{1, 7, 5, 4, 2},     // one line: both padding lines used at once
		{5, 1, 6, 5, 2},     // one column: left and right edges at every pixel
		{3, 2, 4, 1, 2},     // fewer pixels than a block
	} {
		r := rand.New(rand.NewPCG(uint64(c.h*c.w), uint64(c.ci*c.co)))
		l := NewConv3x3[T](c.h, c.w, c.ci, c.co, r)
		l.Engine = en
		in, out := l.InSize(), l.OutSize()
		x, dy := make([]T, c.b*in), make([]T, c.b*out)
		for i := range x {
			x[i] = T(r.NormFloat64())
		}
		for i := range dy {
			dy[i] = T(r.NormFloat64())
		}
		f64 := func(v []T) []float64 {
			o := make([]float64, len(v))
			for i := range v {
				o[i] = float64(v[i])
			}
			return o
		}
		y, dw, db, dx := refConv(c.h, c.w, c.ci, c.co, c.b, f64(l.Weight.Value), f64(l.Bias.Value), f64(x), f64(dy))
		name := fmt.Sprintf("%dx%dx%d->%d batch %d", c.h, c.w, c.ci, c.co, c.b)
		got := l.Forward(linalg.MatrixFrom(c.b, in, x))
		checkClose(t, name+" y", got.Data, y, tol)
		gdx := l.Backward(linalg.MatrixFrom(c.b, out, dy), true)
		checkClose(t, name+" dw", l.Weight.Grad, dw, tol*float64(c.b*c.h*c.w))
		checkClose(t, name+" db", l.Bias.Grad, db, tol*float64(c.b*c.h*c.w))
		checkClose(t, name+" dx", gdx.Data, dx, tol)
	}
}

// TestConvReference checks Conv3x3 against the plain loops of its
// definition on edge sizes, in both precisions, on every instruction set
// of the machine (each with its own tile).
func TestConvReference(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testConvReference[float64](t, 1e-12) })
	t.Run("float32", func(t *testing.T) { testConvReference[float32](t, 1e-5) })
}

// TestConvThreads checks that the convolution and pooling give the same
// bits on one thread and on several.
func TestConvThreads(t *testing.T) {
	const h, w, ci, co, b = 8, 6, 3, 10, 37
	r := rand.New(rand.NewPCG(3, 4))
	x, dy := make([]float32, b*h*w*ci), make([]float32, b*h*w*co)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range dy {
		dy[i] = float32(r.NormFloat64())
	}
	run := func(threads int) [][]float32 {
		defer linalg.SetThreads(linalg.SetThreads(threads))
		l := NewConv3x3[float32](h, w, ci, co, rand.New(rand.NewPCG(5, 6)))
		y := l.Forward(linalg.MatrixFrom(b, h*w*ci, x))
		p := NewMaxPool2[float32](h, w, co)
		py := p.Forward(y)
		pdx := p.Backward(py, true)
		dx := l.Backward(linalg.MatrixFrom(b, h*w*co, dy), true)
		return [][]float32{append([]float32(nil), y.Data...), py.Data, pdx.Data, dx.Data, l.Weight.Grad, l.Bias.Grad}
	}
	one, many := run(1), run(3)
	for k := range one {
		for i := range one[k] {
			if math.Float32bits(one[k][i]) != math.Float32bits(many[k][i]) {
				t.Fatalf("array %d value %d: %v on 1 thread, %v on 3", k, i, one[k][i], many[k][i])
			}
		}
	}
}

// TestMaxPoolChannelsFirst checks pooling and the HWC -> CHW permutation on
// a hand-made image, including a tie.
func TestMaxPoolChannelsFirst(t *testing.T) {
	// 2 x 4 x 2 HWC: channel 0 holds 1..8, channel 1 holds 8..2 and a tie.
	hwc := []float64{1, 8, 2, 7, 3, 6, 4, 5, 5, 4, 6, 3, 7, 2, 8, 6}
	cf := NewChannelsFirst[float64](2, 4, 2)
	chw := cf.Forward(linalg.MatrixFrom(1, 16, hwc))
	want := []float64{1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 6}
	checkClose(t, "chw", chw.Data, want, 0)
	p := NewMaxPool2[float64](2, 4, 2)
	y := p.Forward(chw)
	checkClose(t, "pool", y.Data, []float64{6, 8, 8, 6}, 0)
	dx := p.Backward(linalg.MatrixFrom(1, 4, []float64{1, 2, 3, 4}), true)
	// Channel 1's second window 6, 5, 2, 6 ties: the first 6 takes it.
	checkClose(t, "pool dx", dx.Data, []float64{0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 0}, 0)
	back := cf.Backward(dx, true)
	checkClose(t, "hwc dx", back.Data, []float64{0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0}, 0)
}

// TestConvPoolFused checks that Conv3x3 with Pool gives the same bits as
// Conv3x3 followed by MaxPool2 with ReLU, forward and backward.
func TestConvPoolFused(t *testing.T) {
	for _, c := range []struct{ h, w, ci, co, b int }{{4, 6, 1, 16, 3}, {10, 8, 5, 7, 18}, {48, 48, 1, 16, 2}} {
		name := fmt.Sprintf("%dx%dx%d->%d batch %d", c.h, c.w, c.ci, c.co, c.b)
		r := rand.New(rand.NewPCG(uint64(c.h), uint64(c.co)))
		fused := NewConv3x3[float32](c.h, c.w, c.ci, c.co, r)
		fused.Pool = true
		plain := &Conv3x3[float32]{H: c.h, W: c.w, Cin: c.ci, Cout: c.co,
			Weight: Param[float32]{Value: fused.Weight.Value, Grad: make([]float32, len(fused.Weight.Grad))},
			Bias:   Param[float32]{Value: fused.Bias.Value, Grad: make([]float32, len(fused.Bias.Grad))}}
		pool := NewMaxPool2[float32](c.h, c.w, c.co)
		pool.ReLU = true
		x := make([]float32, c.b*fused.InSize())
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		dy := make([]float32, c.b*fused.OutSize())
		for i := range dy {
			dy[i] = float32(r.NormFloat64())
		}
		xm := linalg.MatrixFrom(c.b, fused.InSize(), x)
		want := pool.Forward(plain.Forward(xm))
		got := fused.Forward(xm)
		wantDx := plain.Backward(pool.Backward(linalg.MatrixFrom(c.b, len(dy)/c.b, append([]float32(nil), dy...)), true), true)
		gotDx := fused.Backward(linalg.MatrixFrom(c.b, len(dy)/c.b, dy), true)
		for _, pair := range [][2][]float32{{got.Data, want.Data}, {gotDx.Data, wantDx.Data},
			{fused.Weight.Grad, plain.Weight.Grad}, {fused.Bias.Grad, plain.Bias.Grad}} {
			for i := range pair[1] {
				if math.Float32bits(pair[0][i]) != math.Float32bits(pair[1][i]) {
					t.Fatalf("%s: value %d: fused %v, separate %v", name, i, pair[0][i], pair[1][i])
				}
			}
		}
	}
}
