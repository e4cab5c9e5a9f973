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
//   - Conv3x3: 3x3 convolution, stride 1, zero padding 1, on CHW
//     (channels-first) samples as PyTorch's, computed directly on the
//     register-tile micro-kernel of package asm (below); with Pool set it
//     is followed by 2x2 max-pooling and a ReLU in the same pass;
//   - MaxPool2: 2x2 max-pooling with stride 2 (optionally followed by a
//     ReLU), on CHW samples;
//   - ChannelsFirst: the HWC -> CHW permutation of multi-channel images.
//
// Losses are SoftmaxCE and MSE, both averaged over the batch as PyTorch's
// defaults. Parameters are initialised as nn.Linear and nn.Conv2d do
// (weights and biases uniform in ±1/sqrt(fan_in), fan_in = inputs per
// output), and Adam updates them exactly as torch.optim.Adam (no weight
// decay) under a step schedule (StepLR).
//
// Every layer runs on the network's linalg.Engine (Net.SetEngine;
// Config.Engine for Run: the instruction set and thread count of the whole
// run). The dense layers' products run on its Gemm. The convolutions' products
// have only 16 or 32 output channels, too thin for Gemm's packing to pay
// off (it cost twice the multiplication), so Conv3x3 calls the asm
// micro-kernel itself: the weights, the wide operand, are packed once per
// pass into A micro-panels, and each block of NR output pixels is unfolded
// (im2col) straight into the layout of a B micro-panel, so a column of
// Cout/MR tiles runs with no packing pass. From 4 or more input channels
// the three taps of each kernel row are split off instead (3*Cout rows of
// weights), so that a B row is one run of a padded image and the shifted
// results are added afterwards. The weight gradient packs the output
// gradient's rows with the tile's packers. With Pool, a sample's
// full-size output and gradient live only in a per-goroutine buffer, never
// in memory for the whole batch. Samples (forward) and groups of samples
// (backward) are handed out a few at a time to the engine's goroutines
// as they become free, so that one goroutine slowed by other
// jobs on its core does not hold up the pass; pooling and Adam's
// element-wise update are split over the same threads. The element type is float32 (as PyTorch
// trains; the kernels are twice as fast) or float64 (used by the gradient
// checks).
//
// # Architectures and data
//
// NewFC builds d -> 500 -> 200 -> C and NewCNN the paper's SmallConvNet
// conv(16)-pool-conv(32)-pool-fc(256)-fc(C). The data package produces HWC
// images; the CNN permutes multi-channel ones to CHW first (ChannelsFirst),
// so its weights and flatten order (channel, y, x) are PyTorch's.
//
// LoadSynthetic wraps data.Synthetic (one output, MSE). LoadImages and
// ImageTask wrap data.MultiClassTrial: the noise-border trial on all
// classes, one output per class (softmax cross-entropy).
//
// # Determinism
//
// Initialisation and shuffling draw from PCG streams derived from the seed
// (data.NewStream), Gemm sums in a fixed order for any number of threads,
// a convolution's output pixel is one kernel call over all its taps, its
// weight gradient is summed over fixed groups of 16 samples that are then
// added in order, Adam updates each value on its own and every other
// reduction is serial, so a run is reproducible bit for bit for a given
// seed, precision and instruction set, whatever the number of threads.
//
// # Cost
//
// A training step costs about three times the forward flops (Net.StepFlops
// counts them): the forward pass is 2*(d*500 + 500*200 + 200*C) flops per
// sample for FC (2.5 Mflop for MNIST) and 8.3 Mflop per 48x48 sample for
// the CNN, most of it in the second convolution. FC on MNIST trains 4000
// to 5000 samples per second on 2 shared cores (AVX2 float32; one
// 1000-epoch point at N = 1000: 212 s).
//
// The CNN's step on a batch of 1024 (24.9 Gflop) was measured side by side
// with PyTorch 1.13 on the CPU (Debian's python3-torch, the same net, Adam
// and float32, torch.set_num_threads(T)) by tools/torch_cnn.py --pair,
// which alternates `spurious bench nn-cnn --precision f32` and PyTorch,
// five pairs per series, on a 2-core AVX-512 Xeon shared with other jobs
// (2026-12-06, load average 3 to 10). Ours/PyTorch with the code as it is,
// median (range) of the pairs, and samples per second:
//
//	1 thread:  2.6x (1.61-3.30x), 1270-2090 against 610-790 (load ~4)
//	2 threads: 3.1x (1.83-4.71x), 1210-2070 against 440-660 (load ~4)
//
// Earlier series, at intermediate stages of this work: on 1 thread,
// medians 2.45x to 2.6x (3 series, pairs 2.08-3.83x); on 2 threads,
// medians 2.3x to 4.2x (6 series, pairs 1.56-8.77x; the quietest pair
// 3830 against 1320 samples/s, 2.9x), and 0.93x (0.80-2.97x) in a first
// series before the pooling was fused into the convolutions. Neither side
// gains much from the second thread on this host (its two vCPUs are shared
// with the other jobs, which run AVX-512 benchmarks): both are often
// slower on 2 threads than on 1, and a pair's two halves can meet
// different loads, hence the spread. With im2col and Gemm this step ran at
// 0.52-0.70x PyTorch's. Of the step's CPU time, the micro-kernel now takes
// about 30%, unfolding the inputs and combining the row taps about 25%,
// and pooling and its adjoint about 20%.
package nn
