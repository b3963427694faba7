/* Memory types and attributes: the class a descriptor claims on its own, the
 * attribute and type findings, and the type slots of the per-type totals. */
#include <kernel/mapaudit.h>

/* Free once the kernel runs: boot services memory is dead after
 * ExitBootServices, loader memory after the jump (the kernel image is carved
 * out of loader code separately, by its own KERNEL claim). */
static bool usable_type(uint32_t type)
{
	return type == UEFI_MT_LOADER_CODE || type == UEFI_MT_LOADER_DATA ||
	       type == UEFI_MT_BS_CODE || type == UEFI_MT_BS_DATA ||
	       type == UEFI_MT_CONVENTIONAL;
}

static bool our_type(uint32_t type)
{
	return type >= BOOTINFO_MEM_METADATA && type <= BOOTINFO_MEM_BOOTINFO;
}

enum mapaudit_class mapaudit_classify(uint32_t type, uint64_t attr)
{
	/* The direct map is write-back: memory the firmware says cannot be
	 * cached WB is not ours to hand out (Linux's do_add_efi_memmap makes it
	 * E820 reserved), nor is memory runtime services say they use. */
	if (usable_type(type))
		return (attr & UEFI_ATTR_WB) && !(attr & UEFI_ATTR_RUNTIME) ?
			MAPAUDIT_USABLE : MAPAUDIT_FIRMWARE;
	if (our_type(type))
		return MAPAUDIT_KERNEL;
	/* Runtime, ACPI, bad, persistent, unaccepted and OS types we do not
	 * know are RAM someone else keeps; reserved, MMIO, PAL code and unknown
	 * types below the OS range are not RAM (bootinfo_mem_is_ram's split). */
	return bootinfo_mem_is_ram(type) ? MAPAUDIT_FIRMWARE : MAPAUDIT_NOT_RAM;
}

void mapaudit_check_attrs(struct mapaudit_ctx *c, uint32_t i, const struct bootinfo_mem_desc *d)
{
	uint32_t t = d->type;
	uint64_t a = d->attribute;

	if (usable_type(t) || our_type(t)) {
		if (!(a & UEFI_ATTR_WB))
			mapaudit_note(c, MAPAUDIT_SEV_WARN, "attr_contradicts_type", i,
				      MAPAUDIT_NO_DESC, UEFI_ATTR_WB);
		/* Free memory that runtime services use: whoever is right, handing
		 * it out would corrupt one of the two. */
		if (usable_type(t) && (a & UEFI_ATTR_RUNTIME))
			mapaudit_note(c, MAPAUDIT_SEV_ERROR, "attr_contradicts_type", i,
				      MAPAUDIT_NO_DESC, UEFI_ATTR_RUNTIME);
	} else if (t == UEFI_MT_MMIO || t == UEFI_MT_MMIO_PORT) {
		if (!(a & UEFI_ATTR_UC))
			mapaudit_note(c, MAPAUDIT_SEV_WARN, "attr_contradicts_type", i,
				      MAPAUDIT_NO_DESC, UEFI_ATTR_UC);
	} else if (t == UEFI_MT_RT_CODE || t == UEFI_MT_RT_DATA) {
		if (!(a & UEFI_ATTR_RUNTIME))
			mapaudit_note(c, MAPAUDIT_SEV_WARN, "attr_contradicts_type", i,
				      MAPAUDIT_NO_DESC, UEFI_ATTR_RUNTIME);
	}

	if (t >= UEFI_MT_OEM_FIRST && t < UEFI_MT_OS_FIRST)
		mapaudit_note(c, MAPAUDIT_SEV_INFO, "oem_type", i, MAPAUDIT_NO_DESC, t);
	else if ((t >= UEFI_MT_COUNT && t < UEFI_MT_OEM_FIRST) || t > BOOTINFO_MEM_BOOTINFO)
		mapaudit_note(c, MAPAUDIT_SEV_WARN, "unknown_type", i, MAPAUDIT_NO_DESC, t);
}

unsigned mapaudit_type_slot(uint32_t type)
{
	if (type < UEFI_MT_COUNT)
		return type;
	if (our_type(type))
		return MAPAUDIT_SLOT_OURS + (type - BOOTINFO_MEM_METADATA);
	return type >= UEFI_MT_OS_FIRST ? MAPAUDIT_SLOT_OS_OTHER : MAPAUDIT_SLOT_UNKNOWN;
}

uint32_t mapaudit_slot_type(unsigned slot)
{
	if (slot < UEFI_MT_COUNT)
		return slot;
	if (slot < MAPAUDIT_SLOT_UNKNOWN)
		return BOOTINFO_MEM_METADATA + (slot - MAPAUDIT_SLOT_OURS);
	return slot == MAPAUDIT_SLOT_UNKNOWN ? UEFI_MT_COUNT : BOOTINFO_MEM_BOOTINFO + 1;
}

const char *mapaudit_class_name(enum mapaudit_class cls)
{
	switch (cls) {
	case MAPAUDIT_USABLE:   return "usable";
	case MAPAUDIT_KERNEL:   return "kernel";
	case MAPAUDIT_FIRMWARE: return "firmware";
	case MAPAUDIT_NOT_RAM:  return "not_ram";
	default:                return "invalid";
	}
}
