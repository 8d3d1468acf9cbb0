// SPDX-License-Identifier: GPL-2.0
/*
 * What every reproducer does around its guest: parse arguments, probe
 * /dev/kvm, read the stress counters, run the guest in a child process,
 * and report KTAP with the "not exercised" rule.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kvm_util.h"

static const char *const common_names[] = {
	"vmm_alive", "vmm_fpu_preserved", "guest_progress", "guest_xcr0",
};
#define NCOMMON 4

struct child_arg {
	struct prog *p;
	struct args *a;
};

uint64_t prog_vector_xcr0(void)
{
	uint64_t x = 0x3;	/* x87 | SSE */

	if (host_has_avx())
		x |= 0x4;
	return x;
}

bool window_reached(enum window_rule rule, const struct stress_stats *d,
		    char *why, size_t len)
{
	uint64_t gx = d->guest_xcr0_usable + d->guest_xcr0_unusable;
	uint64_t vc = d->vcpu_usable + d->vcpu_unusable;

	if (!d->present) {
		snprintf(why, len, "irq_fpu_stress counters unavailable (module not loaded, or unloaded during the run)");
		return false;
	}
	if (!d->runs) {
		snprintf(why, len, "the stress handler never ran (runs=0)");
		return false;
	}
	if (rule == WINDOW_XCR0 && (gx || vc))
		return true;
	if (rule == WINDOW_VCPU && vc)
		return true;
	snprintf(why, len, "no stress interrupt landed on a running vCPU (%s0, runs=%" PRIu64 ")",
		 rule == WINDOW_XCR0 ? "guest_xcr0_*=0, vcpu_*=" : "vcpu_*=",
		 d->runs);
	return false;
}

static int child_main(void *arg, struct run_result *res)
{
	struct child_arg *ca = arg;
	struct vm vm;
	char err[256];

	if (vm_create(&vm, ca->p->code, ca->p->xcr0, err, sizeof(err))) {
		snprintf(res->error, sizeof(res->error), "%s", err);
		printf("# VM set-up failed: %s\n", err);
		return 3;
	}
	if (ca->p->setup)
		ca->p->setup(&vm, ca->p->ctx);
	run_loop(&vm, res, ca->a->seconds, ca->a->verbose, ca->p->handle,
		 ca->p->ctx);
	vm_destroy(&vm);
	return 0;
}

#define PROBE_SECONDS 5

static int probe_main(void *arg, struct run_result *res)
{
	struct child_arg *ca = arg;
	int ret = kvm_probe(ca->p->xcr0, res->error, sizeof(res->error));

	if (ret == PROBE_VMM_FPU)
		note_detection(res);
	return ret;
}

/*
 * Time to detection, for scripts/boot: from this program's start (the
 * stress module is already loaded) to the first sign of the bug.
 */
static void report_detection(struct ktap *k, const struct run_result *res,
			     double started)
{
	if (res->detected_at)
		ktap_diag(k, "detected after %.0f ms (from the program's start)",
			  (res->detected_at - started) * 1000);
}

/* Skip every check from the common one numbered `from` (0-based) on. */
static void skip_rest(struct ktap *k, struct prog *p, bool window, int from,
		      const char *why)
{
	int i;

	for (i = from; i < NCOMMON; i++)
		ktap_skip(k, common_names[i], "%s", why);
	for (i = 0; i < p->nextra; i++)
		ktap_skip(k, p->extra_names[i], "%s", why);
	if (window)
		ktap_skip(k, "window_reached", "%s", why);
}

static void skip_all(struct ktap *k, struct prog *p, bool window,
		     const char *why)
{
	skip_rest(k, p, window, 0, why);
}

int prog_main(struct prog *p, int argc, char **argv)
{
	struct stress_stats before, after, delta;
	struct child_arg ca;
	struct run_result *res;
	struct args a;
	struct ktap k;
	char err[256], why[512];
	bool window_check;
	int bad_stats, probe;
	double started = now_seconds();

	harness_init();
	if (parse_args(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", p->name, err);
		return KFF_EXIT_USAGE;
	}
	if (a.help) {
		print_usage(stdout, p->name, p->what);
		return KFF_EXIT_PASS;
	}

	bad_stats = stress_read(a.stats_path, &before);
	window_check = before.present || a.require_stress;
	ktap_init(&k, stdout, NCOMMON + p->nextra + (window_check ? 1 : 0));
	ktap_diag(&k, "%s: guest XCR0=%#" PRIx64 ", %u s", p->name, p->xcr0,
		  a.seconds);
	if (bad_stats)
		ktap_diag(&k, "cannot parse %s: treating the module as absent",
			  a.stats_path);
	if (!before.present)
		ktap_diag(&k, "stress: %s not found%s", a.stats_path,
			  a.require_stress ? " (--require-stress)" :
			  ": unstressed run; load irq_fpu_stress to exercise the bug windows");

	/* the probe runs in a child too: it may meet the bugs already */
	ca.p = p;
	ca.a = &a;
	if (run_in_child(probe_main, &ca, PROBE_SECONDS, &res)) {
		ktap_diag(&k, "cannot start the probe child process");
		skip_all(&k, p, window_check, "fork failed");
		return KFF_EXIT_FAIL;
	}
	snprintf(why, sizeof(why), "%s", res->error);
	probe = res->child_status;
	if (res->child_signal || res->child_timeout) {
		snprintf(why, sizeof(why), "the VMM %s while probing /dev/kvm",
			 res->child_timeout ? "hung" : strsignal(res->child_signal));
		probe = PROBE_DIED;
	}
	if (probe == PROBE_DIED || probe == PROBE_VMM_FPU)
		report_detection(&k, res, started);
	munmap(res, sizeof(*res));
	if (probe == PROBE_DIED || probe == PROBE_VMM_FPU) {
		ktap_diag(&k, "probe: %s", why);
		ktap_result(&k, probe != PROBE_DIED, "vmm_alive");
		if (probe == PROBE_VMM_FPU)
			ktap_fail(&k, "vmm_fpu_preserved");
		else
			ktap_skip(&k, "vmm_fpu_preserved", "not exercised: the probe failed");
		skip_rest(&k, p, window_check, 2, "not exercised: the probe failed");
		return ktap_exit_code(&k);
	}
	if (probe != PROBE_OK) {
		skip_all(&k, p, window_check, why[0] ? why : "the /dev/kvm probe failed");
		return ktap_exit_code(&k);
	}
	if (a.require_stress && !before.present) {
		snprintf(why, sizeof(why), "not exercised: %s not found and --require-stress given",
			 a.stats_path);
		skip_all(&k, p, window_check, why);
		return ktap_exit_code(&k);
	}

	if (run_in_child(child_main, &ca, a.seconds, &res)) {
		ktap_diag(&k, "cannot start the VMM child process");
		skip_all(&k, p, window_check, "fork failed");
		return KFF_EXIT_FAIL;
	}
	stress_read(a.stats_path, &after);
	stress_delta(&before, &after, &delta);

	ktap_diag(&k, "vmm: %.1f s, %" PRIu64 " KVM_RUNs, exits io=%" PRIu64
		  " mmio=%" PRIu64 " intr=%" PRIu64 "; guest counter=%" PRIu64
		  " iterations=%" PRIu64 " xcr0=%#" PRIx64,
		  res->seconds, res->kvm_runs, res->exits_io, res->exits_mmio,
		  res->exits_intr, res->counter, res->iterations,
		  res->guest_xcr0);
	if (delta.present)
		stress_print(&k, &delta);
	report_detection(&k, res, started);

	/* 1: the VMM survived (bug 1 on 3.x kills it with SIGSEGV) */
	if (res->child_signal) {
		ktap_diag(&k, "the VMM was killed by signal %d (%s) while running the guest",
			  res->child_signal, strsignal(res->child_signal));
		ktap_fail(&k, "vmm_alive");
	} else if (res->child_timeout) {
		ktap_diag(&k, "the VMM did not finish within %u s and was killed",
			  a.seconds + 20);
		ktap_fail(&k, "vmm_alive");
	} else if (res->child_status || !res->finished) {
		ktap_diag(&k, "the VMM stopped early (exit %d)%s%s",
			  res->child_status, res->error[0] ? ": " : "",
			  res->error);
		ktap_fail(&k, "vmm_alive");
	} else {
		ktap_ok(&k, "vmm_alive");
	}

	/* 2: the VMM's own registers across every KVM_RUN */
	if (!res->host_runs) {
		ktap_skip(&k, "vmm_fpu_preserved", "not exercised: no KVM_RUN completed");
	} else {
		if (res->host_mismatches)
			ktap_diag(&k, "VMM registers changed in %" PRIu64 " of %" PRIu64 " KVM_RUNs; first %s",
				  res->host_mismatches, res->host_runs,
				  res->host_first);
		ktap_result(&k, !res->host_mismatches, "vmm_fpu_preserved");
	}

	/* 3: the guest ran */
	if (res->counter)
		ktap_ok(&k, "guest_progress");
	else
		ktap_skip(&k, "guest_progress", "not exercised: the guest made no progress (counter=0)");

	/* 4: the guest's XCR0 was in force */
	if (!res->guest_xcr0_seen)
		ktap_skip(&k, "guest_xcr0", "not exercised: the guest never reported XCR0");
	else if (res->guest_xcr0 != p->xcr0)
		ktap_skip(&k, "guest_xcr0", "not exercised: the guest's XGETBV read %#" PRIx64 ", not %#" PRIx64,
			  res->guest_xcr0, p->xcr0);
	else
		ktap_ok(&k, "guest_xcr0");

	if (p->report)
		p->report(&k, res);

	if (window_check) {
		if (window_reached(p->window, &delta, why, sizeof(why)))
			ktap_ok(&k, "window_reached");
		else
			ktap_skip(&k, "window_reached", "not exercised: %s", why);
	}
	munmap(res, sizeof(*res));
	return ktap_exit_code(&k);
}
