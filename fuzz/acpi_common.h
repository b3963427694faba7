/* Shared by the ACPI harnesses: sound tables shaped like QEMU q35's under
 * OVMF (the kinds test/kernel/test_acpi.c's builder makes) for the seeds,
 * the map() they give the parser, and the promises checked after a parse. */
#include <string.h>
#include <kernel/acpi.h>
#include "common/fuzz.h"

#define SEED_MEM 8192u

static inline void seed_sum(uint8_t *p, uint32_t n, uint32_t at)
{
	uint8_t s = 0;

	p[at] = 0;
	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	p[at] = (uint8_t)-s;
}

static inline void seed_hdr(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	fuzz_put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "BOCHS ", 6);
	memcpy(t + 16, "BXPC    ", 8);
	fuzz_put32(t + 24, 1);
	seed_sum(t, len, 9);
}

/* MADT: CPUs (xAPIC and x2APIC), an I/O APIC, overrides, an NMI entry. */
static inline uint32_t seed_madt(uint8_t *t, uint32_t cpus, int x2apic)
{
	uint32_t n = 44;

	memset(t, 0, 44);
	fuzz_put32(t + 36, 0xfee00000u);
	fuzz_put32(t + 40, 1); /* PCAT_COMPAT */
	for (uint32_t i = 0; i < cpus; i++, n += x2apic ? 16 : 8) {
		uint8_t *e = t + n;

		memset(e, 0, 16);
		if (x2apic) {
			e[0] = 9, e[1] = 16;
			fuzz_put32(e + 4, 0x100 + i), fuzz_put32(e + 8, 1), fuzz_put32(e + 12, i);
		} else {
			e[0] = 0, e[1] = 8, e[2] = (uint8_t)i, e[3] = (uint8_t)i;
			fuzz_put32(e + 4, 1);
		}
	}
	t[n] = 1, t[n + 1] = 12, t[n + 2] = 0, t[n + 3] = 0; /* I/O APIC */
	fuzz_put32(t + n + 4, 0xfec00000u), fuzz_put32(t + n + 8, 0);
	n += 12;
	for (uint8_t irq = 0; irq < 12; irq += 5, n += 10) { /* IRQ0->2, 5, 10 */
		t[n] = 2, t[n + 1] = 10, t[n + 2] = 0, t[n + 3] = irq;
		fuzz_put32(t + n + 4, irq ? irq : 2);
		t[n + 8] = irq ? 0x0d : 0, t[n + 9] = 0;
	}
	t[n] = 4, t[n + 1] = 6, t[n + 2] = 0xff, t[n + 3] = 0, t[n + 4] = 0, t[n + 5] = 1;
	n += 6;
	seed_hdr(t, "APIC", n, x2apic ? 5 : 1);
	return n;
}

/* FADT: revision 3 (244 bytes, as QEMU's) or 5 (276), PM timer at 0x608,
 * reset through 0xcf9. */
static inline uint32_t seed_fadt(uint8_t *t, int rev5)
{
	uint32_t n = rev5 ? 276 : 244;

	memset(t, 0, n);
	fuzz_put32(t + 46, 9);        /* SCI */
	fuzz_put32(t + 76, 0x608);    /* PM_TMR_BLK */
	t[91] = 4;
	fuzz_put32(t + 112, (1u << 8) | (1u << 10));
	t[116] = 1, t[117] = 8;       /* RESET_REG: I/O, 8 bits */
	fuzz_put64(t + 120, 0xcf9);
	t[128] = 0x0f;
	t[131] = rev5 ? 1 : 0;
	t[208] = 1, t[209] = 32, t[211] = 3;
	fuzz_put64(t + 212, 0x608);   /* X_PM_TMR_BLK */
	seed_hdr(t, "FACP", n, rev5 ? 5 : 3);
	return n;
}

static inline uint32_t seed_hpet(uint8_t *t)
{
	memset(t, 0, 56);
	fuzz_put32(t + 36, 0x8086a201u);
	t[40] = 0, t[41] = 64;        /* memory space */
	fuzz_put64(t + 44, 0xfed00000u);
	fuzz_put32(t + 53, 0x80);
	seed_hdr(t, "HPET", 56, 1);
	return 56;
}

/* RSDP at m[0]: rev 2 (XSDT and RSDT) or 0 (RSDT only), tables after it. */
static inline uint32_t seed_acpi(uint8_t *m, uint64_t base, int rev2, uint32_t cpus, int x2apic)
{
	uint32_t at[3], n = 64, root = 0;

	memset(m, 0, SEED_MEM);
	at[0] = n, n += seed_fadt(m + n, rev2), n = (n + 15) & ~15u;
	at[1] = n, n += seed_madt(m + n, cpus, x2apic), n = (n + 15) & ~15u;
	at[2] = n, n += seed_hpet(m + n), n = (n + 15) & ~15u;
	memcpy(m, "RSD PTR ", 8);
	memcpy(m + 9, "BOCHS ", 6);
	m[15] = rev2 ? 2 : 0;
	root = n;                     /* RSDT */
	for (int i = 0; i < 3; i++)
		fuzz_put32(m + root + 36 + 4 * i, (uint32_t)(base + at[i]));
	seed_hdr(m + root, "RSDT", 36 + 12, 1);
	fuzz_put32(m + 16, (uint32_t)(base + root));
	n = (root + 48 + 15) & ~15u;
	if (rev2) {
		uint32_t x = n;

		for (int i = 0; i < 3; i++)
			fuzz_put64(m + x + 36 + 8 * i, base + at[i]);
		seed_hdr(m + x, "XSDT", 36 + 24, 1);
		n = x + 60;
		fuzz_put32(m + 20, 36);
		fuzz_put64(m + 24, base + x);
	}
	seed_sum(m, 20, 8);           /* the v1 sum first: the extended one covers it */
	if (rev2)
		seed_sum(m, 36, 32);
	return n;
}

/* Physical memory from ACPI_BASE up is the input. map() hands out an exact
 * malloc'd copy of each range inside it, so ASan sees any read past what was
 * mapped, and NULL for anything else, as platform.c does for MMIO. */
#define ACPI_BASE 0xe0000ull

struct acpi_mem {
	const uint8_t *data;
	size_t size;
	void *copies[2 * ACPI_MAX_ROOT_ENTRIES + 64];
	uint32_t n, whole;
};

static inline const void *acpi_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct acpi_mem *m = ctx;
	void *c;

	FUZZ_CHECK(len > 0 && len <= ACPI_MAX_TABLE_LEN && phys <= UINT64_MAX - len);
	FUZZ_CHECK(m->n < sizeof(m->copies) / sizeof(m->copies[0])); /* bounded work */
	if (phys < ACPI_BASE || phys - ACPI_BASE > m->size || len > m->size - (phys - ACPI_BASE))
		return NULL;
	c = malloc(len);
	FUZZ_CHECK(c);
	memcpy(c, m->data + (phys - ACPI_BASE), len);
	m->copies[m->n++] = c;
	m->whole += len > 36;
	return c;
}

static inline void acpi_report(void *ctx, const struct acpi_finding *f)
{
	(void)ctx;
	FUZZ_CHECK(f->what && *f->what);
	for (const char *c = f->what; *c; c++)
		FUZZ_CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
}

/* acpi_parse on the input, then what acpi.h promises. */
static inline void acpi_run(const uint8_t *data, size_t size)
{
	static struct acpi_mem m;
	static struct acpi_info info;
	/* platform.c passes the boot CPU's APIC id: 0, as on QEMU */
	struct acpi_env env = { &m, acpi_map, acpi_report, true, 0 };

	m.data = data;
	m.size = size;
	m.n = m.whole = 0;
	acpi_parse(&env, ACPI_BASE, &info);
	for (uint32_t i = 0; i < m.n; i++)
		free(m.copies[i]);
	/* RSDP, two roots, ACPI_MAX_TRIES bad copies of each of three kinds */
	FUZZ_CHECK(m.whole <= 1 + 2 + 3 * ACPI_MAX_TRIES + 3);
	FUZZ_CHECK(info.cpu_count <= ACPI_MAX_CPUS && info.ioapic_count <= ACPI_MAX_IOAPICS);
	FUZZ_CHECK(info.override_count <= ACPI_MAX_OVERRIDES);
	FUZZ_CHECK(info.n_reported <= ACPI_MAX_REPORTS);
	FUZZ_CHECK(!info.cpus_valid || (info.madt_present && info.cpu_count >= 1));
	FUZZ_CHECK(info.madt_present == (info.madt_phys != 0));
	FUZZ_CHECK(!info.hpet_present || (info.hpet_phys && info.hpet_base));
	for (uint32_t i = 0; i < info.cpu_count; i++) {
		FUZZ_CHECK(info.cpus[i].apic_id <= info.max_apic_id);
		FUZZ_CHECK(acpi_find_cpu(&info, info.cpus[i].apic_id));
	}
}
