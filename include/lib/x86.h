/* Thin wrappers over x86-64 instructions: port I/O, MSRs, CPUID, TSC, control
 * registers, interrupt flag. No state of their own, so the loader (before and
 * after ExitBootServices) and the kernel share them. */
#ifndef METASLOT_LIB_X86_H
#define METASLOT_LIB_X86_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* 1 << MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); 2^36 when the leaf is absent,
 * the architectural minimum for x86-64 CPUs with PAE. */
static inline uint64_t cpu_phys_limit(void)
{
	uint32_t r[4];
	uint32_t bits = 36;

	cpuid(0x80000000u, 0, r);
	if (r[0] >= 0x80000008u) {
		cpuid(0x80000008u, 0, r);
		if ((r[0] & 0xff) >= 32 && (r[0] & 0xff) <= 52)
			bits = r[0] & 0xff;
	}
	return 1ull << bits;
}

#define MSR_APIC_BASE 0x1b
#define MSR_EFER      0xc0000080
#define MSR_GS_BASE   0xc0000101

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* Writes the line holding p back (if dirty) and drops it from every cache. */
static inline void clflush(const volatile void *p)
{
	__asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
}

/* Writes back every dirty line of this CPU's caches and empties them. */
static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" : : : "memory");
}

static inline void mfence(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

static inline uint64_t irq_save(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; pop %0; cli" : "=r"(f) : : "memory");
	return f;
}

static inline void irq_restore(uint64_t f)
{
	if (f & (1u << 9))
		__asm__ volatile("sti" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline void __attribute__((noreturn)) halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
