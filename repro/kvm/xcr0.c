// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0 - bug 1: an interrupt uses the FPU while KVM has the guest's XCR0
 * loaded (3.10 ... 4.1 with eager FPU).
 *
 * The guest's XCR0 is 1 (x87 only), set with KVM_SET_XCRS; the guest never
 * executes a floating-point instruction, so a lazy-FPU KVM leaves the guest
 * FPU inactive while the guest XCR0 stays loaded across every in-kernel
 * exit.  The guest loops on CPUID (in-kernel exits) and a port write (exit
 * to the VMM), and reads XCR0 back with XGETBV.  When an interrupt's
 * kernel_fpu_begin()/end() runs in that window, XRSTOR faults on the VMM's
 * state: on 3.x the VMM dies with SIGSEGV, on 4.1 its FPU state is reset.
 * The VMM therefore runs in a child process and checks its own xmm
 * registers, MXCSR and x87 control word after every KVM_RUN.
 */
#include "kvm_util.h"

#define XCR0_INNER_EXITS 50

static void xcr0_setup(struct vm *vm, void *ctx)
{
	uint64_t *sh = guest_ptr(vm, GUEST_SHARED_GPA);

	(void)ctx;
	sh[SH_INNER / 8] = XCR0_INNER_EXITS;
}

int main(int argc, char **argv)
{
	static const struct guest_code code = GUEST_CODE(xcr0);
	struct prog p = {
		.name = "xcr0",
		.what = "Bug 1: guest XCR0=1 (set with KVM_SET_XCRS) stays loaded while the\n"
			"guest makes in-kernel exits and never touches the FPU; an interrupt that\n"
			"uses the FPU in that window kills the VMM (3.x) or resets its FPU (4.1).\n"
			"Checks: the VMM survives, its registers are intact after every KVM_RUN,\n"
			"the guest progressed and read XCR0=1; with irq_fpu_stress loaded, the\n"
			"stress interrupts reached the window (guest_xcr0_* or vcpu_* moved).\n",
		.xcr0 = 1,
		.code = &code,
		.setup = xcr0_setup,
		.window = WINDOW_XCR0,
	};

	return prog_main(&p, argc, argv);
}
