/* The ACPI walk: RSDP -> XSDT (or RSDT) -> the tables we use, each validated
 * (signature, length, checksum) before a byte of its body is trusted. The
 * body parsers live in madt.c, fadt.c and hpet.c. */
#include <stddef.h>
#include "acpi_internal.h"
#include <lib/string.h>

#define RSDP_V1_LEN  20u
#define RSDP_V2_LEN  36u
#define RSDP_MAX_LEN 4096u /* the v2 RSDP is 36 bytes; more is a corrupt length */

/* What we know about each SDT we validate: its signature, the smallest length
 * that holds every field we read, how bad its loss is, the names of its
 * findings (static strings, so the kernel can print them as they are), and
 * for the tables we use, the body parser and where it records the table. */
typedef void (*body_parser)(const struct acpi_env *, uint64_t, const uint8_t *, uint32_t,
			    struct acpi_info *);

struct sdt_kind {
	const char *sig;
	uint32_t min_len;
	enum acpi_severity sev;
	const char *unmapped, *signature, *length_short, *length_absurd, *truncated,
		*checksum, *duplicate, *too_many_bad;
	body_parser parse;
	size_t phys_field; /* offsetof(struct acpi_info, ..._phys): nonzero once taken */
};

#define SDT_KIND(s, n, min, sev, fn, field) { s, min, sev, n "_unmapped", n "_signature", \
	n "_length_short", n "_length_absurd", n "_truncated", n "_checksum", n "_duplicate", \
	n "_too_many_bad", fn, field }

static const struct sdt_kind k_xsdt = SDT_KIND("XSDT", "xsdt", 36, ACPI_SEV_ERROR, NULL, 0);
static const struct sdt_kind k_rsdt = SDT_KIND("RSDT", "rsdt", 36, ACPI_SEV_ERROR, NULL, 0);

/* MADT: header + local APIC address + flags. FADT: the ACPI 1.0 layout (116
 * bytes) ends after Flags. HPET: up to the page protection byte. */
static const struct sdt_kind k_used[] = {
	SDT_KIND("APIC", "madt", 44, ACPI_SEV_ERROR, acpi_madt_parse,
		 offsetof(struct acpi_info, madt_phys)),
	SDT_KIND("FACP", "fadt", 116, ACPI_SEV_WARN, acpi_fadt_parse,
		 offsetof(struct acpi_info, fadt_phys)),
	SDT_KIND("HPET", "hpet", 56, ACPI_SEV_WARN, acpi_hpet_parse,
		 offsetof(struct acpi_info, hpet_phys)),
};

const char *acpi_severity_name(enum acpi_severity sev)
{
	switch (sev) {
	case ACPI_SEV_ERROR: return "error";
	case ACPI_SEV_WARN:  return "warn";
	default:             return "info";
	}
}

void acpi_note(const struct acpi_env *env, struct acpi_info *out, enum acpi_severity sev,
	       const char *what, uint64_t phys, uint64_t value)
{
	struct acpi_finding f = { sev, what, phys, value };

	if (sev == ACPI_SEV_ERROR)
		out->n_errors++;
	else if (sev == ACPI_SEV_WARN)
		out->n_warnings++;
	else
		out->n_infos++;
	if (env->report && out->n_reported < ACPI_MAX_REPORTS) {
		out->n_reported++;
		env->report(env->ctx, &f);
	}
}

void acpi_rd_gas(const uint8_t *p, struct acpi_gas *g)
{
	g->space = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->addr = acpi_rd64(p + 4);
}

static uint8_t sum8(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* env->map, refusing ranges that wrap past 2^64 before the callback sees them. */
static const uint8_t *map_range(const struct acpi_env *env, uint64_t phys, uint64_t len)
{
	if (phys == 0 || len == 0 || phys > UINT64_MAX - len || !env->map)
		return NULL;
	return env->map(env->ctx, phys, len);
}

/* The whole table at phys if it is a sound `k`, else NULL (reported). */
static const uint8_t *sdt_validate(const struct acpi_env *env, struct acpi_info *out,
				   const struct sdt_kind *k, uint64_t phys, uint32_t *len_out)
{
	const uint8_t *h = map_range(env, phys, ACPI_SDT_HEADER_LEN);
	const uint8_t *t;
	uint32_t len;
	uint8_t s;

	if (!h) {
		acpi_note(env, out, k->sev, k->unmapped, phys, 0);
		return NULL;
	}
	if (memcmp(h, k->sig, 4) != 0) {
		acpi_note(env, out, k->sev, k->signature, phys, acpi_rd32(h));
		return NULL;
	}
	len = acpi_rd32(h + 4);
	if (len < k->min_len) {
		acpi_note(env, out, k->sev, k->length_short, phys, len);
		return NULL;
	}
	if (len > ACPI_MAX_TABLE_LEN) {
		acpi_note(env, out, k->sev, k->length_absurd, phys, len);
		return NULL;
	}
	t = map_range(env, phys, len);
	if (!t) {
		acpi_note(env, out, k->sev, k->truncated, phys, len);
		return NULL;
	}
	s = sum8(t, len);
	if (s != 0) {
		acpi_note(env, out, k->sev, k->checksum, phys, s);
		return NULL;
	}
	*len_out = len;
	return t;
}

#define N_USED (sizeof(k_used) / sizeof(k_used[0]))

/* The copies of one kind validated so far (all rejected: a sound one is
 * taken). Validating sums up to ACPI_MAX_TABLE_LEN bytes, so a root listing
 * one bad 1 MiB table 262,135 times would sum 256 GiB: a rejected address is
 * never validated again, and after ACPI_MAX_TRIES bad copies of a kind the
 * rest are skipped, so the work is bounded whatever the root holds. */
struct kind_tries {
	uint32_t n;
	bool gave_up;
	uint64_t rejected[ACPI_MAX_TRIES];
};

/* One table the root lists, known by its signature: validate it unless a sound
 * copy was already taken (firmware listing a table twice keeps the first). */
static void take_table(const struct acpi_env *env, struct acpi_info *out, uint64_t phys,
		       const uint8_t *hdr, struct kind_tries *tries)
{
	for (size_t i = 0; i < N_USED; i++) {
		const struct sdt_kind *k = &k_used[i];
		struct kind_tries *tr = &tries[i];
		uint64_t taken;
		const uint8_t *t;
		uint32_t len;

		if (memcmp(hdr, k->sig, 4) != 0)
			continue;
		memcpy(&taken, (const uint8_t *)out + k->phys_field, sizeof(taken));
		if (taken) {
			acpi_note(env, out, ACPI_SEV_WARN, k->duplicate, phys, taken);
			return;
		}
		for (uint32_t j = 0; j < tr->n; j++)
			if (tr->rejected[j] == phys)
				return; /* its finding was reported the first time */
		if (tr->n == ACPI_MAX_TRIES) {
			if (!tr->gave_up)
				acpi_note(env, out, ACPI_SEV_WARN, k->too_many_bad, phys,
					  ACPI_MAX_TRIES);
			tr->gave_up = true;
			return;
		}
		tr->rejected[tr->n++] = phys;
		t = sdt_validate(env, out, k, phys, &len);
		if (t)
			k->parse(env, phys, t, len, out);
		return;
	}
}

/* Entries of the root: 8-byte (XSDT) or 4-byte (RSDT) physical addresses. */
static void scan_root(const struct acpi_env *env, struct acpi_info *out, uint64_t root,
		      const uint8_t *t, uint32_t len, bool xsdt)
{
	uint32_t esz = xsdt ? 8 : 4;
	uint32_t n = (len - ACPI_SDT_HEADER_LEN) / esz;
	struct kind_tries tries[N_USED] = { 0 };

	if ((len - ACPI_SDT_HEADER_LEN) % esz)
		acpi_note(env, out, ACPI_SEV_WARN,
			  xsdt ? "xsdt_entries_partial" : "rsdt_entries_partial", root, len);
	/* each entry costs a mapping, which the kernel checks against the whole
	 * memory map: real roots list dozens of tables, not 262,135 */
	if (n > ACPI_MAX_ROOT_ENTRIES) {
		acpi_note(env, out, ACPI_SEV_WARN,
			  xsdt ? "xsdt_entries_ignored" : "rsdt_entries_ignored", root,
			  n - ACPI_MAX_ROOT_ENTRIES);
		n = ACPI_MAX_ROOT_ENTRIES;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = t + ACPI_SDT_HEADER_LEN + (uint64_t)i * esz;
		uint64_t phys = xsdt ? acpi_rd64(e) : acpi_rd32(e);
		const uint8_t *h;

		if (phys == 0) {
			acpi_note(env, out, ACPI_SEV_WARN,
				  xsdt ? "xsdt_entry_null" : "rsdt_entry_null", root, i);
			continue;
		}
		h = map_range(env, phys, ACPI_SDT_HEADER_LEN);
		if (!h) {
			acpi_note(env, out, ACPI_SEV_WARN,
				  xsdt ? "xsdt_entry_unmapped" : "rsdt_entry_unmapped", root, phys);
			continue;
		}
		take_table(env, out, phys, h, tries);
	}
}

/* The RSDP: the v1 part must be sound or nothing is. A v2 part that is not
 * sound only costs the XSDT (the RSDT may still be used). Returns the XSDT
 * address (0 if none usable) and sets *rsdt; false if the RSDP is unusable. */
static bool read_rsdp(const struct acpi_env *env, struct acpi_info *out, uint64_t rsdp,
		      uint64_t *xsdt, uint64_t *rsdt)
{
	const uint8_t *p = map_range(env, rsdp, RSDP_V1_LEN);
	uint32_t len;

	*xsdt = 0;
	*rsdt = 0;
	if (rsdp == 0) {
		acpi_note(env, out, ACPI_SEV_ERROR, "rsdp_missing", 0, 0);
		return false;
	}
	if (!p) {
		acpi_note(env, out, ACPI_SEV_ERROR, "rsdp_unmapped", rsdp, 0);
		return false;
	}
	if (memcmp(p, "RSD PTR ", 8) != 0) {
		acpi_note(env, out, ACPI_SEV_ERROR, "rsdp_signature", rsdp, acpi_rd64(p));
		return false;
	}
	if (sum8(p, RSDP_V1_LEN) != 0) {
		acpi_note(env, out, ACPI_SEV_ERROR, "rsdp_checksum", rsdp, sum8(p, RSDP_V1_LEN));
		return false;
	}
	out->rsdp_revision = p[15];
	memcpy(out->oem_id, p + 9, 6);
	out->oem_id[6] = 0;
	*rsdt = acpi_rd32(p + 16);
	if (p[15] < 2)
		return true; /* ACPI 1.0: the RSDP ends at byte 20, RSDT only */

	p = map_range(env, rsdp, RSDP_V2_LEN);
	if (!p) {
		acpi_note(env, out, ACPI_SEV_WARN, "rsdp_v2_unmapped", rsdp, RSDP_V2_LEN);
		return true;
	}
	len = acpi_rd32(p + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		acpi_note(env, out, ACPI_SEV_WARN, "rsdp_length", rsdp, len);
		return true;
	}
	p = map_range(env, rsdp, len);
	if (!p) {
		acpi_note(env, out, ACPI_SEV_WARN, "rsdp_v2_unmapped", rsdp, len);
		return true;
	}
	if (sum8(p, len) != 0) {
		acpi_note(env, out, ACPI_SEV_WARN, "rsdp_ext_checksum", rsdp, sum8(p, len));
		return true;
	}
	*xsdt = acpi_rd64(p + 24);
	if (*xsdt == 0)
		acpi_note(env, out, ACPI_SEV_WARN, "rsdp_xsdt_null", rsdp, 0);
	return true;
}

void acpi_parse(const struct acpi_env *env, uint64_t rsdp_phys, struct acpi_info *out)
{
	uint64_t xsdt, rsdt;
	const uint8_t *t = NULL;
	uint32_t len = 0;

	memset(out, 0, sizeof(*out));
	if (read_rsdp(env, out, rsdp_phys, &xsdt, &rsdt)) {
		if (xsdt && (t = sdt_validate(env, out, &k_xsdt, xsdt, &len))) {
			out->root_is_xsdt = true;
			out->root_phys = xsdt;
		} else if (rsdt) {
			if (xsdt)
				acpi_note(env, out, ACPI_SEV_WARN, "root_fallback_rsdt", rsdt, xsdt);
			if ((t = sdt_validate(env, out, &k_rsdt, rsdt, &len)))
				out->root_phys = rsdt;
		}
		if (t) {
			out->root_revision = t[8];
			scan_root(env, out, out->root_phys, t, len, out->root_is_xsdt);
		} else {
			acpi_note(env, out, ACPI_SEV_ERROR, "root_missing", rsdp_phys, rsdt);
		}
	}

	/* Always said, so the kernel's "boot CPU only" decision has a reason. */
	if (!out->madt_phys)
		acpi_note(env, out, ACPI_SEV_ERROR, "madt_missing", out->root_phys, 0);
	if (!out->fadt_phys)
		acpi_note(env, out, ACPI_SEV_WARN, "fadt_missing", out->root_phys, 0);
	if (!out->hpet_phys)
		acpi_note(env, out, ACPI_SEV_INFO, "hpet_missing", out->root_phys, 0);

	if (env->report && out->n_reported == ACPI_MAX_REPORTS) {
		uint32_t all = out->n_errors + out->n_warnings + out->n_infos;
		struct acpi_finding f = { ACPI_SEV_WARN, "findings_suppressed", 0,
					  all - ACPI_MAX_REPORTS };

		if (all > ACPI_MAX_REPORTS)
			env->report(env->ctx, &f);
	}
}
