// SPDX-License-Identifier: GPL-2.0
/* KTAP output and TEST_ASSERT for the reproducers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kvm_util.h"

void test_assert_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("# ==== Test Assertion Failure ====\n");
	printf("# %s:%d: %s\n# ", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(KFF_EXIT_FAIL);
}

void ktap_init(struct ktap *k, FILE *out, int planned)
{
	k->out = out;
	k->planned = planned;
	k->next = 1;
	k->failed = 0;
	k->skipped = 0;
	k->passed = 0;
	fprintf(out, "KTAP version 1\n1..%d\n", planned);
	fflush(out);
}

void ktap_ok(struct ktap *k, const char *name)
{
	fprintf(k->out, "ok %d %s\n", k->next++, name);
	k->passed++;
	fflush(k->out);
}

void ktap_fail(struct ktap *k, const char *name)
{
	fprintf(k->out, "not ok %d %s\n", k->next++, name);
	k->failed++;
	fflush(k->out);
}

void ktap_result(struct ktap *k, bool ok, const char *name)
{
	if (ok)
		ktap_ok(k, name);
	else
		ktap_fail(k, name);
}

void ktap_skip(struct ktap *k, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(k->out, "ok %d %s # SKIP ", k->next++, name);
	va_start(ap, fmt);
	vfprintf(k->out, fmt, ap);
	va_end(ap);
	fputc('\n', k->out);
	k->skipped++;
	fflush(k->out);
}

void ktap_diag(struct ktap *k, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", k->out);
	va_start(ap, fmt);
	vfprintf(k->out, fmt, ap);
	va_end(ap);
	fputc('\n', k->out);
	fflush(k->out);
}

int ktap_exit_code(const struct ktap *k)
{
	if (k->failed)
		return KFF_EXIT_FAIL;
	/* a missing result counts as a failure, never as a pass */
	if (k->next - 1 != k->planned)
		return KFF_EXIT_FAIL;
	if (k->skipped)
		return KFF_EXIT_SKIP;
	return KFF_EXIT_PASS;
}
