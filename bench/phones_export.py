"""Phone exports of the ~25M `laptop`-shaped code model: sizes, parity with PyTorch, and decode speed in the LiteRT interpreter.

One `robolm.phones.export_phones` call (the library's own path) writes TFLite FP32 / int8 / int4 and Core ML FP16 /
int8 / int4 into a temporary exports folder; the manifest's figures (size, quantization, logit error, top-1 agreement
over a cached greedy decode) are copied into the result. Then each .tflite file runs in the ai-edge-litert interpreter
(`LiteRTModel`, 2 threads): a 32-token prompt prefilled in chunks of 8, then 100 single-token decode steps (greedy),
median of --reps runs, interleaved. Core ML cannot run on Linux: sizes and spec only.
The model has RANDOM weights (speed does not depend on them; the agreement of int8/int4 on random, nearly flat logits
is pessimistic): the `laptop` config (L6 d512, 4 query / 2 key-value heads, ffn 1536, 8K vocabulary) unless --model
names another, with max_seq_len 512 (the KV cache holds 512 positions).
Needs the phones extra (`make phones`).
  python bench/phones_export.py --out bench/results/cpu2_phones.json
"""
import argparse, json, os, platform, statistics, tempfile, time
from pathlib import Path
from machine_load import pin_cores

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='laptop', help='model config name or path'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--cache-len', type=int, default=512, help='positions of the KV cache (the max_seq_len of the export)')
    ap.add_argument('--prompt', type=int, default=32); ap.add_argument('--new', type=int, default=100)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--chunk', type=int, default=8)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    pin_cores(a.threads)
    import numpy as np, torch
    torch.set_num_threads(a.threads)
    import dataclasses
    from robolm.models import CodeLM, load_model_config, count_params, generate
    from robolm.phones import export_phones, LiteRTModel
    cfg = dataclasses.replace(load_model_config(a.model, vocab_size=a.vocab), max_seq_len=a.cache_len)
    torch.manual_seed(0)
    model = CodeLM(cfg).eval()
    g = torch.Generator().manual_seed(1)
    prompts = [torch.randint(0, cfg.vocab_size, (n,), generator=g).tolist() for n in (a.prompt, 13, 21)]
    tmp = Path(tempfile.mkdtemp(prefix='robolm_phones_bench_'))
    t0 = time.time()
    r = export_phones(model, out=tmp/'exports', prompts=prompts, chunk=a.chunk, max_new_tokens=32, threads=a.threads,
                      quant={'tflite': ('fp32', 'int8', 'int4'), 'coreml': ('fp16', 'int8', 'int4')})
    export_s = time.time() - t0
    runners = {e['file']: LiteRTModel(tmp/'exports'/e['file'], cfg, a.threads) for e in r['exports'] if e['format'] == 'tflite'}

    def timed(rt):
        t = time.perf_counter(); logits, past = rt(np.array([prompts[0]])); t1 = time.perf_counter()
        nxt = int(logits[0, -1].argmax())
        for _ in range(a.new):
            logits, past = rt(np.array([[nxt]]), past); nxt = int(logits[0, -1].argmax())
        return t1 - t, (time.perf_counter() - t1) / a.new
    for rt in runners.values(): timed(rt)                                  # warm-up
    pre, dec = {f: [] for f in runners}, {f: [] for f in runners}
    load0 = os.getloadavg()
    for _ in range(a.reps):
        for f, rt in runners.items():
            p, d = timed(rt); pre[f].append(p); dec[f].append(d)
    # PyTorch eager for reference: robolm.models.generate with its growing cache
    with torch.no_grad():
        generate(model, prompts[0], 8); t = time.perf_counter(); generate(model, prompts[0], a.new); torch_ms = (time.perf_counter() - t) / a.new * 1e3
    res = {'machine': platform.processor() or platform.machine(), 'cpus_used': a.threads, 'loadavg_before': load0, 'loadavg_after': os.getloadavg(),
           'model': {'shape': f'L{cfg.n_layers} d{cfg.dim} h{cfg.n_heads}/{cfg.n_kv_heads} ffn{cfg.ffn_dim} V{cfg.vocab_size} T{cfg.max_seq_len}',
                     'params': count_params(cfg), 'weights': 'random'},
           'chunk': a.chunk, 'cache_len': cfg.max_seq_len, 'prompt_tokens': a.prompt, 'new_tokens': a.new, 'reps': a.reps,
           'export_seconds_total': round(export_s, 1), 'pytorch_eager_ms_per_token': round(torch_ms, 2), 'exports': []}
    for e in r['exports']:
        x = {k: e[k] for k in ('format', 'file', 'quantization', 'bytes', 'seconds')}
        x['mb'] = round(e['bytes'] / 1e6, 2)
        if e['format'] == 'tflite':
            f = e['file']
            x.update(parity=e['parity'], decode=e['decode'], prefill_ms=round(statistics.median(pre[f]) * 1e3, 1),
                     decode_ms_per_token=round(statistics.median(dec[f]) * 1e3, 2), decode_tokens_per_s=round(1 / statistics.median(dec[f]), 1))
        else: x.update(spec_states=e['spec']['states'], spec_inputs=e['spec']['inputs'], quantized_ops=e['spec']['ops'], wrapper_parity=e['wrapper_parity'])
        res['exports'].append(x)
        print(json.dumps({k: v for k, v in x.items() if k not in ('spec_states', 'spec_inputs')}))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')

if __name__ == '__main__': main()
