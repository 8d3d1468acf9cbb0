// SPDX-License-Identifier: GPL-2.0
/* Guest code blobs: assembled, copied, page tables, and no XSETBV. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"
#include "unit.h"

static const struct guest_code blobs[] = {
	GUEST_CODE(probe), GUEST_CODE(xcr0), GUEST_CODE(fpu), GUEST_CODE(emu),
};
#define NBLOBS (sizeof(blobs) / sizeof(blobs[0]))

static bool has_bytes(const char *p, size_t n, const char *pat, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (!memcmp(p + i, pat, m))
			return true;
	return false;
}

/* Walk the guest's page tables for a guest-virtual address. */
static uint64_t walk(const uint8_t *mem, uint64_t va)
{
	const uint64_t *pml4 = (const uint64_t *)(mem + GUEST_PML4_GPA);
	const uint64_t *pdpt, *pd;
	uint64_t e;

	e = pml4[(va >> 39) & 511];
	if (!(e & 1))
		return ~0ull;
	pdpt = (const uint64_t *)(mem + (e & ~0xfffull));
	e = pdpt[(va >> 30) & 511];
	if (!(e & 1))
		return ~0ull;
	pd = (const uint64_t *)(mem + (e & ~0xfffull));
	e = pd[(va >> 21) & 511];
	if (!(e & 1) || !(e & 0x80))
		return ~0ull;
	return (e & ~0x1fffffull) | (va & 0x1fffff);
}

int main(void)
{
	uint8_t *mem = calloc(1, GUEST_MEM_SIZE);
	struct guest_code bad;
	bool ok_sizes = true, ok_copy = true, ok_entry = true, no_xsetbv = true;
	bool ok_fill;
	unsigned int i;

	unit_begin(9);
	for (i = 0; i < NBLOBS; i++) {
		const struct guest_code *c = &blobs[i];
		size_t len = (size_t)(c->end - c->start);
		uint64_t rip;

		if (c->end <= c->start || len > GUEST_CODE_MAX)
			ok_sizes = false;
		memset(mem, 0, GUEST_MEM_SIZE);
		rip = guest_code_load(mem, GUEST_MEM_SIZE, c);
		if (rip != GUEST_CODE_GPA + (uint64_t)(c->entry - c->start))
			ok_entry = false;
		if (memcmp(mem + GUEST_CODE_GPA, c->start, len) ||
		    mem[GUEST_CODE_GPA + len] != 0)
			ok_copy = false;
		/* 0f 01 d1 is XSETBV: the guests must leave XCR0 to KVM_SET_XCRS */
		if (has_bytes(c->start, len, "\x0f\x01\xd1", 3))
			no_xsetbv = false;
	}
	CHECK(ok_sizes, "every blob is non-empty and fits GUEST_CODE_MAX");
	CHECK(ok_copy, "guest_code_load copies each blob byte for byte, nothing more");
	CHECK(ok_entry, "guest_code_load returns the entry's guest address");
	CHECK(no_xsetbv, "no blob contains XSETBV (0f 01 d1)");
	CHECK(has_bytes(blobs[1].start, (size_t)(blobs[1].end - blobs[1].start), "\x0f\x01\xd0", 3),
	      "the xcr0 guest reads XCR0 with XGETBV (0f 01 d0)");

	bad = blobs[0];
	bad.entry = bad.end;
	CHECK(guest_code_load(mem, GUEST_MEM_SIZE, &bad) == 0,
	      "an entry outside its blob is refused");
	CHECK(guest_code_load(mem, GUEST_CODE_GPA + 4, &blobs[2]) == 0,
	      "a blob that does not fit guest memory is refused");

	guest_build_page_tables(mem, GUEST_MEM_SIZE);
	CHECK(walk(mem, GUEST_CODE_GPA + 0x123) == GUEST_CODE_GPA + 0x123 &&
	      walk(mem, GUEST_SHARED_GPA) == GUEST_SHARED_GPA &&
	      walk(mem, GUEST_MMIO_GPA + MMIO_LOAD_M) == GUEST_MMIO_GPA + MMIO_LOAD_M &&
	      walk(mem, 0xffffffffull) == 0xffffffffull,
	      "the page tables identity-map code, shared area and MMIO window");

	/* the shared area layout the guest assumes */
	ok_fill = SH_EXPECT + 512 <= SH_SEEN && SH_SEEN + 512 <= SH_SIZE &&
		  GUEST_SHARED_GPA + SH_SIZE <= GUEST_STACK_TOP - 0x1000 &&
		  GUEST_CODE_GPA + GUEST_CODE_MAX <= GUEST_SHARED_GPA &&
		  GUEST_PD_GPA + 4 * 4096 <= GUEST_CODE_GPA &&
		  GUEST_STACK_TOP <= GUEST_MEM_SIZE && GUEST_MMIO_GPA >= GUEST_MEM_SIZE;
	CHECK(ok_fill, "guest memory regions do not overlap; MMIO is outside RAM");

	free(mem);
	return unit_end();
}
