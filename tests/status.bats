#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/status: verdicts from code shapes (generated trees for every
# verdict of both bugs), bad input, the real bases when cached, and
# Debian's 5.10 / 6.1 / 6.12 kernel sources (reduced to the files status
# reads).  The generated files mimic the shapes of the real code with a few
# lines each; they are not kernel source.

load helpers

# The user's cache, captured before any test points KFF_CACHE elsewhere:
# real base trees and Debian sources are looked up there.
USER_CACHE=${KFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}

setup() {
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	T=$BATS_TEST_TMPDIR/tree
}

# w PATH: append stdin to $T/PATH.
w() {
	mkdir -p "$(dirname "$T/$1")"
	cat >>"$T/$1"
}

makefile() {
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\nNAME = Fixture\n' "$1" "$2" "$3" | w Makefile
}

status_json() { "$SCRIPTS/status" "$T" --json; }

# ---- FPU code shapes -------------------------------------------------------

# 3.x: i387.c, in eager mode an interrupt may use the FPU when the task owns it.
fpu_i387_3x() {
	w arch/x86/kernel/i387.c <<'C'
static inline bool interrupted_kernel_fpu_idle(void)
{
	if (use_eager_fpu())
		return __thread_has_fpu(current);

	return !__thread_has_fpu(current) &&
		(read_cr0() & X86_CR0_TS);
}

bool irq_fpu_usable(void)
{
	return !in_interrupt() ||
		interrupted_user_mode() ||
		interrupted_kernel_fpu_idle();
}
EXPORT_SYMBOL(irq_fpu_usable);
C
}

# 4.0/4.1: i387.c with the per-CPU in_kernel_fpu.
fpu_i387_41() {
	w arch/x86/kernel/i387.c <<'C'
static DEFINE_PER_CPU(bool, in_kernel_fpu);

void kernel_fpu_disable(void)
{
	this_cpu_write(in_kernel_fpu, true);
}

static inline bool interrupted_kernel_fpu_idle(void)
{
	if (this_cpu_read(in_kernel_fpu))
		return false;

	if (use_eager_fpu())
		return true;

	return !__thread_has_fpu(current) &&
		(read_cr0() & X86_CR0_TS);
}

bool irq_fpu_usable(void)
{
	return !in_interrupt() ||
		interrupted_user_mode() ||
		interrupted_kernel_fpu_idle();
}
C
}

# The fix of stable-3.11/stable-4.x: a per-CPU "guest XCR0 loaded" flag that
# the interrupt path reads and KVM's XCR0 loader sets through a helper.
fpu_i387_flag() {
	w arch/x86/include/asm/i387.h <<'C'
DECLARE_PER_CPU(bool, fixture_guest_xcr0);

static inline void fixture_guest_xcr0_set(void)
{
	this_cpu_write(fixture_guest_xcr0, true);
	barrier();
}

static inline void fixture_guest_xcr0_clear(void)
{
	barrier();
	this_cpu_write(fixture_guest_xcr0, false);
}
C
	w arch/x86/kernel/i387.c <<'C'
DEFINE_PER_CPU(bool, fixture_guest_xcr0);

static inline bool interrupted_kernel_fpu_idle(void)
{
	if (use_eager_fpu())
		return __thread_has_fpu(current) &&
			!this_cpu_read(fixture_guest_xcr0);

	return !__thread_has_fpu(current) &&
		(read_cr0() & X86_CR0_TS);
}

bool irq_fpu_usable(void)
{
	return !in_interrupt() ||
		interrupted_user_mode() ||
		interrupted_kernel_fpu_idle();
}
C
}

# 4.2 .. 5.17: arch/x86/kernel/fpu/core.c, no hard-IRQ rule.
fpu_core_4x5x() {
	w arch/x86/kernel/fpu/core.c <<'C'
static DEFINE_PER_CPU(bool, in_kernel_fpu);

static bool interrupted_kernel_fpu_idle(void)
{
	return !this_cpu_read(in_kernel_fpu);
}

bool irq_fpu_usable(void)
{
	return !in_interrupt() ||
		interrupted_user_mode() ||
		interrupted_kernel_fpu_idle();
}
C
}

# 5.18+ (or our follow-up): a hard interrupt that hit with softirqs
# disabled (inside fpregs_lock()) may not use the FPU.
fpu_core_hardirq() {
	w arch/x86/kernel/fpu/core.c <<'C'
static DEFINE_PER_CPU(bool, in_kernel_fpu);

bool irq_fpu_usable(void)
{
	if (this_cpu_read(in_kernel_fpu))
		return false;
	if (!in_hardirq())
		return true;
	return !softirq_count();
}

void fpu_swap_kvm_fpstate(struct fpu_guest *guest_fpu, bool enter_guest)
{
	struct fpu *fpu = &current->thread.fpu;

	fpregs_lock();
	if (!test_thread_flag(TIF_NEED_FPU_LOAD))
		save_fpregs_to_fpstate(fpu);
	fpu_fixture_swap(guest_fpu, enter_guest);
	fpregs_unlock();
}
C
}

tif_define() {
	w arch/x86/include/asm/thread_info.h <<'C'
#define TIF_NEED_FPU_LOAD	14	/* fixture */
C
}

# ---- KVM shapes ------------------------------------------------------------

kvm_xcr0_helpers() {
	w arch/x86/kvm/x86.c <<'C'
static void kvm_load_guest_xcr0(struct kvm_vcpu *vcpu)
{
	if (kvm_read_cr4_bits(vcpu, X86_CR4_OSXSAVE) &&
			!vcpu->guest_xcr0_loaded) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0);
		vcpu->guest_xcr0_loaded = 1;
	}
}

static void kvm_put_guest_xcr0(struct kvm_vcpu *vcpu)
{
	if (vcpu->guest_xcr0_loaded) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
		vcpu->guest_xcr0_loaded = 0;
	}
}
C
}

# As above, with the flag of fpu_i387_flag set and cleared.
kvm_xcr0_helpers_flag() {
	w arch/x86/kvm/x86.c <<'C'
static void kvm_load_guest_xcr0(struct kvm_vcpu *vcpu)
{
	if (kvm_read_cr4_bits(vcpu, X86_CR4_OSXSAVE) &&
			!vcpu->guest_xcr0_loaded) {
		fixture_guest_xcr0_set();
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0);
		vcpu->guest_xcr0_loaded = 1;
	}
}

static void kvm_put_guest_xcr0(struct kvm_vcpu *vcpu)
{
	if (vcpu->guest_xcr0_loaded) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
		fixture_guest_xcr0_clear();
		vcpu->guest_xcr0_loaded = 0;
	}
}
C
}

# 3.11: lazy guest FPU, guest XCR0 loaded before interrupts are disabled.
kvm_enter_311() {
	w arch/x86/kvm/x86.c <<'C'
static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	if (kvm_check_request(KVM_REQ_DEACTIVATE_FPU, vcpu)) {
		vcpu->fpu_active = 0;
		kvm_x86_ops->fpu_deactivate(vcpu);
	}

	preempt_disable();

	if (vcpu->fpu_active)
		kvm_load_guest_fpu(vcpu);
	kvm_load_guest_xcr0(vcpu);

	local_irq_disable();

	kvm_x86_ops->run(vcpu);

	local_irq_enable();
	return 1;
}

void kvm_put_guest_fpu(struct kvm_vcpu *vcpu)
{
	kvm_put_guest_xcr0(vcpu);
	fpu_save_init(&vcpu->arch.guest_fpu);
	kvm_make_request(KVM_REQ_DEACTIVATE_FPU, vcpu);
}
C
}

# 4.1.y with fc5b7f3bf1e1: lazy guest FPU (unless MPX), guest XCR0 loaded and
# put only with interrupts disabled.
kvm_enter_41_irqoff() {
	w arch/x86/kvm/x86.c <<'C'
static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	preempt_disable();

	if (vcpu->fpu_active)
		kvm_load_guest_fpu(vcpu);

	local_irq_disable();

	kvm_load_guest_xcr0(vcpu);

	kvm_x86_ops->run(vcpu);

	kvm_put_guest_xcr0(vcpu);

	kvm_x86_ops->handle_external_intr(vcpu);
	return 1;
}

void kvm_put_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpu_save_init(&vcpu->arch.guest_fpu);
	if (!vcpu->arch.eager_fpu)
		kvm_make_request(KVM_REQ_DEACTIVATE_FPU, vcpu);
}
C
}

# 4.2 (653f52c316a4): no deactivation of the guest FPU in eager mode.
kvm_enter_42() {
	w arch/x86/kvm/x86.c <<'C'
static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	preempt_disable();

	if (vcpu->fpu_active)
		kvm_load_guest_fpu(vcpu);
	kvm_load_guest_xcr0(vcpu);

	local_irq_disable();
	kvm_x86_ops->run(vcpu);
	return 1;
}

void kvm_put_guest_fpu(struct kvm_vcpu *vcpu)
{
	copy_fpregs_to_fpstate(&vcpu->arch.guest_fpu);
	if (!use_eager_fpu()) {
		if (++vcpu->fpu_counter < 5)
			kvm_make_request(KVM_REQ_DEACTIVATE_FPU, vcpu);
	}
}
C
}

# 5.1+: the vendor run callbacks load the guest XCR0 (SVM after CLGI).
kvm_vendor_xcr0() {
	w arch/x86/kvm/svm.c <<'C'
static void svm_vcpu_run(struct kvm_vcpu *vcpu)
{
	clgi();
	kvm_load_guest_xcr0(vcpu);
	local_irq_enable();
	svm_fixture_vmrun(vcpu);
	local_irq_disable();
	kvm_put_guest_xcr0(vcpu);
	stgi();
}
C
	w arch/x86/kvm/vmx/vmx.c <<'C'
static void vmx_vcpu_run(struct kvm_vcpu *vcpu)
{
	kvm_load_guest_xcr0(vcpu);
	vmx_fixture_vmlaunch(vcpu);
	kvm_put_guest_xcr0(vcpu);
}
C
}

# 5.2 .. 5.4.18 / 5.5.2: registers saved unconditionally, reload on sched-in.
kvm_tif_broken() {
	w arch/x86/kvm/x86.c <<'C'
void kvm_arch_vcpu_load(struct kvm_vcpu *vcpu, int cpu)
{
	kvm_x86_ops->vcpu_load(vcpu, cpu);

	fpregs_assert_state_consistent();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	preempt_disable();
	local_irq_disable();
	WARN_ON_ONCE(test_thread_flag(TIF_NEED_FPU_LOAD));
	kvm_x86_ops->run(vcpu);
	return 1;
}

static void kvm_load_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpregs_lock();

	copy_fpregs_to_fpstate(vcpu->arch.user_fpu);
	__copy_kernel_to_fpregs(&vcpu->arch.guest_fpu->state, ~0ULL);

	fpregs_mark_activate();
	fpregs_unlock();
}

static void kvm_put_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpregs_lock();

	copy_fpregs_to_fpstate(vcpu->arch.guest_fpu);
	copy_kernel_to_fpregs(&vcpu->arch.user_fpu->state);

	fpregs_mark_activate();
	fpregs_unlock();
}
C
}

emu_broken() {
	w arch/x86/kvm/emulate.c <<'C'
static void read_sse_reg(struct x86_emulate_ctxt *ctxt, sse128_t *data, int reg)
{
	switch (reg) {
	case 0: asm("movdqa %%xmm0, %0" : "=m"(*data)); break;
	default: BUG();
	}
}

static int em_fninit(struct x86_emulate_ctxt *ctxt)
{
	asm volatile("fninit");
	return X86EMUL_CONTINUE;
}

static void decode_register_operand(struct x86_emulate_ctxt *ctxt, struct operand *op)
{
	read_sse_reg(ctxt, &op->vec_val, 0);
}
C
}

# 5.4.19+ / 5.5.3+ / 5.6+: the three upstream fixes.
kvm_tif_fixed() {
	w arch/x86/kvm/x86.c <<'C'
void kvm_arch_vcpu_load(struct kvm_vcpu *vcpu, int cpu)
{
	kvm_x86_ops->vcpu_load(vcpu, cpu);
}

static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	preempt_disable();
	local_irq_disable();

	fpregs_assert_state_consistent();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	kvm_x86_ops->run(vcpu);
	return 1;
}

static void kvm_save_current_fpu(struct fpu *fpu)
{
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		memcpy(&fpu->state, &current->thread.fpu.state, fpu_kernel_xstate_size);
	else
		copy_fpregs_to_fpstate(fpu);
}

static void kvm_load_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpregs_lock();

	kvm_save_current_fpu(vcpu->arch.user_fpu);
	__copy_kernel_to_fpregs(&vcpu->arch.guest_fpu->state, ~0ULL);

	fpregs_mark_activate();
	fpregs_unlock();
}

static void kvm_put_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpregs_lock();

	kvm_save_current_fpu(vcpu->arch.guest_fpu);
	copy_kernel_to_fpregs(&vcpu->arch.user_fpu->state);

	fpregs_mark_activate();
	fpregs_unlock();
}
C
}

emu_fixed() {
	w arch/x86/kvm/emulate.c <<'C'
static inline void emulator_get_fpu(void)
{
	fpregs_lock();

	fpregs_assert_state_consistent();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

static inline void emulator_put_fpu(void)
{
	fpregs_unlock();
}

static void read_sse_reg(sse128_t *data, int reg)
{
	emulator_get_fpu();
	switch (reg) {
	case 0: asm("movdqa %%xmm0, %0" : "=m"(*data)); break;
	default: BUG();
	}
	emulator_put_fpu();
}

static int em_fninit(struct x86_emulate_ctxt *ctxt)
{
	emulator_get_fpu();
	asm volatile("fninit");
	emulator_put_fpu();
	return X86EMUL_CONTINUE;
}

static int fxregs_fixup(struct fxregs_state *fx_state, const size_t used_size)
{
	struct fxregs_state fx_tmp;

	return asm_safe("fxsave %[fx]", , [fx] "+m"(fx_tmp));
}

static int em_fxrstor(struct x86_emulate_ctxt *ctxt)
{
	int rc;

	emulator_get_fpu();
	rc = fxregs_fixup(&fx_state, size);
	emulator_put_fpu();
	return rc;
}
C
}

# 6.x: fpu_swap_kvm_fpstate() in the core and kvm_fpu_get() in kvm/fpu.h.
kvm_tif_6x() {
	w arch/x86/kvm/x86.c <<'C'
void kvm_load_guest_xsave_state(struct kvm_vcpu *vcpu)
{
	if (kvm_is_cr4_bit_set(vcpu, X86_CR4_OSXSAVE)) {
		if (vcpu->arch.xcr0 != host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0);
	}
}

static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	preempt_disable();
	local_irq_disable();

	fpregs_assert_state_consistent();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	static_call(kvm_x86_vcpu_run)(vcpu);
	return 1;
}

static void kvm_load_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, true);
}

static void kvm_put_guest_fpu(struct kvm_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, false);
}
C
	w arch/x86/kvm/fpu.h <<'C'
static inline void _kvm_read_sse_reg(int reg, sse128_t *data)
{
	switch (reg) {
	case 0: asm("movdqa %%xmm0, %0" : "=m"(*data)); break;
	default: BUG();
	}
}

static inline void kvm_fpu_get(void)
{
	fpregs_lock();

	fpregs_assert_state_consistent();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

static inline void kvm_fpu_put(void)
{
	fpregs_unlock();
}

static inline void kvm_read_sse_reg(int reg, sse128_t *data)
{
	kvm_fpu_get();
	_kvm_read_sse_reg(reg, data);
	kvm_fpu_put();
}
C
	w arch/x86/kvm/vmx/vmx.c <<'C'
static fastpath_t vmx_vcpu_run(struct kvm_vcpu *vcpu)
{
	kvm_load_guest_xsave_state(vcpu);
	vmx_fixture_vmlaunch(vcpu);
	kvm_load_host_xsave_state(vcpu);
	return EXIT_FASTPATH_NONE;
}
C
}

# ---- whole trees -----------------------------------------------------------

tree_311() { makefile 3 11 0; fpu_i387_3x; kvm_xcr0_helpers; kvm_enter_311; }
tree_311_stack() { makefile 3 11 0; fpu_i387_flag; kvm_xcr0_helpers_flag; kvm_enter_311; }
tree_41_old() { makefile 4 1 0; fpu_i387_41; kvm_xcr0_helpers; kvm_enter_311; }
tree_41_52() { makefile 4 1 52; fpu_i387_41; kvm_xcr0_helpers; kvm_enter_41_irqoff; }
tree_41_52_stack() { makefile 4 1 52; fpu_i387_flag; kvm_xcr0_helpers_flag; kvm_enter_41_irqoff; }
tree_42() { makefile 4 2 0; fpu_core_4x5x; kvm_xcr0_helpers; kvm_enter_42; }
tree_5418() { makefile 5 4 18; fpu_core_4x5x; tif_define; kvm_xcr0_helpers; kvm_vendor_xcr0; kvm_tif_broken; emu_broken; }
tree_5419() { makefile 5 4 19; fpu_core_4x5x; tif_define; kvm_xcr0_helpers; kvm_vendor_xcr0; kvm_tif_fixed; emu_fixed; }
tree_6x() { makefile 6 1 0; fpu_core_hardirq; tif_define; kvm_tif_6x; }

# ---- usage and bad input ---------------------------------------------------

@test "status --help prints the usage and exits 0" {
	run "$SCRIPTS/status" --help
	[ "$status" -eq 0 ]
	[[ $output == *"scripts/status <tree-dir|base> [--json]"* ]]
	[[ $output == *"--verdict-only"* ]]
}

@test "status without a tree exits 2 and says what is missing" {
	run "$SCRIPTS/status"
	[ "$status" -eq 2 ]
	[ "$output" = "status: missing tree: scripts/status <tree-dir|base> [--json]" ]
}

@test "status with an unknown option exits 2" {
	tree_311
	run "$SCRIPTS/status" "$T" --frobnicate
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--frobnicate'"* ]]
}

@test "status with an unknown bug exits 2" {
	tree_311
	run "$SCRIPTS/status" "$T" --bug xcr1 --verdict-only
	[ "$status" -eq 2 ]
	[[ $output == *"unknown bug 'xcr1' (use --bug xcr0 or --bug tif_need_fpu_load)"* ]]
}

@test "status --bug without a value exits 2" {
	run "$SCRIPTS/status" "$T" --bug
	[ "$status" -eq 2 ]
	[[ $output == *"--bug needs a value"* ]]
}

@test "status --verdict-only without --bug exits 2" {
	tree_311
	run "$SCRIPTS/status" "$T" --verdict-only
	[ "$status" -eq 2 ]
	[[ $output == *"--verdict-only needs --bug"* ]]
}

@test "status with two trees exits 2" {
	tree_311
	run "$SCRIPTS/status" "$T" "$T"
	[ "$status" -eq 2 ]
	[[ $output == *"one tree at a time"* ]]
}

@test "status on a directory that does not exist exits 2" {
	run "$SCRIPTS/status" "$BATS_TEST_TMPDIR/nope/"
	[ "$status" -eq 2 ]
	[[ $output == *"does not exist"* ]]
}

@test "status on a directory that is not a kernel tree exits 2" {
	mkdir -p "$T/docs"
	echo hi >"$T/docs/x"
	run "$SCRIPTS/status" "$T"
	[ "$status" -eq 2 ]
	[[ $output == *"is not a kernel source tree"* ]]
}

@test "status on a kernel tree without arch/x86/kvm/x86.c exits 2" {
	makefile 6 1 0
	fpu_core_4x5x
	run "$SCRIPTS/status" "$T"
	[ "$status" -eq 2 ]
	[[ $output == *"has no arch/x86/kvm/x86.c"* ]]
}

@test "status on an unknown base name exits 2" {
	run "$SCRIPTS/status" no-such-base
	[ "$status" -eq 2 ]
	[[ $output == *"unknown base 'no-such-base'"* ]]
}

@test "status on a known base that is not cached exits 4 with the command" {
	run "$SCRIPTS/status" v3.11
	[ "$status" -eq 4 ]
	[[ $output == *"base 'v3.11' is not in the cache"* ]]
	[[ $output == *"scripts/tree"* ]]
}

@test "status --files with a tree exits 2" {
	tree_311
	run "$SCRIPTS/status" --files "$T"
	[ "$status" -eq 2 ]
	[[ $output == *"--files takes no tree"* ]]
}

@test "status --files lists the files it reads" {
	run "$SCRIPTS/status" --files
	[ "$status" -eq 0 ]
	[[ $output == *"arch/x86/kvm/x86.c"* ]]
	[[ $output == *"arch/x86/kernel/i387.c"* ]]
	[[ $output == *"arch/x86/kernel/fpu/core.c"* ]]
	[[ $output == *"arch/x86/kvm/emulate.c"* ]]
}

@test "status reads a cached base by name" {
	tree_311
	mkdir -p "$KFF_CACHE/trees"
	cp -r "$T" "$KFF_CACHE/trees/v3.11"
	git -C "$KFF_CACHE/trees/v3.11" init -q
	run "$SCRIPTS/status" v3.11 --bug xcr0 --verdict-only
	[ "$status" -eq 0 ]
	[ "$output" = affected ]
}

# ---- bug 1 (xcr0) ----------------------------------------------------------

@test "xcr0: the 3.11 shape is affected, with the load site as evidence" {
	tree_311
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = affected ]
	jq -e '.xcr0.evidence[] | select(.file == "arch/x86/kvm/x86.c" and .function == "vcpu_enter_guest" and .text == "kvm_load_guest_xcr0(vcpu);")' <<<"$output"
	jq -e '.xcr0.evidence[] | select(.function == "interrupted_kernel_fpu_idle" and .line == 4)' <<<"$output"
	jq -e '.xcr0.evidence[] | select(.function == "kvm_put_guest_fpu" and (.text | test("KVM_REQ_DEACTIVATE_FPU")))' <<<"$output"
}

@test "xcr0: the human output has verdict, reason and file:line function: text" {
	tree_311
	run "$SCRIPTS/status" "$T"
	[ "$status" -eq 0 ]
	[[ $output == *"xcr0 (bug 1, guest XCR0 live while an interrupt uses the FPU): affected"* ]]
	[[ $output == *"  reason: KVM loads the guest's XCR0 with interrupts enabled"* ]]
	[[ $output == *"  arch/x86/kvm/x86.c:"*" vcpu_enter_guest: kvm_load_guest_xcr0(vcpu);"* ]]
	[[ $output == *"tif_need_fpu_load (bug 2, KVM ignoring TIF_NEED_FPU_LOAD): not-affected"* ]]
}

@test "xcr0: 4.1 before fc5b7f3bf1e1 (load with interrupts on) is affected" {
	tree_41_old
	run "$SCRIPTS/status" "$T" --bug xcr0 --verdict-only
	[ "$status" -eq 0 ]
	[ "$output" = affected ]
}

@test "xcr0: the 4.1.52 shape (XCR0 only with interrupts off) is fixed by fc5b7f3bf1e1" {
	tree_41_52
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = fixed ]
	[ "$(jq -r .xcr0.fixed_by <<<"$output")" = fc5b7f3bf1e1 ]
	jq -e '.xcr0.evidence[] | select(.function == "vcpu_enter_guest" and .text == "local_irq_disable();")' <<<"$output"
}

@test "xcr0: 3.11 with the stable-3.11 fix shape is fixed by the guest-XCR0 flag" {
	tree_311_stack
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = fixed ]
	[ "$(jq -r .xcr0.fixed_by <<<"$output")" = guest-xcr0-flag ]
	[[ $(jq -r .xcr0.reason <<<"$output") == *"'fixture_guest_xcr0'"* ]]
	jq -e '.xcr0.evidence[] | select(.function == "fixture_guest_xcr0_set" and (.text | test("this_cpu_write")))' <<<"$output"
	jq -e '.xcr0.evidence[] | select(.function == "interrupted_kernel_fpu_idle" and (.text | test("this_cpu_read")))' <<<"$output"
}

@test "xcr0: 4.1.52 with the stable-4.x fix shape is fixed by the flag, and says fc5b7f3bf1e1 is there too" {
	tree_41_52_stack
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.fixed_by <<<"$output")" = guest-xcr0-flag ]
	[[ $(jq -r .xcr0.reason <<<"$output") == *"also loaded only with interrupts disabled (upstream fc5b7f3bf1e1)"* ]]
}

@test "xcr0: a flag the interrupt path reads but KVM only clears is not a fix" {
	tree_311_stack
	sed -i '/fixture_guest_xcr0_set();/d' "$T/arch/x86/kvm/x86.c"
	run "$SCRIPTS/status" "$T" --bug xcr0 --verdict-only
	[ "$status" -eq 0 ]
	[ "$output" = affected ]
}

@test "xcr0: the 4.2 shape (guest FPU kept loaded in eager mode) is not affected" {
	tree_42
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = not-affected ]
	[[ $(jq -r .xcr0.reason <<<"$output") == *"653f52c316a4"* ]]
}

@test "xcr0: the 5.x shape (vendor run loads XCR0, IRQs off) is not affected" {
	tree_5418
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = not-affected ]
	jq -e '.xcr0.evidence[] | select(.file == "arch/x86/kvm/svm.c" and .text == "clgi();")' <<<"$output"
	jq -e '.xcr0.evidence[] | select(.file == "arch/x86/kvm/vmx/vmx.c" and .function == "vmx_vcpu_run")' <<<"$output"
}

@test "xcr0: the 6.x shape (kvm_load_guest_xsave_state) is not affected" {
	tree_6x
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = not-affected ]
	jq -e '.xcr0.evidence[] | select(.function == "kvm_load_guest_xsave_state")' <<<"$output"
}

@test "xcr0: a KVM that never switches XCR0 is not affected" {
	makefile 2 6 32
	fpu_i387_3x
	w arch/x86/kvm/x86.c <<'C'
static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	kvm_x86_ops->run(vcpu);
	return 1;
}
C
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = not-affected ]
	[[ $(jq -r .xcr0.reason <<<"$output") == *"never writes the guest's XCR0"* ]]
}

@test "xcr0: the verdict follows the code, not the Makefile's version" {
	tree_311
	sed -i 's/^VERSION = 3/VERSION = 6/' "$T/Makefile"
	run "$SCRIPTS/status" "$T" --bug xcr0 --verdict-only
	[ "$output" = affected ]
	rm -rf "$T"
	tree_6x
	sed -i 's/^VERSION = 6/VERSION = 3/' "$T/Makefile"
	run "$SCRIPTS/status" "$T" --bug xcr0 --verdict-only
	[ "$output" = not-affected ]
}

# ---- bug 2 (tif_need_fpu_load) ---------------------------------------------

@test "tif: a tree without TIF_NEED_FPU_LOAD (3.x/4.x) is not affected" {
	tree_41_52
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = not-affected ]
	[ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$output")" = not-applicable ]
}

@test "tif: the 5.4.18 shape is affected on all three counts, hard-IRQ hole open" {
	tree_5418
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = affected ]
	[ "$(jq -c .tif_need_fpu_load.checks <<<"$output")" = '{"user_fpu":"handled","load_put":"missing","emulator":"missing","reload_before_entry":"missing"}' ]
	[ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$output")" = open ]
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "kvm_load_guest_fpu" and (.text | test("copy_fpregs_to_fpstate")))' <<<"$output"
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "em_fninit" and (.text | test("fninit")))' <<<"$output"
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "read_sse_reg")' <<<"$output"
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "kvm_arch_vcpu_load" and .text == "switch_fpu_return();")' <<<"$output"
	[[ $(jq -r .tif_need_fpu_load.reason <<<"$output") == *"hard-IRQ hole open"* ]]
}

@test "tif: the 5.4.19 shape is fixed, with the hard-IRQ hole still open" {
	tree_5419
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = fixed ]
	[ "$(jq -r .tif_need_fpu_load.fixed_by <<<"$output")" = upstream-tif-fixes ]
	[ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$output")" = open ]
	[[ $(jq -r .tif_need_fpu_load.reason <<<"$output") == *"hard-IRQ hole open"* ]]
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "kvm_save_current_fpu" and (.text | test("test_thread_flag")))' <<<"$output"
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "vcpu_enter_guest" and .text == "switch_fpu_return();")' <<<"$output"
}

@test "tif: the 5.4.19 shape plus the hard-IRQ rule has the hole closed" {
	makefile 5 4 19
	fpu_core_hardirq
	tif_define
	kvm_xcr0_helpers
	kvm_vendor_xcr0
	kvm_tif_fixed
	emu_fixed
	run status_json
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = fixed ]
	[ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$output")" = closed ]
	jq -e '.tif_need_fpu_load.hard_irq.evidence[] | select(.text == "return !softirq_count();")' <<<"$output"
}

@test "tif: load/put and emulator fixed but the reload still in kvm_arch_vcpu_load is affected" {
	tree_5419
	cat >>"$T/arch/x86/kvm/x86.c" <<'C'

void kvm_arch_vcpu_load(struct kvm_vcpu *vcpu, int cpu)
{
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}
C
	run status_json
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = affected ]
	[ "$(jq -r .tif_need_fpu_load.checks.reload_before_entry <<<"$output")" = missing ]
	[ "$(jq -r .tif_need_fpu_load.checks.load_put <<<"$output")" = handled ]
	[[ $(jq -r .tif_need_fpu_load.reason <<<"$output") == *"e751732486eb"* ]]
}

@test "tif: one emulator accessor without get/put is affected" {
	tree_5419
	cat >>"$T/arch/x86/kvm/emulate.c" <<'C'

static int em_fnstcw(struct x86_emulate_ctxt *ctxt)
{
	asm volatile("fnstcw %0": "+m"(fcw));
	return X86EMUL_CONTINUE;
}
C
	run status_json
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = affected ]
	[ "$(jq -r .tif_need_fpu_load.checks.emulator <<<"$output")" = missing ]
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "em_fnstcw")' <<<"$output"
}

@test "tif: an unguarded save in only kvm_put_guest_fpu is affected" {
	tree_5419
	sed -i 's/^\tkvm_save_current_fpu(vcpu->arch.guest_fpu);/\tcopy_fpregs_to_fpstate(vcpu->arch.guest_fpu);/' "$T/arch/x86/kvm/x86.c"
	run status_json
	[ "$(jq -r .tif_need_fpu_load.checks.load_put <<<"$output")" = missing ]
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = affected ]
}

@test "tif: the 6.x shape (fpu_swap_kvm_fpstate, kvm_fpu_get) is fixed, hole closed" {
	tree_6x
	run status_json
	[ "$status" -eq 0 ]
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$output")" = fixed ]
	[ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$output")" = closed ]
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "fpu_swap_kvm_fpstate" and (.text | test("TIF_NEED_FPU_LOAD")))' <<<"$output"
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "kvm_fpu_get")' <<<"$output"
}

@test "needs: the 3.11 shape needs stable-3.11's upstream-shaped fix, or the tracking one" {
	tree_311
	run "$SCRIPTS/status" "$T"
	[ "$status" -eq 0 ]
	p1=$(sed -n 1p "$KFF_REPO/stable-3.11/series") p2=$(sed -n 2p "$KFF_REPO/stable-3.11/series")
	[[ $output == *$'\nneeds:\n  xcr0:\n    stable-3.11/'"$p1"$'\n    or stable-3.11/'"$p2"$'\n'* ]]
	[[ $output == *"  apply in this order, in the tree: git am -3 $KFF_REPO/stable-3.11/$p1"* ]]
	[ "$("$SCRIPTS/status" "$T" --json | jq -r '.xcr0.needs.patches | join(" ")')" = "stable-3.11/$p1" ]
}

@test "needs: the 4.1 shape before fc5b7f3bf1e1 names stable-4.x, the fixed 4.1.52 shape nothing" {
	tree_41_old
	run "$SCRIPTS/status" "$T" --json
	[ "$(jq -r .xcr0.needs.stack <<<"$output")" = stable-4.x ]
	[ "$(jq -r .xcr0.needs.alternative <<<"$output")" = "stable-4.x/$(sed -n 2p "$KFF_REPO/stable-4.x/series")" ]
	rm -rf "$T" && mkdir -p "$T"
	tree_41_52
	run "$SCRIPTS/status" "$T"
	[[ $output == *$'\nneeds: nothing from this project'* ]]
}

@test "needs: the 5.4.18 shape needs stable-5.4 1-4 in order, the 5.4.19 shape only the follow-up" {
	tree_5418
	run "$SCRIPTS/status" "$T" --json
	[ "$(jq -r '.tif_need_fpu_load.needs.patches | map(sub("^stable-5.4/"; "")) | join(" ")' <<<"$output")" = "$(sed -n 1,4p "$KFF_REPO/stable-5.4/series" | paste -sd' ' -)" ]
	rm -rf "$T" && mkdir -p "$T"
	tree_5419
	run "$SCRIPTS/status" "$T"
	[[ $output == *$'\nneeds:\n  tif_need_fpu_load:\n    stable-5.4/'"$(sed -n 4p "$KFF_REPO/stable-5.4/series")"$'\n  apply in this order'* ]]
}

@test "needs: a 6.x shape (every fix, hole closed) needs nothing" {
	tree_6x
	run "$SCRIPTS/status" "$T"
	[[ $output == *$'\nneeds: nothing from this project'* ]]
	[ "$("$SCRIPTS/status" "$T" --json | jq -c .tif_need_fpu_load.needs.patches)" = '[]' ]
}

# stack_patches STACK N...: "STACK/<patch N> ..." as status names them.
stack_patches() {
	local s=$1 n
	shift
	for n in "$@"; do printf '%s/%s\n' "$s" "$(sed -n "${n}p" "$KFF_REPO/$s/series")"; done | paste -sd' ' -
}

tif_needs() { jq -r '.tif_need_fpu_load.needs.patches | join(" ")' <<<"$output"; }

@test "needs: a 5.3 tree with the bug needs stable-5.3 1-4 in order" {
	makefile 5 3 18
	fpu_core_4x5x; tif_define; kvm_xcr0_helpers; kvm_vendor_xcr0; kvm_tif_broken; emu_broken
	run "$SCRIPTS/status" "$T" --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .tif_need_fpu_load.needs.stack <<<"$output")" = stable-5.3 ]
	[ "$(tif_needs)" = "$(stack_patches stable-5.3 1 2 3 4)" ]
}

@test "needs: a 5.5.0 .. 5.5.2 tree with the bug needs mainline 1-4 (not the cleanup)" {
	makefile 5 5 2
	fpu_core_4x5x; tif_define; kvm_xcr0_helpers; kvm_vendor_xcr0; kvm_tif_broken; emu_broken
	run "$SCRIPTS/status" "$T" --json
	[ "$(jq -r .tif_need_fpu_load.needs.stack <<<"$output")" = mainline ]
	[ "$(tif_needs)" = "$(stack_patches mainline 1 2 3 4)" ]
}

# 5.2.0 .. 5.2.3: the VMM's FPU state in the task's thread.fpu (240c35a3783a)
# and the reload still right before VM entry (no e751732486eb yet).
kvm_tif_52() {
	kvm_tif_broken
	sed -i -e 's/copy_fpregs_to_fpstate(vcpu->arch.user_fpu)/copy_fpregs_to_fpstate(\&current->thread.fpu)/' \
		-e 's/&vcpu->arch.user_fpu->state/\&current->thread.fpu.state/' \
		-e '/^void kvm_arch_vcpu_load/,/^}/{/fpregs_assert_state_consistent/d;/TIF_NEED_FPU_LOAD/d;/switch_fpu_return/d}' \
		-e 's/^\tWARN_ON_ONCE(test_thread_flag(TIF_NEED_FPU_LOAD));/\tif (test_thread_flag(TIF_NEED_FPU_LOAD))\n\t\tswitch_fpu_return();/' \
		"$T/arch/x86/kvm/x86.c"
}

@test "needs: the 5.2.1 shape (VMM state in the task) needs all of stable-5.2, no revert" {
	makefile 5 2 1
	fpu_core_4x5x; tif_define; kvm_xcr0_helpers; kvm_vendor_xcr0; kvm_tif_52; emu_broken
	run "$SCRIPTS/status" "$T" --json
	[ "$status" -eq 0 ]
	[ "$(jq -c .tif_need_fpu_load.checks <<<"$output")" = '{"user_fpu":"missing","load_put":"missing","emulator":"missing","reload_before_entry":"handled"}' ]
	[ "$(tif_needs)" = "$(stack_patches stable-5.2 1 2 3 4)" ]
	jq -e '.tif_need_fpu_load.evidence[] | select(.function == "kvm_load_guest_fpu" and (.text | test("current->thread.fpu")))' <<<"$output"
	run "$SCRIPTS/status" "$T"
	[[ $output == *"checks: user FPU state missing, load/put missing, emulator missing, reload before entry handled"* ]]
	[[ $output == *"the VMM's FPU state is kept in the task's own thread.fpu"* ]]
}

@test "needs: a later 5.2.y shape (user_fpu back, e751732486eb in) skips 1 and takes stable-5.3's revert" {
	makefile 5 2 21
	fpu_core_4x5x; tif_define; kvm_xcr0_helpers; kvm_vendor_xcr0; kvm_tif_broken; emu_broken
	run "$SCRIPTS/status" "$T" --json
	[ "$(tif_needs)" = "$(stack_patches stable-5.2 2 3) $(stack_patches stable-5.3 3) $(stack_patches stable-5.2 4)" ]
	[[ $(jq -r .tif_need_fpu_load.needs.note <<<"$output") == *"stable-5.3's revert"* ]]
}

@test "status --bug B --json holds only B" {
	tree_5418
	run "$SCRIPTS/status" "$T" --bug tif_need_fpu_load --json
	[ "$status" -eq 0 ]
	[ "$(jq -c 'keys' <<<"$output")" = '["tif_need_fpu_load","tree","version"]' ]
	[ "$(jq -r .version <<<"$output")" = 5.4.18 ]
}

@test "status never writes into the tree" {
	tree_5418
	before=$(tree_sum "$T")
	run "$SCRIPTS/status" "$T" --json
	[ "$status" -eq 0 ]
	[ "$(tree_sum "$T")" = "$before" ]
}

# ---- real trees ------------------------------------------------------------

# real_base BASE: REAL=the cached tree of BASE in the user's cache, or skip.
real_base() {
	REAL=$USER_CACHE/trees/$1
	[ -d "$REAL/.git" ] || skip "base $1 not cached; get it with: scripts/tree fetch $1 (or scripts/tree import, see scripts/tree --help)"
}

verdicts() {
	local t=$1
	printf '%s %s\n' "$("$SCRIPTS/status" "$t" --bug xcr0 --verdict-only)" \
		"$("$SCRIPTS/status" "$t" --bug tif_need_fpu_load --verdict-only)"
}

@test "real v3.11: xcr0 affected, tif not-affected" {
	real_base v3.11
	[ "$(verdicts "$REAL")" = "affected not-affected" ]
}

# 4.1.52 carries fc5b7f3bf1e1 (4.1.y backport): guest XCR0 is loaded only
# with interrupts off, so the code is not vulnerable even unpatched.
@test "real v4.1.52: xcr0 fixed by fc5b7f3bf1e1, tif not-affected" {
	real_base v4.1.52
	[ "$(verdicts "$REAL")" = "fixed not-affected" ]
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.fixed_by)" = fc5b7f3bf1e1 ]
}

@test "real v5.4.18: xcr0 not-affected, tif affected" {
	real_base v5.4.18
	[ "$(verdicts "$REAL")" = "not-affected affected" ]
}

@test "real v5.5-rc5: xcr0 not-affected, tif affected" {
	real_base v5.5-rc5
	[ "$(verdicts "$REAL")" = "not-affected affected" ]
}

# expect_base BASE XCR0 TIF [HARD_IRQ]: the verdicts status gives on the
# cached BASE (skip when it is not cached). The expectations were read off
# each tree's code; see Documentation/which-stack.rst.
expect_base() {
	local json
	real_base "$1"
	json=$("$SCRIPTS/status" "$REAL" --json)
	[ "$(jq -r .xcr0.verdict <<<"$json")" = "$2" ]
	[ "$(jq -r .tif_need_fpu_load.verdict <<<"$json")" = "$3" ]
	[ -z "${4:-}" ] || [ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$json")" = "$4" ]
}

@test "real v3.10.108: xcr0 affected (no fc5b7f3bf1e1 in 3.10.y)" { expect_base v3.10.108 affected not-affected; }
@test "real v3.12.24: xcr0 affected" { expect_base v3.12.24 affected not-affected; }
@test "real v3.19.8: xcr0 affected (3.19.y never took fc5b7f3bf1e1)" { expect_base v3.19.8 affected not-affected; }

# xcr0_needs: "<patches> | <alternative>" that status names for $REAL
# (call real_base first, in the test itself, so that a missing tree skips).
xcr0_needs() {
	"$SCRIPTS/status" "$REAL" --json | jq -r '.xcr0.needs | "\(.patches | join(" ")) | \(.alternative // "-")"'
}

@test "needs on real v3.12.24: stable-3.11's patch 1, or its patch 2" {
	real_base v3.12.24
	[ "$(xcr0_needs)" = "$(stack_patches stable-3.11 1) | $(stack_patches stable-3.11 2)" ]
}

@test "needs on real v3.19.8: patch 1 from stable-4.x (4.x's x86.c), patch 2 from stable-3.11 (3.x's i387.c)" {
	real_base v3.19.8
	[ "$(xcr0_needs)" = "$(stack_patches stable-4.x 1) | $(stack_patches stable-3.11 2)" ]
}

@test "needs on real v3.14.65: no patch 1 applies, the tracking fix alone" {
	real_base v3.14.65
	[ "$(xcr0_needs)" = "$(stack_patches stable-3.11 2) | -" ]
	[[ $("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.needs.note) == "no copy of the upstream-shaped fix"* ]]
}

@test "needs on a tree neither patch applies to names the tree's own stack and says so" {
	tree_311
	run "$SCRIPTS/status" "$T" --json
	[ "$(jq -r .xcr0.needs.stack <<<"$output")" = stable-3.11 ]
	[[ $(jq -r .xcr0.needs.note <<<"$output") == "neither patch of stable-3.11 applies as is"* ]]
}

@test "real v3.14.65: xcr0 affected" { expect_base v3.14.65 affected not-affected; }
@test "real v3.16: xcr0 affected" { expect_base v3.16 affected not-affected; }
@test "real v3.18.63: xcr0 fixed (fc5b7f3bf1e1 backport)" { expect_base v3.18.63 fixed not-affected; }
@test "real v4.1.19: xcr0 affected (before the 4.1.y fc5b7f3bf1e1 backport)" { expect_base v4.1.19 affected not-affected; }
@test "real v5.2.1: tif affected (VMM state in the task), hard-IRQ hole open" { expect_base v5.2.1 not-affected affected open; }
@test "real v5.3.1: tif affected, hard-IRQ hole open" { expect_base v5.3.1 not-affected affected open; }
@test "real v5.4.1: tif affected, hard-IRQ hole open" { expect_base v5.4.1 not-affected affected open; }
@test "real v5.4.59: tif fixed, hard-IRQ hole open" { expect_base v5.4.59 not-affected fixed open; }
@test "real v5.4.286: tif fixed, hard-IRQ hole still open late in 5.4.y" { expect_base v5.4.286 not-affected fixed open; }
@test "real ubuntu-5.4.0-124: tif fixed, hard-IRQ hole open" { expect_base ubuntu-5.4.0-124 not-affected fixed open; }

# stack_on_base STACK BASE: REAL=the files status reads, copied from the
# cached BASE, with STACK applied by git apply (only those files: a full
# checkout is not needed to judge; skip when either is missing).
# stack_on_base STACK BASE [N...]: the status files of BASE with the stack's
# patches (or only patches N...) applied, in $REAL.
stack_on_base() {
	local stack=$1 base=$2 p f patches=() inc=() n=0
	shift 2
	real_base "$base"
	[ -s "$KFF_REPO/$stack/series" ] || skip "stack $stack has no patches yet"
	while read -r p; do
		n=$((n + 1))
		[ $# -eq 0 ] || [[ " $* " == *" $n "* ]] || continue
		patches+=("$KFF_REPO/$stack/$p")
	done < <(awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$KFF_REPO/$stack/series")
	local dst=$BATS_TEST_TMPDIR/$base
	while read -r f; do
		inc+=("--include=$f")
		[ -f "$REAL/$f" ] || continue
		mkdir -p "$(dirname "$dst/$f")"
		cp "$REAL/$f" "$dst/$f"
	done < <("$SCRIPTS/status" --files)
	git -C "$dst" init -q
	for p in "${patches[@]}"; do
		git -C "$dst" apply "${inc[@]}" "$p"
	done
	REAL=$dst
}

@test "real v3.11 + stable-3.11: xcr0 fixed by the guest-XCR0 flag" {
	stack_on_base stable-3.11 v3.11
	run "$SCRIPTS/status" "$REAL" --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .xcr0.verdict <<<"$output")" = fixed ]
	[ "$(jq -r .xcr0.fixed_by <<<"$output")" = guest-xcr0-flag ]
}

@test "real v3.11 + stable-3.11's first patch alone: xcr0 fixed by fc5b7f3bf1e1's shape" {
	stack_on_base stable-3.11 v3.11 1
	run "$SCRIPTS/status" "$REAL"
	[[ $output == *"xcr0 (bug 1, guest XCR0 live while an interrupt uses the FPU): fixed"* ]]
	[[ $output == *$'\nneeds: nothing from this project'* ]]
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.fixed_by)" = fc5b7f3bf1e1 ]
}

@test "real v3.11 + stable-3.11's second patch alone: xcr0 fixed by the guest-XCR0 flag" {
	stack_on_base stable-3.11 v3.11 2
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.fixed_by)" = guest-xcr0-flag ]
}

@test "real v4.1.19 + stable-4.x's first patch alone: xcr0 fixed by fc5b7f3bf1e1's shape" {
	stack_on_base stable-4.x v4.1.19 1
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.fixed_by)" = fc5b7f3bf1e1 ]
}

@test "real v4.1.52 + stable-4.x's tracking patch (4.1.52 has the first): xcr0 fixed by the flag" {
	stack_on_base stable-4.x v4.1.52 2
	run "$SCRIPTS/status" "$REAL" --json
	[ "$(jq -r .xcr0.fixed_by <<<"$output")" = guest-xcr0-flag ]
}

@test "real v4.1.19 + stable-4.x: xcr0 fixed by the guest-XCR0 flag" {
	stack_on_base stable-4.x v4.1.19
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.fixed_by)" = guest-xcr0-flag ]
}

@test "real v3.10.108 + stable-3.11: xcr0 fixed by the guest-XCR0 flag" {
	stack_on_base stable-3.11 v3.10.108
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .xcr0.fixed_by)" = guest-xcr0-flag ]
}

@test "real v5.4.18 + stable-5.4: tif fixed" {
	stack_on_base stable-5.4 v5.4.18
	[ "$("$SCRIPTS/status" "$REAL" --bug tif_need_fpu_load --verdict-only)" = fixed ]
}

@test "real v5.3.1 + stable-5.3: tif fixed, hole closed" {
	stack_on_base stable-5.3 v5.3.1
	[ "$("$SCRIPTS/status" "$REAL" --bug tif_need_fpu_load --verdict-only)" = fixed ]
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .tif_need_fpu_load.hard_irq.state)" = closed ]
}

@test "real v5.2.1 + stable-5.2: tif fixed, hole closed" {
	stack_on_base stable-5.2 v5.2.1
	[ "$("$SCRIPTS/status" "$REAL" --bug tif_need_fpu_load --verdict-only)" = fixed ]
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .tif_need_fpu_load.hard_irq.state)" = closed ]
}

@test "real v5.5-rc5 + mainline: tif fixed" {
	stack_on_base mainline v5.5-rc5
	[ "$("$SCRIPTS/status" "$REAL" --bug tif_need_fpu_load --verdict-only)" = fixed ]
}

# debian_tree VERSION: REAL=Debian's linux-source-VERSION reduced to the
# files status reads, kept in the user's cache between runs; skip when it
# cannot be had (no package, no network).
debian_tree() {
	local ver=$1 d=$USER_CACHE/status-debian/$1
	REAL=$d
	if [ ! -f "$d/arch/x86/kvm/x86.c" ]; then
		# shellcheck source=scripts/lib/common.sh
		. "$SCRIPTS/lib/common.sh"
		# shellcheck source=scripts/lib/status.sh
		. "$SCRIPTS/lib/status.sh"
		mkdir -p "$USER_CACHE/status-debian"
		KFF_CACHE=$USER_CACHE kff_status_debian_tree "$ver" "$d" ||
			skip "Debian linux-source-$ver not available: apt-get install linux-source-$ver (5.10: from bullseye, see scripts/lib/status.sh kff_status_debian_tree)"
	fi
}

@test "Debian 5.10: xcr0 not-affected, tif fixed" {
	debian_tree 5.10
	[ "$(verdicts "$REAL")" = "not-affected fixed" ]
}

@test "Debian 6.1: xcr0 not-affected, tif fixed, hard-IRQ hole closed" {
	debian_tree 6.1
	[ "$(verdicts "$REAL")" = "not-affected fixed" ]
	[ "$("$SCRIPTS/status" "$REAL" --json | jq -r .tif_need_fpu_load.hard_irq.state)" = closed ]
}

@test "Debian 6.12: xcr0 not-affected, tif fixed" {
	debian_tree 6.12
	[ "$(verdicts "$REAL")" = "not-affected fixed" ]
}

@test "tif: fpregs_lock() that disables interrupts also closes the hard-IRQ hole" {
	tree_5419
	w arch/x86/include/asm/fpu/api.h <<'C'
static inline void fpregs_lock(void)
{
	preempt_disable();
	local_bh_disable();
	local_irq_disable();
}
C
	run status_json
	[ "$(jq -r .tif_need_fpu_load.hard_irq.state <<<"$output")" = closed ]
	jq -e '.tif_need_fpu_load.hard_irq.evidence[] | select(.function == "fpregs_lock")' <<<"$output"
}

@test "kff_status_verdict (scripts/lib/status.sh) prints the verdict word" {
	tree_311
	run bash -c '. "$1/lib/common.sh" && . "$1/lib/status.sh" && kff_status_verdict "$2" xcr0' _ "$SCRIPTS" "$T"
	[ "$status" -eq 0 ]
	[ "$output" = affected ]
}
