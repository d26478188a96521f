// HD44780 LCD behind a PCF8574 I2C backpack, written for robolm. See LiquidCrystal_I2C.h.
#include "LiquidCrystal_I2C.h"

#define RS 0x01
#define EN 0x04
#define BACKLIGHT 0x08
#define DISPLAY_ON 0x04
#define CURSOR_ON 0x02
#define BLINK_ON 0x01

LiquidCrystal_I2C::LiquidCrystal_I2C(uint8_t addr, uint8_t cols, uint8_t rows)
    : addr_(addr), cols_(cols), rows_(rows), backlight_(BACKLIGHT), control_(DISPLAY_ON) {}

void LiquidCrystal_I2C::init() { begin(); }

void LiquidCrystal_I2C::begin(uint8_t cols, uint8_t rows) {
  if (cols) cols_ = cols;
  if (rows) rows_ = rows;
  Wire.begin();
  delay(50);
  expander(backlight_);
  // HD44780 datasheet, initialisation by instruction, then 4-bit mode
  write4(0x30); delayMicroseconds(4500);
  write4(0x30); delayMicroseconds(4500);
  write4(0x30); delayMicroseconds(150);
  write4(0x20);
  command(0x20 | (rows_ > 1 ? 0x08 : 0));   // function set: 4-bit, lines, 5x8 font
  command(0x08 | control_);                 // display on, no cursor, no blink
  clear();
  command(0x06);                            // entry mode: left to right
}

void LiquidCrystal_I2C::clear() { command(0x01); delayMicroseconds(2000); }
void LiquidCrystal_I2C::home() { command(0x02); delayMicroseconds(2000); }

void LiquidCrystal_I2C::setCursor(uint8_t col, uint8_t row) {
  static const uint8_t offsets[] = {0x00, 0x40, 0x14, 0x54};
  if (row >= rows_) row = rows_ ? rows_ - 1 : 0;
  command(0x80 | (col + offsets[row & 3]));
}

void LiquidCrystal_I2C::backlight() { backlight_ = BACKLIGHT; expander(0); }
void LiquidCrystal_I2C::noBacklight() { backlight_ = 0; expander(0); }
void LiquidCrystal_I2C::display() { control_ |= DISPLAY_ON; command(0x08 | control_); }
void LiquidCrystal_I2C::noDisplay() { control_ &= ~DISPLAY_ON; command(0x08 | control_); }
void LiquidCrystal_I2C::cursor() { control_ |= CURSOR_ON; command(0x08 | control_); }
void LiquidCrystal_I2C::noCursor() { control_ &= ~CURSOR_ON; command(0x08 | control_); }
void LiquidCrystal_I2C::blink() { control_ |= BLINK_ON; command(0x08 | control_); }
void LiquidCrystal_I2C::noBlink() { control_ &= ~BLINK_ON; command(0x08 | control_); }

void LiquidCrystal_I2C::createChar(uint8_t location, uint8_t charmap[]) {
  command(0x40 | ((location & 7) << 3));
  for (int i = 0; i < 8; i++) write(charmap[i]);
}

void LiquidCrystal_I2C::command(uint8_t value) { send(value, 0); }
size_t LiquidCrystal_I2C::write(uint8_t value) { send(value, RS); return 1; }

void LiquidCrystal_I2C::send(uint8_t value, uint8_t mode) {
  write4((value & 0xF0) | mode);
  write4(((value << 4) & 0xF0) | mode);
}

void LiquidCrystal_I2C::write4(uint8_t bits) {
  expander(bits | EN);
  delayMicroseconds(1);
  expander(bits & ~EN);
  delayMicroseconds(50);
}

void LiquidCrystal_I2C::expander(uint8_t data) {
  Wire.beginTransmission(addr_);
  Wire.write(data | backlight_);
  Wire.endTransmission();
}
