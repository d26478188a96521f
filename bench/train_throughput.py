"""Training throughput of a robolm model config on this machine (random tokens, the trainer's own device/precision path).

Writes JSON: tokens/s, MFU (on CUDA, against the GPU's dense bf16 peak), memory, settings.
  python bench/train_throughput.py --dim 512 --layers 8 --heads 8 --vocab 8192 --seq 1024 --batch 64 --out bench/results/x.json
MFU = tokens/s * (6 N + 12 L d T) / peak, the formula of ../shared/research/anchors.md (N excludes nothing; tied head counted once).
`measure` is also what `train_speedups.py` calls for each variant.
"""
import argparse, json, os, platform, time
from pathlib import Path
import torch
from robolm.models import CodeLM, ModelConfig, count_params
from robolm.trainers import TrainConfig, resolve_device, make_optimizer, compile_model

PEAK_BF16 = {'H100': 989e12, 'H200': 989e12}

def measure(cfg:ModelConfig, batch:int, seq:int, steps:int=20, warmup:int=5, compile:str='auto', compile_mode:str='default',
            sdpa:str='auto', compile_tuning:bool=False)->dict:
    "Tokens/s of `steps` training steps of a fresh model with `cfg` on random tokens (after `warmup` steps)."
    tc = TrainConfig(seq_len=seq, batch_size=batch, compile=compile, compile_mode=compile_mode, compile_tuning=compile_tuning,
                     attention=sdpa)
    dev, amp, comp = resolve_device(tc)
    if dev.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        for on in (torch.backends.cuda.enable_cudnn_sdp, torch.backends.cuda.enable_flash_sdp, torch.backends.cuda.enable_mem_efficient_sdp): on(True)
        torch._dynamo.reset()
    torch.manual_seed(0)
    model = CodeLM(cfg).to(dev); opt = make_optimizer(model, tc, dev)
    fwd = compile_model(model, tc) if comp else model
    x = torch.randint(0, cfg.vocab_size, (batch, seq + 1), device=dev)
    def step():
        with torch.autocast(dev.type, dtype=amp, enabled=amp is not None):
            loss = fwd(x[:, :-1], targets=x[:, 1:])
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        return loss
    t_c = time.perf_counter()
    for _ in range(warmup): step()
    if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    warm_s = time.perf_counter() - t_c
    t0 = time.perf_counter()
    for _ in range(steps): loss = step()
    float(loss)
    if dev.type == 'cuda': torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    tps = batch * seq * steps / dt
    n = count_params(model)
    flops_per_token = 6 * n + 12 * cfg.n_layers * cfg.dim * seq
    gpu = torch.cuda.get_device_name() if dev.type == 'cuda' else None
    peak = next((v for k, v in PEAK_BF16.items() if gpu and k in gpu), None)
    res = {'model': f'L{cfg.n_layers} d{cfg.dim} h{cfg.n_heads}/{cfg.n_kv_heads} ffn{cfg.ffn_dim} V{cfg.vocab_size} T{seq}',
           'params': n, 'batch': batch, 'device': gpu or platform.processor() or 'cpu',
           'threads': torch.get_num_threads(), 'precision': 'bf16 autocast' if amp else 'fp32', 'compiled': comp,
           'compile_mode': compile_mode, 'compile_tuning': compile_tuning, 'sdpa': sdpa, 'autocast_residual': cfg.autocast_residual, 'norm_gains': cfg.norm_gains,
           'fuse_projections': cfg.fuse_projections,
           'steps_timed': steps, 'ms_per_step': round(dt / steps * 1e3, 2), 'warmup_s': round(warm_s, 1),
           'tokens_per_s': round(tps), 'mfu': round(tps * flops_per_token / peak, 4) if peak else None,
           'peak_memory_gb': round(torch.cuda.max_memory_allocated() / 2**30, 2) if dev.type == 'cuda' else None,
           'torch': torch.__version__, 'final_loss': float(loss)}
    del model, opt, fwd
    if dev.type == 'cuda': torch.cuda.empty_cache()
    return res

def add_model_args(ap, dim=256, layers=4, heads=4, vocab=4096, seq=256, batch=16):
    "The model-shape and compile options shared by the training benchmarks (this script, train_profile.py)."
    ap.add_argument('--dim', type=int, default=dim); ap.add_argument('--layers', type=int, default=layers)
    ap.add_argument('--heads', type=int, default=heads); ap.add_argument('--kv-heads', type=int, default=0)
    ap.add_argument('--ffn', type=int, default=0); ap.add_argument('--vocab', type=int, default=vocab)
    ap.add_argument('--seq', type=int, default=seq); ap.add_argument('--batch', type=int, default=batch)
    ap.add_argument('--autocast-residual', action='store_true'); ap.add_argument('--no-norm-gains', action='store_true')
    ap.add_argument('--fuse', action='store_true', help='one GEMM for q/k/v and one for gate/up in training (ModelConfig.fuse_projections)')
    ap.add_argument('--sdpa', default='auto', choices=['auto', 'cudnn', 'flash', 'efficient'])
    ap.add_argument('--compile', default='auto'); ap.add_argument('--compile-mode', default='default')
    ap.add_argument('--compile-tuning', action='store_true')

def config_from_args(a)->ModelConfig:
    return ModelConfig(vocab_size=a.vocab, dim=a.dim, n_layers=a.layers, n_heads=a.heads, n_kv_heads=a.kv_heads,
                       ffn_dim=a.ffn, max_seq_len=a.seq, autocast_residual=a.autocast_residual,
                       norm_gains=not a.no_norm_gains, fuse_projections=a.fuse)

def main():
    ap = argparse.ArgumentParser()
    add_model_args(ap)
    ap.add_argument('--steps', type=int, default=20); ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    res = measure(config_from_args(a), a.batch, a.seq, a.steps, a.warmup, a.compile, a.compile_mode, a.sdpa, compile_tuning=a.compile_tuning)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n'); print(json.dumps(res))

if __name__ == '__main__': main()
