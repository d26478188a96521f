"""The Uno judge is fair: the same checks as the ESP32's (`robolm.arduino.uno_checks`) on the simulated Uno, with
correct sketches in the idioms Arduino code uses (a loop with `delay`, a busy-wait on `millis()`/`digitalRead`,
a hardware timer interrupt, `attachInterrupt`, a class, the `Servo`/`tone`/`Wire` libraries) that must pass, and wrong
ones (off by one, wrong pin, always on, stuck output, wrong unit, wrong servo range) that must fail with the right
reason. Written for this suite, not taken from the syllabus. Needs `make avrsim` (arduino-builder, simavr)."""
import pytest
from robolm.arduino import run_sketch_tasks, UNO_CHECK_TYPES


def spec(budget, uno, *expect, **inputs):
    "A task spec: `uno` maps the spec's ESP32 pins to Uno pins (`arduino_pins`), `inputs` as in the syllabus."
    return {'budget_ms': budget, 'arduino_pins': uno, 'inputs': inputs, 'expect': list(expect) + [{'type': 'no_error'}]}

def ps(pin, value, at): return {'type': 'pin_state', 'pin': pin, 'value': value, 'at_ms': at}
def servo(angle, at): return {'type': 'servo_angle', 'pin': 15, 'angle': angle, 'at_ms': at}

PAIRS = []   # (check type, idiom, name, checks, correct sketch, wrong sketch, text the wrong one's reason contains)
def pair(kind, idiom, name, checks, good, bad, reason): PAIRS.append((kind, idiom, name, checks, good, bad, reason))

# ---- pin_toggles: a 1 Hz blink, ESP32 GPIO2 played by the Uno's pin 13 -------------------------------------------
BLINK = spec(4000, {2: 13}, {'type': 'pin_toggles', 'pin': 2, 'period_ms': 1000, 'tolerance_ms': 20, 'min_count': 3})
DELAY_BLINK = 'void setup() { pinMode(13, OUTPUT); }\nvoid loop() { digitalWrite(13, HIGH); delay(500); digitalWrite(13, LOW); delay(500); }\n'
pair('pin_toggles', 'delay', 'blink with delay', BLINK, DELAY_BLINK, DELAY_BLINK.replace('13', '12'), 'pin 2 toggled 0 times')
MILLIS_BLINK = '''const int LED = 13;
unsigned long last = 0;
bool on = false;
void setup() { pinMode(LED, OUTPUT); }
void loop() {
  if (millis() - last >= 500) {
    last += 500;
    on = !on;
    digitalWrite(LED, on);
  }
}
'''
pair('pin_toggles', 'busy-wait', 'blink without delay (millis)', BLINK, MILLIS_BLINK, MILLIS_BLINK.replace('500', '600'),
     'period 1200')
TIMER_BLINK = '''void setup() {
  pinMode(13, OUTPUT);
  noInterrupts();
  TCCR1A = 0; TCCR1B = 0; TCNT1 = 0;
  OCR1A = 31249;                          // 16 MHz / 256 / 31250 = 2 Hz
  TCCR1B |= (1 << WGM12) | (1 << CS12);   // CTC, prescaler 256
  TIMSK1 |= (1 << OCIE1A);
  interrupts();
}
ISR(TIMER1_COMPA_vect) { digitalWrite(13, !digitalRead(13)); }
void loop() {}
'''
pair('pin_toggles', 'timer', 'Timer1 compare interrupt toggles, loop() is empty', BLINK, TIMER_BLINK,
     TIMER_BLINK.replace('31249', '15624'), 'period 500')
CLASS_BLINK = '''class Blinker {
  int pin; unsigned long half, last = 0; bool on = false;
public:
  Blinker(int p, unsigned long h) : pin(p), half(h) {}
  void begin() { pinMode(pin, OUTPUT); }
  void update() {
    if (millis() - last < half) return;
    last = millis(); on = !on; digitalWrite(pin, on ? HIGH : LOW);
  }
};
Blinker led(13, 500);
void setup() { led.begin(); }
void loop() { led.update(); }
'''
pair('pin_toggles', 'class', 'Blinker class', BLINK, CLASS_BLINK,
     CLASS_BLINK.replace('on = !on; digitalWrite(pin, on ? HIGH : LOW);', 'digitalWrite(pin, HIGH);'), 'pin 2 toggled 1 times')

# ---- pin_state: levels on both sides of an input ------------------------------------------------------------------
BUTTON = spec(2000, {2: 13, 4: 2}, ps(2, 0, 250), ps(2, 1, 1000), ps(2, 0, 1750), pins={4: [[0, 1], [500, 0], [1500, 1]]})
HELD = 'void setup() { pinMode(2, INPUT_PULLUP); pinMode(13, OUTPUT); }\nvoid loop() { digitalWrite(13, digitalRead(2) == LOW); delay(20); }\n'
pair('pin_state', 'delay', 'LED while the button is held', BUTTON, HELD, HELD.replace('== LOW', '== HIGH'),
     'pin 2 is 1 at 250 ms, expected 0')
WAIT_PRESS = '''void setup() { pinMode(2, INPUT_PULLUP); pinMode(13, OUTPUT); }
void loop() {
  while (digitalRead(2) == HIGH) {}     // wait for the press
  digitalWrite(13, HIGH);
  while (digitalRead(2) == LOW) {}      // and for the release
  digitalWrite(13, LOW);
}
'''
pair('pin_state', 'busy-wait', 'busy-wait on digitalRead for press and release', BUTTON, WAIT_PRESS,
     WAIT_PRESS.replace('digitalRead(2)', 'digitalRead(3)').replace('pinMode(2,', 'pinMode(3,'), 'pin 2 is 0 at 1000 ms, expected 1')
TOGGLE = spec(3000, {2: 13, 4: 2}, ps(2, 0, 250), ps(2, 1, 1000), ps(2, 1, 1750), ps(2, 0, 2500),
              pins={4: [[0, 1], [500, 0], [700, 1], [2000, 0], [2200, 1]]})
ISR_TOGGLE = '''volatile bool lit = false;
void pressed() { lit = !lit; }
void setup() {
  pinMode(13, OUTPUT);
  pinMode(2, INPUT_PULLUP);
  attachInterrupt(digitalPinToInterrupt(2), pressed, FALLING);
}
void loop() { digitalWrite(13, lit); }
'''
pair('pin_state', 'interrupt', 'attachInterrupt toggles the LED', TOGGLE, ISR_TOGGLE, ISR_TOGGLE.replace('FALLING', 'CHANGE'),
     'pin 2 is 0 at 1000 ms, expected 1')
DARK = spec(3000, {2: 13, 34: 14}, ps(2, 0, 500), ps(2, 1, 1500), ps(2, 0, 2500), adc={34: [[0, 3000], [1000, 400], [2000, 3000]]})
NIGHT = 'void setup() { pinMode(13, OUTPUT); }\nvoid loop() { digitalWrite(13, analogRead(A0) < 250 ? HIGH : LOW); delay(100); }\n'
pair('pin_state', 'delay', 'night light on an LDR, both sides of the threshold', DARK, NIGHT,
     'void setup() { pinMode(13, OUTPUT); }\nvoid loop() { digitalWrite(13, HIGH); delay(100); }\n', 'pin 2 is 1 at 500 ms, expected 0')
NEAR = spec(3000, {2: 13, 5: 9, 18: 10}, ps(2, 0, 700), ps(2, 1, 1700), pulses={18: [[0, 2900], [1200, 580]]})   # 50 cm, then 10 cm
PULSEIN = '''const int TRIG = 9, ECHO = 10, LED = 13;
void setup() { pinMode(TRIG, OUTPUT); pinMode(ECHO, INPUT); pinMode(LED, OUTPUT); }
long cm() {
  digitalWrite(TRIG, LOW); delayMicroseconds(2);
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  return pulseIn(ECHO, HIGH, 30000) / 58;
}
void loop() { digitalWrite(LED, cm() < 20 ? HIGH : LOW); delay(100); }
'''
pair('pin_state', 'library', 'HC-SR04 with pulseIn: LED when closer than 20 cm', NEAR, PULSEIN, PULSEIN.replace('/ 58', '* 10 / 58'),
     'pin 2 is 0 at 1700 ms, expected 1')
ECHO_WAIT = '''const int TRIG = 9, ECHO = 10, LED = 13;
void setup() { pinMode(TRIG, OUTPUT); pinMode(ECHO, INPUT); pinMode(LED, OUTPUT); }
long cm() {
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  unsigned long t0 = micros();
  while (digitalRead(ECHO) == LOW) if (micros() - t0 > 30000) return 999;   // wait for the echo to start
  unsigned long start = micros();
  while (digitalRead(ECHO) == HIGH) {}                                        // and time it
  return (micros() - start) / 58;
}
void loop() { digitalWrite(LED, cm() < 20); delay(100); }
'''
pair('pin_state', 'busy-wait', 'HC-SR04 timed by busy-waiting on the echo pin', NEAR, ECHO_WAIT,
     ECHO_WAIT.replace('cm() < 20', 'cm() > 20'), 'pin 2 is 1 at 700 ms, expected 0')

# ---- pwm ------------------------------------------------------------------------------------------------------------
POT = spec(3000, {2: 9, 35: 14}, {'type': 'pwm', 'pin': 2, 'freq': 1000, 'duty_percent': 0, 'at_ms': 500},
           {'type': 'pwm', 'pin': 2, 'duty_percent': 50, 'at_ms': 1500}, {'type': 'pwm', 'pin': 2, 'duty_percent': 100, 'at_ms': 2500},
           adc={35: [[0, 0], [1000, 2048], [2000, 4095]]})
POT_LED = 'void setup() { pinMode(9, OUTPUT); }\nvoid loop() { analogWrite(9, analogRead(A0) / 4); delay(20); }\n'
pair('pwm', 'library', 'potentiometer sets LED brightness (analogWrite)', POT, POT_LED,
     POT_LED.replace('analogRead(A0) / 4', 'map(analogRead(A0), 0, 1023, 255, 0)'), 'pin 2 is steadily high at 500 ms, expected duty 0%')
pair('pwm', 'busy-wait', 'potentiometer with map() and no delay', POT,
     'void setup() {}\nvoid loop() { analogWrite(9, map(analogRead(A0), 0, 1023, 0, 255)); }\n',
     'void setup() {}\nvoid loop() { analogWrite(9, analogRead(A0) / 16); }\n', 'duty 12.5% at 1500 ms, expected 50%')
TONE = spec(1500, {23: 8}, {'type': 'pwm', 'pin': 23, 'freq': 440, 'duty_percent': 50, 'at_ms': 200},
            {'type': 'pwm', 'pin': 23, 'duty_percent': 0, 'at_ms': 1200})
BEEP = 'void setup() { tone(8, 440); delay(1000); noTone(8); }\nvoid loop() {}\n'
pair('pwm', 'library', 'one-second 440 Hz beep with tone()', TONE, BEEP, BEEP.replace('440', '880'), 'Hz at 200 ms, expected 440 Hz')
pair('pwm', 'delay', 'tone(pin, freq, duration)', TONE, 'void setup() { tone(8, 440, 1000); }\nvoid loop() {}\n',
     'void setup() { tone(8, 440); }\nvoid loop() {}\n', 'duty 50.0% at 1200 ms, expected 0%')

# ---- pwm_fade ---------------------------------------------------------------------------------------------------------
FADE = spec(3000, {2: 9}, {'type': 'pwm_fade', 'pin': 2, 'direction': 'both', 'to_ms': 3000})
FADE_LOOP = '''void setup() { pinMode(9, OUTPUT); }
void loop() {
  for (int b = 0; b <= 255; b += 5) { analogWrite(9, b); delay(10); }
  for (int b = 255; b >= 0; b -= 5) { analogWrite(9, b); delay(10); }
}
'''
pair('pwm_fade', 'delay', 'fade up and down with analogWrite', FADE, FADE_LOOP,
     'void setup() { pinMode(9, OUTPUT); }\nvoid loop() { analogWrite(9, 255); delay(500); analogWrite(9, 0); delay(500); }\n',
     'does not fade both')
FADE_MILLIS = '''int level = 0, step = 3;
unsigned long last = 0;
void setup() {}
void loop() {
  if (millis() - last >= 8) {
    last = millis();
    level += step;
    if (level <= 0 || level >= 255) step = -step;
    analogWrite(9, constrain(level, 0, 255));
  }
}
'''
pair('pwm_fade', 'busy-wait', 'breathing LED timed with millis()', FADE, FADE_MILLIS,
     FADE_MILLIS.replace('analogWrite(9, constrain(level, 0, 255));', 'analogWrite(9, level > 127 ? 255 : 0);'), 'does not fade')
SOFT_FADE = '''// software PWM on a pin without a timer: 2 ms frames, duty in 5 % steps
void frame(int pct) {
  if (pct > 0) { digitalWrite(13, HIGH); delayMicroseconds(pct * 20); }
  if (pct < 100) { digitalWrite(13, LOW); delayMicroseconds((100 - pct) * 20); }
}
void setup() { pinMode(13, OUTPUT); }
void loop() {
  for (int p = 0; p <= 100; p += 5) for (int k = 0; k < 10; k++) frame(p);
}
'''
pair('pwm_fade', 'busy-wait', 'bit-banged PWM fade on pin 13', spec(1500, {2: 13}, {'type': 'pwm_fade', 'pin': 2, 'direction': 'up'}),
     SOFT_FADE, SOFT_FADE.replace('for (int p = 0; p <= 100; p += 5)', 'for (int p = 100; p >= 0; p -= 5)'), 'does not fade up')

# ---- servo_angle --------------------------------------------------------------------------------------------------------
SWEEP = spec(1500, {15: 9}, servo(0, 250), servo(90, 750), servo(180, 1250))
SERVO_LIB = '#include <Servo.h>\nServo s;\nvoid setup() { s.attach(9); }\nvoid loop() { for (int a = 0; a <= 180; a += 90) { s.write(a); delay(500); } }\n'
pair('servo_angle', 'library', 'Servo library, default 544-2400 us', SWEEP, SERVO_LIB, SERVO_LIB.replace('s.write(a)', 's.write(a / 2)'),
     'expected 90°')
SERVO_US = ('#include <Servo.h>\nServo s;\nvoid setup() { s.attach(9); }\n'
            'void loop() { for (int a = 0; a <= 180; a += 90) { s.writeMicroseconds(1000 + a * 1000L / 180); delay(500); } }\n')
pair('servo_angle', 'library', 'writeMicroseconds in the 1-2 ms convention', SWEEP, SERVO_US,
     SERVO_US.replace('1000 + a * 1000L / 180', '2000 - a * 1000L / 180'), 'expected 0°')
BITBANG_SERVO = '''// servo pulses by hand: one pulse every 20 ms
void hold(int us, int ms) {
  for (unsigned long t0 = millis(); millis() - t0 < (unsigned long)ms; ) {
    digitalWrite(9, HIGH); delayMicroseconds(us); digitalWrite(9, LOW); delay((20000 - us) / 1000); delayMicroseconds((20000 - us) % 1000);
  }
}
void setup() { pinMode(9, OUTPUT); }
void loop() { hold(500, 500); hold(1500, 500); hold(2500, 500); }
'''
pair('servo_angle', 'busy-wait', 'servo pulses bit-banged at 50 Hz', SWEEP, BITBANG_SERVO,
     BITBANG_SERVO.replace('(20000 - us)', '(10000 - us)'), 'expected 50 Hz')

# ---- serial_contains ------------------------------------------------------------------------------------------------------
UP = spec(3500, {}, {'type': 'serial_contains', 'text': 'Uptime: 3 s'})
UPTIME = 'void setup() { Serial.begin(9600); }\nvoid loop() { Serial.print("Uptime: "); Serial.print(millis() / 1000); Serial.println(" s"); delay(1000); }\n'
pair('serial_contains', 'delay', 'uptime in seconds', UP, UPTIME, UPTIME.replace('millis() / 1000', 'millis()'), "does not contain 'Uptime: 3 s'")
GOT = spec(1500, {}, {'type': 'serial_contains', 'text': 'Got: F'}, uart={2: [[300, 'F\n']]})
ECHO = '''void setup() { Serial.begin(9600); }
void loop() {
  if (Serial.available()) {
    char c = Serial.read();
    if (c != '\\n') { Serial.print("Got: "); Serial.println(c); }
  }
}
'''
pair('serial_contains', 'busy-wait', 'echo a command byte from Serial', GOT, ECHO, ECHO.replace('Serial.println(c)', 'Serial.println((int)c)'),
     "does not contain 'Got: F'")

# ---- serial_values: exact counts ------------------------------------------------------------------------------------------
PRESSES = {4: [[0, 1], [300, 0], [500, 1], [900, 0], [1100, 1], [1500, 0], [1700, 1]]}      # three presses
COUNT = spec(2000, {4: 2}, {'type': 'serial_values', 'pattern': r'Count: (\d+)', 'values': [1, 2, 3]}, pins=PRESSES)
ISR_COUNT = '''volatile int presses = 0;
int shown = 0;
void pressed() { presses++; }
void setup() { Serial.begin(9600); pinMode(2, INPUT_PULLUP); attachInterrupt(digitalPinToInterrupt(2), pressed, FALLING); }
void loop() {
  if (presses != shown) { shown = presses; Serial.print("Count: "); Serial.println(shown); }
}
'''
HELD_COUNT = ('int count = 0;\nvoid setup() { Serial.begin(9600); pinMode(2, INPUT_PULLUP); }\n'
              'void loop() { if (digitalRead(2) == LOW) { count++; Serial.print("Count: "); Serial.println(count); } delay(50); }\n')
pair('serial_values', 'interrupt', 'press counter with attachInterrupt', COUNT, ISR_COUNT, HELD_COUNT, 'expected them to end with [1, 2, 3]')
EDGE_CLASS = '''class Button {
  int pin, last = HIGH;
public:
  explicit Button(int p) : pin(p) {}
  void begin() { pinMode(pin, INPUT_PULLUP); }
  bool pressed() { int now = digitalRead(pin); bool edge = now == LOW && last == HIGH; last = now; return edge; }
};
Button button(2);
int count = 0;
void setup() { Serial.begin(9600); button.begin(); }
void loop() {
  if (button.pressed()) { count++; Serial.print("Count: "); Serial.println(count); }
  delay(20);
}
'''
pair('serial_values', 'class', 'Button class with edge detection', COUNT, EDGE_CLASS,
     EDGE_CLASS.replace('int count = 0;', 'int count = 1;'), 'expected them to end with [1, 2, 3]')
DOWN = spec(5000, {}, {'type': 'serial_values', 'pattern': r'(-?\d+)\.\.\.', 'values': [3, 2, 1, 0]})
COUNTDOWN = 'void setup() { Serial.begin(9600); for (int i = 3; i >= 0; i--) { Serial.print(i); Serial.println("..."); delay(1000); } }\nvoid loop() {}\n'
pair('serial_values', 'delay', 'countdown 3, 2, 1, 0', DOWN, COUNTDOWN, COUNTDOWN.replace('i >= 0', 'i > 0'), 'expected them to end with [3, 2, 1, 0]')

# ---- i2c_write ------------------------------------------------------------------------------------------------------------
LCD = spec(500, {}, {'type': 'i2c_write', 'addr': 0x27}, i2c={0x27: {'regs': {}}, 0x3F: {'regs': {}}})
LCD_HI = ('#include <Wire.h>\n#include <LiquidCrystal_I2C.h>\nLiquidCrystal_I2C lcd(0x27, 16, 2);\n'
          'void setup() { lcd.init(); lcd.backlight(); lcd.print("Hi"); }\nvoid loop() {}\n')
pair('i2c_write', 'library', 'LCD over I2C at 0x27', LCD, LCD_HI, LCD_HI.replace('0x27', '0x3F'), 'no I2C write to 0x27')
WAKE = spec(500, {}, {'type': 'i2c_write', 'addr': 0x68, 'data': [0x6B, 0x00]}, i2c={0x68: {'regs': {}}})
MPU = ('#include <Wire.h>\nvoid setup() { Wire.begin(); Wire.beginTransmission(0x68); Wire.write(0x6B); Wire.write(0); '
       'Wire.endTransmission(); }\nvoid loop() {}\n')
pair('i2c_write', 'library', 'wake an MPU-6050 (PWR_MGMT_1 = 0)', WAKE, MPU, MPU.replace('Wire.write(0);', 'Wire.write(0x40);'),
     'no I2C write to 0x68 starts with [107, 0]')

# ---- no_error -------------------------------------------------------------------------------------------------------------
NOERR = {'budget_ms': 1000, 'arduino_pins': {}, 'expect': [{'type': 'no_error'}]}
RECURSE = ('volatile long sink;\nlong sum(int n) { volatile char pad[16]; pad[0] = n; return n == 0 ? 0 : n + sum(n - 1) + pad[0] * 0; }\n'
           'void setup() { sink = sum(20); }\nvoid loop() {}\n')
pair('no_error', 'delay', 'bounded recursion vs unbounded', NOERR, RECURSE, RECURSE.replace('n == 0 ? 0 :', ''), 'stack overflow')
SLEEP = ('#include <avr/sleep.h>\nvoid setup() { pinMode(13, OUTPUT); set_sleep_mode(SLEEP_MODE_IDLE); }\n'
         'void loop() { sleep_mode(); digitalWrite(13, !digitalRead(13)); }\n')
pair('no_error', 'timer', 'idle sleep woken by the timer interrupt vs sleep with interrupts off', NOERR, SLEEP,
     SLEEP.replace('void loop() { sleep_mode();', 'void loop() { cli(); sleep_mode();'), 'halted')


@pytest.fixture(scope='module')
def verdicts():
    "Every sketch of the suite judged in one parallel batch: {(name, 'good'|'bad'): TaskResult}."
    items = [(p[4], p[3]) for p in PAIRS] + [(p[5], p[3]) for p in PAIRS]
    res = run_sketch_tasks(items, workers=2)
    n = len(PAIRS)
    return {**{(p[2], 'good'): r for p, r in zip(PAIRS, res[:n])}, **{(p[2], 'bad'): r for p, r in zip(PAIRS, res[n:])}}


@pytest.mark.parametrize('kind,idiom,name,checks,good,bad,reason', PAIRS, ids=[f'{p[0]}-{p[1]}-{p[2]}' for p in PAIRS])
def test_pair(kind, idiom, name, checks, good, bad, reason, verdicts):
    ok, no = verdicts[name, 'good'], verdicts[name, 'bad']
    assert ok.passed, (name, 'correct sketch failed', ok.reason)
    assert not no.passed, (name, 'wrong sketch passed')
    assert (no.reason.startswith(f'{kind}:') or kind == 'no_error') and reason in no.reason, (name, no.reason)


def test_suite_covers_every_uno_check_type_and_idiom():
    assert len(PAIRS) >= 25
    assert len({p[2] for p in PAIRS}) == len(PAIRS)
    assert {p[0] for p in PAIRS} == set(UNO_CHECK_TYPES)
    assert {'delay', 'busy-wait', 'timer', 'interrupt', 'class', 'library'} <= {p[1] for p in PAIRS}


def test_cpu_skips_over_adiw_like_a_real_avr():
    """A signed `x / 16` compiles to SBRC + ADIW 15, which stock simavr 1.6 skips as if it were a CALL (one instruction
    too many: `512 / 16` came out 0). The harness corrects it; these are the constants that were affected."""
    sketch = ('volatile int x = 512, y = -512;\nvoid setup() { Serial.begin(9600);\n'
              '  Serial.println(x / 16); Serial.println(x / 32); Serial.println(y / 16); Serial.println(x / 16 + 1); }\nvoid loop() {}\n')
    r = run_sketch_tasks([(sketch, {'budget_ms': 300, 'expect': [{'type': 'serial_values', 'pattern': r'(-?\d+)', 'values': [32, 16, -32, 33]}]})])[0]
    assert r.passed, r.reason
