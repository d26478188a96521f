"""Python overhead of the ONNX decoding loop: `OnnxModel.greedy` (numpy from end to end, what `generate` runs at
temperature 0) against the same session driven with torch tensors per token (how `generate` drove it before).

Both go through `robolm.models.decode_loop`; only the per-token glue differs. Paired rounds in alternating order (the
first timing of a round is often faster on this VM), INT8 ONNX of the random-weight `laptop` model, 1 thread pinned.
  python bench/onnx_loop.py --out bench/results/cpu2_onnx_loop.json
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path
from machine_load import pin_cores

def random_int8(model:str, vocab:int):
    "The random-weight (seed 0) model of config `model` as the export stage writes its INT8 ONNX file: (config, path)."
    import torch
    from robolm.models import CodeLM, load_model_config
    from robolm.exporters import export_ort_onnx, quantize_int8
    cfg = load_model_config(model, vocab_size=vocab); torch.manual_seed(0)
    tmp = Path(tempfile.mkdtemp(prefix='robolm_bench_'))
    return cfg, quantize_int8(export_ort_onnx(CodeLM(cfg).eval(), tmp/'model.ort.onnx'), tmp/'model.int8.onnx')

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='laptop'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--prompt', type=int, default=32); ap.add_argument('--new', type=int, default=100)
    ap.add_argument('--rounds', type=int, default=40); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    pin_cores(1)
    import torch
    from robolm.models import decode_loop, room_after, sample_next
    from robolm.exporters import OnnxModel
    cfg, path = random_int8(a.model, a.vocab)
    onnx = OnnxModel(path, cfg, threads=1)
    prompt = torch.randint(0, a.vocab, (a.prompt,), generator=torch.Generator().manual_seed(1)).tolist()

    def torch_loop():
        logits, past = onnx(torch.tensor([prompt])); cache = [past]
        def advance(token):
            row, cache[0] = onnx(torch.tensor([[token]]), cache[0]); return row[:, -1]
        return decode_loop(logits[:, -1], advance, lambda row: int(sample_next(row)), a.new, room_after(prompt, cfg.max_seq_len))
    loops = {'numpy (OnnxModel.greedy)': lambda: onnx.greedy(prompt, a.new), 'torch tensors per token': torch_loop}
    assert len({tuple(f()) for f in loops.values()}) == 1, 'the two loops decode different tokens'
    times = {k: [] for k in loops}
    for r in range(a.rounds):
        for k in (list(loops) if r % 2 else list(loops)[::-1]):
            t = time.perf_counter(); loops[k](); times[k].append(time.perf_counter() - t)
    (n, t) = list(loops)
    out = {'what': f'greedy decode, {a.new} new tokens after {a.prompt}, INT8 ONNX (MatMulNBits blocks of 128), 1 thread; '
                   f'{a.rounds} paired rounds in alternating order', 'model': a.model,
           'tokens_per_s_median': {k: round(a.new / statistics.median(v)) for k, v in times.items()},
           'numpy_speedup_paired_median': round(statistics.median(y / x for x, y in zip(times[n], times[t])), 3)}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

if __name__ == '__main__': main()
