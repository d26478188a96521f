"""Training throughput of a robolm model config on this machine (random tokens, the trainer's own device/precision path).

Writes JSON: tokens/s, MFU (on CUDA, against the GPU's dense bf16 peak), memory, settings.
  python bench/train_throughput.py --dim 512 --layers 8 --heads 8 --vocab 8192 --seq 1024 --batch 64 --out bench/results/x.json
MFU = tokens/s * (6 N + 12 L d T) / peak, the formula of ../shared/research/anchors.md (N excludes nothing; tied head counted once).
"""
import argparse, json, os, platform, time
from pathlib import Path
import torch
from robolm.models import CodeLM, ModelConfig, count_params
from robolm.trainers import TrainConfig, resolve_device, make_optimizer

PEAK_BF16 = {'H100': 989e12, 'H200': 989e12}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dim', type=int, default=256); ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=4); ap.add_argument('--vocab', type=int, default=4096)
    ap.add_argument('--seq', type=int, default=256); ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--steps', type=int, default=20); ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--compile', default='auto'); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    cfg = ModelConfig(vocab_size=a.vocab, dim=a.dim, n_layers=a.layers, n_heads=a.heads, max_seq_len=a.seq)
    tc = TrainConfig(seq_len=a.seq, batch_size=a.batch, compile=a.compile)
    dev, amp, comp = resolve_device(tc)
    if dev.type == 'cuda': torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    model = CodeLM(cfg).to(dev); opt = make_optimizer(model, tc, dev)
    fwd = torch.compile(model) if comp else model
    x = torch.randint(0, a.vocab, (a.batch, a.seq + 1), device=dev)
    def step():
        with torch.autocast(dev.type, dtype=amp, enabled=amp is not None):
            loss = fwd(x[:, :-1], targets=x[:, 1:])
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        return loss
    for _ in range(a.warmup): step()
    if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(a.steps): loss = step()
    float(loss)
    if dev.type == 'cuda': torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    tps = a.batch * a.seq * a.steps / dt
    n = count_params(model)
    flops_per_token = 6 * n + 12 * a.layers * a.dim * a.seq
    gpu = torch.cuda.get_device_name() if dev.type == 'cuda' else None
    peak = next((v for k, v in PEAK_BF16.items() if gpu and k in gpu), None)
    res = {'model': f'L{a.layers} d{a.dim} V{a.vocab} T{a.seq}', 'params': n, 'batch': a.batch, 'device': gpu or platform.processor() or 'cpu',
           'threads': torch.get_num_threads(), 'precision': 'bf16 autocast' if amp else 'fp32', 'compiled': comp,
           'steps_timed': a.steps, 'tokens_per_s': round(tps), 'mfu': round(tps * flops_per_token / peak, 4) if peak else None,
           'peak_memory_gb': round(torch.cuda.max_memory_allocated() / 2**30, 2) if dev.type == 'cuda' else None,
           'torch': torch.__version__, 'final_loss': float(loss)}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n'); print(json.dumps(res))

if __name__ == '__main__': main()
