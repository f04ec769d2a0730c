/* SPDX-License-Identifier: MIT */
/*
 * serial.c - COM1 at 0x3f8, 115200 baud, 8 data bits, no parity, one stop
 * bit, polled: the console of the x86_64 kernel (QEMU's -serial stdio).
 * The callers serialise (platform.c's console lock).
 */
#include "kernel64.h"

#define COM1 0x3f8
#define REG_DATA 0      /* data; divisor low byte while DLAB is set */
#define REG_IER 1       /* interrupt enable; divisor high byte with DLAB */
#define REG_FCR 2       /* FIFO control */
#define REG_LCR 3       /* line control */
#define REG_MCR 4       /* modem control */
#define REG_LSR 5       /* line status */
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_THR_EMPTY 0x20
#define DIVISOR_115200 1

void serial_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DATA, DIVISOR_115200);
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, 0xc7); /* FIFOs on, cleared, 14-byte threshold */
	outb(COM1 + REG_MCR, 0x03); /* DTR, RTS */
}

static void put(char c)
{
	while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}
