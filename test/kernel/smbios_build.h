/* SMBIOS tables built byte by byte, as firmware lays them out: the host tests
 * (test_smbios.c) and the fuzz harness's seeds (fuzz/smbios.c) build theirs
 * with the same code, so both feed the parser the same structures. */
#ifndef METASLOT_TEST_SMBIOS_BUILD_H
#define METASLOT_TEST_SMBIOS_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void smb_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void smb_wr32(uint8_t *p, uint32_t v)
{
	smb_wr16(p, (uint16_t)v);
	smb_wr16(p + 2, (uint16_t)(v >> 16));
}

static inline void smb_wr64(uint8_t *p, uint64_t v)
{
	smb_wr32(p, (uint32_t)v);
	smb_wr32(p + 4, (uint32_t)(v >> 32));
}

static inline uint8_t smb_sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The structure table being built: `*len` bytes so far at `at`, room for `cap`. */
struct smb_table {
	uint8_t *at;
	uint32_t *len;
	uint32_t cap;
};

/* Appends a structure of `len` formatted bytes (header filled, body zeroed)
 * and its strings ("a\0b\0" style, NULL = none); returns the structure. */
static inline uint8_t *smb_put(struct smb_table *t, uint8_t type, uint8_t len, uint16_t handle,
			       const char *strings, size_t slen)
{
	uint8_t *p = t->at + *t->len;

	if ((uint64_t)*t->len + len + slen + 2 >= t->cap)
		abort(); /* the builder's own buffer: a broken test, not a finding */
	memset(p, 0, len);
	p[0] = type;
	p[1] = len;
	smb_wr16(p + 2, handle);
	*t->len += len;
	if (strings && slen) {
		memcpy(t->at + *t->len, strings, slen);
		*t->len += (uint32_t)slen;
		t->at[(*t->len)++] = 0; /* the set's closing NUL */
	} else {
		t->at[(*t->len)++] = 0;
		t->at[(*t->len)++] = 0;
	}
	return p;
}
#define SMB_STRS(s) s, sizeof(s) - 1 /* "a\0b\0" without the literal's own NUL */

/* Type 16, a memory array; the capacity moves to the extended field when
 * the 32-bit KiB field cannot hold it. */
static inline uint8_t *smb_t16(struct smb_table *t, uint16_t h, uint8_t use, uint8_t ecc,
			       uint64_t cap_bytes, uint16_t slots)
{
	uint8_t *p = smb_put(t, 16, 0x17, h, NULL, 0);

	p[5] = use;
	p[6] = ecc;
	if (cap_bytes / 1024 >= 0x80000000u) {
		smb_wr32(p + 7, 0x80000000u);
		smb_wr64(p + 0x0f, cap_bytes);
	} else {
		smb_wr32(p + 7, (uint32_t)(cap_bytes / 1024));
	}
	smb_wr16(p + 0x0b, 0xfffe);
	smb_wr16(p + 0x0d, slots);
	return p;
}

/* Type 17, a DDR4 device in the SMBIOS 3.3 layout; size_word as the table
 * would store it; strings: locator, bank, manufacturer, serial, part. */
static inline uint8_t *smb_t17(struct smb_table *t, uint16_t h, uint16_t array,
			       uint16_t size_word, uint32_t ext_mib, const char *strings,
			       size_t slen)
{
	uint8_t *p = smb_put(t, 17, 0x5c, h, strings, slen);

	smb_wr16(p + 4, array);
	smb_wr16(p + 6, 0xfffe);
	smb_wr16(p + 8, 72);
	smb_wr16(p + 0x0a, 64);
	smb_wr16(p + 0x0c, size_word);
	p[0x0e] = 0x09;            /* DIMM */
	p[0x10] = 1;               /* locator */
	p[0x11] = 2;               /* bank */
	p[0x12] = 0x1a;            /* DDR4 */
	smb_wr16(p + 0x15, 3200);
	p[0x17] = 3;               /* manufacturer */
	p[0x18] = 4;               /* serial */
	p[0x19] = 0;
	p[0x1a] = 5;               /* part */
	p[0x1b] = 2;               /* rank 2 */
	smb_wr32(p + 0x1c, ext_mib);
	smb_wr16(p + 0x20, 2933);
	return p;
}

/* Type 19 (array mapped) or 20 (device mapped) range [start, end_incl] for
 * handle `target`; `ext`: in the 64-bit byte fields; `ipos`: a type-20
 * interleave position (0 = not interleaved). */
static inline uint8_t *smb_range(struct smb_table *t, uint8_t type, uint16_t h, uint16_t target,
				 uint64_t start, uint64_t end_incl, uint8_t ipos, bool ext)
{
	uint8_t *p = smb_put(t, type, type == 19 ? 0x1f : 0x23, h, NULL, 0);
	uint32_t e = type == 19 ? 0x0f : 0x13;

	if (ext) {
		smb_wr32(p + 4, 0xffffffffu);
		smb_wr32(p + 8, 0xffffffffu);
		smb_wr64(p + e, start);
		smb_wr64(p + e + 8, end_incl);
	} else {
		smb_wr32(p + 4, (uint32_t)(start / 1024));
		smb_wr32(p + 8, (uint32_t)(end_incl / 1024));
	}
	smb_wr16(p + 0x0c, target);
	if (type == 20) {
		smb_wr16(p + 0x0e, 0x1900);
		p[0x10] = 1;
		p[0x11] = ipos;
		p[0x12] = ipos ? 2 : 0;
	} else {
		p[0x0e] = 1;
	}
	return p;
}

/* A 3.0 "_SM3_" entry point at e for a table of at most max_len bytes. */
static inline void smb_ep3(uint8_t *e, uint32_t max_len, uint64_t table_phys)
{
	memset(e, 0, 0x18);
	memcpy(e, "_SM3_", 5);
	e[6] = 0x18;
	e[7] = 3;
	e[8] = 3;
	e[0x0a] = 1;
	smb_wr32(e + 0x0c, max_len);
	smb_wr64(e + 0x10, table_phys);
	e[5] = (uint8_t)-smb_sum(e, 0x18);
}

/* A 2.8 "_SM_" entry point at e for `count` structures in table_len bytes. */
static inline void smb_ep2(uint8_t *e, uint16_t table_len, uint32_t table_phys, uint16_t count)
{
	memset(e, 0, 0x1f);
	memcpy(e, "_SM_", 4);
	e[5] = 0x1f;
	e[6] = 2;
	e[7] = 8;
	memcpy(e + 0x10, "_DMI_", 5);
	smb_wr16(e + 0x16, table_len);
	smb_wr32(e + 0x18, table_phys);
	smb_wr16(e + 0x1c, count);
	e[0x15] = (uint8_t)-smb_sum(e + 0x10, 15);
	e[4] = (uint8_t)-smb_sum(e, 0x1f);
}

#endif
