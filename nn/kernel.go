package nn

import (
	"sync/atomic"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/linalg"
)

// dwPixels is the depth (pixels) of one packed block of the weight
// gradient's product: a constant, so that the summation order does not
// depend on the machine.
const dwPixels = 256

// micro is the register-tile micro-kernel of the active instruction set
// (package asm) for T, with its packers. The convolutions call it directly:
// their products are too thin (16 or 32 output channels) for linalg.Gemm's
// packing to pay off.
type micro[T linalg.Float] struct {
	mr, nr int
	column func(kc int, a, b, c []T, ldc, tiles int)
	packA  func(dst, src []T, lds, rows int, alpha T, kb int)
	packBT func(dst, src []T, lds, cols, kb int)
}

// kernelFor returns the micro-kernel of en's instruction set for T (en
// has resolved it, so it exists).
func kernelFor[T linalg.Float](en *linalg.Engine[T]) micro[T] {
	k, err := asm.KernelFor[T](en.ISA())
	if err != nil {
		panic(err)
	}
	return micro[T]{k.MR, k.NR, k.MulAddColumn, k.PackA, k.PackBT}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// packRows packs the row-major rows x kc matrix m into ceilDiv(rows, mr)
// A micro-panels (rows past the last as zeros) in *buf and returns them.
func (k micro[T]) packRows(buf *[]T, m []T, rows, kc int) []T {
	mt := ceilDiv(rows, k.mr)
	a := grow(buf, mt*k.mr*kc)
	for r := range mt {
		k.packA(a[r*k.mr*kc:], m[r*k.mr*kc:], kc, min(k.mr, rows-r*k.mr), 1, kc)
	}
	return a
}

// unfold writes, for the n pixels q0 .. q0+n-1 (q = y*w + x) of the
// ci x h x w image img, row p = (c*3+ky)*3+kx of the unfolded image into
// dst[p*ld : p*ld+n]: the value of channel c at (y+ky-1, x+kx-1), zero
// outside the image; dst[p*ld+n : (p+1)*ld] is zeroed. Each row is made of
// contiguous copies of image lines, one per image line the pixels cover.
// Cost: 9*ci*ld values written.
func unfold[T linalg.Float](dst []T, ld int, img []T, h, w, ci, q0, n int) {
	// The runs of pixels within one image line: (line, first x, length).
	var buf [16][3]int
	segs := buf[:0]
	for j, q := 0, q0; j < n; {
		y, x := q/w, q%w
		l := min(w-x, n-j)
		segs = append(segs, [3]int{y, x, l})
		j, q = j+l, q+l
	}
	for c := range ci {
		plane := img[c*h*w : (c+1)*h*w]
		for ky := range 3 {
			for kx := range 3 {
				row := dst[((c*3+ky)*3+kx)*ld:][:ld]
				clear(row[n:])
				j := 0
				for _, sg := range segs {
					y, x, l := sg[0], sg[1], sg[2]
					seg := row[j : j+l]
					j += l
					sy := y + ky - 1
					if sy < 0 || sy >= h {
						clear(seg)
						continue
					}
					lo, hi := x+kx-1, x+kx-1+l // source columns
					if lo < 0 {
						seg[0], seg, lo = 0, seg[1:], 0
					}
					if hi > w {
						seg[len(seg)-1], seg, hi = 0, seg[:len(seg)-1], w
					}
					copy(seg, plane[sy*w+lo:sy*w+hi])
				}
			}
		}
	}
}

// convSamples sets out = bias + conv3x3(in) for the samples of in (ci x h
// x w each, CHW; out co x h x w each) with the weights packed by packRows
// from a co x 9*ci matrix (bias nil: zero). Per block of nr pixels it
// unfolds the input straight into the kernel's B micro-panel layout and
// runs the column of ceilDiv(co, mr) tiles once: no packing pass. Cost:
// 2*h*w*9*ci*co flops (rounded up to whole tiles) per sample.
func (k micro[T]) convSamples(out, in []T, h, w, ci, co int, wp, bias []T, s *convScratch[T]) {
	P, K := h*w, 9*ci
	mt := ceilDiv(co, k.mr)
	b, c := s.b[:K*k.nr], s.c[:mt*k.mr*k.nr]
	for s := range len(in) / (ci * P) {
		img, o := in[s*ci*P:(s+1)*ci*P], out[s*co*P:(s+1)*co*P]
		for q0 := 0; q0 < P; q0 += k.nr {
			n := min(k.nr, P-q0)
			unfold(b, k.nr, img, h, w, ci, q0, n)
			for i := range mt * k.mr {
				v := T(0)
				if i < co && bias != nil {
					v = bias[i]
				}
				row := c[i*k.nr : (i+1)*k.nr]
				for j := range row {
					row[j] = v
				}
			}
			k.column(K, wp, b, c, k.nr, mt)
			for i := range co {
				copy(o[i*P+q0:i*P+q0+n], c[i*k.nr:])
			}
		}
	}
}

// convScratch holds one goroutine's buffers for convSamples: a B
// micro-panel, a column of C tiles and (split) the padded image.
type convScratch[T linalg.Float] struct{ b, c, vp []T }

func newConvScratch[T linalg.Float](k micro[T], h, w, ci, co int) *convScratch[T] {
	s := &convScratch[T]{b: make([]T, 9*ci*k.nr), c: make([]T, ceilDiv(3*co, k.mr)*k.mr*k.nr)}
	if k.split(ci) {
		s.vp = make([]T, ci*((h+2)*w+2))
	}
	return s
}

// split reports whether convolutions from ci channels use convSplit: it
// needs blocks of at least 8 pixels and pays off when the copies it saves
// (6 of 7 for wide inputs) outweigh its combining pass.
func (k micro[T]) split(ci int) bool { return k.nr >= 8 && ci >= 4 }

// packConv packs the co x 9*ci weights w of a convolution for conv: as
// packRows does into *buf, or for convSplit the 3*co x 3*ci matrix
// S[kx*co+o][c*3+ky] = w[o][(c*3+ky)*3+kx], built in *stack.
func (k micro[T]) packConv(buf, stack *[]T, w []T, co, ci int) []T {
	if !k.split(ci) {
		return k.packRows(buf, w, co, 9*ci)
	}
	st := grow(stack, 9*co*ci)
	for kx := range 3 {
		for o := range co {
			row := st[(kx*co+o)*3*ci : (kx*co+o+1)*3*ci]
			for j := range row { // j = c*3 + ky
				row[j] = w[o*9*ci+j*3+kx]
			}
		}
	}
	return k.packRows(buf, st, 3*co, 3*ci)
}

// conv sets out = bias + conv3x3(in) with the weights packed by packConv,
// by convSplit or convSamples.
func (k micro[T]) conv(out, in []T, h, w, ci, co int, wp, bias []T, s *convScratch[T]) {
	if k.split(ci) {
		k.convSplit(out, in, h, w, ci, co, wp, bias, s)
		return
	}
	k.convSamples(out, in, h, w, ci, co, wp, bias, s)
}

// convSplit is convSamples with the taps of each row split off: for kx =
// 0, 1, 2 it computes Z_kx[o][y][x] = sum over c, ky of
// W[o][c][ky][kx] * in[c][y+ky-1][x] in one column of ceilDiv(3*co, mr)
// tiles (weights stacked by packConv), and then out[o][y][x] = bias[o] +
// ((Z_0[o][y][x-1] + Z_1[o][y][x]) + Z_2[o][y][x+1]), the outer terms zero
// at the image's left and right edges. A B micro-panel row (c, ky) is then
// one contiguous run of an image padded with a zero line above and below,
// whatever the lines the block covers: 3*ci copies per block of nr-2
// pixels instead of 9*ci or more. Same flops as convSamples.
func (k micro[T]) convSplit(out, in []T, h, w, ci, co int, sp, bias []T, s *convScratch[T]) {
	P, K := h*w, 3*ci
	pl := (h+2)*w + 2 // a padded plane: a guard, a zero line, h lines, a zero line, a guard
	mt := ceilDiv(3*co, k.mr)
	b, c, vp := s.b[:K*k.nr], s.c[:mt*k.mr*k.nr], s.vp[:ci*pl]
	m := k.nr - 2 // outputs per block: the block's Z columns are pixels q0-1 .. q0+m
	for n := range len(in) / (ci * P) {
		img, o := in[n*ci*P:(n+1)*ci*P], out[n*co*P:(n+1)*co*P]
		for ch := range ci { // the borders of vp are never written: they stay zero
			copy(vp[ch*pl+1+w:][:P], img[ch*P:(ch+1)*P])
		}
		for q0 := 0; q0 < P; q0 += m {
			nq := min(m, P-q0)
			nz := nq + 2
			for r := range K { // r = ch*3 + ky
				row := b[r*k.nr : (r+1)*k.nr]
				src := vp[(r/3)*pl+q0+(r%3)*w:] // Z pixel q0-1 at line offset ky-1
				copy(row[:nz], src[:nz])
				clear(row[nz:])
			}
			clear(c)
			k.column(K, sp, b, c, k.nr, mt)
			x0 := q0 % w
			for oc := range co {
				z0 := c[oc*k.nr : (oc+1)*k.nr]
				z1 := c[(co+oc)*k.nr : (co+oc+1)*k.nr]
				z2 := c[(2*co+oc)*k.nr : (2*co+oc+1)*k.nr]
				var bv T
				if bias != nil {
					bv = bias[oc]
				}
				dst := o[oc*P+q0 : oc*P+q0+nq]
				x := x0
				for j := range dst {
					l, r := z0[j], z2[j+2]
					if x == 0 {
						l = 0
					}
					if x == w-1 {
						r = 0
					}
					dst[j] = bv + ((l + z1[j+1]) + r)
					if x++; x == w {
						x = 0
					}
				}
			}
		}
	}
}

// dwScratch holds one goroutine's buffers for weightGrad: the unfolded
// sample (9*ci > nr) or the padded sample (9*ci <= nr), and the packed
// micro-panels.
type dwScratch[T linalg.Float] struct{ col, pad, a, b []T }

func newDWScratch[T linalg.Float](k micro[T], h, w, K, mt int) *dwScratch[T] {
	P := h * w
	kb := min(dwPixels, P)
	s := &dwScratch[T]{a: make([]T, mt*k.mr*kb), b: make([]T, kb*k.nr)}
	if K > k.nr {
		s.col = make([]T, K*P)
	} else {
		s.pad = make([]T, K/9*(h+2)*(w+2))
	}
	return s
}

// pad copies the ci x h x w image img into the interior of dst, ci planes
// of (h+2) x (w+2) whose one-pixel border is left as it is (zero).
func pad[T linalg.Float](dst, img []T, h, w, ci int) {
	pw := w + 2
	for c := range ci {
		for y := range h {
			copy(dst[(c*(h+2)+y+1)*pw+1:][:w], img[(c*h+y)*w:][:w])
		}
	}
}

// tapsPanel writes the B micro-panel of the weight gradient for the kb
// pixels from q0 when all 9*ci taps fit in one (9*ci <= nr): row j holds
// the taps of pixel q0+j, b[j*nr + (c*3+ky)*3+kx] = the padded image at
// (c, y+ky, x+kx). Columns 9*ci .. nr-1 are never written, so they keep
// the zeros of the allocation.
func (k micro[T]) tapsPanel(b, padded []T, h, w, ci, q0, kb int) {
	pw, pp := w+2, (h+2)*(w+2)
	y, x := q0/w, q0%w
	for j := range kb {
		row := b[j*k.nr : j*k.nr+9*ci]
		for c := range ci {
			win := padded[c*pp+y*pw+x:]
			t := row[9*c : 9*c+9 : 9*c+9]
			t[0], t[1], t[2] = win[0], win[1], win[2]
			t[3], t[4], t[5] = win[pw], win[pw+1], win[pw+2]
			t[6], t[7], t[8] = win[2*pw], win[2*pw+1], win[2*pw+2]
		}
		if x++; x == w {
			x, y = 0, y+1
		}
	}
}

// weightGrad adds to dw (ceilDiv(co, mr)*mr x kp, row stride kp, kp a
// multiple of nr >= 9*ci) the sum over the pixels of one sample's output
// gradient d (co x h x w) times its unfolded input img (ci x h x w), and to
// db the sum of d per channel, in a fixed order: blocks of dwPixels pixels
// in turn. Cost: 2*h*w*9*ci*co flops (rounded up to whole tiles) plus the
// unfolding.
func (k micro[T]) weightGrad(dw, db []T, kp int, d, img []T, h, w, ci, co int, s *dwScratch[T]) {
	P, K := h*w, 9*ci
	mt := ceilDiv(co, k.mr)
	if K > k.nr {
		unfold(s.col, P, img, h, w, ci, 0, P)
	} else {
		pad(s.pad, img, h, w, ci)
	}
	for i := range co {
		db[i] += sum8(d[i*P : (i+1)*P])
	}
	for q0 := 0; q0 < P; q0 += dwPixels {
		kb := min(dwPixels, P-q0)
		for r := range mt {
			k.packA(s.a[r*k.mr*kb:], d[r*k.mr*P+q0:], P, min(k.mr, co-r*k.mr), 1, kb)
		}
		if K <= k.nr { // one B micro-panel: write it from the padded image
			k.tapsPanel(s.b, s.pad, h, w, ci, q0, kb)
			k.column(kb, s.a, s.b, dw, kp, mt)
			continue
		}
		for p0 := 0; p0 < K; p0 += k.nr {
			k.packBT(s.b, s.col[p0*P+q0:], P, min(k.nr, K-p0), kb)
			k.column(kb, s.a, s.b, dw[p0:], kp, mt)
		}
	}
}

// sum8 returns the sum of v in a fixed order: eight interleaved partial
// sums (elements i, i+8, ... in partial i%8), then ((s0+s1)+(s2+s3)) +
// ((s4+s5)+(s6+s7)) plus the tail in order. Eight chains hide the latency
// of the additions.
func sum8[T linalg.Float](v []T) T {
	var s [8]T
	n := len(v) &^ 7
	for i := 0; i < n; i += 8 {
		w := v[i : i+8 : i+8]
		s[0] += w[0]
		s[1] += w[1]
		s[2] += w[2]
		s[3] += w[3]
		s[4] += w[4]
		s[5] += w[5]
		s[6] += w[6]
		s[7] += w[7]
	}
	t := ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
	for _, x := range v[n:] {
		t += x
	}
	return t
}

// dynamicFor calls the piece functions of up to en.Threads() workers on
// [0, n) cut into pieces of grain (the last shorter), each worker taking
// the next piece as soon as it has finished one: on a machine shared with
// other jobs, a goroutine whose core is busy takes fewer pieces instead of
// holding up the others with a fixed half of the work. worker runs once per
// goroutine and returns its piece function (with its own buffers). Which
// goroutine computes a piece varies from run to run, so pieces must not
// depend on one another.
func dynamicFor[T linalg.Float](en *linalg.Engine[T], n, grain int, worker func() func(lo, hi int)) {
	pieces := ceilDiv(n, grain)
	var next atomic.Int64
	en.ParallelFor(min(en.Threads(), pieces), func(_, _ int) {
		piece := worker()
		for {
			p := int(next.Add(1)) - 1
			if p >= pieces {
				return
			}
			piece(p*grain, min((p+1)*grain, n))
		}
	})
}
