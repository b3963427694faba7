/* GDT, TSS and IDT, and the exception handler (trap.h). Double faults, NMIs
 * and machine checks run on their own IST stacks, so a blown kernel stack
 * still gets its register dump. */
#include <kernel/trap.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/mce.h>
#include <kernel/panic.h>
#include <lib/string.h>

struct __attribute__((packed)) idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t isr_table[32], isr_timer, isr_wakeup, isr_spurious;
static struct idt_entry idt[256];

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

static void idt_set(int v, uint64_t a, uint8_t ist)
{
	idt[v] = (struct idt_entry){
		.off_lo = a & 0xffff, .sel = SEL_KCODE, .ist = ist,
		.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off_mid = (a >> 16) & 0xffff, .off_hi = a >> 32,
	};
}

static void idt_build(void)
{
	for (int v = 0; v < 32; v++)
		idt_set(v, isr_table[v], v == 8 ? 1 : (v == 2 || v == 18) ? 2 : 0);
	idt_set(LAPIC_TIMER_VECTOR, isr_timer, 0);
	idt_set(IPI_WAKEUP, isr_wakeup, 0);
	idt_set(LAPIC_SPURIOUS_VECTOR, isr_spurious, 0);
}

void trap_init_cpu(struct cpu_tables *t)
{
	static int idt_ready;

	if (!idt_ready) {
		idt_build();
		idt_ready = 1;
	}
	memset(&t->tss, 0, sizeof(t->tss));
	t->tss.ist[0] = (uint64_t)(t->ist_df + IST_STACK_SIZE);
	t->tss.ist[1] = (uint64_t)(t->ist_nmi + IST_STACK_SIZE);
	t->tss.iomap_base = sizeof(struct tss);

	uint64_t base = (uint64_t)&t->tss, limit = sizeof(struct tss) - 1;

	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	t->gdt[2] = 0x00cf92000000ffffull; /* data */
	t->gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		    ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	t->gdt[4] = base >> 32;

	struct dtr g = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };
	struct dtr i = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "xor %%eax, %%eax\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "mov %3, %%ax\n\t"
			 "ltr %%ax\n\t"
			 "lidt %4"
			 : : "m"(g), "i"((uint64_t)SEL_KCODE), "i"(SEL_KDATA), "i"(SEL_TSS), "m"(i)
			 : "rax", "memory");
}

void trap_handler(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();
	struct jw w;

	if (f->vector == 2 && panic_active())
		halt_forever(); /* stopped by the panicking CPU */
	if (f->vector == IPI_WAKEUP || f->vector == LAPIC_TIMER_VECTOR) {
		lapic_eoi();
		return;
	}
	if (f->vector == LAPIC_SPURIOUS_VECTOR)
		return;   /* no EOI for a spurious interrupt (SDM 10.9) */
	if (f->vector == 18)
		mce_exception(f); /* logs the banks, stops every CPU */
	kprintf("EXCEPTION %llu (%s) error=0x%llx rip=0x%llx cr2=0x%llx",
		(unsigned long long)f->vector, f->vector < 32 ? names[f->vector] : "interrupt",
		(unsigned long long)f->error, (unsigned long long)f->rip,
		(unsigned long long)cr2);
	kprintf("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("  rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi,
		(unsigned long long)f->rbp, (unsigned long long)f->rsp);
	kprintf("  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx",
		(unsigned long long)f->r8, (unsigned long long)f->r9,
		(unsigned long long)f->r10, (unsigned long long)f->r11);
	kprintf("  r12=%016llx r13=%016llx r14=%016llx r15=%016llx",
		(unsigned long long)f->r12, (unsigned long long)f->r13,
		(unsigned long long)f->r14, (unsigned long long)f->r15);
	kprintf("  cs=%llx ss=%llx rflags=%llx cr3=%llx",
		(unsigned long long)f->cs, (unsigned long long)f->ss,
		(unsigned long long)f->rflags, (unsigned long long)read_cr3());

	jw_begin(&w, "exception");
	jw_u64(&w, "vector", f->vector);
	jw_str(&w, "name", f->vector < 32 ? names[f->vector] : "interrupt");
	jw_u64(&w, "error", f->error);
	jw_u64(&w, "rip", f->rip);
	jw_u64(&w, "cr2", cr2);
	jw_u64(&w, "rsp", f->rsp);
	event_emit(&w);
	panic("unhandled exception %llu at rip 0x%llx", (unsigned long long)f->vector,
	      (unsigned long long)f->rip);
}
