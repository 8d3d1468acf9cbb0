// SPDX-License-Identifier: GPL-2.0
/* The KTAP printer: exact output and the exit-code rule. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"
#include "unit.h"

static char *run(int plan, const char *script, int *code)
{
	struct ktap k;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *c;

	ktap_init(&k, f, plan);
	for (c = script; *c; c++) {
		switch (*c) {
		case 'o':
			ktap_ok(&k, "a");
			break;
		case 'f':
			ktap_fail(&k, "b");
			break;
		case 's':
			ktap_skip(&k, "c", "not exercised: %s", "why");
			break;
		case 'd':
			ktap_diag(&k, "note %d", 7);
			break;
		case 'r':
			ktap_result(&k, false, "r");
			break;
		case 'R':
			ktap_result(&k, true, "r");
			break;
		}
	}
	*code = ktap_exit_code(&k);
	fclose(f);
	return buf;
}

int main(void)
{
	char *out;
	int code;

	unit_begin(9);

	out = run(3, "odfs", &code);
	CHECK(!strcmp(out, "KTAP version 1\n1..3\nok 1 a\n# note 7\nnot ok 2 b\n"
		      "ok 3 c # SKIP not exercised: why\n"),
	      "header, plan, ok/not ok/SKIP lines and diagnostics are exact");
	CHECK(code == KFF_EXIT_FAIL, "a failure wins over a skip: exit 1");
	free(out);

	out = run(2, "os", &code);
	CHECK(code == KFF_EXIT_SKIP, "ok + skip: exit 4, never a pass");
	free(out);

	out = run(2, "oR", &code);
	CHECK(code == KFF_EXIT_PASS, "all ok: exit 0");
	CHECK(strstr(out, "ok 2 r\n") != NULL, "ktap_result(true) prints ok");
	free(out);

	out = run(1, "r", &code);
	CHECK(strstr(out, "not ok 1 r\n") != NULL && code == KFF_EXIT_FAIL,
	      "ktap_result(false) prints not ok and fails");
	free(out);

	out = run(3, "oo", &code);
	CHECK(code == KFF_EXIT_FAIL, "fewer results than planned: exit 1");
	free(out);

	out = run(1, "oo", &code);
	CHECK(code == KFF_EXIT_FAIL, "more results than planned: exit 1");
	free(out);

	out = run(0, "", &code);
	CHECK(!strcmp(out, "KTAP version 1\n1..0\n") && code == KFF_EXIT_PASS,
	      "an empty plan prints 1..0");
	free(out);

	return unit_end();
}
