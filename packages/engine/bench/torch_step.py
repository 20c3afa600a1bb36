"""PyTorch CPU reference for bench-engine.ts: one SGD train step of the
masked FCN (BN -> masked Linear -> ReLU, output BN -> Linear), softmax CE.
Masks are applied as W*M in the forward (gradient then zero at masked
entries), the same formulation as @imp/engine's maskedLinear.
Prints one JSON line per case: {"case", "threads", "step_ms", "cpu_ms" (medians of
wall-clock and process CPU time per step), "steps"}.
"""
import json
import sys
import time

import torch


def make_net(sizes, density, gen):
    layers = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        bn = torch.nn.BatchNorm1d(i)
        lin = torch.nn.Linear(i, o)
        mask = (torch.rand(o, i, generator=gen) < density).float()
        with torch.no_grad():
            lin.weight.mul_(mask)
        layers.append((bn, lin, mask))
    return layers


def forward(layers, x):
    h = x
    for k, (bn, lin, mask) in enumerate(layers):
        h = torch.nn.functional.linear(bn(h), lin.weight * mask, lin.bias)
        if k + 1 < len(layers):
            h = torch.relu(h)
    return h


def run(case, sizes, batch, density, threads, steps, warmup):
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    layers = make_net(sizes, density, gen)
    params = [p for bn, lin, _ in layers for p in (*bn.parameters(), *lin.parameters())]
    opt = torch.optim.SGD(params, lr=0.01)
    x = torch.randn(batch, sizes[0], generator=gen)
    y = torch.randint(0, sizes[-1], (batch,), generator=gen)
    times, cpu = [], []
    for s in range(warmup + steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(forward(layers, x), y)
        loss.backward()
        opt.step()
        float(loss)
        t1 = time.perf_counter()
        c1 = time.process_time()
        if s >= warmup:
            times.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) * 1000)
    print(json.dumps({"case": case, "threads": threads, "step_ms": median(times), "cpu_ms": median(cpu), "steps": steps}), flush=True)


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    for c in spec["cases"]:
        for t in spec["threads"]:
            run(c["name"], c["sizes"], c["batch"], c["density"], t, spec.get("steps", 10), spec.get("warmup", 2))
