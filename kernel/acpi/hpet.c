/* HPET body: where the event timer block is mapped. Length and checksum were
 * verified by acpi.c (len >= 56). */
#include "acpi_internal.h"

#define HPET_BLOCK_ID  36u  /* u32: vendor, counter size, comparators, revision */
#define HPET_BASE      40u  /* GAS, must be system memory */
#define HPET_MIN_TICK  53u  /* u16 */

void acpi_hpet_parse(const struct acpi_env *env, uint64_t phys, const uint8_t *t,
		     uint32_t len, struct acpi_info *out)
{
	struct acpi_gas base;

	(void)len;
	out->hpet_phys = phys;
	out->hpet_block_id = acpi_rd32(t + HPET_BLOCK_ID);
	out->hpet_min_tick = acpi_rd16(t + HPET_MIN_TICK);
	acpi_rd_gas(t + HPET_BASE, &base);
	/* The HPET is MMIO only; a port or a zero base cannot be it. */
	if (base.space != ACPI_GAS_MEMORY) {
		acpi_note(env, out, ACPI_SEV_WARN, "hpet_base_space", phys, base.space);
		return;
	}
	if (base.addr == 0) {
		acpi_note(env, out, ACPI_SEV_WARN, "hpet_base_zero", phys, 0);
		return;
	}
	out->hpet_present = true;
	out->hpet_base = base.addr;
}
