#!/usr/bin/env python3
"""Paired OpenBLAS / spurious benchmark: the figures of README's performance table.

For each case and thread count (1 and 2) it alternates OpenBLAS (numpy/scipy,
through ../shared/tools/openblas_bench.py) and `spurious bench` PAIRS times and
prints both libraries' median GFLOP/s and the median and range of the per-pair
ratio ours / OpenBLAS, then the same as Markdown table rows. Alternating keeps
both sides under the same machine load on a shared VM. With --rf it pairs the
paper-size RF trial (`spurious bench rf`, float64 and float32) with the numpy
reference tools/rf_numpy.py instead, in seconds (ratio = numpy / ours, so
above 1 means we are faster).

usage: python3 tools/paired_bench.py [PAIRS] [SPURIOUS_BINARY] [OPENBLAS_BENCH]
         [--cases SUBSTR,...] [--threads 1,2] [--rf]
  defaults: 5, ./spurious (build it with `go build ./cmd/spurious`),
  ../shared/tools/openblas_bench.py; run from the repository root. OpenBLAS
  runs under /usr/bin/python3 (Debian's python3-numpy and python3-scipy). On
  a CPU with AVX-512, OpenBLAS 0.3.21 does not know recent Intel models and
  silently runs its generic kernels: the script names its SkylakeX kernels
  (OPENBLAS_CORETYPE=SkylakeX) unless the variable is already set.
"""
import subprocess, json, re, sys, os, statistics

argv = [a for a in sys.argv[1:]]
def option(name, default):
    if name in argv:
        i = argv.index(name); v = argv[i + 1]; del argv[i:i + 2]; return v
    return default
only = [s for s in option("--cases", "").split(",") if s]
threads = [int(t) for t in option("--threads", "1,2").split(",")]
rf = "--rf" in argv
if rf:
    argv.remove("--rf")
pairs = int(argv[0]) if len(argv) > 0 else 5
binary = argv[1] if len(argv) > 1 else "./spurious"
obbench = os.path.abspath(argv[2] if len(argv) > 2 else "../shared/tools/openblas_bench.py")
here = os.path.dirname(os.path.abspath(__file__))

env = dict(os.environ)
flags = open("/proc/cpuinfo").read()
if "OPENBLAS_CORETYPE" not in env and " avx512f" in flags:
    env["OPENBLAS_CORETYPE"] = "SkylakeX"
cpu = re.search(r"model name\s*:\s*(.*)", flags).group(1)
model = re.search(r"^model\s*:\s*(\d+)", flags, re.M).group(1)

cases = [
 ("DGEMM 256",  "ob.gemm_case(np.float64,256,256,256)", "gemm --n 256"),
 ("DGEMM 1024", "ob.gemm_case(np.float64,1024,1024,1024)", "gemm --n 1024"),
 ("DGEMM 4096", "ob.gemm_case(np.float64,4096,4096,4096)", "gemm --n 4096 --reps 3"),
 ("SGEMM 2048", "ob.gemm_case(np.float32,2048,2048,2048)", "gemm --n 2048 --precision f32"),
 ("SGEMM 4096", "ob.gemm_case(np.float32,4096,4096,4096)", "gemm --n 4096 --precision f32 --reps 3"),
 ("DGEMM 1000x16384x1000", "ob.gemm_case(np.float64,1000,16384,1000)", "gemm --m 1000 --n 16384 --k 1000 --reps 3"),
 ("DGEMM 1000x1000x16384", "ob.gemm_case(np.float64,1000,1000,16384)", "gemm --m 1000 --n 1000 --k 16384 --reps 3"),
 ("DSYRK 1000 k=1e5", "ob.syrk_case(np.float64,1000,100000)", "syrk --n 1000 --k 100000 --reps 3"),
 ("DPOTRF 1000", "ob.potrf_case(1000)", "potrf --n 1000"),
 ("DPOTRF 2000", "ob.potrf_case(2000)", "potrf --n 2000"),
 ("DPOTRF 4000", "ob.potrf_case(4000)", "potrf --n 4000 --reps 3"),
 ("DTRSM 1000x16384", "ob.trsm_case(1000,16384)", "trsm --m 1000 --nrhs 16384 --reps 3"),
]
pre = "import importlib.util, numpy as np\nspec = importlib.util.spec_from_file_location('ob', %r)\nob = importlib.util.module_from_spec(spec); spec.loader.exec_module(ob)\n" % obbench

def run_ob(code, t):
    e = dict(env, OPENBLAS_NUM_THREADS=str(t))
    out = subprocess.run(["/usr/bin/python3", "-c", pre + code], capture_output=True, text=True, env=e).stdout
    return float(re.findall(r'\s(\d+\.\d+)\s+\(min', out)[-1])

def run_ours(args, t):
    out = subprocess.run([binary, "bench"] + args.split() + ["--threads", str(t), "--json"], capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])

rows = []
print(f"CPU: {cpu} (model {model}); OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '(auto)')}; {pairs} pairs per case", flush=True)
if rf:
    for prec in ("f64", "f32"):
        o, u = [], []
        for _ in range(pairs):
            e = dict(env, OPENBLAS_NUM_THREADS="2")
            np_args = ["/usr/bin/python3", os.path.join(here, "rf_numpy.py"), "--json", "--reps", "1"] + (["--f32"] if prec == "f32" else [])
            o.append(json.loads(subprocess.run(np_args, capture_output=True, text=True, env=e).stdout.strip().splitlines()[-1])["seconds"])
            r = run_ours(f"rf --reps 1 --precision {prec}", 2)
            u.append(r["seconds"])
        ratio = [a / b for a, b in zip(o, u)]
        bound = r.get("bound_seconds")
        line = f"RF trial {prec} 2T: ours {statistics.median(u):.2f} s, numpy {statistics.median(o):.2f} s, numpy/ours med {statistics.median(ratio):.2f} range {min(ratio):.2f}-{max(ratio):.2f}"
        if bound:
            line += f"; flop bound {bound:.2f} s (ours / bound {statistics.median(u) / bound:.2f})"
        print(line, flush=True)
    sys.exit(0)
for t in threads:
    for name, code, args in cases:
        if only and not any(s in name for s in only):
            continue
        o, u = [], []
        for _ in range(pairs):
            o.append(run_ob(code, t)); u.append(run_ours(args, t)["gflops"])
        r = [a / b for a, b in zip(u, o)]
        print(f"{t}T {name:24s} ours {statistics.median(u):6.1f} OB {statistics.median(o):6.1f} ratio med {statistics.median(r):.2f} range {min(r):.2f}-{max(r):.2f}", flush=True)
        rows.append(f"| {name} | {t} | {statistics.median(u):.1f} / {statistics.median(o):.1f} | {statistics.median(r):.2f} ({min(r):.2f}-{max(r):.2f}) |")
print("\n| case | threads | GFLOP/s ours / OpenBLAS (medians) | ratio, median (range) |\n|---|---|---|---|")
print("\n".join(rows))
