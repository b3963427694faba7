/* Internal to kernel/acpi/: the table body parsers, the finding helper and
 * the byte-wise field readers. Not part of the kernel's ACPI interface. */
#ifndef METASLOT_KERNEL_ACPI_INTERNAL_H
#define METASLOT_KERNEL_ACPI_INTERNAL_H

#include <kernel/acpi.h>

/* The table body parsers, called by acpi_parse with a table whose signature,
 * length and checksum were already verified (t points to len bytes,
 * len >= 36). */
void acpi_madt_parse(const struct acpi_env *env, uint64_t phys, const uint8_t *t,
		     uint32_t len, struct acpi_info *out);
void acpi_fadt_parse(const struct acpi_env *env, uint64_t phys, const uint8_t *t,
		     uint32_t len, struct acpi_info *out);
void acpi_hpet_parse(const struct acpi_env *env, uint64_t phys, const uint8_t *t,
		     uint32_t len, struct acpi_info *out);
void acpi_note(const struct acpi_env *env, struct acpi_info *out, enum acpi_severity sev,
	       const char *what, uint64_t phys, uint64_t value);

#define ACPI_SDT_HEADER_LEN 36u

void acpi_rd_gas(const uint8_t *p, struct acpi_gas *g);

/* Little-endian field readers at byte offsets: no alignment assumptions. */
static inline uint16_t acpi_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	return (uint64_t)acpi_rd32(p) | (uint64_t)acpi_rd32(p + 4) << 32;
}


#endif
