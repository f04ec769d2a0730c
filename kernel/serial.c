/* SPDX-License-Identifier: MIT */
/*
 * serial.c - the console: a 16550 UART on COM1 (0x3f8), 115200 8N1, polled.
 *
 * Everything the kernel and pmm log ends up here, byte by byte; QEMU's
 * "-serial stdio" puts it on the terminal, "-serial file:" in a log.
 */
#include "kernel.h"

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LCR_DLAB 0x80

/* Set the UART up for 115200 baud, 8 data bits, no parity, 1 stop bit. */
void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);          /* no interrupts */
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DATA, 0x01);         /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03);          /* 8N1, DLAB off */
	outb(COM1 + UART_FCR, 0xc7);          /* FIFO on, cleared, 14 bytes */
	outb(COM1 + UART_MCR, 0x03);          /* DTR, RTS */
}

static void serial_putc(char c)
{
	unsigned int spin = 100000;

	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE) && --spin)
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

/* Write @len bytes of @s; a lost UART (no THRE for long) does not hang us. */
void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}
