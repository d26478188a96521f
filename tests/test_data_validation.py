"""Every class of bad input in a copy of the shipped data: the report names the file, line and field, the bad item is
quarantined, and everything else is still loaded."""
import json, shutil, subprocess, sys
from pathlib import Path
import pytest, yaml
from robolm.core import project_root
from robolm.data import load_raw

RAW = project_root()/'data/raw'

def _yaml_with_code(path:Path, code:str):
    "Rewrite a project with new micropython_code; returns the file line where the code starts."
    d = yaml.safe_load(path.read_text(encoding='utf-8'))
    d['micropython_code'] = code
    text = yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=1000)
    path.write_text(text, encoding='utf-8')
    return next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith('micropython_code:')) + 1

def _line_of(path:Path, prefix:str)->int:
    return next(i for i, l in enumerate(path.read_text(encoding='utf-8').splitlines(), 1) if l.startswith(prefix))

@pytest.fixture(scope='module')
def broken(tmp_path_factory):
    "A copy of data/raw with one bad input of each class, and what each must be reported as."
    raw = tmp_path_factory.mktemp('data')/'raw'
    shutil.copytree(RAW, raw)
    syl = sorted((raw/'syllabus').glob('*.yaml'))
    f = {name: syl[i] for i, name in enumerate(['yaml', 'missing', 'grade', 'syntax', 'api', 'pin', 'utf8', 'checks', 'dup', 'check_value'], start=2)}
    expect = {}
    # broken YAML: an unclosed flow sequence
    f['yaml'].write_text(f['yaml'].read_text(encoding='utf-8').replace('\ntags: [', '\ntags: [[', 1), encoding='utf-8')
    expect['yaml'] = (f['yaml'], _line_of(f['yaml'], 'tags:') + 1, '', 'YAML syntax error')
    # a missing required field
    d = f['missing'].read_text(encoding='utf-8').split('\n')
    start = next(i for i, l in enumerate(d) if l.startswith('code_explanation:'))
    end = next(i for i in range(start + 1, len(d)) if d[i] and not d[i].startswith(' '))
    f['missing'].write_text('\n'.join(d[:start] + d[end:]), encoding='utf-8')
    expect['missing'] = (f['missing'], None, 'code_explanation', 'missing required field')
    # a grade out of range
    f['grade'].write_text(f['grade'].read_text(encoding='utf-8').replace('grade_level: ', 'grade_level: 1', 1), encoding='utf-8')
    expect['grade'] = (f['grade'], _line_of(f['grade'], 'grade_level:'), 'grade_level', 'out of range 1-10')
    # MicroPython that does not compile (line 3 of the program)
    at = _yaml_with_code(f['syntax'], 'import time\n\nwhile True\n    time.sleep(1)\n')
    expect['syntax'] = (f['syntax'], at + 2, 'micropython_code', 'does not compile with mpy-cross')
    # an API the ESP32 does not have
    at = _yaml_with_code(f['api'], 'from machine import Pin\nled = Pin(2, Pin.OUT)\nled.blink(3)\n')
    expect['api'] = (f['api'], at + 2, 'micropython_code', "'machine.Pin' has no attribute 'blink'")
    # an output on an input-only pin
    at = _yaml_with_code(f['pin'], 'from machine import Pin\nimport time\nled = Pin(34, Pin.OUT)\nled.on()\ntime.sleep(1)\n')
    expect['pin'] = (f['pin'], at + 2, 'micropython_code', 'GPIO34 is input-only')
    # bytes that are not UTF-8
    n = f['utf8'].read_text(encoding='utf-8').count('\n')
    f['utf8'].write_bytes(f['utf8'].read_bytes() + b'# caf\xe9\n')
    expect['utf8'] = (f['utf8'], n + 1, '', 'not valid UTF-8')
    # an unknown check type
    f['checks'].write_text(f['checks'].read_text(encoding='utf-8').replace('{type: no_error}', '{type: no_errors}', 1), encoding='utf-8')
    expect['checks'] = (f['checks'], _line_of(f['checks'], '    - {type: no_errors}'), 'checks.expect', 'must be one of')
    # a check whose field the judge cannot use: an unknown colour name
    f['check_value'].write_text(f['check_value'].read_text(encoding='utf-8').replace('{type: no_error}', '{type: neopixel, pin: 13, index: 0, color: teal}', 1), encoding='utf-8')
    expect['check_value'] = (f['check_value'], _line_of(f['check_value'], '    - {type: neopixel, pin: 13, index: 0, color: teal}'), 'checks.expect', 'unknown colour name')
    # a duplicate id: a second file that claims an existing project's id
    dup = raw/'syllabus'/'p999_copy.yaml'
    dup.write_text(f['dup'].read_text(encoding='utf-8'), encoding='utf-8')
    expect['dup'] = (dup, _line_of(dup, 'project_id:'), 'project_id', 'duplicate id')
    # a translation file with broken JSON, and one with a bad language code
    tr = sorted((raw/'translations').glob('*.json'))
    text = tr[-1].read_text(encoding='utf-8')
    tr[-1].write_text(text[:len(text) // 2], encoding='utf-8')
    expect['json'] = (tr[-1], None, '', 'invalid JSON')
    t = json.loads(tr[-2].read_text(encoding='utf-8'))
    pid = next(iter(t)); t[pid]['hindi'] = t[pid].pop('hi')
    tr[-2].write_text(json.dumps(t, ensure_ascii=False, indent=1), encoding='utf-8')
    expect['lang'] = (tr[-2], None, f'{pid}.hindi', 'not a language code')
    # an instruction pair whose program uses a flash pin
    ins = raw/'docs'/'instructions.jsonl'
    rows = ins.read_text(encoding='utf-8').splitlines()
    r = json.loads(rows[4]); r['answer'] = 'Use GPIO 6:\n```python\nfrom machine import Pin\nPin(6, Pin.OUT).on()\n```'
    rows[4] = json.dumps(r, ensure_ascii=False)
    ins.write_text('\n'.join(rows) + '\n', encoding='utf-8')
    expect['instruction'] = (ins, 5, 'answer', 'GPIO6 is wired to the flash chip')
    return raw, expect, len(syl)

@pytest.fixture(scope='module')
def loaded(broken): return load_raw(broken[0])

CLASSES = ['yaml', 'missing', 'grade', 'syntax', 'api', 'pin', 'utf8', 'checks', 'dup', 'check_value', 'json', 'lang', 'instruction']

@pytest.mark.parametrize('kind', CLASSES)
def test_each_bad_input_is_named(broken, loaded, kind):
    path, line, fld, msg = broken[1][kind]
    hits = [i for i in loaded.report.errors if Path(i.file) == path and msg in i.message]
    assert hits, f'{kind}: no error mentioning {msg!r} for {path.name}; got {[str(i) for i in loaded.report.errors if Path(i.file) == path]}'
    i = hits[0]
    if line is not None: assert i.line == line, (kind, str(i))
    assert i.field.startswith(fld), (kind, str(i))
    assert str(i).startswith(f'{path}:' if i.line else str(path))

def test_nothing_else_is_lost(broken, loaded):
    raw, expect, n_projects = broken
    bad = {expect[k][0].stem for k in CLASSES[:10]}
    assert sorted(Path(f).stem for f in loaded.report.quarantined if f.endswith('.yaml')) == sorted(bad)
    assert len(loaded.projects) == n_projects - 9          # ten bad files, one of them the extra duplicate
    assert loaded.report.files == n_projects + 1
    clean = load_raw(RAW)
    assert len(clean.report.errors) == 0
    lost_tr = {p for p in clean.translations if p in bad} | set(json.loads((RAW/'translations'/expect['json'][0].name).read_text()))
    assert set(loaded.translations) == set(clean.translations) - lost_tr
    pid = expect['lang'][2].split('.')[0]
    assert 'hi' not in loaded.translations[pid] and set(loaded.translations[pid]) == set(clean.translations[pid]) - {'hi'}
    assert len(loaded.instructions) == len(clean.instructions) - 1
    assert loaded.functions == clean.functions

def test_cli_validate(broken):
    bin_ = Path(sys.executable).parent/'robolm'
    bad = subprocess.run([bin_, 'data', 'validate', str(broken[0])], capture_output=True, text=True)
    assert bad.returncode == 1 and 'YAML syntax error' in bad.stdout
    good = subprocess.run([bin_, 'data', 'validate'], capture_output=True, text=True, cwd=project_root())
    assert good.returncode == 0, good.stdout[-2000:]
    assert ', 0 errors,' in good.stdout
