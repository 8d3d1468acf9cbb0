// SPDX-License-Identifier: GPL-2.0
/* Reading the irq_fpu_stress module's counters. */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kvm_util.h"

static const struct {
	const char *key;
	size_t off;
} stress_keys[] = {
	{ "runs", offsetof(struct stress_stats, runs) },
	{ "usable", offsetof(struct stress_stats, usable) },
	{ "unusable", offsetof(struct stress_stats, unusable) },
	{ "guest_xcr0_usable", offsetof(struct stress_stats, guest_xcr0_usable) },
	{ "guest_xcr0_unusable", offsetof(struct stress_stats, guest_xcr0_unusable) },
	{ "vcpu_usable", offsetof(struct stress_stats, vcpu_usable) },
	{ "vcpu_unusable", offsetof(struct stress_stats, vcpu_unusable) },
};
#define NKEYS (sizeof(stress_keys) / sizeof(stress_keys[0]))

int stress_parse(FILE *f, struct stress_stats *s)
{
	char line[512], key[64], val[64];
	unsigned int seen = 0, i;

	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "%63s %63s", key, val) != 2)
			continue;
		if (!strcmp(key, "mode")) {
			snprintf(s->mode, sizeof(s->mode), "%.15s", val);
			continue;
		}
		if (sscanf(val, "%llu", &v) != 1)
			continue;
		for (i = 0; i < NKEYS; i++) {
			if (strcmp(key, stress_keys[i].key))
				continue;
			*(uint64_t *)((char *)s + stress_keys[i].off) = v;
			seen |= 1u << i;
		}
	}
	if (seen != (1u << NKEYS) - 1)
		return -1;
	s->present = true;
	return 0;
}

int stress_read(const char *path, struct stress_stats *s)
{
	FILE *f = fopen(path, "r");
	int ret;

	memset(s, 0, sizeof(*s));
	if (!f)
		return errno == ENOENT ? 0 : -1;
	ret = stress_parse(f, s);
	fclose(f);
	return ret;
}

void stress_delta(const struct stress_stats *b, const struct stress_stats *a,
		  struct stress_stats *d)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->present = a->present && b->present;
	if (!d->present)
		return;
	for (i = 0; i < NKEYS; i++) {
		uint64_t bv = *(const uint64_t *)((const char *)b + stress_keys[i].off);
		uint64_t av = *(const uint64_t *)((const char *)a + stress_keys[i].off);

		/* a counter that went backwards (module reloaded) counts 0 */
		*(uint64_t *)((char *)d + stress_keys[i].off) = av >= bv ? av - bv : 0;
	}
	memcpy(d->mode, a->mode, sizeof(d->mode));
}

void stress_print(struct ktap *k, const struct stress_stats *d)
{
	ktap_diag(k, "stress: runs=%" PRIu64 " usable=%" PRIu64
		  " guest_xcr0_usable=%" PRIu64 " guest_xcr0_unusable=%" PRIu64
		  " vcpu_usable=%" PRIu64 " vcpu_unusable=%" PRIu64
		  " unusable=%" PRIu64 " mode=%s",
		  d->runs, d->usable, d->guest_xcr0_usable,
		  d->guest_xcr0_unusable, d->vcpu_usable, d->vcpu_unusable,
		  d->unusable, d->mode[0] ? d->mode : "?");
}
