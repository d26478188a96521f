"""Block size of the 8-bit and 4-bit ONNX weights (`MatMulNBits`): decode speed against agreement with PyTorch.

Speed: the random-weight `laptop` model, every variant quantized from the same ONNX Runtime graph by the export
stage's own `quantize_int8` / `quantize_int4`, all loaded in one process (`OnnxModel`, 1 thread) and timed in paired
rounds (100 greedy tokens after 32, prefill included; each round times every variant once in a shuffled order).
Agreement: with --run, the same variants of that run's trained model, `robolm.exporters.parity` on its held-out prompts
(next-token top-1 agreement, largest logit error, greedy sequences equal to PyTorch's).

  python bench/onnx_blocks.py --run outputs/quickstart --out bench/results/cpu2_onnx_blocks.json
"""
import argparse, json, random, statistics, tempfile, time
from pathlib import Path
from machine_load import cpu_times, other_cpu, cpu_name, pin_cores

def quantize(src:Path, folder:Path, variant:str)->Path:
    "One variant ('int8-block128', 'int4-block32', ...) of the ONNX Runtime graph `src`, as the export stage writes it."
    from robolm.exporters import quantize_int8, quantize_int4
    bits, block = variant.split('-block')
    dst = folder/f'{src.stem}.{variant}.onnx'
    return quantize_int8(src, dst, 'block', int(block)) if bits == 'int8' else quantize_int4(src, dst, int(block))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--variants', default='int8-block128,int8-block256,int4-block32,int4-block64,int4-block128,int4-block256')
    ap.add_argument('--model', default='laptop'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--rounds', type=int, default=40); ap.add_argument('--new', type=int, default=100)
    ap.add_argument('--run', help='a trained run folder: also measure agreement with PyTorch on its prompts')
    ap.add_argument('--prompts', type=int, default=24); ap.add_argument('--parity-tokens', type=int, default=48)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    pin_cores(1)
    import torch, onnxruntime
    from robolm.models import CodeLM, load_model_config, count_params
    from robolm.exporters import export_ort_onnx, OnnxModel, parity, validation_prompts
    variants, folder = a.variants.split(','), Path(tempfile.mkdtemp(prefix='robolm_blocks_'))
    cfg = load_model_config(a.model, vocab_size=a.vocab); torch.manual_seed(0)
    src = export_ort_onnx(CodeLM(cfg).eval(), folder/'random.onnx')
    files = {v: quantize(src, folder, v) for v in variants}
    runners = {v: OnnxModel(f, cfg, threads=1) for v, f in files.items()}
    prompt = list(range(100, 132))
    for r in runners.values(): r.greedy(prompt, a.new)                     # warm-up
    keys, rng, times = list(runners), random.Random(0), {v: [] for v in runners}
    cpu0 = cpu_times()
    for _ in range(a.rounds):
        rng.shuffle(keys)
        for k in keys:
            t = time.perf_counter(); runners[k].greedy(prompt, a.new); times[k].append(time.perf_counter() - t)
    other, ref = other_cpu(cpu0), variants[0]
    res = {v: {'bytes': files[v].stat().st_size, 'tokens_per_s_median': round(a.new / statistics.median(ts)),
               f'speed_vs_{ref}_paired_median': round(statistics.median(x / y for x, y in zip(times[ref], ts)), 3)}
           for v, ts in times.items()}
    trained = None
    if a.run:
        from robolm.infer import Generator
        gen = Generator.from_run(a.run)
        prompts = validation_prompts(a.run, gen.enc, a.prompts)
        tsrc = export_ort_onnx(gen.model, folder/'trained.onnx')
        trained = {'run': str(a.run), 'checkpoint': str(gen.checkpoint), 'params': count_params(gen.model.cfg), 'prompts': len(prompts),
                   'greedy_tokens': a.parity_tokens, 'variants': {}}
        for v in variants:
            f = quantize(tsrc, folder, v)
            p = parity(gen.model, OnnxModel(f, gen.model.cfg), prompts, a.parity_tokens, gen.stops)
            trained['variants'][v] = {'bytes': f.stat().st_size, **{k: round(x, 4) if isinstance(x, float) else x for k, x in p.items()}}
    out = {'what': f'ONNX MatMulNBits block sizes: greedy decode speed ({a.new} new tokens after 32, 1 thread, paired rounds, random-weight '
                   f'{a.model} model) and agreement with PyTorch on a trained run', 'cpu': cpu_name(),
           'speed_model': {'model': a.model, 'params': count_params(cfg), 'weights': 'random, seed 0'}, 'rounds': a.rounds,
           'other_cpu_during_timing': other, 'versions': {'torch': torch.__version__, 'onnxruntime': onnxruntime.__version__},
           'speed': res, 'agreement': trained}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps({'speed': res, 'agreement': trained and trained['variants']}, indent=1))

if __name__ == '__main__': main()
