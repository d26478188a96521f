"""MicroPython on the virtual ESP32: every shipped syllabus project passes its own checks, and deliberately wrong
programs are caught with the expected reason. Needs Node and `make micropython-wasm`."""
import glob, os
import pytest, yaml
from robolm.core import project_root
from robolm.mprun import MPRunner, run_task, run_tasks

PROJECTS = sorted(glob.glob(str(project_root()/'data'/'raw'/'syllabus'/'*.yaml')))


def test_every_syllabus_project_passes_its_checks():
    items, names = [], []
    for f in PROJECTS:
        d = yaml.safe_load(open(f, encoding='utf-8'))
        items.append((d['micropython_code'], d['checks'])); names.append(d['project_id'])
    assert len(items) == 100
    res = run_tasks(items, workers=2)
    failed = {n: r['reason'] for n, r in zip(names, res) if not r['passed']}
    assert failed == {}
    assert all(len(r['checks']) >= 2 for r in res)          # every project checks more than "no error"


BLINK = '''from machine import Pin
import time
led = Pin(2, Pin.OUT)
while True:
    led.value(1)
    time.sleep_ms(500)
    led.value(0)
    time.sleep_ms(500)
'''
BLINK_CHECKS = {'budget_ms': 3000, 'expect': [{'type': 'pin_toggles', 'pin': 2, 'period_ms': 1000, 'tolerance_ms': 20},
                                              {'type': 'pin_state', 'pin': 2, 'value': 1, 'at_ms': 250}, {'type': 'no_error'}]}
NOERR = {'budget_ms': 1000, 'expect': [{'type': 'no_error'}]}
SERVO_CHECKS = {'budget_ms': 1500, 'expect': [{'type': 'servo_angle', 'pin': 15, 'angle': 90, 'tolerance': 5, 'at_ms': 1000},
                                              {'type': 'no_error'}]}
SERVO = '''from machine import Pin, PWM
import time
s = PWM(Pin(15), freq=50)
s.duty_ns(1500000)
while True:
    time.sleep_ms(100)
'''
TEMP_CHECKS = {'budget_ms': 3000, 'inputs': {'dht': {16: [[0, 22.5, 40.0]]}},
               'expect': [{'type': 'serial_contains', 'text': 'Temperature: 22.5'}, {'type': 'no_error'}]}
TEMP = '''import dht
from machine import Pin
import time
s = dht.DHT22(Pin(16))
while True:
    s.measure()
    print("Temperature:", s.temperature())
    time.sleep(1)
'''
LCD_CHECKS = {'budget_ms': 1000, 'inputs': {'i2c': {0x27: {'regs': {}}}},
              'expect': [{'type': 'i2c_write', 'addr': 0x27}, {'type': 'no_error'}]}
NP_CHECKS = {'budget_ms': 1000, 'expect': [{'type': 'neopixel', 'pin': 13, 'index': 0, 'color': [255, 0, 0], 'at_ms': 500}]}
MQTT_CHECKS = {'budget_ms': 3000, 'expect': [{'type': 'mqtt_publish', 'topic': 'robot/temp', 'contains': '22'}, {'type': 'no_error'}]}
MQTT = '''import network, time
from umqtt.simple import MQTTClient
w = network.WLAN(network.STA_IF); w.active(True); w.connect("x", "y")
while not w.isconnected():
    time.sleep_ms(100)
c = MQTTClient(b"id", "broker")
c.connect()
c.publish(b"robot/tmp", b"22")
'''
HTTP_CHECKS = {'budget_ms': 2000, 'inputs': {'http': [[500, 'GET / HTTP/1.1\r\n\r\n']]},
               'expect': [{'type': 'http_response_contains', 'text': 'Hello'}, {'type': 'no_error'}]}
HTTP = '''import socket
s = socket.socket()
s.bind(socket.getaddrinfo("0.0.0.0", 80)[0][-1])
s.listen(1)
while True:
    c, a = s.accept()
    c.recv(512)
    c.send("HTTP/1.1 200 OK\\r\\n\\r\\nHi there")
    c.close()
'''

# (name, code, checks, expected start of the failure reason, expected text in it)
WRONG = [
    ('hallucinated module', 'import servo\nservo.angle(90)\n', SERVO_CHECKS, 'api:', "unknown module 'servo'"),
    ('hallucinated method', BLINK.replace('led.value(1)', 'led.blink(1)'), BLINK_CHECKS, 'api:', "no attribute 'blink'"),
    ('hallucinated class', 'from machine import Servo\n', SERVO_CHECKS, 'api:', "has no 'Servo'"),
    ('hallucinated constant', BLINK.replace('Pin.OUT', 'Pin.OUTPUT'), BLINK_CHECKS, 'api:', "no attribute 'OUTPUT'"),
    ('call matching no signature', BLINK.replace('time.sleep_ms(500)', 'time.sleep_ms()', 1), BLINK_CHECKS, 'api:', 'matches no signature'),
    ('hallucinated keyword', SERVO.replace('freq=50', 'frequency=50'), SERVO_CHECKS, 'run:', 'TypeError'),
    ('missing import', BLINK.replace('import time\n', ''), BLINK_CHECKS, 'run:', "NameError"),
    ('wrong pin', BLINK.replace('Pin(2,', 'Pin(4,'), BLINK_CHECKS, 'check pin_toggles:', 'pin 2 toggled 0 times'),
    ('wrong timing', BLINK.replace('500', '250'), BLINK_CHECKS, 'check pin_toggles:', 'period 500 ms, expected 1000'),
    ('inverted level', BLINK.replace('value(1)', 'value(2)').replace('value(0)', 'value(1)').replace('value(2)', 'value(0)'),
     BLINK_CHECKS, 'check pin_state:', 'pin 2 is 0 at 250 ms'),
    ('output on an input-only pin', BLINK.replace('Pin(2,', 'Pin(34,'), BLINK_CHECKS, 'run:', 'ValueError'),
    ('CPython-only syntax: match', 'x = 1\nmatch x:\n    case 1:\n        print(1)\n', BLINK_CHECKS, 'syntax:', 'line 2'),
    ('CPython-only syntax: positional-only', 'def f(a, /, b):\n    return a\n', BLINK_CHECKS, 'syntax:', 'line 1'),
    ('CPython-only syntax: except*', 'try:\n    pass\nexcept* ValueError:\n    pass\n', BLINK_CHECKS, 'syntax:', 'line 3'),
    ('infinite loop without sleep', 'from machine import Pin\nwhile True:\n    x = 1\n', BLINK_CHECKS, 'run:', 'WallTimeout'),
    ('busy pin loop without sleep', 'from machine import Pin\np = Pin(2, Pin.OUT)\nwhile True:\n    p.on()\n    p.off()\n',
     BLINK_CHECKS, 'run:', 'board events'),
    ('runaway recursion', 'def f(n):\n    return f(n + 1)\nf(0)\n', BLINK_CHECKS, 'run:', 'RuntimeError: maximum recursion depth exceeded'),
    ('huge output', 'while True:\n    print("spam" * 50)\n', BLINK_CHECKS, 'run:', 'characters of output'),
    ('heap hog', 'import time\na = []\nwhile True:\n    a.append(bytearray(20000))\n    time.sleep_ms(1)\n', BLINK_CHECKS, 'run:', 'heap above'),
    ('exception', 'from machine import Pin\nx = 1 / 0\n', BLINK_CHECKS, 'run:', 'ZeroDivisionError'),
    ('exception in a timer callback', 'from machine import Timer\nimport time\nt = Timer(0)\nt.init(period=100, callback=lambda t: 1 / 0)\n'
     'while True:\n    time.sleep_ms(50)\n', NOERR, 'check no_error:', 'error in a callback'),
    ('wrong servo frequency', SERVO.replace('freq=50', 'freq=1000'), SERVO_CHECKS, 'check servo_angle:', 'expected 50 Hz'),
    ('wrong servo angle', SERVO.replace('1500000', '500000'), SERVO_CHECKS, 'check servo_angle:', 'at 0°'),
    ('wrong serial text', TEMP.replace('"Temperature:"', '"Temp:"'), TEMP_CHECKS, 'check serial_contains:', 'Temperature: 22.5'),
    ('sensor on the wrong pin', TEMP.replace('Pin(16)', 'Pin(17)'), TEMP_CHECKS, 'run:', 'OSError'),
    ('wrong I2C address', 'from machine import I2C, Pin\ni2c = I2C(0, scl=Pin(22), sda=Pin(21))\ni2c.writeto(0x3F, b"\\x08")\n',
     LCD_CHECKS, 'run:', 'ENODEV'),
    ('wrong NeoPixel colour order', 'import neopixel\nfrom machine import Pin\nnp = neopixel.NeoPixel(Pin(13), 8)\nnp[0] = (0, 255, 0)\nnp.write()\n',
     NP_CHECKS, 'check neopixel:', 'expected [255, 0, 0]'),
    ('wrong MQTT topic', MQTT, MQTT_CHECKS, 'check mqtt_publish:', "nothing published on 'robot/temp'"),
    ('wrong HTTP response', HTTP, HTTP_CHECKS, 'check http_response_contains:', "'Hello'"),
    ('ADC2 pin while WiFi is on', 'import network\nfrom machine import ADC, Pin\nw = network.WLAN(network.STA_IF)\nw.active(True)\n'
     'w.connect("a", "b")\nw.isconnected()\nprint(ADC(Pin(25)).read())\n', BLINK_CHECKS, 'run:', 'ADC2'),
]


@pytest.mark.parametrize('name,code,checks,stage,text', WRONG, ids=[w[0] for w in WRONG])
def test_wrong_program_is_caught(name, code, checks, stage, text, runner):
    r = run_task(code, checks, runner)
    assert not r['passed'], name
    assert r['reason'].startswith(stage) and text in r['reason'], (name, r['reason'])


def test_wrong_suite_size():
    assert len(WRONG) >= 20


@pytest.fixture(scope='module')
def runner():
    r = MPRunner(wall_s=8)          # room for the 50,000-event runaway on a loaded machine
    yield r
    r.close()
