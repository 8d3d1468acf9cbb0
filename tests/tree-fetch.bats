#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/tree fetch of Debian's kernel sources through apt: bookworm's
# linux-source-6.1 directly, bullseye's linux-source-5.10 through the
# private apt config (the system's sources must stay untouched).

load helpers

setup() {
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	unset KFF_BASES
	command -v apt-get >/dev/null || skip "not a Debian system (no apt-get)"
}

fetch_or_skip() {
	run "$SCRIPTS/tree" fetch "$1"
	if [ "$status" -eq 4 ]; then
		skip "no route to Debian's archive: $output"
	fi
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "fetch debian-6.1: a cached, unverified git tree of Debian's 6.1 source" {
	fetch_or_skip debian-6.1
	[[ $output == *"no fingerprint recorded for 'debian-6.1'"* ]]
	[[ ${lines[-1]} == "imported debian-6.1 (unverified) at $KFF_CACHE/trees/debian-6.1" ]]
	t=$KFF_CACHE/trees/debian-6.1
	grep -q '^PATCHLEVEL = 1$' "$t/Makefile"
	[ -f "$t/arch/x86/kernel/fpu/core.c" ]
	[ -x "$t/scripts/checkpatch.pl" ]
	[ "$(git -C "$t" tag)" = debian-6.1 ]
}

@test "fetch debian-5.10 from bullseye without touching the system's apt sources" {
	before=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum)
	fetch_or_skip debian-5.10
	[ "$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum)" = "$before" ]
	grep -q '^PATCHLEVEL = 10$' "$KFF_CACHE/trees/debian-5.10/Makefile"
	grep -q bullseye "$KFF_CACHE/apt/bullseye/sources.list" || [ -f /usr/src/linux-source-5.10.tar.xz ]
}
