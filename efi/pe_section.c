/* PE32+ section lookup in a loaded image (pe_section.h). The layout: an MZ
 * header whose e_lfanew (0x3c) points at "PE\0\0", the 20-byte COFF header
 * (NumberOfSections at +6, SizeOfOptionalHeader at +20), the optional header,
 * then 40-byte section headers (Name[8], VirtualSize, VirtualAddress, ...).
 * Any of these can be garbage if the image was tampered with (or the
 * firmware lies about ImageSize), so each read is checked first. */
#include "pe_section.h"

#define PE_MAX_SECTIONS 96 /* the PE/COFF limit for images */

static uint32_t rd16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}

const char *pe_section_find(const void *image, uint64_t image_size, const char *name,
			    const void **data, uint64_t *len)
{
	const uint8_t *img = image;

	if (!img || image_size < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return "own image has no MZ header";
	uint64_t pe = rd32(img + 0x3c);

	if (pe > image_size - 24 || rd32(img + pe) != 0x00004550)
		return "own image has no PE header";
	uint32_t nsec = rd16(img + pe + 6);
	uint64_t tab = pe + 24 + rd16(img + pe + 20);

	if (nsec > PE_MAX_SECTIONS || tab + 40ull * nsec > image_size)
		return "own image's section table is out of bounds";
	for (uint32_t i = 0; i < nsec; i++) {
		const uint8_t *s = img + tab + 40ull * i;
		int match = 1;

		/* Name: 8 bytes, NUL-padded only when shorter */
		for (int k = 0; k < 8; k++) {
			char c = name[k];

			if ((uint8_t)s[k] != (uint8_t)c) {
				match = 0;
				break;
			}
			if (!c)
				break;
		}
		if (!match)
			continue;
		uint64_t vsize = rd32(s + 8), va = rd32(s + 12);

		if (vsize == 0 || va > image_size || vsize > image_size - va)
			return "own image's section lies outside the image";
		*data = img + va;
		*len = vsize;
		return NULL;
	}
	return "own image has no .kernel section";
}
