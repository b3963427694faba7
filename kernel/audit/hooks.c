/* The job hooks only the kernel can provide (audit_internal.h): the rest
 * bit_fade asks for, and the uncached view walking_ones_address runs on. */
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/progress.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/ucview.h>
#include "audit_internal.h"

#define WAKE_US 250000 /* a resting CPU wakes 4 times a second */

static struct barrier rest_bar;
static uint64_t rest_deadline;     /* TSC; the boot CPU writes it between barriers */
static bool rest_halts;            /* the APIC timer counts: halt, else spin */
static uint32_t rests;
static uint64_t rested[MAX_CPUS];  /* TSC cycles CPU c spent resting; CPU c writes [c] */

/* Every CPU of the pass calls it at the same point of the same pattern (they
 * run the same patterns over their own blocks), so all have written their
 * memory when the rest begins, and none touches it until the deadline. */
void audit_rest(struct audit_job *j, uint32_t seconds)
{
	uint32_t n = atomic_load(&cpus_online), me = this_cpu()->index;
	uint64_t now;

	barrier_wait(&rest_bar, n);
	if (me == 0) {
		struct jw w;

		rest_halts = lapic_timer_calibrate();
		rest_deadline = rdtsc() + seconds * tsc_hz;
		jw_begin(&w, "audit_rest");
		jw_str(&w, "pattern", (const char *)j->ctx);
		jw_u64(&w, "rest", ++rests);
		jw_u64(&w, "seconds", seconds);
		jw_u64(&w, "cpus", n);
		jw_bool(&w, "halted", rest_halts);
		event_emit(&w);
	}
	barrier_wait(&rest_bar, n);
	uint64_t t0 = rdtsc();

	/* halted, woken by the APIC timer: machine checks polled, progress told */
	while ((now = rdtsc()) < rest_deadline) {
		uint64_t left_us = tsc_to_us(rest_deadline - now);

		progress_resting(me, (rest_deadline - now + tsc_hz - 1) / tsc_hz);
		if (!rest_halts) {      /* no timer to wake us: spin, never hang */
			udelay(1000);
			continue;
		}
		lapic_timer_oneshot(left_us < WAKE_US ? left_us : WAKE_US);
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
	if (rest_halts)
		lapic_timer_stop();
	rested[me] += rdtsc() - t0;
}

uint64_t audit_rest_cycles_take(uint32_t cpu)
{
	uint64_t c = rested[cpu];

	rested[cpu] = 0;
	return c;
}

volatile uint64_t *audit_uncached(struct audit_job *j, const struct audit_span *s)
{
	(void)j;
	return ucview_open(s->phys, s->words * 8);
}

void audit_uncached_end(struct audit_job *j, const struct audit_span *s)
{
	(void)j;
	ucview_close(s->phys, s->words * 8);
}
