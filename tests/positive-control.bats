#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The positive control, end to end from Debian's own sources, so that a
# fresh machine proves the method without any fetched tree: Debian's 5.10
# (linux-source-5.10 from bullseye, through scripts/tree fetch) carries
# upstream's fixes for bug 2; the test-only mutation
# patches/mutations/no-tif-need-fpu-load takes them out again. The
# reproducers must catch the mutated kernel in every boot and pass the
# unmutated one with the bug's window reached.
#
# It uses the real cache ($KFF_CACHE, default ~/.cache/kvm-fpu-fixes): the
# first run fetches the source (about 120 MB) and builds the kernel (about
# 10 minutes on 2 cores, see Documentation/building.rst); later runs reuse
# both and only boot (about 3 minutes). `make positive-control` runs the
# same cells 10 times each.
#
# Needs: network to Debian's archive (skips without), qemu-system-x86,
# busybox-static, the kernel build packages of scripts/deps.

load helpers

MUTATION=$KFF_REPO/patches/mutations/no-tif-need-fpu-load
BUGGY_RUNS=2

need_tree() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu absent (apt-get install qemu-system-x86)"
	[ -x /bin/busybox ] || skip "busybox absent (apt-get install busybox-static)"
	"$SCRIPTS/tree" list | grep -q '^debian-5\.10 .*/trees/' ||
		skip "tree debian-5.10 absent: the fetch test did not get it (scripts/tree fetch debian-5.10)"
}

need_cell() {
	need_tree
	[ "$(jq -r .result "$KFF_CACHE/out/$1/metadata.json" 2>/dev/null)" = ok ] ||
		skip "cell $1 is not built: the build test failed or did not run"
}

setup_file() {
	export KFF_CACHE=${KFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}
}

@test "positive control: Debian 5.10's source comes from apt into the tree cache" {
	if "$SCRIPTS/tree" list | grep -q '^debian-5\.10 .*/trees/'; then
		skip "already cached"
	fi
	run "$SCRIPTS/tree" fetch debian-5.10
	echo "$output"
	[ "$status" -ne 4 ] || skip "Debian's bullseye archive is not reachable: ${lines[-1]}"
	[ "$status" -eq 0 ]
	"$SCRIPTS/tree" list | grep -q '^debian-5\.10 .*/trees/'
}

@test "positive control: Debian 5.10 builds as is and with bug 2 put back" {
	need_tree
	run "$SCRIPTS/build" none debian-5.10
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	run "$SCRIPTS/build" "$MUTATION" debian-5.10
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	for c in none@debian-5.10 no-tif-need-fpu-load@debian-5.10; do
		[ "$(jq -r .result "$KFF_CACHE/out/$c/metadata.json")" = ok ]
		[ -f "$KFF_CACHE/out/$c/bzImage" ]
	done
	# the mutation is in the kernel that boots: its KVM module differs
	! cmp -s "$(find "$KFF_CACHE/out/none@debian-5.10/modules" -name kvm.ko | head -n 1)" \
		"$(find "$KFF_CACHE/out/no-tif-need-fpu-load@debian-5.10/modules" -name kvm.ko | head -n 1)"
}

@test "positive control: the reproducers catch bug 2 put back into Debian 5.10, in every boot" {
	need_cell no-tif-need-fpu-load@debian-5.10
	run "$SCRIPTS/boot" "$MUTATION" debian-5.10 --test fpu-state,emulator --seconds 10 --runs "$BUGGY_RUNS"
	echo "$output"
	r=$KFF_CACHE/out/no-tif-need-fpu-load@debian-5.10/result.json
	jq -c '.tests' "$r"
	[ "$status" -eq 1 ]
	[ "$(jq -r .runs "$r")" = "$BUGGY_RUNS" ]
	for t in fpu-state emulator; do
		[ "$(jq -r --arg t "$t" '.tests[$t].detected' "$r")" = "$BUGGY_RUNS" ]
	done
}

@test "positive control: unmutated Debian 5.10 passes them, with the window reached" {
	need_cell none@debian-5.10
	run "$SCRIPTS/boot" none debian-5.10 --test fpu-state,emulator --seconds 10
	echo "$output"
	c=$KFF_CACHE/out/none@debian-5.10
	r=$c/result.json
	jq -c '.tests[] |= del(.stress)' "$r"
	[ "$status" -eq 0 ]
	[ "$(jq -r .result "$r")" = pass ]
	[ "$(jq -r .cpus "$r")" = 2 ]
	for t in fpu-state emulator; do
		[ "$(jq -r --arg t "$t" '.tests[$t].result' "$r")" = pass ]
		[ "$(jq -r --arg t "$t" '.tests[$t].stress.clobber' "$r")" = 1 ]
		[ "$(jq -r --arg t "$t" '.tests[$t].stress.vcpu_usable + .tests[$t].stress.vcpu_unusable' "$r")" -gt 0 ]
	done
	[ "$(tr -d '\r' <"$c/boot.log" | grep -c '^    ok [0-9]* window_reached$')" -eq 2 ]
}
