/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal KTAP harness for the helper-layer unit tests: each CHECK is
 * one numbered result; the exit code is 1 when any failed or when the
 * number of results does not match the plan.
 */
#ifndef KFF_UNIT_H
#define KFF_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_n, unit_failed, unit_plan;

static inline void unit_begin(int plan)
{
	unit_plan = plan;
	printf("KTAP version 1\n1..%d\n", plan);
}

#define CHECK(cond, ...)						\
	do {								\
		bool _ok = (cond);					\
		printf("%sok %d ", _ok ? "" : "not ", ++unit_n);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		if (!_ok) {						\
			printf("# %s:%d: failed: %s\n", __FILE__,	\
			       __LINE__, #cond);			\
			unit_failed++;					\
		}							\
	} while (0)

static inline int unit_end(void)
{
	if (unit_n != unit_plan) {
		printf("# planned %d results, ran %d\n", unit_plan, unit_n);
		return 1;
	}
	return unit_failed ? 1 : 0;
}

#endif
