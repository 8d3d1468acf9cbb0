// SPDX-License-Identifier: GPL-2.0
/*
 * fpu-state - bug 2: KVM ignoring TIF_NEED_FPU_LOAD (5.2 ... 5.5, 5.4 before
 * 5.4.19), and the hard-IRQ hole closed in 5.18.
 *
 * The guest's XCR0 is x87|SSE(|AVX).  Every iteration the guest loads
 * xmm0-7 (ymm0-7 with AVX) with a fresh pattern, makes in-kernel exits
 * (CPUID) and now and then an exit to the VMM, then checks its registers.
 * An interrupt that saves the task's FPU registers and clobbers them while
 * KVM believes they hold the guest's (or the VMM's) state shows up as a
 * guest mismatch or as a change of the VMM's own registers across KVM_RUN.
 */
#include "kvm_util.h"

#define FPU_INNER_EXITS 20
#define FPU_OUTER_MASK 3	/* exit to the VMM every 4th iteration */

static void fpu_setup(struct vm *vm, void *ctx)
{
	uint64_t *sh = guest_ptr(vm, GUEST_SHARED_GPA);

	(void)ctx;
	sh[SH_INNER / 8] = FPU_INNER_EXITS;
	sh[SH_OUTER_MASK / 8] = FPU_OUTER_MASK;
	sh[SH_FLAGS / 8] = vm->avx ? SHF_AVX : 0;
}

static const char *const extra[] = { "guest_fpu_preserved" };

static void fpu_report(struct ktap *k, const struct run_result *res)
{
	if (!res->iterations) {
		ktap_skip(k, extra[0], "not exercised: the guest completed no iteration");
		return;
	}
	if (res->guest_mismatches)
		ktap_diag(k, "guest reported %llu register mismatches over %llu iterations; first: %s",
			  (unsigned long long)res->guest_mismatches,
			  (unsigned long long)res->iterations, res->guest_first);
	ktap_result(k, !res->guest_mismatches, extra[0]);
}

int main(int argc, char **argv)
{
	static const struct guest_code code = GUEST_CODE(fpu);
	struct prog p = {
		.name = "fpu-state",
		.what = "Bug 2: the guest keeps xmm0-7 (ymm0-7 with AVX) patterned across\n"
			"in-kernel (CPUID) and userspace exits and checks them every iteration;\n"
			"the VMM checks its own xmm/ymm, MXCSR and x87 control word across every\n"
			"KVM_RUN. With irq_fpu_stress loaded (clobber=1), the stress interrupts\n"
			"must land on the running vCPU (vcpu_* moved) for the run to count.\n",
		.xcr0 = prog_vector_xcr0(),
		.code = &code,
		.setup = fpu_setup,
		.window = WINDOW_VCPU,
		.nextra = 1,
		.extra_names = extra,
		.report = fpu_report,
	};

	return prog_main(&p, argc, argv);
}
