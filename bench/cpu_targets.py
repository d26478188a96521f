"""Both CPU decode targets of issue 6, measured alternately for several rounds (the host's speed drifts over minutes).

One round = `onnx_speed.py --threads 1,2s` (PyTorch FP32 eager and ONNX Runtime FP32/INT8/INT4, 1 thread and 2 threads
with spinning workers, `OnnxModel`'s default; each target at its best setting, as onnx_speed.py reports it) then `gguf_speed.py --types Q4_0 --head-type Q4_0` (llama.cpp, 2 threads) in the
interpreter given by --gguf-python (a native build of llama-cpp-python, `make llama-cpp`). Each is its own process,
run one after the other, on the `laptop` model with random weights. The JSON keeps every round's figures and sums them up:
median, lowest and highest over the rounds, and how many rounds met each target.

  python bench/cpu_targets.py --rounds 6 --gguf-python /path/to/native/venv/bin/python --out bench/results/cpu2_decode_targets.json

Targets: ONNX INT8 >= 600 tokens/s and >= 3x PyTorch FP32 eager in the same run; GGUF Q4_0 >= 1500 tokens/s.
"""
import argparse, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent

def one_round(a, tmp:Path, k:int)->dict:
    "Run the two benchmarks once each; the figures the targets are about."
    onnx_json, gguf_json = tmp/f'onnx{k}.json', tmp/f'gguf{k}.json'
    common = ['--model', a.model, '--prompt', '32', '--new', '100']
    t = time.time()
    subprocess.run([sys.executable, str(HERE/'onnx_speed.py'), '--threads', a.onnx_threads, '--reps', str(a.onnx_reps), '--out', str(onnx_json), *common],
                   check=True, stdout=subprocess.DEVNULL)
    t1 = time.time()
    subprocess.run([a.gguf_python, str(HERE/'gguf_speed.py'), '--types', 'Q4_0', '--head-type', 'Q4_0', '--reps', str(a.gguf_reps),
                    '--out', str(gguf_json), *common], check=True, stdout=subprocess.DEVNULL)
    o, g = json.loads(onnx_json.read_text()), json.loads(gguf_json.read_text())
    q4 = g['results']['Q4_0']
    return {'onnx_int8_tokens_per_s': o['int8_tokens_per_s'], 'pytorch_eager_tokens_per_s': o['eager_best_tokens_per_s'],
            'int8_over_eager': round(o['int8_tokens_per_s'] / o['eager_best_tokens_per_s'], 2),
            'onnx_int8_best_setting': o['int8_best_setting'],
            'onnx_int8_tokens_per_s_by_setting': {t: o['results'][f'onnx-int8@{t}']['tokens_per_s_median'] for t in o['thread_settings']},
            'onnx_int4_tokens_per_s': max(o['results'][f'onnx-int4@{t}']['tokens_per_s_median'] for t in o['thread_settings']),
            'gguf_q4_0_tokens_per_s': q4['tokens_per_s_median'], 'gguf_q4_0_decode_only_tokens_per_s': q4.get('decode_only_tokens_per_s_median'),
            'gguf_rounds_at_or_above_1500': q4.get('rounds_at_or_above_1500_tokens_per_s'),
            'other_cpu': {'onnx': o['other_cpu_per_thread_setting'], 'gguf': g['other_cpu_during_timing']},
            'seconds': {'onnx': round(t1 - t), 'gguf': round(time.time() - t1)},
            'config': o['config'], 'params': o['params'], 'gguf_bytes': q4.get('bytes'), 'int8_bytes': o['results'][f"onnx-int8@{o['int8_best_setting']}"]['bytes'],
            'versions': o['versions'] | {'llama_cpp_python': g['versions']['llama_cpp_python']}, 'llama_cpp_system_info': g['build']['system_info']}

def summary(rounds:list[dict])->dict:
    "Median, lowest and highest over the rounds of each figure, and the rounds that met each target."
    keys = ('onnx_int8_tokens_per_s', 'int8_over_eager', 'gguf_q4_0_tokens_per_s', 'gguf_q4_0_decode_only_tokens_per_s', 'pytorch_eager_tokens_per_s')
    out = {k: {'median': statistics.median(r[k] for r in rounds), 'min': min(r[k] for r in rounds), 'max': max(r[k] for r in rounds)} for k in keys}
    out['rounds_meeting'] = {'onnx_int8>=600': sum(r['onnx_int8_tokens_per_s'] >= 600 for r in rounds),
                             'int8>=3x_eager': sum(r['int8_over_eager'] >= 3 for r in rounds),
                             'gguf_q4_0>=1500': sum(r['gguf_q4_0_tokens_per_s'] >= 1500 for r in rounds), 'of': len(rounds)}
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rounds', type=int, default=6); ap.add_argument('--model', default='laptop')
    ap.add_argument('--onnx-threads', default='1,2s', help="onnx_speed.py's thread settings (1, 2, 2s)")
    ap.add_argument('--onnx-reps', type=int, default=5); ap.add_argument('--gguf-reps', type=int, default=40)
    ap.add_argument('--gguf-python', required=True, help='the interpreter with llama-cpp-python (a native build)')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory(prefix='robolm_targets_') as tmp:
        for k in range(a.rounds):
            rounds.append(one_round(a, Path(tmp), k))
            r = rounds[-1]
            print(f"round {k + 1}: ONNX INT8 {r['onnx_int8_tokens_per_s']} ({r['int8_over_eager']}x eager), GGUF Q4_0 {r['gguf_q4_0_tokens_per_s']}", flush=True)
    first = rounds[0]
    out = {'what': 'the CPU decode targets measured alternately: greedy, KV cache, 100 new tokens after a 32-token prompt, batch 1, '
                   f'random weights; each round runs onnx_speed.py --threads {a.onnx_threads} (INT8 and eager at their best setting) then gguf_speed.py --types Q4_0 --head-type Q4_0 '
                   '(tokens/s = new tokens / (prefill + decode) wall time, median over the reps of that round)',
           'model': a.model, 'params': first['params'], 'config': first['config'], 'bytes': {'onnx_int8': first['int8_bytes'], 'gguf_q4_0': first['gguf_bytes']},
           'versions': first['versions'], 'llama_cpp_system_info': first['llama_cpp_system_info'],
           'reps': {'onnx': a.onnx_reps, 'gguf': a.gguf_reps},
           'targets': {'onnx_int8_tokens_per_s': 600, 'int8_over_eager': 3, 'gguf_q4_0_tokens_per_s': 1500},
           'summary': summary(rounds),
           'rounds': [{k: v for k, v in r.items() if k not in ('config', 'params', 'versions', 'llama_cpp_system_info', 'gguf_bytes', 'int8_bytes')} for r in rounds]}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out['summary'], indent=1))

if __name__ == '__main__': main()
