/* Local APIC driver (lapic.h). Register offsets are the xAPIC MMIO offsets;
 * x2APIC reaches the same register as MSR 0x800 + offset/16 (SDM 10.12.1.2),
 * except the ICR, which is one 64-bit MSR with a 32-bit destination. */
#include <kernel/lapic.h>
#include <kernel/cpu.h>
#include <kernel/time.h>

#define REG_ID    0x020
#define REG_EOI   0x0b0
#define REG_SVR   0x0f0
#define REG_ESR   0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER  0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3e0

#define LVT_MASKED (1u << 16)
#define TIMER_DIV_16 0x3u   /* SDM 10.5.4: divide configuration 0b011 */

#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_EXTD   (1u << 10)
#define ICR_BUSY         (1u << 12)

static volatile uint32_t *mmio;
static bool x2;

static uint32_t rd(uint32_t reg)
{
	return x2 ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

bool lapic_init_bsp(uint64_t base, bool need_x2apic)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[3] & (1u << 9)))
		return false;                  /* no local APIC at all */
	bool has_x2 = r[2] & (1u << 21);
	uint64_t msr = rdmsr(MSR_APIC_BASE);

	x2 = (msr & APIC_BASE_EXTD) || need_x2apic;
	if (x2 && !has_x2)
		return false;
	if (!base)
		base = msr & ~0xfffull;
	mmio = phys_to_virt(base & 0x000ffffffffff000ull);
	return true;
}

void lapic_init_cpu(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	/* xAPIC -> x2APIC is allowed directly; the reverse needs a disable */
	if (x2)
		msr |= APIC_BASE_EXTD;
	wrmsr(MSR_APIC_BASE, msr);
	wr(REG_SVR, (rd(REG_SVR) & ~0xffu) | 0x100 | LAPIC_SPURIOUS_VECTOR);
	wr(REG_ESR, 0);
}

uint32_t lapic_cpuid_id(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 0xb) {
		uint32_t t[4];

		cpuid(0xb, 0, t);
		if (t[1] & 0xffff)     /* EBX = 0: leaf 0xb not really implemented */
			return t[3];
	}
	cpuid(1, 0, r);
	return r[1] >> 24;
}

bool lapic_x2apic(void)
{
	return x2;
}

uint32_t lapic_id(void)
{
	return x2 ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

uint32_t lapic_read_esr(void)
{
	wr(REG_ESR, 0);
	return rd(REG_ESR);
}

bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	if (x2) {
		/* x2APIC has no delivery-status bit: the write is the send */
		wrmsr(0x830, (uint64_t)apic_id << 32 | icr_low);
		return true;
	}
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, icr_low);
	for (uint32_t spin = 0; spin < 1000000; spin++) {
		if (!(rd(REG_ICR_LO) & ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

static uint64_t timer_hz; /* APIC timer ticks per second, divided by 16 */

bool lapic_timer_calibrate(void)
{
	wr(REG_TIMER_DIV, TIMER_DIV_16);
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	wr(REG_TIMER_INIT, 0xffffffffu);
	udelay(10000);
	uint32_t left = rd(REG_TIMER_CUR);

	wr(REG_TIMER_INIT, 0);
	timer_hz = (uint64_t)(0xffffffffu - left) * 100;
	return timer_hz != 0;
}

void lapic_timer_oneshot(uint64_t us)
{
	uint64_t ticks = us * timer_hz / 1000000;

	ticks = ticks ? ticks : 1;
	ticks = ticks > 0xffffffffu ? 0xffffffffu : ticks;
	wr(REG_TIMER_DIV, TIMER_DIV_16);
	wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR); /* one-shot, not masked */
	wr(REG_TIMER_INIT, (uint32_t)ticks);
}

void lapic_timer_stop(void)
{
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	wr(REG_TIMER_INIT, 0);
}
