"""Tokens per word and per character, by prompt language, for each tokenizer config, on the sample data.

Runs the data stage (configs/data/sample.yaml) into a scratch run, trains each tokenizer config on it with the
pipeline's own `train_tokenizer`, and writes the per-language report (plus the keyword check and bytes per token on
the held-out pretraining text) as JSON.
  python bench/tokenizer_languages.py --out bench/results/cpu2_tokenizer_languages.json
"""
import argparse, json, shutil, tempfile, time
from pathlib import Path
from robolm.data import load_data_config
from robolm.corpus import prepare_data
from robolm.tokenizers import train_tokenizer, load_tokenizer_config

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='sample'); ap.add_argument('--tokenizers', default='bpe4k,bpe8k,bpe16k')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    base = Path(tempfile.mkdtemp())
    summary = prepare_data(base, load_data_config(a.data), log=lambda *_: None)
    out = {'data': a.data, 'train_instructions_by_lang': summary['instructions_by_lang'], 'tokenizers': {}}
    for name in a.tokenizers.split(','):
        run = base/name; shutil.copytree(base/'data', run/'data')
        t0 = time.time(); r = train_tokenizer(run, load_tokenizer_config(name))
        out['tokenizers'][name] = {'vocab_size': r['vocab_size'], 'train_seconds': round(time.time() - t0, 1),
                                   'tokens_per_word': r['tokens_per_word'], 'tokens_per_char': r['tokens_per_char'],
                                   'bytes_per_token_val': r['bytes_per_token_val'],
                                   'train_instruction_tokens_by_lang': r['train_instruction_tokens_by_lang'],
                                   'keywords_single_token': all(v == {'bare': 1, 'spaced': 1} for v in r['keywords'].values())}
    shutil.rmtree(base)
    Path(a.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + '\n')
    print(json.dumps(out, indent=1, ensure_ascii=False))

if __name__ == '__main__': main()
