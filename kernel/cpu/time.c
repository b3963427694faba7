/* TSC calibration and delays (time.h). The reference clocks are slow to read
 * but their rate is fixed by specification: the PM timer runs at 3.579545 MHz
 * (ACPI 4.8.3.3), the HPET at the period its capabilities register states. */
#include <kernel/time.h>
#include <kernel/acpi.h>
#include <kernel/console.h>
#include <kernel/cpu.h>

#define PM_TIMER_HZ 3579545ull
#define FALLBACK_HZ 3000000000ull /* a guess that makes delays long, not short */

uint64_t tsc_hz = FALLBACK_HZ;

/* TSC ticks per second over ~50 ms of the PM timer; 0 if it does not move. */
static uint64_t measure_pm(uint16_t port, unsigned bits)
{
	uint32_t mask = bits == 32 ? 0xffffffffu : 0xffffffu;
	uint32_t p0 = inl(port) & mask, p;
	uint64_t t0 = rdtsc(), elapsed = 0;

	for (uint64_t spins = 0; elapsed < PM_TIMER_HZ / 20; spins++) {
		p = inl(port) & mask;
		elapsed = (p - p0) & mask;
		if (spins > 100000000ull)
			return 0; /* a stuck timer must not hang the boot */
	}
	return (rdtsc() - t0) * PM_TIMER_HZ / elapsed;
}

static uint64_t measure_hpet(uint64_t base)
{
	volatile uint64_t *h = phys_to_virt(base);
	uint64_t period_fs = h[0] >> 32;   /* capabilities: counter period */

	if (period_fs == 0 || period_fs > 100000000ull) /* spec: <= 100 ns */
		return 0;
	h[2] |= 1;                         /* general config: enable counter */
	uint64_t c0 = h[30], t0 = rdtsc(), target = 50000000000000ull / period_fs, c;

	for (uint64_t spins = 0; (c = h[30] - c0) < target; spins++)
		if (spins > 100000000ull)
			return 0;
	return (rdtsc() - t0) * (1000000000000000ull / period_fs) / c;
}

void time_init(uint64_t loader_hz, const struct acpi_info *acpi)
{
	const char *ref = "none";
	uint64_t ref_hz = 0;
	struct jw w;

	if (acpi && acpi->pm_timer_present && acpi->pm_timer.space == ACPI_GAS_IO) {
		ref_hz = measure_pm((uint16_t)acpi->pm_timer.addr, acpi->pm_timer_bits);
		ref = "pmtimer";
	}
	if (!ref_hz && acpi && acpi->hpet_present && acpi->hpet_base) {
		ref_hz = measure_hpet(acpi->hpet_base);
		ref = "hpet";
	}
	if (!ref_hz)
		ref = "none";
	tsc_hz = ref_hz ? ref_hz : loader_hz ? loader_hz : FALLBACK_HZ;

	/* within 2%: the two measurements are of the same clock */
	uint64_t diff = loader_hz > ref_hz ? loader_hz - ref_hz : ref_hz - loader_hz;
	int agree = ref_hz && loader_hz && diff * 50 <= ref_hz;

	jw_begin(&w, "tsc");
	jw_u64(&w, "loader_hz", loader_hz);
	jw_str(&w, "ref", ref);
	jw_u64(&w, "ref_hz", ref_hz);
	jw_u64(&w, "hz", tsc_hz);
	jw_bool(&w, "agree", agree);
	event_emit(&w);
}

void udelay(uint64_t us)
{
	uint64_t t0 = rdtsc(), ticks = us * (tsc_hz / 1000000);

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}
