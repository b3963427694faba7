/* Host tests of the machine-check decoder (kernel/cpu/mce_decode.c):
 *   - status words of real errors, Intel and AMD, as Linux/mcelog logged
 *     them on the machines that had them;
 *   - broken input: VAL clear, undefined MCACODs, addresses that are not
 *     physical, too coarse, or beyond the CPU's width;
 *   - a seeded fuzz test against an independent model of the SDM's
 *     encodings (a table of masks, not the decoder's branches).
 * MCE_FUZZ_SEED=n in the environment replays another seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/mce.h>
#include "mce_model.h"

#define LIMIT46 (1ull << 46)
#define MISC_PHYS(lsb) ((2ull << 6) | (lsb))

static struct mce_decoded dec(uint64_t status, uint64_t addr, uint64_t misc, uint64_t ipid,
			      uint32_t bank, uint32_t flags)
{
	struct mce_regs r = { status, addr, misc, ipid, bank };
	struct mce_decoded d;

	memset(&d, 0xa5, sizeof(d)); /* the decoder must set every field */
	mce_decode(&r, flags, LIMIT46, &d);
	return d;
}

/* ---------------------------------------------------------------- real errors */

/* Xeon E5 (Sandy Bridge-EP, CPUID 206d7), Linux: "Bank 5: 8c00004000010090
 * ADDR 4a0d75900 MISC 21405cdc86", EDAC: 1 CE memory read error. */
static void intel_imc_corrected_read(void **s)
{
	(void)s;
	struct mce_decoded d = dec(0x8c00004000010090ull, 0x4a0d75900ull, 0x21405cdc86ull, 0, 5,
				   MCE_CPU_SER);

	assert_true(d.valid);
	assert_true(d.corrected);
	assert_true(d.memory);
	assert_int_equal(d.kind, MCE_KIND_MEMORY_CONTROLLER);
	assert_int_equal(d.mem_tx, 1);
	assert_string_equal(mce_mem_tx_name(d.mem_tx), "read");
	assert_int_equal(d.channel, 0);
	assert_true(d.addr_valid && d.misc_valid);
	assert_true(d.phys_valid);
	assert_int_equal(d.lsb, 6);                 /* MISC[5:0] = 6: a cache line */
	assert_int_equal(d.phys, 0x4a0d75900ull);
	assert_true(d.frame_precise);
	assert_false(d.overflow || d.pcc);
}

/* Haswell Xeon E3 (family 6 model 60), mcelog: bank 0, "Corrected error,
 * Error enabled, MCA: Internal parity error, STATUS 90000040000f0005". */
static void intel_internal_parity(void **s)
{
	(void)s;
	struct mce_decoded d = dec(0x90000040000f0005ull, 0xdead, 0xbeef, 0, 0, MCE_CPU_SER);

	assert_true(d.valid && d.corrected);
	assert_false(d.memory);
	assert_int_equal(d.kind, MCE_KIND_SIMPLE);
	assert_false(d.addr_valid || d.misc_valid || d.phys_valid);
	assert_null(d.why_no_phys);
}

/* Linux's APEI form of a firmware-first uncorrected memory read error
 * (VAL|UC|EN|MISCV|ADDRV, MCACOD 0x9f: read, channel unspecified). */
static void intel_uncorrected_memory(void **s)
{
	(void)s;
	struct mce_decoded d = dec(0xbc0000000000009full, 0x12345678ull, MISC_PHYS(12), 0, 7,
				   MCE_CPU_SER);

	assert_true(d.valid);
	assert_false(d.corrected);
	assert_true(d.memory);
	assert_int_equal(d.channel, 15);
	assert_true(d.phys_valid && d.frame_precise);
	assert_int_equal(d.phys, 0x12345000ull);
}

/* Opteron (K8) northbridge, bank 4, mcelog: "Northbridge ECC error ... bit46 =
 * corrected ecc error ... generic read mem transaction, memory access, level
 * generic", STATUS 9471c00000000a13, ADDR 46a9f888. */
static void amd_k8_nb_corrected_ecc(void **s)
{
	(void)s;
	struct mce_decoded d = dec(0x9471c00000000a13ull, 0x46a9f888ull, 0, 0, 4,
				   MCE_CPU_AMD_LEGACY);

	assert_true(d.valid && d.corrected);
	assert_int_equal(d.kind, MCE_KIND_BUS);
	assert_int_equal(d.level, 3);
	assert_true(d.memory);
	assert_true(d.addr_valid);
	assert_false(d.phys_valid);
	assert_string_equal(d.why_no_phys, "amd_address_not_translated");
	/* the same status in another bank is not the northbridge */
	d = dec(0x9471c00000000a13ull, 0x46a9f888ull, 0, 0, 2, MCE_CPU_AMD_LEGACY);
	assert_false(d.memory);
}

/* Opteron, Linux panic: "Bank 4: f60c200100000813", ADDR 1fef51800: an
 * uncorrected northbridge ECC error with overflow and context corrupt. */
static void amd_k8_nb_uncorrected(void **s)
{
	(void)s;
	struct mce_decoded d = dec(0xf60c200100000813ull, 0x1fef51800ull, 0, 0, 4,
				   MCE_CPU_AMD_LEGACY);

	assert_true(d.valid && d.overflow && d.pcc && d.memory);
	assert_false(d.corrected);
	assert_false(d.phys_valid);
}

/* Zen (family 17h), Linux: "MC17_STATUS[Over|CE|MiscV|AddrV|-|-|SyndV|CECC]:
 * 0xdc2040000000011b ... IPID: 0x0000009600050f00 ... Unified Memory
 * Controller ... DRAM ECC error": MCACOD 0x11b is a cache-hierarchy code
 * (L3/generic read); only the IPID says it is memory. */
static void amd_zen_umc_corrected(void **s)
{
	(void)s;
	struct mce_decoded d = dec(0xdc2040000000011bull, 0x7b1a1a340ull, 0xd01a000101000000ull,
				   0x0000009600050f00ull, 17, MCE_CPU_SMCA);

	assert_true(d.valid && d.corrected && d.overflow);
	assert_int_equal(d.kind, MCE_KIND_CACHE);
	assert_int_equal(d.level, 3);
	assert_true(d.memory);
	assert_false(d.phys_valid); /* a normalised address, not a system one */
	/* the same status from a core's load-store bank (HWID 0xb0) */
	d = dec(0xdc2040000000011bull, 0x7b1a1a340ull, 0, 0x000000b000000000ull, 0, MCE_CPU_SMCA);
	assert_false(d.memory);
	/* deferred: UC clear, yet not corrected */
	d = dec(0x9c00100000000000ull | 0x011b, 0, 0, 0x0000009600050f00ull, 17, MCE_CPU_SMCA);
	assert_false(d.corrected);
}

/* ---------------------------------------------------------------- broken input */

static void val_clear_is_no_error(void **s)
{
	(void)s;
	struct mce_decoded d = dec(~MCI_STATUS_VAL, ~0ull, ~0ull, ~0ull, 3,
				   MCE_CPU_SER | MCE_CPU_SMCA);

	assert_false(d.valid || d.corrected || d.memory || d.overflow || d.pcc);
	assert_false(d.addr_valid || d.misc_valid || d.phys_valid || d.frame_precise);
	assert_int_equal(d.kind, MCE_KIND_NONE);
	assert_null(d.why_no_phys);
}

static void undefined_codes_are_unknown(void **s)
{
	(void)s;
	/* reserved simple code, bits 15:13 set, bits 11:8 neither 0000 nor 0001
	 * nor bus, F on a simple code, half-formed compound codes */
	static const uint16_t codes[] = { 0x0007, 0x0040, 0x0200, 0x0300, 0x2000, 0x8090,
					  0x4001, 0x1400, 0x1001, 0x0020, 0x0008, 0x007f };

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		uint64_t st = MCI_STATUS_VAL | MCI_STATUS_ADDRV | MCI_STATUS_MISCV | codes[i];
		struct mce_decoded d = dec(st, 0x1000, MISC_PHYS(6), 0, 0, MCE_CPU_SER);

		assert_int_equal(d.kind, MCE_KIND_UNKNOWN);
		assert_false(d.memory);
		assert_true(d.phys_valid); /* the address is still reported */
	}
	/* the filter bit does not change what the error is */
	assert_int_equal(dec(MCI_STATUS_VAL | 0x1090, 0, 0, 0, 0, 0).kind,
			 MCE_KIND_MEMORY_CONTROLLER);
	assert_int_equal(dec(MCI_STATUS_VAL | 0x0e0b, 0, 0, 0, 0, 0).kind, MCE_KIND_SIMPLE);
	assert_int_equal(dec(MCI_STATUS_VAL | 0x0000, 0, 0, 0, 0, 0).kind, MCE_KIND_NONE);
}

static void address_not_physical(void **s)
{
	(void)s;
	uint64_t st = 0x8c00004000010090ull;
	struct mce_decoded d;

	d = dec(st, 0x1000, (1ull << 6) | 6, 0, 0, MCE_CPU_SER); /* linear */
	assert_false(d.phys_valid);
	assert_string_equal(d.why_no_phys, "not_physical");
	d = dec(st, 0x1000, (7ull << 6) | 6, 0, 0, MCE_CPU_SER); /* generic */
	assert_string_equal(d.why_no_phys, "not_physical");
	d = dec(st & ~MCI_STATUS_MISCV, 0x1000, MISC_PHYS(6), 0, 0, MCE_CPU_SER);
	assert_false(d.phys_valid);
	assert_string_equal(d.why_no_phys, "misc_not_valid");
	d = dec(st, 0x1000, MISC_PHYS(6), 0, 0, 0); /* no SER_P: MISC is model-specific */
	assert_false(d.phys_valid);
	assert_string_equal(d.why_no_phys, "no_address_mode");
	d = dec(st & ~MCI_STATUS_ADDRV, 0x1000, MISC_PHYS(6), 0, 0, MCE_CPU_SER);
	assert_false(d.addr_valid || d.phys_valid);
	assert_null(d.why_no_phys);
	d = dec(st, LIMIT46 + 0x1000, MISC_PHYS(6), 0, 0, MCE_CPU_SER);
	assert_false(d.phys_valid);
	assert_string_equal(d.why_no_phys, "beyond_physical_width");
	d = dec(st, ~0ull, MISC_PHYS(63), 0, 0, MCE_CPU_SER); /* junk above the width */
	assert_false(d.phys_valid);
	/* a zero limit (unknown width) trusts nothing */
	struct mce_regs r = { st, 0x1000, MISC_PHYS(6), 0, 0 };

	mce_decode(&r, MCE_CPU_SER, 0, &d);
	assert_false(d.phys_valid);
}

static void coarse_address_is_not_a_frame(void **s)
{
	(void)s;
	uint64_t st = 0x8c00004000010090ull;
	struct mce_decoded d = dec(st, 0x123456789ull, MISC_PHYS(20), 0, 0, MCE_CPU_SER);

	assert_true(d.phys_valid);
	assert_int_equal(d.phys, 0x123400000ull);
	assert_int_equal(d.lsb, 20);
	assert_false(d.frame_precise);
	d = dec(st, 0x123456789ull, MISC_PHYS(12), 0, 0, MCE_CPU_SER);
	assert_true(d.frame_precise);
	assert_int_equal(d.phys, 0x123456000ull);
	d = dec(st, 0x123456789ull, MISC_PHYS(13), 0, 0, MCE_CPU_SER);
	assert_false(d.frame_precise);
	d = dec(st, 0x123456789ull, MISC_PHYS(0), 0, 0, MCE_CPU_SER);
	assert_int_equal(d.phys, 0x123456789ull);
	assert_true(d.frame_precise);
}

static void names_are_total(void **s)
{
	(void)s;
	assert_string_equal(mce_kind_name(MCE_KIND_MEMORY_CONTROLLER), "memory_controller");
	assert_string_equal(mce_kind_name((enum mce_kind)99), "unknown");
	assert_string_equal(mce_kind_name((enum mce_kind)-1), "unknown");
	for (unsigned m = 0; m < 256; m++)
		assert_non_null(mce_mem_tx_name((uint8_t)m));
}

/* ---------------------------------------------------------------- action */

static void action_policy(void **s)
{
	(void)s;
	const uint64_t ram = 0x20000000 / 4096; /* 512 MiB */
	struct mce_decoded ce = dec(0x8c00004000010090ull, 0x10000040, MISC_PHYS(6), 0, 0,
				    MCE_CPU_SER);
	struct mce_decoded ucna = dec(0xac00000000010090ull, 0x10000040, MISC_PHYS(6), 0, 0,
				      MCE_CPU_SER);

	assert_int_equal(mce_action_for(&ce, 0, 0, ram), MCE_ACTION_POISON);
	assert_int_equal(mce_action_for(&ucna, 0, 0, ram), MCE_ACTION_POISON);
	assert_int_equal(mce_action_for(&ce, 1, 0, ram), MCE_ACTION_STALE);
	assert_int_equal(mce_action_for(&ce, 0, 1, ram), MCE_ACTION_STOPPED);
	/* the last frame of RAM and the first beyond it */
	assert_int_equal(mce_action_for(&ce, 0, 0, 0x10000000 / 4096 + 1), MCE_ACTION_POISON);
	assert_int_equal(mce_action_for(&ce, 0, 0, 0x10000000 / 4096), MCE_ACTION_BEYOND_RAM);
	assert_int_equal(mce_action_for(&ce, 0, 0, 0), MCE_ACTION_BEYOND_RAM);
	struct mce_decoded coarse = dec(0x8c00004000010090ull, 0x10000040, MISC_PHYS(13), 0, 0,
					MCE_CPU_SER);

	assert_int_equal(mce_action_for(&coarse, 0, 0, ram), MCE_ACTION_TOO_COARSE);
	struct mce_decoded cache = dec(0x8c00004000000135ull, 0x10000040, MISC_PHYS(6), 0, 0,
				       MCE_CPU_SER);

	assert_int_equal(mce_action_for(&cache, 0, 0, ram), MCE_ACTION_LOGGED);
	struct mce_decoded zen = dec(0xdc2040000000011bull, 0x10000040, 0, 0x0000009600050f00ull,
				     17, MCE_CPU_SMCA);

	assert_true(zen.memory);
	assert_int_equal(mce_action_for(&zen, 0, 0, ram), MCE_ACTION_LOGGED); /* no phys */
	struct mce_decoded none = dec(0, 0x10000040, MISC_PHYS(6), 0, 0, MCE_CPU_SER);

	assert_int_equal(mce_action_for(&none, 0, 0, ram), MCE_ACTION_LOGGED);
	assert_string_equal(mce_action_name(MCE_ACTION_POISON), "poisoned");
	assert_string_equal(mce_action_name((enum mce_action)77), "unknown");
}

/* ---------------------------------------------------------------- fuzz */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t biased_status(void)
{
	static const uint64_t real[] = { 0x8c00004000010090ull, 0x90000040000f0005ull,
					 0xbc0000000000009full, 0x9471c00000000a13ull,
					 0xf60c200100000813ull, 0xdc2040000000011bull };
	uint64_t r = rnd();

	switch (r % 4) {
	case 0: return rnd();
	case 1: return real[(r >> 8) % 6] ^ (1ull << ((r >> 16) % 64));
	case 2: return (rnd() & 0xfff0000000000000ull) | ((r >> 8) & 0x1fff);
	default: return real[(r >> 8) % 6] ^ (rnd() & rnd());
	}
}

static void fuzz(void **s)
{
	(void)s;
	const char *env = getenv("MCE_FUZZ_SEED");
	uint32_t seed = env ? (uint32_t)strtoul(env, NULL, 0) : 20261127u;
	uint32_t iters = 200000, with_phys = 0, memory = 0;

	rng = 0x9e3779b97f4a7c15ull ^ seed;
	for (uint32_t i = 0; i < iters; i++) {
		uint64_t st = biased_status(), addr = rnd() >> (rnd() % 64);
		uint64_t misc = rnd() % 2 ? rnd() : MISC_PHYS(rnd() % 64);
		uint64_t ipid = rnd() % 2 ? rnd() : 0x0000009600050f00ull;
		uint32_t flags = (uint32_t)(rnd() % 8), bank = (uint32_t)(rnd() % 40);
		uint64_t limit = 1ull << (32 + rnd() % 21);
		struct mce_regs r = { st, addr, misc, ipid, bank };
		struct mce_decoded d, again;

		mce_decode(&r, flags, limit, &d);
		mce_decode(&r, flags, limit, &again);
		assert_memory_equal(&d, &again, sizeof(d)); /* no hidden state */
		if (!(st & MCI_STATUS_VAL)) {
			assert_false(d.valid || d.memory || d.phys_valid || d.addr_valid);
			continue;
		}
		assert_int_equal(d.kind, mce_model_kind((uint16_t)st));
		assert_int_equal(d.corrected, !(st & MCI_STATUS_UC) &&
					       !((flags & MCE_CPU_SMCA) && (st & MCI_STATUS_DEFERRED)));
		assert_int_equal(d.addr_valid, !!(st & MCI_STATUS_ADDRV));
		if (d.memory) {
			memory++;
			assert_true(d.kind == MCE_KIND_MEMORY_CONTROLLER ||
				    ((flags & MCE_CPU_SMCA) && ((ipid >> 32) & 0xfff) == 0x96) ||
				    ((flags & MCE_CPU_AMD_LEGACY) && bank == 4));
		}
		enum mce_action a = mce_action_for(&d, 0, 0, limit / 4096);

		assert_int_equal(a == MCE_ACTION_POISON, d.memory && d.phys_valid && d.frame_precise);
		if (d.phys_valid) {
			with_phys++;
			uint8_t lsb = misc & 0x3f;

			assert_true((flags & MCE_CPU_SER) && !(flags & (MCE_CPU_SMCA | MCE_CPU_AMD_LEGACY)));
			assert_true((st & MCI_STATUS_ADDRV) && (st & MCI_STATUS_MISCV));
			assert_int_equal((misc >> 6) & 7, 2);
			assert_int_equal(d.lsb, lsb);
			assert_true(d.phys < limit);
			assert_int_equal(d.phys, addr >> lsb << lsb);
			assert_int_equal(d.frame_precise, lsb <= 12);
		} else {
			assert_false(d.frame_precise);
			if (d.addr_valid)
				assert_non_null(d.why_no_phys);
		}
	}
	print_message("mce fuzz: seed %u, %u statuses, %u with phys, %u memory\n", seed, iters,
		      with_phys, memory);
	assert_true(with_phys > iters / 100 && memory > iters / 100); /* the fuzz reached both */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intel_imc_corrected_read),
		cmocka_unit_test(intel_internal_parity),
		cmocka_unit_test(intel_uncorrected_memory),
		cmocka_unit_test(amd_k8_nb_corrected_ecc),
		cmocka_unit_test(amd_k8_nb_uncorrected),
		cmocka_unit_test(amd_zen_umc_corrected),
		cmocka_unit_test(val_clear_is_no_error),
		cmocka_unit_test(undefined_codes_are_unknown),
		cmocka_unit_test(address_not_physical),
		cmocka_unit_test(coarse_address_is_not_a_frame),
		cmocka_unit_test(names_are_total),
		cmocka_unit_test(action_policy),
		cmocka_unit_test(fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
