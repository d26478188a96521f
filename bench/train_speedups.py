"""Which model/compile choices move training tokens/s at the L8 d512 V8192 T1024 B64 shape (run on the GPU machine).

Each variant is measured by `train_throughput.measure` (the trainer's device, precision and optimizer path) in one
process, one after the other; the JSON list goes to $OUT/train_speedups.json (or --out).
  python bench/train_speedups.py --out $OUT/train_speedups.json [--only NAME ...]
"""
import argparse, json, os, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from train_throughput import measure
from robolm.models import ModelConfig

BASE = dict(vocab_size=8192, dim=512, n_layers=8, max_seq_len=1024)
VARIANTS = [   # name, ModelConfig fields, measure() options
    ('h8 ffn1536 (the small recipe)', dict(n_heads=8), {}),
    ('+ bf16 residual', dict(n_heads=8, autocast_residual=True), {}),
    ('+ bf16 residual, h4 (head dim 128)', dict(n_heads=4, autocast_residual=True), {}),
    ('+ bf16 residual, h4, ffn1280 (28.4M)', dict(n_heads=4, ffn_dim=1280, autocast_residual=True), {}),
    ('+ bf16 residual, h4, ffn1280, flash SDPA', dict(n_heads=4, ffn_dim=1280, autocast_residual=True), dict(sdpa='flash')),
    ('+ bf16 residual, h4, ffn1280, max-autotune-no-cudagraphs', dict(n_heads=4, ffn_dim=1280, autocast_residual=True), dict(compile_mode='max-autotune-no-cudagraphs')),
    ('+ bf16 residual, h8, ffn1280', dict(n_heads=8, ffn_dim=1280, autocast_residual=True), {}),
    ('+ bf16 residual, h4, ffn1280, reduce-overhead (CUDA graphs)', dict(n_heads=4, ffn_dim=1280, autocast_residual=True), dict(compile_mode='reduce-overhead')),
    ('+ bf16 residual, h4, ffn1280, coordinate-descent tuning', dict(n_heads=4, ffn_dim=1280, autocast_residual=True), dict(compile_tuning=True)),
    ('+ bf16 residual, h4, ffn1280, reduce-overhead + coordinate-descent tuning', dict(n_heads=4, ffn_dim=1280, autocast_residual=True), dict(compile_mode='reduce-overhead', compile_tuning=True)),
    ('+ bf16 residual, h4 kv2, ffn1280, reduce-overhead', dict(n_heads=4, n_kv_heads=2, ffn_dim=1280, autocast_residual=True), dict(compile_mode='reduce-overhead')),
    ('small: h4 kv2 ffn1280, unit norm scales, reduce-overhead + tuning, separate projections', dict(n_heads=4, n_kv_heads=2, ffn_dim=1280, autocast_residual=True, norm_gains=False), dict(compile_mode='reduce-overhead', compile_tuning=True)),
    ('small: h4 kv2 ffn1280, unit norm scales, reduce-overhead + tuning, fused projections', dict(n_heads=4, n_kv_heads=2, ffn_dim=1280, autocast_residual=True, norm_gains=False, fuse_projections=True), dict(compile_mode='reduce-overhead', compile_tuning=True)),
    ('124M: L12 d768 h12 V50304 B32, bf16 residual', dict(vocab_size=50304, dim=768, n_layers=12, n_heads=12, autocast_residual=True), dict(batch=32)),
    ('124M: L12 d768 h6 V50304 B32, bf16 residual', dict(vocab_size=50304, dim=768, n_layers=12, n_heads=6, autocast_residual=True), dict(batch=32)),
]

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--out', default=os.path.join(os.environ.get('OUT', '/tmp'), 'train_speedups.json'))
    ap.add_argument('--steps', type=int, default=30); ap.add_argument('--only', nargs='*'); ap.add_argument('--tiny', action='store_true')
    a = ap.parse_args(); out = []
    for name, fields, opts in VARIANTS:
        if a.only and not any(o in name for o in a.only): continue
        cfg = ModelConfig(**{**BASE, **fields})
        batch, seq = opts.pop('batch', 64), cfg.max_seq_len
        if a.tiny: cfg, batch, seq = ModelConfig(**{**BASE, **fields, 'vocab_size': 512, 'n_layers': 1, 'max_seq_len': 64}), 2, 64
        r = {'variant': name, **measure(cfg, batch, seq, steps=a.steps, **opts)}
        print(json.dumps(r), flush=True); out.append(r)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__': main()
