#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The real stacks: lint + checkpatch always; with the base tree cached, git am
# and quilt onto it, and the "already applied" answer on the patched result.

load helpers

setup() {
	# The user's real cache: these tests read cached base trees, never write them.
	export KFF_CACHE=${KFF_CACHE_REAL:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}
	unset KFF_BASES
	OUT=$BATS_TEST_TMPDIR/out
}

need_stack() {
	[ -f "$KFF_REPO/$1/series" ] || skip "stack $1 has no series yet"
}

# The base a stack is tested on: its first row in ./series.
base_of() { awk -v s="$1" '$1 == s { print $2; exit }' "$KFF_REPO/series"; }

need_base() {
	local b
	b=$(base_of "$1")
	[ -d "$KFF_CACHE/trees/$b/.git" ] ||
		skip "base $b is not cached; get it with: $(cd "$KFF_REPO" && . scripts/lib/common.sh && kff_import_hint "$b")"
	BASE=$b
}

check_stack() {
	need_stack "$1"
	run "$SCRIPTS/check" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "result: clean" ]
	[[ ${lines[0]} == *"checkpatch from "* ]]
}

am_stack() {
	need_stack "$1"
	need_base "$1"
	n=$(grep -c '\.patch' "$KFF_REPO/$1/series")
	run "$SCRIPTS/apply" "$1" "$BASE" --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': applied$' <<<"$output")" = "$n" ]
	[ "${lines[-1]}" = "tree: $OUT" ]
	[ "$(git -C "$OUT" rev-list --count "$BASE"..HEAD)" = "$n" ]
	# The patched tree holds the stack: asking again is "already applied".
	run "$SCRIPTS/apply" "$1" "$OUT" --out "$OUT.again"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "result: already applied: every patch of $1 is in $OUT"* ]]
	[ ! -e "$OUT.again" ]
	grep -q '^verified yes$' "$KFF_CACHE/trees/$BASE/.git/kff-meta"
}

quilt_stack() {
	need_stack "$1"
	need_base "$1"
	n=$(grep -c '\.patch' "$KFF_REPO/$1/series")
	run "$SCRIPTS/apply" "$1" "$BASE" --quilt --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -cE ': applied( \(offset.*\))?$' <<<"$output")" = "$n" ]
	[ "$(cd "$OUT" && QUILT_PATCHES="$KFF_REPO/$1" quilt --quiltrc=/dev/null applied | wc -l)" = "$n" ]
}

@test "stable-3.11: lint and checkpatch clean" { check_stack stable-3.11; }
@test "stable-3.11: git am -3 onto its base, then 'already applied'" { am_stack stable-3.11; }
@test "stable-3.11: quilt push -a onto its base" { quilt_stack stable-3.11; }
@test "stable-4.x: lint and checkpatch clean" { check_stack stable-4.x; }
@test "stable-4.x: git am -3 onto its base, then 'already applied'" { am_stack stable-4.x; }
@test "stable-4.x: quilt push -a onto its base" { quilt_stack stable-4.x; }
@test "stable-5.4: lint and checkpatch clean" { check_stack stable-5.4; }
@test "stable-5.4: git am -3 onto its base, then 'already applied'" { am_stack stable-5.4; }
@test "stable-5.4: quilt push -a onto its base" { quilt_stack stable-5.4; }
@test "mainline: lint and checkpatch clean" { check_stack mainline; }
@test "mainline: git am -3 onto its base, then 'already applied'" { am_stack mainline; }
@test "mainline: quilt push -a onto its base" { quilt_stack mainline; }

@test "every cached coverage row of ./series applies (or says what is already there)" {
	n=0
	while read -r stack base tests; do
		[ -f "$KFF_REPO/$stack/series" ] && [ -d "$KFF_CACHE/trees/$base/.git" ] || continue
		rm -rf "$OUT"
		run "$SCRIPTS/apply" "$stack" "$base" --out "$OUT"
		echo "== $stack on $base: $status"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output != *CONFLICT* ]]
		n=$((n + 1))
	done < <(awk '!/^[[:space:]]*(#|$)/ && $1 != "none" && $3 == "-"' "$KFF_REPO/series")
	[ "$n" -gt 0 ] || skip "no base of ./series is cached (see scripts/tree list)"
}

@test "stable-5.4 on 5.4.59 (upstream's fixes in): only the hard-IRQ follow-up goes on" {
	need_stack stable-5.4
	[ -d "$KFF_CACHE/trees/v5.4.59/.git" ] ||
		skip "base v5.4.59 is not cached; get it with: scripts/tree import v5.4.59 <git dir of github:BoKyoungHan/linux-5.4.59-vanilla> 8b9bd8c4249b93898885d4797a10b7e749e9dfbe --subdir linux-5.4.59"
	run "$SCRIPTS/apply" stable-5.4 v5.4.59 --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': skipped: ' <<<"$output")" = 3 ]
	[[ $output == *"[4/4] 0004-"*": applied"* ]]
	[[ $output == *"result: applied 1 patch(es); 3 already in the tree, skipped"* ]]
}

@test "stable-5.4 on Debian's 6.1 source: already fixed, exit 0, no conflict" {
	need_stack stable-5.4
	d=$BATS_TEST_TMPDIR/debian-6.1
	(. "$KFF_REPO/scripts/lib/common.sh" && . "$KFF_REPO/scripts/lib/status.sh" &&
		kff_status_debian_tree 6.1 "$d") || skip "Debian's linux-source-6.1 is not available: apt-get install linux-source-6.1"
	run "$SCRIPTS/apply" stable-5.4 "$d" --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "result: already fixed: $d needs none of stable-5.4; nothing done" ]]
	[ ! -e "$OUT" ]
}
