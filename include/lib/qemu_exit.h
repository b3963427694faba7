/* Under QEMU, the isa-debug-exit device (iobase 0xf4) ends the VM with exit
 * status (value << 1) | 1. Used only when CPUID names a QEMU hypervisor (TCG or
 * KVM), so nothing is written to port 0xf4 on real hardware. Shared by the
 * loader (fatal errors) and the kernel (end of run). */
#ifndef METASLOT_LIB_QEMU_EXIT_H
#define METASLOT_LIB_QEMU_EXIT_H

#include <stdint.h>

/* Values written: exit status 1 = pass, 3 = bad memory, 5 = fail. Status 0
 * never comes from us (QEMU also exits 0 on a triple fault with -no-reboot),
 * so a runner treats 0 as "no result". */
enum qemu_exit_code {
	QEMU_EXIT_PASS = 0,
	QEMU_EXIT_BAD_MEMORY = 1,
	QEMU_EXIT_FAIL = 2,
};

static inline int qemu_hypervisor_present(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 31)))
		return 0;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000u), "c"(0));
	/* "TCGTCGTCGTCG" or "KVMKVMKVM\0\0\0" in ebx, ecx, edx */
	return (b == 0x54474354u && c == 0x43544743u && d == 0x47435447u) ||
	       (b == 0x4b4d564bu && c == 0x564b4d56u && d == 0x0000004du);
}

static inline void qemu_exit(enum qemu_exit_code code)
{
	if (qemu_hypervisor_present())
		__asm__ volatile("outl %0, %1" : : "a"((uint32_t)code), "Nd"((uint16_t)0xf4));
}

#endif
