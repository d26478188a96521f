"""The whole pipeline through papermill at the smallest scale (the `tiny` recipe), as `robolm pipeline run` does it."""
import json, shutil, subprocess, sys
from pathlib import Path

import pytest

from robolm.core import RobolmError, read_json
from robolm.pipeline import STAGE_NAMES, run_pipeline, execute_stage, read_manifest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    run = tmp_path_factory.mktemp('run')
    logs = []
    run_pipeline('tiny', run, log=logs.append)
    return run, logs


def test_every_stage_done_with_report_notebooks(tiny_run):
    run, _ = tiny_run
    man = read_manifest(run)
    assert [man['stages'][s]['status'] for s in STAGE_NAMES] == ['done'] * len(STAGE_NAMES)
    for s in STAGE_NAMES:
        st = man['stages'][s]
        assert st['seconds'] >= 0 and st['via'] == 'papermill'
        assert 'parameters' in st and 'input_hashes' in st
    nbs = sorted(p.name for p in (run / 'notebooks').glob('*.ipynb'))
    assert nbs == sorted(p.name for p in (ROOT / 'nbs/pipeline').glob('*.ipynb'))
    # the executed notebook got the run's parameters injected by papermill
    nb = json.loads((run / 'notebooks/04_pretrain.ipynb').read_text())
    injected = [c for c in nb['cells'] if 'injected-parameters' in c['metadata'].get('tags', [])]
    assert injected and str(run) in ''.join(injected[0]['source'])


def test_run_folder_contents(tiny_run):
    run, _ = tiny_run
    for f in ['data/train.jsonl', 'data/validation_report.json', 'tokenizer/tokenizer.tiktoken', 'tokenizer/tokenizer.json',
              'tokenizer/tokenizer_config.json', 'data/pretrain_train.bin', 'data/metadata.json',
              'checkpoints/pretrain/best/model.safetensors', 'checkpoints/finetune/latest/trainer_state.pt',
              'logs/pretrain_metrics.jsonl', 'logs/finetune_plot.png', 'eval/report.json', 'eval/report.md', 'eval/pass_rates.png', 'data/tasks.jsonl',
              'exports/model.onnx', 'exports/model.int8.onnx', 'exports/model.int4.onnx', 'exports/manifest.json']:
        assert (run / f).exists(), f
    rep = read_json(run / 'eval/report.json')
    assert rep['total']['prompts'] == 3 and rep['reference']['functional'] == 100.0   # the control passes the simulators
    assert 0 <= rep['total']['syntax_valid'] <= 100 and len(rep['samples']) == 3
    assert all(s['first_failure'] or s['functional_ok'] for s in rep['samples'])        # every failure has a reason
    exp = read_json(run / 'exports/manifest.json')['exports']
    assert exp[0]['parity']['max_rel_logit_error'] < 1e-4
    assert exp[1]['quantization'] == 'int8-block128' and exp[1]['bytes'] < exp[0]['bytes']
    assert exp[2]['quantization'] == 'int4-block32' and exp[2]['bytes'] < exp[1]['bytes']
    assert {e['format'] for e in exp} == {'onnx', 'transformers', 'gguf'}     # the recipe's default formats
    assert all(0 <= e['parity']['top1_agreement'] <= 1 if e.get('parity') else e['parity_skipped'] for e in exp)
    assert next(e for e in exp if e['format'] == 'transformers')['parity']['max_rel_logit_error'] < 1e-4   # transformers is installed


def test_rerun_skips_up_to_date_stages(tiny_run):
    run, _ = tiny_run
    logs = []
    run_pipeline('tiny', run, log=logs.append)
    assert logs == [f'[{s}] up to date, skipped' for s in STAGE_NAMES]


def test_cli_generate_from_run(tiny_run):
    run, _ = tiny_run
    p = subprocess.run([BIN / 'robolm', 'generate', 'Blink an LED on pin 2', '--run', str(run), '--max-new-tokens', '16'],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert 'syntax' in p.stdout and 'API' in p.stdout and 'tokens in' in p.stdout


def test_cli_generate_with_onnx_sampling(tiny_run):
    "The ONNX backend samples like PyTorch: same seed, same program on both; the export file is chosen by name."
    run, _ = tiny_run
    args = ['Blink an LED on pin 2', '--run', str(run), '--max-new-tokens', '12', '--temperature', '0.9', '--top-k', '20', '--seed', '5']
    outs = []
    for extra in ([], ['--backend', 'onnx', '--onnx', 'model.onnx']):
        p = subprocess.run([BIN / 'robolm', 'generate', *args, *extra], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        outs.append(p.stdout.split('\n', 1)[1].rsplit(' | ', 1)[0])     # the program and its mark, without header and timing
    assert outs[0] == outs[1]
    p = subprocess.run([BIN / 'robolm', 'generate', *args, '--backend', 'onnx', '--onnx', 'nope.onnx'], capture_output=True, text=True)
    assert p.returncode == 2 and 'nope.onnx: no such ONNX export' in p.stderr


def test_cli_chat_from_stdin(tiny_run):
    run, _ = tiny_run
    script = 'Blink an LED on pin 2\n/target arduino\n/set temperature 0.5\nएलईडी जलाओ\n/settings\n/quit\n'
    p = subprocess.run([BIN / 'robolm', 'chat', '--run', str(run), '--backend', 'onnx', '--max-new-tokens', '8'],
                       input=script, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count('tokens/s)') == 2 and 'syntax' in p.stdout and 'compile' in p.stdout
    assert 'target: arduino' in p.stdout and 'temperature = 0.5' in p.stdout and 'target arduino · max_new_tokens 8 · temperature 0.5' in p.stdout


def test_failed_stage_names_the_cell(tmp_path, tiny_run):
    """A stage that fails inside its notebook reports the cell and marks the manifest; earlier outputs stay."""
    run, _ = tiny_run
    broken = tmp_path / 'run'
    shutil.copytree(run, broken, symlinks=True)
    # a recipe whose pretraining asks for sequences longer than the model's context
    cfgs = tmp_path / 'cfg'; cfgs.mkdir()
    (cfgs / 'long.yaml').write_text((ROOT / 'configs/training/tiny-pretrain.yaml').read_text() + 'seq_len: 4096\n')
    (cfgs / 'broken.yaml').write_text((ROOT / 'configs/recipes/tiny.yaml').read_text().replace('pretrain: tiny-pretrain', f'pretrain: {cfgs / "long.yaml"}'))
    with pytest.raises(RobolmError) as e:
        execute_stage('pretrain', broken, str(cfgs / 'broken.yaml'))
    assert 'stage pretrain failed in cell' in str(e.value) and 'seq_len 4096' in str(e.value)
    man = read_manifest(broken)
    assert man['stages']['pretrain']['status'] == 'failed'
    assert man['stages']['tokenize']['status'] == 'done' and (broken / 'data/pretrain_train.bin').exists()
    assert (broken / 'notebooks/04_pretrain.ipynb').exists()


def test_cli_reports_bad_config_in_one_line(tmp_path):
    bad = tmp_path / 'bad.yaml'
    bad.write_text('name: x\nmodel: quickstart\ntokenizr: bpe4k\n')
    p = subprocess.run([BIN / 'robolm', 'data', '--recipe', str(bad), '--run', str(tmp_path / 'r')], capture_output=True, text=True)
    assert p.returncode == 2
    assert f"{bad}:3: unknown key 'tokenizr' in RecipeConfig" in p.stderr
    assert 'Traceback' not in p.stderr


def test_eval_of_an_onnx_export(tiny_run):
    "The exported INT8 model is evaluated through ONNX Runtime on the same prompts, into its own report folder."
    from robolm.evaluate import evaluate_run, EvalConfig
    run, _ = tiny_run
    rep = evaluate_run(run, EvalConfig(max_prompts=2, max_new_tokens=12, targets=['micropython']),
                       onnx=str(run / 'exports/model.int8.onnx'), log=lambda *_: None)
    assert rep['source'].endswith('model.int8.onnx') and rep['total']['prompts'] == 2
    assert (run / 'eval/model.int8/report.md').exists() and read_json(run / 'eval/report.json')['source'] != rep['source']



def test_pass_at_k_with_sampling(tiny_run, tmp_path):
    "k samples per prompt at a temperature: pass@1 and pass@2 over the same programs, every sample checked."
    from robolm.evaluate import evaluate_run, EvalConfig
    import shutil
    run, _ = tiny_run
    copy = tmp_path / 'run'
    shutil.copytree(run, copy, symlinks=True)      # keep the shared run's own report as it is
    rep = evaluate_run(copy, EvalConfig(max_prompts=2, samples=3, pass_k=[1, 2], temperature=0.9, max_new_tokens=12),
                       log=lambda *_: None)
    t = rep['total']
    assert t['samples'] == 6 and t['prompts'] == 2 and {'pass@1', 'pass@2'} <= set(t)
    assert t['pass@1'] <= t['pass@2'] and len({s['code'] for s in rep['samples']}) > 1   # sampling gives different programs
