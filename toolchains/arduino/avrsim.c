/*
 * avrsim.c - robolm's headless simavr harness: runs an Arduino Uno sketch (ATmega328P ELF, 16 MHz) for a fixed
 * amount of *simulated* time, feeds it scheduled inputs and prints what it did as one JSON object on stdout.
 *
 * Build (the Makefile's `avrsim` target):
 *   cc -O2 -o avrsim avrsim.c -I/usr/include/simavr -Wl,-Bstatic -lsimavr -Wl,-Bdynamic -lelf
 * (libsimavr linked statically: its calls, made once per AVR instruction, skip the PLT; ~8% faster.)
 *
 * Usage: avrsim [options] firmware.elf
 *   -t MS          simulated milliseconds to run (default 1000)
 *   -w S           wall-clock guard in seconds (default 30): the run stops with state "wall_timeout"
 *   -d PIN=V@MS    Uno pin PIN (0-19, 14-19 = A0-A5) is driven to V (0/1) from MS on (an external level that
 *                  survives the sketch's own PORT/DDR writes, like a button wired to the pin)
 *   -a CH=MV@MS    ADC channel CH (0-7; A0 = 0) reads MV millivolts from MS on (AREF = AVCC = 5000 mV)
 *   -s MS=HEX      bytes (hex) arrive on Serial (UART0 RX) from MS on, one per millisecond
 *   -e PIN=US@MS   HC-SR04 echo on PIN: after a trigger pulse (any other output pin high for 2-60 us, then low)
 *                  the echo pin goes high 200 us later for US microseconds (the width scheduled at trigger time)
 *   -i ADDR        an I2C device at 7-bit ADDR that acknowledges (all register reads give 0)
 *   -r ADDR:REG=HEX[@MS]  register REG of device ADDR: after a write of [REG], reads return these bytes in turn
 *                  (from MS on: several -r for one register make a schedule, the latest started one answers)
 *   -R ADDR=HEX[@MS]  a device whose plain reads return these bytes in turn (from the first, each transaction;
 *                  from MS on, as for -r)
 *   -m N           at most N events per kind (pins, pwm, i2c; default 100000); more set "truncated"
 *
 * Output (times in simulated ms):
 *   {"state": "ok"|"crashed"|"halted"|"wall_timeout", "reason": "...", "ms", "cycles", "wall_s", "sp_min",
 *    "pins": [[t, uno_pin, level], ...]          every level change of a pin (outputs and driven inputs)
 *    "pwm": [[t, uno_pin, duty, freq_hz], ...]   hardware PWM of pins 3, 5, 6, 9, 10, 11: duty 0..1 while the timer
 *                                                drives the pin, -1 when it stops (the pin is plain GPIO again)
 *    "uart": "...", "uart_lines": [[t, "line"], ...],
 *    "i2c": [[t, addr, "w"|"r", [bytes]], ...]   one entry per transaction with an existing device
 *    "truncated": [...]}
 *
 * Speed: one step per AVR instruction is the bulk of the work, so the main loop is simavr's own run loop inlined
 * (run_one_step: the cycle-timer queue is only walked when a timer is due) with a branch-light stack check; the
 * event log is cycle for cycle the same as with avr_run(). About 99% of a typical sketch's instructions are
 * delay()'s polling of micros().
 *
 * Crash detection: the stack pointer is watched after every instruction: below the end of .data+.bss means the stack
 * ran into the variables (deep or infinite recursion, huge local arrays) -> "crashed", "stack overflow". simavr's own
 * crashes (invalid opcode, jump outside the flash, bad memory access) -> "crashed" with simavr's message; sleeping with
 * interrupts disabled (the CPU can never wake up) -> "halted". Exit status 0 in all these cases (they are results);
 * 2 on bad usage.
 *
 * PWM: simavr 1.6 models Timer0's fast PWM only as an IRQ and not Timer1/Timer2's phase-correct modes, so the harness
 * samples the timer registers (TCCRnA/B, OCRnx, ICR1, DDR) every 100 us of simulated time and computes each PWM pin's
 * duty and frequency the way the datasheet defines them (fast / phase-correct, TOP from the WGM bits, prescaler).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_irq.h"
#include "sim_io.h"
#include "sim_cycle_timers.h"
#include "sim_core.h"
#include "avr_ioport.h"
#include "avr_uart.h"
#include "avr_adc.h"
#include "avr_twi.h"

#define FREQ 16000000UL
#define CYC(ms) ((avr_cycle_count_t)((ms) * (FREQ / 1000.0)))

static avr_t *avr;
static int max_events = 100000;
static char truncated[256];

/* ---------- growable text buffers ---------- */
typedef struct { char *s; size_t len, cap; int n; } buf_t;
static void app(buf_t *b, const char *fmt, ...) {
	va_list ap; char tmp[1024];
	va_start(ap, fmt); int n = vsnprintf(tmp, sizeof tmp, fmt, ap); va_end(ap);
	if (n < 0) return;
	if (n >= (int)sizeof tmp) n = sizeof tmp - 1;
	if (b->len + n + 1 > b->cap) { b->cap = (b->cap + n + 1) * 2; b->s = realloc(b->s, b->cap); }
	memcpy(b->s + b->len, tmp, n + 1); b->len += n;
}
static void app_json_str(buf_t *b, const char *s, size_t n) {
	app(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];
		if (ch == '"' || ch == '\\') app(b, "\\%c", ch);
		else if (ch == '\n') app(b, "\\n");
		else if (ch < 32 || ch > 126) app(b, "\\u%04x", ch);
		else app(b, "%c", ch);
	}
	app(b, "\"");
}
static void note_truncated(const char *what) {
	if (!strstr(truncated, what)) {
		size_t l = strlen(truncated);
		snprintf(truncated + l, sizeof truncated - l, "%s\"%s\"", l ? "," : "", what);
	}
}
static int room(buf_t *b, const char *what) {   /* one more event of this kind allowed? */
	if (b->n >= max_events) { note_truncated(what); return 0; }
	b->n++; return 1;
}
static double now_ms(void) { return (double)avr->cycle * 1000.0 / FREQ; }

/* ---------- Uno pin numbers: PD0-7 -> 0-7, PB0-5 -> 8-13, PC0-5 -> 14-19 (A0-A5) ---------- */
static const char PORTS[] = "BCD";
static int uno_pin(int pi, int bit) {
	if (pi == 2) return bit;
	if (pi == 0) return bit < 6 ? 8 + bit : -1;
	return bit < 6 ? 14 + bit : -1;
}
static int pin_port(int pin, int *bit) {     /* Uno pin -> port index, bit */
	if (pin < 0 || pin > 19) return -1;
	if (pin < 8) { *bit = pin; return 2; }
	if (pin < 14) { *bit = pin - 8; return 0; }
	*bit = pin - 14; return 1;
}
static const uint8_t DDR_ADDR[3] = {0x24, 0x27, 0x2A};   /* DDRB, DDRC, DDRD */
static int is_output(int pi, int bit) { return (avr->data[DDR_ADDR[pi]] >> bit) & 1; }

/* ---------- pin transitions (+ HC-SR04 trigger detection) ---------- */
static buf_t ev_pins;
static int last_level[3][8];
static avr_cycle_count_t rise_cycle[3][8];
static void echo_trigger(int trig_pin);
static int pwm_driven(int pin);
static void pin_cb(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	intptr_t p = (intptr_t)param; int pi = p >> 3, bit = p & 7, pin = uno_pin(pi, bit);
	if (pin < 0 || last_level[pi][bit] == (int)value) return;
	last_level[pi][bit] = value;
	if (value) rise_cycle[pi][bit] = avr->cycle;
	else if (is_output(pi, bit)) {
		double high_us = (avr->cycle - rise_cycle[pi][bit]) * 1e6 / FREQ;
		if (high_us >= 2 && high_us <= 60) echo_trigger(pin);
	}
	if (pwm_driven(pin)) return;     /* the timer toggles it: reported in "pwm", not edge by edge */
	if (room(&ev_pins, "pins")) app(&ev_pins, "%s[%.3f,%d,%u]", ev_pins.len ? "," : "", now_ms(), pin, value);
}

/* ---------- externally driven input levels ---------- */
static uint8_t ext_mask[3], ext_val[3];
static void drive_pin(int pin, int val) {
	int bit, pi = pin_port(pin, &bit);
	if (pi < 0) return;
	ext_mask[pi] |= 1 << bit;
	if (val) ext_val[pi] |= 1 << bit; else ext_val[pi] &= ~(1 << bit);
	avr_ioport_external_t e = { .name = PORTS[pi], .mask = ext_mask[pi], .value = ext_val[pi] };
	avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(PORTS[pi]), &e);
	avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(PORTS[pi]), bit), val ? 1 : 0);
}
typedef struct { int pin, val; double ms; } din_t;
static avr_cycle_count_t din_timer(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)a; (void)when; din_t *d = param; drive_pin(d->pin, d->val); return 0;
}

/* ---------- ADC ---------- */
typedef struct { int ch, mv; double ms; } ain_t;
static avr_cycle_count_t ain_timer(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)a; (void)when; ain_t *x = param;
	avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + x->ch), x->mv);
	return 0;
}

/* ---------- HC-SR04 echo ---------- */
typedef struct { int pin, us; double ms; } echo_t;
static echo_t echoes[64]; static int n_echo;
static int echo_pin = -1, echo_width_us;
static avr_cycle_count_t echo_fall(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)a; (void)when; (void)param; drive_pin(echo_pin, 0); return 0;
}
static avr_cycle_count_t echo_rise(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)a; (void)param;
	drive_pin(echo_pin, 1);
	avr_cycle_timer_register(avr, (avr_cycle_count_t)echo_width_us * (FREQ / 1000000), echo_fall, NULL);
	return 0;
}
static void echo_trigger(int trig_pin) {
	if (echo_pin < 0 || trig_pin == echo_pin) return;
	double t = now_ms(); int us = -1;
	for (int i = 0; i < n_echo; i++) if (echoes[i].ms <= t) us = echoes[i].us;
	if (us < 0) return;
	echo_width_us = us;
	avr_cycle_timer_register(avr, 200 * (FREQ / 1000000), echo_rise, NULL);
}

/* ---------- UART0 ---------- */
#define UART_MAX (1 << 20)
static buf_t uart_raw, ev_lines;
static char cur_line[512]; static int cur_n; static double cur_t = -1;
static void flush_line(void) {
	if (room(&ev_lines, "uart_lines")) {
		app(&ev_lines, "%s[%.3f,", ev_lines.len ? "," : "", cur_t);
		app_json_str(&ev_lines, cur_line, cur_n);
		app(&ev_lines, "]");
	}
	cur_n = 0; cur_t = -1;
}
static void uart_cb(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq; (void)param;
	char ch = (char)value;
	if (uart_raw.len >= UART_MAX) { note_truncated("uart"); return; }
	if (uart_raw.len + 2 > uart_raw.cap) { uart_raw.cap = uart_raw.cap * 2 + 256; uart_raw.s = realloc(uart_raw.s, uart_raw.cap); }
	uart_raw.s[uart_raw.len++] = ch;
	if (ch == '\r') return;
	if (ch == '\n') { flush_line(); return; }
	if (cur_t < 0) cur_t = now_ms();
	if (cur_n < (int)sizeof cur_line) cur_line[cur_n++] = ch;
}
typedef struct { double ms; uint8_t *bytes; int n, i; } sin_t;
static avr_cycle_count_t sin_timer(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)a; sin_t *s = param;
	if (s->i >= s->n) return 0;
	avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT), s->bytes[s->i++]);
	return s->i < s->n ? when + FREQ / 1000 : 0;
}

/* ---------- I2C devices (simavr TWI master <-> our slaves) ---------- */
typedef struct { int reg; uint8_t bytes[64]; int n; double ms; } reg_t;     /* reg -1: the plain-read bytes */
typedef struct { int addr; reg_t regs[32]; int n_regs; int has_rd; } i2c_dev_t;
static i2c_dev_t devs[16]; static int n_devs;
static i2c_dev_t *sel; static int sel_read, xfer_n, ptr_reg = -1, rd_i, reg_k;
static reg_t *sel_rd;
static uint8_t xfer[256]; static double xfer_t;
static buf_t ev_i2c;
static avr_irq_t *twi_in;
static i2c_dev_t *find_dev(int addr) {
	for (int i = 0; i < n_devs; i++) if (devs[i].addr == addr) return &devs[i];
	return NULL;
}
static i2c_dev_t *get_dev(int addr) {
	i2c_dev_t *d = find_dev(addr);
	if (!d && n_devs < 16) { d = &devs[n_devs++]; memset(d, 0, sizeof *d); d->addr = addr; }
	return d;
}
static void i2c_flush(void) {     /* log the finished transaction */
	if (sel && (xfer_n || sel_read) && room(&ev_i2c, "i2c")) {
		app(&ev_i2c, "%s[%.3f,%d,\"%s\",[", ev_i2c.len ? "," : "", xfer_t, sel->addr, sel_read ? "r" : "w");
		for (int i = 0; i < xfer_n; i++) app(&ev_i2c, "%s%d", i ? "," : "", xfer[i]);
		app(&ev_i2c, "]]");
	}
	xfer_n = 0;
}
static reg_t *reg_now(i2c_dev_t *d, int reg) {     /* the entry of `reg` whose time came last, or NULL */
	reg_t *best = NULL; double t = now_ms();
	for (int i = 0; i < d->n_regs; i++)
		if (d->regs[i].reg == reg && d->regs[i].ms <= t && (!best || d->regs[i].ms >= best->ms)) best = &d->regs[i];
	return best;
}
static uint8_t i2c_read_byte(void) {
	if (sel->has_rd) return sel_rd && rd_i < sel_rd->n ? sel_rd->bytes[rd_i++] : 0;
	uint8_t v = 0; reg_t *r = ptr_reg >= 0 ? reg_now(sel, ptr_reg) : NULL;
	if (r) { if (reg_k < r->n) v = r->bytes[reg_k]; }
	else if (ptr_reg >= 0 && (r = reg_now(sel, ptr_reg + reg_k)) && r->n) v = r->bytes[0];   /* the next register's first byte */
	reg_k++;
	return v;
}
static void twi_cb(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq; (void)param;
	avr_twi_msg_irq_t m; m.u.v = value;
	uint8_t msg = m.u.twi.msg, addr8 = m.u.twi.addr;
	if (msg & TWI_COND_STOP) { i2c_flush(); sel = NULL; }
	if (msg & TWI_COND_START) {
		i2c_flush();
		sel = find_dev(addr8 >> 1); sel_read = addr8 & 1; xfer_t = now_ms(); rd_i = 0; reg_k = 0;
		sel_rd = sel && sel->has_rd ? reg_now(sel, -1) : NULL;
		if (sel) avr_raise_irq(twi_in, avr_twi_irq_msg(TWI_COND_ACK, addr8, 1));
	}
	if (!sel) return;
	if (msg & TWI_COND_WRITE) {
		avr_raise_irq(twi_in, avr_twi_irq_msg(TWI_COND_ACK, addr8, 1));
		if (xfer_n == 0) { ptr_reg = m.u.twi.data; reg_k = 0; }
		if (xfer_n < (int)sizeof xfer) xfer[xfer_n++] = m.u.twi.data;
	}
	if (msg & TWI_COND_READ) {
		uint8_t v = i2c_read_byte();
		if (xfer_n < (int)sizeof xfer) xfer[xfer_n++] = v;
		avr_raise_irq(twi_in, avr_twi_irq_msg(TWI_COND_READ, addr8, v));
	}
}

/* ---------- hardware PWM, sampled from the timer registers ---------- */
typedef struct { int pin, timer; uint8_t ocr, ocrh, com_shift; } pwm_pin_t;
static const pwm_pin_t PWM_PINS[] = {            /* ATmega328P data-space addresses */
	{6, 0, 0x47, 0, 6}, {5, 0, 0x48, 0, 4},      /* OC0A, OC0B */
	{9, 1, 0x88, 0x89, 6}, {10, 1, 0x8A, 0x8B, 4}, /* OC1A, OC1B */
	{11, 2, 0xB3, 0, 6}, {3, 2, 0xB4, 0, 4},     /* OC2A, OC2B */
};
static const uint8_t TCCRA[3] = {0x44, 0x80, 0xB0}, TCCRB[3] = {0x45, 0x81, 0xB1};
static double last_duty[6], last_freq[6];
static buf_t ev_pwm;
static int prescale(int timer, int cs) {
	static const int t01[8] = {0, 1, 8, 64, 256, 1024, 0, 0}, t2[8] = {0, 1, 8, 32, 64, 128, 256, 1024};
	return timer == 2 ? t2[cs & 7] : t01[cs & 7];
}
static void pwm_state(int i, double *duty, double *freq) {
	const pwm_pin_t *p = &PWM_PINS[i];
	uint8_t a = avr->data[TCCRA[p->timer]], b = avr->data[TCCRB[p->timer]];
	int com = (a >> p->com_shift) & 3, bit = 0, pi = pin_port(p->pin, &bit);
	int n = prescale(p->timer, b & 7);
	*duty = -1; *freq = 0;
	if (com < 2 || !n || !is_output(pi, bit)) return;   /* disconnected, stopped or not an output: GPIO */
	unsigned ocr = avr->data[p->ocr] | (p->ocrh ? avr->data[p->ocrh] << 8 : 0), top; int fast;
	if (p->timer == 1) {
		int wgm = (a & 3) | ((b >> 1) & 0x0C);
		unsigned icr = avr->data[0x86] | avr->data[0x87] << 8, ocra = avr->data[0x88] | avr->data[0x89] << 8;
		switch (wgm) {
		case 1: top = 0xFF; fast = 0; break;   case 2: top = 0x1FF; fast = 0; break;
		case 3: top = 0x3FF; fast = 0; break;  case 5: top = 0xFF; fast = 1; break;
		case 6: top = 0x1FF; fast = 1; break;  case 7: top = 0x3FF; fast = 1; break;
		case 8: case 10: top = icr; fast = 0; break;  case 9: case 11: top = ocra; fast = 0; break;
		case 14: top = icr; fast = 1; break;   case 15: top = ocra; fast = 1; break;
		default: return;                       /* normal / CTC: no PWM */
		}
	} else {
		int wgm = (a & 3) | ((b >> 1) & 4);
		unsigned ocra = avr->data[p->timer == 0 ? 0x47 : 0xB3];
		switch (wgm) {
		case 1: top = 0xFF; fast = 0; break;   case 3: top = 0xFF; fast = 1; break;
		case 5: top = ocra; fast = 0; break;   case 7: top = ocra; fast = 1; break;
		default: return;
		}
	}
	if (!top) return;
	double d = fast ? (ocr >= top ? 1.0 : (ocr + 1.0) / (top + 1.0)) : (ocr >= top ? 1.0 : (double)ocr / top);
	if (com == 3) d = 1.0 - d;
	*duty = d;
	*freq = fast ? (double)FREQ / (n * (top + 1.0)) : (double)FREQ / (2.0 * n * top);
}
static int pwm_driven(int pin) {
	for (int i = 0; i < 6; i++)
		if (PWM_PINS[i].pin == pin) { double d, f; pwm_state(i, &d, &f); return d >= 0; }
	return 0;
}
static avr_cycle_count_t pwm_sample(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)a; (void)param;
	for (int i = 0; i < 6; i++) {
		double d, f; pwm_state(i, &d, &f);
		if (d != last_duty[i] || f != last_freq[i]) {
			last_duty[i] = d; last_freq[i] = f;
			if (room(&ev_pwm, "pwm"))
				app(&ev_pwm, "%s[%.3f,%d,%.5f,%.2f]", ev_pwm.len ? "," : "", now_ms(), PWM_PINS[i].pin, d, f);
		}
	}
	return when + FREQ / 10000;      /* every 100 us */
}

/* ---------- simavr's log: keep the last warning/error as the crash message ---------- */
static char last_log[256];
static void logger(avr_t *a, const int level, const char *fmt, va_list ap) {
	(void)a;
	if (level <= LOG_WARNING) {
		char msg[256];
		vsnprintf(msg, sizeof msg, fmt, ap);
		if (last_log[0] && strstr(msg, "avr_sadly_crashed")) return;   /* keep the message that says why */
		memcpy(last_log, msg, sizeof msg);
		size_t l = strlen(last_log);
		while (l && (last_log[l - 1] == '\n' || last_log[l - 1] == '\r')) last_log[--l] = 0;
	}
}
static void no_sleep(avr_t *a, avr_cycle_count_t howLong) { (void)a; (void)howLong; }

/* ---------- one step of the CPU ----------
 * The same as simavr 1.6's avr_run() with the raw run callback (one instruction, the cycle timers that are due,
 * sleep, interrupts), but the timer queue is only walked when its first timer is due: the other 99% of the steps skip
 * two library calls. The result is cycle for cycle identical. */
static inline uint16_t flash16(avr_t *a, avr_flashaddr_t pc) { return a->flash[pc] | (a->flash[pc + 1] << 8); }

/* simavr 1.6 decides whether a skip instruction (CPSE, SBRC, SBRS, SBIC, SBIS) jumps over a 32-bit instruction with
 * the mask 0xfc0f, which reads ADIW/SBIW with a constant ending in 0xC-0xF as CALL/JMP: it then skips the instruction
 * after them too (and counts one cycle more). avr-gcc emits exactly that for a signed `x / 16` (SBRC r25,7; ADIW 15),
 * so on stock simavr 1.6 `512 / 16` is 0. Later simavr masks with 0xfe0f; this puts the PC and cycle back the same
 * way. Called only when an instruction moved the PC by 6 bytes, which is rare. */
static avr_flashaddr_t fix_skip(avr_t *a, avr_flashaddr_t pc, avr_flashaddr_t new_pc) {
	uint16_t op = flash16(a, pc), next = flash16(a, pc + 2);
	int skip = (op & 0xfc00) == 0x1000 || (op & 0xfc08) == 0xfc00 || (op & 0xfd00) == 0x9900;
	if (!skip || (next & 0xfe00) != 0x9600) return new_pc;
	a->cycle -= 1;
	return pc + 4;
}

static inline int run_one_step(avr_t *a) {
	avr_flashaddr_t new_pc = a->pc;
	if (a->state == cpu_Running) {
		avr_flashaddr_t pc = a->pc;
		new_pc = avr_run_one(a);
		if (new_pc == pc + 6) new_pc = fix_skip(a, pc, new_pc);
	}
	avr_cycle_count_t sleep;
	avr_cycle_timer_slot_p t = a->cycle_timers.timer;
	if (t && t->when > a->cycle) {     /* nothing due: what avr_cycle_timer_process() would return and store */
		sleep = t->when - a->cycle;
		if (sleep > a->run_cycle_limit) sleep = a->run_cycle_limit;
		if (!sleep) sleep = 1;
		a->run_cycle_count = sleep;
	} else sleep = avr_cycle_timer_process(a);
	a->pc = new_pc;
	if (a->state == cpu_Sleeping) {
		if (!a->sreg[S_I]) { a->state = cpu_Done; return a->state; }   /* simavr only logs this at trace level */
		a->sleep(a, sleep);
		a->cycle += 1 + sleep;
	}
	if ((a->state == cpu_Running || a->state == cpu_Sleeping) && a->interrupt_state) avr_service_interrupts(a);
	return a->state;
}

/* ---------- option parsing helpers ---------- */
static int parse_hex(const char *s, uint8_t *out, int max) {
	int n = 0; unsigned v;
	while (s[0] && s[1] && n < max && sscanf(s, "%2x", &v) == 1) { out[n++] = v; s += 2; }
	return n;
}
static void usage(const char *why) { fprintf(stderr, "avrsim: %s (see the comment at the top of avrsim.c)\n", why); exit(2); }

int main(int argc, char **argv) {
	double ms = 1000, wall_limit = 30;
	static din_t dins[512]; int n_din = 0;
	static ain_t ains[256]; int n_ain = 0;
	static sin_t sins[64]; int n_sin = 0;
	int opt;
	while ((opt = getopt(argc, argv, "t:w:d:a:s:e:i:r:R:m:")) != -1) {
		switch (opt) {
		case 't': ms = atof(optarg); break;
		case 'w': wall_limit = atof(optarg); break;
		case 'm': max_events = atoi(optarg); break;
		case 'd': {
			din_t *d = &dins[n_din];
			if (n_din >= 512 || sscanf(optarg, "%d=%d@%lf", &d->pin, &d->val, &d->ms) != 3 || d->pin < 0 || d->pin > 19)
				usage("bad -d PIN=V@MS");
			n_din++; break; }
		case 'a': {
			ain_t *x = &ains[n_ain];
			if (n_ain >= 256 || sscanf(optarg, "%d=%d@%lf", &x->ch, &x->mv, &x->ms) != 3 || x->ch < 0 || x->ch > 7)
				usage("bad -a CH=MV@MS");
			n_ain++; break; }
		case 's': {
			sin_t *s = &sins[n_sin]; char *eq = strchr(optarg, '=');
			if (n_sin >= 64 || !eq) usage("bad -s MS=HEX");
			s->ms = atof(optarg); s->bytes = malloc(strlen(eq)); s->n = parse_hex(eq + 1, s->bytes, strlen(eq)); s->i = 0;
			n_sin++; break; }
		case 'e': {
			echo_t *e = &echoes[n_echo];
			if (n_echo >= 64 || sscanf(optarg, "%d=%d@%lf", &e->pin, &e->us, &e->ms) != 3) usage("bad -e PIN=US@MS");
			if (echo_pin >= 0 && echo_pin != e->pin) usage("one echo pin only");
			echo_pin = e->pin; n_echo++; break; }
		case 'i': { int ad; if (sscanf(optarg, "%i", &ad) != 1 || !get_dev(ad)) usage("bad -i ADDR"); break; }
		case 'r': case 'R': {
			int ad, reg = -1; char *eq = strchr(optarg, '='), *at = strchr(optarg, '@');
			int ok = opt == 'r' ? sscanf(optarg, "%i:%i=", &ad, &reg) == 2 && reg >= 0 : sscanf(optarg, "%i=", &ad) == 1;
			if (!eq || !ok || (at && at < eq)) usage(opt == 'r' ? "bad -r ADDR:REG=HEX[@MS]" : "bad -R ADDR=HEX[@MS]");
			i2c_dev_t *d = get_dev(ad);
			if (!d || d->n_regs >= 32) usage("too many I2C devices or registers");
			reg_t *r = &d->regs[d->n_regs++]; r->reg = reg; r->n = parse_hex(eq + 1, r->bytes, 64);
			r->ms = at ? atof(at + 1) : 0;
			if (reg < 0) d->has_rd = 1;
			break; }
		default: usage("bad option");
		}
	}
	if (optind >= argc) usage("no firmware.elf");
	avr_global_logger_set(logger);
	elf_firmware_t f; memset(&f, 0, sizeof f);
	if (elf_read_firmware(argv[optind], &f)) { fprintf(stderr, "avrsim: cannot read %s\n", argv[optind]); return 2; }
	avr = avr_make_mcu_by_name("atmega328p");
	if (!avr) { fprintf(stderr, "avrsim: simavr has no atmega328p\n"); return 2; }
	avr_init(avr);
	avr->log = LOG_WARNING;
	f.frequency = FREQ;
	avr_load_firmware(avr, &f);
	avr->frequency = FREQ;
	avr->vcc = avr->avcc = avr->aref = 5000;
	avr->sleep = no_sleep;             /* simulated time only: never usleep() while the AVR sleeps */
	unsigned stack_floor = 0x100 + f.datasize + f.bsssize;

	memset(last_level, 0, sizeof last_level);     /* every pin starts low */
	for (int pi = 0; pi < 3; pi++)
		for (int b = 0; b < 8; b++)
			avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(PORTS[pi]), b),
			                        pin_cb, (void *)(intptr_t)(pi * 8 + b));
	uint32_t fl = 0;                   /* UART0: capture the output, silence simavr's console echo */
	avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &fl);
	fl &= ~AVR_UART_FLAG_STDIO;
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &fl);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_cb, NULL);
	if (n_devs) {
		twi_in = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_INPUT);
		avr_irq_t *twi_out = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_OUTPUT);
		if (!twi_in || !twi_out) { fprintf(stderr, "avrsim: no TWI in simavr\n"); return 2; }
		avr_irq_register_notify(twi_out, twi_cb, NULL);
	}
	for (int i = 0; i < 6; i++) last_duty[i] = -1;
	avr_cycle_timer_register(avr, FREQ / 10000, pwm_sample, NULL);
	for (int i = 0; i < n_din; i++) avr_cycle_timer_register(avr, CYC(dins[i].ms) + 1, din_timer, &dins[i]);
	for (int i = 0; i < n_ain; i++) {
		if (ains[i].ms <= 0) ain_timer(avr, 0, &ains[i]);
		else avr_cycle_timer_register(avr, CYC(ains[i].ms), ain_timer, &ains[i]);
	}
	for (int i = 0; i < n_sin; i++) avr_cycle_timer_register(avr, CYC(sins[i].ms) + 1, sin_timer, &sins[i]);

	avr_cycle_count_t limit = CYC(ms);
	struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
	int state = cpu_Running; const char *st = "ok"; char reason[300] = "";
	unsigned sp_min = 0xFFFF; unsigned long iter = 0;
	avr_t *const a = avr;
	const uint8_t *const data = a->data;          /* the AVR's data space: allocated once by avr_init */
	const unsigned ramend = a->ramend;
	while (a->cycle < limit) {
		state = run_one_step(a);
		if (__builtin_expect(state != cpu_Running && state != cpu_Sleeping, 0)) {
			if (state == cpu_Done) { st = "halted"; snprintf(reason, sizeof reason, "CPU halted: %s", last_log[0] ? last_log : "sleep with interrupts disabled"); break; }
			if (state == cpu_Crashed) {
				st = "crashed";
				if (!last_log[0] || strstr(last_log, "avr_sadly_crashed"))
					snprintf(reason, sizeof reason, "invalid instruction or jump outside the program at PC 0x%04x", (unsigned)a->pc);
				else snprintf(reason, sizeof reason, "simavr: %s", last_log);
				break;
			}
		}
		/* the stack pointer after every instruction; sp_min never goes below stack_floor before a crash, so a new
		 * minimum is the only way to get below the variables */
		unsigned sp = data[R_SPL] | data[R_SPH] << 8;
		if (__builtin_expect(sp < sp_min || sp > ramend, 0) && sp) {
			if (sp < sp_min) sp_min = sp;
			if (sp < stack_floor || sp > ramend) {   /* > RAMEND: a frame bigger than the RAM wrapped around */
				st = "crashed";
				snprintf(reason, sizeof reason, "stack overflow: SP 0x%04x %s 0x%04x", sp,
				         sp > ramend ? "wrapped past 0, above RAMEND" : "below the end of the variables",
				         sp > ramend ? ramend : stack_floor);
				break;
			}
		}
		if ((++iter & 0xFFFF) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 > wall_limit) {
				st = "wall_timeout"; snprintf(reason, sizeof reason, "wall-clock limit of %.1f s reached at %.1f simulated ms", wall_limit, now_ms());
				break;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cur_n) flush_line();
	i2c_flush();
	buf_t o = {0};
	app(&o, "{\"state\":\"%s\",\"reason\":", st);
	app_json_str(&o, reason, strlen(reason));
	app(&o, ",\"ms\":%.3f,\"cycles\":%llu,\"wall_s\":%.3f,\"sp_min\":%u,\"stack_floor\":%u,\"truncated\":[%s],",
	    now_ms(), (unsigned long long)avr->cycle, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    sp_min, stack_floor, truncated);
	fputs(o.s, stdout);
	printf("\"pins\":[%s],\"pwm\":[%s],\"i2c\":[%s],\"uart_lines\":[%s],\"uart\":",
	       ev_pins.s ? ev_pins.s : "", ev_pwm.s ? ev_pwm.s : "", ev_i2c.s ? ev_i2c.s : "", ev_lines.s ? ev_lines.s : "");
	buf_t u = {0};
	app_json_str(&u, uart_raw.s ? uart_raw.s : "", uart_raw.len);
	printf("%s}\n", u.s);
	return 0;
}
