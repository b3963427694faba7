/* ACPI table parser: RSDP -> XSDT/RSDT -> MADT (CPUs, I/O APICs), FADT (PM
 * timer, reset register) and HPET, hardened against hostile tables.
 *
 * The parser never touches memory on its own: every byte it reads comes from
 * env->map(ctx, phys, len), which returns a pointer to `len` readable bytes at
 * physical address `phys`, or NULL if that range is not safe to read (outside
 * RAM/ACPI memory, unmapped, ...). A NULL is reported as a finding, never
 * dereferenced. Pointers returned must stay valid until acpi_parse returns.
 * The parser never asks for a range whose end wraps past 2^64 or for more than
 * ACPI_MAX_TABLE_LEN bytes.
 *
 * Every problem is reported through env->report (may be NULL) as a struct
 * acpi_finding and counted in struct acpi_info; acpi_parse itself cannot fail.
 * Policy on bad tables: a table whose signature, length or checksum is wrong
 * is rejected as a whole (its contents are not used), whatever the table.
 * `cpus_valid` says whether the CPU list may be used to start APs; when it is
 * false the kernel runs on the boot CPU alone.
 *
 * No allocation, no global state: all output goes to the caller's struct.
 * Fields are read with byte loads (little-endian, as ACPI is), so tables at
 * any alignment are fine. */
#ifndef METASLOT_KERNEL_ACPI_H
#define METASLOT_KERNEL_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_CPUS      1024u         /* more usable CPUs are counted, not listed */
#define ACPI_MAX_IOAPICS   16u
#define ACPI_MAX_OVERRIDES 16u           /* MADT interrupt source overrides */
#define ACPI_MAX_TABLE_LEN (1u << 20)    /* any longer SDT is "absurd" and rejected */
#define ACPI_MAX_REPORTS   64u           /* findings passed to report(); the rest are counted */

/* ---------------------------------------------------------------- findings
 * `what` catalogue (E error, W warn, I info; phys/value in brackets):
 * RSDP, fatal, no table is read:  E rsdp_missing, rsdp_unmapped [rsdp],
 *   rsdp_signature [rsdp, first 8 bytes], rsdp_checksum [rsdp, byte sum].
 * RSDP v2 part unusable, so the XSDT is ignored and the RSDT used:
 *   W rsdp_v2_unmapped [rsdp, len], rsdp_length [rsdp, len],
 *   rsdp_ext_checksum [rsdp, sum], rsdp_xsdt_null [rsdp].
 * Any validated table, T = xsdt, rsdt, madt (E) or fadt, hpet (W):
 *   T_unmapped [table], T_signature [table, 4 bytes LE], T_length_short,
 *   T_length_absurd, T_truncated (the length runs into unmapped memory)
 *   [table, length], T_checksum [table, sum]; W T_duplicate [ignored copy,
 *   copy in use] for madt/fadt/hpet.
 * Root: W root_fallback_rsdt [rsdt, xsdt]; E root_missing [rsdp, rsdt];
 *   W xsdt/rsdt_entries_partial [root, length], xsdt/rsdt_entry_null
 *   [root, index], xsdt/rsdt_entry_unmapped [root, entry address].
 * MADT, entries [entry address, ...]: E madt_entry_short [len 0 or 1],
 *   E madt_entry_overrun [entry len, or bytes left] (both stop the walk),
 *   madt_entry_size [type << 8 | len] (E for a CPU entry, else W),
 *   W madt_apic_id_invalid [id], W duplicate_apic_id [id],
 *   W madt_lapic_override_zero, W madt_lapic_override_dup [address],
 *   W madt_too_many_ioapics, madt_too_many_overrides [id / irq];
 *   MADT totals [madt, ...]: W madt_lapic_addr_zero, W madt_too_many_cpus
 *   [dropped], I madt_cpus_unusable [count], I madt_cpus_hotplug [count of
 *   disabled, online-capable entries: hot-plug placeholders, not started],
 *   E madt_no_cpus.
 * FADT [fadt, ...]: I fadt_hw_reduced [flags], W fadt_pmtmr_space [space],
 *   fadt_pmtmr_port [port], fadt_pmtmr_len [len], fadt_pmtmr_mismatch
 *   [X_ address], I fadt_pmtmr_none, W fadt_reset_reg [space].
 * HPET [hpet, ...]: W hpet_base_space [space], W hpet_base_zero.
 * End of every parse [root or 0]: E madt_missing (no sound MADT), W
 *   fadt_missing, I hpet_missing; W findings_suppressed [0, count]. */

enum acpi_severity {
	ACPI_SEV_INFO,  /* worth a line in the log, nothing is wrong */
	ACPI_SEV_WARN,  /* something is wrong, a fallback or a default is used */
	ACPI_SEV_ERROR, /* a table or entry was rejected and its data is lost */
};

struct acpi_finding {
	enum acpi_severity severity;
	const char *what;  /* static snake_case name, e.g. "madt_checksum" */
	uint64_t phys;     /* physical address of the table or entry concerned, 0 if none */
	uint64_t value;    /* the offending value (a length, a sum, an id), see acpi.c */
};

/* "error", "warn" or "info". */
const char *acpi_severity_name(enum acpi_severity sev);

/* ---------------------------------------------------------------- environment */

struct acpi_env {
	void *ctx;
	const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void (*report)(void *ctx, const struct acpi_finding *f); /* may be NULL */
	/* The APIC id of the CPU running the parse, if known: when the MADT lists
	 * more than ACPI_MAX_CPUS CPUs, this one is kept (in place of the last
	 * listed) wherever its entry comes, so the list always holds it. */
	bool boot_apic_known;
	uint32_t boot_apic_id;
};

/* ---------------------------------------------------------------- results */

#define ACPI_CPU_ENABLED        (1u << 0) /* MADT flags bit 0: usable now */
#define ACPI_CPU_X2APIC         (1u << 2) /* came from a type-9 (x2APIC) entry */

/* A CPU the firmware says is present and enabled. Disabled entries are never
 * listed: online-capable ones (hot-plug placeholders, MADT rev >= 5) are
 * counted in cpus_hotplug, the rest in cpus_unusable. */
struct acpi_cpu {
	uint32_t apic_id;   /* local APIC id (8-bit for xAPIC entries, 32-bit for x2APIC) */
	uint32_t acpi_uid;  /* ACPI processor UID */
	uint32_t flags;     /* ACPI_CPU_* */
};

struct acpi_ioapic {
	uint32_t id;
	uint32_t addr;      /* physical MMIO base */
	uint32_t gsi_base;
};

struct acpi_irq_override {
	uint8_t bus;        /* 0 = ISA */
	uint8_t source;     /* bus-relative IRQ */
	uint16_t flags;     /* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
	uint32_t gsi;
};

#define ACPI_GAS_MEMORY 0u  /* generic address space id: system memory */
#define ACPI_GAS_IO     1u  /* generic address space id: system I/O ports */

/* An ACPI Generic Address Structure, the fields that matter here. */
struct acpi_gas {
	uint8_t space;      /* ACPI_GAS_* (others possible but unused) */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t addr;
};

#define ACPI_MADT_PCAT_COMPAT (1u << 0) /* dual 8259 PICs present: mask them */

struct acpi_info {
	/* Root: which tables the walk went through. */
	uint8_t rsdp_revision;   /* 0 = ACPI 1.0 (RSDT only), 2+ = XSDT possible */
	bool root_is_xsdt;       /* false: the RSDT was used (or no root at all) */
	uint8_t root_revision;
	uint64_t root_phys;      /* 0 if no usable root table */
	char oem_id[7];          /* from the RSDP, NUL-terminated, may hold garbage bytes */

	/* MADT. The list is trustworthy only if cpus_valid. */
	bool madt_present;       /* a MADT passed signature/length/checksum */
	bool cpus_valid;         /* MADT present, walked to its end, every CPU entry readable, >= 1 usable CPU */
	uint8_t madt_revision;
	uint64_t madt_phys;      /* the MADT used, 0 if none passed validation */
	uint32_t madt_flags;     /* ACPI_MADT_* */
	uint64_t lapic_base;     /* type-5 override if any, else the 32-bit field; 0 = unknown */
	bool lapic_overridden;
	uint32_t cpu_count;      /* entries used in cpus[] */
	uint32_t cpus_dropped;   /* usable CPUs beyond ACPI_MAX_CPUS (never the boot CPU, if known) */
	uint32_t cpus_unusable;  /* entries neither enabled nor online capable */
	uint32_t cpus_hotplug;   /* disabled but online capable: hot-plug placeholders, not listed */
	uint32_t cpus_duplicate; /* entries whose APIC id was already listed */
	uint32_t max_apic_id;    /* over cpus[]: > 254 means x2APIC mode is required */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t override_count;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];

	/* FADT. */
	bool fadt_present;
	uint8_t fadt_revision;   /* header revision */
	uint8_t fadt_minor;      /* FADT minor version, 0 if the table is too short */
	uint64_t fadt_phys;      /* the FADT used, 0 if none passed validation */
	uint32_t fadt_flags;
	bool hw_reduced;         /* HW_REDUCED_ACPI: no PM timer, no fixed hardware */
	bool pm_timer_present;
	struct acpi_gas pm_timer; /* space IO: addr is the port; 24 or 32 in pm_timer_bits */
	uint8_t pm_timer_bits;
	bool reset_present;      /* RESET_REG_SUP set and the register looks sane */
	struct acpi_gas reset_reg;
	uint8_t reset_value;

	/* HPET. */
	bool hpet_present;       /* a sound table with a usable (MMIO, nonzero) base */
	uint64_t hpet_phys;      /* the HPET table used, 0 if none passed validation */
	uint64_t hpet_base;      /* MMIO base of the event timer block */
	uint32_t hpet_block_id;  /* event timer block id (vendor, counters, width) */
	uint16_t hpet_min_tick;

	/* Findings by severity, so a caller without a report callback still knows.
	 * Only the first ACPI_MAX_REPORTS reach report(): a hostile table with a
	 * million bad entries must not keep a 115200-baud console busy for hours.
	 * A last "findings_suppressed" finding says how many were held back. */
	uint32_t n_errors;
	uint32_t n_warnings;
	uint32_t n_infos;
	uint32_t n_reported;
};

/* Walk the tables from the RSDP at rsdp_phys (0 = none given) and fill *out
 * (entirely overwritten). Never fails, never loops forever; read *out. */
void acpi_parse(const struct acpi_env *env, uint64_t rsdp_phys, struct acpi_info *out);

/* The listed CPU with this APIC id, or NULL: the kernel checks that its own
 * (boot) CPU is in the list before trusting it. */
const struct acpi_cpu *acpi_find_cpu(const struct acpi_info *info, uint32_t apic_id);

#endif
