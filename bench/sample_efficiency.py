"""Sample efficiency of the trainer's optimizers: validation loss at the SAME token budget, AdamW against Muon + AdamW.

Two steps, so that the GPU machine needs only torch + numpy (and robolm's own imports):

  # here, on a CPU: CPython stdlib -> 8K BPE (robolm.tokenizers, trained on training files only) -> uint16 tokens
  python bench/sample_efficiency.py prepare --out .exp/se_tokens.npz
  # on the GPU: L8 d512 V8192 T1024 B64, each variant for --budget-tokens, validation curve at --evals points
  python bench/sample_efficiency.py run --tokens .exp/se_tokens.npz --device cuda --budget-tokens 32768000 --out-dir $OUT
  # the same with a small LR sweep for each (6 runs, about 4 minutes on an H100)
  python bench/sample_efficiency.py run --tokens .exp/se_tokens.npz --device cuda --budget-tokens 32768000 \\
      --adamw-lrs 0.0015,0.003,0.006 --adamw-lr 0.003 --muon-lrs 0.01,0.02,0.04 --out-dir $OUT
  # tiny CPU check of the whole path
  python bench/sample_efficiency.py run --tokens .exp/se_tokens.npz --device cpu --layers 2 --dim 128 --heads 4 \\
      --seq 128 --batch 8 --budget-tokens 409600 --val-batches 8 \\
      --adamw-lrs 0.0015,0.003,0.006 --adamw-lr 0.003 --muon-lrs 0.01,0.02,0.04 --out bench/results/cpu2_sample_efficiency_tiny.json

The corpus is ../shared/data/cpython-3.11-stdlib.txt.xz (1,786 files). Validation is held out by whole files (a stable
hash of the path picks about 5% of the bytes); the BPE never sees them. Training batches are random windows from the
project's own sampler (`robolm.datasets.PretrainBatches`), validation is the sampler's fixed, evenly spread windows.

Every variant starts from the same initial weights (same seed) and sees the same batches in the same order; only the
optimizer differs. The optimizer, the per-group learning rates and the schedule are the trainer's own:
`make_optimizer`, `Schedule` (warmup + cosine to lr/10), `set_lr`, `resolve_device` (bf16 autocast + torch.compile on
CUDA), `evaluate_loss`, gradient clipping at 1.0.

Learning rates: AdamW 1.5e-3 (configs/training/small-pretrain.yaml, the project's setting for this shape) and Muon 0.02
(Keller Jordan's default, with torch's `adjust_lr_fn='original'`; the embedding and norms of the Muon variant keep AdamW
at the AdamW rate, `--adamw-lr`). `--sweep` also runs AdamW at 3e-3 and 6e-3 and Muon at 0.01 and 0.04; `--adamw-lrs` and
`--muon-lrs` name the rates to run explicitly (each Muon variant's AdamW part then uses `--adamw-lr`). The JSON is
rewritten after each variant, so a job cut off keeps what it finished.
"""
import argparse, hashlib, json, lzma, math, os, platform, re, sys, tempfile, time, zlib
from dataclasses import asdict
from pathlib import Path
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent/'shared/data/cpython-3.11-stdlib.txt.xz'


def prepare(a):
    from robolm.tokenizers import TokenizerConfig, train_bpe, hf_to_tiktoken
    t0 = time.time()
    raw = lzma.open(a.corpus, 'rt', encoding='utf-8').read()
    files = [(m[1], m[2]) for m in re.finditer(r'^# ==== (.+?) ====\n(.*?)(?=^# ==== |\Z)', raw, re.S | re.M)]
    is_val = lambda path: zlib.crc32(path.encode()) % 100 < a.val_percent       # stable, held out by whole file
    train = [t for p, t in files if not is_val(p)]; val = [t for p, t in files if is_val(p)]
    bpe_docs, size = [], 0
    for t in train:
        if size >= a.bpe_bytes: break
        bpe_docs.append(t); size += len(t.encode())
    enc = hf_to_tiktoken(train_bpe(bpe_docs, TokenizerConfig(vocab_size=a.vocab)))
    eot = enc.encode_single_token('<|endoftext|>')
    def tokens(docs):      # what the tokenize stage does: encode_ordinary_batch, an end-of-text token after each document
        out = []
        for ids in enc.encode_ordinary_batch(docs, num_threads=os.cpu_count() or 1): out.extend(ids); out.append(eot)
        return np.asarray(out, dtype=np.uint16)
    tr, va = tokens(train), tokens(val)
    meta = {'corpus': Path(a.corpus).name, 'corpus_sha256': hashlib.sha256(raw.encode()).hexdigest(), 'files': len(files),
            'train_files': len(train), 'val_files': len(val), 'train_bytes': sum(len(t.encode()) for t in train),
            'val_bytes': sum(len(t.encode()) for t in val), 'train_tokens': len(tr), 'val_tokens': len(va),
            'vocab_size': enc.n_vocab, 'bpe_train_bytes': size, 'val_rule': f'crc32(path) % 100 < {a.val_percent}',
            'prepare_seconds': round(time.time() - t0, 1)}
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, train=tr, val=va, meta=np.array(json.dumps(meta)))     # plain arrays: np.load(allow_pickle=False)
    print(json.dumps(meta, indent=1)); print(f'{out}: {out.stat().st_size / 1e6:.1f} MB')


def one_run(name, tc, mc, data_dir, evals, val_batches, log_every):
    "Train one variant for `tc.steps` steps; the validation curve, losses and timings."
    from robolm.core import set_seed
    from robolm.datasets import PretrainBatches
    from robolm.models import CodeLM
    from robolm.trainers import TrainState, Schedule, make_optimizer, set_lr, resolve_device, evaluate_loss, compile_model
    dev, amp, comp = resolve_device(tc)
    if dev.type == 'cuda': torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True   # as the trainer does
    set_seed(tc.seed)
    model = CodeLM(mc).to(dev)
    opt = make_optimizer(model, tc, dev)
    fwd = compile_model(model, tc) if comp else model
    train_b = PretrainBatches(data_dir/'train.bin', np.uint16, tc.seq_len, tc.batch_size, tc.seed)
    val_b = PretrainBatches(data_dir/'val.bin', np.uint16, tc.seq_len, tc.batch_size, tc.seed)
    sched, st = Schedule(tc), TrainState()
    at = sorted({max(1, round(tc.steps * (i + 1) / evals)) for i in range(evals)})
    curve, tok_step, losses, t_train, first_step_s = [], tc.batch_size * tc.seq_len, [], 0.0, None
    print(f'[{name}] {tc.steps} steps x {tok_step} tokens, lr {tc.lr}' + (f', muon_lr {tc.muon_lr}' if tc.optimizer == 'muon' else ''), flush=True)
    model.train(); diverged = False
    for step in range(tc.steps):
        t0 = time.perf_counter()
        st.step = step
        set_lr(opt, sched.lr(st), tc)
        x, y, _ = train_b.batch(step)
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        with torch.autocast(dev.type, dtype=amp, enabled=amp is not None):
            loss = fwd(x, targets=y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        opt.step(); opt.zero_grad(set_to_none=True)
        losses.append(loss.detach())
        if (step + 1) % log_every == 0 or step + 1 in at or step == 0:
            lv = float(torch.stack(losses[-log_every:]).float().mean())
            if not math.isfinite(lv): diverged = True
        if dev.type == 'cuda' and (step == 0 or step + 1 in at or (step + 1) % log_every == 0): torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        if step == 0: first_step_s = dt
        else: t_train += dt
        if (step + 1) % log_every == 0: print(f'[{name}] step {step + 1}/{tc.steps} loss {lv:.4f} ({(step) * tok_step / max(t_train, 1e-9):,.0f} tokens/s)', flush=True)
        if step + 1 in at:
            val = evaluate_loss(model, val_b.val_batches(val_batches), dev, amp)
            curve.append({'step': step + 1, 'tokens': (step + 1) * tok_step, 'val_loss': round(val, 4), 'train_loss': round(lv, 4)})
            print(f'[{name}] step {step + 1}: val loss {val:.4f}', flush=True)
        if diverged: print(f'[{name}] non-finite loss at step {step + 1}: stopped', flush=True); break
    return {'name': name, 'optimizer': tc.optimizer, 'lr': tc.lr, 'muon_lr': tc.muon_lr if tc.optimizer == 'muon' else None,
            'min_lr': tc.min_lr, 'warmup_steps': tc.warmup_steps, 'weight_decay': tc.weight_decay, 'steps': tc.steps,
            'tokens': len(losses) * tok_step, 'diverged': diverged, 'val_loss': curve[-1]['val_loss'] if curve and not diverged else None,
            'curve': curve, 'first_step_seconds': round(first_step_s or 0, 2), 'train_seconds': round(t_train, 2),
            'tokens_per_s': round((len(losses) - 1) * tok_step / max(t_train, 1e-9)), 'compiled': comp,
            'precision': 'bf16 autocast' if amp else 'fp32'}


def run(a):
    from robolm.datasets import write_tokens
    from robolm.models import ModelConfig, count_params, CodeLM
    from robolm.trainers import TrainConfig
    z = np.load(a.tokens, allow_pickle=False)
    meta = json.loads(str(z['meta']))
    if a.threads: torch.set_num_threads(a.threads)
    data_dir = Path(tempfile.mkdtemp(prefix='se-tokens-'))
    write_tokens(data_dir/'train.bin', z['train'], np.uint16); write_tokens(data_dir/'val.bin', z['val'], np.uint16)
    mc = ModelConfig(vocab_size=meta['vocab_size'], dim=a.dim, n_layers=a.layers, n_heads=a.heads, n_kv_heads=a.kv_heads,
                     ffn_dim=a.ffn, max_seq_len=a.seq, autocast_residual=a.autocast_residual,
                     norm_gains=not a.no_norm_gains)
    steps = a.budget_tokens // (a.batch * a.seq)
    base = TrainConfig(steps=steps, batch_size=a.batch, seq_len=a.seq, warmup_steps=max(1, round(steps * a.warmup_frac)),
                       weight_decay=0.1, grad_clip=1.0, device=a.device, compile=a.compile, seed=a.seed, threads=a.threads)
    floats = lambda s: [float(x) for x in s.split(',') if x.strip()]
    adamw_lrs = floats(a.adamw_lrs) if a.adamw_lrs else [a.adamw_lr] + ([a.adamw_lr * 2, a.adamw_lr * 4] if a.sweep else [])
    muon_lrs = floats(a.muon_lrs) if a.muon_lrs else [a.muon_lr] + ([a.muon_lr / 2, a.muon_lr * 2] if a.sweep else [])
    variants = []
    if 'adamw' in a.optimizers: variants += [(f'adamw lr={lr:g}', TrainConfig(**asdict(base) | dict(optimizer='adamw', lr=lr, min_lr=lr / 10))) for lr in adamw_lrs]
    if 'muon' in a.optimizers: variants += [(f'muon muon_lr={m:g} lr={a.adamw_lr:g}', TrainConfig(**asdict(base) | dict(optimizer='muon', lr=a.adamw_lr, min_lr=a.adamw_lr / 10, muon_lr=m))) for m in muon_lrs]
    dev = torch.device(a.device)
    machine = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} threads'
    n_params = count_params(CodeLM(mc))
    res = {'what': 'validation loss at the same token budget: AdamW vs Muon (blocks\' matrices) + AdamW (embedding, norms)',
           'machine': machine, 'torch': torch.__version__, 'python': platform.python_version(), 'data': meta,
           'shape': f'L{a.layers} d{a.dim} h{mc.n_heads}/{mc.n_kv_heads} ffn{mc.ffn_dim} V{mc.vocab_size} T{a.seq} B{a.batch}'
                    + (' bf16-residual' if mc.autocast_residual else '') + ('' if mc.norm_gains else ' no-norm-gains'), 'params': n_params,
           'tokens_per_step': a.batch * a.seq, 'steps': steps, 'budget_tokens': steps * a.batch * a.seq,
           'epochs_over_train_tokens': round(steps * a.batch * a.seq / meta['train_tokens'], 2),
           'schedule': f'warmup {base.warmup_steps} steps, cosine to lr/10 (robolm.trainers.Schedule)', 'seed': a.seed,
           'val_windows': min((meta['val_tokens'] - 1) // a.seq, a.val_batches * a.batch), 'runs': []}
    out = Path(a.out) if a.out else Path(a.out_dir or os.environ.get('OUT') or '/tmp')/f'sample_efficiency_L{a.layers}d{a.dim}h{mc.n_heads}kv{mc.n_kv_heads}f{mc.ffn_dim}{"_bf16res" if mc.autocast_residual else ""}{"" if mc.norm_gains else "_nogains"}_T{a.seq}_B{a.batch}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    for name, tc in variants:
        res['runs'].append(one_run(name, tc, mc, data_dir, a.evals, a.val_batches, a.log_every))
        res['wall_seconds'] = round(time.time() - t0, 1)
        out.write_text(json.dumps(res, indent=1) + '\n')       # after each variant: a cut-off job keeps what it finished
    ok = [r for r in res['runs'] if r['val_loss'] is not None]
    best = {o: min((r for r in ok if r['optimizer'] == o), key=lambda r: r['val_loss'], default=None) for o in ('adamw', 'muon')}
    if best['adamw'] and best['muon']:
        res['summary'] = {'best_adamw': best['adamw']['name'], 'best_adamw_val_loss': best['adamw']['val_loss'],
                          'best_muon': best['muon']['name'], 'best_muon_val_loss': best['muon']['val_loss'],
                          'muon_minus_adamw': round(best['muon']['val_loss'] - best['adamw']['val_loss'], 4)}
    out.write_text(json.dumps(res, indent=1) + '\n')
    print(json.dumps({k: v for k, v in res.items() if k != 'runs'} | {'runs': [{k: r[k] for k in ('name', 'val_loss', 'tokens', 'train_seconds', 'tokens_per_s')} for r in res['runs']]}, indent=1))
    print(f'wrote {out}')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('prepare', help='tokenize the CPython corpus into uint16 train/val arrays (CPU)')
    p.add_argument('--corpus', default=str(CORPUS)); p.add_argument('--out', default='.exp/se_tokens.npz')
    p.add_argument('--vocab', type=int, default=8192); p.add_argument('--bpe-bytes', type=int, default=8_000_000, help='training text for the BPE')
    p.add_argument('--val-percent', type=int, default=5, help='files held out for validation (percent, by a hash of the path)')
    r = sub.add_parser('run', help='train each variant for the same token budget and compare validation loss')
    r.add_argument('--tokens', default='.exp/se_tokens.npz'); r.add_argument('--device', default='cuda')
    r.add_argument('--budget-tokens', type=int, default=32_768_000, help='training tokens per variant (default: 500 steps of B64 T1024)')
    r.add_argument('--layers', type=int, default=8); r.add_argument('--dim', type=int, default=512); r.add_argument('--heads', type=int, default=8)
    r.add_argument('--kv-heads', type=int, default=0, help='key/value heads (0: as many as query heads)')
    r.add_argument('--ffn', type=int, default=0, help='SwiGLU width (0: the Llama rule)')
    r.add_argument('--autocast-residual', action='store_true', help='bf16 residual stream under autocast')
    r.add_argument('--no-norm-gains', action='store_true', help='RMSNorm scales frozen at 1')
    r.add_argument('--seq', type=int, default=1024); r.add_argument('--batch', type=int, default=64)
    r.add_argument('--adamw-lr', type=float, default=1.5e-3, help='AdamW peak LR (also the AdamW part of the Muon variant)')
    r.add_argument('--muon-lr', type=float, default=0.02, help="Muon's peak LR")
    r.add_argument('--sweep', action='store_true', help='also AdamW at 2x and 4x its LR, Muon at 0.5x and 2x')
    r.add_argument('--adamw-lrs', default='', help='comma-separated AdamW LRs to run instead (e.g. 0.0015,0.003)')
    r.add_argument('--muon-lrs', default='', help='comma-separated Muon LRs to run instead (e.g. 0.01,0.02)')
    r.add_argument('--optimizers', default='adamw,muon'); r.add_argument('--warmup-frac', type=float, default=0.05)
    r.add_argument('--evals', type=int, default=8, help='validation points on the curve'); r.add_argument('--val-batches', type=int, default=16)
    r.add_argument('--log-every', type=int, default=50); r.add_argument('--seed', type=int, default=1337)
    r.add_argument('--compile', default='auto'); r.add_argument('--threads', type=int, default=0)
    r.add_argument('--out', default=None, help='JSON path (default: $OUT_DIR, $OUT or /tmp)'); r.add_argument('--out-dir', default=None)
    a = ap.parse_args(argv)
    prepare(a) if a.cmd == 'prepare' else run(a)


if __name__ == '__main__': main()
