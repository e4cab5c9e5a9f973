// Package trial runs one memorization trial as a typed library call: data,
// held-out queries, the Gram matrices of a feature model, the kernel
// regression solve and the per-sample memorization measures, with the
// theory's prediction next to them. It is what `spurious run` executes.
//
// A Spec says what to run (Default gives the command's defaults); Run
// validates it (errors are *FieldError values naming the Spec field),
// loads the data, computes the Grams on the engine settings of the spec
// (linalg.Settings: the instruction set and thread count travel with the
// trial, so trials with different settings can run side by side) and
// returns a *Result. Result's JSON form is the record `spurious run --json`
// prints and a sweep appends, field for field.
//
// Run is LoadData, the Grams and Solve. FeatureGrams computes the part of
// an rf or ntk trial's Grams that a range of its feature rows contributes
// and Solve finishes a trial from given Grams: package shard splits one
// trial across machines with them.
//
// # Seeds
//
// Spec.Seed alone determines every random draw of a trial:
//
//   - the data: data.Synthetic or the image sampling get Seed itself;
//   - the random weights of rf and ntk: DeriveSeed(Seed, StreamWeights);
//   - the fresh cores of synthetic held-out queries: a PCG generator seeded
//     with (DeriveSeed(Seed, StreamHeldout), 1);
//   - the samples retrained by VerifyLOO: memorize.Options.Seed = Seed.
//
// DeriveSeed is SplitMix64's finalizer of Seed xor stream*golden-ratio, so
// the streams are independent of each other and of the data's, and a Go
// program that runs the same Spec reproduces the command's numbers bit for
// bit on the same instruction set.
package trial
