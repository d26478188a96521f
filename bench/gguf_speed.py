"""CPU decoding speed of the GGUF exports in llama.cpp: greedy generation with llama.cpp's KV cache, F16 / Q8_0 / Q4_0.

100 new tokens after a 32-token prompt (no stop token), batch 1, 2 threads pinned to 2 cores, through the library's
own path: `robolm.hf_export.write_gguf` writes the files and `LlamaCppModel.greedy` decodes (llama-cpp-python, built
from source with `make llama-cpp`). The model has RANDOM weights (speed does not depend on them), in the `laptop` shape
(L6 d512, 4 query / 2 key-value heads, ffn 1536, 8K vocabulary: 23.1M parameters) unless --model names another config. The tokenizer is a small
BPE trained on a few lines, its unused ids padded to the 8K vocabulary (tokenization is not timed).
llama.cpp's defaults otherwise: F16 KV cache (--kv-type F32 or Q8_0); flash attention on (--no-flash-attn).
`LlamaCppModel.greedy` goes straight through llama.cpp's C API (`llama_batch_get_one` + `llama_decode`, no
llama-cpp-python `Llama.eval` bookkeeping); the prefill and decode parts are timed apart with its `prefill`/`advance`.
The JSON records llama.cpp's own `llama_print_system_info()` (which CPU kernels the build has: AVX2 only for
GGML_NATIVE=OFF, AVX512/VNNI for a native build on this EPYC) and the --build label given.
  python bench/gguf_speed.py --out bench/results/cpu2_gguf.json --build 'CMAKE_ARGS=-DGGML_NATIVE=OFF'
The speed of this shared 2-vCPU machine drifts by 20-30% over minutes with no load visible inside it (its neighbours
on the host), so two llama-cpp-python builds are compared in lock-step instead of one after the other: --pythons
starts one worker process per (build, type) and times them in shuffled round robin, one at a time, so every build
sees the same host conditions (paired trials); options after an interpreter compare settings the same way:
  python bench/gguf_speed.py --types Q4_0 --head-type Q4_0 --reps 100 --out bench/results/cpu2_gguf_native_vs_portable_q4head.json \
      --pythons portable=.venv/bin/python,native=/work/llama-native-venv/bin/python
  python bench/gguf_speed.py --types Q4_0 --head-type Q4_0 --reps 60 --out bench/results/cpu2_gguf_native_q4head_variants.json \
      --pythons "native=$N,native-1-thread=$N --threads 1,native-no-flash-attn=$N --no-flash-attn,native-kv-q8_0=$N --kv-type Q8_0,..."
Target (issue 6): GGUF Q4_0 >= 1500 tokens/s on the 2-core CPU.
"""
import argparse, json, os, platform, statistics, tempfile, time
from pathlib import Path
from machine_load import cpu_times, other_cpu, cpu_name, pin_cores

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='laptop', help='model config name or path (default: the laptop shape)')
    ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--prompt', type=int, default=32); ap.add_argument('--new', type=int, default=100)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--reps', type=int, default=7)
    ap.add_argument('--types', default='F16,Q8_0,Q4_0')
    ap.add_argument('--kv-type', default='F16', choices=['F16', 'F32', 'Q8_0'], help="K/V cache type (llama.cpp's default F16; F32 is the parity tests' setting)")
    ap.add_argument('--f32-cache', action='store_true', help='same as --kv-type F32')
    ap.add_argument('--build', default='', help='how llama-cpp-python was built (recorded in the JSON), e.g. CMAKE_ARGS=-DGGML_NATIVE=ON')
    ap.add_argument('--no-flash-attn', action='store_true', help="without llama.cpp's flash-attention kernels (on by default, as llama.cpp's CLI 'auto' does on CPU)")
    ap.add_argument('--head-type', default='Q8_0', help='type of the tied embedding/head in the Q4_0 file (write_gguf head_type)')
    ap.add_argument('--pythons', default='', help="label=python[ worker options],...: compare the llama-cpp-python builds of these "
                    "interpreters (and settings: e.g. 'one=PY --threads 1', 'q8kv=PY --kv-type Q8_0') in paired trials")
    ap.add_argument('--serve', help=argparse.SUPPRESS); ap.add_argument('--prompt-ids', help=argparse.SUPPRESS)   # a --pythons worker
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    load_start = os.getloadavg()
    if a.f32_cache: a.kv_type = 'F32'
    pin_cores(a.threads)
    if a.serve: return _serve(a)
    import torch, numpy as np, llama_cpp
    from robolm.models import CodeLM, load_model_config, count_params
    from robolm.hf_export import write_gguf, LlamaCppModel
    cfg = load_model_config(a.model, vocab_size=a.vocab)
    torch.manual_seed(0)
    model = CodeLM(cfg).eval()
    tmp = Path(tempfile.mkdtemp(prefix='robolm_gguf_bench_'))
    small_tokenizer(tmp/'tokenizer')
    prompt = torch.randint(0, 256, (a.prompt,), generator=torch.Generator().manual_seed(1)).tolist()
    types = a.types.split(',')
    t0 = time.time()
    files = {t: write_gguf(model, tmp/'tokenizer', tmp/f'model.{t.lower()}.gguf', t, head_type=a.head_type) for t in types}
    export_s = time.time() - t0
    meta = {'weights': 'random (speed does not depend on them)', 'model': a.model, 'params': count_params(cfg),
            'config': {k: getattr(cfg, k) for k in ('vocab_size', 'dim', 'n_layers', 'n_heads', 'n_kv_heads', 'ffn_dim')},
            'kv_cache': a.kv_type, 'flash_attn': not a.no_flash_attn, 'q4_0_head': f'token_embd (tied head) at {a.head_type}',
            'threads': a.threads, 'cpus_pinned': sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else None,
            'cpu': cpu_name(), 'load_average_at_start': round(load_start[0], 2)}
    if a.pythons: return _paired(a, files, prompt, meta)
    runners = {t: _runner(LlamaCppModel, f, a) for t, f in files.items()}

    def run(lm): return lm.greedy(prompt, a.new)          # greedy, no stop ids: exactly `new` tokens
    def timed(lm): return _split(lm, prompt, a.new)
    times = {t: [] for t in runners}; pre = {t: [] for t in runners}; dec = {t: [] for t in runners}
    for lm in runners.values(): run(lm)                     # warm-up
    load0, cpu0 = os.getloadavg(), cpu_times()
    for _ in range(a.reps):                                 # interleaved, so background load hits every type alike
        for t, lm in runners.items():
            s = time.perf_counter(); out = run(lm); times[t].append(time.perf_counter() - s)
            assert len(out) == a.new
            p, d, sout = timed(lm); pre[t].append(p); dec[t].append(d)
            assert sout == out, 'the timed prefill/advance loop disagrees with LlamaCppModel.greedy'
    load1, other = os.getloadavg(), other_cpu(cpu0)
    res = {}
    ref = run(runners[types[0]])
    for t, ts in times.items():
        out = run(runners[t])
        res[t] = {'tokens_per_s_median': round(a.new / statistics.median(ts)), 'tokens_per_s_best': round(a.new / min(ts)),
                  'ms_per_100_tokens_median': round(1000 * statistics.median(ts) * 100 / a.new, 1),
                  'prefill_ms_median': round(1000 * statistics.median(pre[t]), 2),
                  'decode_only_tokens_per_s_median': round(a.new / statistics.median(dec[t])),
                  'decode_only_tokens_per_s_best': round(a.new / min(dec[t])),
                  'bytes': files[t].stat().st_size,
                  f'greedy_tokens_equal_to_{types[0]}': sum(x == y for x, y in zip(out, ref))}
    out = {'what': f'greedy decode in llama.cpp with its KV cache, {a.new} new tokens after a {a.prompt}-token prompt, batch 1; '
                   'tokens_per_s = new tokens / (prefill + decode) wall time',
           **meta, 'load_average_before_after': [round(load0[0], 2), round(load1[0], 2)], 'other_cpu_during_timing': other,
           'note': "the 1-minute load average counts this benchmark's own 2 busy threads (~1.5 after a run on an idle machine); "
                   'other_cpu_during_timing is what the rest of the machine used while timing (cores busy outside this process, and hypervisor steal)',
           'reps': a.reps, 'write_gguf_s': round(export_s, 1),
           'build': {'label': a.build, 'system_info': llama_cpp.llama_print_system_info().decode().strip(' |'),
                     'llama_cpp_python_path': str(Path(llama_cpp.__file__).parent),
                     'omp_env': {k: v for k, v in os.environ.items() if k.startswith(('OMP_', 'GOMP_'))}},
           'versions': {'llama_cpp_python': llama_cpp.__version__, 'torch': torch.__version__, 'numpy': np.__version__},
           'results': res}
    if 'Q4_0' in res: out['targets'] = {'q4_0_tokens_per_s>=1500': res['Q4_0']['tokens_per_s_median'] >= 1500}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

def small_tokenizer(folder:Path)->Path:
    "A small BPE trained on a few lines, saved in `folder` (write_gguf pads its unused ids to the model's vocabulary)."
    from robolm.tokenizers import train_bpe, TokenizerConfig, save_tokenizer, hf_to_tiktoken
    hf = train_bpe(['from machine import Pin\nled = Pin(2, Pin.OUT)\nled.value(1)\n' * 20], TokenizerConfig(vocab_size=300))
    save_tokenizer(hf_to_tiktoken(hf), folder, hf)
    return folder

def _serve(a):
    "A --pythons worker: one GGUF file in this interpreter's llama-cpp-python; times a trial for each 'trial' line read."
    import sys, llama_cpp
    from robolm.hf_export import LlamaCppModel
    lm, prompt = _runner(LlamaCppModel, a.serve, a), json.loads(a.prompt_ids)
    print(json.dumps({'llama_cpp_python': llama_cpp.__version__, 'llama_cpp_python_path': str(Path(llama_cpp.__file__).parent),
                      'system_info': llama_cpp.llama_print_system_info().decode().strip(' |'),
                      'threads': a.threads, 'kv_cache': a.kv_type, 'flash_attn': not a.no_flash_attn}), flush=True)
    for line in sys.stdin:
        if line.strip() != 'trial': break
        lm.greedy(prompt, 4)        # untimed: wakes this process's sleeping threads (in one process they stay awake)
        t = time.perf_counter(); out = lm.greedy(prompt, a.new); e2e = time.perf_counter() - t
        pre, dec, sout = _split(lm, prompt, a.new)
        print(json.dumps({'e2e': e2e, 'prefill': pre, 'decode': dec, 'split_same': sout == out, 'out': out}), flush=True)
    lm.close()

def _paired(a, files, prompt, meta):
    "Paired comparison of llama-cpp-python builds (--pythons): worker processes timed one at a time in shuffled rounds."
    import random, subprocess
    import shlex
    pys = dict(x.split('=', 1) for x in a.pythons.split(','))
    workers, info = {}, {}
    for label, spec in pys.items():
        py, *extra = shlex.split(spec)                      # worker options after the interpreter override the common ones
        for t, f in files.items():
            cmd = [py, str(Path(__file__).resolve()), '--serve', str(f), '--prompt-ids', json.dumps(prompt), '--threads', str(a.threads),
                   '--new', str(a.new), '--kv-type', a.kv_type, '--out', '-'] + (['--no-flash-attn'] if a.no_flash_attn else []) + extra
            workers[label, t] = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            info[label] = json.loads(workers[label, t].stdout.readline()) | {'python': py, 'worker_options': extra}
    def trial(k):
        w = workers[k]; w.stdin.write('trial\n'); w.stdin.flush()
        r = json.loads(w.stdout.readline()); assert r['split_same'] and len(r['out']) == a.new; return r
    for k in workers: trial(k); trial(k)                    # warm-up
    keys, rng, rec = list(workers), random.Random(0), {k: [] for k in workers}
    pids = [w.pid for w in workers.values()]
    load0, cpu0 = os.getloadavg(), cpu_times(pids)
    for _ in range(a.reps):                                 # one round: every worker once, in a new random order
        rng.shuffle(keys)
        for k in keys: rec[k].append(trial(k))
    load1, other = os.getloadavg(), other_cpu(cpu0, pids)
    for w in workers.values(): w.stdin.close(); w.wait()
    med, first = statistics.median, next(iter(pys))
    res = {}
    for (label, t), rs in rec.items():
        e2e = [r['e2e'] for r in rs]
        res.setdefault(label, {})[t] = {
            'tokens_per_s_median': round(a.new / med(e2e)), 'tokens_per_s_best': round(a.new / min(e2e)),
            'tokens_per_s_p10': round(a.new / sorted(e2e)[int(0.9 * len(e2e))]),
            'rounds_at_or_above_1500_tokens_per_s': sum(a.new / x >= 1500 for x in e2e),
            'prefill_ms_median': round(1000 * med(r['prefill'] for r in rs), 2),
            'decode_only_tokens_per_s_median': round(a.new / med(r['decode'] for r in rs)),
            'decode_only_tokens_per_s_best': round(a.new / min(r['decode'] for r in rs)),
            'bytes': files[t].stat().st_size,
            f'speed_vs_{first}_paired_median': round(med(f['e2e'] / r['e2e'] for f, r in zip(rec[first, t], rs)), 3),
            f'greedy_tokens_equal_to_{first}': sum(x == y for x, y in zip(rs[-1]['out'], rec[first, t][-1]['out']))}
    out = {'what': f'greedy decode in llama.cpp with its KV cache, {a.new} new tokens after a {a.prompt}-token prompt, batch 1; '
                   'tokens_per_s = new tokens / (prefill + decode) wall time through LlamaCppModel.greedy; paired trials: '
                   f'{a.reps} rounds, each timing every (build, type) worker process once, one at a time, in a shuffled order, '
                   'after an untimed 4-token greedy call that wakes the worker\'s threads',
           **meta, 'load_average_before_after': [round(load0[0], 2), round(load1[0], 2)], 'other_cpu_during_timing': other,
           'note': "the 1-minute load average counts the benchmark's own 2 busy threads; other_cpu_during_timing is what the rest "
                   "of the machine used while timing. The host's speed drifts (+-20-30% over minutes, invisible in the guest), "
                   'which is why builds are compared in paired rounds; speed_vs_* is the median over rounds of the per-round ratio',
           'reps': a.reps, 'builds': {l: info[l] | {'label': l} for l in pys}, 'results': res}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

def _split(lm, prompt, new):
    "(prefill s, decode s, tokens) of LlamaCppModel.greedy's loop, written out so that the two parts can be timed."
    t = time.perf_counter(); logits = lm.prefill(prompt); t1 = time.perf_counter()
    out = []
    for _ in range(new):
        out.append(int(logits.argmax())); logits = lm.advance(out[-1])
    return t1 - t, time.perf_counter() - t1, out

def _runner(LlamaCppModel, path, a):
    "LlamaCppModel with the benchmark's settings."
    return LlamaCppModel(path, threads=a.threads, cache_type=a.kv_type, flash_attn=not a.no_flash_attn)

if __name__ == '__main__': main()
