/* MetaSlot frame allocator: public API (C naming of the seed API; see DESIGN.md).
 * Minimal first version: the constants and metadata_size_for, which the loader
 * also links. The rest of the seed API is added by the mm/ work. */
#ifndef METASLOT_MM_FRAME_H
#define METASLOT_MM_FRAME_H

#include <stdint.h>

#define PAGE_SIZE        4096ull
#define FRAME_META_SIZE  64ull
#define FRAME_META_ALIGN 64ull

/* Bytes of metadata array needed to cover physical addresses [0, ram_size):
 * one FRAME_META_SIZE slot per 4 KiB frame (a partial frame counts), rounded
 * up to a whole page. Pure arithmetic: the loader links this file alone. */
uint64_t metadata_size_for(uint64_t ram_size);

#endif
