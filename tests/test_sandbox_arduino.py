"""Hostile Uno sketches against the judge (issue 13): the compiler and simavr run in `robolm.sandbox`, so no sketch can
read a host file (into the errors, the firmware or its Serial output), exhaust memory, hang on a device, leave a
process behind, or spoil the next verdict. Secrets are planted in a temporary folder, in the project folder and in
$HOME, and each attack tries to get one out; a correct sketch must still pass right after every attack.
Needs `make avrsim` and `make sandbox-tools`. Runs as root (the sandbox is `nobody`) and as an ordinary user."""
import json, os, subprocess, tempfile, time, uuid
from pathlib import Path
import pytest
from robolm.core import project_root
from robolm.arduino import compile_sketch, simulate, run_sketch_task

TOKEN = 'robolm' + uuid.uuid4().hex          # the secret's text: it must never come back
BLINK = ('void setup() { pinMode(13, OUTPUT); }\n'
         'void loop() { digitalWrite(13, HIGH); delay(500); digitalWrite(13, LOW); delay(500); }\n')
BLINK_CHECKS = {'budget_ms': 2100, 'arduino_pins': {2: 13},
                'expect': [{'type': 'pin_toggles', 'pin': 2, 'period_ms': 1000, 'tolerance_ms': 5}, {'type': 'no_error'}]}
# passes only if the secret reaches Serial; the check quotes a prefix of it, so a report never holds the whole TOKEN
LEAK_CHECKS = {'budget_ms': 300, 'expect': [{'type': 'serial_contains', 'text': TOKEN[:12]}, {'type': 'no_error'}]}


def _plant(folder:Path)->Path|None:
    "A secret file (a C string literal, so an include of it would compile) in `folder`, or None if it cannot be written."
    try:
        p = folder/f'.robolm-secret-{uuid.uuid4().hex[:8]}.h'
        p.write_text(f'"{TOKEN}"\n'); p.chmod(0o644)
        return p
    except OSError: return None


@pytest.fixture(scope='module')
def secrets():
    tmp = Path(tempfile.mkdtemp(prefix='robolm-secrets-')); tmp.chmod(0o755)
    found = {'tmp': _plant(tmp), 'project': _plant(project_root()), 'home': _plant(Path.home())}
    yield {k: str(v) for k, v in found.items() if v}
    for p in found.values():
        if p: p.unlink(missing_ok=True)
    tmp.rmdir()


def _up(path:str)->str: return '../' * 12 + path.lstrip('/')

def _print(expr_setup:str)->str:
    "A sketch that prints the C string `s` (set up by `expr_setup`) over Serial."
    return expr_setup + '\nvoid setup() { Serial.begin(9600); Serial.print(s); }\nvoid loop() {}\n'

def _incbin(asm_path:str)->str:
    "A sketch that embeds a file with `.incbin` (the path as asm source text) in flash and prints it over Serial."
    return ('#include <avr/pgmspace.h>\n'
            f'asm(".section .progmem.data\\n.global blob\\nblob: .incbin {asm_path}\\n.byte 0\\n.text\\n");\n'
            'extern const char blob[] PROGMEM;\n'
            'void setup() { Serial.begin(9600); for (int i = 0; i < 200; i++) { char c = pgm_read_byte(blob + i);'
            ' if (!c) break; Serial.write(c); } }\nvoid loop() {}\n')

TEXTUAL = "a sketch may use only files of its own folder"      # the pre-check's message
MISSING = 'No such file or directory'                           # what the compiler says in the sandbox
# (name, sketch from the secret's path, what the failure must say); run against every planted secret
READS = [
    ('include absolute', lambda p: _print(f'const char *s =\n#include "{p}"\n;'), TEXTUAL),
    ('include <absolute>', lambda p: _print(f'const char *s =\n#include <{p}>\n;'), TEXTUAL),
    ('include ../', lambda p: _print(f'const char *s =\n#include "{_up(p)}"\n;'), TEXTUAL),
    ('include_next <../>', lambda p: _print(f'const char *s =\n#include_next <{_up(p)}>\n;'), TEXTUAL),
    ('computed include', lambda p: _print(f'#define P "{p}"\nconst char *s =\n#include P\n;'), MISSING),
    ('computed include ../', lambda p: _print(f'#define P "{_up(p)}"\nconst char *s =\n#include P\n;'), MISSING),
    ('computed include <..>', lambda p: _print(f'#define P <{p}>\nconst char *s =\n#include P\n;'), MISSING),
    ('incbin', lambda p: _incbin(f'\\"{p}\\"'), TEXTUAL),
    ('incbin split literal', lambda p: _incbin(f'\\"" "{p}" "\\"'), 'file not found'),
    ('asm .include split literal', lambda p: f'asm(".include \\"" "{p}" "\\"");\nvoid setup() {{}}\nvoid loop() {{}}\n',
     MISSING),
    ('has_include probe', lambda p: _print(f'#if __has_include("{p}")\nconst char *s = "{TOKEN}";\n#endif'), TEXTUAL),
    ('has_include computed probe', lambda p: _print(f'#define P "{p}"\n#if __has_include(P)\nconst char *s = "{TOKEN}";\n'
                                                   '#else\nconst char *s = "absent";\n#endif'), 'output does not contain'),
    ('pragma GCC dependency', lambda p: f'#pragma GCC dependency "{p}"\n' + BLINK, TEXTUAL),
    ('_Pragma GCC dependency', lambda p: f'_Pragma("GCC dependency \\"{p}\\"")\n' + BLINK, TEXTUAL),
    ('optimize -include pragma', lambda p: _print(f'#pragma GCC optimize ("-include{p}")\nconst char *s = "x";'),
     'output does not contain'),
]


def _reports(r)->str:
    "Everything a verdict carries: reason, compile errors and log, the event log (Serial included)."
    c = r.compile
    return json.dumps([r.reason, c and c.errors, c and c.log, r.checks, r.events], default=str)


def _next_verdict_is_right():
    r = run_sketch_task(BLINK, BLINK_CHECKS)
    assert (r.passed, r.reason) == (True, '')


@pytest.mark.parametrize('where', ['tmp', 'project', 'home'])
@pytest.mark.parametrize('name,make,says', READS, ids=[r[0] for r in READS])
def test_host_file_never_comes_back(secrets, where, name, make, says):
    if where not in secrets: pytest.skip(f'cannot write a secret into {where} here')
    r = run_sketch_task(make(secrets[where]), LEAK_CHECKS)
    assert not r.passed
    assert TOKEN not in _reports(r)
    assert says in _reports(r), r.reason
    _next_verdict_is_right()


def test_at_least_fifteen_hostile_sketches(): assert len(READS) + len(ENDS) >= 15


def _alive(marker:str)->list[str]:
    "Processes whose command line holds `marker` (the unique sketch name of one attack)."
    p = subprocess.run(['pgrep', '-af', marker], capture_output=True, text=True)
    return [l for l in p.stdout.splitlines() if 'pgrep' not in l]

BOMB = ''.join(f'#define a{i} a{i - 1},a{i - 1}\n' for i in range(1, 41))
# (name, sketch, compile timeout, what the failure must say): each ends quickly and leaves nothing running
ENDS = [
    ('macro bomb', '#define a0 1\n' + BOMB + 'int x[] = {a40};\nvoid setup() {}\nvoid loop() {}\n', 60, 'memory'),
    ('macro bomb past the timeout', '#define a0 1\n' + BOMB + 'int x[] = {a40};\nvoid setup() {}\nvoid loop() {}\n', 1,
     'compile timed out after 1 s'),
    ('include /dev/zero', '#include "/dev/zero"\n' + BLINK, 60, TEXTUAL),
    ('computed /dev/zero', '#define P "/dev/zero"\n#include P\n' + BLINK, 60, MISSING),
    ('computed /dev/tty', '#define P "/dev/tty"\n#include P\n' + BLINK, 60, MISSING),
    ('computed /dev/stdin', '#define P "/dev/stdin"\n#include P\n' + BLINK, 60, MISSING),
    ('computed /proc/self/environ', '#define P "/proc/self/environ"\n#include P\n' + BLINK, 60, MISSING),
    ('computed /proc/self/fd/0', '#define P "/proc/self/fd/0"\n#include P\n' + BLINK, 60, MISSING),
    ('computed /etc/passwd', '#define P "/etc/passwd"\nconst char *s =\n#include P\n;\n' + BLINK, 60, MISSING),
]


@pytest.mark.parametrize('name,sketch,timeout,says', ENDS, ids=[e[0] for e in ENDS])
def test_resource_attack_ends_quickly_and_cleanly(name, sketch, timeout, says):
    tag = 'atk_' + uuid.uuid4().hex[:12]
    t0 = time.monotonic()
    c = compile_sketch(sketch, name=tag, timeout=timeout)
    took = time.monotonic() - t0
    try:
        assert not c.ok
        assert says in c.first_error() + c.log, (c.first_error(), c.log[-500:])
        assert 'root:' not in c.log                    # /etc/passwd's text never appears
        assert took < min(timeout, 30) + 10, took
    finally: c.cleanup()
    time.sleep(0.2)
    assert _alive(tag) == []
    _next_verdict_is_right()


def test_sketch_that_runs_forever_hits_the_wall_clock_limit():
    c = compile_sketch('void setup() { Serial.begin(9600); }\nvoid loop() { Serial.println("spin"); }\n')
    assert c.ok, c.errors
    try:
        t0 = time.monotonic()
        ev = simulate(c.elf, budget_ms=10_000_000, wall_s=1, max_events=424_242)   # the event cap marks this run
        assert time.monotonic() - t0 < 10
    finally: c.cleanup()
    assert ev['state'] == 'wall_timeout'
    assert 0 < ev['ms'] < 10_000_000
    assert _alive('-m 424242 ') == []
    _next_verdict_is_right()


def test_simulator_sees_no_host_files(secrets):
    "The harness itself cannot open a host path: a firmware path outside the sandbox does not exist for it."
    from robolm import sandbox
    from robolm.arduino import _sim_limits
    r = sandbox.run(['cat', *secrets.values()], limits=_sim_limits(1), dev='null', proc=False, timeout=10)
    assert r.returncode != 0 and TOKEN not in r.stdout + r.stderr


def test_core_cache_is_read_only_for_sketches():
    "An untrusted compile sees the core cache read-only, writes only /build, and mounts nothing of the project or $HOME."
    from robolm import arduino
    seen = {}
    real = arduino.sandbox.run
    def spy(cmd, ro=(), rw=(), **kw):
        seen['ro'] = [(str(x), str(x)) if isinstance(x, str) else (str(x[0]), x[1]) for x in ro]
        seen['rw'] = [(str(s), d) for s, d in rw]
        return real(cmd, ro=ro, rw=rw, **kw)
    arduino.sandbox.run = spy
    try: c = compile_sketch(BLINK)
    finally: arduino.sandbox.run = real
    c.cleanup()
    assert c.ok and f'{arduino.SBX}/core' in [d for s, d in seen['ro']] and [d for s, d in seen['rw']] == ['/build']
    for src, dst in seen['ro'] + seen['rw']:
        assert not src.startswith((str(project_root()), str(Path.home()), '/etc')), (src, dst)
