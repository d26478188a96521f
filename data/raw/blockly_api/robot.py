"""robot: the Blockly firmware library of the robolm two-wheel ESP32 robot.

Every public function is one Blockly block. Its docstring says how the block looks
(see README.md in this folder); `robolm.blockly.extract_registry` reads them into
functions.jsonl without running this file.

Wiring (ESP32 DevKit, 3.3 V):
    left motor PWM 26 (forward) / 27 (backward), right motor PWM 32 / 33, 1 kHz
    servo 15 (50 Hz) - HC-SR04 trigger 5, echo 18 - line sensors 36 (left), 39 (right)
    light sensor ADC 34 - potentiometer ADC 35 - button 4 (to GND, pull-up)
    LED 2 - buzzer 23 (PWM) - NeoPixel ring of 8 on 13 - DHT11 on 16 - UART2 TX 17 / RX 16
    I2C(0) SCL 22 / SDA 21: MPU6050 0x68, SSD1306 128x64 OLED 0x3C, PCF8574 16x2 LCD 0x27

Hardware is created the first time a function needs it, so `import robot` touches no
pin: a program that only uses the motors never configures the buzzer or the I2C bus.
"""
import time
import math
import random
import struct
import framebuf
from machine import Pin, PWM, ADC, I2C, Timer, UART, time_pulse_us
from micropython import const

# ---- pins and constants (const() names with a leading underscore cost no RAM) ----
_LEFT_FWD = const(26)
_LEFT_BACK = const(27)
_RIGHT_FWD = const(32)
_RIGHT_BACK = const(33)
_MOTOR_HZ = const(1000)
_SERVO = const(15)
_TRIG = const(5)
_ECHO = const(18)
_LINE_LEFT = const(36)
_LINE_RIGHT = const(39)
_LIGHT = const(34)
_POT = const(35)
_BUTTON = const(4)
_LED = const(2)
_BUZZER = const(23)
_NEOPIXEL = const(13)
_NUM_PIXELS = const(8)
_DHT = const(16)
_SCL = const(22)
_SDA = const(21)
_UART_TX = const(17)
_UART_RX = const(16)
_MPU_ADDR = const(0x68)
_OLED_ADDR = const(0x3C)
_LCD_ADDR = const(0x27)

_FULL_SPEED_CM_S = 20.0   # how far the robot drives in one second at speed 100 (measured)
_WHEEL_BASE_CM = 12.0     # distance between the wheels; sets how fast the robot spins
_MAX_TIMERS = const(4)    # the ESP32 has hardware timers 0..3
_INBOX_MAX = const(10)    # messages kept per inbox before new ones are dropped

# BLE: Nordic UART service (NUS). The central writes to RX; the robot notifies on TX.
_NUS = '6E400001-B5A3-F393-E0A9-E50E24DCCA9E'
_NUS_RX = '6E400002-B5A3-F393-E0A9-E50E24DCCA9E'
_NUS_TX = '6E400003-B5A3-F393-E0A9-E50E24DCCA9E'
_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)

# ---- module state: hardware objects created on first use, and what the library remembers ----
_hw = {}   # name -> Pin / PWM / ADC / I2C / driver object
_st = {
    'pid': [0.0, None],    # PID integral and last error
    'smooth': None,        # last value of smooth()
    'dht': None,           # (ticks_ms, temperature, humidity) of the last DHT11 reading
    'timers': [],          # machine.Timer objects started by every_ms()
    'pressed': 0,          # ticks_ms of the last accepted button press (debounce)
    'mqtt': [],            # (topic, message) received and not yet read
    'ble': [],             # texts a BLE central wrote and not yet read
    'ble_conns': [],       # connection handles of the BLE centrals connected now
}


# ---- small hardware helpers (private: not blocks) ----

def _out(pin):
    """The output Pin `pin`, created on first use."""
    key = 'out%d' % pin
    if key not in _hw:
        _hw[key] = Pin(pin, Pin.OUT)
    return _hw[key]


def _in(pin, pull=None):
    """The input Pin `pin` (optionally with a pull resistor), created on first use."""
    key = 'in%d' % pin
    if key not in _hw:
        _hw[key] = Pin(pin, Pin.IN, pull)
    return _hw[key]


def _pwm(pin, freq):
    """The PWM output on `pin`, created at `freq` Hz with duty 0 on first use."""
    key = 'pwm%d' % pin
    if key not in _hw:
        _hw[key] = PWM(Pin(pin), freq=freq, duty_u16=0)
    return _hw[key]


def _adc(pin):
    """The ADC on `pin`, full 0..3.3 V range (11 dB attenuation), created on first use."""
    key = 'adc%d' % pin
    if key not in _hw:
        _hw[key] = ADC(Pin(pin), atten=ADC.ATTN_11DB)
    return _hw[key]


def _i2c():
    """The shared I2C(0) bus. 100 kHz because the PCF8574 LCD backpack is rated for no more."""
    if 'i2c' not in _hw:
        _hw['i2c'] = I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=100000)
    return _hw['i2c']


def _button():
    """The button pin: to GND, so it reads 0 while pressed."""
    return _in(_BUTTON, Pin.PULL_UP)


def _need(key, first):
    """The object `key` in _hw, or a clear error telling which block to use first."""
    if key not in _hw:
        raise RuntimeError('call robot.%s() first' % first)
    return _hw[key]


def _byte(v):
    """A colour channel clamped to 0..255."""
    return max(0, min(255, int(v)))


def _drive_then_stop(ms):
    """Keep the motors as they are for `ms` milliseconds, then stop (ms <= 0: keep driving)."""
    if ms > 0:
        time.sleep_ms(int(ms))
        stop()


def _motor(fwd, back, speed):
    """One motor: PWM duty on the forward pin, 0 on the backward pin (negative speed: the reverse)."""
    speed = max(-100, min(100, int(speed)))
    duty = abs(speed) * 65535 // 100
    _pwm(fwd, _MOTOR_HZ).duty_u16(duty if speed > 0 else 0)
    _pwm(back, _MOTOR_HZ).duty_u16(duty if speed < 0 else 0)


# =====================================================================================
# motion
# =====================================================================================

def forward(speed: int = 60, ms: int = 0) -> None:
    """Drive both wheels forward.

    Block: robot_forward "move forward at speed %1 for %2 ms"
    Category: motion
    Args:
        speed (int, 0..100, %): how fast, as a percentage of full power.
        ms (int, 0..60000, ms): stop after this long; 0 keeps driving.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_backward, robot_stop, robot_drive_cm
    Example:
        import robot
        robot.forward(80, 1000)
    """
    set_motors(speed, speed)
    _drive_then_stop(ms)


def backward(speed: int = 60, ms: int = 0) -> None:
    """Drive both wheels backward.

    Block: robot_backward "move backward at speed %1 for %2 ms"
    Category: motion
    Args:
        speed (int, 0..100, %): how fast, as a percentage of full power.
        ms (int, 0..60000, ms): stop after this long; 0 keeps driving.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_forward, robot_stop
    Example:
        import robot
        robot.backward(50, 800)
    """
    set_motors(-speed, -speed)
    _drive_then_stop(ms)


def turn_left(speed: int = 50, ms: int = 0) -> None:
    """Turn left in an arc: the right wheel drives, the left wheel stands still.

    Block: robot_turn_left "turn left at speed %1 for %2 ms"
    Category: motion
    Args:
        speed (int, 0..100, %): how fast the outer (right) wheel turns.
        ms (int, 0..60000, ms): stop after this long; 0 keeps turning.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_turn_right, robot_spin, robot_turn_degrees
    Example:
        import robot
        robot.turn_left(50, 600)
    """
    set_motors(0, speed)
    _drive_then_stop(ms)


def turn_right(speed: int = 50, ms: int = 0) -> None:
    """Turn right in an arc: the left wheel drives, the right wheel stands still.

    Block: robot_turn_right "turn right at speed %1 for %2 ms"
    Category: motion
    Args:
        speed (int, 0..100, %): how fast the outer (left) wheel turns.
        ms (int, 0..60000, ms): stop after this long; 0 keeps turning.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_turn_left, robot_spin, robot_turn_degrees
    Example:
        import robot
        robot.turn_right(50, 600)
    """
    set_motors(speed, 0)
    _drive_then_stop(ms)


def spin(speed: int = 50, ms: int = 0) -> None:
    """Spin on the spot: the wheels turn in opposite directions; positive speed spins clockwise.

    Block: robot_spin "spin at speed %1 for %2 ms"
    Category: motion
    Args:
        speed (int, -100..100, %): how fast; positive is clockwise (right), negative anticlockwise.
        ms (int, 0..60000, ms): stop after this long; 0 keeps spinning.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_turn_degrees, robot_turn_left, robot_turn_right
    Example:
        import robot
        robot.spin(-40, 500)
    """
    set_motors(speed, -speed)
    _drive_then_stop(ms)


def set_motors(left: int, right: int) -> None:
    """Set each wheel's power directly; negative values drive that wheel backward.

    Block: robot_set_motors "set motors left %1 right %2"
    Category: motion
    Args:
        left (int, -100..100, %): power of the left wheel.
        right (int, -100..100, %): power of the right wheel.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_forward, robot_stop
    Example:
        import robot
        robot.set_motors(60, 30)
        robot.wait_ms(1000)
        robot.stop()
    """
    _motor(_LEFT_FWD, _LEFT_BACK, left)
    _motor(_RIGHT_FWD, _RIGHT_BACK, right)


def stop() -> None:
    """Stop both wheels.

    Block: robot_stop "stop"
    Category: motion
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_forward, robot_set_motors
    Example:
        import robot
        robot.forward(60)
        robot.wait_ms(500)
        robot.stop()
    """
    set_motors(0, 0)


def servo(angle: int, pin: int = 15) -> None:
    """Move a hobby servo to an angle (50 Hz pulses of 0.5 ms at 0 degrees to 2.5 ms at 180 degrees).

    Block: robot_servo "set servo on pin %2 to %1 degrees"
    Category: motion
    Args:
        angle (int, 0..180, °): where the servo arm should point.
        pin (int, 0..39, -): the GPIO the servo's signal wire is on.
    Returns:
        None
    Hardware: servo 15
    Related: robot_map_range
    Example:
        import robot
        for a in (0, 90, 180):
            robot.servo(a)
            robot.wait_ms(500)
    """
    angle = max(0, min(180, int(angle)))
    pulse_us = 500 + angle * 2000 // 180
    _pwm(pin, 50).duty_u16(pulse_us * 65535 // 20000)   # one period at 50 Hz is 20000 us


def drive_cm(cm: float, speed: int = 60) -> None:
    """Drive a distance, estimated from time (20 cm per second at speed 100); negative cm drives backward.

    Block: robot_drive_cm "drive %1 cm at speed %2"
    Category: motion
    Args:
        cm (float, -500..500, cm): how far; negative drives backward.
        speed (int, 1..100, %): how fast.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_forward, robot_turn_degrees
    Example:
        import robot
        robot.drive_cm(30)
        robot.drive_cm(-10, 40)
    """
    if speed <= 0 or cm == 0:
        return
    ms = int(abs(cm) * 1000 / (_FULL_SPEED_CM_S * speed / 100))
    if cm > 0:
        forward(speed, ms)
    else:
        backward(speed, ms)


def turn_degrees(degrees: float, speed: int = 50) -> None:
    """Spin on the spot by an angle, estimated from time; positive turns clockwise (right).

    Block: robot_turn_degrees "turn %1 degrees at speed %2"
    Category: motion
    Args:
        degrees (float, -360..360, °): how far to turn; positive is clockwise.
        speed (int, 1..100, %): how fast.
    Returns:
        None
    Hardware: left motor 26/27, right motor 32/33
    Related: robot_spin, robot_drive_cm
    Example:
        import robot
        for side in range(4):
            robot.drive_cm(20)
            robot.turn_degrees(90)
    """
    if speed <= 0 or degrees == 0:
        return
    # spinning on the spot, each wheel runs along a circle of diameter _WHEEL_BASE_CM
    deg_per_s = _FULL_SPEED_CM_S * speed / 100 * 360 / (math.pi * _WHEEL_BASE_CM)
    ms = int(abs(degrees) * 1000 / deg_per_s)
    spin(speed if degrees > 0 else -speed, ms)


# =====================================================================================
# sensors
# =====================================================================================

def distance_cm() -> float:
    """Measure the distance to the nearest obstacle with the HC-SR04 ultrasonic sensor.

    Returns 400.0 (the sensor's limit) when no echo comes back.

    Block: robot_distance_cm "distance in cm"
    Category: sensors
    Returns:
        float: centimetres, 2.0 to 400.0.
    Hardware: HC-SR04 trigger 5, echo 18
    Related: robot_forward, robot_stop
    Example:
        import robot
        while True:
            if robot.distance_cm() < 20:
                robot.stop()
            else:
                robot.forward(50)
            robot.wait_ms(50)
    """
    trig = _out(_TRIG)
    echo = _in(_ECHO)
    trig.value(0)
    time.sleep_us(2)
    trig.value(1)            # a 10 us pulse starts one measurement
    time.sleep_us(10)
    trig.value(0)
    us = time_pulse_us(echo, 1, 30000)   # echo high time; < 0 on timeout (30 ms is beyond 4 m)
    if us < 0:
        return 400.0
    return min(400.0, round(us / 58, 1))  # sound travels 1 cm and back in 58 us


def line_left() -> bool:
    """True while the left line sensor sees the black line.

    Block: robot_line_left "left sensor on line"
    Category: sensors
    Returns:
        bool: True on the black line.
    Hardware: line sensor 36
    Related: robot_line_right, robot_line_position
    Example:
        import robot
        if robot.line_left():
            robot.turn_left(40, 100)
    """
    return _in(_LINE_LEFT).value() == 0   # the sensor reads 0 on black


def line_right() -> bool:
    """True while the right line sensor sees the black line.

    Block: robot_line_right "right sensor on line"
    Category: sensors
    Returns:
        bool: True on the black line.
    Hardware: line sensor 39
    Related: robot_line_left, robot_line_position
    Example:
        import robot
        if robot.line_right():
            robot.turn_right(40, 100)
    """
    return _in(_LINE_RIGHT).value() == 0


def line_position() -> int | None:
    """Where the line is: -1 under the left sensor only, 0 under both (centre), 1 under the right only, None lost.

    Block: robot_line_position "line position"
    Category: sensors
    Returns:
        int | None: -1, 0, 1, or None when neither sensor sees the line.
    Hardware: line sensors 36, 39
    Related: robot_line_left, robot_line_right, robot_pid_update
    Example:
        import robot
        while True:
            pos = robot.line_position()
            if pos is None:
                robot.stop()
            else:
                robot.set_motors(50 + 30 * pos, 50 - 30 * pos)
            robot.wait_ms(10)
    """
    left, right = line_left(), line_right()
    if left and right:
        return 0
    if left:
        return -1
    if right:
        return 1
    return None


def light_level() -> int:
    """How bright it is at the light sensor, in percent.

    Block: robot_light_level "light level %"
    Category: sensors
    Returns:
        int: 0 (dark) to 100 (bright).
    Hardware: light sensor ADC 34
    Related: robot_potentiometer, robot_map_range
    Example:
        import robot
        if robot.light_level() < 30:
            robot.led_on()
    """
    return _adc(_LIGHT).read() * 100 // 4095


def potentiometer() -> int:
    """The potentiometer's position, in percent.

    Block: robot_potentiometer "potentiometer %"
    Category: sensors
    Returns:
        int: 0 to 100.
    Hardware: potentiometer ADC 35
    Related: robot_light_level, robot_map_range, robot_servo
    Example:
        import robot
        while True:
            robot.servo(robot.map_range(robot.potentiometer(), 0, 100, 0, 180))
            robot.wait_ms(20)
    """
    return _adc(_POT).read() * 100 // 4095


def button_pressed() -> bool:
    """True while the button is held down.

    Block: robot_button_pressed "button pressed"
    Category: sensors
    Returns:
        bool: True while pressed.
    Hardware: button 4
    Related: robot_wait_for_button, robot_on_button
    Example:
        import robot
        while True:
            if robot.button_pressed():
                robot.led_on()
            else:
                robot.led_off()
            robot.wait_ms(20)
    """
    return _button().value() == 0


def wait_for_button() -> None:
    """Wait until the button is pressed and released again.

    Block: robot_wait_for_button "wait for button"
    Category: sensors
    Returns:
        None
    Hardware: button 4
    Related: robot_button_pressed, robot_on_button
    Example:
        import robot
        robot.wait_for_button()
        robot.forward(60, 2000)
    """
    while not button_pressed():
        time.sleep_ms(10)
    time.sleep_ms(20)              # let the contacts stop bouncing
    while button_pressed():
        time.sleep_ms(10)


def _dht_read():
    """(ticks_ms, temperature, humidity): a fresh DHT11 reading, or the last one if it is under 1 s old.

    The DHT11 cannot be read more than once a second; a failed read falls back to the last good one.
    """
    last = _st['dht']
    now = time.ticks_ms()
    if last is not None and time.ticks_diff(now, last[0]) < 1000:
        return last
    if 'dht' not in _hw:
        import dht
        _hw['dht'] = dht.DHT11(Pin(_DHT))
    sensor = _hw['dht']
    try:
        sensor.measure()
    except OSError:
        if last is None:
            raise
        return last
    _st['dht'] = (now, sensor.temperature(), sensor.humidity())
    return _st['dht']


def temperature() -> float:
    """The air temperature from the DHT11 sensor.

    Block: robot_temperature "temperature °C"
    Category: sensors
    Returns:
        float: degrees Celsius.
    Hardware: DHT11 on 16
    Related: robot_humidity, robot_lcd_print
    Example:
        import robot
        print('Temperature:', robot.temperature())
    """
    return float(_dht_read()[1])


def humidity() -> float:
    """The relative humidity of the air from the DHT11 sensor.

    Block: robot_humidity "humidity %"
    Category: sensors
    Returns:
        float: percent relative humidity.
    Hardware: DHT11 on 16
    Related: robot_temperature
    Example:
        import robot
        print('Humidity:', robot.humidity())
    """
    return float(_dht_read()[2])


def _mpu_read(reg, n):
    """`n` bytes from MPU6050 register `reg`; the first call wakes the chip from sleep."""
    bus = _i2c()
    if 'mpu' not in _hw:
        bus.writeto_mem(_MPU_ADDR, 0x6B, b'\x00')   # PWR_MGMT_1 = 0: wake up, internal clock
        _hw['mpu'] = True
    return bus.readfrom_mem(_MPU_ADDR, reg, n)


def acceleration() -> tuple:
    """Acceleration along x, y and z from the MPU6050, in g (lying flat: about (0, 0, 1)).

    Block: robot_acceleration "acceleration x y z"
    Category: sensors
    Returns:
        tuple: (x, y, z) in g, each rounded to 0.01.
    Hardware: MPU6050 I2C 0x68 (SCL 22, SDA 21)
    Related: robot_tilt_angle, robot_gyro_z
    Example:
        import robot
        x, y, z = robot.acceleration()
        print('z:', z)
    """
    x, y, z = struct.unpack('>hhh', _mpu_read(0x3B, 6))   # ACCEL_XOUT_H.., +-2 g range
    return (round(x / 16384, 2), round(y / 16384, 2), round(z / 16384, 2))


def gyro_z() -> float:
    """How fast the robot turns around its vertical axis, from the MPU6050.

    Block: robot_gyro_z "turn rate °/s"
    Category: sensors
    Returns:
        float: degrees per second; positive is anticlockwise seen from above.
    Hardware: MPU6050 I2C 0x68 (SCL 22, SDA 21)
    Related: robot_acceleration, robot_turn_degrees
    Example:
        import robot
        robot.spin(40)
        print('turning at', robot.gyro_z(), 'deg/s')
        robot.stop()
    """
    raw = struct.unpack('>h', _mpu_read(0x47, 2))[0]   # GYRO_ZOUT_H, +-250 deg/s range
    return round(raw / 131, 1)


def tilt_angle() -> float:
    """How far the robot is tilted forward or back, from the x and z acceleration.

    Block: robot_tilt_angle "tilt angle"
    Category: sensors
    Returns:
        float: degrees, 0 when flat; -180 to 180.
    Hardware: MPU6050 I2C 0x68 (SCL 22, SDA 21)
    Related: robot_acceleration
    Example:
        import robot
        if abs(robot.tilt_angle()) > 30:
            robot.stop()
            robot.beep(2000, 300)
    """
    x, _, z = acceleration()
    return round(math.degrees(math.atan2(x, z)), 1)


# =====================================================================================
# display: LED, NeoPixel ring, OLED, LCD
# =====================================================================================

def led_on() -> None:
    """Switch the on-board LED on.

    Block: robot_led_on "LED on"
    Category: display
    Returns:
        None
    Hardware: LED 2
    Related: robot_led_off, robot_led_toggle
    Example:
        import robot
        robot.led_on()
    """
    _out(_LED).value(1)


def led_off() -> None:
    """Switch the on-board LED off.

    Block: robot_led_off "LED off"
    Category: display
    Returns:
        None
    Hardware: LED 2
    Related: robot_led_on, robot_led_toggle
    Example:
        import robot
        robot.led_off()
    """
    _out(_LED).value(0)


def led_toggle() -> None:
    """Switch the on-board LED to the other state (on becomes off, off becomes on).

    Block: robot_led_toggle "toggle LED"
    Category: display
    Returns:
        None
    Hardware: LED 2
    Related: robot_led_on, robot_every_ms
    Example:
        import robot
        while True:
            robot.led_toggle()
            robot.wait_ms(500)
    """
    led = _out(_LED)
    led.value(not led.value())


def _pixels():
    """The NeoPixel ring, created on first use."""
    if 'np' not in _hw:
        import neopixel
        _hw['np'] = neopixel.NeoPixel(Pin(_NEOPIXEL), _NUM_PIXELS)
    return _hw['np']


def pixel(index: int, r: int, g: int, b: int) -> None:
    """Set the colour of one NeoPixel; it lights up at the next pixels_show().

    An index past the end wraps around the ring, so a counting loop can chase around it.

    Block: robot_pixel "set pixel %1 to red %2 green %3 blue %4"
    Category: display
    Args:
        index (int, 0..7, -): which pixel on the ring of 8.
        r (int, 0..255, -): red.
        g (int, 0..255, -): green.
        b (int, 0..255, -): blue.
    Returns:
        None
    Hardware: NeoPixel ring of 8 on 13
    Related: robot_pixels_show, robot_pixels_fill, robot_pixels_off
    Example:
        import robot
        robot.pixel(0, 255, 0, 0)
        robot.pixels_show()
    """
    _pixels()[int(index) % _NUM_PIXELS] = (_byte(r), _byte(g), _byte(b))


def pixels_fill(r: int, g: int, b: int) -> None:
    """Set every NeoPixel to one colour; they light up at the next pixels_show().

    Block: robot_pixels_fill "set all pixels to red %1 green %2 blue %3"
    Category: display
    Args:
        r (int, 0..255, -): red.
        g (int, 0..255, -): green.
        b (int, 0..255, -): blue.
    Returns:
        None
    Hardware: NeoPixel ring of 8 on 13
    Related: robot_pixels_show, robot_pixel, robot_pixels_off
    Example:
        import robot
        robot.pixels_fill(0, 0, 255)
        robot.pixels_show()
    """
    _pixels().fill((_byte(r), _byte(g), _byte(b)))


def pixels_off() -> None:
    """Switch every NeoPixel off at once.

    Block: robot_pixels_off "all pixels off"
    Category: display
    Returns:
        None
    Hardware: NeoPixel ring of 8 on 13
    Related: robot_pixels_fill, robot_pixels_show
    Example:
        import robot
        robot.pixels_fill(255, 255, 255)
        robot.pixels_show()
        robot.wait_ms(1000)
        robot.pixels_off()
    """
    ring = _pixels()
    ring.fill((0, 0, 0))
    ring.write()


def pixels_show() -> None:
    """Send the colours set with pixel() and pixels_fill() to the ring.

    Block: robot_pixels_show "show pixels"
    Category: display
    Returns:
        None
    Hardware: NeoPixel ring of 8 on 13
    Related: robot_pixel, robot_pixels_fill
    Example:
        import robot
        for i in range(8):
            robot.pixels_off()
            robot.pixel(i, 0, 255, 0)
            robot.pixels_show()
            robot.wait_ms(100)
    """
    _pixels().write()


class _SSD1306:
    """Minimal SSD1306 128x64 OLED driver over I2C: a framebuf.FrameBuffer in RAM plus show()."""

    def __init__(self, i2c, addr=_OLED_ADDR, width=128, height=64):
        self.i2c = i2c
        self.addr = addr
        self.width = width
        self.pages = height // 8                    # one byte holds a column of 8 pixels
        self.buf = bytearray(self.pages * width)
        self.fb = framebuf.FrameBuffer(self.buf, width, height, framebuf.MONO_VLSB)
        for c in (0xAE,             # display off
                  0x20, 0x00,       # horizontal addressing
                  0x40,             # start line 0
                  0xA1,             # column 127 is SEG0 (not mirrored)
                  0xA8, height - 1,  # multiplex ratio
                  0xC8,             # scan COM outputs from the bottom
                  0xD3, 0x00,       # no display offset
                  0xDA, 0x12,       # COM pins for a 128x64 panel
                  0xD5, 0x80,       # clock divide
                  0xD9, 0xF1,       # pre-charge period (internal VCC)
                  0xDB, 0x30,       # VCOM deselect level
                  0x81, 0xFF,       # contrast
                  0xA4,             # show RAM contents
                  0xA6,             # not inverted
                  0x8D, 0x14,       # charge pump on
                  0xAF):            # display on
            self.command(c)
        self.show()

    def command(self, c):
        self.i2c.writeto(self.addr, bytes((0x80, c)))      # control byte 0x80: one command follows

    def show(self):
        for c in (0x21, 0, self.width - 1, 0x22, 0, self.pages - 1):   # whole screen as the window
            self.command(c)
        self.i2c.writevto(self.addr, (b'\x40', self.buf))  # control byte 0x40: data follows


def _oled():
    """The OLED driver, created (and the screen cleared) on first use."""
    if 'oled' not in _hw:
        _hw['oled'] = _SSD1306(_i2c())
    return _hw['oled']


def oled_text(text: str, line: int = 0) -> None:
    """Write text on one line of the OLED (16 characters fit); it appears at the next oled_show().

    The line is cleared first, so shorter text leaves nothing of the old text behind.

    Block: robot_oled_text "OLED write %1 on line %2"
    Category: display
    Args:
        text (str, -, -): what to write; numbers are turned into text.
        line (int, 0..7, -): the line, 0 at the top; each line is 8 pixels high.
    Returns:
        None
    Hardware: SSD1306 128x64 OLED I2C 0x3C (SCL 22, SDA 21)
    Related: robot_oled_show, robot_oled_clear, robot_lcd_print
    Example:
        import robot
        robot.oled_text('Hello!', 0)
        robot.oled_text(robot.distance_cm(), 2)
        robot.oled_show()
    """
    fb = _oled().fb
    y = (int(line) % 8) * 8
    fb.fill_rect(0, y, 128, 8, 0)
    fb.text(str(text), 0, y, 1)


def oled_clear() -> None:
    """Clear the whole OLED screen at once.

    Block: robot_oled_clear "OLED clear"
    Category: display
    Returns:
        None
    Hardware: SSD1306 128x64 OLED I2C 0x3C (SCL 22, SDA 21)
    Related: robot_oled_text, robot_oled_show
    Example:
        import robot
        robot.oled_clear()
    """
    oled = _oled()
    oled.fb.fill(0)
    oled.show()


def oled_show() -> None:
    """Send what oled_text() wrote to the OLED screen.

    Block: robot_oled_show "OLED show"
    Category: display
    Returns:
        None
    Hardware: SSD1306 128x64 OLED I2C 0x3C (SCL 22, SDA 21)
    Related: robot_oled_text, robot_oled_clear
    Example:
        import robot
        while True:
            robot.oled_text('light: %d %%' % robot.light_level(), 0)
            robot.oled_show()
            robot.wait_ms(200)
    """
    _oled().show()


class _LCD1602:
    """HD44780 16x2 character LCD behind a PCF8574 I2C backpack, in 4-bit mode.

    PCF8574 bits: P0 = RS, P1 = RW (kept 0: write), P2 = E, P3 = backlight, P4..P7 = D4..D7.
    """

    def __init__(self, i2c, addr=_LCD_ADDR):
        self.i2c = i2c
        self.addr = addr
        time.sleep_ms(50)                 # the controller needs 40 ms after power-up
        for _ in range(3):                # three times 'function set, 8-bit' resets it from any state
            self._nibble(0x30)
            time.sleep_ms(5)
        self._nibble(0x20)                # now switch to 4-bit mode
        for c in (0x28,                   # 4-bit, 2 lines, 5x8 font
                  0x08,                   # display off
                  0x01,                   # clear
                  0x06,                   # cursor moves right, no shift
                  0x0C):                  # display on, cursor off
            self.command(c)

    def _nibble(self, bits):
        """Send the high nibble of `bits` (low bits: RS) by pulsing E; backlight stays on."""
        self.i2c.writeto(self.addr, bytes((bits | 0x0C,)))   # E high (0x04) + backlight (0x08)
        self.i2c.writeto(self.addr, bytes((bits | 0x08,)))   # E low: the LCD latches the data

    def command(self, c, rs=0):
        self._nibble((c & 0xF0) | rs)
        self._nibble(((c << 4) & 0xF0) | rs)
        if rs == 0 and c <= 3:
            time.sleep_ms(2)              # clear and home take 1.52 ms

    def write(self, text):
        for ch in text:
            code = ord(ch)
            if ch == '°':
                code = 0xDF               # the degree sign in the HD44780 character ROM
            elif code > 127:
                code = 0x3F               # '?' for characters the LCD does not have
            self.command(code, 1)


def _lcd():
    """The LCD driver, created (and the display initialised) on first use."""
    if 'lcd' not in _hw:
        _hw['lcd'] = _LCD1602(_i2c())
    return _hw['lcd']


def lcd_print(text: str, row: int = 0) -> None:
    """Show text on one row of the 16x2 LCD, replacing what was there.

    Block: robot_lcd_print "LCD print %1 on row %2"
    Category: display
    Args:
        text (str, -, -): what to show; longer than 16 characters is cut; numbers are turned into text.
        row (int, 0..1, -): 0 is the top row, 1 the bottom.
    Returns:
        None
    Hardware: PCF8574 16x2 LCD I2C 0x27 (SCL 22, SDA 21)
    Related: robot_lcd_clear, robot_oled_text
    Example:
        import robot
        robot.lcd_print('Temp: %.1f°C' % robot.temperature(), 0)
        robot.lcd_print('Hum: %d %%' % robot.humidity(), 1)
    """
    s = str(text)[:16]
    lcd = _lcd()
    lcd.command(0x80 | (0x40 if row else 0x00))    # move to the start of the row
    lcd.write(s + ' ' * (16 - len(s)))              # pad so old text disappears


def lcd_clear() -> None:
    """Clear the LCD.

    Block: robot_lcd_clear "LCD clear"
    Category: display
    Returns:
        None
    Hardware: PCF8574 16x2 LCD I2C 0x27 (SCL 22, SDA 21)
    Related: robot_lcd_print
    Example:
        import robot
        robot.lcd_clear()
    """
    _lcd().command(0x01)


# =====================================================================================
# sound
# =====================================================================================

_SEMITONES = {'C': 0, 'D': 2, 'E': 4, 'F': 5, 'G': 7, 'A': 9, 'B': 11}


def _note_freq(note):
    """Frequency in Hz of a note name like 'C4', 'A#5' or 'Bb3' (octave 4 if left out); 0 for a rest."""
    name = str(note).strip()
    if name in ('', 'R', 'r', '-'):
        return 0
    letter = name[0].upper()
    if letter not in _SEMITONES:
        raise ValueError('not a note: %r' % note)
    semitone, rest = _SEMITONES[letter], name[1:]
    if rest[:1] == '#':
        semitone, rest = semitone + 1, rest[1:]
    elif rest[:1] == 'b':
        semitone, rest = semitone - 1, rest[1:]
    octave = int(rest) if rest else 4
    midi = 12 * (octave + 1) + semitone            # MIDI note number; A4 = 69
    return round(440 * 2 ** ((midi - 69) / 12))


def tone(freq: int) -> None:
    """Start a sound on the buzzer that goes on until no_tone().

    Block: robot_tone "play tone %1 Hz"
    Category: sound
    Args:
        freq (int, 20..20000, Hz): the pitch; 0 is silence.
    Returns:
        None
    Hardware: buzzer 23
    Related: robot_no_tone, robot_beep
    Example:
        import robot
        robot.tone(440)
        robot.wait_ms(500)
        robot.no_tone()
    """
    if freq <= 0:
        no_tone()
        return
    buzzer = _pwm(_BUZZER, int(freq))
    buzzer.freq(int(freq))
    buzzer.duty_u16(32768)            # a square wave: half the period on


def no_tone() -> None:
    """Silence the buzzer.

    Block: robot_no_tone "stop tone"
    Category: sound
    Returns:
        None
    Hardware: buzzer 23
    Related: robot_tone
    Example:
        import robot
        robot.no_tone()
    """
    _pwm(_BUZZER, 1000).duty_u16(0)


def beep(freq: int = 1000, ms: int = 100) -> None:
    """Beep once: a tone for a while, then silence.

    Block: robot_beep "beep %1 Hz for %2 ms"
    Category: sound
    Args:
        freq (int, 20..20000, Hz): the pitch.
        ms (int, 0..10000, ms): how long.
    Returns:
        None
    Hardware: buzzer 23
    Related: robot_tone, robot_play_note
    Example:
        import robot
        robot.beep()
        robot.beep(2000, 50)
    """
    tone(freq)
    time.sleep_ms(int(ms))
    no_tone()


def play_note(note: str, ms: int = 250) -> None:
    """Play one musical note by name, like "C4", "A#5" or "Bb3"; "R" is a rest.

    The note sounds for 90 % of the time and is silent for the rest, so repeated notes are heard apart.

    Block: robot_play_note "play note %1 for %2 ms"
    Category: sound
    Args:
        note (str, -, -): letter A-G, optional # or b, octave 0-8 (4 if left out); "R" rests.
        ms (int, 0..10000, ms): how long the note lasts.
    Returns:
        None
    Hardware: buzzer 23
    Related: robot_play_melody, robot_beep
    Example:
        import robot
        robot.play_note('A4', 500)
    """
    freq = _note_freq(note)
    ms = int(ms)
    if freq:
        tone(freq)
        time.sleep_ms(ms * 9 // 10)
        no_tone()
        time.sleep_ms(ms - ms * 9 // 10)
    else:
        time.sleep_ms(ms)


def play_melody(notes: list, ms: int = 250) -> None:
    """Play a list of notes, each for the same time; a text of notes separated by spaces works too.

    Block: robot_play_melody "play melody %1 with notes of %2 ms"
    Category: sound
    Args:
        notes (list, -, -): note names such as ["C4", "E4", "G4", "R", "C5"].
        ms (int, 0..10000, ms): how long each note lasts.
    Returns:
        None
    Hardware: buzzer 23
    Related: robot_play_note
    Example:
        import robot
        robot.play_melody(['C4', 'D4', 'E4', 'F4', 'G4'], 200)
        robot.play_melody('E4 E4 R E4', 150)
    """
    if isinstance(notes, str):
        notes = notes.split()
    for n in notes:
        play_note(n, ms)


# =====================================================================================
# communication: WiFi, MQTT, Bluetooth LE, serial
# =====================================================================================

def wifi_connect(ssid: str, password: str, timeout_ms: int = 10000) -> str | None:
    """Join a WiFi network and wait until connected.

    Block: robot_wifi_connect "connect to WiFi %1 password %2 waiting %3 ms"
    Category: communication
    Args:
        ssid (str, -, -): the network's name.
        password (str, -, -): the network's password.
        timeout_ms (int, 1000..60000, ms): how long to wait before giving up.
    Returns:
        str | None: the robot's IP address, or None if it did not connect in time.
    Hardware: -
    Related: robot_wifi_connected, robot_mqtt_connect
    Example:
        import robot
        ip = robot.wifi_connect('school', 'secret123')
        print('IP:', ip)
    """
    import network
    if 'wlan' not in _hw:
        _hw['wlan'] = network.WLAN(network.STA_IF)
    wlan = _hw['wlan']
    wlan.active(True)
    if not wlan.isconnected():
        wlan.connect(ssid, password)
        start = time.ticks_ms()
        while not wlan.isconnected():
            if time.ticks_diff(time.ticks_ms(), start) > timeout_ms:
                return None
            time.sleep_ms(100)
    return wlan.ifconfig()[0]


def wifi_connected() -> bool:
    """True while the robot is connected to WiFi.

    Block: robot_wifi_connected "WiFi connected"
    Category: communication
    Returns:
        bool: True when connected.
    Hardware: -
    Related: robot_wifi_connect
    Example:
        import robot
        robot.wifi_connect('school', 'secret123')
        if robot.wifi_connected():
            robot.led_on()
    """
    return 'wlan' in _hw and _hw['wlan'].isconnected()


def _on_mqtt(topic, msg):
    """umqtt callback: keep the message for mqtt_check()."""
    if len(_st['mqtt']) < _INBOX_MAX:
        _st['mqtt'].append((topic.decode(), msg.decode()))


def mqtt_connect(broker: str, client_id: str = "robot") -> bool:
    """Connect to an MQTT broker (connect to WiFi first).

    Block: robot_mqtt_connect "connect to MQTT broker %1 as %2"
    Category: communication
    Args:
        broker (str, -, -): the broker's host name or IP address.
        client_id (str, -, -): the name this robot uses at the broker; each robot needs its own.
    Returns:
        bool: True when connected.
    Hardware: -
    Related: robot_wifi_connect, robot_mqtt_publish, robot_mqtt_subscribe
    Example:
        import robot
        robot.wifi_connect('school', 'secret123')
        robot.mqtt_connect('broker.hivemq.com', 'robot-7')
    """
    from umqtt.simple import MQTTClient, MQTTException
    client = MQTTClient(client_id, broker)
    client.set_callback(_on_mqtt)
    try:
        client.connect()
    except (OSError, MQTTException):    # no network, or the broker refused
        return False
    _hw['mqtt'] = client
    return True


def mqtt_publish(topic: str, message: str) -> None:
    """Send a message to an MQTT topic.

    Block: robot_mqtt_publish "MQTT send %2 to topic %1"
    Category: communication
    Args:
        topic (str, -, -): the topic, like "robot/temp".
        message (str, -, -): what to send; numbers are turned into text.
    Returns:
        None
    Hardware: -
    Related: robot_mqtt_connect, robot_mqtt_subscribe
    Example:
        import robot
        robot.wifi_connect('school', 'secret123')
        robot.mqtt_connect('broker.hivemq.com')
        robot.mqtt_publish('robot/temp', robot.temperature())
    """
    _need('mqtt', 'mqtt_connect').publish(str(topic).encode(), str(message).encode())


def mqtt_subscribe(topic: str) -> None:
    """Start receiving the messages of an MQTT topic; read them with mqtt_check().

    Block: robot_mqtt_subscribe "MQTT subscribe to %1"
    Category: communication
    Args:
        topic (str, -, -): the topic, like "robot/cmd"; "robot/#" means every robot/ topic.
    Returns:
        None
    Hardware: -
    Related: robot_mqtt_check, robot_mqtt_connect
    Example:
        import robot
        robot.wifi_connect('school', 'secret123')
        robot.mqtt_connect('broker.hivemq.com')
        robot.mqtt_subscribe('robot/cmd')
    """
    _need('mqtt', 'mqtt_connect').subscribe(str(topic).encode())


def mqtt_check() -> tuple | None:
    """The next MQTT message that arrived on a subscribed topic, or None; it does not wait.

    Block: robot_mqtt_check "MQTT message"
    Category: communication
    Returns:
        tuple | None: (topic, message) as text, or None when nothing new arrived.
    Hardware: -
    Related: robot_mqtt_subscribe, robot_mqtt_publish
    Example:
        import robot
        robot.wifi_connect('school', 'secret123')
        robot.mqtt_connect('broker.hivemq.com')
        robot.mqtt_subscribe('robot/cmd')
        while True:
            msg = robot.mqtt_check()
            if msg and msg[1] == 'go':
                robot.forward(60, 1000)
            robot.wait_ms(100)
    """
    _need('mqtt', 'mqtt_connect').check_msg()     # delivers waiting messages to _on_mqtt
    inbox = _st['mqtt']
    return inbox.pop(0) if inbox else None


def _ble_advertise():
    """Advertise the robot's name, with the Nordic UART service in the scan response."""
    import binascii
    ble, name = _hw['ble'][0], _hw['ble'][3]
    adv = bytes((2, 0x01, 0x06, len(name) + 1, 0x09)) + name      # flags: general, no classic BT; name
    uuid = bytes(reversed(binascii.unhexlify(_NUS.replace('-', ''))))  # 128-bit UUID, little-endian
    ble.gap_advertise(100000, adv, resp_data=bytes((17, 0x07)) + uuid)


def _on_ble(event, data):
    """BLE events: remember centrals, keep what they write to RX, advertise again after a disconnect."""
    ble, tx, rx = _hw['ble'][0], _hw['ble'][1], _hw['ble'][2]
    conns = _st['ble_conns']
    if event == _IRQ_CENTRAL_CONNECT:
        conns.append(data[0])
    elif event == _IRQ_CENTRAL_DISCONNECT:
        if data[0] in conns:
            conns.remove(data[0])
        _ble_advertise()
    elif event == _IRQ_GATTS_WRITE and data[1] == rx:
        if len(_st['ble']) < _INBOX_MAX:
            _st['ble'].append(ble.gatts_read(rx).decode())


def ble_start(name: str = "robolm") -> None:
    """Start Bluetooth LE as a Nordic UART device that phone apps (e.g. Serial Bluetooth Terminal) can connect to.

    Block: robot_ble_start "start Bluetooth as %1"
    Category: communication
    Args:
        name (str, -, -): the name the phone shows (up to 20 characters).
    Returns:
        None
    Hardware: -
    Related: robot_ble_send, robot_ble_receive, robot_ble_connected
    Example:
        import robot
        robot.ble_start('robot-7')
    """
    if 'ble' in _hw:
        return
    import bluetooth
    ble = bluetooth.BLE()
    ble.active(True)
    ble.config(gap_name=name)
    nus = (bluetooth.UUID(_NUS), (
        (bluetooth.UUID(_NUS_TX), bluetooth.FLAG_READ | bluetooth.FLAG_NOTIFY),
        (bluetooth.UUID(_NUS_RX), bluetooth.FLAG_WRITE | bluetooth.FLAG_WRITE_NO_RESPONSE),
    ))
    ((tx, rx),) = ble.gatts_register_services((nus,))
    ble.gatts_set_buffer(rx, 100, True)        # accept writes up to 100 bytes
    _hw['ble'] = (ble, tx, rx, str(name).encode()[:20])
    ble.irq(_on_ble)
    _ble_advertise()


def ble_connected() -> bool:
    """True while a phone or other central is connected over Bluetooth LE.

    Block: robot_ble_connected "Bluetooth connected"
    Category: communication
    Returns:
        bool: True when at least one central is connected.
    Hardware: -
    Related: robot_ble_start
    Example:
        import robot
        robot.ble_start()
        while not robot.ble_connected():
            robot.wait_ms(100)
        robot.ble_send('hello')
    """
    return len(_st['ble_conns']) > 0


def ble_send(text: str) -> None:
    """Send text to the connected phone (a notification on the UART TX characteristic).

    Block: robot_ble_send "Bluetooth send %1"
    Category: communication
    Args:
        text (str, -, -): what to send; numbers are turned into text.
    Returns:
        None
    Hardware: -
    Related: robot_ble_receive, robot_ble_start
    Example:
        import robot
        robot.ble_start()
        robot.ble_send('dist %.1f' % robot.distance_cm())
    """
    ble, tx = _need('ble', 'ble_start')[0], _hw['ble'][1]
    data = str(text).encode()
    # send_update=True notifies every subscribed central; 20 bytes is what fits in one
    # notification at the default MTU. (The stubs' gatts_notify lacks conn_handle, so the
    # equally real gatts_write(..., True) is used.)
    for i in range(0, len(data), 20):
        ble.gatts_write(tx, data[i:i + 20], True)


def ble_receive() -> str | None:
    """The next text the phone sent, or None; it does not wait.

    Block: robot_ble_receive "Bluetooth received text"
    Category: communication
    Returns:
        str | None: the text (line endings removed), or None when nothing new arrived.
    Hardware: -
    Related: robot_ble_send, robot_ble_start
    Example:
        import robot
        robot.ble_start()
        while True:
            cmd = robot.ble_receive()
            if cmd == 'F':
                robot.forward(60, 500)
            elif cmd == 'S':
                robot.stop()
            robot.wait_ms(20)
    """
    inbox = _st['ble']
    return inbox.pop(0).strip('\r\n') if inbox else None


def _uart():
    """UART2 at 9600 baud on TX 17 / RX 16, created on first use."""
    if 'uart' not in _hw:
        _hw['uart'] = UART(2, baudrate=9600, tx=_UART_TX, rx=_UART_RX)
    return _hw['uart']


def serial_read() -> str | None:
    """A line that arrived on the serial port UART2 (e.g. from an HC-05 module), or None; it does not wait.

    Block: robot_serial_read "serial line received"
    Category: communication
    Returns:
        str | None: the line without its line ending, or None when nothing arrived.
    Hardware: UART2 TX 17, RX 16
    Related: robot_serial_write, robot_ble_receive
    Example:
        import robot
        while True:
            line = robot.serial_read()
            if line == 'F':
                robot.forward(60)
            elif line == 'S':
                robot.stop()
            robot.wait_ms(20)
    """
    port = _uart()
    if not port.any():
        return None
    line = port.readline()
    if not line:
        return None
    return line.decode().strip('\r\n')


def serial_write(text: str) -> None:
    """Send a line of text on the serial port UART2.

    Block: robot_serial_write "serial send %1"
    Category: communication
    Args:
        text (str, -, -): what to send; a line ending is added.
    Returns:
        None
    Hardware: UART2 TX 17, RX 16
    Related: robot_serial_read
    Example:
        import robot
        robot.serial_write('ready')
    """
    _uart().write(str(text) + '\n')


# =====================================================================================
# control: time, timers, button events
# =====================================================================================

def wait_ms(ms: int) -> None:
    """Wait a number of milliseconds.

    Block: robot_wait_ms "wait %1 ms"
    Category: control
    Args:
        ms (int, 0..3600000, ms): how long.
    Returns:
        None
    Hardware: -
    Related: robot_wait_s, robot_millis
    Example:
        import robot
        robot.led_on()
        robot.wait_ms(250)
        robot.led_off()
    """
    time.sleep_ms(int(ms))


def wait_s(seconds: float) -> None:
    """Wait a number of seconds (fractions allowed).

    Block: robot_wait_s "wait %1 seconds"
    Category: control
    Args:
        seconds (float, 0..3600, s): how long.
    Returns:
        None
    Hardware: -
    Related: robot_wait_ms
    Example:
        import robot
        robot.forward(60)
        robot.wait_s(1.5)
        robot.stop()
    """
    time.sleep_ms(int(seconds * 1000))


def millis() -> int:
    """Milliseconds since the robot started (a ticks_ms counter; compare with elapsed_ms()).

    Block: robot_millis "milliseconds since start"
    Category: control
    Returns:
        int: milliseconds.
    Hardware: -
    Related: robot_elapsed_ms, robot_wait_ms
    Example:
        import robot
        start = robot.millis()
        robot.wait_for_button()
        print('reaction:', robot.elapsed_ms(start), 'ms')
    """
    return time.ticks_ms()


def elapsed_ms(since: int) -> int:
    """Milliseconds that passed since a time taken with millis().

    Block: robot_elapsed_ms "ms since %1"
    Category: control
    Args:
        since (int, -, ms): an earlier millis() value.
    Returns:
        int: milliseconds.
    Hardware: -
    Related: robot_millis
    Example:
        import robot
        start = robot.millis()
        robot.forward(60)
        while robot.elapsed_ms(start) < 2000:
            robot.wait_ms(10)
        robot.stop()
    """
    return time.ticks_diff(time.ticks_ms(), since)


def every_ms(period_ms: int, callback) -> None:
    """Run a function again and again at a fixed period, in the background (a hardware timer; at most 4).

    The function takes no arguments and should be short: it interrupts the main program.

    Block: robot_every_ms "every %1 ms do %2"
    Category: control
    Args:
        period_ms (int, 1..3600000, ms): time between two runs.
        callback (function, -, -): the function to run.
    Returns:
        None
    Hardware: -
    Related: robot_stop_timers, robot_on_button
    Example:
        import robot
        robot.every_ms(500, robot.led_toggle)
        robot.forward(40, 3000)
        robot.stop_timers()
    """
    timers = _st['timers']
    if len(timers) >= _MAX_TIMERS:
        raise RuntimeError('at most 4 timers; call robot.stop_timers() first')
    timer = Timer(len(timers))
    timer.init(mode=Timer.PERIODIC, period=int(period_ms), callback=lambda t: callback())
    timers.append(timer)


def stop_timers() -> None:
    """Stop every function started with every_ms().

    Block: robot_stop_timers "stop all timers"
    Category: control
    Returns:
        None
    Hardware: -
    Related: robot_every_ms
    Example:
        import robot
        robot.stop_timers()
    """
    for timer in _st['timers']:
        timer.deinit()
    _st['timers'] = []


def on_button(callback) -> None:
    """Run a function each time the button is pressed (falling edge), in the background; bounces within 200 ms are ignored.

    Block: robot_on_button "when button pressed do %1"
    Category: control
    Args:
        callback (function, -, -): a function without arguments.
    Returns:
        None
    Hardware: button 4
    Related: robot_button_pressed, robot_wait_for_button, robot_every_ms
    Example:
        import robot
        robot.on_button(robot.led_toggle)
        while True:
            robot.wait_ms(100)
    """
    def handler(pin):
        now = time.ticks_ms()
        if time.ticks_diff(now, _st['pressed']) > 200:
            _st['pressed'] = now
            callback()
    _button().irq(trigger=Pin.IRQ_FALLING, handler=handler)


# =====================================================================================
# logic
# =====================================================================================

def between(value: float, low: float, high: float) -> bool:
    """True when a value lies between two limits (both included).

    Block: robot_between "%1 is between %2 and %3"
    Category: logic
    Args:
        value (float, -, -): the number to test.
        low (float, -, -): the lower limit.
        high (float, -, -): the upper limit.
    Returns:
        bool: low <= value <= high.
    Hardware: -
    Related: robot_constrain
    Example:
        import robot
        if robot.between(robot.distance_cm(), 10, 30):
            robot.beep()
    """
    return low <= value <= high


def all_true(*values: bool) -> bool:
    """True when every one of the values is true.

    Block: robot_all_true "all of %1"
    Category: logic
    Args:
        values (bool, -, -): any number of conditions.
    Returns:
        bool: True if all are true (also when there are none).
    Hardware: -
    Related: robot_any_true
    Example:
        import robot
        if robot.all_true(robot.line_left(), robot.line_right()):
            robot.stop()
    """
    return all(values)


def any_true(*values: bool) -> bool:
    """True when at least one of the values is true.

    Block: robot_any_true "any of %1"
    Category: logic
    Args:
        values (bool, -, -): any number of conditions.
    Returns:
        bool: True if one or more are true.
    Hardware: -
    Related: robot_all_true
    Example:
        import robot
        if robot.any_true(robot.button_pressed(), robot.distance_cm() < 10):
            robot.stop()
    """
    return any(values)


def toggle(value: bool) -> bool:
    """The opposite truth value: True becomes False and False becomes True.

    Block: robot_toggle "not %1"
    Category: logic
    Args:
        value (bool, -, -): the value to flip.
    Returns:
        bool: not value.
    Hardware: -
    Related: robot_led_toggle
    Example:
        import robot
        moving = False
        while True:
            robot.wait_for_button()
            moving = robot.toggle(moving)
            if moving:
                robot.forward(50)
            else:
                robot.stop()
    """
    return not value


# =====================================================================================
# math
# =====================================================================================

def map_range(value: float, in_low: float, in_high: float, out_low: float, out_high: float) -> float:
    """Convert a number from one range to another (like Arduino's map, but keeps fractions).

    Block: robot_map_range "map %1 from %2..%3 to %4..%5"
    Category: math
    Args:
        value (float, -, -): the number to convert.
        in_low (float, -, -): the low end of its range.
        in_high (float, -, -): the high end of its range.
        out_low (float, -, -): what in_low becomes.
        out_high (float, -, -): what in_high becomes.
    Returns:
        float: the converted number (not limited to the output range; see constrain).
    Hardware: -
    Related: robot_constrain, robot_potentiometer
    Example:
        import robot
        angle = robot.map_range(robot.potentiometer(), 0, 100, 0, 180)
        robot.servo(angle)
    """
    if in_high == in_low:
        return out_low
    return out_low + (value - in_low) * (out_high - out_low) / (in_high - in_low)


def constrain(value: float, low: float, high: float) -> float:
    """Keep a number inside limits: below low gives low, above high gives high.

    Block: robot_constrain "constrain %1 between %2 and %3"
    Category: math
    Args:
        value (float, -, -): the number.
        low (float, -, -): the smallest allowed value.
        high (float, -, -): the largest allowed value.
    Returns:
        float: the number, limited to low..high.
    Hardware: -
    Related: robot_map_range, robot_between
    Example:
        import robot
        speed = robot.constrain(robot.distance_cm() * 2, 0, 100)
        robot.forward(int(speed))
    """
    return max(low, min(high, value))


def random_int(low: int, high: int) -> int:
    """A random whole number between two limits (both included).

    Block: robot_random_int "random number from %1 to %2"
    Category: math
    Args:
        low (int, -, -): the smallest possible number.
        high (int, -, -): the largest possible number.
    Returns:
        int: low <= n <= high.
    Hardware: -
    Related: robot_turn_degrees
    Example:
        import robot
        robot.turn_degrees(robot.random_int(-90, 90))
    """
    return random.randint(int(low), int(high))


def average(values: list) -> float:
    """The average (mean) of a list of numbers; 0 for an empty list.

    Block: robot_average "average of %1"
    Category: math
    Args:
        values (list, -, -): numbers.
    Returns:
        float: their mean.
    Hardware: -
    Related: robot_smooth
    Example:
        import robot
        readings = [robot.distance_cm() for i in range(5)]
        print(robot.average(readings))
    """
    if not values:
        return 0.0
    return sum(values) / len(values)


def pid_update(setpoint: float, measured: float, kp: float, ki: float, kd: float, dt_ms: int = 20) -> float:
    """One step of a PID controller: how much to correct, from the error now, its sum and its change.

    Call it every dt_ms milliseconds; the sum and the last error are kept by the library (pid_reset() clears them).

    Block: robot_pid_update "PID target %1 measured %2 kp %3 ki %4 kd %5 every %6 ms"
    Category: math
    Args:
        setpoint (float, -, -): where you want to be.
        measured (float, -, -): where you are.
        kp (float, 0..100, -): proportional gain.
        ki (float, 0..100, -): integral gain (per second).
        kd (float, 0..100, -): derivative gain (seconds).
        dt_ms (int, 1..10000, ms): time since the last call.
    Returns:
        float: the correction, kp*error + ki*sum(error*dt) + kd*d(error)/dt.
    Hardware: -
    Related: robot_pid_reset, robot_line_position, robot_constrain
    Example:
        import robot
        robot.pid_reset()
        while True:
            turn = robot.pid_update(0, robot.line_position() or 0, 30, 0, 5)
            robot.set_motors(50 - turn, 50 + turn)
            robot.wait_ms(20)
    """
    state = _st['pid']
    dt = dt_ms / 1000
    error = setpoint - measured
    state[0] += error * dt
    derivative = 0.0 if state[1] is None else (error - state[1]) / dt
    state[1] = error
    return kp * error + ki * state[0] + kd * derivative


def pid_reset() -> None:
    """Forget the PID controller's sum and last error (before starting a new run).

    Block: robot_pid_reset "reset PID"
    Category: math
    Returns:
        None
    Hardware: -
    Related: robot_pid_update
    Example:
        import robot
        robot.pid_reset()
    """
    _st['pid'] = [0.0, None]


def smooth(value: float, factor: float = 0.2) -> float:
    """Smooth a jumpy sensor reading: an exponential moving average kept by the library.

    Block: robot_smooth "smooth %1 by %2"
    Category: math
    Args:
        value (float, -, -): the new reading.
        factor (float, 0.0..1.0, -): how much the new reading counts; small is smoother but slower.
    Returns:
        float: the smoothed value.
    Hardware: -
    Related: robot_average, robot_distance_cm
    Example:
        import robot
        while True:
            print(robot.smooth(robot.light_level()))
            robot.wait_ms(50)
    """
    last = _st['smooth']
    _st['smooth'] = value if last is None else last + factor * (value - last)
    return _st['smooth']
