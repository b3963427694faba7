/* Internal to kernel/smbios/: one structure as the walker checked it, the
 * per-type parsers and the finding helper. */
#ifndef METASLOT_KERNEL_SMBIOS_INTERNAL_H
#define METASLOT_KERNEL_SMBIOS_INTERNAL_H

#include <kernel/smbios.h>

/* A structure whose formatted part (len >= 4 bytes at p) and string set
 * (strings .. strings_end, ending in the double NUL) lie inside the table. */
struct smbios_struct {
	const uint8_t *p;
	uint8_t type, len;
	uint16_t handle;
	const uint8_t *strings, *strings_end;
	uint64_t phys;
};

void smbios_note(const struct smbios_env *env, struct smbios_info *out,
		 enum acpi_severity sev, const char *what, uint64_t phys, uint64_t value);

/* String `idx` (1-based, 0 = none) of s, copied printable into dst (cut to
 * SMBIOS_STR_MAX - 1 bytes, trailing blanks dropped); "" when absent. */
void smbios_string(const struct smbios_env *env, struct smbios_info *out,
		   const struct smbios_struct *s, uint8_t idx, char dst[SMBIOS_STR_MAX]);

/* The memory types (memory.c); each checks its own minimum length. */
void smbios_memory_struct(const struct smbios_env *env, struct smbios_info *out,
			  const struct smbios_struct *s);

static inline uint16_t sm_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t sm_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t sm_rd64(const uint8_t *p)
{
	return (uint64_t)sm_rd32(p) | (uint64_t)sm_rd32(p + 4) << 32;
}

#endif
