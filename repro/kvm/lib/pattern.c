// SPDX-License-Identifier: GPL-2.0
/* Register patterns; lib/guest_code.S computes the same values. */
#include <stdio.h>

#include "kvm_util.h"

uint32_t pattern_dword(uint64_t iter, uint32_t salt, uint32_t index)
{
	return ((uint32_t)iter * (uint32_t)PATTERN_MUL_ITER) ^ salt ^
	       (index * (uint32_t)PATTERN_MUL_INDEX);
}

void pattern_fill(uint32_t *buf, uint64_t iter, uint32_t salt, uint32_t ndwords)
{
	uint32_t i;

	for (i = 0; i < ndwords; i++)
		buf[i] = pattern_dword(iter, salt, i);
}

int pattern_check(const uint32_t *buf, uint64_t iter, uint32_t salt,
		  uint32_t ndwords)
{
	uint32_t i;

	for (i = 0; i < ndwords; i++)
		if (buf[i] != pattern_dword(iter, salt, i))
			return (int)i;
	return -1;
}

void hexdump(char *out, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	/* most significant byte first, like a register dump */
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[n - 1 - i]);
	out[2 * n] = '\0';
}
