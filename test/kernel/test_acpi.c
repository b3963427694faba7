/* Host tests of the ACPI parser (kernel/acpi/): a table builder lays out
 * RSDP/XSDT/RSDT/MADT/FADT/HPET in a fake physical memory with correct
 * checksums; each test then breaks something and checks the result and the
 * exact set of findings. map() hands out malloc'd copies of exactly the bytes
 * asked for, so ASan catches any read past what the parser mapped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/acpi.h>
#include "table_world.h"

/* ---------------------------------------------------------------- fake memory */

#define MEM_BASE 0x100000ull
#define MEM_SIZE 0x10000u
#define MAX_RECS 256u

struct rec {
	enum acpi_severity sev;
	const char *what;
	uint64_t phys, value;
};

struct world {
	uint8_t mem[MEM_SIZE];
	uint32_t brk;
	bool map_refuses_all;
	struct table_copies copies; /* every map() result, freed after the test */
	struct rec recs[MAX_RECS];
	uint32_t nrec;
	struct acpi_env env;
	struct acpi_info info;
};

static struct world *w;

/* MADT entries are appended to mb, then mk_madt() wraps them in a table. */
static struct { uint8_t e[24000]; uint32_t n; } mb; /* room for ACPI_MAX_CPUS + 44 x2APIC entries */

static const void *map_cb(void *ctx, uint64_t phys, uint64_t len)
{
	struct world *ww = ctx;

	/* The parser's side of the contract. */
	assert_true(len > 0 && len <= ACPI_MAX_TABLE_LEN);
	assert_true(phys != 0 && phys <= UINT64_MAX - len);
	if (ww->map_refuses_all)
		return NULL;
	return table_map(&ww->copies, ww->mem, MEM_BASE, MEM_SIZE, phys, len);
}

static void report_cb(void *ctx, const struct acpi_finding *f)
{
	struct world *ww = ctx;

	assert_finding_name(f->what);
	assert_true(f->severity == ACPI_SEV_ERROR || f->severity == ACPI_SEV_WARN ||
		    f->severity == ACPI_SEV_INFO);
	assert_true(ww->nrec < MAX_RECS);
	ww->recs[ww->nrec++] = (struct rec){ f->severity, f->what, f->phys, f->value };
}

static void free_copies(void)
{
	table_copies_free(&w->copies);
}

static int setup(void **state)
{
	(void)state;
	w = calloc(1, sizeof(*w));
	w->env = (struct acpi_env){ .ctx = w, .map = map_cb, .report = report_cb };
	mb.n = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	table_copies_drop(&w->copies);
	free(w);
	w = NULL;
	return 0;
}

static const struct acpi_info *parse(uint64_t rsdp)
{
	free_copies();
	w->nrec = 0;
	acpi_parse(&w->env, rsdp, &w->info);
	return &w->info;
}

/* ---------------------------------------------------------------- builder */

static uint8_t *P(uint64_t phys)
{
	assert_true(phys >= MEM_BASE && phys < MEM_BASE + MEM_SIZE);
	return w->mem + (phys - MEM_BASE);
}

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Odd addresses on purpose: every field read is then unaligned for UBSan. */
static uint64_t alloc(uint32_t n)
{
	uint32_t at = ((w->brk + 15) & ~15u) + 3;

	assert_true(at + n <= MEM_SIZE);
	w->brk = at + n;
	return MEM_BASE + at;
}

static uint8_t csum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Make the first n bytes sum to zero by adjusting the byte at `at`. */
static void fix_sum(uint8_t *p, uint32_t n, uint32_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-csum(p, n);
}

static void fix_sdt(uint64_t phys) { fix_sum(P(phys), rd32(P(phys) + 4), 9); }

static uint64_t mk_sdt_at(uint64_t phys, const char *sig, uint8_t rev, const uint8_t *body,
			  uint32_t blen)
{
	uint8_t *t = P(phys);

	memcpy(t, sig, 4);
	wr32(t + 4, 36 + blen);
	t[8] = rev;
	memcpy(t + 10, "MSLOT ", 6);
	memcpy(t + 16, "TESTTBL ", 8);
	if (blen)
		memcpy(t + 36, body, blen);
	fix_sdt(phys);
	return phys;
}

static uint64_t mk_sdt(const char *sig, uint8_t rev, const uint8_t *body, uint32_t blen)
{
	return mk_sdt_at(alloc(36 + blen), sig, rev, body, blen);
}


static uint8_t *m_entry(uint8_t type, uint8_t len)
{
	uint8_t *e = mb.e + mb.n;

	assert_true(mb.n + len <= sizeof(mb.e));
	memset(e, 0, len);
	e[0] = type;
	e[1] = len;
	mb.n += len;
	return e;
}

static void m_lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t *e = m_entry(0, 8);

	e[2] = uid;
	e[3] = id;
	wr32(e + 4, flags);
}

static void m_x2apic(uint32_t id, uint32_t flags, uint32_t uid)
{
	uint8_t *e = m_entry(9, 16);

	wr32(e + 4, id);
	wr32(e + 8, flags);
	wr32(e + 12, uid);
}

static void m_ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t *e = m_entry(1, 12);

	e[2] = id;
	wr32(e + 4, addr);
	wr32(e + 8, gsi);
}

static void m_iso(uint8_t src, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = m_entry(2, 10);

	e[3] = src;
	wr32(e + 4, gsi);
	wr16(e + 8, flags);
}

static void m_lapic_override(uint64_t addr)
{
	wr64(m_entry(5, 12) + 4, addr);
}

static uint64_t mk_madt(uint8_t rev, uint32_t lapic, uint32_t flags)
{
	static uint8_t body[8 + sizeof(mb.e)];

	wr32(body, lapic);
	wr32(body + 4, flags);
	memcpy(body + 8, mb.e, mb.n);
	return mk_sdt("APIC", rev, body, 8 + mb.n);
}

struct fadt_opts {
	uint32_t len;
	uint8_t rev;
	uint32_t pm_port;
	uint8_t pm_len;
	uint32_t flags;
	uint8_t x_space;
	uint64_t x_addr;
	uint8_t reset_space;
	uint64_t reset_addr;
	uint8_t reset_value;
};

#define TMR_VAL_EXT   (1u << 8)
#define RESET_REG_SUP (1u << 10)
#define HW_REDUCED    (1u << 20)

static uint64_t mk_fadt(const struct fadt_opts *o)
{
	uint8_t t[276] = { 0 };

	assert_true(o->len >= 116 && o->len <= sizeof(t));
	wr32(t + 76, o->pm_port);
	t[91] = o->pm_len;
	wr32(t + 112, o->flags);
	if (o->len >= 129) {
		t[116] = o->reset_space;
		t[117] = 8;
		wr64(t + 120, o->reset_addr);
		t[128] = o->reset_value;
	}
	if (o->len >= 132)
		t[131] = 3;
	if (o->len >= 220) {
		t[208] = o->x_space;
		t[209] = 32;
		t[211] = 3;
		wr64(t + 212, o->x_addr);
	}
	return mk_sdt("FACP", o->rev, t + 36, o->len - 36);
}

/* What QEMU q35 gives: X and legacy PM timer at 0x608, 24-bit, reset via 0xcf9. */
static const struct fadt_opts fadt_q35 = {
	.len = 276, .rev = 6, .pm_port = 0x608, .pm_len = 4, .flags = RESET_REG_SUP,
	.x_space = ACPI_GAS_IO, .x_addr = 0x608,
	.reset_space = ACPI_GAS_IO, .reset_addr = 0xcf9, .reset_value = 0x0f,
};

static uint64_t mk_hpet(uint8_t space, uint64_t base)
{
	uint8_t b[20] = { 0 };

	wr32(b, 0x8086a201u);
	b[4] = space;
	b[5] = 64;
	wr64(b + 8, base);
	wr16(b + 17, 128);
	return mk_sdt("HPET", 1, b, sizeof(b));
}

static uint64_t mk_root(bool xsdt, const uint64_t *e, uint32_t n)
{
	uint8_t body[512];
	uint32_t esz = xsdt ? 8 : 4;

	assert_true(n * esz <= sizeof(body));
	for (uint32_t i = 0; i < n; i++) {
		if (xsdt)
			wr64(body + i * 8, e[i]);
		else
			wr32(body + i * 4, (uint32_t)e[i]);
	}
	return mk_sdt(xsdt ? "XSDT" : "RSDT", 1, body, n * esz);
}

static void fix_rsdp(uint64_t phys)
{
	uint8_t *p = P(phys);

	fix_sum(p, 20, 8);
	if (p[15] >= 2)
		fix_sum(p, 36, 32);
}

static uint64_t mk_rsdp_at(uint64_t phys, uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
	uint8_t *p = P(phys);

	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "MSLOT ", 6);
	p[15] = rev;
	wr32(p + 16, (uint32_t)rsdt);
	if (rev >= 2) {
		wr32(p + 20, 36);
		wr64(p + 24, xsdt);
	}
	fix_rsdp(phys);
	return phys;
}

static uint64_t mk_rsdp(uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
	return mk_rsdp_at(alloc(rev >= 2 ? 36 : 20), rev, rsdt, xsdt);
}

/* A whole machine: the given MADT (0: none), q35's FADT, an HPET, an XSDT and
 * an RSDT listing them, a v2 RSDP. */
struct machine { uint64_t madt, fadt, hpet, xsdt, rsdt, rsdp; };

static struct machine machine(uint64_t madt)
{
	struct machine m = { .madt = madt };
	uint64_t e[3];
	uint32_t n = 0;

	m.fadt = mk_fadt(&fadt_q35);
	m.hpet = mk_hpet(ACPI_GAS_MEMORY, 0xfed00000u);
	if (madt)
		e[n++] = madt;
	e[n++] = m.fadt;
	e[n++] = m.hpet;
	m.xsdt = mk_root(true, e, n);
	m.rsdt = mk_root(false, e, n);
	m.rsdp = mk_rsdp(2, m.rsdt, m.xsdt);
	return m;
}

/* Four xAPIC CPUs, an I/O APIC, the usual ISA IRQ0 -> GSI2 override. */
static uint64_t madt_4cpu(void)
{
	mb.n = 0;
	for (uint8_t i = 0; i < 4; i++)
		m_lapic(i, i, 1);
	m_ioapic(0, 0xfec00000u, 0);
	m_iso(0, 2, 0);
	return mk_madt(1, 0xfee00000u, ACPI_MADT_PCAT_COMPAT);
}

/* ---------------------------------------------------------------- finding checks */

/* The findings are exactly the space-separated names in `list` (a name
 * repeated = expected that many times), in any order. */
static void expect(const char *list)
{
	bool used[MAX_RECS] = { false };
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *name = strtok_r(buf, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		uint32_t i;

		for (i = 0; i < w->nrec; i++)
			if (!used[i] && strcmp(w->recs[i].what, name) == 0)
				break;
		if (i == w->nrec)
			fail_msg("expected finding %s not reported", name);
		used[i] = true;
	}
	for (uint32_t i = 0; i < w->nrec; i++)
		if (!used[i])
			fail_msg("unexpected finding %s %s phys=%#llx value=%#llx",
				 acpi_severity_name(w->recs[i].sev), w->recs[i].what,
				 (unsigned long long)w->recs[i].phys,
				 (unsigned long long)w->recs[i].value);
}

static const struct rec *find(const char *what)
{
	for (uint32_t i = 0; i < w->nrec; i++)
		if (strcmp(w->recs[i].what, what) == 0)
			return &w->recs[i];
	fail_msg("no finding %s", what);
	return NULL;
}

/* Every parse, whatever the input: the result is self-consistent. */
static void check_invariants(const struct acpi_info *in)
{
	assert_true(in->cpu_count <= ACPI_MAX_CPUS);
	assert_true(in->ioapic_count <= ACPI_MAX_IOAPICS);
	assert_true(in->override_count <= ACPI_MAX_OVERRIDES);
	if (in->cpus_valid) {
		assert_true(in->madt_present);
		assert_true(in->cpu_count >= 1);
	}
	assert_true(in->madt_present == (in->madt_phys != 0));
	assert_true(in->fadt_present == (in->fadt_phys != 0));
	for (uint32_t i = 0; i < in->cpu_count; i++) {
		const struct acpi_cpu *c = &in->cpus[i];

		assert_true(c->flags & ACPI_CPU_ENABLED);
		assert_true(c->apic_id <= in->max_apic_id);
		assert_ptr_equal(acpi_find_cpu(in, c->apic_id), c);
	}
	assert_true(in->n_reported <= ACPI_MAX_REPORTS);
	assert_true(in->n_reported == in->n_errors + in->n_warnings + in->n_infos ||
		    in->n_reported == ACPI_MAX_REPORTS);
	assert_true(w->nrec == in->n_reported ||
		    (w->nrec == in->n_reported + 1 &&
		     strcmp(w->recs[w->nrec - 1].what, "findings_suppressed") == 0));
	if (!in->madt_present)
		assert_false(in->cpus_valid);
	if (in->pm_timer_present)
		assert_true(in->pm_timer_bits == 24 || in->pm_timer_bits == 32);
}

static const struct acpi_info *run(uint64_t rsdp)
{
	const struct acpi_info *in = parse(rsdp);

	check_invariants(in);
	return in;
}

/* ---------------------------------------------------------------- good tables */

static void test_good_xapic(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());
	const struct acpi_info *in = run(m.rsdp);

	expect("");
	assert_int_equal(in->n_errors + in->n_warnings + in->n_infos, 0);
	assert_true(in->cpus_valid);
	assert_int_equal(in->rsdp_revision, 2);
	assert_true(in->root_is_xsdt);
	assert_int_equal(in->root_phys, m.xsdt);
	assert_string_equal(in->oem_id, "MSLOT ");
	assert_int_equal(in->madt_phys, m.madt);
	assert_int_equal(in->madt_revision, 1);
	assert_int_equal(in->madt_flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(in->lapic_base, 0xfee00000u);
	assert_false(in->lapic_overridden);
	assert_int_equal(in->cpu_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(in->cpus[i].apic_id, i);
		assert_int_equal(in->cpus[i].acpi_uid, i);
		assert_int_equal(in->cpus[i].flags, ACPI_CPU_ENABLED);
	}
	assert_int_equal(in->max_apic_id, 3);
	assert_int_equal(in->ioapic_count, 1);
	assert_int_equal(in->ioapics[0].addr, 0xfec00000u);
	assert_int_equal(in->override_count, 1);
	assert_int_equal(in->overrides[0].source, 0);
	assert_int_equal(in->overrides[0].gsi, 2);
	/* FADT and HPET */
	assert_true(in->fadt_present);
	assert_int_equal(in->fadt_revision, 6);
	assert_int_equal(in->fadt_minor, 3);
	assert_false(in->hw_reduced);
	assert_true(in->pm_timer_present);
	assert_int_equal(in->pm_timer.space, ACPI_GAS_IO);
	assert_int_equal(in->pm_timer.addr, 0x608);
	assert_int_equal(in->pm_timer_bits, 24);
	assert_true(in->reset_present);
	assert_int_equal(in->reset_reg.space, ACPI_GAS_IO);
	assert_int_equal(in->reset_reg.addr, 0xcf9);
	assert_int_equal(in->reset_value, 0x0f);
	assert_true(in->hpet_present);
	assert_int_equal(in->hpet_phys, m.hpet);
	assert_int_equal(in->hpet_base, 0xfed00000u);
	assert_int_equal(in->hpet_block_id, 0x8086a201u);
	assert_int_equal(in->hpet_min_tick, 128);
	assert_non_null(acpi_find_cpu(in, 2));
	assert_null(acpi_find_cpu(in, 4));
	assert_string_equal(acpi_severity_name(ACPI_SEV_ERROR), "error");
	assert_string_equal(acpi_severity_name(ACPI_SEV_WARN), "warn");
	assert_string_equal(acpi_severity_name(ACPI_SEV_INFO), "info");
}

static void test_good_x2apic(void **state)
{
	(void)state;
	static const uint32_t ids[] = { 0, 1, 300, 0x10000 };

	for (uint32_t i = 0; i < 4; i++)
		m_x2apic(ids[i], 1, 100 + i);
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("");
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(in->cpus[i].apic_id, ids[i]);
		assert_int_equal(in->cpus[i].acpi_uid, 100 + i);
		assert_int_equal(in->cpus[i].flags, ACPI_CPU_ENABLED | ACPI_CPU_X2APIC);
	}
	assert_int_equal(in->max_apic_id, 0x10000);
	assert_int_equal(in->madt_flags, 0);
}

static void test_good_mixed(void **state)
{
	(void)state;
	for (uint8_t i = 0; i < 4; i++)
		m_lapic(i, i, 1);
	for (uint32_t i = 0; i < 4; i++)
		m_x2apic(255 + i, 1, 4 + i);
	m_entry(4, 6); /* a local APIC NMI entry: skipped, not an error */
	m_entry(0x7f, 20); /* an unknown future type */
	const struct acpi_info *in = run(machine(mk_madt(4, 0xfee00000u, 1)).rsdp);

	expect("");
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 8);
	assert_int_equal(in->cpus[3].flags, ACPI_CPU_ENABLED);
	assert_int_equal(in->cpus[4].apic_id, 255);
	assert_int_equal(in->cpus[4].flags, ACPI_CPU_ENABLED | ACPI_CPU_X2APIC);
	assert_int_equal(in->max_apic_id, 258);
}

static void test_lapic_override(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	m_lapic_override(0x1fee00000ull);
	m_lapic_override(0x2fee00000ull); /* a second one is ignored */
	const struct acpi_info *in = run(machine(mk_madt(3, 0xfee00000u, 0)).rsdp);

	expect("madt_lapic_override_dup");
	assert_int_equal(find("madt_lapic_override_dup")->value, 0x2fee00000ull);
	assert_true(in->cpus_valid);
	assert_true(in->lapic_overridden);
	assert_int_equal(in->lapic_base, 0x1fee00000ull);
}

static void test_lapic_override_zero_and_addr_zero(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	m_lapic_override(0);
	const struct acpi_info *in = run(machine(mk_madt(3, 0, 0)).rsdp);

	expect("madt_lapic_override_zero madt_lapic_addr_zero");
	assert_true(in->cpus_valid); /* the kernel can read IA32_APIC_BASE instead */
	assert_int_equal(in->lapic_base, 0);
	assert_false(in->lapic_overridden);
}

/* ACPI 6.3: a disabled entry with Online Capable set is a hot-plug
 * placeholder (a socket or vCPU slot that may be populated later). Nothing
 * answers its INIT-SIPI today: it is reported, counted, never listed, and
 * its id does not force x2APIC mode. */
static void test_disabled_online_capable(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);          /* enabled */
	m_lapic(1, 1, 2);          /* online capable */
	m_lapic(2, 2, 0);          /* neither: does not exist */
	m_x2apic(300, 2, 3);       /* online capable x2APIC */
	m_x2apic(301, 0, 4);       /* neither */
	m_x2apic(7, 3, 5);         /* enabled wins: start it */
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_cpus_unusable madt_cpus_hotplug");
	assert_int_equal(find("madt_cpus_unusable")->value, 2);
	assert_int_equal(find("madt_cpus_unusable")->sev, ACPI_SEV_INFO);
	assert_int_equal(find("madt_cpus_hotplug")->value, 2);
	assert_int_equal(find("madt_cpus_hotplug")->sev, ACPI_SEV_INFO);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 2);
	assert_int_equal(in->cpus_unusable, 2);
	assert_int_equal(in->cpus_hotplug, 2);
	assert_int_equal(in->cpus[0].flags, ACPI_CPU_ENABLED);
	assert_int_equal(in->cpus[1].apic_id, 7);
	assert_int_equal(in->cpus[1].flags, ACPI_CPU_ENABLED | ACPI_CPU_X2APIC);
	assert_null(acpi_find_cpu(in, 1));
	assert_null(acpi_find_cpu(in, 2));
	assert_null(acpi_find_cpu(in, 300));
	assert_int_equal(in->max_apic_id, 7);
}

/* A MADT with nothing but the boot CPU's placeholder has no CPU to start. */
static void test_only_hotplug_placeholders(void **state)
{
	(void)state;
	m_lapic(0, 0, 2);
	m_lapic(1, 1, 2);
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_cpus_hotplug madt_no_cpus");
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 0);
	assert_int_equal(in->cpus_hotplug, 2);
}

/* Before MADT revision 5 the Online Capable bit was reserved: ignore it. */
static void test_online_capable_old_revision(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	m_lapic(1, 1, 2);
	const struct acpi_info *in = run(machine(mk_madt(4, 0xfee00000u, 0)).rsdp);

	expect("madt_cpus_unusable");
	assert_int_equal(in->cpu_count, 1);
	assert_int_equal(in->cpus_unusable, 1);
}

/* ACPI 1.0: a 20-byte RSDP at the very end of memory (reading 36 bytes would
 * fault), RSDT only, a 116-byte FADT with only the legacy PM timer port. */
static void test_rsdp_rev0_rsdt(void **state)
{
	(void)state;
	struct fadt_opts fo = { .len = 116, .rev = 1, .pm_port = 0x408, .pm_len = 4,
				.flags = TMR_VAL_EXT | RESET_REG_SUP };
	uint64_t e[2] = { madt_4cpu(), mk_fadt(&fo) };
	uint64_t rsdt = mk_root(false, e, 2);
	uint64_t rsdp = mk_rsdp_at(MEM_BASE + MEM_SIZE - 20, 0, rsdt, 0);
	const struct acpi_info *in = run(rsdp);

	expect("hpet_missing");
	assert_int_equal(find("hpet_missing")->sev, ACPI_SEV_INFO);
	assert_int_equal(in->n_warnings + in->n_errors, 0);
	assert_int_equal(in->rsdp_revision, 0);
	assert_false(in->root_is_xsdt);
	assert_int_equal(in->root_phys, rsdt);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 4);
	assert_true(in->pm_timer_present);
	assert_int_equal(in->pm_timer.addr, 0x408);
	assert_int_equal(in->pm_timer_bits, 32);
	assert_int_equal(in->fadt_minor, 0);
	assert_false(in->reset_present); /* RESET_REG_SUP, but a 1.0 FADT has no register */
	assert_false(in->hpet_present);
}

/* ---------------------------------------------------------------- RSDP */

static void test_rsdp_missing_unmapped(void **state)
{
	(void)state;
	const struct acpi_info *in = run(0);

	expect("rsdp_missing madt_missing fadt_missing hpet_missing");
	assert_false(in->cpus_valid);
	assert_int_equal(in->n_errors, 2);

	in = run(0xdead00000ull);
	expect("rsdp_unmapped madt_missing fadt_missing hpet_missing");
	assert_int_equal(find("rsdp_unmapped")->phys, 0xdead00000ull);

	in = run(UINT64_MAX - 3); /* would wrap: never handed to map() */
	expect("rsdp_unmapped madt_missing fadt_missing hpet_missing");

	struct machine m = machine(madt_4cpu());
	w->map_refuses_all = true;
	in = run(m.rsdp);
	expect("rsdp_unmapped madt_missing fadt_missing hpet_missing");
	assert_false(in->cpus_valid);
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.rsdp)[3] = 'X';
	fix_rsdp(m.rsdp);
	const struct acpi_info *in = run(m.rsdp);

	expect("rsdp_signature madt_missing fadt_missing hpet_missing");
	assert_int_equal(find("rsdp_signature")->sev, ACPI_SEV_ERROR);
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 0);
}

static void test_rsdp_bad_checksum(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.rsdp)[8] ^= 0x40;
	const struct acpi_info *in = run(m.rsdp);

	expect("rsdp_checksum madt_missing fadt_missing hpet_missing");
	assert_int_equal(find("rsdp_checksum")->value, 0x40);
	assert_false(in->cpus_valid);
}

/* The v2 part cannot be trusted: the XSDT address with it. The RSDT (covered
 * by the v1 checksum) still leads to the MADT. */
static void test_rsdp_bad_ext_checksum(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.rsdp)[32] ^= 1;
	const struct acpi_info *in = run(m.rsdp);

	expect("rsdp_ext_checksum");
	assert_int_equal(find("rsdp_ext_checksum")->sev, ACPI_SEV_WARN);
	assert_false(in->root_is_xsdt);
	assert_int_equal(in->root_phys, m.rsdt);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 4);
}

static void test_rsdp_bad_length(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());
	static const uint32_t lens[] = { 0, 20, 35, 4097, 0xffffffffu };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		wr32(P(m.rsdp) + 20, lens[i]);
		fix_rsdp(m.rsdp);
		const struct acpi_info *in = run(m.rsdp);

		expect("rsdp_length");
		assert_int_equal(find("rsdp_length")->value, lens[i]);
		assert_true(in->cpus_valid);
		assert_false(in->root_is_xsdt);
	}
	/* Longer than 36 but running off the end of memory. */
	uint64_t rsdp = mk_rsdp_at(MEM_BASE + MEM_SIZE - 40, 2, m.rsdt, m.xsdt);
	wr32(P(rsdp) + 20, 100);
	fix_rsdp(rsdp);
	const struct acpi_info *in = run(rsdp);
	expect("rsdp_v2_unmapped");
	assert_true(in->cpus_valid);
	/* A revision-2 RSDP whose 36 bytes do not fit at all. */
	rsdp = mk_rsdp_at(MEM_BASE + MEM_SIZE - 20, 0, m.rsdt, 0);
	P(rsdp)[15] = 2;
	fix_sum(P(rsdp), 20, 8); /* only the v1 part exists */
	in = run(rsdp);
	expect("rsdp_v2_unmapped");
	assert_int_equal(in->rsdp_revision, 2);
	assert_true(in->cpus_valid);
}

static void test_rsdp_xsdt_null(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	wr64(P(m.rsdp) + 24, 0);
	fix_rsdp(m.rsdp);
	const struct acpi_info *in = run(m.rsdp);

	expect("rsdp_xsdt_null");
	assert_true(in->cpus_valid);
	assert_false(in->root_is_xsdt);
}

/* ---------------------------------------------------------------- XSDT / RSDT */

static void test_xsdt_bad_checksum_rsdt_ok(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.xsdt)[9] += 0x55;
	const struct acpi_info *in = run(m.rsdp);

	expect("xsdt_checksum root_fallback_rsdt");
	assert_int_equal(find("xsdt_checksum")->phys, m.xsdt);
	assert_int_equal(find("xsdt_checksum")->value, 0x55);
	assert_int_equal(find("xsdt_checksum")->sev, ACPI_SEV_ERROR);
	assert_int_equal(find("root_fallback_rsdt")->phys, m.rsdt);
	assert_false(in->root_is_xsdt);
	assert_int_equal(in->root_phys, m.rsdt);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 4);
	assert_true(in->pm_timer_present);
}

static void test_xsdt_and_rsdt_bad(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.xsdt)[9] ^= 1;
	memcpy(P(m.rsdt), "RSDX", 4);
	const struct acpi_info *in = run(m.rsdp);

	expect("xsdt_checksum root_fallback_rsdt rsdt_signature root_missing "
	       "madt_missing fadt_missing hpet_missing");
	assert_int_equal(find("rsdt_signature")->value, rd32((const uint8_t *)"RSDX"));
	assert_int_equal(in->root_phys, 0);
	assert_false(in->cpus_valid);
	assert_false(in->pm_timer_present);
}

static void test_xsdt_length_absurd(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	wr32(P(m.xsdt) + 4, 0xffffffffu);
	const struct acpi_info *in = run(m.rsdp);

	expect("xsdt_length_absurd root_fallback_rsdt");
	assert_int_equal(find("xsdt_length_absurd")->value, 0xffffffffu);
	assert_true(in->cpus_valid);

	/* Without an RSDT to fall back to: boot CPU only. */
	wr32(P(m.rsdp) + 16, 0);
	fix_rsdp(m.rsdp);
	in = run(m.rsdp);
	expect("xsdt_length_absurd root_missing madt_missing fadt_missing hpet_missing");
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 0);
}

static void test_xsdt_length_short(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());
	static const uint32_t lens[] = { 0, 1, 35 };

	for (size_t i = 0; i < 3; i++) {
		wr32(P(m.xsdt) + 4, lens[i]);
		const struct acpi_info *in = run(m.rsdp);

		expect("xsdt_length_short root_fallback_rsdt");
		assert_int_equal(find("xsdt_length_short")->value, lens[i]);
		assert_true(in->cpus_valid);
	}
}

/* A length that is plausible but runs past mapped memory. */
static void test_xsdt_truncated(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());
	uint64_t e[3] = { m.madt, m.fadt, m.hpet };
	uint64_t x = mk_sdt_at(MEM_BASE + MEM_SIZE - 60, "XSDT", 1, (const uint8_t *)e, 24);

	wr32(P(x) + 4, 4000);
	wr64(P(m.rsdp) + 24, x);
	fix_rsdp(m.rsdp);
	const struct acpi_info *in = run(m.rsdp);

	expect("xsdt_truncated root_fallback_rsdt");
	assert_int_equal(find("xsdt_truncated")->value, 4000);
	assert_true(in->cpus_valid);

	/* The XSDT address itself unmapped. */
	wr64(P(m.rsdp) + 24, 0x7000000000ull);
	fix_rsdp(m.rsdp);
	in = run(m.rsdp);
	expect("xsdt_unmapped root_fallback_rsdt");
	assert_true(in->cpus_valid);
}

/* Entries pointing nowhere are skipped; the good ones still count. */
static void test_xsdt_bad_entries(void **state)
{
	(void)state;
	uint64_t madt = madt_4cpu();
	uint64_t e[5] = { 0, 0xdead0000000ull, UINT64_MAX - 8, MEM_BASE + MEM_SIZE - 10, madt };
	uint64_t x = mk_root(true, e, 5);
	const struct acpi_info *in = run(mk_rsdp(2, 0, x));

	expect("xsdt_entry_null xsdt_entry_unmapped xsdt_entry_unmapped xsdt_entry_unmapped "
	       "fadt_missing hpet_missing");
	assert_int_equal(find("xsdt_entry_null")->value, 0);
	assert_int_equal(find("xsdt_entry_unmapped")->value, 0xdead0000000ull);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 4);
	assert_false(in->pm_timer_present);
}

static void test_rsdt_bad_entries(void **state)
{
	(void)state;
	uint64_t e[3] = { 0, 0xfff00000u, madt_4cpu() };
	uint64_t r = mk_root(false, e, 3);
	const struct acpi_info *in = run(mk_rsdp(0, r, 0));

	expect("rsdt_entry_null rsdt_entry_unmapped fadt_missing hpet_missing");
	assert_true(in->cpus_valid);
}

/* (length - 36) not a multiple of the entry size: whole entries are used. */
static void test_root_partial_entries(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	wr32(P(m.xsdt) + 4, rd32(P(m.xsdt) + 4) + 4); /* the next 4 bytes are zeros */
	fix_sdt(m.xsdt);
	const struct acpi_info *in = run(m.rsdp);

	expect("xsdt_entries_partial");
	assert_int_equal(find("xsdt_entries_partial")->sev, ACPI_SEV_WARN);
	assert_true(in->root_is_xsdt);
	assert_true(in->cpus_valid);
	assert_true(in->hpet_present);

	wr32(P(m.rsdt) + 4, rd32(P(m.rsdt) + 4) + 3);
	fix_sdt(m.rsdt);
	in = run(mk_rsdp(0, m.rsdt, 0));
	expect("rsdt_entries_partial");
	assert_true(in->cpus_valid);
}

static void test_empty_root(void **state)
{
	(void)state;
	const struct acpi_info *in = run(mk_rsdp(2, 0, mk_root(true, NULL, 0)));

	expect("madt_missing fadt_missing hpet_missing");
	assert_true(in->root_is_xsdt);
	assert_false(in->cpus_valid);
}

/* Tables full of zeros where the root or a table should be. */
static void test_all_zero_tables(void **state)
{
	(void)state;
	uint64_t zero = alloc(4096);
	const struct acpi_info *in = run(zero);

	expect("rsdp_signature madt_missing fadt_missing hpet_missing");
	assert_int_equal(find("rsdp_signature")->value, 0);

	in = run(mk_rsdp(2, (uint32_t)zero, zero));
	expect("xsdt_signature root_fallback_rsdt rsdt_signature root_missing "
	       "madt_missing fadt_missing hpet_missing");
	assert_false(in->cpus_valid);

	/* A root whose entries all point at zeros: no signature matches. */
	uint64_t e[2] = { zero, zero + 100 };
	in = run(mk_rsdp(2, 0, mk_root(true, e, 2)));
	expect("madt_missing fadt_missing hpet_missing");

	/* A MADT that is all zeros apart from its header. */
	uint64_t madt = mk_sdt("APIC", 1, P(zero), 200);
	in = run(machine(madt).rsdp);
	expect("madt_entry_short madt_lapic_addr_zero madt_no_cpus");
	assert_true(in->madt_present);
	assert_false(in->cpus_valid);
}

/* ---------------------------------------------------------------- MADT */

static void test_no_madt(void **state)
{
	(void)state;
	struct machine m = machine(0);
	const struct acpi_info *in = run(m.rsdp);

	expect("madt_missing");
	assert_int_equal(find("madt_missing")->sev, ACPI_SEV_ERROR);
	assert_int_equal(find("madt_missing")->phys, m.xsdt);
	assert_false(in->madt_present);
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 0);
	assert_true(in->pm_timer_present); /* the rest of the walk still happened */
	assert_true(in->hpet_present);
}

static void test_madt_bad_checksum(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.madt)[50] ^= 1;
	const struct acpi_info *in = run(m.rsdp);

	expect("madt_checksum madt_missing");
	assert_int_equal(find("madt_checksum")->phys, m.madt);
	assert_int_equal(find("madt_checksum")->sev, ACPI_SEV_ERROR);
	assert_false(in->madt_present);
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 0);
}

/* A bad copy, then a good one: the good one is used; a third is a duplicate. */
static void test_madt_second_copy(void **state)
{
	(void)state;
	uint64_t bad = madt_4cpu();

	P(bad)[9] ^= 1;
	mb.n = 0;
	m_lapic(0, 7, 1);
	m_lapic(1, 8, 1);
	uint64_t good = mk_madt(1, 0xfee00000u, 0);
	uint64_t e[3] = { bad, good, madt_4cpu() };
	const struct acpi_info *in = run(mk_rsdp(2, 0, mk_root(true, e, 3)));

	expect("madt_checksum madt_duplicate fadt_missing hpet_missing");
	assert_int_equal(find("madt_duplicate")->phys, e[2]);
	assert_int_equal(find("madt_duplicate")->value, good);
	assert_int_equal(in->madt_phys, good);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 2);
	assert_int_equal(in->cpus[0].apic_id, 7);
}

static void test_madt_length(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	wr32(P(m.madt) + 4, 43); /* shorter than header + LAPIC address + flags */
	fix_sdt(m.madt);
	const struct acpi_info *in = run(m.rsdp);
	expect("madt_length_short madt_missing");
	assert_false(in->cpus_valid);

	wr32(P(m.madt) + 4, ACPI_MAX_TABLE_LEN + 1);
	in = run(m.rsdp);
	expect("madt_length_absurd madt_missing");
	assert_int_equal(find("madt_length_absurd")->value, ACPI_MAX_TABLE_LEN + 1);

	wr32(P(m.madt) + 4, MEM_SIZE);
	in = run(m.rsdp);
	expect("madt_truncated madt_missing");
	assert_false(in->cpus_valid);
}

/* The table's length (checksum fixed) ends in the middle of an entry. */
static void test_madt_truncated_mid_entry(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	wr32(P(m.madt) + 4, 44 + 8 + 5);
	fix_sdt(m.madt);
	const struct acpi_info *in = run(m.rsdp);

	expect("madt_entry_overrun");
	assert_int_equal(find("madt_entry_overrun")->phys, m.madt + 52);
	assert_int_equal(find("madt_entry_overrun")->value, 8);
	assert_true(in->madt_present);
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 1); /* what was read is kept, but untrusted */

	/* One lone byte after the last entry: not even a type and a length. */
	wr32(P(m.madt) + 4, 44 + 8 + 1);
	fix_sdt(m.madt);
	in = run(m.rsdp);
	expect("madt_entry_overrun");
	assert_int_equal(find("madt_entry_overrun")->value, 1);
	assert_false(in->cpus_valid);
}

static void test_madt_entry_len_0_and_1(void **state)
{
	(void)state;
	for (uint8_t len = 0; len < 2; len++) {
		mb.n = 0;
		m_lapic(0, 0, 1);
		uint8_t *e = m_entry(0, 8);
		e[1] = len; /* would loop forever (0) or misalign everything (1) */
		m_lapic(2, 2, 1);
		struct machine m = machine(mk_madt(1, 0xfee00000u, 0));
		const struct acpi_info *in = run(m.rsdp);

		expect("madt_entry_short");
		assert_int_equal(find("madt_entry_short")->value, len);
		assert_int_equal(find("madt_entry_short")->phys, m.madt + 52);
		assert_false(in->cpus_valid);
		assert_int_equal(in->cpu_count, 1);
		w->brk = 0;
	}
}

static void test_madt_entry_past_end(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	uint8_t *e = m_entry(9, 16);
	e[1] = 200;
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_entry_overrun");
	assert_int_equal(find("madt_entry_overrun")->value, 200);
	assert_false(in->cpus_valid);
}

/* An entry shorter than its type needs: a CPU one makes the list untrusted,
 * others are skipped with a warning. */
static void test_madt_entry_size(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	m_entry(1, 4);  /* I/O APIC, 4 of 12 bytes */
	m_entry(2, 9);  /* override, 9 of 10 */
	m_entry(5, 11); /* LAPIC address override, 11 of 12 */
	const struct acpi_info *in = run(machine(mk_madt(1, 0xfee00000u, 0)).rsdp);

	expect("madt_entry_size madt_entry_size madt_entry_size");
	assert_int_equal(find("madt_entry_size")->value, 0x104);
	assert_int_equal(find("madt_entry_size")->sev, ACPI_SEV_WARN);
	assert_true(in->cpus_valid);
	assert_int_equal(in->ioapic_count, 0);
	assert_false(in->lapic_overridden);

	w->brk = 0;
	mb.n = 0;
	m_lapic(0, 0, 1);
	m_entry(0, 6);
	m_entry(9, 15);
	m_lapic(1, 1, 1);
	in = run(machine(mk_madt(1, 0xfee00000u, 0)).rsdp);
	expect("madt_entry_size madt_entry_size");
	assert_int_equal(find("madt_entry_size")->sev, ACPI_SEV_ERROR);
	assert_false(in->cpus_valid);
	assert_int_equal(in->cpu_count, 2); /* the walk went on past them */
}

static void test_duplicate_apic_id(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	m_lapic(1, 1, 1);
	m_lapic(2, 1, 1);     /* same as uid 1 */
	m_lapic(3, 2, 1);
	m_x2apic(2, 1, 4);    /* same id from an x2APIC entry */
	m_lapic(5, 1, 0);     /* a disabled duplicate is just unusable */
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("duplicate_apic_id duplicate_apic_id madt_cpus_unusable");
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 3);
	assert_int_equal(in->cpus_duplicate, 2);
	assert_int_equal(in->cpus[1].acpi_uid, 1); /* the first one is kept */
	assert_int_equal(in->cpus[2].flags, ACPI_CPU_ENABLED);
}

static void test_too_many_cpus(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < ACPI_MAX_CPUS + 44; i++)
		m_x2apic(i, 1, i);
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_too_many_cpus");
	assert_int_equal(find("madt_too_many_cpus")->value, 44);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(in->cpus_dropped, 44);
	assert_int_equal(in->max_apic_id, ACPI_MAX_CPUS - 1);
}

/* More CPUs than the list holds, the boot CPU's entry among the extra ones:
 * the boot CPU is listed all the same (the last place), and the CPU it
 * displaced is counted as dropped. Without the boot id, the first
 * ACPI_MAX_CPUS are kept, as before. */
static void test_boot_cpu_entry_late(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < ACPI_MAX_CPUS + 10; i++)
		m_x2apic(0x100 + i, 1, i);
	m_x2apic(7, 1, 9999);            /* the boot CPU, entry ACPI_MAX_CPUS + 10 */
	m_x2apic(0x100 + ACPI_MAX_CPUS + 20, 1, 10000);
	w->env.boot_apic_known = true;
	w->env.boot_apic_id = 7;
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_too_many_cpus");
	assert_int_equal(find("madt_too_many_cpus")->value, 12);
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(in->cpus_dropped, 12);
	assert_non_null(acpi_find_cpu(in, 7));
	assert_int_equal(acpi_find_cpu(in, 7)->acpi_uid, 9999);
	assert_null(acpi_find_cpu(in, 0x100 + ACPI_MAX_CPUS - 1)); /* displaced */
	assert_non_null(acpi_find_cpu(in, 0x100 + ACPI_MAX_CPUS - 2));
	assert_int_equal(in->max_apic_id, 0x100 + ACPI_MAX_CPUS - 2);
}

/* The boot CPU in the list already: a full list stays as it is. */
static void test_boot_cpu_entry_early(void **state)
{
	(void)state;
	m_lapic(0, 3, 1);
	for (uint32_t i = 0; i < ACPI_MAX_CPUS + 2; i++)
		m_x2apic(0x100 + i, 1, i);
	w->env.boot_apic_known = true;
	w->env.boot_apic_id = 3;
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_too_many_cpus");
	assert_int_equal(in->cpus_dropped, 3);
	assert_int_equal(in->cpus[0].apic_id, 3);
	assert_int_equal(in->cpus[ACPI_MAX_CPUS - 1].apic_id, 0x100 + ACPI_MAX_CPUS - 2);
}

static void test_apic_id_invalid(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	m_lapic(1, 0xff, 1);
	m_lapic(2, 0xff, 0);          /* unused slot: not worth a warning */
	m_x2apic(0xffffffffu, 1, 3);
	m_x2apic(0xff, 1, 4);         /* fine as an x2APIC id */
	const struct acpi_info *in = run(machine(mk_madt(5, 0xfee00000u, 0)).rsdp);

	expect("madt_apic_id_invalid madt_apic_id_invalid madt_cpus_unusable");
	assert_true(in->cpus_valid);
	assert_int_equal(in->cpu_count, 2);
	assert_int_equal(in->cpus[1].apic_id, 0xff);
}

static void test_madt_no_cpus(void **state)
{
	(void)state;
	m_ioapic(0, 0xfec00000u, 0);
	m_lapic(0, 0, 0);
	const struct acpi_info *in = run(machine(mk_madt(1, 0xfee00000u, 0)).rsdp);

	expect("madt_no_cpus madt_cpus_unusable");
	assert_int_equal(find("madt_no_cpus")->sev, ACPI_SEV_ERROR);
	assert_true(in->madt_present);
	assert_false(in->cpus_valid);
	assert_int_equal(in->ioapic_count, 1);
}

static void test_too_many_ioapics_overrides(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	for (uint8_t i = 0; i < ACPI_MAX_IOAPICS + 1; i++)
		m_ioapic(i, 0xfec00000u + i * 0x1000u, i * 24u);
	for (uint8_t i = 0; i < ACPI_MAX_OVERRIDES + 2; i++)
		m_iso(i, i, 0xd);
	const struct acpi_info *in = run(machine(mk_madt(1, 0xfee00000u, 0)).rsdp);

	expect("madt_too_many_ioapics madt_too_many_overrides madt_too_many_overrides");
	assert_true(in->cpus_valid);
	assert_int_equal(in->ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(in->ioapics[3].gsi_base, 72);
	assert_int_equal(in->override_count, ACPI_MAX_OVERRIDES);
	assert_int_equal(in->overrides[5].flags, 0xd);
}

/* A million complaints must not reach a slow console: 64 and a summary. */
static void test_report_flood(void **state)
{
	(void)state;
	m_lapic(0, 0, 1);
	for (uint32_t i = 0; i < 1000; i++)
		m_lapic(1, 0, 1);
	const struct acpi_info *in = run(machine(mk_madt(1, 0xfee00000u, 0)).rsdp);

	assert_int_equal(w->nrec, ACPI_MAX_REPORTS + 1);
	assert_string_equal(w->recs[ACPI_MAX_REPORTS].what, "findings_suppressed");
	assert_int_equal(w->recs[ACPI_MAX_REPORTS].value, 1000 - ACPI_MAX_REPORTS);
	assert_int_equal(in->n_warnings, 1000);
	assert_int_equal(in->cpus_duplicate, 1000);
	assert_true(in->cpus_valid);
}

static void test_no_report_callback(void **state)
{
	(void)state;
	struct machine m = machine(madt_4cpu());

	P(m.xsdt)[9] ^= 1;
	w->env.report = NULL;
	const struct acpi_info *in = parse(m.rsdp);

	assert_int_equal(w->nrec, 0);
	assert_int_equal(in->n_errors, 1);
	assert_int_equal(in->n_warnings, 1);
	assert_int_equal(in->n_reported, 0);
	assert_true(in->cpus_valid);
}

/* ---------------------------------------------------------------- FADT / HPET */

static const struct acpi_info *with_fadt(const struct fadt_opts *o)
{
	uint64_t e[2] = { madt_4cpu(), mk_fadt(o) };

	return run(mk_rsdp(2, 0, mk_root(true, e, 2)));
}

static void test_fadt_pm_timer(void **state)
{
	(void)state;
	struct fadt_opts o = fadt_q35;

	/* X block and legacy port disagree: X wins, reported. */
	o.x_addr = 0x1008;
	const struct acpi_info *in = with_fadt(&o);
	expect("fadt_pmtmr_mismatch hpet_missing");
	assert_int_equal(find("fadt_pmtmr_mismatch")->value, 0x1008);
	assert_int_equal(in->pm_timer.addr, 0x1008);

	/* X block in memory space (allowed) with a legacy port: mismatch too. */
	o.x_space = ACPI_GAS_MEMORY;
	o.x_addr = 0xfe000008u;
	in = with_fadt(&o);
	expect("fadt_pmtmr_mismatch hpet_missing");
	assert_int_equal(in->pm_timer.space, ACPI_GAS_MEMORY);

	/* X block in an unknown space: the legacy port is used. */
	o.x_space = 0x7f;
	o.flags |= TMR_VAL_EXT;
	in = with_fadt(&o);
	expect("fadt_pmtmr_space hpet_missing");
	assert_true(in->pm_timer_present);
	assert_int_equal(in->pm_timer.space, ACPI_GAS_IO);
	assert_int_equal(in->pm_timer.addr, 0x608);
	assert_int_equal(in->pm_timer_bits, 32);

	/* X port beyond 16 bits and a legacy block of the wrong size: no timer. */
	o.x_space = ACPI_GAS_IO;
	o.x_addr = 0x10000;
	o.pm_len = 2;
	in = with_fadt(&o);
	expect("fadt_pmtmr_port fadt_pmtmr_len fadt_pmtmr_none hpet_missing");
	assert_false(in->pm_timer_present);

	/* Only X, no legacy port. */
	o.x_addr = 0xb008;
	o.pm_port = 0;
	in = with_fadt(&o);
	expect("hpet_missing");
	assert_int_equal(in->pm_timer.addr, 0xb008);

	/* Legacy port beyond 16 bits, no X. */
	o.x_addr = 0;
	o.pm_port = 0x12345;
	o.pm_len = 4;
	in = with_fadt(&o);
	expect("fadt_pmtmr_port fadt_pmtmr_none hpet_missing");
	assert_false(in->pm_timer_present);
	assert_true(in->cpus_valid);
}

static void test_fadt_hw_reduced(void **state)
{
	(void)state;
	struct fadt_opts o = fadt_q35;

	o.flags |= HW_REDUCED;
	const struct acpi_info *in = with_fadt(&o);
	expect("fadt_hw_reduced hpet_missing");
	assert_true(in->hw_reduced);
	assert_false(in->pm_timer_present);

	/* Before FADT revision 5 that bit meant nothing. */
	o.rev = 4;
	in = with_fadt(&o);
	expect("hpet_missing");
	assert_false(in->hw_reduced);
	assert_true(in->pm_timer_present);
}

static void test_fadt_reset_and_length(void **state)
{
	(void)state;
	struct fadt_opts o = fadt_q35;

	o.reset_addr = 0;
	const struct acpi_info *in = with_fadt(&o);
	expect("fadt_reset_reg hpet_missing");
	assert_false(in->reset_present);

	o.reset_addr = 0xcf9;
	o.reset_space = 9;
	in = with_fadt(&o);
	expect("fadt_reset_reg hpet_missing");
	assert_int_equal(find("fadt_reset_reg")->value, 9);

	/* An ACPI 2.0 FADT cut before the X_ blocks: the legacy port is used. */
	o = fadt_q35;
	o.len = 132;
	in = with_fadt(&o);
	expect("hpet_missing");
	assert_true(in->pm_timer_present);
	assert_true(in->reset_present);
	assert_int_equal(in->fadt_minor, 3);

	/* Shorter than ACPI 1.0's FADT: rejected. */
	struct machine m = machine(madt_4cpu());
	wr32(P(m.fadt) + 4, 115);
	fix_sdt(m.fadt);
	in = run(m.rsdp);
	expect("fadt_length_short fadt_missing");
	assert_int_equal(find("fadt_length_short")->sev, ACPI_SEV_WARN);
	assert_false(in->fadt_present);
	assert_true(in->cpus_valid);
}

static void test_fadt_duplicate_and_bad(void **state)
{
	(void)state;
	uint64_t f1 = mk_fadt(&fadt_q35), f2 = mk_fadt(&fadt_q35);
	uint64_t e[3] = { madt_4cpu(), f1, f2 };

	P(f1)[40] ^= 1;
	const struct acpi_info *in = run(mk_rsdp(2, 0, mk_root(true, e, 3)));
	expect("fadt_checksum hpet_missing");
	assert_int_equal(in->fadt_phys, f2);

	P(f1)[40] ^= 1;
	in = run(mk_rsdp(2, 0, mk_root(true, e, 3)));
	expect("fadt_duplicate hpet_missing");
	assert_int_equal(in->fadt_phys, f1);
}

static void test_hpet(void **state)
{
	(void)state;
	uint64_t e[3] = { madt_4cpu(), mk_fadt(&fadt_q35), mk_hpet(ACPI_GAS_IO, 0xfed00000u) };
	const struct acpi_info *in = run(mk_rsdp(2, 0, mk_root(true, e, 3)));

	expect("hpet_base_space");
	assert_int_equal(in->hpet_phys, e[2]);
	assert_false(in->hpet_present);

	e[2] = mk_hpet(ACPI_GAS_MEMORY, 0);
	in = run(mk_rsdp(2, 0, mk_root(true, e, 3)));
	expect("hpet_base_zero");
	assert_false(in->hpet_present);

	e[2] = mk_hpet(ACPI_GAS_MEMORY, 0xfed00000u);
	wr32(P(e[2]) + 4, 55);
	fix_sdt(e[2]);
	in = run(mk_rsdp(2, 0, mk_root(true, e, 3)));
	expect("hpet_length_short hpet_missing");
	assert_false(in->hpet_present);
	assert_true(in->cpus_valid);
}

/* ---------------------------------------------------------------- fuzz */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t env_u32(const char *name, uint32_t dflt)
{
	const char *s = getenv(name);

	return s ? (uint32_t)strtoul(s, NULL, 0) : dflt;
}

/* Recompute every checksum that the builder's layout would have: lets
 * mutations reach the table bodies instead of dying at a checksum. */
static void fix_all_sums(uint64_t rsdp)
{
	for (uint32_t off = 0; off + 36 <= w->brk; off++) {
		uint8_t *t = w->mem + off;
		uint32_t len;

		if (t[0] != 'A' && t[0] != 'F' && t[0] != 'H' && t[0] != 'X' && t[0] != 'R')
			continue;
		len = rd32(t + 4);
		if ((!memcmp(t, "APIC", 4) || !memcmp(t, "FACP", 4) || !memcmp(t, "HPET", 4) ||
		     !memcmp(t, "XSDT", 4) || !memcmp(t, "RSDT", 4)) &&
		    len >= 10 && len <= MEM_SIZE - off)
			fix_sum(t, len, 9);
	}
	fix_rsdp(rsdp);
}

/* Garbage biased towards what a parser trips on: pointers into our memory,
 * table signatures, small lengths. Then an RSDP with sound checksums. */
static void fuzz_garbage_once(void)
{
	static const char *const sigs[] = { "APIC", "FACP", "HPET", "XSDT", "RSDT" };
	uint32_t fill = 1024 + (uint32_t)(rnd() % (MEM_SIZE - 1024));
	uint32_t off = 0;

	memset(w->mem, 0, MEM_SIZE);
	while (off + 8 <= fill) {
		uint64_t r = rnd();
		uint8_t *p = w->mem + off;

		switch (r % 8) {
		case 0: wr64(p, MEM_BASE + (r >> 8) % MEM_SIZE); off += 8; break;
		case 1: wr32(p, (uint32_t)(MEM_BASE + (r >> 8) % MEM_SIZE)); off += 4; break;
		case 2: memcpy(p, sigs[(r >> 8) % 5], 4); wr32(p + 4, (uint32_t)(r >> 16) % 512); off += 8; break;
		case 3: p[0] = (uint8_t)(r >> 8) % 12; p[1] = (uint8_t)(r >> 16) % 20; off += 2; break;
		case 4: off += (uint32_t)(r >> 8) % 16; break;
		default: wr64(p, rnd()); off += 1 + (uint32_t)(r >> 8) % 8; break;
		}
	}
	w->brk = fill;
	uint64_t rsdp = MEM_BASE + rnd() % (MEM_SIZE - 36);
	uint8_t *p = P(rsdp);
	memcpy(p, "RSD PTR ", 8);
	p[15] = (uint8_t)(rnd() % 4);
	wr32(p + 20, 36);
	if (rnd() % 2)
		fix_all_sums(rsdp);
	else
		fix_rsdp(rsdp);
	run(rsdp);
}

/* A sound machine with a few bytes changed, checksums fixed most of the time. */
static void fuzz_mutate_once(void)
{
	memset(w->mem, 0, MEM_SIZE);
	w->brk = 0;
	mb.n = 0;
	uint32_t ncpu = (uint32_t)(rnd() % 12);
	for (uint32_t i = 0; i < ncpu; i++) {
		uint64_t r = rnd();
		switch (r % 6) {
		case 0: m_x2apic((uint32_t)(r >> 8) % 512, (uint32_t)(r >> 20) % 4, i); break;
		case 1: m_ioapic(i, 0xfec00000u, i); break;
		case 2: m_iso((uint8_t)i, i, 5); break;
		case 3: m_lapic_override(r >> 8); break;
		default: m_lapic((uint8_t)i, (uint8_t)(r >> 8), (uint32_t)(r >> 20) % 4); break;
		}
	}
	struct machine m = machine(mk_madt((uint8_t)(rnd() % 7), 0xfee00000u, 1));
	uint32_t nmut = 1 + (uint32_t)(rnd() % 8);
	for (uint32_t i = 0; i < nmut; i++) {
		uint64_t r = rnd();
		uint8_t *p = w->mem + (r >> 8) % w->brk;
		switch (r % 4) {
		case 0: *p = (uint8_t)(r >> 40); break;
		case 1: *p ^= (uint8_t)(1u << ((r >> 40) % 8)); break;
		case 2: *p = 0; break;
		default: *p = 0xff; break;
		}
	}
	if (rnd() % 4)
		fix_all_sums(m.rsdp);
	run(m.rsdp);
}

static void test_fuzz(void **state)
{
	(void)state;
	uint32_t seed = env_u32("ACPI_FUZZ_SEED", 20240601u);
	uint32_t iters = env_u32("ACPI_FUZZ_ITERS", 4000);
	uint32_t valid = 0;

	rng = 0x9e3779b97f4a7c15ull ^ seed;
	for (uint32_t i = 0; i < iters; i++) {
		fuzz_garbage_once();
		fuzz_mutate_once();
		valid += w->info.cpus_valid;
	}
	/* Most mutations leave a usable MADT: the fuzz really reached the parser. */
	print_message("acpi fuzz: seed %u, %u iterations x2, %u with a valid CPU list\n",
		      seed, iters, valid);
	assert_true(valid > iters / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_good_xapic),
		T(test_good_x2apic),
		T(test_good_mixed),
		T(test_lapic_override),
		T(test_lapic_override_zero_and_addr_zero),
		T(test_disabled_online_capable),
		T(test_online_capable_old_revision),
		T(test_only_hotplug_placeholders),
		T(test_boot_cpu_entry_late),
		T(test_boot_cpu_entry_early),
		T(test_rsdp_rev0_rsdt),
		T(test_rsdp_missing_unmapped),
		T(test_rsdp_bad_signature),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_ext_checksum),
		T(test_rsdp_bad_length),
		T(test_rsdp_xsdt_null),
		T(test_xsdt_bad_checksum_rsdt_ok),
		T(test_xsdt_and_rsdt_bad),
		T(test_xsdt_length_absurd),
		T(test_xsdt_length_short),
		T(test_xsdt_truncated),
		T(test_xsdt_bad_entries),
		T(test_rsdt_bad_entries),
		T(test_root_partial_entries),
		T(test_empty_root),
		T(test_all_zero_tables),
		T(test_no_madt),
		T(test_madt_bad_checksum),
		T(test_madt_second_copy),
		T(test_madt_length),
		T(test_madt_truncated_mid_entry),
		T(test_madt_entry_len_0_and_1),
		T(test_madt_entry_past_end),
		T(test_madt_entry_size),
		T(test_duplicate_apic_id),
		T(test_too_many_cpus),
		T(test_apic_id_invalid),
		T(test_madt_no_cpus),
		T(test_too_many_ioapics_overrides),
		T(test_report_flood),
		T(test_no_report_callback),
		T(test_fadt_pm_timer),
		T(test_fadt_hw_reduced),
		T(test_fadt_reset_and_length),
		T(test_fadt_duplicate_and_bad),
		T(test_hpet),
		T(test_fuzz),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
