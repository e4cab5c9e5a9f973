#!/usr/bin/env python3
"""numpy + OpenBLAS reference for `spurious bench rf`: the same streamed
kernel-form random-features trial, timed the same way.

What it computes (the math of package rf and memorize.Solve, see
shared/design.md section 2): synthetic inputs Z (N x d), spurious queries Zs
(the core columns [0, dx) replaced, the spurious columns [dx, d) kept) and
test inputs Zt (Nt x d); then, streaming over blocks of B rows of the k x d
weight matrix V (i.i.d. N(0, 1/d), drawn block by block), the projections
P = phi2(X V_b^T) of all N + N + Nt inputs (the spurious columns of Z and
Zs projected once, as `spurious` does), K += P_Z P_Z^T / k (DSYRK, one
triangle) and C += P_Q P_Z^T / k (DGEMM); finally one Cholesky of K, its
inverse, a = K^-1 g, the predictions and the per-sample feature alignment
F_i = (Ks K^-1)_ii and stability S_i = a_i / (K^-1)_ii.

Flop count (the same as `spurious bench rf`): the GEMM/SYRK flops of the
projections (minus the shared columns), of K and of C, plus N^3 for the
Cholesky and the inverse. It prints the seconds of each of --reps runs (after
one warm-up at a smaller width unless --no-warmup), their median, GFLOP/s and
peak resident memory, as JSON with --json.

usage: OPENBLAS_NUM_THREADS=2 /usr/bin/python3 tools/rf_numpy.py [--k 100000]
       [--d 1000] [--n 1000] [--block 1024] [--reps 3] [--f32] [--json]
On a CPU with AVX-512 it names OpenBLAS's SkylakeX kernels (0.3.21 does not
know recent Intel models and would run its generic kernels), as
shared/tools/openblas_bench.py does.
"""
import argparse, json, os, resource, sys, time

if "OPENBLAS_CORETYPE" not in os.environ:
    try:
        flags = open("/proc/cpuinfo").read().split()
    except OSError:
        flags = []
    if "avx512f" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
        os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np
import scipy.linalg as sl
import scipy.linalg.blas as blas

ap = argparse.ArgumentParser()
ap.add_argument("--k", type=int, default=100000)
ap.add_argument("--d", type=int, default=1000)
ap.add_argument("--n", type=int, default=1000)
ap.add_argument("--block", type=int, default=1024)
ap.add_argument("--reps", type=int, default=3)
ap.add_argument("--f32", action="store_true", help="feature blocks in float32, accumulation in float64")
ap.add_argument("--no-warmup", action="store_true")
ap.add_argument("--json", action="store_true")
args = ap.parse_args()

SQ2 = np.sqrt(2.0)


def phi2(x):
    # h1 + h2 = x + (x^2 - 1)/sqrt(2), in place
    t = x * x
    t -= 1
    t /= SQ2
    x += t
    return x


def trial(n, d, k, block, dt, rng):
    dx = d // 2  # alpha = 1/2: core columns [0, dx), spurious [dx, d)
    z = rng.standard_normal((n, d))
    zs = z.copy()
    zs[:, :dx] = rng.standard_normal((n, dx))
    zt = rng.standard_normal((n, d))
    g = np.sign(rng.standard_normal(n))
    gt = np.sign(rng.standard_normal(n))
    xz, xs, xt = z.astype(dt), np.ascontiguousarray(zs[:, :dx]).astype(dt), zt.astype(dt)
    kmat = np.zeros((n, n), order="F")
    cmat = np.zeros((2 * n, n))
    syrk = blas.dsyrk if dt == np.float64 else blas.ssyrk
    wr = np.random.default_rng(7)
    for f0 in range(0, k, block):
        bb = min(block, k - f0)
        v = (wr.standard_normal((bb, d)) / np.sqrt(d)).astype(dt)
        core = xz[:, :dx] @ v[:, :dx].T                # N x bb
        shared = xz[:, dx:] @ v[:, dx:].T              # spurious columns, shared by Z and Zs
        pz = core + shared
        ps = xs @ v[:, :dx].T + shared
        pt = xt @ v.T
        phi2(pz); phi2(ps); phi2(pt)
        # K += Pz Pz^T / k, lower triangle: pz.T is Pz^T in Fortran layout (no
        # copy), and syrk with trans=1 computes (Pz^T)^T Pz^T.
        if dt == np.float64:
            kmat = syrk(1.0 / k, pz.T, beta=1.0, c=kmat, trans=1, lower=1, overwrite_c=1)
        else:
            kmat += syrk(1.0 / k, pz.T, trans=1, lower=1)
        cmat[:n] += (ps @ pz.T) / k
        cmat[n:] += (pt @ pz.T) / k
    kmat = np.tril(kmat) + np.tril(kmat, -1).T
    cf = sl.cho_factor(kmat, lower=True, overwrite_a=True, check_finite=False)
    kinv = sl.cho_solve(cf, np.eye(n), overwrite_b=True, check_finite=False)
    a = kinv @ g
    ks, kt = cmat[:n], cmat[n:]
    f = np.einsum("ij,ij->i", ks, kinv)  # F_i = sum_j Ks_ij (K^-1)_ij (K^-1 symmetric)
    s = a / np.diag(kinv)
    test_acc = np.mean(np.sign(kt @ a) == gt)
    return float(np.mean(f)), float(np.mean(s)), float(test_acc)


def flops(n, d, k):
    q = 2 * n
    dx = d // 2
    proj = 2.0 * (n + q) * d * k - 2.0 * n * (d - dx) * k   # shared columns of Zs projected once
    return proj + n * (n + 1.0) * k + 2.0 * q * n * k + n ** 3


dt = np.float32 if args.f32 else np.float64
rng = np.random.default_rng(1)
if not args.no_warmup:
    trial(args.n, args.d, min(args.k, 4 * args.block), args.block, dt, rng)
times = []
for _ in range(args.reps):
    t0 = time.perf_counter()
    res = trial(args.n, args.d, args.k, args.block, dt, rng)
    times.append(time.perf_counter() - t0)
times.sort()
med = times[len(times) // 2]
fl = flops(args.n, args.d, args.k)
out = {"op": "rf-numpy", "n": args.n, "d": args.d, "k": args.k, "block": args.block,
       "precision": "f32" if args.f32 else "f64", "seconds": med, "all_seconds": times,
       "gflops": fl / med / 1e9, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
       "threads": os.environ.get("OPENBLAS_NUM_THREADS", ""), "mean_F": res[0]}
if args.json:
    print(json.dumps(out))
else:
    print("rf-numpy n=%d d=%d k=%d %s: %.2f s (runs %s), %.1f GFLOP/s, %.0f MB resident" % (
        args.n, args.d, args.k, out["precision"], med, " ".join("%.2f" % t for t in times), out["gflops"], out["max_rss_mb"]))
