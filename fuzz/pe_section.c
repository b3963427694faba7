/* The loader's PE section finder (efi/pe_section.c) as efi/kernel_load.c
 * calls it: pe_section_find(ImageBase, ImageSize, ".kernel"). The input is
 * the loaded image, in an exact malloc'd copy of ImageSize bytes (a firmware
 * may state any size; ASan sees a read past it).
 * fuzz-dict: pe_section.dict */
#include <string.h>
#include "../efi/pe_section.h"
#include "common/fuzz.h"

#define PE_OFF 0x80u
#define TAB    (PE_OFF + 24u + 240u)

static uint8_t img[0x4000];

static void section(int i, const char *name, uint32_t va, uint32_t vsize)
{
	uint8_t *s = img + TAB + 40 * i;

	memset(s, 0, 40);
	memcpy(s, name, strnlen(name, 8));
	fuzz_put32(s + 8, vsize);
	fuzz_put32(s + 12, va);
}

/* test_pe_section.c's image, like gnu-efi's: .text, .data, .sbat, .kernel */
void fuzz_seeds(void)
{
	img[0] = 'M';
	img[1] = 'Z';
	fuzz_put32(img + 0x3c, PE_OFF);
	memcpy(img + PE_OFF, "PE\0\0", 4);
	img[PE_OFF + 4] = 0x64;
	img[PE_OFF + 5] = 0x86;
	img[PE_OFF + 6] = 4;
	img[PE_OFF + 20] = 240;
	section(0, ".text", 0x1000, 0x800);
	section(1, ".data", 0x2000, 0x100);
	section(2, ".sbat", 0x2800, 0x40);
	section(3, ".kernel", 0x3000, 0x123);
	memset(img + 0x3000, 0x7f, 0x123);
	fuzz_emit("gnu_efi_like", img, sizeof(img));
	fuzz_emit("headers_only", img, 0x3000);
	section(3, ".kernel1", 0x3000, 0x123);
	section(1, ".kernel", 0x3f00, 0x100);
	fuzz_emit("kernel_at_the_end", img, sizeof(img));
}

static uint32_t rd(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	const void *sec = NULL;
	uint64_t len = 0, pe, tab, nsec, hit = UINT64_MAX;
	const char *err;

	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	err = pe_section_find(copy, size, ".kernel", &sec, &len);

	/* the promise, restated: the first section header named ".kernel" */
	if (size >= 0x40 && copy[0] == 'M' && copy[1] == 'Z' &&
	    (pe = rd(copy + 0x3c, 4)) <= size - 24 && rd(copy + pe, 4) == 0x4550) {
		nsec = rd(copy + pe + 6, 2);
		tab = pe + 24 + rd(copy + pe + 20, 2);
		for (uint64_t i = 0; i < nsec && nsec <= 96 && tab + 40 * nsec <= size; i++)
			if (!memcmp(copy + tab + 40 * i, ".kernel\0", 8)) {
				hit = tab + 40 * i;
				break;
			}
	}
	if (!err) {
		FUZZ_CHECK(hit != UINT64_MAX);
		FUZZ_CHECK(len && len == rd(copy + hit + 8, 4));
		FUZZ_CHECK((const uint8_t *)sec == copy + rd(copy + hit + 12, 4));
		FUZZ_CHECK((const uint8_t *)sec >= copy && len <= size &&
			   (uint64_t)((const uint8_t *)sec - copy) <= size - len);
	} else {
		FUZZ_CHECK(*err && sec == NULL && len == 0);
		if (!strcmp(err, "own image has no .kernel section"))
			FUZZ_CHECK(hit == UINT64_MAX);
		else if (!strcmp(err, "own image's section lies outside the image"))
			FUZZ_CHECK(hit != UINT64_MAX);
	}
	free(copy);
	return 0;
}
