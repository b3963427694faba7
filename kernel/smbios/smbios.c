/* The SMBIOS entry point and the structure walk (smbios.h): every structure
 * is checked against the table's end before any field or string is read. */
#include <stddef.h>
#include "smbios_internal.h"

void smbios_note(const struct smbios_env *env, struct smbios_info *out,
		 enum acpi_severity sev, const char *what, uint64_t phys, uint64_t value)
{
	struct smbios_finding f = { sev, what, phys, value };

	if (sev == ACPI_SEV_ERROR)
		out->n_errors++;
	else if (sev == ACPI_SEV_WARN)
		out->n_warnings++;
	if (env->report)
		env->report(env->ctx, &f);
}

bool smbios_in_legacy_area(uint64_t phys, uint64_t len)
{
	return phys >= 0xe0000 && phys < 0x100000 && len <= 0x100000 - phys;
}

static uint8_t byte_sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

void smbios_string(const struct smbios_env *env, struct smbios_info *out,
		   const struct smbios_struct *s, uint8_t idx, char dst[SMBIOS_STR_MAX])
{
	const uint8_t *p = s->strings;
	uint32_t n = 0;

	dst[0] = 0;
	if (!idx)
		return;
	/* the walker proved the set ends in a double NUL before strings_end */
	for (uint8_t i = 1; i < idx && p < s->strings_end && *p; i++)
		while (*p++)
			;
	if (p >= s->strings_end || !*p) {
		smbios_note(env, out, ACPI_SEV_WARN, "smbios_string_index", s->phys, idx);
		return;
	}
	for (; *p && n < SMBIOS_STR_MAX - 1; p++)
		dst[n++] = *p >= 0x20 && *p < 0x7f ? (char)*p : '?';
	while (n && dst[n - 1] == ' ') /* part numbers come padded with blanks */
		n--;
	dst[n] = 0;
}

/* The entry point: fills version, table address and length; returns the
 * structure count a 2.x entry point states (0 = walk to the end), or -1. */
static long entry_point(const struct smbios_env *env, uint64_t entry, struct smbios_info *out)
{
	const uint8_t *e = env->map(env->ctx, entry, 0x18);
	uint8_t len;

	if (!e) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_unmapped", entry, 0);
		return -1;
	}
	if (e[0] == '_' && e[1] == 'S' && e[2] == 'M' && e[3] == '3' && e[4] == '_') {
		len = e[6];
		if (len < 0x18 || len > 0x40 || !(e = env->map(env->ctx, entry, len))) {
			smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_length", entry, len);
			return -1;
		}
		if (byte_sum(e, len)) {
			smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_checksum", entry,
				    byte_sum(e, len));
			return -1;
		}
		out->v3 = true;
		out->major = e[7];
		out->minor = e[8];
		out->table_len = sm_rd32(e + 0x0c);
		out->table_phys = sm_rd64(e + 0x10);
		return 0;
	}
	if (e[0] == '_' && e[1] == 'S' && e[2] == 'M' && e[3] == '_') {
		len = e[5];
		/* 0x1e: SMBIOS 2.1 documented the length wrongly, firmware followed;
		 * the checksum covers `len`, but the fields run to 0x1e inclusive */
		if (len < 0x1e || len > 0x40 ||
		    !(e = env->map(env->ctx, entry, len > 0x1f ? len : 0x1f))) {
			smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_length", entry, len);
			return -1;
		}
		if (byte_sum(e, len)) {
			smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_checksum", entry,
				    byte_sum(e, len));
			return -1;
		}
		if (e[0x10] != '_' || e[0x11] != 'D' || e[0x12] != 'M' || e[0x13] != 'I' ||
		    e[0x14] != '_' || byte_sum(e + 0x10, 15)) {
			smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_intermediate_checksum",
				    entry, byte_sum(e + 0x10, 15));
			return -1;
		}
		out->major = e[6];
		out->minor = e[7];
		out->table_len = sm_rd16(e + 0x16);
		out->table_phys = sm_rd32(e + 0x18);
		return sm_rd16(e + 0x1c);
	}
	smbios_note(env, out, ACPI_SEV_ERROR, "smbios_entry_anchor", entry, sm_rd32(e));
	return -1;
}

/* One structure at t[off]: checks its formatted length and finds the end of
 * its string set. Returns the offset of the next structure, 0 to stop. */
static uint32_t one_struct(const struct smbios_env *env, struct smbios_info *out,
			   const uint8_t *t, uint32_t tlen, uint32_t off, struct smbios_struct *s)
{
	s->p = t + off;
	s->phys = out->table_phys + off;
	s->type = t[off];
	s->len = t[off + 1];
	s->handle = sm_rd16(t + off + 2);
	if (s->len < 4) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_struct_short", s->phys, s->len);
		return 0;
	}
	if (s->len > tlen - off) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_struct_overrun", s->phys, s->len);
		return 0;
	}
	/* the string set ends at the first double NUL (an empty set is just it) */
	uint32_t i = off + s->len;

	while (i + 1 < tlen && (t[i] || t[i + 1]))
		i++;
	if (i + 1 >= tlen) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_strings_unterminated", s->phys,
			    s->type);
		return 0;
	}
	s->strings = t + off + s->len;
	s->strings_end = t + i + 2;
	return i + 2;
}

void smbios_parse(const struct smbios_env *env, uint64_t entry, unsigned kind,
		  struct smbios_info *out)
{
	struct smbios_struct s;
	const uint8_t *t;
	long count;
	uint32_t off = 0;
	bool ended = false;

	(void)kind; /* the anchor says which layout it is; the GUID only chose */
	*out = (struct smbios_info){ 0 };
	if (!entry) {
		smbios_note(env, out, ACPI_SEV_INFO, "smbios_missing", 0, 0);
		return;
	}
	count = entry_point(env, entry, out);
	if (count < 0)
		return;
	if (!out->table_phys) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_table_null", entry, 0);
		return;
	}
	if (out->table_len < 4 || out->table_len > SMBIOS_MAX_TABLE_LEN ||
	    out->table_phys > UINT64_MAX - out->table_len) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_table_length", out->table_phys,
			    out->table_len);
		return;
	}
	t = env->map(env->ctx, out->table_phys, out->table_len);
	if (!t) {
		smbios_note(env, out, ACPI_SEV_ERROR, "smbios_table_unmapped", out->table_phys,
			    out->table_len);
		return;
	}
	out->present = true;
	while (off + 4 <= out->table_len && (!count || out->structures < (uint32_t)count)) {
		uint32_t next = one_struct(env, out, t, out->table_len, off, &s);

		if (!next)
			return; /* reported; what came before stays */
		out->structures++;
		if (s.type == 127) {
			ended = true;
			break;
		}
		smbios_memory_struct(env, out, &s);
		off = next;
	}
	/* a 2.x table may end by its count alone; a 3.0 one must say so */
	if (!ended && (!count || out->structures < (uint32_t)count))
		smbios_note(env, out, ACPI_SEV_WARN, "smbios_no_end", out->table_phys,
			    out->structures);
}
