// Servo for the Arduino Uno, written for robolm. See Servo.h.
#include "Servo.h"
#include <avr/interrupt.h>

static volatile uint8_t s_pin[MAX_SERVOS], s_on[MAX_SERVOS];
static volatile uint16_t s_ticks[MAX_SERVOS];   // pulse width in Timer1 ticks (0.5 us at 16 MHz / 8)
static uint8_t s_count = 0;                      // channels handed out
static volatile int8_t s_cur = -1;               // channel whose pulse is running, -1 between frames
static volatile uint16_t s_used;                 // ticks of the current frame spent on pulses

// Timer1 in CTC mode (WGM12), prescaler 8: the counter restarts at every compare match, so each interrupt
// sets the length of the next interval: one servo's pulse, or the rest of the 20 ms frame.
static void timer_start() {
  TCCR1A = 0; TCCR1B = _BV(WGM12) | _BV(CS11); TCNT1 = 0; OCR1A = 100;
  TIFR1 = _BV(OCF1A); TIMSK1 |= _BV(OCIE1A);
}

ISR(TIMER1_COMPA_vect) {
  if (s_cur >= 0 && s_on[s_cur]) digitalWrite(s_pin[s_cur], LOW);   // the running pulse ends
  s_cur++;
  if (s_cur < (int8_t)s_count) {                                     // next channel: raise its pin
    if (s_on[s_cur]) digitalWrite(s_pin[s_cur], HIGH);
    OCR1A = s_ticks[s_cur] - 1;
    s_used += s_ticks[s_cur];
  } else {                                                           // rest of the frame
    uint16_t frame = REFRESH_INTERVAL * 2u;
    OCR1A = (s_used + 200 < frame ? frame - s_used : 200) - 1;
    s_used = 0;
    s_cur = -1;
  }
}

Servo::Servo() : mn(MIN_PULSE_WIDTH), mx(MAX_PULSE_WIDTH) {
  if (s_count < MAX_SERVOS) { idx = s_count++; s_ticks[idx] = DEFAULT_PULSE_WIDTH * 2; }
  else idx = INVALID_SERVO;
}

uint8_t Servo::attach(int pin) { return attach(pin, MIN_PULSE_WIDTH, MAX_PULSE_WIDTH); }

uint8_t Servo::attach(int pin, int min, int max) {
  if (idx == INVALID_SERVO) return INVALID_SERVO;
  mn = min; mx = max;
  pinMode(pin, OUTPUT);
  s_pin[idx] = pin; s_on[idx] = 1;
  if (!(TIMSK1 & _BV(OCIE1A))) timer_start();
  return idx;
}

void Servo::detach() { if (idx != INVALID_SERVO) { s_on[idx] = 0; digitalWrite(s_pin[idx], LOW); } }

void Servo::write(int value) {
  if (value < MIN_PULSE_WIDTH) {
    if (value < 0) value = 0;
    if (value > 180) value = 180;
    value = map(value, 0, 180, mn, mx);
  }
  writeMicroseconds(value);
}

void Servo::writeMicroseconds(int us) {
  if (idx == INVALID_SERVO) return;
  if (us < mn) us = mn;
  if (us > mx) us = mx;
  uint8_t sreg = SREG; cli(); s_ticks[idx] = us * 2; SREG = sreg;
}

int Servo::readMicroseconds() {
  if (idx == INVALID_SERVO) return 0;
  uint8_t sreg = SREG; cli(); uint16_t t = s_ticks[idx]; SREG = sreg;
  return t / 2;
}

int Servo::read() { return map(readMicroseconds() + 1, mn, mx, 0, 180); }

bool Servo::attached() { return idx != INVALID_SERVO && s_on[idx]; }
