/* What the audit tells (audit_internal.h): each bad frame once, as soon as
 * the pass that found it is over, with the bits that failed in it, its bad
 * reads and the patterns that saw them (so far: later passes add to the
 * totals of audit_result, not to an event already printed); per-CPU and
 * overall figures, the error detail over every bad read, and the bad frames
 * in the forms Linux (memmap=), GRUB (badram=) and Windows (bcdedit's
 * badmemorylist) take. */
#include <kernel/audit_rate.h>
#include <kernel/audit_slices.h>
#include <kernel/bandwidth.h>
#include <kernel/console.h>
#include <kernel/cpuinfo.h>
#include <kernel/dimms.h>
#include <kernel/config.h>
#include <kernel/run.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/json.h>
#include "audit_internal.h"


/* "0x..": 64-bit masks and addresses as strings, exact in any JSON reader. */
static void jw_hex(struct jw *w, const char *key, uint64_t v)
{
	char s[24];

	ksnprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
	jw_str(w, key, s);
}

/* "a,b": the names of the patterns in mask (bit i: audit_patterns[i]). */
static const char *pattern_names(uint32_t mask, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = 0;
	for (uint32_t i = 0; i < audit_pattern_count && i < BADLIST_PATTERNS; i++)
		if (mask & (1u << i))
			len += (size_t)ksnprintf(out + len, cap - len, "%s%s", len ? "," : "",
						 audit_patterns[i].name);
	return out;
}

void audit_report_new_bad_frames(struct audit_findings *fd)
{
	char names[256];
	struct jw w;

	for (uint32_t i = 0; i < fd->bad.n; i++) {
		struct bad_frame *f = &fd->bad.f[i];

		if (f->reported)
			continue;
		f->reported = 1;
		pattern_names(f->patterns, names, sizeof(names));
		if (f->expected == f->actual) /* not a pattern's find: audit_add_bad_frame */
			kprintf("BAD FRAME 0x%llx: reported by %s on cpu %u",
				(unsigned long long)f->phys, f->pattern, f->cpu);
		else
			kprintf("BAD FRAME 0x%llx: word 0x%llx read 0x%016llx, expected 0x%016llx (%s, cpu %u)",
				(unsigned long long)f->phys, (unsigned long long)f->addr,
				(unsigned long long)f->actual, (unsigned long long)f->expected,
				f->pattern, f->cpu);
		if (f->errors)
			kprintf("          bits 0x%016llx in %u bad reads, seen by %s",
				(unsigned long long)f->bits, f->errors, names);
		jw_begin(&w, "bad_frame");
		jw_u64(&w, "phys", f->phys);
		jw_u64(&w, "addr", f->addr);
		jw_u64(&w, "expected", f->expected);
		jw_u64(&w, "actual", f->actual);
		jw_u64(&w, "cpu", f->cpu);
		jw_str(&w, "pattern", f->pattern);
		jw_hex(&w, "bits", f->bits);
		jw_u64(&w, "errors", f->errors);
		jw_str(&w, "patterns", names);
		/* SMBIOS types 20/17: named only when one device holds the address */
		jw_str(&w, "dimm", smbios_locator_for(f->addr) ? smbios_locator_for(f->addr)
							       : "cannot_tell");
		event_emit(&w);
	}
}

/* "time_ms": {step: ms, ...}, every step of audit_time, in ms with three
 * decimals. */
static void time_ms(struct jw *w, const struct audit_cpu_stat *s)
{
	jw_obj_begin(w, "time_ms");
	for (int k = 0; k < AUDIT_TIMES; k++)
		jw_milli(w, audit_time_names[k], tsc_to_us(s->t[k]));
	jw_obj_end(w);
}

/* GB/s (10^9 bytes) in thousandths, from MiB/s */
static uint64_t gbps_milli(uint64_t mib_s)
{
	return mib_s * 1048576 / 1000000;
}

void audit_report_result(const struct audit_plan *p, struct audit_findings *f,
			 const struct audit_cpu_stat *stat, uint32_t ncpu, uint64_t tested_frames,
			 uint64_t untested_frames, uint64_t passes_us)
{
	/* the rate these sweeps reach at this machine's RAM limits, per CPU */
	uint64_t lim[AUDIT_KINDS];

	for (int k = 0; k < AUDIT_KINDS; k++)
		lim[k] = bandwidth_ram_limit_mib_s_per_cpu((enum audit_kind)k);
	uint32_t kinds[AUDIT_KINDS];

	plan_sweep_kinds(p, kcfg.passes, kinds);
	uint64_t limit = audit_limit_mib_s(kinds, lim);

	static char memmap[BADLIST_EXPORT_CAP], badram[BADLIST_EXPORT_CAP],
		windows[BADLIST_EXPORT_CAP];
	uint32_t om1, om2, om3;
	uint64_t bytes = 0, cycles = 0, sweep_min = UINT64_MAX, sweep_max = 0;
	struct jw w;

	badlist_sort(&f->bad);
	badlist_memmap_param(&f->bad, memmap, sizeof(memmap), &om1);
	badlist_badram(&f->bad, badram, sizeof(badram), &om2);
	badlist_windows(&f->bad, windows, sizeof(windows), &om3);
	for (uint32_t c = 0; c < ncpu; c++) {
		const struct audit_cpu_stat *s = &stat[c];
		uint64_t mibs = audit_mib_per_s(s->bytes_swept, s->cycles, tsc_hz);

		jw_begin(&w, "audit_cpu");
		jw_u64(&w, "cpu", c);
		jw_u64(&w, "tested_frames", s->frames);
		jw_u64(&w, "bytes_swept", s->bytes_swept);
		jw_u64(&w, "slices", s->slices);
		jw_u64(&w, "slices_taken", s->slices_taken);
		jw_u64(&w, "mib_per_s", mibs);
		/* against the RAM bandwidth measured at start on all CPUs */
		if (bandwidth_ram_mib_s_per_cpu())
			jw_u64(&w, "pct_of_bandwidth", mibs * 100 / bandwidth_ram_mib_s_per_cpu());
		jw_milli(&w, "gbps", gbps_milli(mibs));
		if (limit) { /* the sweep kinds' limits: ratio 1 is the memory's speed */
			jw_milli(&w, "limit_gbps", gbps_milli(limit));
			jw_milli(&w, "ratio", mibs * 1000 / limit);
		}
		/* its own steps (share, join, serial: the boot CPU's alone) */
		time_ms(&w, s);
		event_emit(&w);
		sweep_min = s->t[AUDIT_T_SWEEP] < sweep_min ? s->t[AUDIT_T_SWEEP] : sweep_min;
		sweep_max = s->t[AUDIT_T_SWEEP] > sweep_max ? s->t[AUDIT_T_SWEEP] : sweep_max;
		bytes += s->bytes_swept;
		cycles = s->cycles > cycles ? s->cycles : cycles;
	}
	/* the CPUs sweep at once: all bytes over the slowest CPU's time */
	uint64_t total = audit_mib_per_s(bytes, cycles, tsc_hz);

	kprintf("audit: %llu frames tested, %u bad, %llu MiB/s in all",
		(unsigned long long)tested_frames, f->bad.n + (uint32_t)f->bad.overflow,
		(unsigned long long)total);
	if (f->bad.n) {
		kprintf("audit: Linux: %s   GRUB: %s", memmap, badram);
		kprintf("audit: Windows: bcdedit /set {badmemory} badmemorylist %s", windows);
		kprintf("audit: %llu bad reads, bits 0x%016llx, addresses 0x%llx..0x%llx",
			(unsigned long long)f->bad.errors, (unsigned long long)f->bad.bits,
			(unsigned long long)f->bad.lowest, (unsigned long long)f->bad.highest);
	}
	jw_begin(&w, "audit_result");
	jw_u64(&w, "tested_frames", tested_frames);
	jw_u64(&w, "untested_frames", untested_frames);
	jw_u64(&w, "bad_frames", f->bad.n + f->bad.overflow);
	jw_u64(&w, "passes", kcfg.passes);
	jw_u64(&w, "cpus", ncpu);
	/* the passes' wall time, every CPU at once (tools/scale_audit.sh) */
	jw_u64(&w, "ms", passes_us / 1000);
	/* where it went, on the boot CPU (the steps add up to ms), and how far
	 * apart the CPUs' sweeps were (docs/audit.md, "Where the time goes") */
	time_ms(&w, &stat[0]);
	/* no slice smaller: twice the last-level cache, 32 MiB at least */
	jw_u64(&w, "slice_min_mib", audit_slice_min(cpuinfo_caches()) >> 20);
	if (ncpu) {
		jw_milli(&w, "sweep_ms_min", tsc_to_us(sweep_min));
		jw_milli(&w, "sweep_ms_max", tsc_to_us(sweep_max));
	}
	jw_u64(&w, "mib_per_s", total);
	jw_milli(&w, "gbps", gbps_milli(total));
	/* the error detail, over every bad read (frames past the list too) */
	jw_u64(&w, "errors", f->bad.errors);
	jw_hex(&w, "bits", f->bad.bits);
	if (f->bad.errors) {
		jw_hex(&w, "lowest_bad", f->bad.lowest);
		jw_hex(&w, "highest_bad", f->bad.highest);
	}
	jw_obj_begin(&w, "pattern_errors");
	for (uint32_t i = 0; i < audit_pattern_count && i < BADLIST_PATTERNS; i++)
		if (f->bad.pattern_errors[i])
			jw_u64(&w, audit_patterns[i].name, f->bad.pattern_errors[i]);
	jw_obj_end(&w);
	jw_str(&w, "memmap_param", memmap);
	jw_str(&w, "badram", badram);
	if (om1 || om2 || f->bad.overflow)
		jw_u64(&w, "ranges_omitted", om1 > om2 ? om1 : om2);
	jw_str(&w, "windows_badmemorylist", windows);
	if (om3 || f->bad.overflow)
		jw_u64(&w, "windows_pages_omitted", om3 + f->bad.overflow);
	event_emit(&w);
	run.bad_frames = f->bad.n + f->bad.overflow;
	run.tested_frames = tested_frames;
}
