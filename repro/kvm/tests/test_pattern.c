// SPDX-License-Identifier: GPL-2.0
/* Patterns: the C side, the guest's routines run natively, the VMM check. */
#include <stdbool.h>
#include <string.h>

#include "kvm_util.h"
#include "unit.h"

int main(void)
{
	static const uint64_t iters[] = { 0, 1, 2, 77, 0xffffffffull, 0x100000001ull };
	static const uint32_t salts[] = { 0, SALT_GUEST, SALT_STORE, 0xffffffff };
	uint32_t a[64], b[64];
	struct host_fpu want, got;
	char what[256], hex[17];
	bool same = true;
	unsigned int i, j;

	unit_begin(17);

	CHECK(pattern_dword(0, 0, 0) == 0, "pattern of iteration 0, salt 0, index 0 is 0");
	CHECK(pattern_dword(1, 0, 0) == 0x9e3779b1u, "iteration term is iter * 0x9e3779b1");
	CHECK(pattern_dword(1, 0x10, 1) == (0x9e3779b1u ^ 0x10u ^ 0x85ebca6bu),
	      "index and salt terms are xored in");
	CHECK(pattern_dword(0x100000001ull, 5, 3) == pattern_dword(1, 5, 3),
	      "only the low 32 bits of the iteration count");

	pattern_fill(a, 42, SALT_VMM, 64);
	CHECK(pattern_check(a, 42, SALT_VMM, 64) == -1, "pattern_check accepts pattern_fill's output");
	a[17] ^= 0x100;
	CHECK(pattern_check(a, 42, SALT_VMM, 64) == 17, "pattern_check finds a flipped bit at dword 17");
	CHECK(pattern_check(a, 43, SALT_VMM, 64) == 0, "pattern_check rejects the wrong iteration");

	for (i = 0; i < sizeof(iters) / sizeof(iters[0]); i++)
		for (j = 0; j < sizeof(salts) / sizeof(salts[0]); j++) {
			pattern_fill(a, iters[i], salts[j], 64);
			memset(b, 0xa5, sizeof(b));
			native_pattern_fill(b, iters[i], salts[j], 64);
			if (memcmp(a, b, sizeof(a)))
				same = false;
		}
	CHECK(same, "the guest's pattern routine (run natively) matches the C one");
	memset(b, 0xa5, sizeof(b));
	native_pattern_fill(b, 3, 1, 10);
	CHECK(b[10] == 0xa5a5a5a5 && b[9] == pattern_dword(3, 1, 9),
	      "the guest's pattern routine writes exactly ndwords");

	pattern_fill(a, 9, 9, 64);
	memcpy(b, a, sizeof(a));
	CHECK(native_compare(a, b, 64) == 0, "the guest's compare routine: equal buffers -> 0");
	b[63] ^= 1;
	CHECK(native_compare(a, b, 64) == 64, "the guest's compare routine: last dword differs -> 64");
	CHECK(native_compare(a, b, 63) == 0, "the guest's compare routine stops at ndwords");

	hexdump(hex, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	CHECK(!strcmp(hex, "0807060504030201"), "hexdump prints the most significant byte first");

	host_fpu_fill(&want, 5);
	got = want;
	CHECK(host_fpu_compare(&want, &got, true, what, sizeof(what)) == 0 && !what[0],
	      "host_fpu_compare: identical state, nothing reported");
	got.reg[3][20] ^= 0xff;
	CHECK(host_fpu_compare(&want, &got, false, what, sizeof(what)) == 0,
	      "host_fpu_compare without AVX ignores the upper ymm half");
	CHECK(host_fpu_compare(&want, &got, true, what, sizeof(what)) == 1 &&
	      !strncmp(what, "ymm3=", 5), "host_fpu_compare with AVX reports ymm3 (%s)", what);
	got = want;
	got.mxcsr = 0x1f80;
	got.fcw = 0x37f;
	got.reg[0][0] ^= 1;
	CHECK(host_fpu_compare(&want, &got, false, what, sizeof(what)) == 3 &&
	      strstr(what, "xmm0=") && strstr(what, "mxcsr=0x1f80") && strstr(what, "fcw=0x37f"),
	      "host_fpu_compare reports a reset FPU: xmm, MXCSR and FCW");

	return unit_end();
}
