// SPDX-License-Identifier: GPL-2.0
/* The irq_fpu_stress counters: parsing, deltas, and the window rule. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>

#include "kvm_util.h"
#include "unit.h"

static const char sample[] =
	"runs 100\nusable 90\nunusable 10\nguest_xcr0_usable 0\n"
	"guest_xcr0_unusable 3\nvcpu_usable 40\nvcpu_unusable 2\nhardirq 100\n"
	"mode ipi\nperiod_us 200\nclobber 1\nhost_xcr0 0x7\nvcpu_tracked 1\n"
	"cpu0 runs=50 usable=45 unusable=5 guest_xcr0_usable=0 guest_xcr0_unusable=1 vcpu_usable=20 vcpu_unusable=1\n"
	"cpu1 runs=50 usable=45 unusable=5 guest_xcr0_usable=0 guest_xcr0_unusable=2 vcpu_usable=20 vcpu_unusable=1\n";

static int parse_str(const char *s, struct stress_stats *st)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");
	int r = stress_parse(f, st);

	fclose(f);
	return r;
}

int main(void)
{
	struct stress_stats a, b, d;
	char why[256];

	unit_begin(12);

	CHECK(parse_str(sample, &a) == 0 && a.present && a.runs == 100 &&
	      a.usable == 90 && a.unusable == 10 && a.guest_xcr0_usable == 0 &&
	      a.guest_xcr0_unusable == 3 && a.vcpu_usable == 40 &&
	      a.vcpu_unusable == 2 && !strcmp(a.mode, "ipi"),
	      "the module's stats file parses; per-CPU lines are ignored");
	CHECK(parse_str("runs 1\nusable 1\n", &b) == -1 && !b.present,
	      "a file missing counters is refused");
	CHECK(stress_read("/nonexistent/irq_fpu_stress/stats", &b) == 0 && !b.present,
	      "a missing file means: module not loaded");

	b = a;
	b.runs = 150;
	b.vcpu_usable = 41;
	stress_delta(&a, &b, &d);
	CHECK(d.present && d.runs == 50 && d.vcpu_usable == 1 && d.usable == 0,
	      "deltas are after - before");
	b.runs = 10;	/* module reloaded: counters went backwards */
	stress_delta(&a, &b, &d);
	CHECK(d.runs == 0, "a counter that went backwards gives 0, not a huge delta");
	b.present = false;
	stress_delta(&a, &b, &d);
	CHECK(!d.present, "no delta when the file vanished during the run");

	memset(&d, 0, sizeof(d));
	d.present = true;
	d.runs = 500;
	CHECK(!window_reached(WINDOW_VCPU, &d, why, sizeof(why)) && strstr(why, "vcpu_*=0"),
	      "vcpu rule: stress ran but never on a vCPU -> not reached (%s)", why);
	CHECK(!window_reached(WINDOW_XCR0, &d, why, sizeof(why)) && strstr(why, "guest_xcr0_*=0"),
	      "xcr0 rule: neither counter moved -> not reached (%s)", why);
	d.guest_xcr0_unusable = 4;
	CHECK(window_reached(WINDOW_XCR0, &d, why, sizeof(why)) &&
	      !window_reached(WINDOW_VCPU, &d, why, sizeof(why)),
	      "guest_xcr0_* reaches the xcr0 window only");
	d.guest_xcr0_unusable = 0;
	d.vcpu_unusable = 1;
	CHECK(window_reached(WINDOW_XCR0, &d, why, sizeof(why)) &&
	      window_reached(WINDOW_VCPU, &d, why, sizeof(why)),
	      "vcpu_* reaches both windows");
	d.runs = 0;
	CHECK(!window_reached(WINDOW_VCPU, &d, why, sizeof(why)) && strstr(why, "runs=0"),
	      "no stress runs -> not reached (%s)", why);
	d.present = false;
	CHECK(!window_reached(WINDOW_XCR0, &d, why, sizeof(why)) && strstr(why, "unavailable"),
	      "no counters -> not reached (%s)", why);

	return unit_end();
}
