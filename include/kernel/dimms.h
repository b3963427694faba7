/* The machine's memory devices as SMBIOS describes them (smbios.h parses;
 * kernel/smbios/dimms.c feeds it memory the map says is safe to read). */
#ifndef METASLOT_KERNEL_DIMMS_H
#define METASLOT_KERNEL_DIMMS_H

#include <stdint.h>
#include <bootinfo.h>

/* Parses the loader's SMBIOS entry point; emits smbios_issue per finding, a
 * dimm event per slot, the dimms event, and dimm_issue when the DIMMs do not
 * add up to the mapped RAM (`map_ram_bytes`) or ECC is claimed with no
 * machine-check bank to report it. Never fails; call after mm_init. */
void dimms_init(const struct bootinfo *bi, uint64_t map_ram_bytes);

/* The locator ("DIMM_A1") of the one device holding `phys`, or NULL when the
 * tables cannot tell (no SMBIOS, interleaved, several candidates). */
const char *smbios_locator_for(uint64_t phys);

/* One line for the screen header, e.g. "2 of 4 DIMMs, 16 GiB DDR4-3200,
 * multi-bit ECC"; "" when there is no SMBIOS. */
const char *dimms_line(void);

/* What dimms_init read (present = false without SMBIOS), for the run record. */
struct smbios_info;
const struct smbios_info *dimms_info(void);

#endif
