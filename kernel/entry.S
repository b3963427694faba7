/* Kernel entry from the loader: rdi = physical address of struct bootinfo,
 * interrupts off, the loader's page tables in CR3. Switch to our own stack
 * and call kmain, which never returns. */
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	cld
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	call	kmain
1:	hlt
	jmp	1b

	.section .bss
	.balign 4096	/* the lowest page is unmapped later: the stack's guard */
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip 65536
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
