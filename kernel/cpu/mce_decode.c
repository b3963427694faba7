/* One machine-check bank decoded (mce.h). Pure code, host-tested.
 *
 * MCACOD, MCi_STATUS[15:0], is architectural on Intel and AMD (Intel SDM vol.
 * 3B 16.9): simple codes are exact values; compound codes carry a filter bit
 * F (bit 12) that says nothing about the error and is ignored here:
 *   000F 0000 0000 11LL  generic cache hierarchy
 *   000F 0000 0001 TTLL  TLB
 *   000F 0000 1MMM CCCC  memory controller (MMM transaction, CCCC channel)
 *   000F 0001 RRRR TTLL  cache hierarchy (RRRR request)
 *   000F 1PPT RRRR IILL  bus and interconnect (II: 00 memory access)
 * Bits 15:13 are zero in every defined code.
 *
 * The address: MCi_ADDR means something only with ADDRV. Which kind of
 * address it is, and how many low bits are junk, is in MCi_MISC[8:6] (mode;
 * 010 = physical) and [5:0] (LSB), and only on CPUs with MCG_CAP.SER_P and
 * MISCV; elsewhere MISC is model-specific. AMD's UMC banks report a
 * normalised DRAM address that only the Data Fabric can translate, so an AMD
 * error gets no phys: being wrong about a frame is worse than not naming it. */
#include <kernel/mce.h>

#define MISC_LSB(m)  ((uint8_t)((m) & 0x3f))
#define MISC_MODE(m) ((uint8_t)(((m) >> 6) & 7))
#define MISC_MODE_PHYS 2
#define SMCA_HWID(ipid) (((ipid) >> 32) & 0xfff)
#define SMCA_HWID_UMC 0x96 /* unified memory controller */
#define AMD_NB_BANK 4
#define AMD_XEC(s) (((s) >> 16) & 0x1f) /* extended error code; 0 = DRAM ECC on the NB */

static enum mce_kind classify(uint16_t code, struct mce_decoded *d)
{
	uint16_t c = code & (uint16_t)~0x1000u; /* F: filtering, not the error */

	switch (code) {
	case 0x0000:
		return MCE_KIND_NONE;
	case 0x0001: case 0x0002: case 0x0003: case 0x0004: case 0x0005: case 0x0006:
	case 0x0400: case 0x0e0b:
		return MCE_KIND_SIMPLE; /* unclassified .. SMM violation, timer, I/O */
	}
	if ((code & 0xfc00) == 0x0400)
		return MCE_KIND_SIMPLE; /* internal unclassified: MCACOD 0x0400..0x07ff */
	if (c & 0xe000)
		return MCE_KIND_UNKNOWN;
	if (c & 0x0800) {
		d->level = c & 3;
		return MCE_KIND_BUS;
	}
	if ((c & 0x0f00) == 0x0100) {
		d->level = c & 3;
		return MCE_KIND_CACHE;
	}
	if ((c & 0x0f00) != 0)
		return MCE_KIND_UNKNOWN;
	if (c & 0x0080) {
		d->mem_tx = (c >> 4) & 7;
		d->channel = c & 0xf;
		return MCE_KIND_MEMORY_CONTROLLER;
	}
	if ((c & 0xfff0) == 0x0010) {
		d->level = c & 3;
		return MCE_KIND_TLB;
	}
	if ((c & 0xfffc) == 0x000c) {
		d->level = c & 3;
		return MCE_KIND_GENERIC_CACHE;
	}
	return MCE_KIND_UNKNOWN;
}

/* Is the error in DRAM or its controller? The MCACOD says so on Intel; AMD
 * says it through the bank (SMCA: the IPID's hardware id; before: the
 * northbridge bank with a memory-access bus error and extended code 0). */
static int is_memory(const struct mce_regs *r, uint32_t flags, const struct mce_decoded *d)
{
	if (d->kind == MCE_KIND_MEMORY_CONTROLLER)
		return 1;
	if (flags & MCE_CPU_SMCA)
		return SMCA_HWID(r->ipid) == SMCA_HWID_UMC;
	if (flags & MCE_CPU_AMD_LEGACY)
		return r->bank == AMD_NB_BANK && d->kind == MCE_KIND_BUS &&
		       ((r->status >> 2) & 3) == 0 && AMD_XEC(r->status) == 0;
	return 0;
}

static void physical(const struct mce_regs *r, uint32_t flags, uint64_t limit,
		     struct mce_decoded *d)
{
	if (flags & (MCE_CPU_SMCA | MCE_CPU_AMD_LEGACY)) {
		d->why_no_phys = "amd_address_not_translated";
		return;
	}
	if (!(flags & MCE_CPU_SER)) {
		d->why_no_phys = "no_address_mode"; /* MISC is model-specific */
		return;
	}
	if (!d->misc_valid) {
		d->why_no_phys = "misc_not_valid";
		return;
	}
	if (MISC_MODE(r->misc) != MISC_MODE_PHYS) {
		d->why_no_phys = "not_physical";
		return;
	}
	uint8_t lsb = MISC_LSB(r->misc);
	uint64_t phys = lsb >= 64 ? 0 : r->addr & ~((1ull << lsb) - 1);

	if (!limit || phys >= limit) {
		d->why_no_phys = "beyond_physical_width";
		return;
	}
	d->phys_valid = 1;
	d->phys = phys;
	d->lsb = lsb;
	d->frame_precise = lsb <= 12;
}

void mce_decode(const struct mce_regs *r, uint32_t flags, uint64_t phys_limit,
		struct mce_decoded *d)
{
	uint64_t s = r->status;

	*d = (struct mce_decoded){ .kind = MCE_KIND_NONE };
	if (!(s & MCI_STATUS_VAL))
		return;
	d->valid = 1;
	d->overflow = !!(s & MCI_STATUS_OVER);
	d->pcc = !!(s & MCI_STATUS_PCC);
	d->corrected = !(s & MCI_STATUS_UC) &&
		       !((flags & MCE_CPU_SMCA) && (s & MCI_STATUS_DEFERRED));
	d->addr_valid = !!(s & MCI_STATUS_ADDRV);
	d->misc_valid = !!(s & MCI_STATUS_MISCV);
	d->kind = classify((uint16_t)s, d);
	d->memory = (uint8_t)is_memory(r, flags, d);
	if (d->addr_valid)
		physical(r, flags, phys_limit, d);
}

/* The policy; why the first error already poisons is at the top of mce.c.
 * An uncorrected error found by polling (UCNA: not consumed, so no #MC) is
 * poisoned the same way: the data in that frame is gone. */
enum mce_action mce_action_for(const struct mce_decoded *d, int stale, int in_mc,
			       uint64_t frames)
{
	if (stale)
		return MCE_ACTION_STALE;
	if (!d->valid || !d->memory || !d->phys_valid)
		return MCE_ACTION_LOGGED;
	if (!d->frame_precise)
		return MCE_ACTION_TOO_COARSE;
	if (d->phys / 4096 >= frames)
		return MCE_ACTION_BEYOND_RAM;
	if (in_mc)
		return MCE_ACTION_STOPPED; /* the allocator's locks may be held */
	return MCE_ACTION_POISON;
}

const char *mce_action_name(enum mce_action a)
{
	static const char *const names[] = {
		[MCE_ACTION_STALE] = "stale",
		[MCE_ACTION_LOGGED] = "logged",
		[MCE_ACTION_TOO_COARSE] = "address_too_coarse",
		[MCE_ACTION_BEYOND_RAM] = "beyond_ram",
		[MCE_ACTION_STOPPED] = "stopped",
		[MCE_ACTION_POISON] = "poisoned",
	};

	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "unknown";
}

const char *mce_kind_name(enum mce_kind k)
{
	static const char *const names[] = {
		[MCE_KIND_NONE] = "none",
		[MCE_KIND_SIMPLE] = "simple",
		[MCE_KIND_GENERIC_CACHE] = "generic_cache",
		[MCE_KIND_TLB] = "tlb",
		[MCE_KIND_MEMORY_CONTROLLER] = "memory_controller",
		[MCE_KIND_CACHE] = "cache",
		[MCE_KIND_BUS] = "bus",
		[MCE_KIND_UNKNOWN] = "unknown",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

const char *mce_mem_tx_name(uint8_t mmm)
{
	static const char *const names[8] = { "generic", "read", "write", "address_command",
					       "scrub", "reserved", "reserved", "reserved" };

	return names[mmm & 7];
}
