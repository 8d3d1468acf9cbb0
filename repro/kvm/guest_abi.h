/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory layout and the guest <-> VMM protocol, shared by the C side
 * and the guest code (lib/guest_code.S).  Plain #defines only, so the
 * assembler can include it.
 *
 * The guest runs in 64-bit long mode with an identity map of the low 4 GiB
 * (2 MiB pages).  RAM is one memslot at GPA 0; everything above it,
 * including GUEST_MMIO_GPA, has no memslot, so accesses there exit to the
 * VMM as KVM_EXIT_MMIO after KVM's instruction emulator decoded them.
 */
#ifndef KFF_GUEST_ABI_H
#define KFF_GUEST_ABI_H

#define GUEST_MEM_SIZE		0x200000
#define GUEST_PML4_GPA		0x1000
#define GUEST_PDPT_GPA		0x2000
#define GUEST_PD_GPA		0x3000	/* four page directories */
#define GUEST_CODE_GPA		0x10000
#define GUEST_CODE_MAX		0x10000
#define GUEST_SHARED_GPA	0x20000	/* the shared area, see SH_* */
#define GUEST_STACK_TOP		0x80000
#define GUEST_MMIO_GPA		0xc0000000

/* Offsets into the shared area; the guest gets its address in RDI. */
#define SH_COUNTER	0x00	/* u64: guest progress, bumped every loop */
#define SH_XCR0		0x08	/* u64: XCR0 as read by XGETBV in the guest */
#define SH_ITER		0x10	/* u64: current iteration */
#define SH_FLAGS	0x18	/* u64: set by the VMM, SHF_* */
#define SH_INNER	0x20	/* u64: in-kernel (CPUID) exits per iteration */
#define SH_OUTER_MASK	0x28	/* u64: userspace exit when (iter & mask) == 0 */
#define SH_MISMATCH	0x30	/* u64: mismatches the guest found */
#define SH_BAD		0x38	/* u64: kind << 16 | dword index of the last */
#define SH_FCW		0x40	/* u16: emulator: the x87 control word to load */
#define SH_EXPECT	0x100	/* 512 bytes: what the registers should hold */
#define SH_SEEN		0x300	/* 512 bytes: what they held */
#define SH_SIZE		0x500

#define SHF_AVX		1	/* use ymm (32 bytes a register) */

/* Ports the guest writes to (always a KVM_EXIT_IO to the VMM). */
#define PORT_XCR0	0xe0	/* eax = low half of XCR0 */
#define PORT_PROGRESS	0xe1	/* eax = iteration */
#define PORT_MISMATCH	0xe2	/* eax = SH_BAD value */
#define PORT_DONE	0xe3	/* probe guest: finished */

/* Kinds of guest-detected mismatches (SH_BAD >> 16). */
#define BAD_FPU_STATE	1	/* fpu-state: registers changed across exits */
#define BAD_AFTER_STORE	2	/* emulator: registers changed by MMIO stores */
#define BAD_MMIO_LOAD_X	3	/* emulator: xmm loaded from MMIO is wrong */
#define BAD_MMIO_LOAD_M	4	/* emulator: mm loaded from MMIO is wrong */

/* MMIO layout for the emulator program (offsets from GUEST_MMIO_GPA). */
#define MMIO_STORE_U	0x000	/* movdqu xmm0-7 -> 8 x 16 bytes */
#define MMIO_STORE_A	0x100	/* movdqa xmm0-7 -> 8 x 16 bytes */
#define MMIO_STORE_M	0x200	/* movq mm0-7 -> 8 x 8 bytes */
#define MMIO_STORE_FCW	0x300	/* fnstcw -> 2 bytes (4 on old KVMs, read first) */
#define MMIO_LOAD_X	0x400	/* movdqu 8 x 16 bytes -> xmm0-7 */
#define MMIO_LOAD_M	0x600	/* movq 8 x 8 bytes -> mm0-7 */
#define MMIO_SIZE	0x1000

/* Pattern salts: who produced a value. */
#define SALT_VMM	0x564d4d00	/* the VMM's own registers */
#define SALT_GUEST	0x47535400	/* fpu-state guest registers */
#define SALT_STORE	0x53544f00	/* emulator: values the guest stores */
#define SALT_LOAD_X	0x4c445800	/* emulator: xmm values the VMM supplies */
#define SALT_LOAD_M	0x4c444d00	/* emulator: mm values the VMM supplies */

/* The x87 control word the emulator guest uses in iteration n. */
#define EMU_FCW(n)	(0x037f | (((n) & 3) << 10))

/* The pattern: dword i of a buffer for iteration n with salt s. */
#define PATTERN_MUL_ITER	0x9e3779b1
#define PATTERN_MUL_INDEX	0x85ebca6b

#endif
