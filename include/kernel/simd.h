/* Vector state (SSE, AVX, AVX-512) on every CPU, for the pattern loops that
 * use it (random_sequence's and mov_inv_walk64's variants,
 * kernel/audit/patterns/, chosen by vec.c). The rest
 * of the kernel is built with -mgeneral-regs-only: no interrupt handler, no
 * trap path and no other kernel code touches a vector register, so nothing
 * saves or restores them and a pattern loop's registers survive any
 * interrupt taken in the middle of it. Firmware runtime calls (efirt.c) may
 * use them; they happen at safe points, never inside a pattern.
 *
 * simd_init_cpu runs on the boot CPU and on every AP (ap_entry, whenever it
 * starts): CR0.MP on and EM, TS off; CR4.OSFXSR and OSXMMEXCPT; where CPUID
 * says XSAVE, CR4.OSXSAVE and XCR0 = simd_xcr0_for(...). Relocation only
 * changes CR3, so what is enabled here stays enabled. */
#ifndef METASLOT_KERNEL_SIMD_H
#define METASLOT_KERNEL_SIMD_H

#include <stdint.h>

#define XCR0_X87       (1ull << 0)
#define XCR0_SSE       (1ull << 1)
#define XCR0_AVX       (1ull << 2)
#define XCR0_OPMASK    (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM  (1ull << 7)
#define XCR0_AVX512    (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX   (1u << 28)

/* The XCR0 the kernel wants: x87 and SSE always (XCR0 bit 0 must be set);
 * AVX where CPUID.1:ECX has XSAVE and AVX and the processor supports the
 * state (`supported`: CPUID.(0xd,0):EDX:EAX); the three AVX-512 states where
 * AVX is on and all three are supported. 0 when the CPU has no XSAVE (the
 * register is not there to write). Pure (kernel/cpu/cpuid_decode.c). */
uint64_t simd_xcr0_for(uint32_t cpuid1_ecx, uint64_t supported);

/* This CPU's vector state on, as above. */
void simd_init_cpu(void);

/* Caps random_sequence's choice at the widest variant every CPU runs (all
 * have passed simd_init_cpu: after smp_init, before any pattern), then the
 * `simd` event: the boot CPU's XCR0 and what it means, the CPUs whose XCR0
 * differs from it, and the variant random_sequence and mov_inv_walk64 run. */
void simd_report(void);

#endif
