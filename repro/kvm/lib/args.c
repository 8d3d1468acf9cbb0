// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing shared by the reproducers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"

#define MAX_SECONDS 3600

static int parse_seconds(const char *s, unsigned int *out, char *err,
			 size_t errlen)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+') {
		snprintf(err, errlen, "--seconds needs a whole number from 1 to %d",
			 MAX_SECONDS);
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > MAX_SECONDS) {
		snprintf(err, errlen, "bad --seconds '%s': use a whole number from 1 to %d",
			 s, MAX_SECONDS);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int parse_args(int argc, char **argv, struct args *a, char *err, size_t errlen)
{
	int i;

	a->seconds = 10;
	a->verbose = false;
	a->require_stress = false;
	a->help = false;
	a->stats_path = STRESS_STATS_PATH;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			a->help = true;
		} else if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v")) {
			a->verbose = true;
		} else if (!strcmp(arg, "--require-stress")) {
			a->require_stress = true;
		} else if (!strcmp(arg, "--seconds")) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--seconds needs a value (e.g. --seconds 10)");
				return -1;
			}
			if (parse_seconds(argv[++i], &a->seconds, err, errlen))
				return -1;
		} else if (!strncmp(arg, "--seconds=", 10)) {
			if (parse_seconds(arg + 10, &a->seconds, err, errlen))
				return -1;
		} else if (!strcmp(arg, "--stats-file")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				snprintf(err, errlen, "--stats-file needs a path");
				return -1;
			}
			a->stats_path = argv[++i];
		} else if (!strncmp(arg, "--stats-file=", 13) && arg[13]) {
			a->stats_path = arg + 13;
		} else {
			snprintf(err, errlen, "unknown argument '%s' (see --help)", arg);
			return -1;
		}
	}
	return 0;
}

void print_usage(FILE *f, const char *prog, const char *what)
{
	fprintf(f,
		"Usage: %s [--seconds N] [--require-stress] [--stats-file PATH] [--verbose] [--help]\n"
		"\n%s\n"
		"Options:\n"
		"  --seconds N        run the guest for N seconds (1..%d, default 10); never longer\n"
		"  --require-stress   SKIP instead of an unstressed PASS when the irq_fpu_stress\n"
		"                     module is not loaded\n"
		"  --stats-file PATH  the module's counters (default %s)\n"
		"  --verbose          more diagnostics\n"
		"  --help             this text\n"
		"\nOutput is KTAP. Exit: 0 pass, 1 fail (bug reproduced), 2 usage, 4 skipped\n"
		"(no usable /dev/kvm, or the window was not reached: \"not exercised\").\n",
		prog, what, MAX_SECONDS, STRESS_STATS_PATH);
}
