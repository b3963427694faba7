/* Memory-map summary (memmap.h). The full audit of the map (overlaps,
 * attributes, sanitising) builds on the same type names. */
#include <kernel/memmap.h>
#include <kernel/console.h>
#include <kernel/cpu.h>

static const char *const uefi_names[] = {
	"reserved", "loader_code", "loader_data", "boot_code", "boot_data",
	"runtime_code", "runtime_data", "conventional", "unusable", "acpi_reclaim",
	"acpi_nvs", "mmio", "mmio_port", "pal_code", "persistent", "unaccepted",
};

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case BOOTINFO_MEM_METADATA:   return "metaslot_metadata";
	case BOOTINFO_MEM_PAGETABLE:  return "metaslot_pagetable";
	case BOOTINFO_MEM_TRAMPOLINE: return "metaslot_trampoline";
	case BOOTINFO_MEM_BOOTINFO:   return "metaslot_bootinfo";
	}
	if (type < sizeof(uefi_names) / sizeof(uefi_names[0]))
		return uefi_names[type];
	return type >= 0x80000000u ? "os_other" : "unknown";
}

#define NAME_SLOTS 24

void memmap_report(const struct bootinfo *bi, uint64_t *ram_bytes, uint64_t *ram_top)
{
	const void *map = phys_to_virt(bi->mmap);
	const char *names[NAME_SLOTS];
	uint64_t bytes[NAME_SLOTS];
	unsigned n = 0;
	struct jw w;

	*ram_bytes = 0;
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct bootinfo_mem_desc *d = bootinfo_desc_at(map, bi->mmap_stride, i);
		const char *name = memmap_type_name(d->type);
		uint64_t b = d->num_pages << 12;
		unsigned k = 0;

		if (bootinfo_mem_is_ram(d->type))
			*ram_bytes += b;
		while (k < n && names[k] != name)
			k++;
		if (k == n && n < NAME_SLOTS) {
			names[n] = name;
			bytes[n++] = 0;
		}
		if (k < n)
			bytes[k] += b;
	}
	*ram_top = bootinfo_ram_top(map, bi->mmap_count, bi->mmap_stride);

	jw_begin(&w, "memmap");
	jw_u64(&w, "entries", bi->mmap_count);
	jw_u64(&w, "stride", bi->mmap_stride);
	jw_u64(&w, "ram_top", *ram_top);
	jw_u64(&w, "ram_bytes", *ram_bytes);
	jw_obj_begin(&w, "bytes_by_type");
	for (unsigned k = 0; k < n; k++)
		jw_u64(&w, names[k], bytes[k]);
	jw_obj_end(&w);
	event_emit(&w);
}
