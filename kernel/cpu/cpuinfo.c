/* The CPU (cpuinfo.h). Every MSR read here is guarded by the CPUID bit or
 * vendor/family that makes the MSR architectural: reading a missing MSR
 * raises #GP, which the kernel treats as a crash. */
#include <stdbool.h>
#include <kernel/cpuinfo.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/smp.h>
#include <lib/string.h>

#define MSR_BIOS_SIGN_ID        0x8b  /* Intel: microcode in bits 63:32; AMD: patch level */
#define MSR_THERM_STATUS        0x19c
#define MSR_TEMPERATURE_TARGET  0x1a2 /* TjMax in bits 23:16 */
#define MSR_PACKAGE_THERM_STATUS 0x1b1

enum vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

static struct {
	char vendor_str[13], brand[49];
	enum vendor vendor;
	uint32_t family, model, stepping, max_leaf, max_ext;
	bool dts, pkg_dts;
	uint32_t tjmax;               /* degrees C; 0 = sensors unusable */
	struct cpu_caches caches;
	uint32_t microcode[MAX_CPUS];
	int32_t core_c[MAX_CPUS];     /* INT32_MIN: no valid reading */
	int32_t pkg_c[MAX_CPUS];
} ci;

/* Leaf 4 and 0x8000001D share one format: walk the subleaves to the null type. */
static bool caches_deterministic(uint32_t leaf)
{
	struct cpu_caches *c = &ci.caches;
	bool any = false;

	for (uint32_t i = 0; i < 16; i++) {
		uint32_t r[4], level, type, shared;
		uint64_t bytes;

		cpuid(leaf, i, r);
		bytes = cpuid_cache_bytes(r, &level, &type, &shared);
		if (!type)
			break;
		any = true;
		if (level == 1 && type == 1)
			c->l1d = bytes;
		else if (level == 1 && type == 2)
			c->l1i = bytes;
		else if (level == 2 && type != 2) {
			c->l2 = bytes;
			c->l2_shared_by = shared;
		} else if (level == 3 && type != 2) {
			c->l3 = bytes;
			c->l3_shared_by = shared;
		}
	}
	return any;
}

static void caches(void)
{
	uint32_t r[4];

	ci.caches.source = "none";
	if (ci.vendor == VENDOR_INTEL && ci.max_leaf >= 4 && caches_deterministic(4)) {
		ci.caches.source = "leaf4";
		return;
	}
	if (ci.vendor == VENDOR_AMD && ci.max_ext >= 0x8000001d) {
		cpuid(0x80000001u, 0, r);
		if (r[2] & (1u << 22) && caches_deterministic(0x8000001du)) { /* TopologyExtensions */
			ci.caches.source = "leaf8000001d";
			return;
		}
	}
	if (ci.vendor == VENDOR_AMD && ci.max_ext >= 0x80000006) {
		/* older AMD: sizes only, in KiB (L3 in 512 KiB units) */
		cpuid(0x80000005u, 0, r);
		ci.caches.l1d = (uint64_t)(r[2] >> 24) << 10;
		ci.caches.l1i = (uint64_t)(r[3] >> 24) << 10;
		cpuid(0x80000006u, 0, r);
		ci.caches.l2 = (uint64_t)(r[2] >> 16) << 10;
		ci.caches.l3 = (uint64_t)(r[3] >> 18) << 19;
		ci.caches.source = "leaf80000005";
	}
}

/* IA32_BIOS_SIGN_ID: Intel reports the revision loaded when CPUID 1 runs
 * after the MSR is cleared (SDM 9.11.7.1); AMD's PATCH_LEVEL reads as is. */
static uint32_t microcode(void)
{
	uint32_t r[4];

	if (ci.vendor == VENDOR_INTEL && ci.family >= 6) {
		wrmsr(MSR_BIOS_SIGN_ID, 0);
		cpuid(1, 0, r);
		return (uint32_t)(rdmsr(MSR_BIOS_SIGN_ID) >> 32);
	}
	if (ci.vendor == VENDOR_AMD && ci.family >= 0x10) /* PATCH_LEVEL: family 10h on */
		return (uint32_t)rdmsr(MSR_BIOS_SIGN_ID);
	return 0;
}

/* Readout (bits 22:16) counts degrees below TjMax when bit 31 says valid. */
static int32_t therm(uint32_t msr)
{
	uint64_t v = rdmsr(msr);

	return v & (1ull << 31) ? (int32_t)ci.tjmax - (int32_t)((v >> 16) & 0x7f) : INT32_MIN;
}

/* arg non-NULL: also the microcode revision (once, at start). */
static void on_cpu(struct percpu *pc, void *arg)
{
	if (pc->index >= MAX_CPUS)
		return;
	if (arg)
		ci.microcode[pc->index] = microcode();
	ci.core_c[pc->index] = ci.tjmax && ci.dts ? therm(MSR_THERM_STATUS) : INT32_MIN;
	ci.pkg_c[pc->index] = ci.tjmax && ci.pkg_dts ? therm(MSR_PACKAGE_THERM_STATUS) : INT32_MIN;
}

/* MSR_TEMPERATURE_TARGET exists from Nehalem on (family 6, model >= 0x1a),
 * not on the first Atoms; elsewhere TjMax is unknown and the sensors, which
 * count down from it, say nothing usable. */
static uint32_t tjmax(void)
{
	static const uint8_t old_atoms[] = { 0x1c, 0x26, 0x27, 0x35, 0x36 };

	if (ci.vendor != VENDOR_INTEL || ci.family != 6 || ci.model < 0x1a || !ci.dts)
		return 0;
	for (unsigned i = 0; i < sizeof(old_atoms); i++)
		if (ci.model == old_atoms[i])
			return 0;
	return (uint32_t)(rdmsr(MSR_TEMPERATURE_TARGET) >> 16) & 0xff;
}

static void identify(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	ci.max_leaf = r[0];
	memcpy(ci.vendor_str, &r[1], 4);
	memcpy(ci.vendor_str + 4, &r[3], 4);
	memcpy(ci.vendor_str + 8, &r[2], 4);
	ci.vendor = !memcmp(ci.vendor_str, "GenuineIntel", 12) ? VENDOR_INTEL
		    : !memcmp(ci.vendor_str, "AuthenticAMD", 12) ? VENDOR_AMD : VENDOR_OTHER;
	cpuid(1, 0, r);
	cpuid_signature(r[0], &ci.family, &ci.model, &ci.stepping);
	cpuid(0x80000000u, 0, r);
	ci.max_ext = r[0] >= 0x80000000u && r[0] < 0x8000ffffu ? r[0] : 0;
	if (ci.max_ext >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002u + i, 0, r);
			memcpy(ci.brand + 16 * i, r, 16);
		}
	}
	ci.brand[48] = 0;
	char *b = ci.brand;                    /* Intel pads the brand on the left */

	while (*b == ' ')
		b++;
	memmove(ci.brand, b, strlen(b) + 1);
	for (char *c = ci.brand; *c; c++)
		if (*c < 0x20 || *c > 0x7e || *c == '"')
			*c = '?';
	if (ci.max_leaf >= 6) {
		cpuid(6, 0, r);
		ci.dts = r[0] & 1;                 /* digital temperature sensor */
		ci.pkg_dts = (r[0] >> 6) & 1;      /* package thermal management */
	}
	ci.tjmax = tjmax();
	caches();
}

const char *cpuinfo_brand(void)
{
	return ci.brand;
}

void cpuinfo_init(void)
{
	uint32_t n = atomic_load(&cpus_online), differ = 0;
	const struct cpu_caches *c = &ci.caches;
	struct jw w;

	identify();
	smp_run(on_cpu, &ci);
	for (uint32_t i = 1; i < n && i < MAX_CPUS; i++)
		differ += ci.microcode[i] != ci.microcode[0];
	kprintf("CPU: %s (%s family 0x%x model 0x%x stepping %u, microcode 0x%x)",
		ci.brand[0] ? ci.brand : "no brand string", ci.vendor_str, ci.family, ci.model,
		ci.stepping, ci.microcode[0]);
	kprintf("caches: L1d %llu KiB, L1i %llu KiB, L2 %llu KiB, L3 %llu KiB (%s)",
		(unsigned long long)(c->l1d >> 10), (unsigned long long)(c->l1i >> 10),
		(unsigned long long)(c->l2 >> 10), (unsigned long long)(c->l3 >> 10), c->source);
	jw_begin(&w, "cpu_info");
	jw_str(&w, "vendor", ci.vendor_str);
	jw_str(&w, "brand", ci.brand);
	jw_u64(&w, "family", ci.family);
	jw_u64(&w, "model", ci.model);
	jw_u64(&w, "stepping", ci.stepping);
	jw_u64(&w, "microcode", ci.microcode[0]);
	jw_u64(&w, "microcode_differs", differ);
	jw_u64(&w, "l1d", c->l1d);
	jw_u64(&w, "l1i", c->l1i);
	jw_u64(&w, "l2", c->l2);
	jw_u64(&w, "l3", c->l3);
	jw_u64(&w, "l3_shared_by", c->l3_shared_by);
	jw_str(&w, "cache_source", c->source);
	jw_str(&w, "thermal", ci.tjmax ? "dts" : "unavailable");
	if (ci.tjmax)
		jw_u64(&w, "tjmax_c", ci.tjmax);
	event_emit(&w);
	if (differ)
		kprintf("WARNING: %u CPUs run another microcode revision than the boot CPU", differ);
	cpuinfo_thermal("start");
}

const struct cpu_caches *cpuinfo_caches(void)
{
	return &ci.caches;
}

int32_t cpuinfo_temp_c(void)
{
	return ci.tjmax && ci.dts ? therm(MSR_THERM_STATUS) : INT32_MIN;
}

void cpuinfo_thermal(const char *when)
{
	uint32_t n = atomic_load(&cpus_online), valid = 0;
	int32_t hot = INT32_MIN, cool = INT32_MAX, pkg = INT32_MIN;
	struct jw w;

	if (ci.tjmax) {
		smp_run(on_cpu, 0);
		for (uint32_t i = 0; i < n && i < MAX_CPUS; i++) {
			if (ci.core_c[i] != INT32_MIN) {
				valid++;
				hot = ci.core_c[i] > hot ? ci.core_c[i] : hot;
				cool = ci.core_c[i] < cool ? ci.core_c[i] : cool;
			}
			pkg = ci.pkg_c[i] > pkg ? ci.pkg_c[i] : pkg;
		}
	}
	jw_begin(&w, "thermal");
	jw_str(&w, "when", when);
	jw_bool(&w, "available", valid > 0);
	if (valid) {
		jw_i64(&w, "core_max_c", hot);
		jw_i64(&w, "core_min_c", cool);
		if (pkg != INT32_MIN)
			jw_i64(&w, "package_c", pkg);
		jw_u64(&w, "cpus_read", valid);
	}
	event_emit(&w);
}
