/* 16550 UART output. serial_init probes for the UART first (scratch register
 * and loopback): when nothing answers, serial output is off and nothing ever
 * waits on a missing device. */
#ifndef METASLOT_KERNEL_SERIAL_H
#define METASLOT_KERNEL_SERIAL_H

#include <stdint.h>

/* Returns 1 if a UART answered at `port` and was set to `baud` 8N1. */
int serial_init(uint16_t port, uint32_t baud);
void serial_off(void);
int serial_present(void);
uint16_t serial_port(void);
void serial_write(const char *s, unsigned long n);

#endif
