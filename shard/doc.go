// Package shard splits one rf or ntk trial across machines by its
// features: shard I of S computes the part of the Gram matrices that the
// feature rows [I*K/S, (I+1)*K/S) contribute (rows of the weight matrix V
// for rf, hidden units for ntk) and writes it to a folder (RunPartial);
// Reduce sums the S partials and runs the solve and the measures of
// trial.Run on the sums, returning the same record. It is what `spurious
// run --feature-shard` and `spurious reduce` execute.
//
// # The feature stream
//
// Weight row r is drawn from its own stream seeded by (seed, r)
// (rf.WeightRows), so a shard draws exactly the rows of the unsharded run
// and nothing else, and every Gram is a sum over rows: rf's
// Phi Phi^T / K and ntk's (Z Z^T) .* (D D^T) / K (the Hadamard product
// distributes over the sum; each ntk shard computes Z Z^T again, n(n+1)d +
// 2qnd flops, negligible once K is well above d).
//
// # Summation order and the error of a reduce
//
// A shard adds its blocks of Block feature rows, starting at its first
// row, into one float64 accumulator (rf.GramRange, ntk.GramRange), as the
// unsharded run does from row 0. Reduce sums the partials in float64 in
// shard order: the result is shard 0's matrix, plus shard 1's, plus
// shard 2's, and so on, element by element. So:
//
//   - one shard (S = 1) reproduces the unsharded Grams and record bit for
//     bit (float64 blocks);
//   - the same partials always reduce to the same bits, whatever the
//     thread counts;
//   - for S > 1 the same K per-feature terms are added in another
//     association, and each entry differs from the unsharded one by at
//     most 2*gamma_{K+S+3} * sum_f |phi_f(x) phi_f(z)| / K with
//     gamma_n = n*u/(1-n*u), u = 2^-53 (both orders are within
//     gamma_{K+S+3} of the exact sum). In practice the difference is a few
//     units in the last place.
//
// With --precision f32 the block products are float32 (as in the
// unsharded run) and the partials are stored as float32, halving the I/O;
// the reduce still sums in float64. The stored rounding adds u32 = 2^-24
// relative per shard, and blocks that start at other rows round
// differently: the bound gains 2*gamma_{Block+2}(u32) + S*u32.
//
// # Files
//
// A partial folder holds k.npy (the lower triangle of the symmetric N x N
// K, row by row: row i holds columns 0..i, a 1-D array of N(N+1)/2
// values), ks.npy (N x N, spurious queries), kt.npy (Nt x N, test set),
// kh.npy (Nh x N, held-out queries), each <f8 or <f4 (f32 blocks), the
// labels g.npy, gt.npy, gh.npy (<f8, one column) and manifest.json,
// written last (a folder without it is an unfinished shard). The manifest
// (Manifest) records the format tag (Format), the normalized trial.Spec
// and its SpecHash (SHA-256 of the spec without the data folder and the
// engine), the SHA-256 of the data (inputs and labels), the shard, its
// rows and K, the precision, Block, the ISA and GEMM blocking (KC, MC,
// NC: they change the last bits), the flops and seconds of the partial,
// and per file its shape, layout, dtype and CRC-32C. The CRC-32C
// (Castagnoli, hardware-accelerated) guards against corruption and
// truncation, not against an adversary, who could rewrite a file and its
// manifest alike; it costs a tenth of SHA-256 on the gigabytes of a large
// trial. Reduce accepts only shards 0..S-1 of one trial, each once, with
// equal ISA and blocking; every NPY header must be exactly the one
// written, every size and checksum must match. Partials of format
// spurious-feature-shard/1 (SHA-256, a full k.npy) are refused: rerun the
// shards.
//
// K is exactly symmetric (rf and ntk mirror their lower triangle), so
// Reduce sums the triangles and mirrors the sum once at the end: every
// entry is the same sum as with full matrices, bit for bit.
//
// # Memory
//
// RunPartial needs the data plus the model's Gram workspace for its rows
// (rf.Bytes, ntk.Bytes) and a 4 MiB write buffer; Reduce needs the summed
// Grams ((2N+Nt+Nh) x N float64), a read block of at most 8 MiB (4 MiB
// of float64 values, and their bytes when they need a conversion) and the
// solve (memorize.Bytes). Both check the estimate against the memory the
// process may use before allocating and return an *memory.Error naming
// what to reduce.
package shard
