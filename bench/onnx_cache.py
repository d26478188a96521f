"""The ONNX Runtime graph's KV cache updated in place against a cache that grows by one position per step.

`OnnxModel.greedy` on an `export_ort_onnx` graph binds one buffer of max_seq_len positions per cache tensor as both
past and present, so `GroupQueryAttention` writes each new key/value into it (`_in_place`). The other path
(`_appending`, what the portable graph and every earlier version used) feeds the past in and gets a new one back, one
position longer: every step copies the whole cache twice (into the present, then out to numpy). Same session, same
tokens, same `decode_loop`; paired rounds in alternating order at several generation lengths, INT8 ONNX of the
random-weight `laptop` model, 1 thread pinned.
  python bench/onnx_cache.py --out bench/results/cpu2_onnx_cache_in_place.json
"""
import argparse, json, statistics, time
from pathlib import Path
from machine_load import cpu_times, other_cpu, cpu_name, pin_cores
from onnx_loop import random_int8

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='laptop'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--prompt', type=int, default=32); ap.add_argument('--new', default='100,400,900', help='new-token counts to measure')
    ap.add_argument('--rounds', type=int, default=20); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    pin_cores(1)
    import torch, onnxruntime
    from robolm.models import decode_loop, room_after
    from robolm.exporters import OnnxModel
    cfg, path = random_int8(a.model, a.vocab)
    onnx = OnnxModel(path, cfg, threads=1)
    assert onnx.cache_in_place
    prompt = torch.randint(0, a.vocab, (a.prompt,), generator=torch.Generator().manual_seed(1)).tolist()
    def appending(n):
        logits, advance = onnx._appending(prompt)
        return decode_loop(logits, advance, lambda row: int(row.argmax()), n, room_after(prompt, cfg.max_seq_len))
    loops = {'in place (OnnxModel.greedy)': lambda n: onnx.greedy(prompt, n), 'appending': appending}
    res, cpu0 = {}, cpu_times()
    for n in map(int, a.new.split(',')):
        assert len({tuple(f(n)) for f in loops.values()}) == 1, 'the two paths decode different tokens'
        times = {k: [] for k in loops}
        for r in range(a.rounds):
            for k in (list(loops) if r % 2 else list(loops)[::-1]):
                t = time.perf_counter(); loops[k](n); times[k].append(time.perf_counter() - t)
        (p, q) = list(loops)
        res[f'{n}_new_tokens'] = {'tokens_per_s_median': {k: round(n / statistics.median(v)) for k, v in times.items()},
                                  'in_place_speedup_paired_median': round(statistics.median(y / x for x, y in zip(times[p], times[q])), 3)}
    out = {'what': f'greedy decode after a {a.prompt}-token prompt (prefill included), INT8 ONNX (MatMulNBits blocks of 128), 1 thread; '
                   f'{a.rounds} paired rounds in alternating order per length', 'model': a.model,
           'config': {k: getattr(cfg, k) for k in ('vocab_size', 'dim', 'n_layers', 'n_heads', 'n_kv_heads', 'ffn_dim', 'max_seq_len')},
           'cpu': cpu_name(), 'other_cpu_during_timing': other_cpu(cpu0), 'onnxruntime': onnxruntime.__version__, 'results': res}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

if __name__ == '__main__': main()
