package nn

import (
	"math"

	"github.com/spurious-ml/spurious/linalg"
)

// Loss turns a batch of network outputs and their labels into a scalar
// loss, its gradient with respect to the outputs, and a correctness count.
type Loss[T linalg.Float] interface {
	// Eval returns the loss averaged over the b rows of out and writes
	// dL/dout into grad (b x out.Cols); labels has b entries.
	Eval(out linalg.Matrix[T], labels []int, grad linalg.Matrix[T]) float64
	// Correct reports whether one output row predicts label.
	Correct(row []T, label int) bool
}

// SoftmaxCE is the cross-entropy of the softmax of the outputs (logits)
// against class labels 0..C-1, averaged over the batch (PyTorch's
// nn.CrossEntropyLoss). A prediction is the argmax of the logits.
type SoftmaxCE[T linalg.Float] struct{}

// Eval computes mean(-log softmax(out_i)[label_i]) in float64 with the
// log-sum-exp shift, and grad = (softmax(out_i) - onehot(label_i)) / b.
// Cost: O(b*C) with C exponentials per row.
func (SoftmaxCE[T]) Eval(out linalg.Matrix[T], labels []int, grad linalg.Matrix[T]) float64 {
	if len(labels) != out.Rows || grad.Rows != out.Rows || grad.Cols != out.Cols {
		panic(errLabels)
	}
	inv := 1 / float64(out.Rows)
	var total float64
	for i, lab := range labels {
		z, g := out.Row(i), grad.Row(i)
		zmax := math.Inf(-1)
		for _, v := range z {
			zmax = max(zmax, float64(v))
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v) - zmax)
		}
		lse := zmax + math.Log(sum)
		total += lse - float64(z[lab])
		for j, v := range z {
			p := math.Exp(float64(v) - lse)
			if j == lab {
				p--
			}
			g[j] = T(p * inv)
		}
	}
	return total * inv
}

// Correct reports whether label is the first index of the largest logit.
func (SoftmaxCE[T]) Correct(row []T, label int) bool {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best == label
}

// MSE is the squared error of a single output against a target label
// -1 or +1, averaged over the batch (PyTorch's nn.MSELoss on b x 1
// tensors). A prediction is correct when output*label > 0 (an output of
// exactly 0 is wrong), the paper's sign accuracy.
type MSE[T linalg.Float] struct{}

// Eval computes mean((out_i - label_i)^2) and grad = 2(out_i - label_i)/b.
// Cost: O(b).
func (MSE[T]) Eval(out linalg.Matrix[T], labels []int, grad linalg.Matrix[T]) float64 {
	if len(labels) != out.Rows || out.Cols != 1 || grad.Rows != out.Rows || grad.Cols != 1 {
		panic(errLabels)
	}
	inv := 1 / float64(out.Rows)
	var total float64
	for i, lab := range labels {
		e := float64(out.At(i, 0)) - float64(lab)
		total += e * e
		grad.Set(i, 0, T(2*e*inv))
	}
	return total * inv
}

// Correct reports whether row[0]*label > 0.
func (MSE[T]) Correct(row []T, label int) bool {
	return float64(row[0])*float64(label) > 0
}
