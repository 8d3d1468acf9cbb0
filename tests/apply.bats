#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/apply: git am and quilt onto scratch copies; conflicts, already
# applied trees, and every bad input.

load helpers

setup_file() { setup_fixture; }
setup() {
	setup_fixture
	import_fixture_base
}

@test "apply --help prints usage" {
	run "$SCRIPTS/apply" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: scripts/apply <stack|stack-dir|none> <base|tree-dir>"* ]]
}

@test "git am onto a cached base: per-patch lines, copy path, base untouched" {
	base=$KFF_CACHE/trees/fake-3.11
	before=$(tree_sum "$base"); head=$(git -C "$base" rev-parse HEAD)
	run "$SCRIPTS/apply" "$FIX/stack" fake-3.11
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "apply: stack onto fake-3.11 (git am -3)" ]
	[ "${lines[1]}" = "  [1/2] 0001-x86-fpu-refuse-the-FPU-while-guest-XCR0-is-live.patch: applied" ]
	[ "${lines[2]}" = "  [2/2] 0002-KVM-x86-mark-guest-XCR0-live.patch: applied" ]
	[ "${lines[3]}" = "result: applied 2 patch(es)" ] || [[ ${lines[3]} == "apply: warning: "* ]]
	[[ $output == *$'\n'"result: applied 2 patch(es)"$'\n'"tree: "* ]]
	copy=$(sed -n 's/^tree: //p' <<<"$output")
	[[ $copy == "$KFF_CACHE/work/stack@fake-3.11."* ]]
	grep -q 'guest_xcr0_live()' "$copy/arch/x86/kernel/i387.c"
	grep -q 'mark_guest_xcr0_live()' "$copy/arch/x86/kvm/x86.c"
	[ "$(git -C "$copy" log --format=%s -1)" = "KVM: x86: mark guest XCR0 live" ]
	[ "$(tree_sum "$base")" = "$before" ]
	[ "$(git -C "$base" rev-parse HEAD)" = "$head" ]
}

@test "quilt push onto a plain directory (an unpacked distro tree), left unchanged" {
	d=$BATS_TEST_TMPDIR/distro-src
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	before=$(tree_sum "$d")
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --quilt --out "$BATS_TEST_TMPDIR/q"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "apply: stack onto $d (quilt push -a --fuzz=0)" ]
	[[ ${lines[1]} == "  [1/2] 0001-"*": applied" ]]
	[[ ${lines[2]} == "  [2/2] 0002-"*": applied" ]]
	[ "${lines[-1]}" = "tree: $BATS_TEST_TMPDIR/q" ]
	grep -q 'mark_guest_xcr0_live()' "$BATS_TEST_TMPDIR/q/arch/x86/kvm/x86.c"
	[ -d "$BATS_TEST_TMPDIR/q/.pc" ]
	[ "$(tree_sum "$d")" = "$before" ]
}

@test "a distro tree whose .gitignore ignores everything still applies" {
	d=$BATS_TEST_TMPDIR/debian-like
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	printf '/*\n!/debian/\n' >"$d/.gitignore"
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --out "$BATS_TEST_TMPDIR/g"
	[ "$status" -eq 0 ]
	[[ $output == *"result: applied 2 patch(es)"* ]]
	grep -q 'mark_guest_xcr0_live()' "$BATS_TEST_TMPDIR/g/arch/x86/kvm/x86.c"
}

@test "quilt reports offsets" {
	d=$BATS_TEST_TMPDIR/shifted
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	sed -i '1i // one more line\n// and another' "$d/arch/x86/kvm/x86.c"
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --quilt
	[ "$status" -eq 0 ]
	[[ ${lines[2]} == "  [2/2] 0002-"*": applied (offset 2 lines)" ]]
}

@test "none makes a plain copy" {
	run "$SCRIPTS/apply" none fake-3.11 --out "$BATS_TEST_TMPDIR/plain"
	[ "$status" -eq 0 ]
	[ "${lines[-2]}" = "result: applied 0 patch(es)" ]
	[ -f "$BATS_TEST_TMPDIR/plain/arch/x86/kvm/x86.c" ]
}

@test "conflict: exit 1, names patch, file and hunk; no copy left behind" {
	d=$BATS_TEST_TMPDIR/conflicting
	git clone -q "$FIX/tree" "$d"
	sed -i 's/vcpu->guest_xcr0_loaded = 1;/vcpu->guest_xcr0_loaded = true;/' "$d/arch/x86/kvm/x86.c"
	fixture_git -C "$d" commit -q -a -m "local change"
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --out "$BATS_TEST_TMPDIR/c"
	[ "$status" -eq 1 ]
	[[ $output == *"  [1/2] 0001-"*": applied"* ]]
	[[ $output == *"  [2/2] 0002-KVM-x86-mark-guest-XCR0-live.patch: CONFLICT in arch/x86/kvm/x86.c hunk @@ -5,6 +5,7 @@"* ]]
	[ "${lines[-1]}" = "apply: 0002-KVM-x86-mark-guest-XCR0-live.patch does not apply to $d: conflict in arch/x86/kvm/x86.c hunk @@ -5,6 +5,7 @@ static void kvm_load_guest_xcr0(struct kvm_vcpu *vcpu)" ]
	[ ! -e "$BATS_TEST_TMPDIR/c" ]
	[ -z "$(git -C "$d" status --porcelain)" ]
}

@test "conflict under quilt: exit 1 with file and hunk" {
	d=$BATS_TEST_TMPDIR/conflicting
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	sed -i 's/return __thread_has_fpu(current);/return thread_has_fpu(current);/' "$d/arch/x86/kernel/i387.c"
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --quilt
	[ "$status" -eq 1 ]
	[[ $output == *"[1/2] 0001-"*": CONFLICT in arch/x86/kernel/i387.c Hunk #1 FAILED at 2"* ]]
	[ -z "$(ls -A "$KFF_CACHE/work")" ]
}

@test "conflict under quilt names the file whose hunk failed, not the last one patched" {
	local t=$BATS_TEST_TMPDIR/two-files
	cp -r "$FIX/tree" "$t"
	fixture_git -C "$t" checkout -q -b both
	sed -i 's/^\t\treturn __thread_has_fpu(current);/\t\treturn __thread_has_fpu(current) \&\& !guest_xcr0_live();/' \
		"$t/arch/x86/kernel/i387.c"
	sed -i 's/^\t\tvcpu->guest_xcr0_loaded = 1;/\t\tmark_guest_xcr0_live();\n&/' "$t/arch/x86/kvm/x86.c"
	fixture_git -C "$t" commit -q -a -m "x86: both files in one patch" \
		-m "Body." -m "Signed-off-by: Fixture <fixture@kernel.test>"
	stack_from_branch "$t" "$BATS_TEST_TMPDIR/both" both
	d=$BATS_TEST_TMPDIR/conflicting
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	sed -i 's/return __thread_has_fpu(current);/return thread_has_fpu(current);/' "$d/arch/x86/kernel/i387.c"
	run "$SCRIPTS/apply" "$BATS_TEST_TMPDIR/both" "$d" --quilt
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *": CONFLICT in arch/x86/kernel/i387.c Hunk #1 FAILED at "* ]]
}

@test "a tree that already holds the stack: 'already applied', exit 0" {
	d=$BATS_TEST_TMPDIR/patched
	git clone -q "$FIX/tree" "$d"
	fixture_git -C "$d" am -q "$FIX"/stack/*.patch
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --out "$BATS_TEST_TMPDIR/a"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "result: already applied: every patch of stack is in $d (reverse-apply check); nothing done" ]
	[[ $output != *CONFLICT* ]]
}

@test "a tree holding part of the stack gets the rest; the part is skipped with the reason" {
	d=$BATS_TEST_TMPDIR/half
	git clone -q "$FIX/tree" "$d"
	fixture_git -C "$d" am -q "$FIX"/stack/0001-*.patch
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --out "$BATS_TEST_TMPDIR/h"
	[ "$status" -eq 0 ]
	[[ $output == *"  [1/2] 0001-x86-fpu-refuse-the-FPU-while-guest-XCR0-is-live.patch: skipped: its change is in the tree ("*")"* ]]
	[[ $output == *"  [2/2] 0002-KVM-x86-mark-guest-XCR0-live.patch: applied"* ]]
	[[ $output == *"result: applied 1 patch(es); 1 already in the tree, skipped"* ]]
	[ "$(git -C "$BATS_TEST_TMPDIR/h" log --format=%s -1)" = "KVM: x86: mark guest XCR0 live" ]
	# quilt cannot skip a series entry: it says so instead of failing obscurely.
	run "$SCRIPTS/apply" "$FIX/stack" "$d" --quilt
	[ "$status" -eq 1 ]
	[[ $output == *"result: the tree already holds part of stack; quilt cannot skip a patch, use git am (without --quilt)"* ]]
}

@test "bad input: unknown stack, unknown base, uncached base" {
	run "$SCRIPTS/apply" no-such-stack fake-3.11
	[ "$status" -eq 2 ]
	[ "$output" = "apply: unknown stack 'no-such-stack' (known: mainline stable-5.4 stable-5.3 stable-5.2 stable-4.x stable-3.11)" ]
	run "$SCRIPTS/apply" "$FIX/stack" no-such-base
	[ "$status" -eq 2 ]
	[[ $output == "apply: unknown base 'no-such-base' (known: fake-3.11 "* ]]
	printf 'source    github:example/linux\ncommit    abc\nsubdir    -\n' >"$KFF_BASES/fake-absent"
	run "$SCRIPTS/apply" "$FIX/stack" fake-absent
	rm -f "$KFF_BASES/fake-absent"
	[ "$status" -eq 4 ]
	[ "$output" = "apply: skip: base 'fake-absent' is not in the cache; get it with: scripts/tree fetch fake-absent  (or: scripts/tree import fake-absent <git dir of github:example/linux> abc)" ]
}

@test "bad input: missing, empty, non-kernel and dirty tree directories" {
	run "$SCRIPTS/apply" "$FIX/stack" "$BATS_TEST_TMPDIR/nope/"
	[ "$status" -eq 2 ]
	[ "$output" = "apply: tree directory '$BATS_TEST_TMPDIR/nope/' does not exist" ]
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run "$SCRIPTS/apply" "$FIX/stack" "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 2 ]
	[ "$output" = "apply: tree directory '$BATS_TEST_TMPDIR/empty' is empty" ]
	mkdir -p "$BATS_TEST_TMPDIR/other" && echo x >"$BATS_TEST_TMPDIR/other/x"
	run "$SCRIPTS/apply" "$FIX/stack" "$BATS_TEST_TMPDIR/other"
	[ "$status" -eq 2 ]
	[[ $output == *"is not a kernel source tree"* ]]
	d=$BATS_TEST_TMPDIR/dirty
	git clone -q "$FIX/tree" "$d"
	echo '// wip' >>"$d/arch/x86/kvm/x86.c"
	before=$(tree_sum "$d")
	run "$SCRIPTS/apply" "$FIX/stack" "$d"
	[ "$status" -eq 2 ]
	[ "$output" = "apply: tree '$d' has uncommitted changes; commit or stash them (the copy would not match HEAD)" ]
	[ "$(tree_sum "$d")" = "$before" ]
}

@test "bad input: malformed series, missing patch file, corrupted patch" {
	s=$BATS_TEST_TMPDIR/s
	cp -r "$FIX/stack" "$s"
	echo "0003-x.patch -p0 extra" >>"$s/series"
	run "$SCRIPTS/apply" "$s" fake-3.11
	[ "$status" -eq 2 ]
	[ "$output" = "apply: malformed series line 3 in $s/series: '0003-x.patch -p0 extra' (want '<file>.patch [-p1]')" ]
	cp "$FIX/stack/series" "$s/series" && echo "0003-missing.patch" >>"$s/series"
	run "$SCRIPTS/apply" "$s" fake-3.11
	[ "$status" -eq 2 ]
	[ "$output" = "apply: series line 3 in $s/series names '0003-missing.patch', which does not exist" ]
	cp "$FIX/stack/series" "$s/series"
	sed -i '/^@@/,$ { /^ /d }' "$s/0001-x86-fpu-refuse-the-FPU-while-guest-XCR0-is-live.patch"
	run "$SCRIPTS/apply" "$s" fake-3.11
	[ "$status" -eq 2 ]
	[[ $output == "apply: patch '$s/0001-x86-fpu-refuse-the-FPU-while-guest-XCR0-is-live.patch' is corrupt: "* ]]
	: >"$s/series"
	run "$SCRIPTS/apply" "$s" fake-3.11
	[ "$status" -eq 2 ]
	[ "$output" = "apply: series in $s lists no patches" ]
	[ -z "$(ls -A "$KFF_CACHE/work" 2>/dev/null)" ]
}

@test "bad input: --out that exists, unknown option, wrong arg count" {
	mkdir -p "$BATS_TEST_TMPDIR/exists"
	run "$SCRIPTS/apply" "$FIX/stack" fake-3.11 --out "$BATS_TEST_TMPDIR/exists"
	[ "$status" -eq 2 ]
	[ "$output" = "apply: --out '$BATS_TEST_TMPDIR/exists' already exists; name a new directory" ]
	run "$SCRIPTS/apply" "$FIX/stack" fake-3.11 --frob
	[ "$status" -eq 2 ]
	[ "$output" = "apply: unknown option '--frob' (see --help)" ]
	run "$SCRIPTS/apply" "$FIX/stack"
	[ "$status" -eq 2 ]
	[ "$output" = "apply: usage: scripts/apply <stack|none> <base|tree-dir> [--quilt] [--out DIR]" ]
}
