/* Changes to the live page tables (the loader's, shared by every CPU): 4 KiB
 * mappings outside the direct map, for kernel stacks with guard pages. New
 * table pages come from kmem (FRAME_PURPOSE_PAGE_TABLE). */
#ifndef METASLOT_KERNEL_VM_H
#define METASLOT_KERNEL_VM_H

#include <stdint.h>

#define VM_KSTACK_BASE 0xffffff0000000000ull /* PML4 slot 510: stacks */
#define VM_KSTACK_SLOT (64ull << 10)         /* per CPU: guard gap + stack */
#define KSTACK_SIZE    (16ull << 10)         /* an AP's stack, at the top of its slot */
/* PML4 slot 507: each AP's per-CPU block (at the slot's start) and CPU tables
 * (at VM_PERCPU_TABLES), mapped 4 KiB at a time like the stacks, so that
 * relocation can move their frames without changing a pointer to them. */
#define VM_PERCPU_BASE   0xfffffd8000000000ull
#define VM_PERCPU_SLOT   (128ull << 10)
#define VM_PERCPU_TABLES (64ull << 10)
#define VM_META_BASE   0xfffffe0000000000ull /* PML4 slot 508: the relocated MetaSlot array */

#define VM_UCVIEW_BASE 0xfffffe8000000000ull /* PML4 slot 509: ucview.h */

/* The 4 KiB page-table entry for va, creating the tables above it when
 * `create`; NULL when absent (or no memory for a table) or when a large page
 * covers va. Whoever writes it flushes the TLB entry (invlpg). */
uint64_t *vm_pte(uint64_t va, int create);
/* Maps one 4 KiB page writable; returns 0, or -1 (no memory for a table, or a
 * large page already covers va). */
int vm_map_page(uint64_t va, uint64_t pa);
/* Removes the mapping of one 4 KiB page (if any) and flushes it locally. */
void vm_unmap_page(uint64_t va);
/* The same for one 2 MiB page (va and pa 2 MiB aligned); -1 if misaligned,
 * no memory for a table, or va already mapped. */
int vm_map_large(uint64_t va, uint64_t pa);
void vm_unmap_large(uint64_t va);
/* The physical address va maps to, or UINT64_MAX. */
uint64_t vm_translate(uint64_t va);
/* The leaf entry mapping va (and the bytes it maps in *size), or 0. */
uint64_t vm_leaf(uint64_t va, uint64_t *size);

/* The paging event: the loader's tables as the kernel finds them (page sizes
 * in the direct map, the cache type of RAM, the local APIC and the
 * framebuffer, the PAT), with checks that devices are uncached and RAM is
 * write-back (kernel/mem/vmreport.c). */
struct bootinfo;
void vm_report(const struct bootinfo *bi);

#endif
