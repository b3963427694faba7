/* AP start-up (smp.h), following the Intel SDM's MP initialisation protocol
 * (vol. 3A 9.4.4.1): INIT IPI, 10 ms, STARTUP IPI, 200 us, a second STARTUP
 * IPI if the AP has not answered, checking the APIC error status after each
 * IPI. APs are started one at a time because they share the trampoline's
 * data block; each gets its own stack (with an unmapped guard page below it),
 * GDT, TSS with IST stacks, and per-CPU block reached through GS.
 *
 * An AP can answer after the BSP gave up on it (a descheduled vCPU, a slow
 * SMM exit). It must then never join: the BSP has already given its CPU
 * index to the next AP. ap_entry and give_up each make one CAS on its state
 * (STARTING -> ONLINE, STARTING -> ABANDONED) and the loser stands down; its
 * stack slot and per-CPU block are never reused, since it may run on them. */
#include <kernel/smp.h>
#include <bootinfo.h>
#include <kernel/acpi.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/lapic.h>
#include <kernel/pat.h>
#include <kernel/mce.h>
#include <kernel/panic.h>
#include <kernel/park.h>
#include <kernel/run.h>
#include <lib/string.h>
#include <kernel/time.h>
#include <kernel/simd.h>
#include <kernel/vm.h>

#define AP_WAIT_US      2000000 /* generous: TCG with many vCPUs on few host cores */

struct trampoline_data {
	uint64_t cr3, stack, percpu, entry;
	uint32_t claim;       /* 0 idle, 1 armed, 2 taken, 3 read (trampoline.S) */
};

#define ABANDONED_KEPT 16     /* APs given up on that smp_init looks at again */

extern const char trampoline_start[], trampoline_end[];
extern const char TR_GDT[], TR_GDTR_BASE[], TR_LJMP_TARGET[], TR_LONG[], TR_DATA[];
extern char boot_stack_bottom[];

/* each AP's block and tables in its VM_PERCPU_SLOT, a guard page after each */
_Static_assert(sizeof(struct percpu) <= VM_PERCPU_TABLES - PAGE_SIZE, "per-CPU block too big");
_Static_assert(sizeof(struct cpu_tables) <= VM_PERCPU_SLOT - VM_PERCPU_TABLES - PAGE_SIZE,
	       "CPU tables too big");
_Static_assert(KSTACK_SIZE + PAGE_SIZE <= VM_KSTACK_SLOT, "stack slot too small");

static struct percpu bsp;
static struct cpu_tables bsp_tables;
static bool smp_started;
static uint32_t abandoned;   /* APs sent a SIPI that never came online */

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

void percpu_init_bsp(void)
{
	bsp.index = 0;
	bsp.tables = &bsp_tables;
	bsp.cr0 = read_cr0();
	trap_init_cpu(&bsp_tables);
	percpu_attach(&bsp);
	cpu_list[0] = &bsp;
	atomic_store(&cpus_online, 1);
}

static void cpu_online_event(struct percpu *pc)
{
	struct jw w;

	jw_begin(&w, "cpu_online");
	jw_u64(&w, "cpu", pc->index);
	jw_u64(&w, "apic_id", pc->apic_id);
	jw_bool(&w, "x2apic", lapic_x2apic());
	jw_u64(&w, "cr0", pc->cr0);
	event_emit(&w);
}

static void smp_event(const char *ev, uint32_t apic_id, const char *why, uint64_t value)
{
	struct jw w;

	jw_begin(&w, ev);
	jw_u64(&w, "apic_id", apic_id);
	jw_str(&w, "why", why);
	jw_u64(&w, "value", value);
	event_emit(&w);
}

static void ap_idle(struct percpu *pc);

/* First C code on an AP: rdi = its per-CPU block, rsp = its stack. */
void ap_entry(struct percpu *pc)
{
	pc->cr0 = read_cr0();
	trap_init_cpu(pc->tables);
	percpu_attach(pc);
	pat_init_cpu();
	simd_init_cpu();
	mce_init_cpu();
	lapic_init_cpu();
	/* a CPU other than the one we started took this slot: FAILED */
	unsigned want = lapic_id() == pc->apic_id ? CPU_ONLINE : CPU_FAILED;
	unsigned s = CPU_STARTING;

	/* One CAS against the BSP's in give_up: either this CPU joins, or the
	 * BSP has given up on it and it never does (its index may be someone
	 * else's by now). release: our set-up is visible to the BSP. */
	if (!atomic_compare_exchange_strong_explicit(&pc->state, &s, want, memory_order_acq_rel,
						     memory_order_acquire)) {
		if (s == CPU_ABANDONED)
			atomic_store(&pc->state, CPU_LATE);
		halt_forever();
	}
	if (want != CPU_ONLINE)
		halt_forever();
	ap_idle(pc);
}

/* bytes at va onto the block at pa, 4 KiB at a time; 0 when a table is
 * missing. */
static uint64_t map_at(uint64_t va, uint64_t pa, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += PAGE_SIZE)
		if (vm_map_page(va + off, pa + off))
			return 0;
	return va;
}

/* Tested blocks (kmem_alloc_tested: resident, outside the boot-services
 * memory a runtime call trades away) for `bytes`, mapped at va: one block
 * per set bit of its page count, the largest first, so nothing is taken
 * that the object does not fill (the parts relocation finds and moves:
 * reloc_split, kernel/mem/reloc_percpu.c). 0 when out of memory. */
static uint64_t alloc_at(uint64_t va, uint64_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, off = 0;

	for (int o = MAX_ORDER; o >= 0; o--) {
		if (!(pages & (1ull << o)))
			continue;
		uint64_t pa = kmem_alloc_tested((uint8_t)o, FRAME_PURPOSE_KERNEL_DATA);

		if (!pa || !map_at(va + off, pa, PAGE_SIZE << o))
			return 0;
		off += PAGE_SIZE << o;
	}
	return va;
}

/* Every object an AP runs on has a fixed virtual address of its own, so
 * that relocation (kernel/mem/reloc_percpu.c) can move its frames while
 * every pointer to it (GS base, GDTR, TSS, stack pointer) stays valid.
 * Stack: at the top of its 64 KiB slot at VM_KSTACK_BASE; the pages below
 * stay unmapped, so an overflow faults (and the double fault runs on its
 * IST stack). Per-CPU block and CPU tables: in its slot at VM_PERCPU_BASE.
 * Slots are never reused: an AP given up on may still be running on them. */
static struct percpu *percpu_alloc(uint32_t index, uint32_t slot, uint32_t apic_id)
{
	uint64_t base = VM_PERCPU_BASE + (uint64_t)slot * VM_PERCPU_SLOT;
	uint64_t top = VM_KSTACK_BASE + (uint64_t)(slot + 1) * VM_KSTACK_SLOT;
	uint64_t pa = alloc_at(base, sizeof(struct percpu));
	uint64_t ta = alloc_at(base + VM_PERCPU_TABLES, sizeof(struct cpu_tables));

	if (!pa || !ta || !alloc_at(top - KSTACK_SIZE, KSTACK_SIZE))
		return 0; /* out of memory this early: this CPU stays off */
	struct percpu *pc = (struct percpu *)pa;

	pc->index = index;
	pc->apic_id = apic_id;
	pc->tables = (struct cpu_tables *)ta;
	pc->stack_top = top;
	atomic_store(&pc->state, CPU_STARTING);
	return pc;
}

static bool wait_online(struct percpu *pc, uint64_t us)
{
	uint64_t t0 = rdtsc(), ticks = us * (tsc_hz / 1000000);

	while (rdtsc() - t0 < ticks) {
		if (atomic_load_explicit(&pc->state, memory_order_acquire) == CPU_ONLINE)
			return true;
		cpu_relax();
	}
	return false;
}

/* The BSP's side of the CAS in ap_entry: true if the AP is online after all,
 * false if it never will be (given up on, or the wrong CPU took its block). */
static bool give_up(struct percpu *pc)
{
	unsigned s = CPU_STARTING;

	/* acquire: if the AP won, its set-up is visible before we list it */
	if (atomic_compare_exchange_strong_explicit(&pc->state, &s, CPU_ABANDONED,
						    memory_order_acq_rel, memory_order_acquire))
		return false;
	return s == CPU_ONLINE;
}

/* Waits up to AP_WAIT_US while the data block's claim is in [lo, hi];
 * false if it still is. */
static bool claim_wait(volatile struct trampoline_data *td, uint32_t lo, uint32_t hi)
{
	uint64_t t0 = rdtsc(), ticks = AP_WAIT_US * (tsc_hz / 1000000);
	uint32_t c;

	while ((c = __atomic_load_n(&td->claim, __ATOMIC_ACQUIRE)) >= lo && c <= hi) {
		if (rdtsc() - t0 >= ticks)
			return false;
		cpu_relax();
	}
	return true;
}

/* May the data block be re-armed? Not while an AP has claimed it (2) but not
 * yet read its stack and per-CPU pointer out of it (3). */
static bool trampoline_free(volatile struct trampoline_data *td)
{
	return claim_wait(td, 2, 2);
}

/* late: fault_test=ap_late, give up on this AP before it even answers, then
 * let it claim the slot and run: exactly what a slow AP does after the BSP
 * has given up on it, without depending on the emulator's timing. */
static bool start_ap(volatile struct trampoline_data *td, uint32_t vector, struct percpu *pc,
		     bool late)
{
	uint32_t esr;

	td->stack = pc->stack_top;
	td->percpu = (uint64_t)pc;
	__atomic_store_n(&td->claim, 1, __ATOMIC_RELEASE);
	if (late) {
		smp_event("smp", pc->apic_id, "fault_test: giving up on this AP", 0);
		give_up(pc);
	}

	lapic_read_esr();
	if (!lapic_send_ipi(pc->apic_id, ICR_INIT | ICR_LEVEL_ASSERT))
		smp_event("cpu_ipi_error", pc->apic_id, "init_not_delivered", 0);
	udelay(10000);
	for (int sipi = 0; sipi < 2; sipi++) {
		if (!lapic_send_ipi(pc->apic_id, ICR_STARTUP | vector))
			smp_event("cpu_ipi_error", pc->apic_id, "sipi_not_delivered", sipi);
		udelay(200);
		esr = lapic_read_esr();
		if (esr)
			smp_event("cpu_ipi_error", pc->apic_id, "esr", esr);
		if (__atomic_load_n(&td->claim, __ATOMIC_ACQUIRE) >= 2 || wait_online(pc, 1000))
			break;
	}
	if (late) {
		/* and let it claim the slot before the next AP is started: under a
		 * loaded emulator it may take longer than the SIPIs' wait, and the
		 * next AP's start would meet it in the trampoline (a real late AP
		 * may: both are then left out, which is not what this test is for) */
		claim_wait(td, 0, 1);       /* until it claims (2) */
		return false;
	}
	if (wait_online(pc, AP_WAIT_US))
		return true;
	/* Disarm the slot (1 -> 0: an AP arriving later stops in the trampoline)
	 * unless an AP claimed it meanwhile: that one is alive but slow. Never
	 * overwrite a 2, trampoline_free waits for the 3 that follows it. */
	uint32_t armed = 1;

	if (!__atomic_compare_exchange_n(&td->claim, &armed, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) &&
	    wait_online(pc, AP_WAIT_US))
		return true;
	return give_up(pc);
}

/* APs given up on that reached ap_entry afterwards (and halted there). */
static void report_late(struct percpu **gone, uint32_t ngone, bool wait)
{
	for (uint32_t i = 0; i < ngone; i++) {
		struct percpu *pc = gone[i];
		uint64_t t0 = rdtsc(), ticks = AP_WAIT_US * (tsc_hz / 1000000);

		while (wait && atomic_load(&pc->state) != CPU_LATE && rdtsc() - t0 < ticks)
			cpu_relax();
		if (atomic_load(&pc->state) != CPU_LATE)
			continue;
		struct jw w;

		jw_begin(&w, "cpu_late");
		jw_u64(&w, "apic_id", pc->apic_id);
		jw_u64(&w, "stack_slot", (pc->stack_top - VM_KSTACK_BASE) / VM_KSTACK_SLOT - 1);
		jw_str(&w, "why", "reached ap_entry after it was given up on: halted, left out");
		event_emit(&w);
	}
}

void smp_init(const struct bootinfo *bi, const struct acpi_info *acpi, uint32_t limit)
{
	bool need_x2 = acpi->cpus_valid && acpi->max_apic_id > 254;

	if (!lapic_init_bsp(acpi->lapic_base, need_x2)) {
		smp_event("smp", 0, "no usable local APIC: boot CPU only", 0);
		cpu_online_event(&bsp);
		return;
	}
	lapic_init_cpu();
	bsp.apic_id = lapic_id();
	atomic_store(&bsp.state, CPU_ONLINE);
	cpu_online_event(&bsp);
	/* the boot stack's lowest page becomes its guard */
	vm_unmap_page((uint64_t)boot_stack_bottom);
	run_check(vm_translate((uint64_t)boot_stack_bottom) == UINT64_MAX,
		  "boot_stack_guard_unmapped");

	if (!acpi->cpus_valid || !acpi_find_cpu(acpi, bsp.apic_id)) {
		smp_event("smp", bsp.apic_id,
			  acpi->cpus_valid ? "boot CPU not in the MADT: boot CPU only"
					   : "no trustworthy MADT: boot CPU only", 0);
		return;
	}
	if (!bi->trampoline) {
		smp_event("smp", bsp.apic_id, "no trampoline page: boot CPU only", 0);
		return;
	}
	uint8_t *tp = phys_to_virt(bi->trampoline);
	uint32_t tphys = (uint32_t)bi->trampoline;

	memcpy(tp, trampoline_start, trampoline_end - trampoline_start);
	*(uint32_t *)(tp + (uintptr_t)TR_GDTR_BASE) = tphys + (uint32_t)(uintptr_t)TR_GDT;
	*(uint32_t *)(tp + (uintptr_t)TR_LJMP_TARGET) = tphys + (uint32_t)(uintptr_t)TR_LONG;
	volatile struct trampoline_data *td = (void *)(tp + (uintptr_t)TR_DATA);

	td->cr3 = read_cr3();
	td->entry = (uint64_t)ap_entry;
	smp_started = true;

	/* n: the next CPU index, dense over the CPUs that came online. slot: the
	 * next stack slot, used up by every AP started, online or not. */
	uint32_t n = 1, slot = 1, ngone = 0;
	struct percpu *gone[ABANDONED_KEPT];
	bool late = kcfg.fault_test == FAULT_TEST_AP_LATE;

	for (uint32_t i = 0; i < acpi->cpu_count && n < MAX_CPUS; i++) {
		const struct acpi_cpu *c = &acpi->cpus[i];

		if (c->apic_id == bsp.apic_id)
			continue;
		if (limit && n >= limit)
			break;
		if (!trampoline_free(td)) {
			abandoned++;
			smp_event("smp", c->apic_id,
				  "a late AP never read the trampoline: no more APs started", 0);
			break;
		}
		struct percpu *pc = percpu_alloc(n, slot++, c->apic_id);

		if (!pc) {
			smp_event("cpu_timeout", c->apic_id, "no memory for its stack", 0);
			continue;
		}
		bool ok = start_ap(td, tphys >> 12, pc, late);

		late = false;
		if (!ok) {
			abandoned++;
			smp_event("cpu_timeout", c->apic_id, "did not come online", AP_WAIT_US);
			/* its block and stack stay allocated: it may still run on them */
			if (ngone < ABANDONED_KEPT)
				gone[ngone++] = pc;
			continue;
		}
		run_check(vm_translate(pc->stack_top - KSTACK_SIZE - PAGE_SIZE) == UINT64_MAX &&
			  vm_translate(pc->stack_top - PAGE_SIZE) != UINT64_MAX,
			  "ap_stack_guard_unmapped");
		cpu_list[n++] = pc;
		atomic_store(&cpus_online, n);
		cpu_online_event(pc);
	}
	run.cpus = n;
	report_late(gone, ngone, kcfg.fault_test == FAULT_TEST_AP_LATE);
}

/* ------------------------------------------------------------ work dispatch */

static struct {
	void (*fn)(struct percpu *, void *);
	void *arg;
	atomic_ulong generation;
	atomic_uint done;
} work;

/* Idle APs halt until smp_run's wakeup IPI: a spinning AP would take host
 * time from the working CPUs under an emulator, and power on hardware. The
 * check runs with interrupts off and "sti; hlt" is one window (sti takes
 * effect after hlt begins), so a wakeup sent after the check is not lost. */
static void ap_idle(struct percpu *pc)
{
	for (;;) {
		__asm__ volatile("cli" : : : "memory");
		uint64_t g = atomic_load_explicit(&work.generation, memory_order_acquire);

		if (g == pc->work_seen) {
			park_point(); /* a request's wakeup IPI ends the hlt */
			__asm__ volatile("sti; hlt" : : : "memory");
			continue;
		}
		pc->work_seen = g;
		work.fn(pc, work.arg);
		atomic_fetch_add_explicit(&work.done, 1, memory_order_release);
	}
}

void smp_run(void (*fn)(struct percpu *, void *), void *arg)
{
	uint32_t n = atomic_load(&cpus_online);

	work.fn = fn;
	work.arg = arg;
	atomic_store(&work.done, 0);
	/* release: fn and arg are visible to an AP that sees the new generation */
	atomic_fetch_add_explicit(&work.generation, 1, memory_order_release);
	if (n > 1)
		lapic_send_ipi(0, ICR_FIXED | ICR_ALL_BUT_SELF | IPI_WAKEUP);
	this_cpu()->work_seen = atomic_load(&work.generation);
	fn(this_cpu(), arg);
	while (atomic_load_explicit(&work.done, memory_order_acquire) < n - 1)
		if (!park_point())
			cpu_relax();
}

void barrier_wait(struct barrier *b, uint32_t n)
{
	uint32_t phase = atomic_load_explicit(&b->phase, memory_order_acquire);

	if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == n) {
		atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
		atomic_fetch_add_explicit(&b->phase, 1, memory_order_release);
		return;
	}
	while (atomic_load_explicit(&b->phase, memory_order_acquire) == phase)
		if (!park_point())
			cpu_relax();
}

uint32_t smp_abandoned(void)
{
	return abandoned;
}

void smp_stop_others(void)
{
	if (smp_started && atomic_load(&cpus_online) > 1)
		lapic_send_ipi(0, ICR_NMI | ICR_ALL_BUT_SELF);
}
