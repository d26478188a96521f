"""Issue 14's cases judged by this tree and by another checkout (the judge before the change): for each case, the
verdict a teacher would give and the verdict of each judge, with its reason. The cases are the ones
tests/test_judge_micropython.py runs: the programs the issue names (a Timer after the script returns, busy-waits,
tight ADC and UART loops, servo conventions, weak and exact specs, colours).
  git archive 6f45242 | tar -x -C /tmp/before     # the commit before the fair-judge work
  ln -s $PWD/toolchains/micropython/node_modules /tmp/before/toolchains/micropython/
  python bench/judge_verdicts.py --versus /tmp/before --out bench/results/judge_issue14_verdicts.json
"""
import argparse, json, os, subprocess, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PAIR_CASES = ('blink from a hardware Timer, main program returns', 'Timer toggles, main program spins in while True: pass',
              'poll the button with no sleep', 'blink by polling ticks_ms', 'night light in a tight ADC loop',
              'HC-SR04 timed with while echo.value() == 0: pass')

def _suite():
    sys.path.insert(0, str(HERE/'tests'))
    import test_judge_micropython as T
    return T

def cases()->list:
    "(name, code, checks, a correct program?) for every case of the issue."
    T = _suite()
    out = [(n, c, s, good) for n, c, s, good in T.ISSUE_14]
    out += [(n, code, spec, True) for n, spec, code in T.BOARD_LIMITS]
    out += [(p[2], p[4], p[3], True) for p in T.PAIRS if p[2] in PAIR_CASES]
    return out + [(p[2] + ' (wrong)', p[5], p[3], False) for p in T.PAIRS if p[2] in PAIR_CASES]

def judge(items)->list:
    "Verdicts of the robolm on sys.path: [(passed, reason)]."
    from robolm.mprun import MPRunner, run_task
    r = MPRunner(wall_s=12)
    try:
        out = []
        for code, checks in items:
            try: res = run_task(code, checks, r); out.append((res['passed'], res['reason']))
            except Exception as e: out.append((False, f'{type(e).__name__}: {e}'))
        return out
    finally: r.close()

def in_tree(tree:Path, items)->list:
    env = {**os.environ, 'PYTHONPATH': str(tree), 'ROBOLM_HOME': str(tree)}
    p = subprocess.run([sys.executable, __file__, '--judge-only'], input=json.dumps(items), env=env, cwd=tree,
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--versus'); ap.add_argument('--out'); ap.add_argument('--judge-only', action='store_true')
    a = ap.parse_args()
    if a.judge_only:
        print(json.dumps(judge(json.loads(sys.stdin.read())))); return
    cs = cases()
    items = [(c, s) for _, c, s, _ in cs]
    now, before = in_tree(HERE, items), in_tree(Path(a.versus), items)
    weak = _suite().WEAK_SPECS     # specs that cannot tell (one dark-phase level, two duty samples, 'Count: 3' appears)
    rows = [{'case': n, 'correct_program': good, 'weak_spec': n in weak, 'before': {'passed': b[0], 'reason': b[1]}, 'after': {'passed': x[0], 'reason': x[1]},
             'fair_before': b[0] == good, 'fair_after': x[0] == good} for (n, _, _, good), b, x in zip(cs, before, now)]
    judged = [r for r in rows if not r['weak_spec']]
    res = {'before_tree': str(a.versus), 'cases': len(judged), 'fair_before': sum(r['fair_before'] for r in judged),
           'fair_after': sum(r['fair_after'] for r in judged), 'weak_specs_not_counted': sorted(weak), 'rows': rows}
    Path(a.out).write_text(json.dumps(res, indent=1, ensure_ascii=False) + '\n')
    for r in rows: print(f"{'weak' if r['weak_spec'] else 'ok  ' if r['fair_after'] else 'BAD '} before={r['before']['passed']!s:5} after={r['after']['passed']!s:5} {r['case']}")
    print(f"fair verdicts: before {res['fair_before']}/{len(judged)}, after {res['fair_after']}/{len(judged)} (weak specs not counted: {len(weak)})")

if __name__ == '__main__':
    main()
