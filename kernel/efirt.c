/* UEFI runtime services calls (efirt.h). The table is checked by signature
 * before any pointer in it is followed. Calls are one at a time (the
 * firmware is not reentrant), and each finds boot-services memory as the
 * firmware left it (bs_swap_in/out until the final bs_restore), since some
 * firmware's runtime services still read it. */
#include <kernel/efirt.h>
#include <kernel/bssave.h>
#include <kernel/spinlock.h>

#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ull /* "RUNTSERV" */

struct efi_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

typedef void(__attribute__((ms_abi)) * efi_reset_fn)(uint32_t type, uint64_t status,
						      uint64_t data_size, void *data);
typedef uint64_t(__attribute__((ms_abi)) * efi_get_time_fn)(void *time, void *caps);
typedef uint64_t(__attribute__((ms_abi)) * efi_get_variable_fn)(const uint16_t *name,
								 const void *guid, uint32_t *attr,
								 uint64_t *size, void *data);
typedef uint64_t(__attribute__((ms_abi)) * efi_set_variable_fn)(const uint16_t *name,
								 const void *guid, uint32_t attr,
								 uint64_t size, const void *data);

struct efi_runtime_services {
	struct efi_table_header hdr;
	efi_get_time_fn get_time;
	void *set_time, *get_wakeup_time, *set_wakeup_time;
	void *set_virtual_address_map, *convert_pointer;
	efi_get_variable_fn get_variable;
	void *get_next_variable_name;
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

static struct spinlock lock;
static uint64_t lock_flags;

int efirt_begin(int wait)
{
	uint64_t f = irq_save();

	if (wait)
		spin_lock(&lock);
	else if (atomic_exchange_explicit(&lock.locked, 1, memory_order_acquire)) {
		irq_restore(f);
		return 0;
	}
	lock_flags = f;
	bs_swap_in();
	return 1;
}

void efirt_end(void)
{
	uint64_t f = lock_flags;

	bs_swap_out();
	spin_unlock(&lock);
	irq_restore(f);
}

void efirt_reset(enum efi_reset_type type)
{
	if (rt && rt->reset_system) {
		bs_restore();
		efirt_begin(1);
		rt->reset_system(type, 0, 0, 0);
		efirt_end();
	}
}

uint64_t efirt_get_time_locked(struct efi_time *t)
{
	return rt && rt->get_time ? rt->get_time(t, 0) : EFI_STATUS_UNSUPPORTED;
}

uint64_t efirt_set_variable_locked(const uint16_t *name, const void *guid, uint32_t attr,
				   uint64_t size, const void *data)
{
	return rt && rt->set_variable ? rt->set_variable(name, guid, attr, size, data)
				      : EFI_STATUS_UNSUPPORTED;
}

uint64_t efirt_get_time(struct efi_time *t)
{
	efirt_begin(1);
	uint64_t s = efirt_get_time_locked(t);

	efirt_end();
	return s;
}

uint64_t efirt_set_variable(const uint16_t *name, const void *guid, uint32_t attr,
			    uint64_t size, const void *data)
{
	efirt_begin(1);
	uint64_t s = efirt_set_variable_locked(name, guid, attr, size, data);

	efirt_end();
	return s;
}

uint64_t efirt_get_variable(const uint16_t *name, const void *guid, uint32_t *attr,
			    uint64_t *size, void *data)
{
	if (!rt || !rt->get_variable)
		return EFI_STATUS_UNSUPPORTED;
	efirt_begin(1);
	uint64_t s = rt->get_variable(name, guid, attr, size, data);

	efirt_end();
	return s;
}
