"""Arduino evaluation throughput end to end on this machine: compile (arduino-builder, warm core cache) + simulate
(avrsim on libsimavr, each project's own `budget_ms`) + checks, over every syllabus project with an `arduino_code`,
with 1 worker and with one per core. Also the mean compile and simulate seconds of one sample.
  python bench/arduino_eval_throughput.py --out bench/results/cpu2_arduino_eval.json
`--versus DIR` compares with another checkout (e.g. `git archive BASE | tar -x -C DIR`, with its own
.cache/toolchains/avrsim): the one-per-core run alternates between this tree and DIR, `--rounds` times each, every
run in a fresh process, so both see the same machine load. `--paired` instead times each sketch (compile + simulate)
in both trees back to back, one thread, both imported in this process (DIR's package as `robolm_base`): on a shared
machine the pairs see nearly the same load.
  python bench/arduino_eval_throughput.py --versus /tmp/base --rounds 3 --out bench/results/cpu2_arduino_eval_sandbox.json
  python bench/arduino_eval_throughput.py --versus /tmp/base --paired --out bench/results/cpu2_arduino_eval_sandbox_paired.json
"""
import argparse, glob, importlib.util, json, os, platform, statistics, subprocess, sys, time
from pathlib import Path
import yaml

HERE = Path(__file__).resolve().parent.parent

def syllabus_items(root)->list:
    items = []
    for f in sorted(glob.glob(str(Path(root)/'data/raw/syllabus/*.yaml'))):
        d = yaml.safe_load(open(f, encoding='utf-8'))
        if d.get('arduino_code'): items.append((d['arduino_code'], d['checks']))
    return items

def end_to_end(items, workers)->dict:
    from robolm.arduino import run_sketch_tasks, warm_core_cache
    warm_core_cache()
    t0 = time.perf_counter(); res = run_sketch_tasks(items, workers=workers); dt = time.perf_counter() - t0
    return {'seconds': round(dt, 2), 'sketches_per_s': round(len(items) / dt, 3), 'passed': sum(r.passed for r in res)}

def one_tree(tree:Path, workers:int)->dict:
    "`end_to_end` of the robolm in `tree`, in a fresh process."
    env = {**os.environ, 'PYTHONPATH': str(tree), 'ROBOLM_HOME': str(tree)}
    out = subprocess.run([sys.executable, __file__, '--e2e-only', str(workers)], env=env, cwd=tree,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])

def versus(base:Path, rounds:int)->dict:
    cores, runs = os.cpu_count(), {'this': [], 'base': []}
    for i in range(rounds):
        for k, tree in (('this', HERE), ('base', base)) if i % 2 == 0 else (('base', base), ('this', HERE)):
            runs[k].append(one_tree(tree, cores)); print(k, runs[k][-1], flush=True)
    med = {k: statistics.median(r['sketches_per_s'] for r in v) for k, v in runs.items()}
    return {'machine': f'{platform.processor() or platform.machine()}, {cores} cores', 'python': platform.python_version(),
            'samples': len(syllabus_items(HERE)), 'workers': cores, 'rounds': rounds, 'base': str(base),
            'runs': runs, 'median_sketches_per_s': med, 'ratio_this_to_base': round(med['this'] / med['base'], 3)}

def paired(base:Path)->dict:
    spec = importlib.util.spec_from_file_location('robolm_base', base/'robolm/__init__.py', submodule_search_locations=[str(base/'robolm')])
    sys.modules['robolm_base'] = m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    import robolm_base.arduino as A0, robolm.arduino as A1
    trees, t = {'base': A0, 'this': A1}, {'base': [], 'this': []}
    for A in trees.values(): A.warm_core_cache()
    items = syllabus_items(HERE)
    for i, (code, checks) in enumerate(items):
        for k in ('base', 'this') if i % 2 == 0 else ('this', 'base'):
            A = trees[k]; t0 = time.perf_counter()
            c = A.compile_sketch(code); A.simulate(c.elf, A.task_inputs(checks), checks.get('budget_ms', 3000)); c.cleanup()
            t[k].append(time.perf_counter() - t0)
    return {'machine': f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores', 'python': platform.python_version(),
            'samples': len(items), 'base': str(base), 'what': 'compile + simulate of each sketch, one thread, base and this back to back',
            'seconds': {k: round(sum(v), 2) for k, v in t.items()},
            'median_ratio_this_to_base': round(statistics.median(b / a for a, b in zip(t['base'], t['this'])), 3)}

def single(items)->dict:
    from robolm.arduino import compile_sketch, simulate, task_inputs, warm_core_cache
    warm_core_cache()
    comp, sim = [], []
    for code, checks in items:                     # one pass, phase by phase
        t0 = time.perf_counter(); c = compile_sketch(code); comp.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); simulate(c.elf, task_inputs(checks), checks.get('budget_ms', 3000)); sim.append(time.perf_counter() - t0)
        c.cleanup()
    cores = os.cpu_count()
    runs = {f'{w}_workers': end_to_end(items, w) for w in sorted({1, cores})}
    budgets = [c.get('budget_ms', 3000) for _, c in items]
    return {'machine': f'{platform.processor() or platform.machine()}, {cores} cores', 'python': platform.python_version(),
            'samples': len(items), 'what': 'syllabus arduino_code, each with its own checks and budget_ms',
            'simulated_ms_total': sum(budgets), 'simulated_ms_mean': round(sum(budgets) / len(budgets)),
            'compile_s_mean': round(sum(comp) / len(comp), 3), 'simulate_s_mean': round(sum(sim) / len(sim), 3),
            'simulate_realtime_factor': round(sum(budgets) / 1000 / sum(sim), 2),
            'end_to_end': runs, 'target_sketches_per_s': 1.5}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out')
    ap.add_argument('--versus', type=Path, help='another checkout to compare with, alternating runs')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--paired', action='store_true', help='with --versus: per-sketch paired timing, one thread')
    ap.add_argument('--e2e-only', type=int, help=argparse.SUPPRESS)     # one end-to-end run (used by --versus)
    a = ap.parse_args()
    if a.e2e_only:
        print(json.dumps(end_to_end(syllabus_items(os.environ.get('ROBOLM_HOME', HERE)), a.e2e_only))); return
    if not a.out: ap.error('--out is required')
    if a.versus: out = paired(a.versus.resolve()) if a.paired else versus(a.versus.resolve(), a.rounds)
    else: out = single(syllabus_items(HERE))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

if __name__ == '__main__': main()
