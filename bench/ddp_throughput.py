"""Data-parallel scaling of the real trainer: `robolm train auto` on 1 GPU and under torchrun on N GPUs (run on the GPU machine).

Each run trains the `small` recipe's model (or --model) on a run folder's tokenized pretraining data for --steps steps
with --batch-size sequences per GPU, so N GPUs see N times the tokens per step. Throughput is read from the run's own
`logs/pretrain_metrics.jsonl` (global tokens/s as the trainer logs it), skipping the first --skip-rows rows (compile,
warm-up); the speedup is N-GPU tokens/s over 1-GPU tokens/s.
  python bench/ddp_throughput.py --data .exp/gpurun --gpus 2 --out $OUT/h200x2_ddp.json
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time
from pathlib import Path

MAIN = 'import sys; from robolm.cli import main; sys.exit(main(sys.argv[1:]))'

def run(data:Path, n:int, a, work:Path)->dict:
    run_dir = work/f'ddp{n}'
    shutil.rmtree(run_dir, ignore_errors=True); run_dir.mkdir(parents=True)
    for sub in ('data', 'tokenizer'): shutil.copytree(data/sub, run_dir/sub)
    train = [sys.executable, '-c', MAIN, 'train', 'auto', '--recipe', a.recipe, '--run', str(run_dir), '--phase', 'pretrain',
             '--max-steps', str(a.steps), '--eval-every', str(a.steps), '--ckpt-every', str(10 * a.steps), '--sample-every', '0',
             '--batch-size', str(a.batch_size), '--set', f'log_every={a.log_every}', '--set', 'eval_batches=4']
    if a.model: train += ['--model', a.model]
    launcher = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={n}', '--no-python', '--'] if n > 1 else []
    t0 = time.time()
    p = subprocess.run(launcher + train, capture_output=True, text=True, env=os.environ | {'PYTHONUNBUFFERED': '1'})
    if p.returncode: raise SystemExit(f'{n} GPU run failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}')
    rows = [json.loads(l) for l in (run_dir/'logs/pretrain_metrics.jsonl').read_text().splitlines()]
    rows = [r for r in rows if 'tokens_per_s' in r and 'val_loss' not in r][a.skip_rows:]
    if not rows: raise SystemExit(f'{n} GPU run logged no throughput rows after skipping {a.skip_rows}')
    return {'gpus': n, 'tokens_per_s_median': round(statistics.median(r['tokens_per_s'] for r in rows)),
            'mfu_median': statistics.median(r['mfu'] for r in rows) if 'mfu' in rows[0] else None,
            'rows': len(rows), 'final_loss': rows[-1]['loss'], 'wall_s': round(time.time() - t0, 1),
            'log_tail': p.stdout.strip().splitlines()[-3:]}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='run folder with data/ (pretrain_*.bin) and tokenizer/')
    ap.add_argument('--gpus', type=int, default=2); ap.add_argument('--recipe', default='small'); ap.add_argument('--model')
    ap.add_argument('--steps', type=int, default=200); ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--log-every', type=int, default=10); ap.add_argument('--skip-rows', type=int, default=3)
    ap.add_argument('--work', default='/tmp/ddp_bench'); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    import torch
    res = {'what': f'robolm train auto, pretrain phase, {a.steps} steps, batch {a.batch_size} x 1024 tokens per GPU',
           'gpu': torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu', 'torch': torch.__version__, 'recipe': a.recipe, 'model': a.model, 'runs': []}
    for n in (1, a.gpus):
        r = run(Path(a.data), n, a, Path(a.work)); res['runs'].append(r); print(json.dumps(r), flush=True)
    res['speedup'] = round(res['runs'][1]['tokens_per_s_median'] / res['runs'][0]['tokens_per_s_median'], 3)
    res['target_speedup'] = 1.8
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
