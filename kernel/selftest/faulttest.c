/* fault_test (faulttest.h). The unmapped address is in the stacks' region
 * below any CPU's slot, which nothing maps. */
#include <kernel/faulttest.h>
#include <kernel/bssave.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/vm.h>

#define UNMAPPED (VM_KSTACK_BASE - 0x1000)

static volatile uint64_t sink;

static uint64_t recurse(uint64_t depth)
{
	volatile uint8_t pad[512];

	pad[0] = (uint8_t)depth;
	if (depth > (1u << 30))
		return 0; /* never reached: a 16 KiB stack ends long before */
	/* not a tail call: the frame must stay */
	return recurse(depth + 1) + pad[0];
}

/* A screen sink that faults: kprintf calls it with the console lock held. */
static void faulting_write_line(const char *s, unsigned long n, int is_event)
{
	(void)s;
	(void)n;
	(void)is_event;
	sink = *(volatile uint64_t *)UNMAPPED;
}

static const struct console_sink faulting_sink = { faulting_write_line, 0 };

static void panic_on_cpu1(struct percpu *pc, void *arg)
{
	(void)arg;
	if (pc->index == 1)
		panic("fault_test: deliberate panic on CPU %u", pc->index);
	for (;;)
		__asm__ volatile("pause"); /* stopped by the panic's NMI */
}

static void overflow_on_cpu(struct percpu *pc, void *arg)
{
	(void)arg;
	if (pc->index == atomic_load(&cpus_online) - 1)
		sink = recurse(0);
	for (;;)
		__asm__ volatile("pause");
}

void fault_test_run(enum fault_test t)
{
	switch (t) {
	case FAULT_TEST_NONE:
	case FAULT_TEST_REPORT_REFUSED: /* acted on by report_save */
	case FAULT_TEST_AP_LATE:        /* acted on by smp_init */
	case FAULT_TEST_AUDIT_PANIC:    /* acted on by fault_test_mid_audit */
	case FAULT_TEST_SLOW_CPU:
		return;
	case FAULT_TEST_BS_COPY_CORRUPT:
		/* one bit of the saved copy flipped in RAM, as failing memory would */
		if (bs_copy_phys()) {
			kprintf("fault_test: flipping bit 0 at 0x%llx, in the boot-services copy",
				(unsigned long long)bs_copy_phys());
			*(volatile uint64_t *)phys_to_virt(bs_copy_phys()) ^= 1;
		}
		return;
	case FAULT_TEST_CONSOLE_FAULT:
		kprintf("fault_test: the next line faults in the screen sink, console lock held");
		console_set_fb_sink(&faulting_sink);
		kprintf("fault_test: inside kprintf");
		break;
	case FAULT_TEST_PAGE_FAULT:
		kprintf("fault_test: reading unmapped address 0x%llx", (unsigned long long)UNMAPPED);
		sink = *(volatile uint64_t *)UNMAPPED;
		break;
	case FAULT_TEST_STACK_OVERFLOW:
		kprintf("fault_test: overflowing the last CPU's stack into its guard page");
		smp_run(overflow_on_cpu, 0);
		break;
	case FAULT_TEST_AP_PANIC:
		if (atomic_load(&cpus_online) < 2)
			panic("fault_test: ap_panic needs two CPUs");
		smp_run(panic_on_cpu1, 0);
		break;
	}
	panic("fault_test %d did not fault", t);
}

void fault_test_mid_audit(uint32_t cpu)
{
	if (!kcfg.fault_test || cpu != atomic_load(&cpus_online) - 1)
		return;
	if (kcfg.fault_test == FAULT_TEST_AUDIT_PANIC)
		panic("fault_test: deliberate panic on CPU %u in the middle of the audit", cpu);
	if (kcfg.fault_test == FAULT_TEST_SLOW_CPU)
		udelay(2000);
}
