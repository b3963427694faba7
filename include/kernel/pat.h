/* The page attribute table (IA32_PAT, SDM 11.12): the eight memory types a
 * page-table entry selects with its PAT, PCD and PWT bits. The kernel writes
 * the same table on every CPU (pat_init_cpu, boot CPU and each AP) instead of
 * trusting what the firmware left:
 *   entries 0, 1, 3  WB, WT, UC: the power-on values, which the loader's
 *                 tables rely on (it only sets PCD and PWT, efi/physmap.h);
 *   entry 2       WC, where power-on has UC-: the framebuffer's, the only
 *                 mapping that selects it (PHYSMAP_FB), so the screen is
 *                 drawn write-combining whatever the MTRRs say (SDM
 *                 11.5.2.2: PAT WC wins over an MTRR UC), in the direct
 *                 map and the identity alias alike;
 *   entry 4       UC, where power-on has WB: the audit's uncached view
 *                 (kernel/mem/ucview.c), the only mapping with the PAT bit
 *                 set, so a leaf that selects it was written by the kernel;
 *   entries 5..7  WT, UC-, UC (power-on).
 * Entry 4 changes while no mapping selects it; entry 2 goes from UC- to
 * WC, neither of which caches a line, so neither needs a cache flush (SDM
 * 11.12.4); the TLB is flushed. A CPU whose PAT is not yet written maps the
 * framebuffer UC- meanwhile: an AP does before it draws anything. The
 * builders are pure and host-tested. */
#ifndef METASLOT_KERNEL_PAT_H
#define METASLOT_KERNEL_PAT_H

#include <stdint.h>

#define MSR_PAT 0x277

enum pat_type { PAT_UC = 0, PAT_WC = 1, PAT_WT = 4, PAT_WP = 5, PAT_WB = 6, PAT_UC_MINUS = 7 };

#define PAT_INDEX_UCVIEW 4u

/* The value pat_init_cpu writes. */
uint64_t pat_value(void);
/* The memory type entry `index` of a PAT value holds. */
enum pat_type pat_entry(uint64_t pat, unsigned index);
const char *pat_type_name(enum pat_type t);
/* The PAT, PCD and PWT bits of a leaf selecting entry `index` (0..7): the
 * PAT bit is bit 7 in a 4 KiB entry, bit 12 in a 2 MiB or 1 GiB one. */
uint64_t pat_leaf_bits(unsigned index, uint64_t leaf_size);
/* A present, writable 4 KiB entry for page `pa` selecting entry `index`. */
uint64_t pat_pte_4k(uint64_t pa, unsigned index);
/* The entry a leaf of that size selects. */
unsigned pat_leaf_index(uint64_t leaf, uint64_t leaf_size);

/* Writes pat_value() into this CPU's IA32_PAT and flushes its TLB. */
void pat_init_cpu(void);

#endif
