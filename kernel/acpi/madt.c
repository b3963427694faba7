/* MADT body: the CPUs (types 0 and 9), the local APIC address (32-bit field,
 * type-5 override), I/O APICs (1) and interrupt source overrides (2).
 * The table's checksum and length were verified by acpi.c; here every entry
 * is bounds-checked on its own, because a sound checksum says nothing about
 * a firmware that wrote wrong entry lengths. */
#include <stddef.h>
#include "acpi_internal.h"

#define MADT_ENTRIES   44u  /* entries start after header, LAPIC address, flags */
#define MADT_REV_OLCAP 5u   /* ACPI 6.3: Online Capable bit defined from this revision */

#define MADT_LAPIC          0u
#define MADT_IOAPIC         1u
#define MADT_OVERRIDE       2u
#define MADT_LAPIC_OVERRIDE 5u
#define MADT_X2APIC         9u

/* Smallest length of each entry type we read (later revisions may append). */
static uint8_t entry_min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:          return 8;
	case MADT_IOAPIC:         return 12;
	case MADT_OVERRIDE:       return 10;
	case MADT_LAPIC_OVERRIDE: return 12;
	case MADT_X2APIC:         return 16;
	default:                  return 2;
	}
}

/* One processor entry. Enabled: start it. Disabled but Online Capable (and
 * the table is recent enough for that bit to mean it): a hot-plug
 * placeholder, a slot where a CPU may be added later; nothing answers its
 * INIT-SIPI today, so it is counted and reported, never listed. Neither: the
 * firmware says this CPU does not exist; skip it. */
static void add_cpu(const struct acpi_env *env, struct acpi_info *out, uint64_t at,
		    uint32_t apic_id, uint32_t uid, uint32_t mflags, bool x2)
{
	uint32_t flags = x2 ? ACPI_CPU_X2APIC : 0;

	if (mflags & 1u)
		flags |= ACPI_CPU_ENABLED;
	else if ((mflags & 2u) && out->madt_revision >= MADT_REV_OLCAP) {
		out->cpus_hotplug++;
		return;
	} else {
		out->cpus_unusable++;
		return;
	}
	/* 0xff (xAPIC) and 0xffffffff (x2APIC) are broadcast ids, never a CPU. */
	if (apic_id == (x2 ? 0xffffffffu : 0xffu)) {
		acpi_note(env, out, ACPI_SEV_WARN, "madt_apic_id_invalid", at, apic_id);
		return;
	}
	/* Two CPUs answering one id would both take the same INIT-SIPI: start one. */
	if (acpi_find_cpu(out, apic_id)) {
		out->cpus_duplicate++;
		acpi_note(env, out, ACPI_SEV_WARN, "duplicate_apic_id", at, apic_id);
		return;
	}
	if (out->cpu_count == ACPI_MAX_CPUS) {
		out->cpus_dropped++;
		if (!env->boot_apic_known || apic_id != env->boot_apic_id)
			return;
		/* The boot CPU came late: it takes the last place (it is running,
		 * so it is certainly there), and the CPU it displaces is dropped. */
		out->cpus[ACPI_MAX_CPUS - 1] = (struct acpi_cpu){ apic_id, uid, flags };
		out->max_apic_id = 0;
		for (uint32_t i = 0; i < ACPI_MAX_CPUS; i++)
			if (out->cpus[i].apic_id > out->max_apic_id)
				out->max_apic_id = out->cpus[i].apic_id;
		return;
	}
	out->cpus[out->cpu_count++] = (struct acpi_cpu){ apic_id, uid, flags };
	if (apic_id > out->max_apic_id)
		out->max_apic_id = apic_id;
}

/* One entry at e, already known to hold entry_min_len(e[0]) bytes inside the table. */
static void take_entry(const struct acpi_env *env, struct acpi_info *out, uint64_t at,
		       const uint8_t *e)
{
	switch (e[0]) {
	case MADT_LAPIC:
		add_cpu(env, out, at, e[3], e[2], acpi_rd32(e + 4), false);
		break;
	case MADT_X2APIC:
		add_cpu(env, out, at, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8), true);
		break;
	case MADT_LAPIC_OVERRIDE:
		if (acpi_rd64(e + 4) == 0)
			acpi_note(env, out, ACPI_SEV_WARN, "madt_lapic_override_zero", at, 0);
		else if (out->lapic_overridden)
			acpi_note(env, out, ACPI_SEV_WARN, "madt_lapic_override_dup", at,
				  acpi_rd64(e + 4));
		else {
			out->lapic_overridden = true;
			out->lapic_base = acpi_rd64(e + 4);
		}
		break;
	case MADT_IOAPIC:
		if (out->ioapic_count == ACPI_MAX_IOAPICS) {
			acpi_note(env, out, ACPI_SEV_WARN, "madt_too_many_ioapics", at, e[2]);
			break;
		}
		out->ioapics[out->ioapic_count++] =
			(struct acpi_ioapic){ e[2], acpi_rd32(e + 4), acpi_rd32(e + 8) };
		break;
	case MADT_OVERRIDE:
		if (out->override_count == ACPI_MAX_OVERRIDES) {
			acpi_note(env, out, ACPI_SEV_WARN, "madt_too_many_overrides", at, e[3]);
			break;
		}
		out->overrides[out->override_count++] = (struct acpi_irq_override){
			e[2], e[3], acpi_rd16(e + 8), acpi_rd32(e + 4) };
		break;
	default:
		break; /* NMI sources, GIC, ... : not ours */
	}
}

void acpi_madt_parse(const struct acpi_env *env, uint64_t phys, const uint8_t *t,
		     uint32_t len, struct acpi_info *out)
{
	bool sound = true;
	uint32_t off = MADT_ENTRIES;

	out->madt_phys = phys;
	out->madt_present = true;
	out->madt_revision = t[8];
	out->madt_flags = acpi_rd32(t + 40);
	out->lapic_base = acpi_rd32(t + 36);

	/* Each step advances by >= 2 bytes and stays within len: this ends. A
	 * malformed entry stops the walk: what follows it cannot be located. */
	while (off < len) {
		uint32_t left = len - off;
		uint64_t at = phys + off;
		uint8_t type, elen;

		if (left < 2) {
			acpi_note(env, out, ACPI_SEV_ERROR, "madt_entry_overrun", at, left);
			sound = false;
			break;
		}
		type = t[off];
		elen = t[off + 1];
		if (elen < 2) {
			acpi_note(env, out, ACPI_SEV_ERROR, "madt_entry_short", at, elen);
			sound = false;
			break;
		}
		if (elen > left) {
			acpi_note(env, out, ACPI_SEV_ERROR, "madt_entry_overrun", at, elen);
			sound = false;
			break;
		}
		if (elen < entry_min_len(type)) {
			/* Its neighbours are still located; but a CPU entry we cannot
			 * read means the CPU list is incomplete. */
			bool cpu = type == MADT_LAPIC || type == MADT_X2APIC;

			acpi_note(env, out, cpu ? ACPI_SEV_ERROR : ACPI_SEV_WARN, "madt_entry_size",
				  at, (uint64_t)type << 8 | elen);
			if (cpu)
				sound = false;
		} else {
			take_entry(env, out, at, t + off);
		}
		off += elen;
	}

	if (out->lapic_base == 0)
		acpi_note(env, out, ACPI_SEV_WARN, "madt_lapic_addr_zero", phys, 0);
	if (out->cpus_dropped)
		acpi_note(env, out, ACPI_SEV_WARN, "madt_too_many_cpus", phys, out->cpus_dropped);
	if (out->cpus_unusable)
		acpi_note(env, out, ACPI_SEV_INFO, "madt_cpus_unusable", phys, out->cpus_unusable);
	if (out->cpus_hotplug)
		acpi_note(env, out, ACPI_SEV_INFO, "madt_cpus_hotplug", phys, out->cpus_hotplug);
	if (out->cpu_count == 0) {
		acpi_note(env, out, ACPI_SEV_ERROR, "madt_no_cpus", phys, 0);
		sound = false;
	}
	out->cpus_valid = sound;
}

const struct acpi_cpu *acpi_find_cpu(const struct acpi_info *info, uint32_t apic_id)
{
	for (uint32_t i = 0; i < info->cpu_count && i < ACPI_MAX_CPUS; i++)
		if (info->cpus[i].apic_id == apic_id)
			return &info->cpus[i];
	return NULL;
}
