/* One MADT, FADT or HPET body behind a sound RSDP, XSDT and header, so every
 * input passes the walk's signature/length/checksum checks and reaches the
 * body parser as firmware's own table would (acpi_common.h).
 * Input: byte 0 picks the table (% 3), byte 1 is its revision, the rest is
 * the body after the 36-byte header.
 * fuzz-dict: acpi.dict */
#include "acpi_common.h"

static const char *const sigs[3] = { "APIC", "FACP", "HPET" };

/* RSDP (36) at 0, XSDT (44) at 48, the table at 96. */
static size_t wrap(uint8_t *m, size_t cap, const uint8_t *data, size_t size)
{
	size_t len = 36 + size - 2;

	if (size < 2 || 96 + len > cap)
		return 0;
	memset(m, 0, 96);
	memcpy(m + 96 + 36, data + 2, size - 2);
	seed_hdr(m + 96, sigs[data[0] % 3], (uint32_t)len, data[1]);
	fuzz_put64(m + 48 + 36, ACPI_BASE + 96);
	seed_hdr(m + 48, "XSDT", 44, 1);
	memcpy(m, "RSD PTR ", 8);
	m[15] = 2;
	fuzz_put32(m + 20, 36);
	fuzz_put64(m + 24, ACPI_BASE + 48);
	seed_sum(m, 20, 8);
	seed_sum(m, 36, 32);
	return 96 + len;
}

void fuzz_seeds(void)
{
	static uint8_t t[SEED_MEM], in[SEED_MEM];
	uint32_t n;

	for (int k = 0; k < 5; k++) {
		char name[16];

		n = k == 0 ? seed_madt(t, 4, 0) : k == 1 ? seed_madt(t, 6, 1) :
		    k == 2 ? seed_fadt(t, 0) : k == 3 ? seed_fadt(t, 1) : seed_hpet(t);
		in[0] = (uint8_t)(k < 2 ? 0 : k < 4 ? 1 : 2);
		in[1] = t[8];
		memcpy(in + 2, t + 36, n - 36);
		snprintf(name, sizeof(name), "%.4s_%d", (const char *)t, k);
		fuzz_emit(name, in, n - 36 + 2);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t m[96 + 36 + 65536];
	size_t n = wrap(m, sizeof(m), data, size);
	uint8_t *copy;

	if (!n)
		return 0;
	copy = malloc(n); /* exactly n bytes: ASan sees a read past the memory */
	FUZZ_CHECK(copy);
	memcpy(copy, m, n);
	acpi_run(copy, n);
	free(copy);
	return 0;
}
