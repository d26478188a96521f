"""Where a training step's GPU time goes: torch.profiler over compiled bf16 steps of a model shape, top kernels by CUDA time.

  python bench/train_profile.py --out bench/results/h100_train_profile_L8d512.json
The kernel table says what to fuse or replace before guessing (see train_variants.py for guesses that did not help).
"""
import argparse, json, time
from pathlib import Path
import torch
from torch.profiler import profile, ProfilerActivity
from robolm.models import CodeLM, ModelConfig

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dim', type=int, default=512); ap.add_argument('--layers', type=int, default=8)
    ap.add_argument('--heads', type=int, default=8); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--seq', type=int, default=1024); ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=5); ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    dev = torch.device('cuda')
    cfg = ModelConfig(vocab_size=a.vocab, dim=a.dim, n_layers=a.layers, n_heads=a.heads, n_kv_heads=a.heads, max_seq_len=a.seq)
    model = CodeLM(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
    fwd = torch.compile(model)
    x = torch.randint(0, a.vocab, (a.batch, a.seq + 1), device=dev)
    def step():
        with torch.autocast('cuda', dtype=torch.bfloat16): loss = fwd(x[:, :-1], targets=x[:, 1:])
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    for _ in range(8): step()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA, ProfilerActivity.CPU]) as prof:
        t0 = time.perf_counter()
        for _ in range(a.steps): step()
        torch.cuda.synchronize(); wall = (time.perf_counter() - t0) / a.steps
    # GPU kernels only: CPU-side ops (aten::*) also carry their kernels' device time, and a Triton kernel shows up
    # both as its launch and as the kernel; keep one entry per kernel name.
    kernels = {}
    for e in prof.key_averages():
        if e.self_device_time_total <= 0 or e.key.startswith(('aten::', 'Command Buffer')): continue
        if e.key not in kernels or e.self_device_time_total > kernels[e.key].self_device_time_total: kernels[e.key] = e
    ev = list(kernels.values())
    total = sum(e.self_device_time_total for e in ev)
    rows = sorted(ev, key=lambda e: -e.self_device_time_total)[:a.top]
    out = {'shape': f'L{a.layers} d{a.dim} V{a.vocab} T{a.seq} B{a.batch}', 'device': torch.cuda.get_device_name(),
           'torch': torch.__version__, 'wall_ms_per_step': round(wall * 1e3, 2),
           'gpu_busy_ms_per_step': round(total / 1e3 / a.steps, 2),
           'kernels': [{'name': e.key[:120], 'ms_per_step': round(e.self_device_time_total / 1e3 / a.steps, 3),
                        'share': round(e.self_device_time_total / total, 4), 'calls_per_step': e.count / a.steps} for e in rows]}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n'); print(json.dumps(out, indent=1))

if __name__ == '__main__': main()
