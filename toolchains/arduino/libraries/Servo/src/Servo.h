// Servo for the Arduino Uno, written for robolm (Debian's Arduino packages ship no Servo library).
// Same API and pulse range as the Arduino library: write(angle) maps 0..180 degrees to 544..2400 us
// (or attach(pin, min, max)); values >= 544 passed to write() are microseconds.
// How: Timer1 in CTC mode at 0.5 us per tick; the compare-A interrupt raises one servo's pin, ends it
// after its pulse width, moves on to the next, and waits for the rest of a 20 ms frame. Any pin works;
// Timer1 PWM (analogWrite on pins 9 and 10) stops working while a servo is attached, as on the real library.
#pragma once
#include <Arduino.h>

#define MIN_PULSE_WIDTH 544
#define MAX_PULSE_WIDTH 2400
#define DEFAULT_PULSE_WIDTH 1500
#define REFRESH_INTERVAL 20000
#define MAX_SERVOS 12
#define INVALID_SERVO 255

class Servo {
 public:
  Servo();
  uint8_t attach(int pin);                  // attach to a pin (544..2400 us); returns the channel or 255
  uint8_t attach(int pin, int min, int max);  // with the pulse widths (us) of 0 and 180 degrees
  void detach();                            // stop pulses on the pin
  void write(int value);                    // angle 0..180, or microseconds if >= MIN_PULSE_WIDTH
  void writeMicroseconds(int us);           // pulse width in microseconds
  int read();                               // last angle written (0..180)
  int readMicroseconds();                   // last pulse width (us)
  bool attached();
 private:
  uint8_t idx;
  int mn, mx;
};
