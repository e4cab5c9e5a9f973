#!/usr/bin/env python3
"""PyTorch reference for `spurious bench nn-cnn`: one training step of the
paper's SmallConvNet on the CPU, and a paired comparison with ours.

The net is nn's NewCNN for 48x48x1 images: conv3x3(1->16, pad 1) - ReLU -
maxpool2 - conv3x3(16->32, pad 1) - ReLU - maxpool2 - flatten (32*12*12) -
linear(256) - ReLU - linear(10), float32, softmax cross-entropy (mean over
the batch), torch.optim.Adam at its defaults (lr 1e-3, betas 0.9/0.999,
eps 1e-8). A step is forward, loss, backward and the Adam update on a batch
of random pixels 0..255 with random labels among 10 classes, as
`spurious bench nn-cnn --precision f32` does. Timing also follows it: one
warm-up step, then REPS samples, each repeating the step until it has run
0.25 s and counting the mean; the median sample is reported.

usage:
  /usr/bin/python3 tools/torch_cnn.py [--threads T] [--batch B] [--reps R]
      prints one JSON object: threads, batch, seconds (median per step),
      samples_per_second, torch version.
  /usr/bin/python3 tools/torch_cnn.py --pair [PAIRS] [--threads 1,2] [--spurious ./spurious]
      for each thread count, alternates ours (`SPURIOUS bench nn-cnn
      --precision f32 --threads T --json`) and torch PAIRS times (default 5),
      and prints per pair both samples/s and the ratio ours/torch, then the
      median and range of the ratios, as JSON lines and a Markdown row.
      Build ours first: `go build -o spurious ./cmd/spurious`.

PyTorch is needed only here (Debian: apt-get install python3-torch, 1.13);
it is never a dependency of the product.
"""
import json, os, statistics, subprocess, sys, time

import torch
import torch.nn as tnn

argv = sys.argv[1:]


def option(name, default):
    if name in argv:
        i = argv.index(name)
        v = argv[i + 1]
        del argv[i:i + 2]
        return v
    return default


class SmallConvNet(tnn.Module):
    def __init__(self, channels=1, classes=10, side=48):
        super().__init__()
        self.features = tnn.Sequential(
            tnn.Conv2d(channels, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2))
        self.head = tnn.Sequential(
            tnn.Flatten(), tnn.Linear(32 * (side // 4) ** 2, 256), tnn.ReLU(), tnn.Linear(256, classes))

    def forward(self, x):
        return self.head(self.features(x))


class Stepper:
    def __init__(self, threads, batch):
        torch.set_num_threads(threads)
        torch.manual_seed(1)
        self.net = SmallConvNet()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.loss = tnn.CrossEntropyLoss()
        self.x = torch.randint(0, 256, (batch, 1, 48, 48)).float()
        self.y = torch.randint(0, 10, (batch,))
        self.batch = batch

    def step(self):
        self.opt.zero_grad()
        self.loss(self.net(self.x), self.y).backward()
        self.opt.step()

    def measure(self, reps, min_time=0.25):
        t0 = time.perf_counter()
        self.step()
        warm = time.perf_counter() - t0
        inner = max(1, int(min_time / warm)) if warm < min_time else 1
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(inner):
                self.step()
            times.append((time.perf_counter() - t0) / inner)
        return statistics.median(times)


def ours(binary, threads, reps):
    out = subprocess.run([binary, "bench", "nn-cnn", "--precision", "f32", "--threads", str(threads),
                          "--reps", str(reps), "--json"], check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return r["seconds"], r


def main():
    batch = int(option("--batch", "1024"))
    reps = int(option("--reps", "5"))
    binary = option("--spurious", "./spurious")
    if "--pair" not in argv:
        threads = int(option("--threads", "2"))
        s = Stepper(threads, batch).measure(reps)
        print(json.dumps({"op": "torch-cnn", "threads": threads, "batch": batch, "seconds": s,
                          "samples_per_second": batch / s, "torch": torch.__version__}))
        return
    argv.remove("--pair")
    threads = [int(t) for t in option("--threads", "1,2").split(",")]
    pairs = int(argv[0]) if argv else 5
    if batch != 1024:
        sys.exit("--pair compares the bench's batch of 1024")
    rows = []
    for th in threads:
        st = Stepper(th, batch)
        ratios, us, them = [], [], []
        for p in range(pairs):
            so, r = ours(binary, th, reps)
            st_s = st.measure(reps)
            us.append(batch / so)
            them.append(batch / st_s)
            ratios.append(st_s / so)
            print(json.dumps({"pair": p + 1, "threads": th, "ours_samples_per_second": round(us[-1], 1),
                              "torch_samples_per_second": round(them[-1], 1), "ratio": round(ratios[-1], 3),
                              "isa": r["isa"]}), flush=True)
        rows.append((th, statistics.median(us), statistics.median(them), statistics.median(ratios),
                     min(ratios), max(ratios)))
    print("| threads | ours samples/s | torch samples/s | ours/torch median | range |")
    print("|---|---|---|---|---|")
    for th, u, t, m, lo, hi in rows:
        print("| %d | %.0f | %.0f | %.2fx | %.2f-%.2fx |" % (th, u, t, m, lo, hi))


if __name__ == "__main__":
    main()
