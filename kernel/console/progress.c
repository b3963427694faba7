/* Phase progress (progress.h). The boot CPU emits the serial events, so the
 * once-a-second rate needs no cross-CPU coordination. Every CPU reports here
 * often during a long phase, between spans and holding no lock, which makes
 * it the place to poll the machine-check banks (mce.h) and a safe point to
 * park at (park.h). */
#include <stdatomic.h>
#include <kernel/progress.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/mce.h>
#include <kernel/park.h>
#include <kernel/percpu.h>
#include <kernel/screen.h>
#include <kernel/time.h>

static const char *phase_name;
static uint32_t ncpus;
static atomic_uchar percent[MAX_CPUS];
static uint64_t last_event_tsc;
static uint64_t (*eta_of)(uint32_t percent);

/* rest_s: seconds a resting phase still waits, or -1 */
static void event(uint32_t pct, int64_t rest_s)
{
	struct jw w;

	jw_begin(&w, "progress");
	jw_str(&w, "phase", phase_name);
	jw_u64(&w, "percent", pct);
	if (eta_of)
		jw_u64(&w, "eta_s", eta_of(pct));
	if (rest_s >= 0)
		jw_u64(&w, "rest_left_s", (uint64_t)rest_s);
	event_emit(&w);
	last_event_tsc = rdtsc();
}

void progress_set_eta(uint64_t (*eta_s)(uint32_t percent))
{
	eta_of = eta_s;
}

static uint32_t slowest(void)
{
	uint32_t least = 100;

	for (uint32_t c = 0; c < ncpus; c++) {
		uint32_t p = atomic_load_explicit(&percent[c], memory_order_relaxed);

		least = p < least ? p : least;
	}
	return least;
}

void progress_begin(const char *phase, uint32_t cpus)
{
	phase_name = phase;
	ncpus = cpus < MAX_CPUS ? cpus : MAX_CPUS;
	for (uint32_t c = 0; c < ncpus; c++) {
		atomic_store_explicit(&percent[c], 0, memory_order_relaxed);
		screen_progress(c, 0, phase);
	}
	event(0, -1);
	screen_refresh();
}

void progress_update(uint32_t cpu, uint64_t done, uint64_t total)
{
	uint32_t pct = total ? (uint32_t)(done * 100 / total) : 100;

	park_point();              /* between spans, no lock held (park.h) */
	mce_poll_cpu(MCE_POLL_MS); /* one rdtsc unless due */
	if (cpu >= ncpus)
		return;
	atomic_store_explicit(&percent[cpu], (unsigned char)pct, memory_order_relaxed);
	screen_progress_try(cpu, pct, phase_name);
	if (cpu != 0)
		return;
	screen_tick(); /* the panels, a few times a second */
	if (rdtsc() - last_event_tsc < tsc_hz)
		return;
	event(slowest(), -1);
}

void progress_resting(uint32_t cpu, uint64_t seconds_left)
{
	park_point();
	mce_poll_cpu(MCE_POLL_MS);
	if (cpu != 0)
		return;
	screen_tick();
	if (rdtsc() - last_event_tsc < tsc_hz)
		return;
	event(slowest(), (int64_t)seconds_left);
}

void progress_end(void)
{
	mce_poll_all(); /* every CPU, before the phase's results are told */
	for (uint32_t c = 0; c < ncpus; c++)
		screen_progress(c, 100, phase_name);
	event(100, -1);
	eta_of = 0;
	screen_refresh(); /* what the phase found, before anything sorts it */
}
