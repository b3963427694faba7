/* Finds a named section in a PE32+ image as the firmware loaded it (sections
 * at their virtual addresses), every header bounds-checked against the
 * image's size. Pure code: no UEFI calls, so the host tests link it. */
#ifndef METASLOT_EFI_PE_SECTION_H
#define METASLOT_EFI_PE_SECTION_H

#include <stddef.h>
#include <stdint.h>

/* On success returns NULL and sets *data and *len to the section's bytes inside
 * [image, image + image_size) (len: its VirtualSize, the bytes the linker
 * put there). Otherwise a static message naming the problem (callers look up .kernel). `name` has at
 * most 8 characters. */
const char *pe_section_find(const void *image, uint64_t image_size, const char *name,
			    const void **data, uint64_t *len);

#endif
