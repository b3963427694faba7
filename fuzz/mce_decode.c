/* The machine-check decoder and poison policy (kernel/cpu/mce_decode.c) as
 * kernel/cpu/mce.c runs them: one bank's registers as rdmsr gives them, the
 * decode flags mce.c derives from MCG_CAP and the vendor (exactly one of SER,
 * SMCA, AMD legacy, none), phys_limit = 1 << MAXPHYADDR (36..52 bits), then
 * mce_action_for with the metadata array's frames.
 * Input (43 bytes): status, addr, misc, ipid (u64 each), bank u8, flags
 * selector u8, MAXPHYADDR u8, frames u64 (cut to what 52 bits allow),
 * stale/in_mc bits u8. */
#include <string.h>
#include <kernel/mce.h>
#include "../test/kernel/mce_model.h"
#include "common/fuzz.h"

#define IN_LEN 43u

static void emit(const char *name, uint64_t st, uint64_t addr, uint64_t misc, uint64_t ipid,
		 uint8_t bank, uint8_t fsel, uint8_t bits, uint64_t frames, uint8_t ctx)
{
	uint8_t b[IN_LEN];

	fuzz_put64(b, st);
	fuzz_put64(b + 8, addr);
	fuzz_put64(b + 16, misc);
	fuzz_put64(b + 24, ipid);
	b[32] = bank;
	b[33] = fsel;
	b[34] = bits;
	fuzz_put64(b + 35, frames);
	b[IN_LEN - 1] = ctx;
	fuzz_emit(name, b, sizeof(b));
}

/* test_mce_decode.c's banks of real CPUs */
void fuzz_seeds(void)
{
	uint64_t f = 1ull << 20; /* 4 GiB of RAM */

	emit("intel_imc_corrected_read", 0x8c00004000010090ull, 0x4a0d75900ull, 0x21405cdc86ull,
	     0, 5, 1, 46, 8 * f, 0);
	emit("intel_imc_uc_lsb12", 0xbc0000000000009full, 0x12345678ull, (2ull << 6) | 12, 0, 7,
	     1, 46, f, 0);
	emit("intel_internal_parity", 0x90000040000f0005ull, 0xdead, 0xbeef, 0, 0, 1, 39, f, 0);
	emit("amd_k8_nb_ecc", 0x9471c00000000a13ull, 0x46a9f888ull, 0, 0, 4, 3, 40, f, 0);
	emit("amd_k8_nb_uc", 0xf60c200100000813ull, 0x1fef51800ull, 0, 0, 4, 3, 40, f, 2);
	emit("amd_zen_umc", 0xdc2040000000011bull, 0x7b1a1a340ull, 0xd01a000101000000ull,
	     0x0000009600050f00ull, 17, 2, 48, f, 0);
	emit("stale_in_mc", 0x8c00004000010090ull, 0x1000, (2ull << 6) | 6, 0, 1, 1, 36, f, 3);
}

static void snake(const char *s)
{
	FUZZ_CHECK(s && *s);
	for (; *s; s++)
		FUZZ_CHECK((*s >= 'a' && *s <= 'z') || *s == '_');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t flag_sel[4] = { 0, MCE_CPU_SER, MCE_CPU_SMCA, MCE_CPU_AMD_LEGACY };
	struct mce_regs r;
	struct mce_decoded d;
	uint32_t flags, bits;
	uint64_t limit, frames, st;
	int stale, in_mc;
	enum mce_action a;

	if (size != IN_LEN)
		return 0;
	memcpy(&r.status, data, 8);
	memcpy(&r.addr, data + 8, 8);
	memcpy(&r.misc, data + 16, 8);
	memcpy(&r.ipid, data + 24, 8);
	r.bank = data[32];
	flags = flag_sel[data[33] % 4];
	bits = 36 + data[34] % 17;
	limit = 1ull << bits;
	memcpy(&frames, data + 35, 8);
	frames %= (limit >> 12) + 1;
	stale = data[42] & 1;
	in_mc = !!(data[42] & 2);
	st = r.status;

	mce_decode(&r, flags, limit, &d);
	snake(mce_kind_name(d.kind));
	FUZZ_CHECK(!strcmp(mce_kind_name(d.kind), "unknown") == (d.kind == MCE_KIND_UNKNOWN));
	if (!(st & MCI_STATUS_VAL)) {
		struct mce_decoded none = { .kind = MCE_KIND_NONE };

		FUZZ_CHECK(!memcmp(&d, &none, sizeof(d)));
	} else {
		FUZZ_CHECK(d.valid && d.kind == mce_model_kind((uint16_t)st));
		FUZZ_CHECK(d.overflow == !!(st & MCI_STATUS_OVER) && d.pcc == !!(st & MCI_STATUS_PCC));
		FUZZ_CHECK(d.addr_valid == !!(st & MCI_STATUS_ADDRV) &&
			   d.misc_valid == !!(st & MCI_STATUS_MISCV));
		FUZZ_CHECK(d.corrected == (!(st & MCI_STATUS_UC) &&
					   !(flags == MCE_CPU_SMCA && (st & MCI_STATUS_DEFERRED))));
		FUZZ_CHECK(d.level <= 3 && d.mem_tx <= 7 && d.channel <= 15);
		FUZZ_CHECK(d.kind != MCE_KIND_MEMORY_CONTROLLER || d.memory);
		FUZZ_CHECK(flags || d.memory == (d.kind == MCE_KIND_MEMORY_CONTROLLER));
	}
	/* a physical address only where the CPU says MISC holds one, exact */
	if (d.phys_valid) {
		uint8_t lsb = r.misc & 0x3f;

		FUZZ_CHECK(d.addr_valid && d.misc_valid && flags == MCE_CPU_SER);
		FUZZ_CHECK(((r.misc >> 6) & 7) == 2 && d.lsb == lsb);
		FUZZ_CHECK(d.phys == (r.addr & ~((1ull << lsb) - 1)) && d.phys < limit);
		FUZZ_CHECK(d.frame_precise == (lsb <= 12) && !d.why_no_phys);
	} else {
		FUZZ_CHECK(!d.phys && !d.frame_precise && !d.lsb);
		if (d.addr_valid)
			snake(d.why_no_phys);
		else
			FUZZ_CHECK(!d.why_no_phys);
	}
	mce_mem_tx_name(d.mem_tx)[0] ? (void)0 : abort();

	/* the policy never poisons a frame outside the array, nor in #MC */
	a = mce_action_for(&d, stale, in_mc, frames);
	snake(mce_action_name(a));
	FUZZ_CHECK(strcmp(mce_action_name(a), "unknown"));
	if (stale)
		FUZZ_CHECK(a == MCE_ACTION_STALE);
	if (a == MCE_ACTION_POISON || a == MCE_ACTION_STOPPED)
		FUZZ_CHECK(d.valid && d.memory && d.phys_valid && d.frame_precise &&
			   d.phys / 4096 < frames && !stale);
	if (a == MCE_ACTION_POISON)
		FUZZ_CHECK(!in_mc);
	if (!stale && d.valid && d.memory && d.phys_valid && d.frame_precise &&
	    d.phys / 4096 < frames)
		FUZZ_CHECK(a == (in_mc ? MCE_ACTION_STOPPED : MCE_ACTION_POISON));
	return 0;
}
