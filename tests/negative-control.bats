#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The negative control: Debian's own 6.1 kernel carries every fix, so every
# reproducer must PASS on it under QEMU TCG with the stressor clobbering the
# registers, and the stress counters must show the interrupts reached a
# running vCPU (otherwise a pass would prove nothing).
#
# Needs: qemu-system-x86, linux-image-amd64, linux-headers-amd64,
# busybox-static, socat, root (Debian's /boot/vmlinuz-* is mode 0600). About
# 2 minutes on 2 cores. A boot that hangs fails the test, with the vCPUs'
# registers (scripts/boot's hang.txt) in the output; scripts/soak-boot
# counts hangs over many boots of the same arguments.

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

# boot_all: the three reproducers under clobbering stress, one boot, with
# the arguments scripts/soak-boot measures (scripts/data/negative-control-args)
boot_all() {
	local args
	read -r -a args < <(grep -v '^#' "$KFF_REPO/scripts/data/negative-control-args")
	run timeout 540 "$SCRIPTS/boot" "${args[@]}"
}

# why_lines <boot.log>: what says why a boot failed: each test's start, its
# failed or skipped KTAP lines and the programs' diagnostics, then the first
# kernel reports
why_lines() {
	[ -f "$1" ] || { echo "(no boot log: $1)"; return 0; }
	tr -d '\r' <"$1" | grep -E '^# kff: test-start|^    (not ok|ok .* # SKIP|# )' || true
	tr -d '\r' <"$1" | grep -E '^# kff: dmesg: .*(WARNING|BUG|Oops|general protection|panic|RIP:)' |
		head -n 10 || true
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
	r=$KFF_CACHE/out/none@debian-6.1/result.json
	log=$KFF_CACHE/out/none@debian-6.1/boot.log
	boot_all
	# A hang is its own result, never retried: the vCPUs' state comes first.
	if [ "$status" -eq 124 ]; then
		echo "the boot hung; the vCPUs (hang.txt):"
		grep '^sample ' "$KFF_CACHE/out/none@debian-6.1/hang.txt" || true
	fi
	# On failure bats shows all of this; what says why comes first (a CI
	# summary may show only the first lines).
	why_lines "$log"
	echo "$output"
	tr -d '\r' <"$log" | grep -v '^# kff: dmesg: ' | tail -n 60 || true
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

@test "negative control: a boot cut off by its timeout keeps both vCPUs' registers from QEMU's monitor" {
	need
	command -v socat >/dev/null || skip "socat absent (apt-get install socat)"
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	# Cut off at 12 s, in the middle of a 60 s test: the guest is still
	# running while its registers are read (with a 5 s test it could power
	# off during the report, and the later samples found no QEMU: a flake).
	run "$SCRIPTS/boot" none debian-6.1 --test xcr0 --seconds 60 --timeout 12
	echo "$output"
	[ "$status" -eq 124 ]
	h=$KFF_CACHE/out/none@debian-6.1/hang.txt
	[ "$(jq -r .result "$KFF_CACHE/out/none@debian-6.1/result.json")" = timeout ]
	[ "$(jq -r .hang_report "$KFF_CACHE/out/none@debian-6.1/result.json")" = "$h" ]
	# QEMU's own dump, and the summary read from it: both vCPUs, 3 samples
	[ "$(grep -c '^CPU#[01]$' "$h")" -ge 4 ]
	grep -Eq '^sample 1 vCPU 0: (RIP|EIP) [0-9a-f]+ ' "$h"
	grep -Eq '^sample [12] vCPU 1: (RIP|EIP) [0-9a-f]+ ' "$h"
	# the KASLR offset came from /init's kernel-text line, when it was out
	if tr -d '\r' <"$KFF_CACHE/out/none@debian-6.1/boot.log" | grep -q '^# kff: kernel-text ffffffff[0-9a-f]\{8\}$'; then
		grep -q "_text at ffffffff[0-9a-f]\{8\})" "$h"
	else
		grep -q "_text at unknown" "$h"
	fi
}
