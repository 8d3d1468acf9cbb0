/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The helper layer shared by the /dev/kvm reproducers: KTAP output,
 * TEST_ASSERT, argument parsing, patterns, the irq_fpu_stress counters,
 * VM/vCPU set-up on raw ioctls, and KVM_RUN with the VMM's own vector
 * registers held in a known state across the syscall.
 *
 * Only libc and the kernel's UAPI headers: the programs are static and must
 * run unchanged on any host from 3.11 to today.
 */
#ifndef KFF_KVM_UTIL_H
#define KFF_KVM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/kvm.h>

#include "guest_abi.h"

/* ---- exit codes (the project's contract) ---- */
#define KFF_EXIT_PASS	0
#define KFF_EXIT_FAIL	1
#define KFF_EXIT_USAGE	2
#define KFF_EXIT_SKIP	4

/* ---- TEST_ASSERT: print file:line and the reason, then fail ---- */
void test_assert_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			test_assert_fail(__FILE__, __LINE__, #cond,	\
					 fmt, ##__VA_ARGS__);		\
	} while (0)

/* ---- KTAP ---- */
struct ktap {
	FILE *out;
	int planned;
	int next;		/* number of the next result */
	int failed;
	int skipped;
	int passed;
};

void ktap_init(struct ktap *k, FILE *out, int planned);
void ktap_ok(struct ktap *k, const char *name);
void ktap_fail(struct ktap *k, const char *name);
void ktap_skip(struct ktap *k, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ktap_result(struct ktap *k, bool ok, const char *name);
void ktap_diag(struct ktap *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* 1 if anything failed, else 4 if anything was skipped, else 0. */
int ktap_exit_code(const struct ktap *k);

/* ---- arguments ---- */
#define STRESS_STATS_PATH "/sys/kernel/debug/irq_fpu_stress/stats"

struct args {
	unsigned int seconds;
	bool verbose;
	bool require_stress;
	bool help;
	const char *stats_path;
};

/*
 * Fills *a from argv.  Returns 0 on success (a->help set for --help) or -1
 * with a one-line reason in err.
 */
int parse_args(int argc, char **argv, struct args *a, char *err, size_t errlen);
void print_usage(FILE *f, const char *prog, const char *what);

/* ---- patterns (the guest code implements the same function) ---- */
uint32_t pattern_dword(uint64_t iter, uint32_t salt, uint32_t index);
void pattern_fill(uint32_t *buf, uint64_t iter, uint32_t salt, uint32_t ndwords);
/* -1 when equal, else the index of the first dword that differs. */
int pattern_check(const uint32_t *buf, uint64_t iter, uint32_t salt,
		  uint32_t ndwords);
/* Hex of n bytes into out (2n+1 bytes). */
void hexdump(char *out, const void *p, size_t n);

/* Native copies of the guest's routines (lib/guest_code.S). */
void native_pattern_fill(uint32_t *buf, uint64_t iter, uint32_t salt,
			 uint32_t ndwords);
uint32_t native_compare(const uint32_t *a, const uint32_t *b, uint32_t ndwords);

/* ---- irq_fpu_stress counters ---- */
struct stress_stats {
	bool present;
	uint64_t runs, usable, unusable;
	uint64_t guest_xcr0_usable, guest_xcr0_unusable;
	uint64_t vcpu_usable, vcpu_unusable;
	char mode[16];
};

/* Reads the stats file; present=false when it does not exist. -1 on a bad file. */
int stress_read(const char *path, struct stress_stats *s);
int stress_parse(FILE *f, struct stress_stats *s);
void stress_delta(const struct stress_stats *before,
		  const struct stress_stats *after, struct stress_stats *d);
void stress_print(struct ktap *k, const struct stress_stats *d);

/* ---- guest code blobs ---- */
struct guest_code {
	const char *name;
	const char *start, *entry, *end;
};

#define GUEST_CODE(n) { #n, n##_guest_start, n##_guest_entry, n##_guest_end }
extern const char probe_guest_start[], probe_guest_entry[], probe_guest_end[];
extern const char xcr0_guest_start[], xcr0_guest_entry[], xcr0_guest_end[];
extern const char fpu_guest_start[], fpu_guest_entry[], fpu_guest_end[];
extern const char emu_guest_start[], emu_guest_entry[], emu_guest_end[];

/*
 * Copy a blob into guest memory at GUEST_CODE_GPA; returns the guest RIP of
 * its entry, or 0 when it does not fit.
 */
uint64_t guest_code_load(void *mem, size_t memsize, const struct guest_code *c);
/* Identity-map the low 4 GiB with 2 MiB pages at GUEST_PML4_GPA. */
void guest_build_page_tables(void *mem, size_t memsize);

/* ---- the VM ---- */
struct vm {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	uint64_t xcr0;		/* the guest XCR0 set with KVM_SET_XCRS */
	bool avx;		/* guest XCR0 includes AVX */
};

static inline void *guest_ptr(struct vm *vm, uint64_t gpa)
{
	return vm->mem + gpa;
}

/* Host capabilities the programs need. */
bool host_has_xsave(void);	/* CPUID.1:ECX.OSXSAVE */
uint64_t host_xgetbv0(void);	/* only when host_has_xsave() */
bool host_has_avx(void);	/* OS enabled AVX state in XCR0 */

/*
 * Create a VM with one vCPU in long mode at the blob's entry, with the
 * host-supported CPUID, CR4.OSXSAVE|OSFXSR|OSXMMEXCPT and guest XCR0 = xcr0
 * (KVM_SET_XCRS).  Returns 0, or -1 with the reason in err (nothing leaks).
 */
int vm_create(struct vm *vm, const struct guest_code *c, uint64_t xcr0,
	      char *err, size_t errlen);
void vm_destroy(struct vm *vm);
/* Host-supported XCR0 bits for guests (KVM_GET_SUPPORTED_CPUID leaf 0xd). */
uint64_t vm_supported_xcr0(struct vm *vm);
const char *exit_reason_str(uint32_t reason);

/*
 * KVM_RUN with the VMM's own FPU state pinned: xmm0-15 (ymm0-15 with AVX),
 * MXCSR and the x87 control word are loaded from a per-call pattern right
 * before the syscall and stored right after it, inside one asm statement,
 * so no compiled code can touch them in between.
 */
struct host_fpu {
	uint8_t reg[16][32];
	uint32_t mxcsr;
	uint16_t fcw;
} __attribute__((aligned(32)));

#define HOST_FPU_MXCSR	0x7f80	/* round toward zero, exceptions masked */
#define HOST_FPU_FCW	0x0f7f	/* round toward zero, all masked */

struct host_check {
	bool avx;
	uint64_t runs;
	uint64_t mismatches;
	char first[256];	/* the first mismatch, described */
};

void host_fpu_fill(struct host_fpu *f, uint64_t iter);
/* Number of differing items, described into what when not NULL. */
int host_fpu_compare(const struct host_fpu *want, const struct host_fpu *got,
		     bool avx, char *what, size_t len);
/* Returns KVM_RUN's result (0 or -errno). */
long vcpu_run_checked(struct vm *vm, struct host_check *hc);
/* Plain KVM_RUN through the raw syscall wrapper (used by the probe). */
long vcpu_run_raw(struct vm *vm, const struct host_fpu *in,
		  struct host_fpu *out, bool avx);

/* ---- the run harness ---- */
struct run_result {
	/* filled by the child */
	uint64_t kvm_runs, exits_io, exits_mmio, exits_intr, exits_other;
	uint64_t counter, iterations, guest_xcr0, guest_xcr0_seen;
	uint64_t guest_mismatches, guest_bad;
	uint64_t host_runs, host_mismatches;
	uint64_t mmio_checked, mmio_bad;
	double seconds;
	double detected_at;	/* now_seconds() at the first sign of the bug; 0: none */
	int finished;		/* the child reached its normal end */
	int kick;		/* the child wants SIGALRM kicks now */
	char host_first[256];
	char guest_first[256];
	char mmio_first[256];
	char error[256];
	/* filled by the parent */
	int child_signal;	/* signal that killed the child, or 0 */
	int child_status;	/* exit status otherwise */
	bool child_timeout;
};

/* Set up once: line-buffered stdout, a no-op SIGALRM handler. */
void harness_init(void);
/*
 * In a run_in_child() child: ask the parent for (or stop) a SIGALRM every
 * 25 ms, which makes a blocked KVM_RUN return -EINTR.
 */
void harness_kick(bool on);
double now_seconds(void);
/* Record the time of the first sign of the bug (later calls keep it). */
void note_detection(struct run_result *res);

/*
 * Run fn(arg, res) in a child process with res in shared memory; wait at
 * most seconds + grace; fills res->child_*.  Returns 0, or -1 (fork etc.).
 */
int run_in_child(int (*fn)(void *arg, struct run_result *res), void *arg,
		 unsigned int seconds, struct run_result **res);

/*
 * The child's KVM_RUN loop, shared by the programs: runs until `seconds`
 * passed, checks the VMM's registers after every KVM_RUN, records
 * PORT_XCR0 reports, progress and guest mismatches in res, and hands
 * every other exit to handle() (which returns false for an unexpected
 * one: the loop then fails with a TEST_ASSERT).
 */
typedef bool (*exit_handler_t)(struct vm *vm, struct run_result *res,
			       void *ctx);
void run_loop(struct vm *vm, struct run_result *res, unsigned int seconds,
	      bool verbose, exit_handler_t handle, void *ctx);
/* Describe the guest's last mismatch (SH_BAD, SH_EXPECT, SH_SEEN). */
void describe_guest_mismatch(struct vm *vm, char *out, size_t len);

/*
 * Can this host run our guests?  Creates a VM with the given guest XCR0,
 * runs the probe blob, checks it reached PORT_DONE and that XGETBV in the
 * guest returned xcr0.  Returns PROBE_OK, or another PROBE_* with the
 * reason in why: SKIP when KVM is absent or cannot run the guest, but DIED
 * or VMM_FPU when what went wrong looks like the bugs themselves.
 */
enum { PROBE_OK = 0, PROBE_SKIP = 4, PROBE_DIED = 1, PROBE_VMM_FPU = 2 };
int kvm_probe(uint64_t xcr0, char *why, size_t len);

/* ---- the common program: checks, window rule, KTAP, exit code ---- */
enum window_rule {
	WINDOW_XCR0,	/* guest_xcr0_* moved, or vcpu_* moved (see docs) */
	WINDOW_VCPU,	/* vcpu_* moved */
};

struct prog {
	const char *name;
	const char *what;		/* --help text */
	uint64_t xcr0;			/* guest XCR0 to set */
	const struct guest_code *code;
	void (*setup)(struct vm *vm, void *ctx);
	exit_handler_t handle;
	void *ctx;
	enum window_rule window;
	/* program-specific checks, reported after the common ones */
	int nextra;
	const char *const *extra_names;
	void (*report)(struct ktap *k, const struct run_result *res);
};

/* Guest XCR0 for the vector programs: x87|SSE, plus AVX when usable. */
uint64_t prog_vector_xcr0(void);
int prog_main(struct prog *p, int argc, char **argv);
/* The window rule alone (unit-tested): true when reached, else why. */
bool window_reached(enum window_rule rule, const struct stress_stats *d,
		    char *why, size_t len);

#endif
