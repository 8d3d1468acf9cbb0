// SPDX-License-Identifier: GPL-2.0
/* Argument parsing shared by the programs. */
#include <stdbool.h>
#include <stdarg.h>
#include <string.h>

#include "kvm_util.h"
#include "unit.h"

static int parse(struct args *a, char *err, ...)
{
	char *argv[8] = { "prog" };
	int argc = 1;
	va_list ap;
	char *s;

	va_start(ap, err);
	while ((s = va_arg(ap, char *)) && argc < 7)
		argv[argc++] = s;
	va_end(ap);
	err[0] = '\0';
	return parse_args(argc, argv, a, err, 200);
}

int main(void)
{
	struct args a;
	char err[200];

	unit_begin(16);

	CHECK(parse(&a, err, NULL) == 0 && a.seconds == 10 && !a.verbose &&
	      !a.require_stress && !a.help && !strcmp(a.stats_path, STRESS_STATS_PATH),
	      "defaults: 10 s, the debugfs stats path, no flags");
	CHECK(parse(&a, err, "--seconds", "5", NULL) == 0 && a.seconds == 5, "--seconds 5");
	CHECK(parse(&a, err, "--seconds=3600", NULL) == 0 && a.seconds == 3600, "--seconds=3600 (the maximum)");
	CHECK(parse(&a, err, "--help", NULL) == 0 && a.help, "--help");
	CHECK(parse(&a, err, "-h", NULL) == 0 && a.help, "-h");
	CHECK(parse(&a, err, "--verbose", "--require-stress", NULL) == 0 &&
	      a.verbose && a.require_stress, "--verbose --require-stress");
	CHECK(parse(&a, err, "--stats-file", "/tmp/x", NULL) == 0 &&
	      !strcmp(a.stats_path, "/tmp/x"), "--stats-file PATH");
	CHECK(parse(&a, err, "--seconds", "0", NULL) == -1 && strstr(err, "bad --seconds '0'"),
	      "--seconds 0 is refused (%s)", err);
	CHECK(parse(&a, err, "--seconds", "3601", NULL) == -1 && strstr(err, "1 to 3600"),
	      "--seconds 3601 is refused (%s)", err);
	CHECK(parse(&a, err, "--seconds", "12abc", NULL) == -1 && strstr(err, "12abc"),
	      "--seconds 12abc is refused (%s)", err);
	CHECK(parse(&a, err, "--seconds", "-1", NULL) == -1 && strstr(err, "whole number"),
	      "--seconds -1 is refused (%s)", err);
	CHECK(parse(&a, err, "--seconds", NULL) == -1 && strstr(err, "needs a value"),
	      "--seconds without a value is refused (%s)", err);
	CHECK(parse(&a, err, "--seconds=", NULL) == -1 && strstr(err, "whole number"),
	      "--seconds= with an empty value is refused (%s)", err);
	CHECK(parse(&a, err, "--bogus", NULL) == -1 && strstr(err, "unknown argument '--bogus'"),
	      "an unknown option is refused (%s)", err);
	CHECK(parse(&a, err, "extra", NULL) == -1 && strstr(err, "unknown argument 'extra'"),
	      "a stray operand is refused (%s)", err);
	CHECK(parse(&a, err, "--stats-file", NULL) == -1 && strstr(err, "needs a path"),
	      "--stats-file without a path is refused (%s)", err);

	return unit_end();
}
