"""Tokenization throughput of robolm's tokenizer path on this machine.

Trains an 8K byte-level BPE (robolm.tokenizers.train_bpe, the data stage's own code) on part of the fixed CPython
corpus of ../shared/data, converts it to tiktoken (hf_to_tiktoken), then encodes the whole 31.6 MB corpus the way the
tokenize stage does (`encode_ordinary_batch`, one document per file) with 1 and with every core. Best of --repeats.
  python bench/tokenize_throughput.py --out bench/results/cpu2_tokenize.json
"""
import argparse, json, lzma, os, platform, re, time
from pathlib import Path
from robolm.tokenizers import TokenizerConfig, train_bpe, hf_to_tiktoken

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', default=str(Path(__file__).resolve().parents[1].parent/'shared/data/cpython-3.11-stdlib.txt.xz'))
    ap.add_argument('--vocab', type=int, default=8192); ap.add_argument('--train-bytes', type=int, default=4_000_000)
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    raw = lzma.open(a.corpus, 'rt', encoding='utf-8').read()
    docs = [m[2] for m in re.finditer(r'^# ==== (.+?) ====\n(.*?)(?=^# ==== |\Z)', raw, re.S | re.M)]
    nbytes = sum(len(d.encode()) for d in docs)
    train, size = [], 0
    for d in docs:
        if size > a.train_bytes: break
        train.append(d); size += len(d.encode())
    t0 = time.perf_counter(); hf = train_bpe(train, TokenizerConfig(vocab_size=a.vocab)); train_s = time.perf_counter() - t0
    enc = hf_to_tiktoken(hf)
    cores = os.cpu_count()
    res = {}
    for threads in sorted({1, cores}):
        best = min(_timed(lambda: enc.encode_ordinary_batch(docs, num_threads=threads)) for _ in range(a.repeats))
        res[f'tiktoken_{threads}_threads'] = {'seconds': round(best, 3), 'mb_per_s': round(nbytes / 1e6 / best, 2)}
    best = min(_timed(lambda: hf.encode_batch(docs, add_special_tokens=False)) for _ in range(a.repeats))
    res[f'hf_tokenizers_batch_{cores}_cores'] = {'seconds': round(best, 3), 'mb_per_s': round(nbytes / 1e6 / best, 2)}
    ntok = sum(map(len, enc.encode_ordinary_batch(docs, num_threads=cores)))
    out = {'machine': f'{platform.processor() or platform.machine()}, {cores} cores', 'python': platform.python_version(),
           'corpus': Path(a.corpus).name, 'documents': len(docs), 'bytes': nbytes, 'tokens': ntok,
           'bytes_per_token': round(nbytes / ntok, 3), 'vocab_size': a.vocab, 'bpe_train_bytes': size,
           'bpe_train_seconds': round(train_s, 2), 'encode': res, 'target_mb_per_s': 20}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

def _timed(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0

if __name__ == '__main__': main()
