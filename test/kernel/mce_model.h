/* An independent model of the SDM's table of MCACOD encodings (vol. 3B,
 * 16.9), written as (mask, value) rows, first match wins, the filter bit
 * masked out of the compound rows. The host tests (test_mce_decode.c) and
 * the fuzz harness (fuzz/mce_decode.c) check kernel/cpu/mce_decode.c's kind
 * against it. */
#ifndef METASLOT_TEST_MCE_MODEL_H
#define METASLOT_TEST_MCE_MODEL_H

#include <stdint.h>
#include <kernel/mce.h>

static const struct {
	uint16_t mask, value;
	enum mce_kind kind;
} mce_model[] = {
	{ 0xffff, 0x0000, MCE_KIND_NONE },
	{ 0xfff8, 0x0000, MCE_KIND_SIMPLE },   /* 0001..0006 (0007 below) */
	{ 0xffff, 0x0400, MCE_KIND_SIMPLE },
	{ 0xffff, 0x0e0b, MCE_KIND_SIMPLE },
	{ 0xfc00, 0x0400, MCE_KIND_SIMPLE },
	{ 0xeffc, 0x000c, MCE_KIND_GENERIC_CACHE },
	{ 0xeff0, 0x0010, MCE_KIND_TLB },
	{ 0xef80, 0x0080, MCE_KIND_MEMORY_CONTROLLER },
	{ 0xef00, 0x0100, MCE_KIND_CACHE },
	{ 0xe800, 0x0800, MCE_KIND_BUS },
};

static inline enum mce_kind mce_model_kind(uint16_t c)
{
	if (c == 0x0007)
		return MCE_KIND_UNKNOWN;
	for (unsigned i = 0; i < sizeof(mce_model) / sizeof(mce_model[0]); i++)
		if ((c & mce_model[i].mask) == mce_model[i].value)
			return mce_model[i].kind;
	return MCE_KIND_UNKNOWN;
}

#endif
