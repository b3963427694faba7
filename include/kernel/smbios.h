/* SMBIOS parser (DMTF DSP0134): the entry point (3.0 "_SM3_" or 2.x "_SM_"),
 * then the structure table's memory types: 16 (physical memory array), 17
 * (memory device: one DIMM slot), 19 (array mapped address) and 20 (device
 * mapped address). Pure code, hardened against hostile tables like the ACPI
 * parser (kernel/acpi.h): every byte comes from env->map, every structure is
 * checked (formatted length, string set inside the table, double-NUL end)
 * before it is read, and every problem is a finding, never a crash.
 *
 * Policy: an entry point with a bad anchor, length or checksum is rejected
 * and no structure is read. In the table, a structure whose header or string
 * set runs past the end stops the walk (what came before is kept); a memory
 * structure shorter than its type's minimum is skipped.
 *
 * Findings (`what`; E error, W warn, I info; [phys, value]):
 *   E smbios_entry_unmapped [entry, 0], smbios_entry_anchor [entry, first 4
 *   bytes], smbios_entry_length [entry, length], smbios_entry_checksum
 *   [entry, sum], smbios_entry_intermediate_checksum [entry, sum],
 *   smbios_table_null [entry, 0], smbios_table_length [table, length],
 *   smbios_table_unmapped [table, length];
 *   E smbios_struct_short [struct, formatted length],
 *   smbios_struct_overrun [struct, formatted length],
 *   smbios_strings_unterminated [struct, type];
 *   W smbios_type_short [struct, type << 8 | length], smbios_string_index
 *   [struct, index], smbios_too_many [struct, type], smbios_range_inverted
 *   [struct, type], smbios_no_end [table, structures walked];
 *   I smbios_missing [0, 0] (the firmware gave no entry point). */
#ifndef METASLOT_KERNEL_SMBIOS_H
#define METASLOT_KERNEL_SMBIOS_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/acpi.h> /* enum acpi_severity: one severity scale for firmware tables */

#define SMBIOS_MAX_TABLE_LEN (1u << 20) /* a longer structure table is absurd */
#define SMBIOS_MAX_ARRAYS  8u
#define SMBIOS_MAX_DIMMS   128u          /* a 4-socket server has 96 slots */
#define SMBIOS_MAX_RANGES  64u           /* of each kind, type 19 and type 20 */
#define SMBIOS_STR_MAX     32u           /* strings are cut to 31 bytes */
#define SMBIOS_NO_HANDLE   0xfffeu

struct smbios_finding {
	enum acpi_severity severity;
	const char *what;  /* static snake_case name */
	uint64_t phys;
	uint64_t value;
};

struct smbios_env {
	void *ctx;
	/* `len` readable bytes at `phys`, valid until smbios_parse returns, or
	 * NULL. Never asked for more than SMBIOS_MAX_TABLE_LEN or a wrapping range. */
	const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void (*report)(void *ctx, const struct smbios_finding *f); /* may be NULL */
};

/* Type 16 values this code acts on. */
#define SMBIOS_USE_SYSTEM_MEMORY 3u
enum smbios_ecc { /* type 16 "memory error correction" */
	SMBIOS_ECC_OTHER = 1, SMBIOS_ECC_UNKNOWN, SMBIOS_ECC_NONE, SMBIOS_ECC_PARITY,
	SMBIOS_ECC_SINGLE_BIT, SMBIOS_ECC_MULTI_BIT, SMBIOS_ECC_CRC,
};

struct smbios_array {            /* type 16 */
	uint16_t handle;
	uint8_t use;                 /* 3 = system memory */
	uint8_t ecc;                 /* enum smbios_ecc */
	uint64_t max_capacity;       /* bytes, 0 = unknown */
	uint16_t slots;              /* number of memory devices */
};

struct smbios_dimm {             /* type 17: one slot, populated or not */
	uint16_t handle, array;      /* array: the type-16 handle */
	uint64_t size;               /* bytes; 0 = empty slot */
	bool size_unknown;
	uint8_t type;                /* memory type (0x1a DDR4, 0x22 DDR5, ...) */
	uint8_t rank;                /* 0 = unknown */
	uint32_t speed;              /* MT/s, 0 = unknown */
	uint32_t configured_speed;   /* MT/s, 0 = unknown */
	uint16_t total_width, data_width; /* bits; total > data: ECC bits */
	char locator[SMBIOS_STR_MAX], bank[SMBIOS_STR_MAX];
	char manufacturer[SMBIOS_STR_MAX], serial[SMBIOS_STR_MAX], part[SMBIOS_STR_MAX];
};

struct smbios_range {            /* types 19 and 20: [start, end) in bytes */
	uint64_t start, end;
	uint16_t handle;             /* type 19: the array; type 20: the device */
	uint8_t interleave_pos;      /* type 20: 0 = not interleaved, 0xff unknown */
	uint8_t interleave_depth;
};

struct smbios_info {
	bool present;                /* an entry point passed its checks */
	uint8_t major, minor;        /* SMBIOS version the entry point states */
	bool v3;                     /* the 64-bit entry point was used */
	uint64_t table_phys;
	uint32_t table_len;
	uint32_t structures;         /* structures walked */
	uint32_t narrays, ndimms, nmapped, ndevmapped;
	uint32_t dropped;            /* memory structures beyond the arrays below */
	uint32_t dimms_dropped;      /* of which type 17: the totals are then a floor */
	struct smbios_array arrays[SMBIOS_MAX_ARRAYS];
	struct smbios_dimm dimms[SMBIOS_MAX_DIMMS];
	struct smbios_range mapped[SMBIOS_MAX_RANGES];    /* type 19 */
	struct smbios_range devmapped[SMBIOS_MAX_RANGES]; /* type 20 */
	uint32_t n_errors, n_warnings;
};

/* Walks the entry point at `entry` (3 = "_SM3_", 2 = "_SM_" as the loader
 * found them, bootinfo.h) into *out. Never fails: problems are findings. */
void smbios_parse(const struct smbios_env *env, uint64_t entry, unsigned kind,
		  struct smbios_info *out);

/* Is [phys, phys + len) inside 0xe0000-0xfffff, the legacy BIOS area? It is
 * ROM or shadow RAM on every PC and often absent from the UEFI memory map,
 * yet 2.x entry points and tables live there, so it may be read. */
bool smbios_in_legacy_area(uint64_t phys, uint64_t len);

/* The system-memory totals of the type-17 devices: populated slots, their
 * bytes, and how many say their size is unknown (then the sum is a floor). */
struct smbios_totals {
	uint32_t slots, populated, size_unknown, dropped;
	uint64_t bytes;
	uint8_t ecc;                 /* of the system-memory array(s); 0 = none listed */
	uint64_t max_capacity;
};
void smbios_totals(const struct smbios_info *s, struct smbios_totals *t);

/* Do the DIMMs add up to the RAM the memory map holds? The firmware keeps
 * some DIMM memory out of the map (SMM, integrated graphics, the ME), so the
 * map may fall short of the DIMMs by SMBIOS_RESERVE_SLACK(dimm bytes); more
 * missing means a DIMM the firmware did not map, more RAM than DIMMs means
 * the table does not list every DIMM. */
enum smbios_sum {
	SMBIOS_SUM_OK,
	SMBIOS_SUM_UNKNOWN,          /* no sizes, some unknown or dropped: cannot tell */
	SMBIOS_SUM_DIMMS_UNMAPPED,   /* map RAM < DIMMs - slack */
	SMBIOS_SUM_DIMMS_MISSING,    /* map RAM > DIMMs + 1 MiB */
};
#define SMBIOS_RESERVE_SLACK(b) ((b) / 16 > (512ull << 20) ? (b) / 16 : (512ull << 20))
enum smbios_sum smbios_check_sum(const struct smbios_totals *t, uint64_t map_ram_bytes);
const char *smbios_sum_name(enum smbios_sum v);

/* Claims the array(s) some form of error detection (parity, ECC, CRC)? */
bool smbios_ecc_claimed(uint8_t ecc);
const char *smbios_ecc_name(uint8_t ecc);
const char *smbios_memory_type_name(uint8_t type);

/* The locator of the one device that holds physical address `phys`, or NULL
 * when the table cannot say: a single non-interleaved type-20 range covers
 * it, or (no type 20 at all) exactly one populated system-memory device
 * exists and a type-19 range (if any) covers `phys`. */
const char *smbios_locator_in(const struct smbios_info *s, uint64_t phys);

#endif
