#!/usr/bin/env python3
"""Paired OpenBLAS / spurious benchmark: the figures of README's performance table.

For each case and thread count (1 and 2) it alternates OpenBLAS (numpy/scipy,
through ../shared/tools/openblas_bench.py) and `spurious bench` PAIRS times and
prints both libraries' median GFLOP/s and the median and range of the per-pair
ratio ours / OpenBLAS. Alternating keeps both sides under the same machine load
on a shared VM.

usage: python3 tools/paired_bench.py [PAIRS] [SPURIOUS_BINARY] [OPENBLAS_BENCH]
  defaults: 3, ./spurious (build it with `go build ./cmd/spurious`),
  ../shared/tools/openblas_bench.py; run from the repository root. OpenBLAS
  runs under /usr/bin/python3 (Debian's python3-numpy and python3-scipy).
"""
import subprocess, json, re, sys, os, statistics
pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
binary = sys.argv[2] if len(sys.argv) > 2 else "./spurious"
obbench = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else "../shared/tools/openblas_bench.py")
cases = [
 ("DGEMM 256",  "ob.gemm_case(np.float64,256,256,256)", "gemm --n 256 --reps 9"),
 ("DGEMM 1024", "ob.gemm_case(np.float64,1024,1024,1024)", "gemm --n 1024 --reps 5"),
 ("DGEMM 4096", "ob.gemm_case(np.float64,4096,4096,4096)", "gemm --n 4096 --reps 3"),
 ("SGEMM 4096", "ob.gemm_case(np.float32,4096,4096,4096)", "gemm --n 4096 --precision f32 --reps 3"),
 ("DGEMM 1000x16384x1000", "ob.gemm_case(np.float64,1000,16384,1000)", "gemm --m 1000 --n 16384 --k 1000 --reps 3"),
 ("DGEMM 1000x1000x16384", "ob.gemm_case(np.float64,1000,1000,16384)", "gemm --m 1000 --n 1000 --k 16384 --reps 3"),
 ("DSYRK 1000 k=1e5", "ob.syrk_case(np.float64,1000,100000)", "syrk --n 1000 --k 100000 --reps 3"),
 ("DPOTRF 1000", "ob.potrf_case(1000)", "potrf --n 1000 --reps 9"),
 ("DPOTRF 2000", "ob.potrf_case(2000)", "potrf --n 2000 --reps 5"),
 ("DPOTRF 4000", "ob.potrf_case(4000)", "potrf --n 4000 --reps 3"),
 ("DTRSM 1000x16384", "ob.trsm_case(1000,16384)", "trsm --m 1000 --nrhs 16384 --reps 3"),
]
pre = "import importlib.util, numpy as np\nspec = importlib.util.spec_from_file_location('ob', %r)\nob = importlib.util.module_from_spec(spec); spec.loader.exec_module(ob)\n" % obbench
def run_ob(code, t):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t))
    out = subprocess.run(["/usr/bin/python3", "-c", pre + code], capture_output=True, text=True, env=env).stdout
    m = re.findall(r'\s(\d+\.\d+)\s+\(min', out)
    return float(m[-1])
def run_ours(args, t):
    out = subprocess.run([binary, "bench"] + args.split() + ["--threads", str(t), "--json"], capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["gflops"]
for t in (1, 2):
    for name, code, args in cases:
        o, u = [], []
        for _ in range(pairs):
            o.append(run_ob(code, t)); u.append(run_ours(args, t))
        r = [a / b for a, b in zip(u, o)]
        print(f"{t}T {name:24s} ours {statistics.median(u):6.1f} OB {statistics.median(o):6.1f} ratio med {statistics.median(r):.2f} range {min(r):.2f}-{max(r):.2f}", flush=True)
