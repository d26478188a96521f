"""Where a llama.cpp decode step's time goes: the Python loop, llama.cpp's fixed per-operation cost, the weights.

Per-token time of `LlamaCppModel.advance` (one token appended to the KV cache, its logits) after a 32-token prompt,
median of --reps runs of 100 steps, for:
  - the `laptop` model (Q4_0, Q4_0 head), 2 threads and 1, with the time inside `llama_decode` timed apart, so the
    rest is this library's Python loop;
  - a model of the same depth and the same operations with d64, 1 query / 1 key-value head and a 512-token vocabulary
    (no weights worth streaming): what llama.cpp costs per token whatever the model's width (graph dispatch, the
    barriers between operations).
llama.cpp settings as in gguf_speed.py (F16 K/V cache, flash attention). Run it in the interpreter with the native
llama-cpp-python build:
  /path/to/native/venv/bin/python bench/gguf_overhead.py --out bench/results/cpu2_gguf_overhead.json
"""
import argparse, dataclasses, json, statistics, tempfile, time
from pathlib import Path
from machine_load import cpu_times, other_cpu, cpu_name

def per_token_us(lm, prompt, steps:int, reps:int, split:bool=False)->dict:
    "Median µs per `advance` step (and, with `split`, the part inside llama_decode)."
    lc, ctx = lm._lc, lm.llm.ctx
    totals, inside = [], []
    for _ in range(reps):
        lm.prefill(prompt); t_in = 0.0; t0 = time.perf_counter()
        for i in range(steps):
            if split:
                lm._one[0] = 200 + i % 50
                a = time.perf_counter(); lc.llama_decode(ctx, lm._one_batch); t_in += time.perf_counter() - a
                lm.last_logits().argmax()
            else: lm.advance(200 + i % 50).argmax()
        totals.append((time.perf_counter() - t0) / steps); inside.append(t_in / steps)
    out = {'us_per_token': round(1e6 * statistics.median(totals), 1)}
    if split: out |= {'us_in_llama_decode': round(1e6 * statistics.median(inside), 1),
                      'us_outside (Python loop)': round(1e6 * statistics.median(t - i for t, i in zip(totals, inside)), 1)}
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='laptop'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--steps', type=int, default=100); ap.add_argument('--reps', type=int, default=15)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    import torch, llama_cpp
    from robolm.models import CodeLM, load_model_config, count_params
    from robolm.hf_export import write_gguf, LlamaCppModel
    from gguf_speed import small_tokenizer
    tmp = Path(tempfile.mkdtemp(prefix='robolm_gguf_overhead_'))
    small_tokenizer(tmp/'tokenizer')
    laptop = load_model_config(a.model, vocab_size=a.vocab)
    shapes = {a.model: laptop, 'same depth, d64': dataclasses.replace(laptop, vocab_size=512, dim=64, n_heads=1, n_kv_heads=1, ffn_dim=256)}
    prompt, res, cpu0 = list(range(100, 132)), {}, cpu_times()
    for name, cfg in shapes.items():
        torch.manual_seed(0)
        path = write_gguf(CodeLM(cfg).eval(), tmp/'tokenizer', tmp/f'{len(res)}.gguf', 'Q4_0', head_type='Q4_0')
        for threads in (2, 1):
            lm = LlamaCppModel(path, threads=threads, cache_type='F16', flash_attn=True)
            lm.greedy(prompt, 8)                                              # warm-up
            res[f'{name}, {threads} thread{"s" * (threads > 1)}'] = {'params': count_params(cfg), 'gguf_bytes': path.stat().st_size,
                                                                  **per_token_us(lm, prompt, a.steps, a.reps, split=name == a.model)}
            lm.close()
    out = {'what': f'µs per decode step (LlamaCppModel.advance) after a 32-token prompt, median of {a.reps} runs of {a.steps} steps; '
                   'Q4_0 with a Q4_0 head, F16 K/V cache, flash attention', 'cpu': cpu_name(), 'other_cpu_during_timing': other_cpu(cpu0),
           'llama_cpp_python': llama_cpp.__version__, 'system_info': llama_cpp.llama_print_system_info().decode().strip(' |'),
           'results': res}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
