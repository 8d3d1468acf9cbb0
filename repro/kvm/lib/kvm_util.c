// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU set-up on raw /dev/kvm ioctls, KVM_RUN with the VMM's own FPU
 * state pinned, and the child-process harness.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kvm_util.h"

#define X86_CR0_PE	(1ul << 0)
#define X86_CR0_MP	(1ul << 1)
#define X86_CR0_ET	(1ul << 4)
#define X86_CR0_NE	(1ul << 5)
#define X86_CR0_WP	(1ul << 16)
#define X86_CR0_PG	(1ul << 31)
#define X86_CR4_PAE	(1ul << 5)
#define X86_CR4_OSFXSR	(1ul << 9)
#define X86_CR4_OSXMMEXCPT (1ul << 10)
#define X86_CR4_OSXSAVE	(1ul << 18)
#define EFER_LME	(1ul << 8)
#define EFER_LMA	(1ul << 10)

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

/* ---- host capabilities ---- */

static void cpuid2(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (sub));
}

bool host_has_xsave(void)
{
	uint32_t r[4];

	cpuid2(1, 0, r);
	return r[2] & (1u << 27);	/* OSXSAVE: CR4.OSXSAVE is on */
}

uint64_t host_xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return ((uint64_t)hi << 32) | lo;
}

bool host_has_avx(void)
{
	return host_has_xsave() && (host_xgetbv0() & 0x6) == 0x6;
}

/* ---- guest memory ---- */

uint64_t guest_code_load(void *mem, size_t memsize, const struct guest_code *c)
{
	size_t len = (size_t)(c->end - c->start);

	if (c->end < c->start || c->entry < c->start || c->entry >= c->end ||
	    len > GUEST_CODE_MAX || GUEST_CODE_GPA + len > memsize)
		return 0;
	memcpy((uint8_t *)mem + GUEST_CODE_GPA, c->start, len);
	return GUEST_CODE_GPA + (uint64_t)(c->entry - c->start);
}

void guest_build_page_tables(void *mem, size_t memsize)
{
	uint64_t *pml4 = (uint64_t *)((uint8_t *)mem + GUEST_PML4_GPA);
	uint64_t *pdpt = (uint64_t *)((uint8_t *)mem + GUEST_PDPT_GPA);
	int i, j;

	if (memsize < GUEST_PD_GPA + 4 * 4096)
		return;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = GUEST_PDPT_GPA | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++) {
		uint64_t *pd = (uint64_t *)((uint8_t *)mem + GUEST_PD_GPA + i * 4096);

		pdpt[i] = (GUEST_PD_GPA + i * 4096) | PTE_P | PTE_RW;
		for (j = 0; j < 512; j++)
			pd[j] = (((uint64_t)i << 30) + ((uint64_t)j << 21)) |
				PTE_P | PTE_RW | PTE_PS;
	}
}

/* ---- the VM ---- */

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	errno = e;
	return -1;
}

static struct kvm_cpuid2 *get_supported_cpuid(int kvm_fd)
{
	int nent = 64;

	for (;;) {
		struct kvm_cpuid2 *c;

		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG || nent >= 4096)
			return NULL;
		nent *= 2;
	}
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type,
		     bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	if (code)
		s->l = 1;
	else
		s->db = 1;
}

uint64_t vm_supported_xcr0(struct vm *vm)
{
	struct kvm_cpuid2 *c = get_supported_cpuid(vm->kvm_fd);
	uint64_t x = 0;
	uint32_t i;

	if (!c)
		return 0;
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			x = ((uint64_t)c->entries[i].edx << 32) | c->entries[i].eax;
	free(c);
	return x;
}

void vm_destroy(struct vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, GUEST_MEM_SIZE);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
}

int vm_create(struct vm *vm, const struct guest_code *c, uint64_t xcr0,
	      char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region;
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_xcrs xcrs;
	uint64_t rip;
	int ret, mmap_size;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
	vm->xcr0 = xcr0;
	vm->avx = (xcr0 & 0x6) == 0x6;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		fail(err, errlen, "cannot open /dev/kvm: %s (load kvm_intel or kvm_amd; check permissions)",
		     strerror(errno));
		goto out;
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		fail(err, errlen, "KVM_GET_API_VERSION returned %d, want %d",
		     ret, KVM_API_VERSION);
		goto out;
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) <= 0) {
		fail(err, errlen, "KVM lacks KVM_CAP_XCRS (cannot set the guest's XCR0)");
		goto out;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		fail(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		goto out;
	}
	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		fail(err, errlen, "mmap guest memory: %s", strerror(errno));
		goto out;
	}
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		fail(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		goto out;
	}
	/* Only needed by VMX without unrestricted guests; harmless elsewhere. */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	guest_build_page_tables(vm->mem, GUEST_MEM_SIZE);
	rip = guest_code_load(vm->mem, GUEST_MEM_SIZE, c);
	if (!rip) {
		fail(err, errlen, "guest code '%s' does not fit", c->name);
		goto out;
	}

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		fail(err, errlen, "KVM_CREATE_VCPU: %s", strerror(errno));
		goto out;
	}
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %d", mmap_size);
		goto out;
	}
	vm->run_size = (size_t)mmap_size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		fail(err, errlen, "mmap kvm_run: %s", strerror(errno));
		goto out;
	}

	/* CPUID first: KVM checks CR4.OSXSAVE and XCR0 against it. */
	cpuid = get_supported_cpuid(vm->kvm_fd);
	if (!cpuid) {
		fail(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		goto out;
	}
	ret = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	if (ret) {
		fail(err, errlen, "KVM_SET_CPUID2: %s", strerror(errno));
		goto out;
	}

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs)) {
		fail(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		goto out;
	}
	seg_flat(&sregs.cs, 0x08, 11, true);
	seg_flat(&sregs.ds, 0x10, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = 0x18;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 11;	/* 64-bit busy TSS */
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 2;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = 0;
	sregs.gdt.limit = 0;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_PG;
	sregs.cr3 = GUEST_PML4_GPA;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
		    X86_CR4_OSXSAVE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs)) {
		fail(err, errlen, "KVM_SET_SREGS (long mode, CR4.OSXSAVE): %s",
		     strerror(errno));
		goto out;
	}

	/* The guest's XCR0 is set here, never by XSETBV in the guest. */
	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = xcr0;
	if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs)) {
		fail(err, errlen, "KVM_SET_XCRS xcr0=%#llx: %s",
		     (unsigned long long)xcr0, strerror(errno));
		goto out;
	}

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = GUEST_STACK_TOP;
	regs.rdi = GUEST_SHARED_GPA;
	regs.rflags = 2;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs)) {
		fail(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
		goto out;
	}
	return 0;
out:
	vm_destroy(vm);
	return -1;
}

const char *exit_reason_str(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN (guest triple fault)";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

/* ---- KVM_RUN with the VMM's FPU state pinned ---- */

void host_fpu_fill(struct host_fpu *f, uint64_t iter)
{
	pattern_fill((uint32_t *)f->reg, iter, SALT_VMM,
		     sizeof(f->reg) / sizeof(uint32_t));
	f->mxcsr = HOST_FPU_MXCSR;
	f->fcw = HOST_FPU_FCW;
}

int host_fpu_compare(const struct host_fpu *want, const struct host_fpu *got,
		     bool avx, char *what, size_t len)
{
	size_t bytes = avx ? 32 : 16;
	int r, bad = 0;
	size_t n = 0;

	if (what && len)
		what[0] = '\0';
#define NOTE(...) do {							\
		if (what && n < len)					\
			n += (size_t)snprintf(what + n, len - n, __VA_ARGS__); \
	} while (0)
	for (r = 0; r < 16; r++) {
		if (!memcmp(want->reg[r], got->reg[r], bytes))
			continue;
		if (!bad) {
			char hw[65], hg[65];

			hexdump(hw, want->reg[r], bytes);
			hexdump(hg, got->reg[r], bytes);
			NOTE("%s%d=%s want %s ", avx ? "ymm" : "xmm", r, hg, hw);
		}
		bad++;
	}
	if (want->mxcsr != got->mxcsr) {
		NOTE("mxcsr=%#x want %#x ", got->mxcsr, want->mxcsr);
		bad++;
	}
	if (want->fcw != got->fcw) {
		NOTE("fcw=%#x want %#x ", got->fcw, want->fcw);
		bad++;
	}
#undef NOTE
	return bad;
}

static const uint16_t default_fcw = 0x037f;
static const uint32_t default_mxcsr = 0x1f80;

#define LOAD_XMM(n) "movdqu " #n "*32(%%r12), %%xmm" #n "\n\t"
#define STORE_XMM(n) "movdqu %%xmm" #n ", " #n "*32(%%r13)\n\t"
#define LOAD_YMM(n) "vmovdqu " #n "*32(%%r12), %%ymm" #n "\n\t"
#define STORE_YMM(n) "vmovdqu %%ymm" #n ", " #n "*32(%%r13)\n\t"
#define ALL16(m) m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) \
		 m(8) m(9) m(10) m(11) m(12) m(13) m(14) m(15)

long vcpu_run_raw(struct vm *vm, const struct host_fpu *in,
		  struct host_fpu *out, bool avx)
{
	register long rax asm("rax") = SYS_ioctl;
	register long rdi asm("rdi") = vm->vcpu_fd;
	register long rsi asm("rsi") = KVM_RUN;
	register long rdx asm("rdx") = 0;
	register const struct host_fpu *pin asm("r12") = in;
	register struct host_fpu *pout asm("r13") = out;

	if (avx) {
		asm volatile("fldcw %c[fcw](%%r12)\n\t"
			     "ldmxcsr %c[mxcsr](%%r12)\n\t"
			     ALL16(LOAD_YMM)
			     "syscall\n\t"
			     ALL16(STORE_YMM)
			     "fnstcw %c[fcw](%%r13)\n\t"
			     "stmxcsr %c[mxcsr](%%r13)\n\t"
			     "fldcw %[dfcw]\n\t"
			     "ldmxcsr %[dmxcsr]\n\t"
			     "vzeroupper\n\t"
			     : "+r" (rax), "+r" (rdi), "+r" (rsi), "+r" (rdx)
			     : "r" (pin), "r" (pout),
			       [fcw] "i" (offsetof(struct host_fpu, fcw)),
			       [mxcsr] "i" (offsetof(struct host_fpu, mxcsr)),
			       [dfcw] "m" (default_fcw),
			       [dmxcsr] "m" (default_mxcsr)
			     : "rcx", "r11", "memory", "cc",
			       "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			       "xmm12", "xmm13", "xmm14", "xmm15");
	} else {
		asm volatile("fldcw %c[fcw](%%r12)\n\t"
			     "ldmxcsr %c[mxcsr](%%r12)\n\t"
			     ALL16(LOAD_XMM)
			     "syscall\n\t"
			     ALL16(STORE_XMM)
			     "fnstcw %c[fcw](%%r13)\n\t"
			     "stmxcsr %c[mxcsr](%%r13)\n\t"
			     "fldcw %[dfcw]\n\t"
			     "ldmxcsr %[dmxcsr]\n\t"
			     : "+r" (rax), "+r" (rdi), "+r" (rsi), "+r" (rdx)
			     : "r" (pin), "r" (pout),
			       [fcw] "i" (offsetof(struct host_fpu, fcw)),
			       [mxcsr] "i" (offsetof(struct host_fpu, mxcsr)),
			       [dfcw] "m" (default_fcw),
			       [dmxcsr] "m" (default_mxcsr)
			     : "rcx", "r11", "memory", "cc",
			       "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			       "xmm12", "xmm13", "xmm14", "xmm15");
	}
	return rax;
}

long vcpu_run_checked(struct vm *vm, struct host_check *hc)
{
	static struct host_fpu in, out;
	long ret;
	int bad;

	host_fpu_fill(&in, hc->runs);
	memset(&out, 0, sizeof(out));
	ret = vcpu_run_raw(vm, &in, &out, hc->avx);
	hc->runs++;
	bad = host_fpu_compare(&in, &out, hc->avx,
			       hc->mismatches ? NULL : hc->first,
			       sizeof(hc->first));
	if (bad)
		hc->mismatches++;
	return ret;
}

/* ---- harness ---- */

static void on_alarm(int sig)
{
	(void)sig;
}

void harness_init(void)
{
	struct sigaction sa;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: KVM_RUN returns -EINTR */
	sigaction(SIGALRM, &sa, NULL);
}

/*
 * KVM_RUN is kicked out by SIGALRM sent from the parent process (see
 * run_in_child), not by an interval timer: kernels built without
 * CONFIG_POSIX_TIMERS have no setitimer().  The child only asks for kicks
 * while it is inside its KVM_RUN loop, so set-up ioctls never see -EINTR.
 */
static volatile int *kick_flag;

void harness_kick(bool on)
{
	if (kick_flag)
		*kick_flag = on;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void note_detection(struct run_result *res)
{
	if (!res->detected_at)
		res->detected_at = now_seconds();
}

#define CHILD_GRACE_SECONDS 20
#define KICK_MS 25

int run_in_child(int (*fn)(void *arg, struct run_result *res), void *arg,
		 unsigned int seconds, struct run_result **resp)
{
	struct run_result *res;
	double deadline;
	int status = 0;
	pid_t pid, w;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	memset(res, 0, sizeof(*res));
	*resp = res;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		kick_flag = &res->kick;
		_exit(fn(arg, res));
	}
	deadline = now_seconds() + seconds + CHILD_GRACE_SECONDS;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_seconds() > deadline) {
			res->child_timeout = true;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(KICK_MS * 1000);
		if (res->kick)
			kill(pid, SIGALRM);
	}
	if (WIFSIGNALED(status) && !res->child_timeout) {
		res->child_signal = WTERMSIG(status);
		/* seen by the parent within one KICK_MS poll of the death */
		note_detection(res);
	}
	else if (WIFEXITED(status))
		res->child_status = WEXITSTATUS(status);
	return 0;
}

int kvm_probe(uint64_t xcr0, char *why, size_t len)
{
	const struct guest_code probe = GUEST_CODE(probe);
	struct host_fpu in, out;
	char err[256], what[200];
	double deadline;
	struct vm vm;
	uint64_t *sh;
	bool avx;
	int i;

	if (access("/dev/kvm", F_OK)) {
		snprintf(why, len, "/dev/kvm is absent (load kvm_intel or kvm_amd, or run on a host with virtualization)");
		return PROBE_SKIP;
	}
	if (!host_has_xsave()) {
		snprintf(why, len, "the host has no XSAVE/OSXSAVE, so there is no XCR0 to test");
		return PROBE_SKIP;
	}
	if (vm_create(&vm, &probe, xcr0, err, sizeof(err))) {
		snprintf(why, len, "/dev/kvm unusable: %s", err);
		return PROBE_SKIP;
	}
	sh = guest_ptr(&vm, GUEST_SHARED_GPA);
	host_fpu_fill(&in, 0);
	avx = host_has_avx();
	deadline = now_seconds() + 5;
	for (i = 0; i < 1000 && now_seconds() < deadline; i++) {
		long ret;

		harness_kick(true);
		ret = vcpu_run_raw(&vm, &in, &out, avx);
		harness_kick(false);
		if (host_fpu_compare(&in, &out, avx, what, sizeof(what))) {
			snprintf(why, len, "the VMM's registers changed across the probe's KVM_RUN: %s",
				 what);
			vm_destroy(&vm);
			return PROBE_VMM_FPU;
		}
		if (ret == -EINTR)
			continue;
		if (ret) {
			snprintf(why, len, "/dev/kvm unusable: KVM_RUN: %s",
				 strerror((int)-ret));
			goto bad;
		}
		if (vm.run->exit_reason == KVM_EXIT_IO &&
		    vm.run->io.port == PORT_XCR0)
			continue;
		if (vm.run->exit_reason == KVM_EXIT_IO &&
		    vm.run->io.port == PORT_DONE)
			break;
		if (vm.run->exit_reason == KVM_EXIT_SHUTDOWN) {
			/* a dozen instructions cannot fault unless state was lost */
			snprintf(why, len, "the probe guest triple-faulted (guest state corrupted?)");
			vm_destroy(&vm);
			return PROBE_DIED;
		}
		snprintf(why, len, "/dev/kvm unusable: the probe guest (64-bit long mode) stopped with exit %u (%s, detail %#llx)",
			 vm.run->exit_reason,
			 exit_reason_str(vm.run->exit_reason),
			 vm.run->exit_reason == KVM_EXIT_INTERNAL_ERROR ?
			 (unsigned long long)vm.run->internal.suberror :
			 vm.run->exit_reason == KVM_EXIT_FAIL_ENTRY ?
			 (unsigned long long)vm.run->fail_entry.hardware_entry_failure_reason :
			 0ull);
		goto bad;
	}
	if (sh[SH_COUNTER / 8] != 1) {
		struct kvm_regs regs;

		memset(&regs, 0, sizeof(regs));
		ioctl(vm.vcpu_fd, KVM_GET_REGS, &regs);
		snprintf(why, len, "/dev/kvm unusable: the probe guest made no progress in 5 s (%d KVM_RUNs, guest RIP %#llx, entry %#llx)",
			 i, (unsigned long long)regs.rip,
			 (unsigned long long)(GUEST_CODE_GPA +
					      (probe.entry - probe.start)));
		goto bad;
	}
	if (sh[SH_XCR0 / 8] != xcr0) {
		snprintf(why, len, "/dev/kvm unusable: the guest's XGETBV read XCR0=%#llx after KVM_SET_XCRS %#llx",
			 (unsigned long long)sh[SH_XCR0 / 8],
			 (unsigned long long)xcr0);
		goto bad;
	}
	vm_destroy(&vm);
	return PROBE_OK;
bad:
	vm_destroy(&vm);
	return PROBE_SKIP;
}

void describe_guest_mismatch(struct vm *vm, char *out, size_t len)
{
	uint64_t *sh = guest_ptr(vm, GUEST_SHARED_GPA);
	uint8_t *exp = guest_ptr(vm, GUEST_SHARED_GPA + SH_EXPECT);
	uint8_t *seen = guest_ptr(vm, GUEST_SHARED_GPA + SH_SEEN);
	uint64_t bad = sh[SH_BAD / 8];
	unsigned int kind = (unsigned int)(bad >> 16);
	unsigned int idx = (unsigned int)(bad & 0xffff);
	char hw[65], hg[65];
	unsigned int reg, off, n;
	const char *rname;

	switch (kind) {
	case BAD_FPU_STATE:	/* 8 registers x 32 bytes */
		n = vm->avx ? 32 : 16;
		reg = idx / 8;
		off = reg * 32;
		rname = vm->avx ? "ymm" : "xmm";
		break;
	case BAD_AFTER_STORE:	/* xmm0-7 x 16 bytes, then mm0-7 x 8 */
	case BAD_MMIO_LOAD_X:
	case BAD_MMIO_LOAD_M:
		if (kind == BAD_MMIO_LOAD_M)
			idx += 32;
		if (idx < 32) {
			n = 16;
			reg = idx / 4;
			off = reg * 16;
			rname = "xmm";
		} else {
			n = 8;
			reg = (idx - 32) / 2;
			off = 128 + reg * 8;
			rname = "mm";
		}
		break;
	default:
		snprintf(out, len, "unknown mismatch record %#llx",
			 (unsigned long long)bad);
		return;
	}
	hexdump(hw, exp + off, n);
	hexdump(hg, seen + off, n);
	snprintf(out, len, "%s at iteration %llu: %s%u=%s want %s",
		 kind == BAD_FPU_STATE ? "registers changed across exits" :
		 kind == BAD_AFTER_STORE ? "registers changed by MMIO stores" :
		 "value loaded from MMIO is wrong",
		 (unsigned long long)sh[SH_ITER / 8], rname, reg, hg, hw);
}

void run_loop(struct vm *vm, struct run_result *res, unsigned int seconds,
	      bool verbose, exit_handler_t handle, void *ctx)
{
	uint64_t *sh = guest_ptr(vm, GUEST_SHARED_GPA);
	struct host_check hc;
	double start, end, next_report;

	memset(&hc, 0, sizeof(hc));
	hc.avx = host_has_avx();
	/* SIGALRM from the parent kicks KVM_RUN out (-EINTR): bounded runs */
	harness_kick(true);
	start = now_seconds();
	end = start + seconds;
	next_report = start + 1;
	while (now_seconds() < end) {
		struct kvm_run *run = vm->run;
		long ret;

		ret = vcpu_run_checked(vm, &hc);
		res->kvm_runs++;
		res->host_runs = hc.runs;
		if (hc.mismatches && !res->host_mismatches) {
			note_detection(res);
			snprintf(res->host_first, sizeof(res->host_first),
				 "after KVM_RUN #%llu: %.200s",
				 (unsigned long long)hc.runs, hc.first);
			if (verbose)
				printf("# VMM registers changed %s\n", res->host_first);
		}
		res->host_mismatches = hc.mismatches;
		res->counter = sh[SH_COUNTER / 8];
		res->iterations = sh[SH_ITER / 8];
		res->guest_xcr0 = sh[SH_XCR0 / 8];
		if (sh[SH_MISMATCH / 8] != res->guest_mismatches) {
			if (!res->guest_mismatches) {
				note_detection(res);
				describe_guest_mismatch(vm, res->guest_first,
							sizeof(res->guest_first));
				if (verbose)
					printf("# guest: %s\n", res->guest_first);
			}
			res->guest_mismatches = sh[SH_MISMATCH / 8];
		}
		res->seconds = now_seconds() - start;
		if (verbose && now_seconds() >= next_report) {
			printf("# t=%.1fs runs=%llu counter=%llu io=%llu mmio=%llu intr=%llu\n",
			       res->seconds, (unsigned long long)res->kvm_runs,
			       (unsigned long long)res->counter,
			       (unsigned long long)res->exits_io,
			       (unsigned long long)res->exits_mmio,
			       (unsigned long long)res->exits_intr);
			next_report += 1;
		}
		if (ret == -EINTR) {
			res->exits_intr++;
			continue;
		}
		TEST_ASSERT(ret == 0, "KVM_RUN failed: %s", strerror((int)-ret));
		if (run->exit_reason == KVM_EXIT_IO) {
			res->exits_io++;
			if (run->io.port == PORT_XCR0) {
				res->guest_xcr0_seen++;
				continue;
			}
			if (run->io.port == PORT_MISMATCH ||
			    run->io.port == PORT_PROGRESS)
				continue;
		} else if (run->exit_reason == KVM_EXIT_MMIO) {
			res->exits_mmio++;
		} else {
			res->exits_other++;
		}
		if (handle && handle(vm, res, ctx))
			continue;
		if (run->exit_reason == KVM_EXIT_IO)
			TEST_ASSERT(false, "unexpected port %#x exit (%s, size %u)",
				    run->io.port,
				    run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
				    run->io.size);
		TEST_ASSERT(false, "unexpected exit %u (%s) after %llu iterations",
			    run->exit_reason, exit_reason_str(run->exit_reason),
			    (unsigned long long)res->iterations);
	}
	harness_kick(false);
	res->seconds = now_seconds() - start;
	res->finished = 1;
}
