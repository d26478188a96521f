"""Arduino Uno in simavr: every shipped syllabus project with an `arduino_code` passes its own checks, and deliberately
wrong sketches are caught with the expected reason. Needs `make avrsim` (Debian's arduino-builder, gcc-avr, libsimavr)."""
import glob, re
import pytest, yaml
from robolm.core import project_root
from robolm.arduino import compile_sketch, simulate, run_sketch_task, run_sketch_tasks, TaskError

PROJECTS = {}
for f in sorted(glob.glob(str(project_root()/'data'/'raw'/'syllabus'/'*.yaml'))):
    d = yaml.safe_load(open(f, encoding='utf-8'))
    PROJECTS[d['project_id']] = d


def test_every_syllabus_arduino_sketch_passes_its_checks():
    names = [n for n, d in PROJECTS.items() if d.get('arduino_code')]
    assert len(names) >= 48
    res = run_sketch_tasks([(PROJECTS[n]['arduino_code'], PROJECTS[n]['checks']) for n in names], workers=2)
    failed = {n: r.reason for n, r in zip(names, res) if not r.passed}
    assert failed == {}
    assert all(len(r.checks) >= 2 for r in res)          # every project checks more than "no error"


def code(pid): return PROJECTS[pid]['arduino_code']
def checks(pid): return PROJECTS[pid]['checks']
def sub(pid, old, new):
    c = code(pid)
    assert old in c, (pid, old)
    return c.replace(old, new)

# (name, sketch, task spec, regex the first failure reason must match)
WRONG = [
    ('missing semicolon', sub('p001_blink_led', 'pinMode(LED_PIN, OUTPUT);', 'pinMode(LED_PIN, OUTPUT)'),
     checks('p001_blink_led'), r"^compile error at line 6:1: expected ';' before '}' token"),
    ('undeclared identifier', sub('p001_blink_led', 'digitalWrite(LED_PIN, HIGH);', 'digitalWrite(ledPin, HIGH);'),
     checks('p001_blink_led'), r"^compile error at line 9:\d+: 'ledPin' was not declared in this scope"),
    ('missing library', '#include <Adafruit_NeoPixel.h>\n' + code('p001_blink_led'),
     checks('p001_blink_led'), r'^compile error at line 1:\d+: Adafruit_NeoPixel.h: No such file or directory'),
    ('Servo without its include', sub('p017_servo_fixed_angles', '#include <Servo.h>\n', ''),
     checks('p017_servo_fixed_angles'), r"^compile error at line \d+:\d+: 'Servo' does not name a type"),
    ('ESP32-only API', sub('p009_pwm_led_fade', 'analogWrite(', 'ledcWrite('),
     checks('p009_pwm_led_fade'), r"^compile error at line \d+:\d+: 'ledcWrite' was not declared"),
    ('declared, never defined', 'void blink();\nvoid setup() { pinMode(13, OUTPUT); }\nvoid loop() { blink(); }\n',
     checks('p001_blink_led'), r"^compile error: .*undefined reference to `blink\(\)'"),
    ('wrong pin', sub('p001_blink_led', 'const int LED_PIN = 13;', 'const int LED_PIN = 12;'),
     checks('p001_blink_led'), r'^pin_toggles: pin 2 toggled 0 times, expected at least 2 periods of 1000 ms \(Uno pin 13\)'),
    ('wrong timing', code('p001_blink_led').replace('delay(500);', 'delay(200);'),
     checks('p001_blink_led'), r'^pin_toggles: pin 2 period 400\.\d+ ms, expected 1000 ± 100 ms \(Uno pin 13\)'),
    ('wrong serial text', sub('p002_led_on_off', '"LED on"', '"Led is on"'),
     checks('p002_led_on_off'), r"^serial_contains: output does not contain 'LED on' \(last printed: 'Led is on"),
    ('Serial.begin forgotten', sub('p002_led_on_off', 'Serial.begin(9600);', ''),
     checks('p002_led_on_off'), r"^serial_contains: output does not contain 'LED on' \(nothing printed\)"),
    ('button ignored', sub('p006_button_led', 'digitalRead(', '0 && digitalRead('),
     checks('p006_button_led'), r'^pin_state: pin 2 is \d at \d+ ms, expected \d \(Uno pin 13\)'),
    ('wrong PWM duty', sub('p010_pwm_brightness_levels', 'analogWrite(LED_PIN, ', 'analogWrite(LED_PIN, 255 - '),
     checks('p010_pwm_brightness_levels'), r'^pwm: pin 2 is steadily high at 500 ms, expected duty 0% \(Uno pin 9\)'),
    ('half the servo range', sub('p017_servo_fixed_angles', 'servo.write(angles[i]);', 'servo.write(angles[i] / 2);'),
     checks('p017_servo_fixed_angles'), r'^servo_angle: servo pin 15 at 4\d° \(\d+ µs read as [-.\d]+ ms\) at 1500 ms, expected 90° \(Uno pin 9\)'),
    ('servo never attached', sub('p017_servo_fixed_angles', 'servo.attach(SERVO_PIN, 500, 2500);', ''),
     checks('p017_servo_fixed_angles'), r'^servo_angle: no PWM on pin 15 at 500 ms \(Uno pin 9\)'),
    ('wrong tone pitch', code('p052_parking_sensor').replace('const int TONE_HZ = 2000;', 'const int TONE_HZ = 1000;'),
     checks('p052_parking_sensor'), r'^pwm: PWM pin 23 is 100\d(\.\d+)? Hz at 7000 ms, expected 2000 Hz \(Uno pin 8\)'),
    ('wrong I2C register', sub('p048_mpu6050_accelerometer', '0x6B', '0x6C'),
     checks('p048_mpu6050_accelerometer'), r'^i2c_write: no I2C write to 0x68 starts with \[107, 0\]'),
    ('infinite recursion', 'int depth(int n) { volatile char b[8]; b[0] = n; return depth(n + 1) + b[0]; }\n'
     'void setup() { pinMode(13, OUTPUT); depth(0); }\nvoid loop() {}\n',
     checks('p001_blink_led'), r'^crashed: stack overflow: SP 0x0\w+ below the end of the variables'),
    ('huge local array', 'void setup() { volatile char big[3000]; big[0] = 1; pinMode(13, OUTPUT); }\nvoid loop() {}\n',
     checks('p001_blink_led'), r'^crashed: stack overflow'),
    ('sleep with interrupts off', '#include <avr/sleep.h>\nvoid setup() { pinMode(13, OUTPUT); cli(); '
     'set_sleep_mode(SLEEP_MODE_PWR_DOWN); sleep_enable(); sleep_cpu(); }\nvoid loop() {}\n',
     checks('p001_blink_led'), r'^halted: CPU halted'),
    ('never-ending setup', 'void setup() { pinMode(13, OUTPUT); while (true) {} }\n'
     'void loop() { digitalWrite(13, HIGH); delay(500); digitalWrite(13, LOW); delay(500); }\n',
     checks('p001_blink_led'), r'^pin_toggles: pin 2 toggled 0 times, expected at least 2 periods of 1000 ms \(Uno pin 13\)'),
    ('jump to nowhere', 'void setup() { void (*f)() = (void (*)())0x3F00; f(); }\nvoid loop() {}\n',
     checks('p001_blink_led'), r'^crashed: invalid instruction or jump outside the program at PC 0x'),
]


@pytest.mark.parametrize('name,sketch,spec,reason', WRONG, ids=[w[0] for w in WRONG])
def test_wrong_sketch_is_caught(name, sketch, spec, reason):
    r = run_sketch_task(sketch, spec)
    assert not r.passed
    assert re.search(reason, r.reason), r.reason


def test_at_least_fifteen_wrong_sketches(): assert len(WRONG) >= 15


def test_wall_clock_guard_ends_a_long_run():
    c = compile_sketch('void setup() {}\nvoid loop() {}\n')
    try: ev = simulate(c.elf, budget_ms=600_000, wall_s=0.3)
    finally: c.cleanup()
    assert ev['state'] == 'wall_timeout' and 'wall-clock limit' in ev['reason']
    assert 0 < ev['ms'] < 600_000


def test_bad_task_spec_names_the_field():
    with pytest.raises(TaskError, match=r'inputs.pins.4: ESP32 pin 4 has no Uno pin'):
        run_sketch_task(code('p001_blink_led'), {'arduino_pins': {2: 13}, 'inputs': {'pins': {4: [[0, 1]]}}, 'expect': []})
    with pytest.raises(TaskError, match=r'inputs.mqtt: not available on the Uno'):
        run_sketch_task(code('p001_blink_led'), {'inputs': {'mqtt': [[0, 'a', 'b']]}, 'expect': []})


def test_lcd_shim_talks_pcf8574():
    sketch = ('#include <Wire.h>\n#include <LiquidCrystal_I2C.h>\nLiquidCrystal_I2C lcd(0x27, 16, 2);\n'
              'void setup() { lcd.init(); lcd.backlight(); lcd.setCursor(0, 1); lcd.print("Hi"); }\nvoid loop() {}\n')
    c = compile_sketch(sketch)
    assert c.ok, c.errors
    try: ev = simulate(c.elf, {'i2c': {0x27: {'regs': {}}}}, budget_ms=300)
    finally: c.cleanup()
    data = [x[3][0] for x in ev['i2c'] if x[1] == 0x27 and x[2] == 'w']
    nibbles = [b & 0xF0 for b in data if b & 0x04]            # bytes latched with EN high
    rs = [b & 0x01 for b in data if b & 0x04]
    chars = [hi | lo >> 4 for hi, lo, r in zip(nibbles[::2], nibbles[1::2], rs[::2]) if r]
    assert bytes(chars) == b'Hi'
    assert all(b & 0x08 for b in data[-4:])                  # backlight bit stays on
