"""Runs never lose or misreport work (issue 13), as users run them: in subprocesses, with real signals.

Ctrl+C in a training stage is recorded as `interrupted` and a re-run resumes from its checkpoint; a second process on
the same run folder is refused with the holder named, and a SIGKILLed holder leaves no stale lock; a config change
outside the resume-safe fields moves checkpoints aside (never deletes them), one inside them resumes; bad config
values, torn weights, bad tokenizer lines and broken JSON are errors that name the file (and line and field).
"""
import contextlib, io, json, os, signal, stat, subprocess, sys, time
from pathlib import Path

import pytest

import robolm.trainers as T
from robolm.cli import main
from robolm.core import RobolmError, ConfigError, read_json, write_json, LOCK_ENV
from robolm.pipeline import execute_stage, read_manifest

MAIN = 'import sys; from robolm.cli import main; sys.exit(main(sys.argv[1:]))'
ENV = os.environ | {'PYTHONUNBUFFERED': '1', 'OMP_NUM_THREADS': '1'}
ENV.pop(LOCK_ENV, None)
TRAIN = dict(batch_size=4, seq_len=32, warmup_steps=3, eval_every=50, eval_batches=2, ckpt_every=5, log_every=1, threads=1,
             tensorboard='false')


def write_recipe(d: Path, name: str, steps: int, **train) -> Path:
    "A recipe over a synthetic run's 512-token vocabulary: a tiny model and a pretraining config of `steps`."
    (d/'tok.yaml').write_text('vocab_size: 512\n')
    (d/'model.yaml').write_text('dim: 32\nn_layers: 2\nn_heads: 2\nmax_seq_len: 64\n')
    (d/f'{name}-train.yaml').write_text(''.join(f'{k}: {v}\n' for k, v in (TRAIN | {'steps': steps} | train).items()))
    r = d/f'{name}.yaml'
    r.write_text(f'name: {name}\ndata: tiny\ntokenizer: {d/"tok.yaml"}\nmodel: {d/"model.yaml"}\n'
                 f'pretrain: {d/f"{name}-train.yaml"}\nfinetune: {d/f"{name}-train.yaml"}\n')
    return r


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return T.synthetic_run(tmp_path_factory.mktemp('safety')/'data_only')


def fresh(data, tmp_path, name='run'):
    import shutil
    run = tmp_path/name
    shutil.copytree(data, run)
    return run


def cli(*args):
    return [sys.executable, '-c', MAIN, *map(str, args)]


def wait_for(path: Path, p, timeout=60):
    t_end = time.time() + timeout
    while not path.exists():
        assert p.poll() is None, p.communicate()[0]
        assert time.time() < t_end, f'{path} did not appear'
        time.sleep(0.05)


def test_sigint_interrupted_lock_and_resume(data, tmp_path):
    "Ctrl+C -> interrupted (not done), second process refused naming the holder, SIGKILL frees the lock, re-run resumes to done."
    run, recipe = fresh(data, tmp_path), write_recipe(tmp_path, 'long', steps=100_000)
    p1 = subprocess.Popen(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(run/'checkpoints/pretrain/latest', p1)
    p2 = subprocess.run(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, capture_output=True, text=True, timeout=120)
    assert p2.returncode == 2 and f'in use by pid {p1.pid} on ' in p2.stderr and 'pretrain --recipe' in p2.stderr, p2.stderr

    p1.send_signal(signal.SIGINT)
    out = p1.communicate(timeout=60)[0]
    assert p1.returncode == 130 and 'interrupted: stage pretrain interrupted at step' in out and 'run the same command again' in out, out
    st = read_manifest(run)['stages']['pretrain']
    assert st['status'] == 'interrupted' and 0 < st['summary']['step'] < 100_000, st
    step = st['summary']['step']
    assert (run/f'checkpoints/pretrain/step_{step:07d}/model.safetensors').exists()         # saved where it stopped
    p = subprocess.run(cli('pipeline', 'status', run), env=ENV, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and any(l.split()[:2] == ['pretrain', 'interrupted'] and f'at step {step}' in l for l in p.stdout.splitlines()), p.stdout

    p3 = subprocess.Popen(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p3.stdout:
        if 'resumed pretrain at step' in line: break
    assert f'resumed pretrain at step {step}' in line, line
    p3.kill(); p3.wait()                       # SIGKILL: the kernel drops the lock with the process

    write_recipe(tmp_path, 'long', steps=100_000, log_every=7, ckpt_every=3, keep_last=2)   # resume-safe edits only
    p4 = subprocess.Popen(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p4.stdout:
        if 'resumed pretrain at step' in line: break
    assert 'resumed pretrain at step' in line, line
    p4.send_signal(signal.SIGTERM)
    out = p4.communicate(timeout=60)[0]
    assert p4.returncode == 130 and 'moved' not in out, out
    assert not list((run/'checkpoints').glob('pretrain.superseded-*'))
    assert read_manifest(run)['stages']['pretrain']['summary']['step'] >= step


def test_resume_to_done_after_interruption(data, tmp_path):
    "A stage cut off by SIGINT ends `done` on the re-run, having resumed from its checkpoint, and then is skipped."
    run, recipe = fresh(data, tmp_path), write_recipe(tmp_path, 'short', steps=300)
    p1 = subprocess.Popen(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(run/'checkpoints/pretrain/latest', p1)
    p1.send_signal(signal.SIGINT)
    out = p1.communicate(timeout=60)[0]
    if p1.returncode == 0: pytest.skip('the run finished before the signal (a very fast machine)')
    assert p1.returncode == 130, out
    step = read_manifest(run)['stages']['pretrain']['summary']['step']
    p = subprocess.run(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and f'resumed pretrain at step {step}' in p.stdout, p.stdout + p.stderr
    st = read_manifest(run)['stages']['pretrain']
    assert st['status'] == 'done' and st['summary']['step'] == 300 and not st['summary']['interrupted']
    p = subprocess.run(cli('pretrain', '--recipe', recipe, '--run', run), env=ENV, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and 'up to date, skipped' in p.stdout


def test_config_change_moves_checkpoints_aside(data, tmp_path, capsys):
    "log_every changed: resumed, nothing moved; lr changed: old checkpoints moved aside (still on disk), said in the log."
    run = fresh(data, tmp_path)
    (tmp_path/'model.yaml').write_text('dim: 32\nn_layers: 2\nn_heads: 2\nmax_seq_len: 64\n')
    args = ['train', 'auto', '--recipe', 'tiny', '--run', str(run), '--model', str(tmp_path/'model.yaml'), '--max-steps', '12',
            '--ckpt-every', '3', '--threads', '1', '--batch-size', '4', '--set', 'seq_len=32', '--set', 'tensorboard=false']
    assert main(args + ['--stop-after', '6', '--set', 'log_every=2']) == 0
    assert main(args + ['--stop-after', '9', '--set', 'log_every=4', '--keep-last', '1']) == 0
    out = capsys.readouterr().out
    assert 'resumed pretrain at step 6' in out and 'moved' not in out
    assert not list((run/'checkpoints').glob('pretrain.superseded-*'))
    assert main(args + ['--lr', '0.01']) == 0
    out = capsys.readouterr().out
    moved = list((run/'checkpoints').glob('pretrain.superseded-*'))
    assert len(moved) == 1 and (moved[0]/'step_0000009/model.safetensors').exists() and (moved[0]/'logs/pretrain_metrics.jsonl').exists()
    assert f'TrainConfig.lr: 0.003 -> 0.01); moved them to {moved[0]} and starting from step 0' in out, out
    assert 'resumed' not in out and json.loads(out.strip().splitlines()[-1])['step'] == 12
    assert T.MetricsLog(run/'logs/pretrain_metrics.jsonl').read()[0]['step'] <= 4       # a new run's metrics from the start


def test_pipeline_stage_change_moves_aside(data, tmp_path):
    "A done stage: an edited log_every is still up to date; an edited lr re-runs it with the old checkpoints moved aside."
    run, recipe = fresh(data, tmp_path), write_recipe(tmp_path, 'edit', steps=6)
    logs = []
    execute_stage('pretrain', run, str(recipe), via='inline', log=logs.append)
    write_recipe(tmp_path, 'edit', steps=6, log_every=3, eval_every=2)
    logs.clear(); assert execute_stage('pretrain', run, str(recipe), via='inline', log=logs.append) is None
    assert logs == ['[pretrain] up to date, skipped']
    write_recipe(tmp_path, 'edit', steps=6, lr=0.01)
    logs.clear(); execute_stage('pretrain', run, str(recipe), via='inline', log=logs.append)
    moved = list((run/'checkpoints').glob('pretrain.superseded-*'))
    assert len(moved) == 1 and (moved[0]/'step_0000006/model.safetensors').exists()
    assert any(l.startswith('[pretrain] changed since it last ran: train.lr: moved checkpoints/pretrain to checkpoints/pretrain.superseded-')
               for l in logs), logs
    assert read_manifest(run)['stages']['pretrain']['status'] == 'done'


BAD = [('ckpt_every', 0, 'must be >= 1, got 0'), ('eval_every', 0, 'must be >= 1, got 0'), ('log_every', 0, 'must be >= 1, got 0'),
       ('batch_size', 0, 'must be >= 1, got 0'), ('grad_accum', 0, 'must be >= 1, got 0'), ('lr', -1, 'must be > 0, got -1.0'),
       ('steps', -5, 'must be >= 1, got -5'), ('eval_batches', 0, 'must be >= 1, got 0'), ('keep_last', -1, 'must be >= 0, got -1')]


@pytest.mark.parametrize('field,value,msg', BAD)
def test_bad_training_values_name_file_line_field(tmp_path, field, value, msg):
    y = tmp_path/'x.yaml'
    values = {'steps': 10, 'batch_size': 4, 'log_every': 2} | {field: value}
    y.write_text(''.join(f'{k}: {v}\n' for k, v in values.items()))
    line = 1 + list(values).index(field)
    with pytest.raises(ConfigError) as e: T.load_train_config(str(y))
    assert str(e.value) == f'{y}:{line}: TrainConfig.{field}: {msg}'


@pytest.mark.parametrize('cls,field,value,msg', [
    ('DataConfig', 'val_fraction', 1.5, 'must be in [0, 1), got 1.5'), ('DataConfig', 'augment_multiplier', -1, 'must be >= 0, got -1'),
    ('EvalConfig', 'samples', 0, 'must be >= 1, got 0'), ('EvalConfig', 'top_p', 0, 'must be in (0, 1], got 0.0')])
def test_bad_data_and_eval_values_name_file_line_field(tmp_path, cls, field, value, msg):
    from robolm.core import load_config
    from robolm.data import DataConfig
    from robolm.evaluate import EvalConfig
    y = tmp_path/'x.yaml'
    y.write_text(f'seed: 1\n{field}: {value}\n')
    with pytest.raises(ConfigError) as e: load_config(y, {'DataConfig': DataConfig, 'EvalConfig': EvalConfig}[cls])
    assert str(e.value) == f'{y}:2: {cls}.{field}: {msg}'


def test_bad_values_through_the_cli(data, tmp_path):
    "One line, exit 2, file:line:field -- from a recipe's training file and from a command-line override."
    run, recipe = fresh(data, tmp_path), write_recipe(tmp_path, 'bad', steps=6, eval_batches=0)
    err = io.StringIO()
    with contextlib.redirect_stderr(err): assert main(['pretrain', '--recipe', str(recipe), '--run', str(run)]) == 2
    line = 1 + list(TRAIN | {'steps': 6, 'eval_batches': 0}).index('eval_batches')
    assert f'{tmp_path/"bad-train.yaml"}:{line}: TrainConfig.eval_batches: must be >= 1, got 0' in err.getvalue(), err.getvalue()
    assert 'Traceback' not in err.getvalue() and not (run/'checkpoints').exists() and not (run/'manifest.json').exists()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(['train', 'auto', '--recipe', 'tiny', '--run', str(run), '--set', 'log_every=0']) == 2
    assert 'command-line overrides: TrainConfig.log_every: must be >= 1, got 0' in err.getvalue()
    (tmp_path/'m.yaml').write_text('dim: 32\nn_layers: 2\nn_heads: 0\n')
    with pytest.raises(ConfigError, match=r'm.yaml:3: ModelConfig.n_heads: must be >= 1, got 0'):
        from robolm.models import load_model_config; load_model_config(str(tmp_path/'m.yaml'))


@pytest.fixture(scope='module')
def trained(data, tmp_path_factory):
    "A run with a finetuned checkpoint, for the load paths of `generate`."
    import shutil
    run = tmp_path_factory.mktemp('trained')/'run'
    shutil.copytree(data, run)
    cfg = T.TrainConfig(steps=3, batch_size=4, seq_len=32, warmup_steps=1, eval_every=3, eval_batches=1, ckpt_every=3, threads=1, tensorboard=False)
    mc = T.ModelConfig(vocab_size=512, dim=32, n_layers=2, n_heads=2, max_seq_len=64)
    T.train(run, 'finetune', mc, cfg, log=lambda *_: None)
    return run


def generate_err(run):
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = main(['generate', 'Blink an LED on pin 2', '--run', str(run), '--max-new-tokens', '4'])
    return rc, err.getvalue()


def test_load_errors_name_the_file(trained, tmp_path):
    import shutil
    from robolm.models import load_weights, CodeLM, ModelConfig
    assert generate_err(trained)[0] == 0
    run = tmp_path/'run'; shutil.copytree(trained, run, symlinks=True)
    best = T.checkpoint_dir(run, 'finetune', 'best')
    w = best/'model.safetensors'; good = w.read_bytes()
    w.write_bytes(good[:len(good) // 2])                                   # torn weights: generate, and the bare loader
    rc, err = generate_err(run)
    assert rc == 2 and f'{w}: checksum mismatch' in err, err
    with pytest.raises(RobolmError, match=f'{w}: not a readable safetensors file'):
        load_weights(CodeLM(ModelConfig(vocab_size=512, dim=32, n_layers=2, n_heads=2, max_seq_len=64)), w)
    w.write_bytes(good)
    meta = best/'meta.json'; good_meta = meta.read_text()
    meta.write_text(good_meta[:40])                                       # torn meta.json
    rc, err = generate_err(run)
    assert rc == 2 and f'{meta}:' in err and 'invalid JSON' in err, err
    meta.write_text(good_meta)
    tt = run/'tokenizer/tokenizer.tiktoken'; lines = tt.read_text().splitlines(True)
    tt.write_text(''.join(lines[:6] + ['@@notbase64@@ 6\n'] + lines[7:]))   # a bad token line
    rc, err = generate_err(run)
    assert rc == 2 and f'{tt}:7: token' in err and 'not valid base64' in err, err
    tt.write_text(''.join(lines))
    (run/'tokenizer/tokenizer_config.json').write_text('{"name": ')
    rc, err = generate_err(run)
    assert rc == 2 and f'{run/"tokenizer/tokenizer_config.json"}:1:' in err, err
    (run/'manifest.json').write_text('{"stages": {"pretrain": ')
    err = io.StringIO()
    with contextlib.redirect_stderr(err): assert main(['pipeline', 'status', str(run)]) == 2
    assert f'{run/"manifest.json"}:1:' in err.getvalue()


def test_atomic_files_get_the_umask_mode(trained, tmp_path):
    "Files written atomically (JSON, weights) have the mode any other new file gets: 0644 under umask 022, 0664 under 002."
    old = os.umask(0o002)
    try:
        write_json(tmp_path/'a.json', {'a': 1}); (tmp_path/'plain').write_text('x')
        assert stat.S_IMODE((tmp_path/'a.json').stat().st_mode) == stat.S_IMODE((tmp_path/'plain').stat().st_mode) == 0o664
    finally: os.umask(old)
    plain = tmp_path/'plain2'; plain.write_text('x')
    ck = T.checkpoint_dir(trained, 'finetune', 'latest')
    for f in (ck/'model.safetensors', ck/'meta.json', trained/'logs/finetune_summary.json', trained/'tokenizer/tokenizer.tiktoken'):
        assert stat.S_IMODE(f.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode), f
