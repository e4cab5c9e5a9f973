// Package nn trains the small neural networks of the paper's NN figure
// (§4.4 of the spec) in pure Go: fully connected and convolutional ReLU
// networks, trained with Adam on softmax cross-entropy (10 classes) or on
// the mean squared error (one output, labels -1/+1), and measured by train,
// test and spurious accuracy.
//
// # The stack
//
// A Net is a sequence of Layers acting on batches: a batch is a row-major
// linalg.Matrix with one sample per row. Every layer's Forward keeps what
// its Backward needs, and Backward turns dL/d(output) into the parameter
// gradients and dL/d(input). The layers are
//
//   - Dense: y = x W^T + b, W out x in as in PyTorch's nn.Linear;
//   - ReLU;
//   - Conv3x3: 3x3 convolution, stride 1, zero padding 1, computed as
//     im2col + Gemm on the samples' HWC (channels-last) layout;
//   - MaxPool2: 2x2 max-pooling with stride 2.
//
// Losses are SoftmaxCE and MSE, both averaged over the batch as PyTorch's
// defaults. Parameters are initialised as nn.Linear and nn.Conv2d do
// (weights and biases uniform in ±1/sqrt(fan_in), fan_in = inputs per
// output), and Adam updates them exactly as torch.optim.Adam (no weight
// decay) under a step schedule (StepLR).
//
// Every matrix product, dense or convolutional, runs on the Gemm of the
// network's linalg.Engine (Net.SetEngine; Config.Engine for Run: the
// instruction set and thread count of the whole run); Adam's element-wise
// update is split over the same threads, and the rest (im2col, pooling,
// ReLU) is plain loops.
// The element type is float32 (as PyTorch trains; Gemm is twice as fast) or
// float64 (used by the gradient checks).
//
// # Architectures and data
//
// NewFC builds d -> 500 -> 200 -> C and NewCNN the paper's SmallConvNet
// conv(16)-pool-conv(32)-pool-fc(256)-fc(C). The CNN works on the HWC
// layout the data package produces, so its flatten order is (y, x, channel)
// where PyTorch's is (channel, y, x): a fixed permutation of the fc(256)
// inputs, which changes neither the function class nor the initial
// distribution.
//
// LoadSynthetic wraps data.Synthetic (one output, MSE). LoadImages and
// ImageTask wrap data.MultiClassTrial: the noise-border trial on all
// classes, one output per class (softmax cross-entropy).
//
// # Determinism
//
// Initialisation and shuffling draw from PCG streams derived from the seed
// (data.NewStream), Gemm sums in a fixed order for any number of threads,
// Adam updates each value on its own and every other loop is serial, so a
// run is reproducible bit for bit for a given seed, precision and
// instruction set, whatever the number of threads.
//
// # Cost
//
// A training step costs about three times the forward flops (Net.StepFlops
// counts them): the forward pass is 2*(d*500 + 500*200 + 200*C) flops per
// sample for FC (2.5 Mflop for MNIST) and 8.3 Mflop per 48x48 sample for
// the CNN, most of it in the second convolution. Measured on 2 shared
// cores (AVX2 float32 kernels; the machine was running other jobs, load
// average ~8, so these are lower bounds): FC on MNIST trains 4000 to 5000
// samples per second (one 1000-epoch point at N = 1000: 212 s), the CNN
// 280 to 480. In `spurious bench nn-fc|nn-cnn` a training step reached
// 25% (FC) and 6% (CNN) of the FMA peak measured at the same time. The
// convolutions' products have only 16 or 32 output channels, so packing
// the unfolded input costs as much as the multiplication (the profile
// shows Gemm's packing at twice the micro-kernel's time), and im2col and
// pooling are memory-bound loops.
package nn
