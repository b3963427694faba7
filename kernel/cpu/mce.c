/* Machine checks on every CPU (mce.h): enable, poll, stop on #MC.
 *
 * Start (Intel SDM vol. 3B 16.8, AMD APM vol. 2 9.8): MCG_CTL all ones when
 * MCG_CAP.CTL_P, MCi_CTL all ones for every bank (not bank 0 on P6-era Intel,
 * whose MC0_CTL belongs to the firmware), then every bank's old error is
 * logged as stale (left by the firmware or the boot before: banks survive a
 * warm reset) and cleared, and CR4.MCE is set last, so no stale error can
 * raise #MC.
 *
 * Polling: the audit and the stress call mce_poll_cpu on every CPU after
 * every span; it reads the banks at most every MCE_POLL_MS per CPU, plus
 * once on every CPU at the end of each phase. Reading and clearing run under
 * one lock, so a bank two CPUs share (package-level banks) is reported once.
 *
 * Threshold: the first memory error at a frame-precise physical address
 * poisons that frame (Linux's soft-offline waits for a count of corrected
 * errors over time; a memory test wants the weak cell named the first time
 * it corrects, and a 4 KiB frame is a cheap price). */
#include <kernel/mce.h>
#include <kernel/journal.h>
#include <mm/frame.h>
#include <kernel/audit.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/run.h>
#include <kernel/screen.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/trap.h>
#include <lib/fmt.h>

#define MSR_MCG_CAP     0x179
#define MSR_MCG_STATUS  0x17a
#define MSR_MCG_CTL     0x17b
#define MSR_MC_CTL(b)   (0x400u + 4 * (b))
#define MSR_MC_STATUS(b) (0x401u + 4 * (b))
#define MSR_MC_ADDR(b)  (0x402u + 4 * (b))
#define MSR_MC_MISC(b)  (0x403u + 4 * (b))
#define MSR_SMCA_IPID(b) (0xc0002005u + 0x10 * (b))
#define MCG_CAP_COUNT(c) ((uint32_t)((c) & 0xff))
#define MCG_CAP_CTL_P   (1ull << 8)
#define MCG_CAP_SER_P   (1ull << 24)
#define MCG_STATUS_RIPV 1ull
#define MCG_STATUS_EIPV 2ull
#define MCG_STATUS_MCIP 4ull
#define CR4_MCE         (1ull << 6)
#define MAX_BANKS       32 /* the legacy MSR range 0x400..0x47f */

static int mca;                  /* CPUID says MCE and MCA */
static uint32_t decode_flags;    /* MCE_CPU_* for mce_decode */
static uint64_t phys_limit;
static int skip_bank0_ctl;
static struct spinlock bank_lock;
static uint64_t last_poll[MAX_CPUS];
static struct { uint64_t polls, cycles, errors; } polled[MAX_CPUS]; /* CPU c writes [c] */
/* The last errors, for mce_recent: slot seq % MCE_RECENT. A writer claims a
 * seq, fills the slot, then publishes it (release); a reader takes a slot
 * whose seq is what it expects, so a half-written one is skipped, never torn
 * into a wrong row (#MC writes here too and takes no lock). */
static struct mce_record recent[MCE_RECENT];
static atomic_ulong recent_claimed, recent_seq[MCE_RECENT];

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* Raw registers go out as hex strings: a status always has bit 63 set, and
 * JSON readers that hold numbers as doubles (jq, JavaScript) would round it. */
static void jw_reg(struct jw *w, const char *key, uint64_t v)
{
	char hex[24];

	ksnprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)v);
	jw_str(w, key, hex);
}

static const char *mode_name(void)
{
	return decode_flags & MCE_CPU_SER ? "intel_ser" : decode_flags & MCE_CPU_SMCA ? "amd_smca"
		: decode_flags & MCE_CPU_AMD_LEGACY ? "amd_legacy" : "no_address_mode";
}

/* Boot CPU: what the CPU offers and how its banks are to be read. SER_P is
 * Intel's promise of the MISC address format whatever the vendor string says
 * (QEMU's default CPU is "AuthenticAMD" with Intel's MCG_CAP). */
static void caps_read(void)
{
	uint32_t r[4], vendor_amd, family, model;
	struct jw w;

	cpuid(0, 0, r);
	vendor_amd = r[1] == 0x68747541u; /* "Auth" */
	cpuid(1, 0, r);
	family = (r[0] >> 8) & 0xf;
	model = (r[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family == 6 || family == 0xf)
		model |= ((r[0] >> 16) & 0xf) << 4;
	mca = (r[3] & (1u << 7)) && (r[3] & (1u << 14));
	jw_begin(&w, "mca");
	jw_bool(&w, "present", mca);
	if (mca) {
		uint64_t cap = rdmsr(MSR_MCG_CAP);
		uint32_t smca = 0;

		if (vendor_amd) {
			cpuid(0x80000000u, 0, r);
			if (r[0] >= 0x80000007u) {
				cpuid(0x80000007u, 0, r);
				smca = (r[1] >> 3) & 1;
			}
		}
		decode_flags = cap & MCG_CAP_SER_P ? MCE_CPU_SER
			       : smca ? MCE_CPU_SMCA : vendor_amd ? MCE_CPU_AMD_LEGACY : 0;
		skip_bank0_ctl = !vendor_amd && family == 6 && model < 0x1a;
		phys_limit = cpu_phys_limit();
		jw_u64(&w, "banks", MCG_CAP_COUNT(cap));
		jw_reg(&w, "mcg_cap", cap);
		jw_str(&w, "address_mode", mode_name());
		jw_u64(&w, "poll_ms", MCE_POLL_MS);
	}
	event_emit(&w);
}

static uint32_t bank_count(void)
{
	uint32_t n = MCG_CAP_COUNT(rdmsr(MSR_MCG_CAP));

	return n < MAX_BANKS ? n : MAX_BANKS;
}

/* Reads bank b; ADDR, MISC and IPID only where the status says they hold
 * something (reading an invalid ADDR may fault on some CPUs). */
static int bank_read(uint32_t b, struct mce_regs *r)
{
	*r = (struct mce_regs){ .status = rdmsr(MSR_MC_STATUS(b)), .bank = b };
	if (!(r->status & MCI_STATUS_VAL))
		return 0;
	if (r->status & MCI_STATUS_ADDRV)
		r->addr = rdmsr(MSR_MC_ADDR(b));
	if (r->status & MCI_STATUS_MISCV)
		r->misc = rdmsr(MSR_MC_MISC(b));
	if (decode_flags & MCE_CPU_SMCA)
		r->ipid = rdmsr(MSR_SMCA_IPID(b));
	return 1;
}

static void remember(const struct mce_decoded *d, uint32_t cpu, uint32_t bank)
{
	uint64_t seq = atomic_fetch_add(&recent_claimed, 1) + 1;
	struct mce_record *r = &recent[seq % MCE_RECENT];

	*r = (struct mce_record){ seq, d->phys, cpu, bank, d->phys_valid, d->corrected, d->kind };
	/* release: the record is whole before its seq says so */
	atomic_store_explicit(&recent_seq[seq % MCE_RECENT], seq, memory_order_release);
}

uint32_t mce_recent(uint64_t after, struct mce_record *out)
{
	uint64_t last = atomic_load(&recent_claimed), first = after + 1;
	uint32_t n = 0;

	if (last >= MCE_RECENT && first <= last - MCE_RECENT)
		first = last - MCE_RECENT + 1;
	for (uint64_t s = first; s <= last; s++) {
		/* acquire: pairs with remember's release */
		if (atomic_load_explicit(&recent_seq[s % MCE_RECENT], memory_order_acquire) != s)
			continue;
		out[n] = recent[s % MCE_RECENT];
		if (out[n].seq == s)
			n++;
	}
	return n;
}

/* What this run does with a decoded error (mce_action_for), done. */
static const char *act(const struct mce_decoded *d, uint32_t cpu, uint32_t bank, int stale,
		       int in_mc)
{
	enum mce_action a = mce_action_for(d, stale, in_mc, metadata_frames());

	if (!stale)
		remember(d, cpu, bank);

	if (a == MCE_ACTION_POISON)
		audit_add_bad_frame(d->phys, cpu, "machine_check");
	return mce_action_name(a);
}

static void bank_event(struct jw *w, uint32_t cpu, const struct mce_regs *r,
		       const struct mce_decoded *d, int stale, const char *action)
{
	jw_begin(w, "machine_check");
	jw_u64(w, "cpu", cpu);
	jw_u64(w, "bank", r->bank);
	jw_reg(w, "status", r->status);
	if (d->addr_valid)
		jw_reg(w, "addr", r->addr);
	if (d->misc_valid)
		jw_reg(w, "misc", r->misc);
	jw_bool(w, "corrected", d->corrected);
	jw_bool(w, "memory", d->memory);
	jw_str(w, "kind", mce_kind_name(d->kind));
	if (d->kind == MCE_KIND_MEMORY_CONTROLLER) {
		jw_str(w, "mem_tx", mce_mem_tx_name(d->mem_tx));
		jw_u64(w, "channel", d->channel);
	}
	if (d->phys_valid) {
		jw_u64(w, "phys", d->phys);
		jw_u64(w, "lsb", d->lsb);
	} else if (d->why_no_phys) {
		jw_str(w, "no_phys", d->why_no_phys);
	}
	jw_bool(w, "overflow", d->overflow);
	jw_bool(w, "stale", stale);
	jw_str(w, "action", action);
}

/* A human line next to the event: what a technician reads on the screen. */
static void bank_line(char *buf, size_t cap, uint32_t cpu, const struct mce_regs *r,
		      const struct mce_decoded *d, const char *action)
{
	char where[48] = "";

	if (d->phys_valid)
		ksnprintf(where, sizeof(where), " at 0x%llx", (unsigned long long)d->phys);
	ksnprintf(buf, cap, "machine check: cpu %u bank %u: %s %s error%s%s, status 0x%016llx: %s",
		  cpu, r->bank, d->corrected ? "corrected" : "UNCORRECTED", mce_kind_name(d->kind),
		  d->memory && d->kind != MCE_KIND_MEMORY_CONTROLLER ? " in memory" : "", where,
		  (unsigned long long)r->status, action);
}

static void report(uint32_t cpu, const struct mce_regs *r, int stale)
{
	struct mce_decoded d;
	struct jw w;
	char line[200];

	mce_decode(r, decode_flags, phys_limit, &d);
	const char *action = act(&d, cpu, r->bank, stale, 0);

	if (!stale)
		journal_machine_check(cpu, r, 0);

	bank_line(line, sizeof(line), cpu, r, &d, action);
	kprintf("%s", line);
	bank_event(&w, cpu, r, &d, stale, action);
	event_emit(&w);
}

void mce_init_cpu(void)
{
	uint32_t me = this_cpu()->index;

	if (me == 0)
		caps_read();
	if (!mca)
		return;
	uint32_t n = bank_count();

	if (rdmsr(MSR_MCG_CAP) & MCG_CAP_CTL_P)
		wrmsr(MSR_MCG_CTL, ~0ull);
	for (uint32_t b = skip_bank0_ctl ? 1 : 0; b < n; b++)
		wrmsr(MSR_MC_CTL(b), ~0ull);
	for (uint32_t b = 0; b < n; b++) {
		struct mce_regs r;

		if (!bank_read(b, &r))
			continue;
		wrmsr(MSR_MC_STATUS(b), 0);
		report(me, &r, 1);
	}
	write_cr4(read_cr4() | CR4_MCE);
}

void mce_poll_cpu(uint32_t interval_ms)
{
	struct mce_regs found[MAX_BANKS];
	uint32_t me, nfound = 0;

	if (!mca)
		return;
	me = this_cpu()->index;
	uint64_t now = rdtsc();

	if (interval_ms && now - last_poll[me] < tsc_hz / 1000 * interval_ms)
		return;
	last_poll[me] = now;
	uint32_t n = bank_count();
	uint64_t flags = spin_lock_irqsave(&bank_lock);

	for (uint32_t b = 0; b < n; b++) {
		if (!bank_read(b, &found[nfound]))
			continue;
		wrmsr(MSR_MC_STATUS(b), 0);
		nfound++;
	}
	spin_unlock_irqrestore(&bank_lock, flags);
	polled[me].polls++;
	polled[me].cycles += rdtsc() - now;
	polled[me].errors += nfound;
	for (uint32_t i = 0; i < nfound; i++)
		report(me, &found[i], 0);
}

static void poll_now(struct percpu *pc, void *arg)
{
	(void)pc;
	(void)arg;
	mce_poll_cpu(0);
}

void mce_poll_all(void)
{
	if (mca)
		smp_run(poll_now, 0);
}

void mce_finish(void)
{
	uint64_t polls = 0, cycles = 0, errors = 0, worst = 0;
	struct jw w;

	if (!mca)
		return;
	mce_poll_all();
	for (uint32_t c = 0; c < atomic_load(&cpus_online); c++) {
		uint64_t per = polled[c].polls ? polled[c].cycles / polled[c].polls : 0;

		polls += polled[c].polls;
		cycles += polled[c].cycles;
		errors += polled[c].errors;
		worst = per > worst ? per : worst;
	}
	jw_begin(&w, "mca_polls");
	jw_u64(&w, "polls", polls);
	jw_u64(&w, "errors", errors);
	jw_u64(&w, "cycles_per_poll", polls ? cycles / polls : 0);
	jw_u64(&w, "worst_cpu_cycles_per_poll", worst);
	jw_u64(&w, "us_total", tsc_to_us(cycles));
	event_emit(&w);
}

/* #MC: the error is in this CPU's banks (and, with a broadcast #MC, in the
 * others' too, but they are stopped before they could print). Nothing here
 * takes a lock: this CPU may hold the console's or the allocator's. The
 * banks are left as they are, so a warm reboot shows them as stale. */
void mce_exception(struct trap_frame *f)
{
	uint64_t mcg = mca ? rdmsr(MSR_MCG_STATUS) : 0;
	uint32_t me = this_cpu()->index, errors = 0;
	int in_console = console_held_here();
	char line[200];
	struct jw w;

	panic_begin();
	/* an exception from outside: if it came in the middle of this CPU's
	 * screen output, the screen is still good and the person at it must
	 * read what follows */
	console_take_over();
	ksnprintf(line, sizeof(line),
		  "MACHINE CHECK on cpu %u at rip 0x%llx (%s): uncorrectable hardware error, every CPU stopped",
		  me, (unsigned long long)f->rip, mcg & MCG_STATUS_RIPV ? "restartable" : "not restartable");
	console_emergency(line);
	for (uint32_t b = 0, n = mca ? bank_count() : 0; b < n; b++) {
		struct mce_regs r;
		struct mce_decoded d;

		if (!bank_read(b, &r))
			continue;
		mce_decode(&r, decode_flags, phys_limit, &d);
		const char *action = act(&d, me, r.bank, 0, 1);

		journal_machine_check(me, &r, 1);
		errors++;
		bank_line(line, sizeof(line), me, &r, &d, action);
		console_emergency(line);
		bank_event(&w, me, &r, &d, 0, action);
		console_emergency(jw_finish(&w));
	}
	jw_begin(&w, "machine_check_exception");
	jw_u64(&w, "cpu", me);
	jw_reg(&w, "mcg_status", mcg);
	jw_bool(&w, "ripv", !!(mcg & MCG_STATUS_RIPV));
	jw_bool(&w, "eipv", !!(mcg & MCG_STATUS_EIPV));
	jw_bool(&w, "mcip", !!(mcg & MCG_STATUS_MCIP));
	jw_reg(&w, "rip", f->rip);
	jw_bool(&w, "in_console", in_console); /* it came during screen or serial output */
	jw_u64(&w, "banks_with_errors", errors);
	console_emergency(jw_finish(&w));
	screen_refresh_stopped(); /* the error table shows it before the verdict */
	journal_stop("machine_check"); /* what it can: the record says fail, and why */
	run_stop_failed("machine_check");
}
