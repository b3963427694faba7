/* Exception entry stubs: make every vector's frame look the same (a zero
 * error code where the CPU pushes none, then the vector), save the general
 * registers and call trap_handler(frame). */
	.text

.macro STUB vec, has_err
	.globl isr_\vec
isr_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	isr_common
.endm

STUB 0,0;  STUB 1,0;  STUB 2,0;  STUB 3,0;  STUB 4,0;  STUB 5,0;  STUB 6,0;  STUB 7,0
STUB 8,1;  STUB 9,0;  STUB 10,1; STUB 11,1; STUB 12,1; STUB 13,1; STUB 14,1; STUB 15,0
STUB 16,0; STUB 17,1; STUB 18,0; STUB 19,0; STUB 20,0; STUB 21,1; STUB 22,0; STUB 23,0
STUB 24,0; STUB 25,0; STUB 26,0; STUB 27,0; STUB 28,0; STUB 29,1; STUB 30,1; STUB 31,0
STUB 239,0	/* LAPIC_TIMER_VECTOR: a resting CPU's wake-up */
STUB 240,0	/* IPI_WAKEUP: an idle AP has work */
STUB 255,0	/* the APIC's spurious vector */

isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	mov	%rsp, %rdi
	mov	%rsp, %rbx
	and	$-16, %rsp
	call	trap_handler
	mov	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	add	$16, %rsp
	iretq

	.section .rodata
	.globl isr_table
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\v
	.endr
	.globl isr_timer, isr_wakeup, isr_spurious
isr_timer:	.quad isr_239
isr_wakeup:	.quad isr_240
isr_spurious:	.quad isr_255

	.section .note.GNU-stack, "", @progbits
