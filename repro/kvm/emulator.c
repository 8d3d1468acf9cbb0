// SPDX-License-Identifier: GPL-2.0
/*
 * emulator - bug 2 in KVM's instruction emulator: the SSE/MMX register
 * accessors used while emulating an MMIO access touch the CPU's registers
 * directly, which are stale when TIF_NEED_FPU_LOAD is set (5.2 ... 5.5).
 *
 * The guest stores xmm0-7 (movdqu, movdqa) and mm0-7 (movq) to a GPA
 * without a memslot: KVM decodes the instruction, reads the register and
 * hands the value to the VMM in KVM_EXIT_MMIO, where it is checked.  Then
 * it loads xmm0-7 and mm0-7 from that region: the VMM supplies the data,
 * KVM writes the register, and the guest checks what arrived.  An fnstcw to
 * MMIO makes the emulator read the x87 control word the guest loaded.
 */
#include <inttypes.h>
#include <string.h>

#include "kvm_util.h"

static bool emu_mmio(struct vm *vm, struct run_result *res, void *ctx)
{
	struct kvm_run *run = vm->run;
	uint64_t *sh = guest_ptr(vm, GUEST_SHARED_GPA);
	uint64_t iter = sh[SH_ITER / 8], off;
	uint32_t data[2], len, i, base, salt;

	(void)ctx;
	if (run->exit_reason != KVM_EXIT_MMIO)
		return false;
	len = run->mmio.len;
	off = run->mmio.phys_addr - GUEST_MMIO_GPA;
	if (run->mmio.phys_addr >= GUEST_MMIO_GPA && off == MMIO_STORE_FCW &&
	    (len == 2 || len == 4)) {
		uint16_t fcw, want = EMU_FCW(iter);

		if (!run->mmio.is_write) {
			/* old KVMs read the destination of fnstcw first */
			memset(run->mmio.data, 0, len);
			return true;
		}
		memcpy(&fcw, run->mmio.data, 2);
		res->mmio_checked++;
		if (fcw != want) {
			note_detection(res);
			if (!res->mmio_bad)
				snprintf(res->mmio_first, sizeof(res->mmio_first),
					 "iteration %" PRIu64 ", fnstcw: got fcw=%#x want %#x",
					 iter, fcw, want);
			res->mmio_bad++;
		}
		return true;
	}
	TEST_ASSERT(run->mmio.phys_addr >= GUEST_MMIO_GPA &&
		    off + len <= MMIO_SIZE && !(off % 4) && len && !(len % 4) &&
		    len <= 8,
		    "unexpected MMIO %s at %#llx, %u bytes",
		    run->mmio.is_write ? "write" : "read",
		    (unsigned long long)run->mmio.phys_addr, len);

	if (run->mmio.is_write) {
		if (off < MMIO_STORE_U + 128) {
			base = (uint32_t)(off - MMIO_STORE_U) / 4;
		} else if (off >= MMIO_STORE_A && off < MMIO_STORE_A + 128) {
			base = (uint32_t)(off - MMIO_STORE_A) / 4;
		} else if (off >= MMIO_STORE_M && off < MMIO_STORE_M + 64) {
			base = 32 + (uint32_t)(off - MMIO_STORE_M) / 4;
		} else {
			TEST_ASSERT(false, "MMIO write outside the store areas: +%#llx",
				    (unsigned long long)off);
		}
		memcpy(data, run->mmio.data, len);
		for (i = 0; i < len / 4; i++) {
			uint32_t want = pattern_dword(iter, SALT_STORE, base + i);

			res->mmio_checked++;
			if (data[i] == want)
				continue;
			note_detection(res);
			if (!res->mmio_bad)
				snprintf(res->mmio_first, sizeof(res->mmio_first),
					 "iteration %" PRIu64 ", MMIO +%#" PRIx64 " dword %u (%s%u): got %08x want %08x",
					 iter, off, i,
					 base + i < 32 ? "xmm" : "mm",
					 base + i < 32 ? (base + i) / 4 : (base + i - 32) / 2,
					 data[i], want);
			res->mmio_bad++;
		}
		return true;
	}

	if (off >= MMIO_LOAD_X && off < MMIO_LOAD_X + 128) {
		base = (uint32_t)(off - MMIO_LOAD_X) / 4;
		salt = SALT_LOAD_X;
	} else if (off >= MMIO_LOAD_M && off < MMIO_LOAD_M + 64) {
		base = (uint32_t)(off - MMIO_LOAD_M) / 4;
		salt = SALT_LOAD_M;
	} else {
		TEST_ASSERT(false, "MMIO read outside the load areas: +%#llx",
			    (unsigned long long)off);
	}
	for (i = 0; i < len / 4; i++)
		data[i] = pattern_dword(iter, salt, base + i);
	memcpy(run->mmio.data, data, len);
	return true;
}

static const char *const extra[] = { "mmio_store_values", "guest_registers" };

static void emu_report(struct ktap *k, const struct run_result *res)
{
	if (!res->mmio_checked) {
		ktap_skip(k, extra[0], "not exercised: no MMIO store reached the VMM");
	} else {
		ktap_diag(k, "VMM checked %llu dwords stored through the emulator, %llu wrong%s%s",
			  (unsigned long long)res->mmio_checked,
			  (unsigned long long)res->mmio_bad,
			  res->mmio_bad ? "; first: " : "", res->mmio_first);
		ktap_result(k, !res->mmio_bad, extra[0]);
	}
	if (!res->iterations) {
		ktap_skip(k, extra[1], "not exercised: the guest completed no iteration");
		return;
	}
	if (res->guest_mismatches)
		ktap_diag(k, "guest reported %llu register mismatches over %llu iterations; first: %s",
			  (unsigned long long)res->guest_mismatches,
			  (unsigned long long)res->iterations, res->guest_first);
	ktap_result(k, !res->guest_mismatches, extra[1]);
}

int main(int argc, char **argv)
{
	static const struct guest_code code = GUEST_CODE(emu);
	struct prog p = {
		.name = "emulator",
		.what = "Bug 2 in KVM's instruction emulator: the guest stores xmm0-7 (movdqu,\n"
			"movdqa) and mm0-7 (movq) to MMIO, so KVM reads the registers while\n"
			"emulating (the VMM checks every value, and the x87 control word the\n"
			"guest stores with fnstcw), then loads them from MMIO, so\n"
			"KVM writes the registers (the guest checks every value). With\n"
			"irq_fpu_stress loaded, vcpu_* must move for the run to count.\n",
		.xcr0 = prog_vector_xcr0(),
		.code = &code,
		.handle = emu_mmio,
		.window = WINDOW_VCPU,
		.nextra = 2,
		.extra_names = extra,
		.report = emu_report,
	};

	return prog_main(&p, argc, argv);
}
