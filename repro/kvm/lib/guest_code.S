/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code for the KVM reproducers.  Each program's guest is one blob
 * between <name>_guest_start and <name>_guest_end, position independent;
 * the VMM copies it to GUEST_CODE_GPA and starts at <name>_guest_entry with
 * RDI = GUEST_SHARED_GPA (64-bit long mode, CPL 0, interrupts off, no IDT:
 * any exception ends in a triple fault, which the VMM reports).
 *
 * The guests never execute XSETBV: the VMM sets the guest's XCR0 with
 * KVM_SET_XCRS.  They read it back with XGETBV, which never exits.
 */
#include "../guest_abi.h"

	.text

/*
 * Routines shared by the blobs, expanded inside each blob (so each copy
 * travels with it) and once more as native functions for the unit tests.
 * They follow the SysV calling convention and touch only RAX, RCX, RDX,
 * RSI, RDI, R8 and R9; never a vector or x87 register.
 *
 * <p>_pattern_fill(buf=RDI, iter=RSI, salt=EDX, ndwords=ECX):
 *	buf[i] = (iter * PATTERN_MUL_ITER) ^ salt ^ (i * PATTERN_MUL_INDEX)
 * <p>_compare(a=RDI, b=RSI, ndwords=EDX) -> EAX:
 *	0 when equal, else 1 + index of the first dword that differs
 */
.macro guest_routines p
	.type \p\()_pattern_fill, @function
\p\()_pattern_fill:
	imul	$PATTERN_MUL_ITER, %esi, %eax
	xor	%edx, %eax
	xor	%r8d, %r8d
1:	cmp	%ecx, %r8d
	jae	2f
	imul	$PATTERN_MUL_INDEX, %r8d, %r9d
	xor	%eax, %r9d
	mov	%r9d, (%rdi, %r8, 4)
	inc	%r8d
	jmp	1b
2:	ret
	.size \p\()_pattern_fill, . - \p\()_pattern_fill

	.type \p\()_compare, @function
\p\()_compare:
	xor	%r8d, %r8d
1:	cmp	%edx, %r8d
	jae	2f
	mov	(%rdi, %r8, 4), %r9d
	cmp	(%rsi, %r8, 4), %r9d
	jne	3f
	inc	%r8d
	jmp	1b
2:	xor	%eax, %eax
	ret
3:	lea	1(%r8), %eax
	ret
	.size \p\()_compare, . - \p\()_compare
.endm

/* Store XCR0 (XGETBV, ECX=0) at SH_XCR0(%rbp) and report it on PORT_XCR0. */
.macro report_xcr0
	xor	%ecx, %ecx
	xgetbv
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, SH_XCR0(%rbp)
	mov	$PORT_XCR0, %dx
	out	%eax, %dx
.endm

/* SH_INNER(%rbp) CPUID exits, each handled inside the kernel. */
.macro cpuid_exits
	mov	SH_INNER(%rbp), %r12
1:	test	%r12, %r12
	jz	2f
	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	dec	%r12
	jmp	1b
2:
.endm

/* Record a guest-found mismatch: EAX = 1 + dword index, \kind = BAD_*. */
.macro report_mismatch kind
	dec	%eax
	or	$(\kind << 16), %eax
	mov	%rax, SH_BAD(%rbp)
	incq	SH_MISMATCH(%rbp)
	mov	$PORT_MISMATCH, %dx
	out	%eax, %dx
.endm

/* ---- probe: can this KVM run our long-mode guest at all? ---- */
	.globl probe_guest_start, probe_guest_entry, probe_guest_end
probe_guest_start:
probe_guest_entry:
	mov	%rdi, %rbp
	report_xcr0
	incq	SH_COUNTER(%rbp)
	mov	$PORT_DONE, %dx
	out	%eax, %dx
1:	hlt
	jmp	1b
probe_guest_end:

/*
 * ---- xcr0: exits, exits, exits, and never a floating-point instruction ----
 * Every iteration: read XCR0, SH_INNER CPUID exits (in the kernel: the guest
 * XCR0 stays loaded), one port write (to the VMM: the window closes and
 * reopens on the next entry).
 */
	.globl xcr0_guest_start, xcr0_guest_entry, xcr0_guest_end
xcr0_guest_start:
xcr0_guest_entry:
	mov	%rdi, %rbp
.Lxcr0_loop:
	xor	%ecx, %ecx
	xgetbv
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, SH_XCR0(%rbp)
	cpuid_exits
	incq	SH_COUNTER(%rbp)
	mov	SH_XCR0(%rbp), %rax
	mov	$PORT_XCR0, %dx
	out	%eax, %dx
	jmp	.Lxcr0_loop
xcr0_guest_end:

/*
 * ---- fpu-state: patterned registers across in-kernel and VMM exits ----
 * Every iteration: fill SH_EXPECT with the iteration's pattern (8 registers
 * x 32 bytes), load xmm0-7 (ymm0-7 with SHF_AVX), SH_INNER CPUID exits, a
 * port write to the VMM when (iter & SH_OUTER_MASK) == 0, then store the
 * registers to SH_SEEN and compare.
 */
	.globl fpu_guest_start, fpu_guest_entry, fpu_guest_end
fpu_guest_start:
	guest_routines fpu
fpu_guest_entry:
	mov	%rdi, %rbp
	report_xcr0
	xor	%r15d, %r15d
.Lfpu_loop:
	mov	%r15, SH_ITER(%rbp)
	lea	SH_EXPECT(%rbp), %rdi
	mov	%r15, %rsi
	mov	$SALT_GUEST, %edx
	mov	$64, %ecx
	call	fpu_pattern_fill
	testq	$SHF_AVX, SH_FLAGS(%rbp)
	jnz	1f
	movdqu	SH_EXPECT + 0 * 32(%rbp), %xmm0
	movdqu	SH_EXPECT + 1 * 32(%rbp), %xmm1
	movdqu	SH_EXPECT + 2 * 32(%rbp), %xmm2
	movdqu	SH_EXPECT + 3 * 32(%rbp), %xmm3
	movdqu	SH_EXPECT + 4 * 32(%rbp), %xmm4
	movdqu	SH_EXPECT + 5 * 32(%rbp), %xmm5
	movdqu	SH_EXPECT + 6 * 32(%rbp), %xmm6
	movdqu	SH_EXPECT + 7 * 32(%rbp), %xmm7
	jmp	2f
1:	vmovdqu	SH_EXPECT + 0 * 32(%rbp), %ymm0
	vmovdqu	SH_EXPECT + 1 * 32(%rbp), %ymm1
	vmovdqu	SH_EXPECT + 2 * 32(%rbp), %ymm2
	vmovdqu	SH_EXPECT + 3 * 32(%rbp), %ymm3
	vmovdqu	SH_EXPECT + 4 * 32(%rbp), %ymm4
	vmovdqu	SH_EXPECT + 5 * 32(%rbp), %ymm5
	vmovdqu	SH_EXPECT + 6 * 32(%rbp), %ymm6
	vmovdqu	SH_EXPECT + 7 * 32(%rbp), %ymm7
2:	cpuid_exits
	mov	SH_OUTER_MASK(%rbp), %rax
	test	%r15, %rax
	jnz	3f
	mov	%r15d, %eax
	mov	$PORT_PROGRESS, %dx
	out	%eax, %dx
3:	/* SH_SEEN := SH_EXPECT, then the registers over it */
	lea	SH_EXPECT(%rbp), %rsi
	lea	SH_SEEN(%rbp), %rdi
	mov	$256, %ecx
	rep movsb
	testq	$SHF_AVX, SH_FLAGS(%rbp)
	jnz	4f
	movdqu	%xmm0, SH_SEEN + 0 * 32(%rbp)
	movdqu	%xmm1, SH_SEEN + 1 * 32(%rbp)
	movdqu	%xmm2, SH_SEEN + 2 * 32(%rbp)
	movdqu	%xmm3, SH_SEEN + 3 * 32(%rbp)
	movdqu	%xmm4, SH_SEEN + 4 * 32(%rbp)
	movdqu	%xmm5, SH_SEEN + 5 * 32(%rbp)
	movdqu	%xmm6, SH_SEEN + 6 * 32(%rbp)
	movdqu	%xmm7, SH_SEEN + 7 * 32(%rbp)
	jmp	5f
4:	vmovdqu	%ymm0, SH_SEEN + 0 * 32(%rbp)
	vmovdqu	%ymm1, SH_SEEN + 1 * 32(%rbp)
	vmovdqu	%ymm2, SH_SEEN + 2 * 32(%rbp)
	vmovdqu	%ymm3, SH_SEEN + 3 * 32(%rbp)
	vmovdqu	%ymm4, SH_SEEN + 4 * 32(%rbp)
	vmovdqu	%ymm5, SH_SEEN + 5 * 32(%rbp)
	vmovdqu	%ymm6, SH_SEEN + 6 * 32(%rbp)
	vmovdqu	%ymm7, SH_SEEN + 7 * 32(%rbp)
5:	lea	SH_EXPECT(%rbp), %rdi
	lea	SH_SEEN(%rbp), %rsi
	mov	$64, %edx
	call	fpu_compare
	test	%eax, %eax
	jz	6f
	report_mismatch BAD_FPU_STATE
6:	incq	SH_COUNTER(%rbp)
	inc	%r15
	jmp	.Lfpu_loop
fpu_guest_end:

/*
 * ---- emulator: SSE and MMX registers through KVM's instruction emulator ----
 * RBX = GUEST_MMIO_GPA, which has no memslot: every access below exits to
 * the VMM after KVM decoded and emulated it.  Stores make the emulator read
 * a vector register (the VMM checks the value); loads make it write one
 * (the guest checks the value).
 */
	.globl emu_guest_start, emu_guest_entry, emu_guest_end
emu_guest_start:
	guest_routines emu
emu_guest_entry:
	mov	%rdi, %rbp
	report_xcr0
	mov	$GUEST_MMIO_GPA, %ebx
	xor	%r15d, %r15d
.Lemu_loop:
	mov	%r15, SH_ITER(%rbp)
	/* 48 dwords: xmm0-7 = dwords 0-31, mm0-7 = dwords 32-47 */
	lea	SH_EXPECT(%rbp), %rdi
	mov	%r15, %rsi
	mov	$SALT_STORE, %edx
	mov	$48, %ecx
	call	emu_pattern_fill
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7
	movdqu	SH_EXPECT + \r * 16(%rbp), %xmm\r
	movq	SH_EXPECT + 128 + \r * 8(%rbp), %mm\r
	.endr
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7
	movdqu	%xmm\r, MMIO_STORE_U + \r * 16(%rbx)
	movdqa	%xmm\r, MMIO_STORE_A + \r * 16(%rbx)
	movq	%mm\r, MMIO_STORE_M + \r * 8(%rbx)
	.endr
	/* x87: fnstcw makes the emulator read the FPU's control word */
	mov	%r15d, %eax
	and	$3, %eax
	shl	$10, %eax
	or	$0x037f, %eax
	mov	%ax, SH_FCW(%rbp)
	fldcw	SH_FCW(%rbp)
	fnstcw	MMIO_STORE_FCW(%rbx)
	/* the stores must not have changed the registers */
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7
	movdqu	%xmm\r, SH_SEEN + \r * 16(%rbp)
	movq	%mm\r, SH_SEEN + 128 + \r * 8(%rbp)
	.endr
	lea	SH_EXPECT(%rbp), %rdi
	lea	SH_SEEN(%rbp), %rsi
	mov	$48, %edx
	call	emu_compare
	test	%eax, %eax
	jz	1f
	report_mismatch BAD_AFTER_STORE
1:	/* loads: the VMM supplies the data, the emulator writes the register */
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7
	movdqu	MMIO_LOAD_X + \r * 16(%rbx), %xmm\r
	movq	MMIO_LOAD_M + \r * 8(%rbx), %mm\r
	.endr
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7
	movdqu	%xmm\r, SH_SEEN + \r * 16(%rbp)
	movq	%mm\r, SH_SEEN + 128 + \r * 8(%rbp)
	.endr
	emms
	lea	SH_EXPECT(%rbp), %rdi
	mov	%r15, %rsi
	mov	$SALT_LOAD_X, %edx
	mov	$32, %ecx
	call	emu_pattern_fill
	lea	SH_EXPECT + 128(%rbp), %rdi
	mov	%r15, %rsi
	mov	$SALT_LOAD_M, %edx
	mov	$16, %ecx
	call	emu_pattern_fill
	lea	SH_EXPECT(%rbp), %rdi
	lea	SH_SEEN(%rbp), %rsi
	mov	$32, %edx
	call	emu_compare
	test	%eax, %eax
	jz	2f
	report_mismatch BAD_MMIO_LOAD_X
2:	lea	SH_EXPECT + 128(%rbp), %rdi
	lea	SH_SEEN + 128(%rbp), %rsi
	mov	$16, %edx
	call	emu_compare
	test	%eax, %eax
	jz	3f
	report_mismatch BAD_MMIO_LOAD_M
3:	incq	SH_COUNTER(%rbp)
	inc	%r15
	jmp	.Lemu_loop
emu_guest_end:

/* ---- the shared routines once more, callable natively (unit tests) ---- */
	.globl native_pattern_fill, native_compare
	guest_routines native

	.section .note.GNU-stack, "", @progbits
