"""ONNX Runtime thread settings for greedy decoding, in paired rounds: 1 thread, 2 threads whose idle workers sleep,
2 threads whose idle workers spin (ONNX Runtime's own default, and `OnnxModel`'s).

onnx_speed.py measures its thread settings one after the other, so the host's drift falls between them; here the
three sessions of the same INT8 file live in one process and each round times every one once, in a shuffled order
(100 greedy tokens after 32, prefill included, random-weight `laptop` model, `OnnxModel.greedy`). Then, because
sessions in one process may disturb each other (a spinning pool keeps its core busy for a while after its run),
--process-rounds rounds of one fresh process per setting, one after the other: the median of 10 decodes each.
  python bench/onnx_threads.py --out bench/results/cpu2_onnx_threads.json
"""
import argparse, json, random, statistics, time
from pathlib import Path
from machine_load import cpu_times, other_cpu, cpu_name
from onnx_loop import random_int8

SETTINGS = {'1 thread': dict(threads=1), '2 threads, sleeping workers': dict(threads=2, spin=False),
            '2 threads, spinning workers': dict(threads=2, spin=True)}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='laptop'); ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--rounds', type=int, default=40); ap.add_argument('--new', type=int, default=100)
    ap.add_argument('--process-rounds', type=int, default=5)
    ap.add_argument('--one', help=argparse.SUPPRESS); ap.add_argument('--file', help=argparse.SUPPRESS)   # a single-setting worker
    ap.add_argument('--out')
    a = ap.parse_args()
    if a.one: return one_process(a)
    if not a.out: ap.error('--out is required')
    import subprocess, sys, onnxruntime
    from robolm.exporters import OnnxModel
    cfg, path = random_int8(a.model, a.vocab)
    runners = {k: OnnxModel(path, cfg, **kw) for k, kw in SETTINGS.items()}
    prompt = list(range(100, 132))
    assert len({tuple(r.greedy(prompt, a.new)) for r in runners.values()}) == 1, 'the settings decode different tokens'
    keys, rng, times, cpu0 = list(runners), random.Random(0), {k: [] for k in runners}, cpu_times()
    for _ in range(a.rounds):
        rng.shuffle(keys)
        for k in keys:
            t = time.perf_counter(); runners[k].greedy(prompt, a.new); times[k].append(time.perf_counter() - t)
    other = other_cpu(cpu0)          # of the paired rounds (the worker processes below would count as other processes)
    procs = {k: [] for k in SETTINGS}
    for _ in range(a.process_rounds):
        for k in SETTINGS:
            r = subprocess.run([sys.executable, __file__, '--one', k, '--file', str(path), '--model', a.model, '--vocab', str(a.vocab),
                                '--new', str(a.new)], check=True, capture_output=True, text=True)
            procs[k].append(json.loads(r.stdout.strip().splitlines()[-1])['tokens_per_s'])
    ref = next(iter(SETTINGS))
    res = {k: {'tokens_per_s_median': round(a.new / statistics.median(ts)),
               f'speed_vs_{ref.replace(" ", "_")}_paired_median': round(statistics.median(x / y for x, y in zip(times[ref], ts)), 3)}
           for k, ts in times.items()}
    for k in SETTINGS: res[k]['separate_processes'] = {'tokens_per_s': procs[k], 'median': statistics.median(procs[k]),
                                                       f'rounds_faster_than_{ref.replace(" ", "_")}': sum(x > y for x, y in zip(procs[k], procs[ref]))}
    out = {'what': f'greedy decode, {a.new} new tokens after 32, INT8 ONNX (blocks of 128) of the random-weight {a.model} model, '
                   f'OnnxModel.greedy; {a.rounds} rounds timing every thread setting once in a shuffled order (one process)',
           'cpu': cpu_name(), 'other_cpu_during_paired_rounds': other, 'onnxruntime': onnxruntime.__version__, 'results': res}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(res, indent=1))

def one_process(a):
    "One setting alone in this process: tokens/s, median of 10 greedy decodes after a warm-up (printed as JSON)."
    from robolm.models import load_model_config
    from robolm.exporters import OnnxModel
    model = OnnxModel(a.file, load_model_config(a.model, vocab_size=a.vocab), **SETTINGS[a.one])
    prompt = list(range(100, 132)); model.greedy(prompt, a.new); ts = []
    for _ in range(10):
        t = time.perf_counter(); model.greedy(prompt, a.new); ts.append(time.perf_counter() - t)
    print(json.dumps({'tokens_per_s': round(a.new / statistics.median(ts))}))

if __name__ == '__main__': main()
