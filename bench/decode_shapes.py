"""CPU decode speed of attention-head layouts of the `laptop` model, in paired rounds (the host's speed drifts).

Every layout is the `laptop` config (L6 d512, ffn 1536, 8K vocabulary) with other query / key-value head counts, random
weights with the same seed. All models are loaded in one process; each round times every one once (100 greedy tokens
after a 32-token prompt, prefill included) in a new random order, and the result is the median over rounds of the
per-round speed ratio to the first layout. Runtimes, through the library's own export and decoding path:
  gguf: `write_gguf` Q4_0 with a Q4_0 head, `LlamaCppModel.greedy` (2 threads, F16 K/V cache, flash attention);
        run it in the interpreter with the native llama-cpp-python build (`make llama-cpp`)
  onnx: `export_ort_onnx` + `quantize_int8` (the export stage's INT8), `OnnxModel.greedy` (1 thread)

  python bench/decode_shapes.py --runtime onnx --out bench/results/cpu2_decode_shapes_onnx.json
  /path/to/native/venv/bin/python bench/decode_shapes.py --runtime gguf --out bench/results/cpu2_decode_shapes_gguf.json
"""
import argparse, dataclasses, json, os, random, statistics, tempfile, time
from pathlib import Path
from machine_load import cpu_times, other_cpu, cpu_name

def load(runtime:str, model, folder:Path, name:str):
    "The model in `runtime`, and the exported file."
    if runtime == 'onnx':
        from robolm.exporters import export_ort_onnx, quantize_int8, OnnxModel
        path = quantize_int8(export_ort_onnx(model, folder/f'{name}.onnx'), folder/f'{name}.int8.onnx')
        return OnnxModel(path, model.cfg, threads=1), path
    from robolm.hf_export import write_gguf, LlamaCppModel
    from gguf_speed import small_tokenizer
    if not (folder/'tokenizer').exists(): small_tokenizer(folder/'tokenizer')     # not timed
    path = write_gguf(model, folder/'tokenizer', folder/f'{name}.q4_0.gguf', 'Q4_0', head_type='Q4_0')
    return LlamaCppModel(path, threads=2, cache_type='F16', flash_attn=True), path

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runtime', choices=['gguf', 'onnx'], required=True)
    ap.add_argument('--heads', default='8/8,4/2,8/2', help='query/key-value head counts to compare; the first is the reference')
    ap.add_argument('--model', default='laptop'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--rounds', type=int, default=40); ap.add_argument('--new', type=int, default=100)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    import torch, numpy as np
    from robolm.models import CodeLM, load_model_config, count_params
    base = load_model_config(a.model, vocab_size=a.vocab)
    folder, runners, info = Path(tempfile.mkdtemp(prefix='robolm_shapes_')), {}, {}
    for spec in a.heads.split(','):
        h, kv = map(int, spec.split('/'))
        cfg = dataclasses.replace(base, n_heads=h, n_kv_heads=kv)
        torch.manual_seed(0)
        runners[spec], path = load(a.runtime, CodeLM(cfg).eval(), folder, f'h{h}kv{kv}')
        info[spec] = {'params': count_params(cfg), 'head_dim': cfg.head_dim, 'bytes': path.stat().st_size}
    prompt = list(range(100, 132))
    for r in runners.values(): r.greedy(prompt, a.new)                     # warm-up
    keys, rng, times = list(runners), random.Random(0), {k: [] for k in runners}
    cpu0, load0 = cpu_times(), os.getloadavg()
    for _ in range(a.rounds):
        rng.shuffle(keys)
        for k in keys:
            t = time.perf_counter(); out = runners[k].greedy(prompt, a.new); times[k].append(time.perf_counter() - t)
            assert len(out) == a.new
    other, ref = other_cpu(cpu0), a.heads.split(',')[0]
    for r in runners.values(): getattr(r, 'close', lambda: None)()   # llama.cpp's model and context, before interpreter exit
    res = {k: info[k] | {'tokens_per_s_median': round(a.new / statistics.median(ts)),
                         f'speed_vs_{ref}_paired_median': round(statistics.median(x / y for x, y in zip(times[ref], ts)), 3)}
           for k, ts in times.items()}
    out = {'what': f'greedy decode, {a.new} new tokens after a 32-token prompt, batch 1, prefill included; {a.runtime}; '
                   f'{a.rounds} rounds, each timing every layout once in a shuffled order (one process)',
           'model': a.model, 'base_config': {k: getattr(base, k) for k in ('vocab_size', 'dim', 'n_layers', 'ffn_dim')},
           'weights': 'random, seed 0 (speed does not depend on them)', 'cpu': cpu_name(),
           'load_average_before_after': [round(load0[0], 2), round(os.getloadavg()[0], 2)], 'other_cpu_during_timing': other,
           'versions': {'torch': torch.__version__, 'numpy': np.__version__}, 'results': res}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
