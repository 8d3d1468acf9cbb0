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
@test "stable-5.3: lint and checkpatch clean" { check_stack stable-5.3; }
@test "stable-5.3: git am -3 onto its base, then 'already applied'" { am_stack stable-5.3; }
@test "stable-5.3: quilt push -a onto its base" { quilt_stack stable-5.3; }
@test "stable-5.2: lint and checkpatch clean" { check_stack stable-5.2; }
@test "stable-5.2: git am -3 onto its base, then 'already applied'" { am_stack stable-5.2; }
@test "stable-5.2: quilt push -a onto its base" { quilt_stack stable-5.2; }
@test "mainline: lint and checkpatch clean" { check_stack mainline; }
@test "mainline: git am -3 onto its base, then 'already applied'" { am_stack mainline; }
@test "mainline: quilt push -a onto its base" { quilt_stack mainline; }

@test "every cached coverage row of ./series, and every row after a stack's first, applies (or says what is already there)" {
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
	done < <(awk '!/^[[:space:]]*(#|$)/ && $1 != "none" && ($3 == "-" || seen[$1]++)' "$KFF_REPO/series")
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

# Bug 1's stacks hold two alternative fixes: each must go on alone too.
patch_alone() {
	local stack=$1 n=$2
	need_stack "$stack"
	need_base "$stack"
	run "$SCRIPTS/apply" "$stack:$n" "$BASE" --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': applied$' <<<"$output")" = 1 ]
	[[ $output == *"[1/1] $(sed -n "${n}p" "$KFF_REPO/$stack/series"): applied"* ]]
	run "$SCRIPTS/apply" "$stack:$n" "$BASE" --quilt --out "$OUT.quilt"
	echo "$output"
	[ "$status" -eq 0 ]
}
@test "stable-3.11: the upstream-shaped fix alone goes on its base (git am, quilt)" { patch_alone stable-3.11 1; }
@test "stable-3.11: the XCR0-tracking fix alone goes on its base (git am, quilt)" { patch_alone stable-3.11 2; }
@test "stable-4.x: the upstream-shaped fix alone goes on its base (git am, quilt)" { patch_alone stable-4.x 1; }
@test "stable-4.x: the XCR0-tracking fix alone goes on its base (git am, quilt)" { patch_alone stable-4.x 2; }

@test "stable-4.x's index lines are its proof base's blobs (4.1.19), so git am -3 can fall back" {
	need_stack stable-4.x
	need_base stable-4.x
	[ "$BASE" = v4.1.19 ]
	# The first patch's pre-image of every file is a blob of the base tree.
	while read -r file blob; do
		[ "$(git -C "$KFF_CACHE/trees/$BASE" rev-parse --short=7 "HEAD:$file")" = "${blob:0:7}" ]
	done < <(awk '/^diff --git/ { f = substr($3, 3) } /^index / { split($2, a, "\\.\\."); print f, a[1] }' \
		"$KFF_REPO/stable-4.x/$(sed -n 1p "$KFF_REPO/stable-4.x/series")")
}

@test "mainline: the fixes come before the cleanup, and only the cleanup is not for stable" {
	need_stack mainline
	mapfile -t p < <(sed 's|^|'"$KFF_REPO"'/mainline/|' "$KFF_REPO/mainline/series")
	last=${p[-1]}
	grep -q '^No functional change' "$last"
	! grep -q '^Cc: stable@' "$last"
	for f in "${p[@]:0:${#p[@]}-1}"; do
		grep -q '^Cc: stable@vger.kernel.org' "$f"
	done
}

@test "mainline: the cover letter credits upstream's commits as <12 hex> (\"subject\") and has a base-commit" {
	c=$KFF_REPO/mainline/0000-cover-letter.patch
	[ -f "$c" ] || skip "no cover letter"
	for id in 'c9aef3b85f42 ("KVM: x86: Handle TIF_NEED_FPU_LOAD in kvm_{load,put}_guest_fpu()")' \
		'a7baead7e312 ("KVM: x86: Ensure guest'"'"'s FPU state is loaded when accessing for emulation")' \
		'2620fe268e80 ("KVM: x86: Revert "KVM: X86: Fix fpu state crash in kvm guest"")' \
		'59f5ede3bc0f ("x86/fpu: Prevent' 'v5.6-rc1'; do
		tr '\n' ' ' <"$c" | sed 's/  */ /g' | grep -qF "$id" || { echo "cover letter lacks: $id"; false; }
	done
	grep -qE '^base-commit: [0-9a-f]{40}$' "$c"
	! grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE' "$c"
}

@test "every patch names the upstream commit it parallels in a bracketed note, none claims to be it" {
	[ -n "$(stack_names)" ]
	for s in $(stack_names); do
		while read -r p; do
			f=$KFF_REPO/$s/$p
			! grep -qE '^commit [0-9a-f]{40} upstream\.$|^\[ Upstream commit' "$f" || { echo "$f claims to be upstream"; false; }
			grep -qE '^\[ .*(upstream|Upstream)' "$f" || grep -q 'This is not a backport' "$f" ||
				{ echo "$f: no bracketed note naming upstream"; false; }
		done <"$KFF_REPO/$s/series"
	done
}

@test "each stack, and bug 1's first patch alone, is classed under the bug it fixes" {
	run bash -c 'cd "$1" && . scripts/lib/common.sh && . scripts/lib/stack.sh
		for s in stable-3.11 stable-3.11:1 stable-3.11:2 stable-4.x:1 stable-4.x:2 \
			stable-5.2 stable-5.2:1 stable-5.3 stable-5.4 mainline mainline:5; do
			kff_stack_resolve "$s"; echo "$s $(kff_stack_bug)"
		done' _ "$KFF_REPO"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "stable-3.11 xcr0
stable-3.11:1 xcr0
stable-3.11:2 xcr0
stable-4.x:1 xcr0
stable-4.x:2 xcr0
stable-5.2 tif_need_fpu_load
stable-5.2:1 tif_need_fpu_load
stable-5.3 tif_need_fpu_load
stable-5.4 tif_need_fpu_load
mainline tif_need_fpu_load
mainline:5 tif_need_fpu_load" ]
}
