#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The build-only patches under patches/: compat/<base>/ (toolchain fixes for
# old trees) and mutations/ (test-only bugs put back). Always: their form.
# With the tree cached: each applies to its base in a scratch clone.

load helpers

setup() {
	# The user's real cache: read only.
	export KFF_CACHE=${KFF_CACHE_REAL:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}
	unset KFF_BASES
}

compat_dirs() { find "$KFF_REPO/patches/compat" -mindepth 1 -maxdepth 1 -type d | sort; }

# A scratch clone of the cached base, or skip with the command that gets it.
scratch_of() {
	local b=$1
	[ -d "$KFF_CACHE/trees/$b/.git" ] ||
		skip "base $b is not cached; get it with: $(cd "$KFF_REPO" && . scripts/lib/common.sh && kff_import_hint "$b")"
	SCRATCH=$BATS_TEST_TMPDIR/$b
	fixture_git clone -q --shared "$KFF_CACHE/trees/$b" "$SCRATCH"
}

@test "compat: every directory names a known base and holds format-patch files with a reason" {
	local d p n=0
	for d in $(compat_dirs); do
		[ -f "$KFF_REPO/bases/$(basename "$d")" ] || {
			echo "$d: no bases/$(basename "$d")"
			return 1
		}
		for p in "$d"/*.patch; do
			n=$((n + 1))
			grep -q '^From [0-9a-f]\{40\} ' "$p" || { echo "$p: not git format-patch output"; return 1; }
			grep -q '^Subject: \[PATCH[^]]*\] compat: ' "$p" || { echo "$p: subject is not 'compat: ...'"; return 1; }
			grep -q '^Build-only: ' "$p" || { echo "$p: no 'Build-only:' reason line"; return 1; }
			grep -q '^index [0-9a-f]' "$p" || { echo "$p: no index lines"; return 1; }
		done
	done
	[ "$n" -gt 0 ]
}

@test "compat: no compat patch is part of a stack, and no stack patch is a compat one" {
	local s
	[ -n "$(stack_names)" ]
	for s in $(stack_names); do
		[ -f "$KFF_REPO/$s/series" ] || continue
		if grep -l '^Subject: \[PATCH[^]]*\] compat: ' "$KFF_REPO/$s"/*.patch; then
			return 1
		fi
		if grep -l '^Build-only: ' "$KFF_REPO/$s"/*.patch; then
			return 1
		fi
	done
}

@test "compat: each base's patches apply in order to its cached tree" {
	local d b p applied=0
	for d in $(compat_dirs); do
		b=$(basename "$d")
		[ -d "$KFF_CACHE/trees/$b/.git" ] || continue
		scratch_of "$b"
		for p in "$d"/*.patch; do
			fixture_git -C "$SCRATCH" apply --whitespace=nowarn "$p" || {
				echo "$p does not apply to $b"
				return 1
			}
		done
		applied=$((applied + 1))
	done
	[ "$applied" -gt 0 ] || skip "no base with compat patches is cached (e.g. scripts/tree list)"
}

@test "mutations: each is a test-only stack directory that says so" {
	local d p n=0
	for d in "$KFF_REPO"/patches/mutations/*/; do
		[ -f "$d/series" ]
		while read -r p; do
			n=$((n + 1))
			[ -f "$d/$p" ]
			grep -q '^Subject: \[PATCH[^]]*\] TEST ONLY: ' "$d/$p"
			grep -q '^NOT FOR ANY TREE THAT RUNS GUESTS' "$d/$p"
		done <"$d/series"
	done
	[ "$n" -gt 0 ]
}

@test "mutations: no-tif-need-fpu-load removes KVM's TIF_NEED_FPU_LOAD checks from Debian 5.10" {
	scratch_of debian-5.10
	local m=$KFF_REPO/patches/mutations/no-tif-need-fpu-load
	[ "$(grep -c TIF_NEED_FPU_LOAD "$SCRATCH/arch/x86/kvm/x86.c" "$SCRATCH/arch/x86/kvm/emulate.c" |
		awk -F: '{ n += $2 } END { print n }')" -eq 3 ]
	fixture_git -C "$SCRATCH" am -q "$m"/0001-*.patch
	# only vcpu_enter_guest()'s reload is left
	[ "$(grep -c TIF_NEED_FPU_LOAD "$SCRATCH/arch/x86/kvm/x86.c")" -eq 1 ]
	! grep -q TIF_NEED_FPU_LOAD "$SCRATCH/arch/x86/kvm/emulate.c"
}
