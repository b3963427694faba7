/* UEFI runtime services calls (efirt.h). The table is checked by signature
 * before any pointer in it is followed. Each call first puts boot-services
 * memory back as the firmware left it (bs_restore: a no-op after the first
 * time), since some firmware's runtime services still read it. */
#include <kernel/efirt.h>
#include <kernel/bssave.h>

#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ull /* "RUNTSERV" */

struct efi_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

typedef void(__attribute__((ms_abi)) * efi_reset_fn)(uint32_t type, uint64_t status,
						      uint64_t data_size, void *data);
typedef uint64_t(__attribute__((ms_abi)) * efi_get_time_fn)(void *time, void *caps);
typedef uint64_t(__attribute__((ms_abi)) * efi_set_variable_fn)(const uint16_t *name,
								 const void *guid, uint32_t attr,
								 uint64_t size, const void *data);

struct efi_runtime_services {
	struct efi_table_header hdr;
	efi_get_time_fn get_time;
	void *set_time, *get_wakeup_time, *set_wakeup_time;
	void *set_virtual_address_map, *convert_pointer;
	void *get_variable, *get_next_variable_name;
	efi_set_variable_fn set_variable;
	void *get_next_high_monotonic_count;
	efi_reset_fn reset_system;
};

static struct efi_runtime_services *rt;

void efirt_init(uint64_t phys)
{
	/* identity-mapped: the physical address is the pointer */
	struct efi_runtime_services *p = (struct efi_runtime_services *)(uintptr_t)phys;

	rt = (p && p->hdr.signature == EFI_RUNTIME_SERVICES_SIGNATURE) ? p : 0;
}

void efirt_reset(enum efi_reset_type type)
{
	if (rt && rt->reset_system) {
		bs_restore();
		rt->reset_system(type, 0, 0, 0);
	}
}

uint64_t efirt_get_time(struct efi_time *t)
{
	if (!rt || !rt->get_time)
		return EFI_STATUS_UNSUPPORTED;
	bs_restore();
	return rt->get_time(t, 0);
}

uint64_t efirt_set_variable(const uint16_t *name, const void *guid, uint32_t attr,
			    uint64_t size, const void *data)
{
	if (!rt || !rt->set_variable)
		return EFI_STATUS_UNSUPPORTED;
	bs_restore();
	return rt->set_variable(name, guid, attr, size, data);
}
