"""Where a training step's GPU time goes: torch.profiler over compiled bf16 steps of a model shape, top kernels by CUDA time.

  python bench/train_profile.py --out bench/results/h100_train_profile_L8d512.json [--heads 4 --kv-heads 2 --ffn 1280 ...]
The kernel table says what to fuse or replace before guessing (see train_variants.py for guesses that did not help).
"""
import argparse, json, sys, time
from pathlib import Path
import torch
from torch.profiler import profile, ProfilerActivity
sys.path.insert(0, str(Path(__file__).parent))
from train_throughput import add_model_args, config_from_args
from robolm.models import CodeLM
from robolm.trainers import TrainConfig, make_optimizer, compile_model

def main():
    ap = argparse.ArgumentParser()
    add_model_args(ap, dim=512, layers=8, heads=8, vocab=8192, seq=1024, batch=64)
    ap.add_argument('--steps', type=int, default=5); ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    dev = torch.device('cuda')
    cfg = config_from_args(a)
    tc = TrainConfig(seq_len=a.seq, batch_size=a.batch, compile_mode=a.compile_mode, compile_tuning=a.compile_tuning, attention=a.sdpa)
    model = CodeLM(cfg).to(dev)
    opt = make_optimizer(model, tc, dev)
    fwd = compile_model(model, tc)
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
    out = {'shape': f'L{a.layers} d{a.dim} h{cfg.n_heads}/{cfg.n_kv_heads} ffn{cfg.ffn_dim} V{a.vocab} T{a.seq} B{a.batch}',
           'model_config': {k: v for k, v in cfg.__dict__.items()}, 'compile_mode': a.compile_mode, 'device': torch.cuda.get_device_name(),
           'torch': torch.__version__, 'wall_ms_per_step': round(wall * 1e3, 2),
           'gpu_busy_ms_per_step': round(total / 1e3 / a.steps, 2),
           'kernels': [{'name': e.key[:120], 'ms_per_step': round(e.self_device_time_total / 1e3 / a.steps, 3),
                        'share': round(e.self_device_time_total / total, 4), 'calls_per_step': e.count / a.steps} for e in rows]}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n'); print(json.dumps(out, indent=1))

if __name__ == '__main__': main()
