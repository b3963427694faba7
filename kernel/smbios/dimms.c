/* The DIMMs (dimms.h): smbios_parse fed through the direct map where the
 * memory map says it is safe to read, then the events and the two checks a
 * user cannot do by eye: do the DIMMs add up to the mapped RAM, and can an
 * ECC error be seen at all (a machine-check bank to report it)? */
#include <kernel/dimms.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/platform.h>
#include <kernel/smbios.h>
#include <lib/fmt.h>

static const struct bootinfo *boot;
static struct smbios_info smb;
static char line[96];

static const void *map_fn(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (smbios_in_legacy_area(phys, len))
		return phys_to_virt(phys);
	return platform_readable(boot, phys, len) ? phys_to_virt(phys) : 0;
}

static void report_fn(void *ctx, const struct smbios_finding *f)
{
	struct jw w;

	(void)ctx;
	jw_begin(&w, "smbios_issue");
	jw_str(&w, "severity", acpi_severity_name(f->severity));
	jw_str(&w, "what", f->what);
	jw_u64(&w, "phys", f->phys);
	jw_u64(&w, "value", f->value);
	event_emit(&w);
}

/* Machine-check banks the CPU reports errors in: CPUID.1:EDX.MCA (bit 14)
 * says IA32_MCG_CAP exists; its bits 7:0 count the banks. */
static uint32_t mca_banks(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[3] & (1u << 14)))
		return 0;
	return (uint32_t)(rdmsr(0x179) & 0xff);
}

static void dimm_event(const struct smbios_dimm *d)
{
	struct jw w;

	jw_begin(&w, "dimm");
	jw_str(&w, "locator", d->locator);
	jw_str(&w, "bank", d->bank);
	jw_bool(&w, "installed", d->size || d->size_unknown);
	jw_u64(&w, "size", d->size);           /* bytes; 0 when empty or unknown */
	jw_bool(&w, "size_unknown", d->size_unknown);
	jw_str(&w, "type", smbios_memory_type_name(d->type));
	jw_u64(&w, "speed", d->speed);
	jw_u64(&w, "configured_speed", d->configured_speed);
	jw_str(&w, "manufacturer", d->manufacturer);
	jw_str(&w, "serial", d->serial);
	jw_str(&w, "part", d->part);
	jw_u64(&w, "rank", d->rank);
	jw_u64(&w, "total_width", d->total_width);
	jw_u64(&w, "data_width", d->data_width);
	event_emit(&w);
	if (d->size)
		kprintf("DIMM %s%s%s: %llu MiB %s %u MT/s (configured %u), %s %s serial %s",
			d->locator, d->bank[0] ? " / " : "", d->bank,
			(unsigned long long)(d->size >> 20), smbios_memory_type_name(d->type),
			d->speed, d->configured_speed, d->manufacturer, d->part, d->serial);
}

static void issue(const char *what, const char *why, uint64_t a, uint64_t b)
{
	struct jw w;

	kprintf("WARNING: %s", why);
	jw_begin(&w, "dimm_issue");
	jw_str(&w, "severity", "warn");
	jw_str(&w, "what", what);
	jw_u64(&w, "dimm_bytes", a);
	jw_u64(&w, "value", b);
	event_emit(&w);
}

static void set_line(const struct smbios_totals *t)
{
	uint32_t speed = 0;
	uint8_t type = 0;

	for (uint32_t i = 0; i < smb.ndimms; i++)
		if (smb.dimms[i].size) {
			type = smb.dimms[i].type;
			speed = smb.dimms[i].configured_speed ? smb.dimms[i].configured_speed
							      : smb.dimms[i].speed;
			break;
		}
	char mts[16] = "";

	if (speed)
		ksnprintf(mts, sizeof(mts), "-%u", speed);
	ksnprintf(line, sizeof(line), "DIMMs: %u of %u, %llu MiB %s%s, %s", t->populated,
		  t->slots, (unsigned long long)(t->bytes >> 20), smbios_memory_type_name(type),
		  mts, smbios_ecc_name(t->ecc));
}

void dimms_init(const struct bootinfo *bi, uint64_t map_ram_bytes)
{
	struct smbios_env env = { 0, map_fn, report_fn };
	struct smbios_totals t;
	enum smbios_sum sum;
	uint32_t banks = mca_banks();
	char ver[8];
	struct jw w;

	boot = bi;
	if (bootinfo_has_v3(bi))
		smbios_parse(&env, bi->smbios, bi->smbios_kind, &smb);
	else
		smbios_parse(&env, 0, 0, &smb); /* an older loader: reported as missing */
	for (uint32_t i = 0; i < smb.ndimms; i++)
		dimm_event(&smb.dimms[i]);
	smbios_totals(&smb, &t);
	sum = smb.present ? smbios_check_sum(&t, map_ram_bytes) : SMBIOS_SUM_UNKNOWN;
	jw_begin(&w, "dimms");
	jw_bool(&w, "smbios", smb.present);
	ksnprintf(ver, sizeof(ver), "%u.%u", smb.major, smb.minor);
	jw_str(&w, "version", smb.present ? ver : "");
	jw_bool(&w, "entry_64bit", smb.v3);
	jw_u64(&w, "slots", t.slots);
	jw_u64(&w, "populated", t.populated);
	jw_u64(&w, "size_unknown", t.size_unknown);
	jw_u64(&w, "dropped", t.dropped);      /* slots beyond SMBIOS_MAX_DIMMS */
	jw_u64(&w, "dimm_bytes", t.bytes);
	jw_u64(&w, "map_ram_bytes", map_ram_bytes);
	jw_str(&w, "adds_up", smbios_sum_name(sum));
	jw_str(&w, "ecc", smbios_ecc_name(t.ecc));
	jw_u64(&w, "max_capacity", t.max_capacity);
	jw_u64(&w, "mca_banks", banks);
	jw_u64(&w, "mapped_ranges", smb.nmapped);
	jw_u64(&w, "device_ranges", smb.ndevmapped);
	jw_u64(&w, "errors", smb.n_errors);
	jw_u64(&w, "warnings", smb.n_warnings);
	event_emit(&w);
	if (sum == SMBIOS_SUM_DIMMS_UNMAPPED)
		issue("dimms_not_in_map",
		      "the DIMMs hold more RAM than the firmware maps: a DIMM or rank disabled?",
		      t.bytes, map_ram_bytes);
	else if (sum == SMBIOS_SUM_DIMMS_MISSING)
		issue("ram_beyond_dimms", "the firmware maps more RAM than its DIMM table lists",
		      t.bytes, map_ram_bytes);
	if (smb.present && smbios_ecc_claimed(t.ecc) && !banks)
		issue("ecc_without_mca",
		      "ECC is claimed but the CPU has no machine-check bank: corrected errors stay invisible",
		      t.bytes, banks);
	if (smb.present && t.slots)
		set_line(&t);
}

const char *smbios_locator_for(uint64_t phys)
{
	return smbios_locator_in(&smb, phys);
}

const struct smbios_info *dimms_info(void)
{
	return &smb;
}

const char *dimms_line(void)
{
	return line;
}
