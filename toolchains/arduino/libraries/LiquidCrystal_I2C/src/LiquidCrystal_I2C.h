// HD44780 LCD behind a PCF8574 I2C backpack, written for robolm (Debian's Arduino packages ship none).
// The usual API: LiquidCrystal_I2C lcd(0x27, 16, 2); lcd.init() or lcd.begin(); lcd.backlight();
// lcd.setCursor(col, row); lcd.print(...) (from Print). Each nibble goes out as one Wire transmission
// with the backpack's wiring P0=RS P1=RW P2=EN P3=backlight P4..P7=D4..D7, EN pulsed high then low.
#pragma once
#include <Arduino.h>
#include <Wire.h>

class LiquidCrystal_I2C : public Print {
 public:
  LiquidCrystal_I2C(uint8_t addr, uint8_t cols, uint8_t rows);
  void begin(uint8_t cols = 0, uint8_t rows = 0);
  void init();
  void clear();
  void home();
  void setCursor(uint8_t col, uint8_t row);
  void backlight();
  void noBacklight();
  void display();
  void noDisplay();
  void cursor();
  void noCursor();
  void blink();
  void noBlink();
  void createChar(uint8_t location, uint8_t charmap[]);
  void command(uint8_t value);
  virtual size_t write(uint8_t value);
  using Print::write;
 private:
  void send(uint8_t value, uint8_t mode);
  void write4(uint8_t nibble_bits);
  void expander(uint8_t data);
  uint8_t addr_, cols_, rows_, backlight_, control_;
};
