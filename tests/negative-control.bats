#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The negative control: Debian's own 6.1 kernel carries every fix, so every
# reproducer must PASS on it under QEMU TCG with the stressor clobbering the
# registers, and the stress counters must show the interrupts reached a
# running vCPU (otherwise a pass would prove nothing).
#
# Needs: qemu-system-x86, linux-image-amd64, linux-headers-amd64,
# busybox-static, root (Debian's /boot/vmlinuz-* is mode 0600). About 2-4
# minutes on 2 cores.

load helpers

SECONDS_PER_TEST=10

need() {
	command -v qemu-system-x86_64 >/dev/null ||
		skip "qemu absent (apt-get install qemu-system-x86)"
	[ -x /bin/busybox ] || skip "busybox absent (apt-get install busybox-static)"
	KR=''
	local k r
	for k in /boot/vmlinuz-6.1.*-amd64; do
		[ -e "$k" ] || continue
		r=${k#/boot/vmlinuz-}
		[ -f "/usr/src/linux-headers-$r/Makefile" ] && [ -d "/lib/modules/$r/kernel" ] && KR=$r
	done
	[ -n "$KR" ] || skip "Debian 6.1 image/headers absent (apt-get install linux-image-amd64 linux-headers-amd64)"
	[ -r "/boot/vmlinuz-$KR" ] || skip "/boot/vmlinuz-$KR is not readable (run as root)"
}

setup_file() {
	export KFF_CACHE=$BATS_FILE_TMPDIR/cache
}

@test "negative control: the stress module builds against Debian's 6.1 headers" {
	need
	run make -s -C "$KFF_REPO/repro" module KDIR="/usr/src/linux-headers-$KR" \
		MODULE_OUT="$BATS_FILE_TMPDIR/module"
	[ "$status" -eq 0 ]
	[ -f "$BATS_FILE_TMPDIR/module/irq_fpu_stress.ko" ]
	[ "$(modinfo -F vermagic "$BATS_FILE_TMPDIR/module/irq_fpu_stress.ko" | cut -d' ' -f1)" = "$KR" ]
	for p in mode period_us clobber; do
		modinfo -F parm "$BATS_FILE_TMPDIR/module/irq_fpu_stress.ko" | grep -q "^$p:"
	done
}

@test "negative control: the initramfs builds for Debian's 6.1" {
	need
	run make -s -C "$KFF_REPO/repro" programs
	[ "$status" -eq 0 ]
	[ -f "$BATS_FILE_TMPDIR/module/irq_fpu_stress.ko" ] || skip "the module test did not run first"
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --modules-dir "/lib/modules/$KR" \
		--stress-ko "$BATS_FILE_TMPDIR/module/irq_fpu_stress.ko" \
		--programs "$KFF_REPO/repro/build/kvm" --output "$BATS_FILE_TMPDIR/i.cpio.gz"
	[ "$status" -eq 0 ]
	[[ $output == *"programs: "*xcr0* ]]
	[[ $output == *"kvm_amd.ko nested=1"* ]]
}

@test "negative control: Debian 6.1 in QEMU TCG passes every reproducer under clobbering stress" {
	need
	run timeout 540 "$SCRIPTS/boot" none debian-6.1 --test all --seconds "$SECONDS_PER_TEST" \
		--clobber 1 --timeout 480
	if [ "$status" -eq 124 ]; then
		# A whole-VM hang right after the first test started was seen in 2 of
		# about 12 boots here, both under heavy host load, cause not found yet
		# (Documentation/results.rst). A hang is retried once, in the open; a
		# failed or skipped test never is.
		cp "$KFF_CACHE/out/none@debian-6.1/boot.log" "$BATS_TEST_TMPDIR/hung-boot.log"
		echo "# negative control: the first boot hung (exit 124), booting once more;" \
			"its log: $(grep -c . "$BATS_TEST_TMPDIR/hung-boot.log") lines, last test started:" \
			"$(grep -o 'test-start [a-z0-9-]*' "$BATS_TEST_TMPDIR/hung-boot.log" | tail -n1)" >&3
		run timeout 540 "$SCRIPTS/boot" none debian-6.1 --test all --seconds "$SECONDS_PER_TEST" \
			--clobber 1 --timeout 480
	fi
	echo "$output"
	r=$KFF_CACHE/out/none@debian-6.1/result.json
	# on failure bats shows this: the end of the console log and the result
	tr -d '\r' <"$KFF_CACHE/out/none@debian-6.1/boot.log" | grep -v '^# kff: dmesg: ' | tail -n 60 || true
	[ -f "$r" ]
	jq -c '.tests[] |= del(.stress)' "$r"
	[ "$status" -eq 0 ]
	[ "$(jq -r .result "$r")" = pass ]
	[ "$(jq -r .completed "$r")" = true ]
	[ "$(jq -r .panic "$r")" = false ]
	[ "$(jq -r .kernel "$r")" = "$KR" ]
	[ "$(jq -r .cpus "$r")" = 2 ]
	for t in xcr0 fpu-state emulator; do
		[ "$(jq -r --arg t "$t" '.tests[$t].result' "$r")" = pass ]
		[ "$(jq -r --arg t "$t" '.tests[$t].warn or .tests[$t].bug or .tests[$t].oops' "$r")" = false ]
		[ "$(jq -r --arg t "$t" '.tests[$t].stress.clobber' "$r")" = 1 ]
		# the stressor ran, and its interrupts landed on a running vCPU
		[ "$(jq -r --arg t "$t" '.tests[$t].stress.runs' "$r")" -gt 0 ]
		[ "$(jq -r --arg t "$t" '.tests[$t].stress.vcpu_usable + .tests[$t].stress.vcpu_unusable' "$r")" -gt 0 ]
	done
	# each program proved that the window was reached (its own KTAP line)
	[ "$(tr -d '\r' <"$KFF_CACHE/out/none@debian-6.1/boot.log" | grep -c '^    ok [0-9]* window_reached$')" -eq 3 ]
}
