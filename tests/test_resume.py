"""Crash-safe, exact resume of `robolm train auto`, in subprocesses as users run it.

A run of N steps must equal, bit for bit, the same run SIGKILLed at random moments (some of them in the middle of a
checkpoint save) and resumed; SIGTERM finishes the step, saves and exits 0; `--auto-restart` brings a killed run back;
NaN weights are never saved; a full disk stops with a clear message and the previous checkpoint intact; the data
position round-trips; and 2 CPU processes under torchrun (gloo) train like 1 process with the same global batch.
"""
import dataclasses, errno, json, math, multiprocessing, os, random, shutil, signal, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from robolm.cli import main
from robolm.core import RobolmError, ConfigError, read_json
from robolm.datasets import PretrainBatches, SFTBatches
from robolm.models import ModelConfig
import robolm.trainers as T

STEPS = 30
MAIN = 'import sys; from robolm.cli import main; sys.exit(main(sys.argv[1:]))'
ARGS = ['--recipe', 'tiny', '--phase', 'pretrain', '--max-steps', str(STEPS), '--ckpt-every', '3', '--eval-every', '6',
        '--keep-last', '2', '--threads', '1', '--batch-size', '4', '--set', 'seq_len=32', '--set', 'log_every=1',
        '--set', 'warmup_steps=3', '--set', 'tensorboard=false']
ENV = os.environ | {'PYTHONUNBUFFERED': '1', 'OMP_NUM_THREADS': '1'}


@pytest.fixture(scope='module')
def base(tmp_path_factory):
    "A synthetic run folder (tokenizer + data), a tiny model config, and the uninterrupted reference run."
    d = tmp_path_factory.mktemp('resume')
    T.synthetic_run(d / 'data_only')
    (d / 'model.yaml').write_text('dim: 32\nn_layers: 2\nn_heads: 2\nmax_seq_len: 64\n')
    ref = fresh(d, 'reference')
    p = subprocess.run(cmd(d, ref), env=ENV, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return d, ref


def fresh(d, name):
    run = d / name
    shutil.copytree(d / 'data_only', run)
    return run


def cmd(d, run, *extra, launcher=()):
    return [*launcher, sys.executable, '-c', MAIN, 'train', 'auto', '--run', str(run), '--model', str(d / 'model.yaml'), *ARGS, *extra]


def start(d, run, *extra):
    "Start a training subprocess and return once its training loop runs (imports done)."
    p = subprocess.Popen(cmd(d, run, *extra), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        if '; steps ' in line: break
    return p


def final_state(run, step=STEPS):
    ck = run / f'checkpoints/pretrain/step_{step:07d}'
    st = torch.load(ck / 'trainer_state.pt', weights_only=True)
    return (ck / 'model.safetensors').read_bytes(), st


def tensors(obj, path='optimizer'):
    "(path, tensor) of every tensor in a nested optimizer state dict (AdamW's, or Muon+AdamW's {'adamw': .., 'muon': ..})."
    if isinstance(obj, torch.Tensor): yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items(): yield from tensors(v, f'{path}.{k}')
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj): yield from tensors(v, f'{path}[{i}]')


def assert_same_run(ref, run):
    "Bit-for-bit equal final weights and optimizer state, and the same logged loss at every step."
    wa, sa = final_state(ref); wb, sb = final_state(run)
    assert wa == wb, 'final weights differ'
    ta, tb = list(tensors(sa['optimizer'])), list(tensors(sb['optimizer']))
    assert [k for k, _ in ta] == [k for k, _ in tb] and len(ta) > 0
    for (k, va), (_, vb) in zip(ta, tb): assert torch.equal(va, vb), f'{k} differs'
    assert sa['train_state']['step'] == sb['train_state']['step'] == STEPS
    assert sa['train_state']['best_val'] == sb['train_state']['best_val']
    rows = lambda r: [(x['step'], x['loss'], x.get('val_loss')) for x in T.MetricsLog(r / 'logs/pretrain_metrics.jsonl').read() if 'loss' in x]
    assert rows(ref) == rows(run) and len(rows(ref)) == STEPS


def kill_and_resume(d, ref, seed, ctx, *extra):
    """One randomized trial: 1-2 SIGKILLs at random moments or in the middle of a save, then a run to the end.

    The training processes are forked from a server that has already imported torch and robolm (`forkserver` with
    preload), so a launch costs milliseconds instead of seconds of imports; each is still its own process, killed
    with SIGKILL, and each resumed run starts from the files on disk alone."""
    rng = random.Random(seed)
    run = fresh(d, f'trial{seed}')
    argv = cmd(d, run, *extra)[3:]
    tmp_seen = 0
    ckdir, metrics = run / 'checkpoints/pretrain', run / 'logs/pretrain_metrics.jsonl'
    for _ in range(rng.randint(1, 2)):
        p = ctx.Process(target=main, args=(argv,), daemon=True); p.start()
        t_end = time.time() + 60
        while p.is_alive() and time.time() < t_end and not (ckdir.exists() and metrics.exists()): time.sleep(0.001)
        if rng.random() < 0.5:      # kill the moment a checkpoint is being written
            while p.is_alive() and time.time() < t_end:
                if ckdir.exists() and any(n.startswith('.tmp-') for n in os.listdir(ckdir)): break
                time.sleep(0.0002)
        else:
            time.sleep(rng.uniform(0, 0.8))
        mid_save = ckdir.exists() and any(n.startswith('.tmp-') for n in os.listdir(ckdir))
        try: os.kill(p.pid, signal.SIGKILL)        # the run may have finished on its own on a fast machine
        except ProcessLookupError: pass
        p.join()
        tmp_seen += mid_save
    p = ctx.Process(target=main, args=(argv,)); p.start(); p.join(120)
    assert p.exitcode == 0
    assert_same_run(ref, run)
    return tmp_seen


def test_sigkill_at_random_moments_resumes_bit_exact(base):
    d, ref = base
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload(['robolm.cli', 'robolm.trainers', 'robolm.pipeline', 'robolm.eval', 'torch._dynamo', 'matplotlib.pyplot'])
    with ThreadPoolExecutor(2) as ex: mid_saves = list(ex.map(lambda s: kill_and_resume(d, ref, s, ctx), range(10)))
    print(f'kills during a save: {sum(mid_saves)} (trials {mid_saves})')
    assert sum(mid_saves) >= 1      # at least one kill landed while a checkpoint folder was half-written


def test_muon_sigkill_resumes_bit_exact(base):
    "optimizer: muon (Muon + AdamW, two optimizers in one checkpoint) resumes bit for bit after SIGKILLs too."
    d, _ = base
    ref = fresh(d, 'muon_reference')
    p = subprocess.run(cmd(d, ref, '--set', 'optimizer=muon'), env=ENV, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    st = torch.load(ref / f'checkpoints/pretrain/step_{STEPS:07d}/trainer_state.pt', weights_only=True)
    assert sorted(st['optimizer']) == ['adamw', 'muon'] and st['optimizer']['muon']['state']
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload(['robolm.cli', 'robolm.trainers', 'robolm.pipeline', 'robolm.eval', 'torch._dynamo', 'matplotlib.pyplot'])
    with ThreadPoolExecutor(2) as ex: list(ex.map(lambda s: kill_and_resume(d, ref, s, ctx, '--set', 'optimizer=muon'), (100, 101)))


def test_muon_trains_resumes_and_checks_its_name(base, tmp_path):
    "In process, in seconds: Muon lowers the loss, a stop + resume equals the uninterrupted run, a bad name is a ConfigError."
    d, _ = base
    cfg = T.TrainConfig(steps=10, batch_size=4, seq_len=32, warmup_steps=2, eval_every=5, ckpt_every=5, eval_batches=2,
                        log_every=1, threads=1, tensorboard=False, optimizer='muon')
    a, b = fresh(d, 'muon_a'), fresh(d, 'muon_b')
    T.train(a, 'pretrain', _tiny(d), cfg, log=lambda *_: None)
    T.train(b, 'pretrain', _tiny(d), cfg, stop_after=3, log=lambda *_: None)
    T.train(b, 'pretrain', _tiny(d), cfg, log=lambda *_: None)
    losses = [r['loss'] for r in T.MetricsLog(a / 'logs/pretrain_metrics.jsonl').read() if 'loss' in r]
    assert len(losses) == 10 and sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.05, losses
    wa, wb = (load_file(r / 'checkpoints/pretrain/step_0000010/model.safetensors') for r in (a, b))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    y = tmp_path / 'bad.yaml'
    y.write_text('steps: 10\noptimizer: sgd\n')
    with pytest.raises(ConfigError, match=r"bad.yaml:2: TrainConfig.optimizer: 'sgd' is not one of \['adamw', 'muon'\]"):
        T.load_train_config(str(y))
    with pytest.raises(ConfigError, match=r"TrainConfig.optimizer: 'Muon' is not one of"):
        T.train_auto(a, 'tiny', model=str(d / 'model.yaml'), optimizer='Muon', log=lambda *_: None)
    logged = []     # another optimizer is another run: the muon checkpoints move aside, never resumed from nor deleted
    T.train(a, 'pretrain', _tiny(d), T.TrainConfig(**(dataclasses.asdict(cfg) | {'optimizer': 'adamw', 'steps': 12})), log=logged.append)
    moved = list((a / 'checkpoints').glob('pretrain.superseded-*'))
    assert len(moved) == 1 and (moved[0] / 'step_0000010/model.safetensors').exists(), moved
    assert any("TrainConfig.optimizer: 'muon' -> 'adamw'" in l and 'moved them to' in l for l in logged), logged


def test_sigterm_saves_and_exits_0_then_resumes(base):
    d, ref = base
    run = fresh(d, 'sigterm')
    p = start(d, run)
    p.send_signal(signal.SIGTERM)
    out = p.communicate(timeout=60)[0]
    assert p.returncode == 0, out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary['stopped_early'] and 0 < summary['step'] < STEPS
    assert (run / f"checkpoints/pretrain/step_{summary['step']:07d}").exists()          # saved at the step it stopped
    p = subprocess.run(cmd(d, run), env=ENV, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and f"resumed pretrain at step {summary['step']}" in p.stdout
    assert_same_run(ref, run)


def test_auto_restart_after_a_crash(base):
    d, ref = base
    run = fresh(d, 'supervised')
    sup = subprocess.Popen(cmd(d, run, '--auto-restart', '--restart-backoff', '0.1'), env=ENV, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    events = run / 'logs/supervisor.jsonl'
    t_end = time.time() + 60
    while time.time() < t_end and not (run / 'checkpoints/pretrain/latest').exists(): time.sleep(0.02)
    child = T.MetricsLog(events).read()[0]['pid']
    os.kill(child, signal.SIGKILL)                       # the training process dies; the supervisor restarts it
    out = sup.communicate(timeout=120)[0]
    assert sup.returncode == 0, out
    ev = T.MetricsLog(events).read()
    assert [e['event'] for e in ev] == ['start', 'crash', 'start', 'exit']
    assert ev[1]['reason'] == 'killed by SIGKILL' and ev[1]['restart_in'] == 0.1 and ev[3]['returncode'] == 0
    assert 'restart 1 of 5' in out
    assert_same_run(ref, run)


def test_data_position_round_trips(base):
    d, _ = base
    data = d / 'data_only/data'
    a = PretrainBatches(data / 'pretrain_train.bin', np.uint16, 32, 4, seed=5)
    b = PretrainBatches(data / 'pretrain_train.bin', np.uint16, 32, 4, seed=5)    # as rebuilt by a resumed run
    assert a.state_dict() == b.state_dict()
    for step in range(17, 21):
        for micro in range(2): assert torch.equal(a.batch(step, micro)[0], b.batch(step, micro)[0])
    halves = [PretrainBatches(data / 'pretrain_train.bin', np.uint16, 32, 2, seed=5, rank=r, world=2) for r in (0, 1)]
    assert torch.equal(torch.cat([h.batch(19)[0] for h in halves]), a.batch(19)[0])
    assert halves[0].state_dict() == a.state_dict()       # same global batch: same data position
    s1, s2 = (SFTBatches(data / 'sft_train', np.uint16, 32, 3, 0, seed=5) for _ in range(2))
    assert all(torch.equal(s1.batch(k, 0, 2)[0], s2.batch(k, 0, 2)[0]) for k in range(5))


def _tiny(d):
    return ModelConfig(vocab_size=512, dim=32, n_layers=2, n_heads=2, max_seq_len=64)


def test_nan_weights_roll_back_and_are_never_best(base):
    d, _ = base
    run = fresh(d, 'nan')
    hit = set()
    def poison(step, model, loss):     # the update at step index 5 turns a weight matrix into NaN
        if step == 5 and step not in hit:
            hit.add(step); next(model.parameters()).data.fill_(float('nan'))
        return loss
    cfg = T.TrainConfig(steps=12, batch_size=4, seq_len=32, warmup_steps=2, eval_every=6, ckpt_every=3, eval_batches=2, threads=1, tensorboard=False)
    s = T.train(run, 'pretrain', _tiny(d), cfg, on_backward=poison, log=lambda *_: None)
    assert s['step'] == 12 and s['rollbacks'] == 1 and s['lr_scale'] == 0.5 and math.isfinite(s['best_val_loss'])
    for ck in (run / 'checkpoints/pretrain').glob('step_*'):
        assert all(torch.isfinite(v).all() for v in load_file(ck / 'model.safetensors').values()), ck


def test_full_disk_keeps_previous_checkpoint(base, monkeypatch):
    d, _ = base
    run = fresh(d, 'full')
    cfg = T.TrainConfig(steps=12, batch_size=4, seq_len=32, warmup_steps=2, eval_every=6, ckpt_every=3, eval_batches=2, threads=1, tensorboard=False)
    real, calls = T._write_bytes, []
    def fake(path, data):          # the third checkpoint's state file hits a full disk halfway through
        calls.append(path)
        if len(calls) == 3 * 2 - 1:
            with open(path, 'wb') as f: f.write(data[:len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)
    monkeypatch.setattr(T, '_write_bytes', fake)
    with pytest.raises(T.CheckpointError, match=r'No space left on device.*step_0000006 is intact.*run the same command again'):
        T.train(run, 'pretrain', _tiny(d), cfg, log=lambda *_: None)
    ck = run / 'checkpoints/pretrain'
    assert sorted(p.name for p in ck.iterdir()) == ['best', 'latest', 'step_0000003', 'step_0000006']
    T.Checkpointer.verify(ck / 'latest')
    monkeypatch.setattr(T, '_write_bytes', real)
    assert T.train(run, 'pretrain', _tiny(d), cfg, log=lambda *_: None)['step'] == 12      # resumes once there is space


TORCHRUN = (sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--no-python', '--')


def test_ddp_two_processes_equal_one_and_resume(base):
    "2 gloo processes of 4 rows == 1 process of 8 rows (allclose: gradient all-reduce sums in another order); DDP resume is bit-exact."
    d, _ = base
    short = ['--max-steps', '8', '--ckpt-every', '4']
    one, two, cut = fresh(d, 'ddp1'), fresh(d, 'ddp2'), fresh(d, 'ddp2cut')
    p = subprocess.run(cmd(d, one, *short, '--batch-size', '8'), env=ENV, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    for run, extra in ((two, ()), (cut, ('--stop-after', '4')), (cut, ())):
        p = subprocess.run(cmd(d, run, *short, *extra, launcher=TORCHRUN), env=ENV, capture_output=True, text=True, timeout=180)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert 'x2 processes' in p.stdout and 'resumed pretrain at step 4' in p.stdout
    w1, w2, w3 = (load_file(r / 'checkpoints/pretrain/step_0000008/model.safetensors') for r in (one, two, cut))
    worst = max(float((w1[k] - w2[k]).abs().max()) for k in w1)
    print(f'max |1 process - 2 processes| weight difference after 8 steps: {worst:.2e}')
    assert all(torch.allclose(w1[k], w2[k], rtol=1e-5, atol=1e-6) for k in w1), worst   # measured: ~6e-8
    assert all(torch.equal(w2[k], w3[k]) for k in w2)        # resumed under DDP == uninterrupted under DDP
    assert read_json(two / 'logs/pretrain_summary.json')['world_size'] == 2
    assert read_json(two / 'logs/pretrain_summary.json')['tokens'] == read_json(one / 'logs/pretrain_summary.json')['tokens']
