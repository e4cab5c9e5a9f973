// Package sweep runs grids of independent trials that survive kills and
// scale out through job schedulers.
//
// A [Spec] lists the axes of a grid (model, activation, dataset, alpha, N,
// k, d, Nt, ridge, training epochs, repetitions and extra parameters such
// as the instruction set). [Spec.Trials] expands it into [Trial]s. Each trial has a stable key, a hash of its
// canonical parameters ([Params.Key]), and a seed derived only from the
// global seed and that key ([DeriveSeed]); so a trial's numbers do not
// depend on which machine, shard or worker runs it, nor on the order.
//
// [Run] executes the trials of one [Shard] through an injected [Runner] and
// appends one JSON line per finished trial to a results file, flushed and
// fsynced, so a killed sweep loses at most the trials in flight. Restarting
// the same command skips the trials already in the file and repairs a last
// line truncated by a kill. Shards i/n partition the trials exactly (by key
// hash), so Slurm job arrays and Kubernetes Indexed Jobs are the
// distributed engines; [Merge] unions the shard files and reports trials
// that are missing.
//
// [RunTrial] is the Runner of the project's trials: kernel models through
// package trial ([Trial.KernelSpec]) and trained networks through package
// nn ([Trial.NetworkConfig]), each on the instruction set and thread count
// its extra parameters name, so trials with different settings run side by
// side.
//
// [Group] and [Summarize] turn the records into means with 95% Student-t
// confidence intervals over repetitions.
package sweep
