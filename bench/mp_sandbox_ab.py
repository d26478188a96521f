"""MicroPython judge throughput before and after a change, measured alternately in one session on this machine:
the syllabus's 100 programs through `run_tasks` (mpy-cross + API check + WASM MicroPython on the virtual ESP32 +
checks) with one worker per core, best of `--passes` passes per round, rounds alternating old and new code.
The old code is `git archive` of `--base` in a temporary folder, imported in a child process instead of the checkout
(the toolchains are linked from the checkout, so both sides run the same Node and wasm files).
  python bench/mp_sandbox_ab.py --base d755310 --out bench/results/cpu2_mp_eval_sandbox.json
"""
import argparse, glob, json, os, platform, statistics, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import sys, json, time, glob
tree, passes = sys.argv[1], int(sys.argv[2])
sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]   # import robolm from `tree`, not the checkout
sys.path.insert(0, tree)
import os; os.environ['ROBOLM_HOME'] = tree
import yaml, robolm
assert robolm.__file__.startswith(tree), robolm.__file__
from robolm.mprun import run_tasks, api_registry
items = []
for f in sorted(glob.glob(tree + '/data/raw/syllabus/*.yaml')):
    d = yaml.safe_load(open(f, encoding='utf-8')); items.append((d['micropython_code'], d['checks']))
api_registry(); run_tasks(items[:10], workers=os.cpu_count())            # warm: registry, staging, page cache
best, passed = None, 0
for _ in range(passes):
    t0 = time.perf_counter(); out = run_tasks(items, workers=os.cpu_count()); dt = time.perf_counter() - t0
    best = dt if best is None else min(best, dt); passed = sum(r['passed'] for r in out)
print(json.dumps({'samples': len(items), 'passed': passed, 'seconds': round(best, 3), 'samples_per_s': round(len(items) / best, 2)}))
'''


def base_tree(rev:str)->Path:
    "The code of `rev` in a temporary folder, with the checkout's installed toolchains linked in."
    d = Path(tempfile.mkdtemp(prefix=f'robolm-{rev}-'))
    arc = subprocess.run(['git', 'archive', rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', str(d)], input=arc, check=True)
    (d/'toolchains/micropython/node_modules').symlink_to(ROOT/'toolchains/micropython/node_modules')
    (d/'.cache').mkdir(exist_ok=True)
    return d


def measure(tree:Path, passes:int)->dict:
    p = subprocess.run([sys.executable, '-c', CHILD, str(tree), str(passes)], capture_output=True, text=True, cwd=tree)
    if p.returncode != 0: raise SystemExit(f'{tree}: {p.stderr[-2000:]}')
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--base', required=True); ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--passes', type=int, default=2); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    old = base_tree(a.base)
    rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    runs = {'before': [], 'after': []}
    for i in range(a.rounds):
        for side, tree in ((('before', old), ('after', ROOT)) if i % 2 == 0 else (('after', ROOT), ('before', old))):
            r = measure(tree, a.passes); runs[side].append(r)
            print(side, r, flush=True)
    med = {k: statistics.median(r['samples_per_s'] for r in v) for k, v in runs.items()}
    out = {'machine': f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores', 'python': platform.python_version(),
           'node': subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip(),
           'before': a.base, 'after': rev, 'workers': os.cpu_count(), 'rounds': runs,
           'median_samples_per_s': med, 'after_over_before': round(med['after'] / med['before'], 3),
           'what': 'syllabus micropython_code x100: mpy-cross + API check + WASM MicroPython run + checks; best of passes per round',
           'target': 'after within 10% of before (issue 13)'}
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps({k: out[k] for k in ('median_samples_per_s', 'after_over_before')}))


if __name__ == '__main__':
    main()
