/* AP start-up trampoline, copied to the page the loader reserved below 1 MiB.
 * A SIPI starts the AP in real mode at CS = page >> 4, IP = 0. From there:
 * load a GDT, enable PAE, load the kernel's CR3 (the loader keeps the tables
 * below 4 GiB for this 32-bit load), set EFER.LME, load CR0 with paging,
 * protection and caching on, far-jump into 64-bit code — all identity-mapped.
 * Then claim the slot (so an AP that arrives late, after its start-up timed
 * out, stops here instead of sharing a stack), take the stack and per-CPU
 * pointer the BSP left, say so (the BSP re-arms the block for the next AP
 * only then), and jump to ap_entry in the higher half.
 *
 * The BSP patches TR_GDTR_BASE and TR_LJMP_TARGET with linear addresses and
 * fills the data block (see struct trampoline_data in smp.c: same offsets). */
	.section .rodata.trampoline, "a"
	.globl trampoline_start, trampoline_end
	.code16
trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	(tr_gdtr - trampoline_start)
	mov	%cr4, %eax
	or	$0x20, %eax			/* CR4.PAE */
	mov	%eax, %cr4
	movl	(tr_cr3 - trampoline_start), %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx		/* EFER */
	rdmsr
	or	$0x100, %eax			/* LME */
	wrmsr
	/* A known CR0, not the one INIT left: that has CD and NW set (caches
	 * off), which would run this CPU uncached for good. */
	mov	$0x80010033, %eax		/* PG | WP | NE | ET | MP | PE */
	mov	%eax, %cr0
	.byte	0x66, 0xea			/* ljmpl $0x08, $target */
tr_ljmp_target:
	.long	0
	.word	0x08

	.code64
tr_long:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$1, %eax			/* armed */
	mov	$2, %ecx			/* taken */
	lock cmpxchgl %ecx, tr_claim(%rip)
	jne	1f
	mov	tr_stack(%rip), %rsp
	mov	tr_percpu(%rip), %rdi
	mov	tr_entry(%rip), %rax
	movl	$3, tr_claim(%rip)		/* read: the BSP may re-arm the block */
	xor	%ebp, %ebp
	jmp	*%rax
1:	cli				/* not armed for us: stop for good */
	hlt
	jmp	1b

	.balign 8
tr_gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
tr_gdtr:
	.word	tr_gdtr - tr_gdt - 1
	.long	0				/* patched: linear address of tr_gdt */
	.balign 8
tr_cr3:		.quad 0
tr_stack:	.quad 0
tr_percpu:	.quad 0
tr_entry:	.quad 0
tr_claim:	.long 0				/* 0 idle, 1 armed, 2 taken, 3 read */
	.long	0
trampoline_end:

	.globl TR_GDT, TR_GDTR_BASE, TR_LJMP_TARGET, TR_LONG, TR_DATA
	.set	TR_GDT, tr_gdt - trampoline_start
	.set	TR_GDTR_BASE, tr_gdtr + 2 - trampoline_start
	.set	TR_LJMP_TARGET, tr_ljmp_target - trampoline_start
	.set	TR_LONG, tr_long - trampoline_start
	.set	TR_DATA, tr_cr3 - trampoline_start

	.section .note.GNU-stack, "", @progbits
