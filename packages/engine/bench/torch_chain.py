"""PyTorch one-file version of the natural-patches(-clone) IMP chain, for bench-chain.ts.

Same data (the dataset artifact's arrays, normalised, exported by bench-chain.ts as raw float32/int32
files), same net (spec §1.1: BN on every linear layer's input, W*M masked linear, ReLU, softmax CE),
plain SGD lr 0.1 batch 100, 3000 steps per level, eval every 250 steps on val and a 2000-image
train subset (BN running stats), late rewinding to step 100 of level 0, layer-wise magnitude pruning
keeping round(N_l * 0.7^k) of each layer's weights+biases, levels 0..14, S^sc of layer 1 per level
(spec §4(c), autocorrelation of each node's mask image, notebook's Σ deg² ≤ 1e7 stop rule).
Usage: python3 torch_chain.py <data dir> <threads>. Prints JSON last: total_s and per-level step ms.
"""
import json
import sys
import time

import numpy as np
import torch


def main():
    d, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    meta = json.load(open(f"{d}/meta.json"))
    D, C = meta["dim"], meta["classes"]
    H, W = meta["height"], meta["width"]
    xtr = torch.from_numpy(np.fromfile(f"{d}/train_x.f32", dtype=np.float32).reshape(-1, D))
    ytr = torch.from_numpy(np.fromfile(f"{d}/train_y.i32", dtype=np.int32).astype(np.int64))
    xva = torch.from_numpy(np.fromfile(f"{d}/val_x.f32", dtype=np.float32).reshape(-1, D))
    yva = torch.from_numpy(np.fromfile(f"{d}/val_y.i32", dtype=np.int32).astype(np.int64))
    sizes = [D, 300, 100, C]
    steps, B, levels, rewind_step, eval_every = 3000, 100, 14, 100, 250
    gen = torch.Generator().manual_seed(0)
    t_start = time.perf_counter()

    def init():
        ps = []
        for i, o in zip(sizes[:-1], sizes[1:]):
            w = torch.randn(i, o, generator=gen) * (2.0 / (i + o)) ** 0.5
            ps.append(dict(w=w, b=torch.zeros(o), g=torch.ones(i), be=torch.zeros(i), m=torch.zeros(i), v=torch.ones(i)))
        return ps

    def clone(ps):
        return [{k: t.clone() for k, t in p.items()} for p in ps]

    def forward_train(ps, masks, x):
        h = x
        for k, (p, (mw, mb)) in enumerate(zip(ps, masks)):
            mean = h.mean(0)
            var = h.var(0, unbiased=False)
            with torch.no_grad():
                p["m"].mul_(0.99).add_(mean.detach(), alpha=0.01)
                p["v"].mul_(0.99).add_(var.detach(), alpha=0.01)
            y = (h - mean) / torch.sqrt(var + 1e-10) * p["g"] + p["be"]
            h = y @ (p["w"] * mw) + p["b"] * mb
            if k + 1 < len(ps):
                h = torch.relu(h)
        return h

    @torch.no_grad()
    def evaluate(ps, masks, x, y):
        h = x
        for k, (p, (mw, mb)) in enumerate(zip(ps, masks)):
            h = (h - p["m"]) / torch.sqrt(p["v"] + 1e-10) * p["g"] + p["be"]
            h = h @ (p["w"] * mw) + p["b"] * mb
            if k + 1 < len(ps):
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, y).item()
        top5 = h.topk(5, 1).indices
        return loss, (top5[:, 0] == y).float().mean().item(), (top5 == y[:, None]).any(1).float().mean().item()

    def s_sc(mw):
        m = (mw != 0).float().T.reshape(-1, H, W)  # node j's connected inputs as an image
        S = torch.zeros(2 * H - 1, 2 * W - 1)
        tot = 0
        for j in range(m.shape[0]):
            deg = int(m[j].sum())
            if deg < 2:
                continue
            if tot + deg * deg > 1e7:
                break
            tot += deg * deg
            f = torch.fft.rfft2(m[j], s=(2 * H, 2 * W))
            ac = torch.fft.irfft2(f * f.conj(), s=(2 * H, 2 * W)).round()
            S += torch.roll(ac, (H - 1, W - 1), (0, 1))[: 2 * H - 1, : 2 * W - 1]
        S[H - 1, W - 1] = 0
        return S

    masks = [(torch.ones(i, o), torch.ones(o)) for i, o in zip(sizes[:-1], sizes[1:])]
    start = init()
    rewind = None
    step_ms, ssc_max = [], []
    for level in range(levels + 1):
        ps = clone(start if level == 0 else rewind)
        for p, (mw, mb) in zip(ps, masks):
            p["w"].mul_(mw)
            p["b"].mul_(mb)
        for p in ps:
            for k in ("w", "b", "g", "be"):
                p[k].requires_grad_(True)
        params = [p[k] for p in ps for k in ("w", "b", "g", "be")]
        opt = torch.optim.SGD(params, lr=0.1)
        times = []
        for step in range(steps):
            idx = torch.randint(0, xtr.shape[0], (B,), generator=gen)
            if step % eval_every == 0:
                evaluate(ps, masks, xtr[:2000], ytr[:2000])
                evaluate(ps, masks, xva, yva)
            if level == 0 and step == rewind_step:
                rewind = [{k: t.detach().clone() for k, t in p.items()} for p in ps]
            t = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(forward_train(ps, masks, xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t)
        evaluate(ps, masks, xva, yva)
        step_ms.append(1000 * float(np.median(times)))
        ssc_max.append(float(s_sc(masks[0][0]).max()))
        if level == levels:
            break
        density = 0.7 ** (level + 1)
        new = []
        for p, (mw, mb) in zip(ps, masks):
            mag = torch.cat([(p["w"].detach().abs() * mw).flatten(), (p["b"].detach().abs() * mb)])
            alive = torch.cat([mw.flatten(), mb])
            mag[alive == 0] = -1.0
            keep = int(round(mag.numel() * density))
            m = torch.zeros_like(mag)
            m[torch.argsort(mag, descending=True, stable=True)[:keep]] = 1.0
            new.append((m[: mw.numel()].reshape(mw.shape), m[mw.numel():]))
        masks = new
    print(json.dumps({"threads": threads, "total_s": time.perf_counter() - t_start, "step_ms": step_ms,
                      "ssc_max": ssc_max}))


if __name__ == "__main__":
    main()
