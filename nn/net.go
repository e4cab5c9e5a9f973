package nn

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/spurious-ml/spurious/linalg"
)

// Net is a feed-forward network: Layers applied in order.
type Net[T linalg.Float] struct {
	Layers []Layer[T]
	// Engine is the linear algebra of the layers and of Adam (nil:
	// linalg.DefaultEngine); set it with SetEngine.
	Engine *linalg.Engine[T]
}

// SetEngine makes every layer (and the Adam steps of a Stepper made
// afterwards) run on en.
func (n *Net[T]) SetEngine(en *linalg.Engine[T]) {
	n.Engine = en
	for _, l := range n.Layers {
		if s, ok := l.(interface{ setEngine(*linalg.Engine[T]) }); ok {
			s.setEngine(en)
		}
	}
}

// InSize returns the features per input sample.
func (n *Net[T]) InSize() int { return n.first().InSize() }

// OutSize returns the outputs per sample.
func (n *Net[T]) OutSize() int { return n.Layers[len(n.Layers)-1].OutSize() }

func (n *Net[T]) first() Layer[T] {
	if len(n.Layers) == 0 {
		panic(errNoLayers)
	}
	return n.Layers[0]
}

// Forward runs the batch x through every layer and returns the output,
// owned by the last layer.
func (n *Net[T]) Forward(x linalg.Matrix[T]) linalg.Matrix[T] {
	n.first()
	for _, l := range n.Layers {
		x = l.Forward(x)
	}
	return x
}

// Backward propagates dy = dL/d(output) of the last Forward back through
// the layers, setting every parameter gradient; gradients with respect to
// the inputs of the first layer with parameters and of the layers before
// it are not formed.
func (n *Net[T]) Backward(dy linalg.Matrix[T]) {
	first := n.firstParams()
	for i := len(n.Layers) - 1; i >= first; i-- {
		dy = n.Layers[i].Backward(dy, i > first)
	}
}

// firstParams returns the index of the first layer with parameters (0 if
// none has any).
func (n *Net[T]) firstParams() int {
	for i, l := range n.Layers {
		if len(l.Params()) > 0 {
			return i
		}
	}
	return 0
}

// Params returns every trainable array, layer by layer.
func (n *Net[T]) Params() []*Param[T] {
	var ps []*Param[T]
	for _, l := range n.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// NumParams returns the number of trainable values.
func (n *Net[T]) NumParams() int {
	c := 0
	for _, p := range n.Params() {
		c += len(p.Value)
	}
	return c
}

// Widths of the paper's networks (spec §4.4).
const (
	FCHidden1 = 500
	FCHidden2 = 200
	CNNConv1  = 16
	CNNConv2  = 32
	CNNHidden = 256
)

// NewFC returns the paper's fully connected network d -> 500 -> 200 ->
// outputs with ReLUs between, initialised as PyTorch does from r.
func NewFC[T linalg.Float](d, outputs int, r *rand.Rand) *Net[T] {
	return &Net[T]{Layers: []Layer[T]{
		NewDense[T](d, FCHidden1, r), NewReLU[T](FCHidden1),
		NewDense[T](FCHidden1, FCHidden2, r), NewReLU[T](FCHidden2),
		NewDense[T](FCHidden2, outputs, r),
	}}
}

// NewCNN returns the paper's SmallConvNet for h x w x c images in HWC
// order (h and w multiples of 4): for c > 1 a ChannelsFirst permutation,
// then conv3x3(16) - ReLU - pool - conv3x3(32) - ReLU - pool -
// dense(256) - ReLU - dense(outputs), initialised as PyTorch does from r.
//
// Each conv - ReLU - pool triple is one Conv3x3 with Pool set, which pools
// then applies the ReLU on a quarter of the values: max-pooling and ReLU
// commute (relu(max(a)) = max(relu(a))), and so do their gradients: both
// orders route the gradient to the window's maximum when it is positive
// and give zero otherwise.
func NewCNN[T linalg.Float](h, w, c, outputs int, r *rand.Rand) *Net[T] {
	if h%4 != 0 || w%4 != 0 {
		panic(errGeometry)
	}
	h2, w2, h4, w4 := h/2, w/2, h/4, w/4
	conv1, conv2 := NewConv3x3[T](h, w, c, CNNConv1, r), NewConv3x3[T](h2, w2, CNNConv1, CNNConv2, r)
	conv1.Pool, conv2.Pool = true, true
	var layers []Layer[T]
	if c > 1 {
		layers = append(layers, NewChannelsFirst[T](h, w, c))
	}
	return &Net[T]{Layers: append(layers,
		conv1, conv2,
		NewDense[T](h4*w4*CNNConv2, CNNHidden, r), NewReLU[T](CNNHidden),
		NewDense[T](CNNHidden, outputs, r),
	)}
}

// Adam is torch.optim.Adam without weight decay or amsgrad: for each
// parameter p with gradient g at step t,
//
//	m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g^2,
//	p -= (LR/(1-b1^t)) * m / (sqrt(v)/sqrt(1-b2^t) + Eps).
type Adam[T linalg.Float] struct {
	LR, Beta1, Beta2, Eps float64
	// Threads caps the goroutines of Step (0: linalg.Threads()).
	Threads int
	t       int
	m, v    [][]T
}

// NewAdam returns Adam with PyTorch's defaults (lr 1e-3, betas 0.9 and
// 0.999, eps 1e-8).
func NewAdam[T linalg.Float]() *Adam[T] {
	return &Adam[T]{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Step updates every parameter from its gradient; the parameter list must
// be the same (same order and sizes) at every call. The arithmetic is in T
// as PyTorch's (denominator sqrt(v)*(1/sqrt(1-b2^t)) + Eps), and the values
// are split into chunks updated on up to Threads goroutines; each
// value's update is independent of the others, so the result does not
// depend on the split. Cost: O(#values), about 20 bytes of memory traffic
// per value.
func (a *Adam[T]) Step(ps []*Param[T]) {
	if a.m == nil {
		for _, p := range ps {
			a.m = append(a.m, make([]T, len(p.Value)))
			a.v = append(a.v, make([]T, len(p.Value)))
		}
	}
	a.t++
	b1, b2 := T(a.Beta1), T(a.Beta2)
	step := T(a.LR / (1 - math.Pow(a.Beta1, float64(a.t))))
	invSqrtBC2 := T(1 / math.Sqrt(1-math.Pow(a.Beta2, float64(a.t))))
	eps := T(a.Eps)
	update := func(value, grad, m, v []T) {
		value, m, v = value[:len(grad)], m[:len(grad)], v[:len(grad)]
		for j, g := range grad {
			mj := b1*m[j] + (1-b1)*g
			vj := b2*v[j] + (1-b2)*g*g
			m[j], v[j] = mj, vj
			value[j] -= step * mj / (T(math.Sqrt(float64(vj)))*invSqrtBC2 + eps)
		}
	}
	const chunk = 1 << 16
	var wg sync.WaitGroup
	work := make(chan [4][]T)
	threads := a.Threads
	if threads < 1 {
		threads = linalg.Threads()
	}
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range work {
				update(w[0], w[1], w[2], w[3])
			}
		}()
	}
	for i, p := range ps {
		n := len(p.Value)
		m, v, g := a.m[i][:n], a.v[i][:n], p.Grad[:n]
		for lo := 0; lo < n; lo += chunk {
			hi := min(lo+chunk, n)
			work <- [4][]T{p.Value[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi]}
		}
	}
	close(work)
	wg.Wait()
}

// StepFlops returns the matrix-product flops of one training step on a
// batch of b samples (Train's forward and backward passes; the first
// parametrised layer's input gradient is not formed): for a dense layer 2*b*In*Out per
// product, for a convolution 2*b*H*W*9*Cin*Cout, with one product forward
// and one or two backward. ReLU, pooling, the loss and Adam are not
// counted.
func (n *Net[T]) StepFlops(b int) float64 {
	var f float64
	for i, l := range n.Layers {
		var one float64
		switch l := l.(type) {
		case *Dense[T]:
			one = 2 * float64(b) * float64(l.In) * float64(l.Out)
		case *Conv3x3[T]:
			one = 2 * float64(b) * float64(l.H*l.W) * float64(9*l.Cin) * float64(l.Cout)
		}
		products := 3.0
		if i <= n.firstParams() {
			products = 2
		}
		f += products * one
	}
	return f
}
