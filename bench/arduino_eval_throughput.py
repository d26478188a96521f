"""Arduino evaluation throughput end to end on this machine: compile (arduino-builder, warm core cache) + simulate
(avrsim on libsimavr, each project's own `budget_ms`) + checks, over every syllabus project with an `arduino_code`,
with 1 worker and with one per core. Also the mean compile and simulate seconds of one sample.
  python bench/arduino_eval_throughput.py --out bench/results/cpu2_arduino_eval.json
"""
import argparse, glob, json, os, platform, time
from pathlib import Path
import yaml
from robolm.core import project_root
from robolm.arduino import compile_sketch, simulate, task_inputs, run_sketch_tasks, warm_core_cache

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    items, names = [], []
    for f in sorted(glob.glob(str(project_root()/'data/raw/syllabus/*.yaml'))):
        d = yaml.safe_load(open(f, encoding='utf-8'))
        if d.get('arduino_code'): items.append((d['arduino_code'], d['checks'])); names.append(d['project_id'])
    warm_core_cache()
    comp, sim = [], []
    for code, checks in items:                     # one pass, phase by phase
        t0 = time.perf_counter(); c = compile_sketch(code); comp.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); simulate(c.elf, task_inputs(checks), checks.get('budget_ms', 3000)); sim.append(time.perf_counter() - t0)
        c.cleanup()
    runs = {}
    cores = os.cpu_count()
    for workers in sorted({1, cores}):
        t0 = time.perf_counter(); res = run_sketch_tasks(items, workers=workers); dt = time.perf_counter() - t0
        runs[f'{workers}_workers'] = {'seconds': round(dt, 2), 'sketches_per_s': round(len(items) / dt, 3),
                                      'passed': sum(r.passed for r in res)}
    budgets = [c.get('budget_ms', 3000) for _, c in items]
    out = {'machine': f'{platform.processor() or platform.machine()}, {cores} cores', 'python': platform.python_version(),
           'samples': len(items), 'what': 'syllabus arduino_code, each with its own checks and budget_ms',
           'simulated_ms_total': sum(budgets), 'simulated_ms_mean': round(sum(budgets) / len(budgets)),
           'compile_s_mean': round(sum(comp) / len(comp), 3), 'simulate_s_mean': round(sum(sim) / len(sim), 3),
           'simulate_realtime_factor': round(sum(budgets) / 1000 / sum(sim), 2),
           'end_to_end': runs, 'target_sketches_per_s': 1.5}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n')
    print(json.dumps(out, indent=1))

if __name__ == '__main__': main()
