/* FADT body: the ACPI PM timer (the fixed 3.579545 MHz counter the kernel
 * cross-checks the TSC against) and the reset register. Length and checksum
 * were verified by acpi.c (len >= 116, the ACPI 1.0 layout); fields added by
 * later revisions are read only when len covers them. */
#include "acpi_internal.h"

#define FADT_PM_TMR_BLK    76u  /* u32 I/O port */
#define FADT_PM_TMR_LEN    91u  /* u8, must be 4 */
#define FADT_FLAGS         112u
#define FADT_RESET_REG     116u /* GAS, ACPI 2.0+ */
#define FADT_RESET_VALUE   128u
#define FADT_MINOR         131u
#define FADT_X_PM_TMR_BLK  208u /* GAS, ACPI 2.0+ */
#define GAS_LEN            12u

#define FADT_TMR_VAL_EXT   (1u << 8)  /* timer counts 32 bits, else 24 */
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED    (1u << 20) /* ACPI 5.0+: no fixed hardware at all */
#define FADT_REV_HW_REDUCED 5u

#define GAS_PCI_CONFIG     2u

/* The X_ block wins over the 32-bit field when it is usable, as the spec says;
 * a disagreement is reported because one of the two is wrong. A bad X_ block
 * falls back to the 32-bit port rather than losing the timer. */
static void pm_timer(const struct acpi_env *env, struct acpi_info *out, uint64_t phys,
		     const uint8_t *t, uint32_t len)
{
	uint32_t port = acpi_rd32(t + FADT_PM_TMR_BLK);
	uint8_t plen = t[FADT_PM_TMR_LEN];
	struct acpi_gas x = { 0 };
	bool x_ok = false, port_ok = false;

	if (len >= FADT_X_PM_TMR_BLK + GAS_LEN)
		acpi_rd_gas(t + FADT_X_PM_TMR_BLK, &x);
	if (x.addr) {
		if (x.space != ACPI_GAS_IO && x.space != ACPI_GAS_MEMORY)
			acpi_note(env, out, ACPI_SEV_WARN, "fadt_pmtmr_space", phys, x.space);
		else if (x.space == ACPI_GAS_IO && x.addr > 0xffff)
			acpi_note(env, out, ACPI_SEV_WARN, "fadt_pmtmr_port", phys, x.addr);
		else
			x_ok = true;
	}
	if (port) {
		if (plen != 4)
			acpi_note(env, out, ACPI_SEV_WARN, "fadt_pmtmr_len", phys, plen);
		else if (port > 0xffff)
			acpi_note(env, out, ACPI_SEV_WARN, "fadt_pmtmr_port", phys, port);
		else
			port_ok = true;
	}
	if (x_ok && port_ok && (x.space != ACPI_GAS_IO || x.addr != port))
		acpi_note(env, out, ACPI_SEV_WARN, "fadt_pmtmr_mismatch", phys, x.addr);

	if (x_ok)
		out->pm_timer = x;
	else if (port_ok)
		out->pm_timer = (struct acpi_gas){ ACPI_GAS_IO, 32, 0, 3, port };
	else {
		acpi_note(env, out, ACPI_SEV_INFO, "fadt_pmtmr_none", phys, 0);
		return;
	}
	out->pm_timer_present = true;
	out->pm_timer_bits = (out->fadt_flags & FADT_TMR_VAL_EXT) ? 32 : 24;
}

static void reset_reg(const struct acpi_env *env, struct acpi_info *out, uint64_t phys,
		      const uint8_t *t, uint32_t len)
{
	struct acpi_gas r;

	if (!(out->fadt_flags & FADT_RESET_REG_SUP) || len < FADT_RESET_VALUE + 1)
		return;
	acpi_rd_gas(t + FADT_RESET_REG, &r);
	if (r.addr == 0 || (r.space != ACPI_GAS_MEMORY && r.space != ACPI_GAS_IO &&
			    r.space != GAS_PCI_CONFIG)) {
		acpi_note(env, out, ACPI_SEV_WARN, "fadt_reset_reg", phys, r.space);
		return;
	}
	out->reset_present = true;
	out->reset_reg = r;
	out->reset_value = t[FADT_RESET_VALUE];
}

void acpi_fadt_parse(const struct acpi_env *env, uint64_t phys, const uint8_t *t,
		     uint32_t len, struct acpi_info *out)
{
	out->fadt_phys = phys;
	out->fadt_present = true;
	out->fadt_revision = t[8];
	out->fadt_minor = len > FADT_MINOR ? t[FADT_MINOR] : 0;
	out->fadt_flags = acpi_rd32(t + FADT_FLAGS);
	out->hw_reduced = out->fadt_revision >= FADT_REV_HW_REDUCED &&
			  (out->fadt_flags & FADT_HW_REDUCED);
	if (out->hw_reduced)
		acpi_note(env, out, ACPI_SEV_INFO, "fadt_hw_reduced", phys, out->fadt_flags);
	else
		pm_timer(env, out, phys, t, len);
	reset_reg(env, out, phys, t, len);
}
