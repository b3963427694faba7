/* 16550 UART driver: probe, program, transmit with a bounded wait. */
#include <kernel/serial.h>
#include <kernel/cpu.h>

#define THR 0  /* transmit holding (DLAB=0) / divisor low (DLAB=1) */
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCR 7
#define LSR_THRE 0x20

static uint16_t port;
static int present;

int serial_init(uint16_t p, uint32_t baud)
{
	present = 0;
	port = p;
	if (baud == 0 || baud > 115200)
		return 0;
	/* scratch register round trip: a missing UART reads back 0xff */
	outb(p + SCR, 0x5a);
	if (inb(p + SCR) != 0x5a)
		return 0;
	outb(p + IER, 0x00);
	outb(p + LCR, 0x80);                  /* DLAB: divisor follows */
	uint16_t div = (uint16_t)(115200 / baud);

	outb(p + THR, div & 0xff);
	outb(p + IER, div >> 8);
	outb(p + LCR, 0x03);                  /* 8N1 */
	outb(p + FCR, 0x07);                  /* FIFO on, cleared */
	outb(p + MCR, 0x1e);                  /* loopback for the echo test */
	outb(p + THR, 0xae);
	for (int i = 0; i < 1000 && !(inb(p + LSR) & 1); i++)
		cpu_relax();
	if (inb(p + THR) != 0xae)
		return 0;
	outb(p + MCR, 0x0f);                  /* normal operation, DTR/RTS/OUT2 */
	present = 1;
	return 1;
}

void serial_off(void)
{
	present = 0;
}

int serial_present(void)
{
	return present;
}

uint16_t serial_port(void)
{
	return port;
}

static void tx(char c)
{
	/* a UART that stops draining (unplugged, wedged) turns serial off
	 * rather than stalling every CPU that prints */
	for (uint32_t spin = 0; !(inb(port + LSR) & LSR_THRE); spin++) {
		if (spin > 1000000) {
			present = 0;
			return;
		}
		cpu_relax();
	}
	outb(port + THR, (uint8_t)c);
}

void serial_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n && present; i++) {
		if (s[i] == '\n')
			tx('\r');
		tx(s[i]);
	}
}
