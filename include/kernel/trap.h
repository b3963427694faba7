/* CPU tables (GDT, TSS with IST stacks, IDT) and the exception path: every
 * exception prints vector, error code, RIP, CR2 and the registers, then the
 * run ends as failed (panic). */
#ifndef METASLOT_KERNEL_TRAP_H
#define METASLOT_KERNEL_TRAP_H

#include <stdint.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS   0x18

#define IST_STACK_SIZE 16384

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

/* One per CPU: its GDT (null, code, data, 16-byte TSS descriptor), its TSS and
 * the stacks the TSS points at for double faults, NMIs and machine checks. */
struct cpu_tables {
	uint64_t gdt[5];
	struct tss tss;
	uint8_t ist_df[IST_STACK_SIZE] __attribute__((aligned(16)));
	uint8_t ist_nmi[IST_STACK_SIZE] __attribute__((aligned(16)));
};

/* Builds the shared IDT (once) and loads GDT, TSS and IDT on this CPU. */
void trap_init_cpu(struct cpu_tables *t);

/* Called from the assembly stubs. */
void trap_handler(struct trap_frame *f);

#endif
