#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/tree: import from git/tarball/directory, fingerprints, list, remove, fetch.

load helpers

setup_file() { setup_fixture; }
setup() {
	setup_fixture
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
}

@test "tree --help prints usage and exits 0" {
	run "$SCRIPTS/tree" --help
	[ "$status" -eq 0 ]
	[[ $output == *"scripts/tree import <base> <source>"* ]]
}

@test "import from a git work tree: one commit, tagged, verified" {
	run "$SCRIPTS/tree" import fake-3.11 "$FIX/tree"
	[ "$status" -eq 0 ]
	[[ $output == *"imported fake-3.11 (verified)"* ]]
	t=$KFF_CACHE/trees/fake-3.11
	[ "$(git -C "$t" rev-list --count HEAD)" = 1 ]
	[ "$(git -C "$t" tag)" = fake-3.11 ]
	grep -q '^verified yes$' "$t/.git/kff-meta"
	[ -x "$t/scripts/checkpatch.pl" ]
}

@test "import from a bare repository at a named commit" {
	git clone -q --bare "$FIX/tree" "$BATS_TEST_TMPDIR/bare.git"
	c=$(git -C "$FIX/tree" rev-parse HEAD)
	run "$SCRIPTS/tree" import fake-3.11 "$BATS_TEST_TMPDIR/bare.git" "$c"
	[ "$status" -eq 0 ]
	[[ $output == *"(verified)"* ]]
}

@test "import with --subdir from a tarball with a top directory" {
	mkdir -p "$BATS_TEST_TMPDIR/t/snap/linux-x"
	cp -r "$FIX/tree/." "$BATS_TEST_TMPDIR/t/snap/linux-x/"
	rm -rf "$BATS_TEST_TMPDIR/t/snap/linux-x/.git"
	echo extra >"$BATS_TEST_TMPDIR/t/snap/README.md"
	tar -C "$BATS_TEST_TMPDIR/t" -czf "$BATS_TEST_TMPDIR/snap.tar.gz" snap
	run "$SCRIPTS/tree" import fake-3.11 "$BATS_TEST_TMPDIR/snap.tar.gz" --subdir linux-x
	[ "$status" -eq 0 ]
	[[ $output == *"(verified)"* ]]
	[ -f "$KFF_CACHE/trees/fake-3.11/arch/x86/kvm/x86.c" ]
	[ ! -e "$KFF_CACHE/trees/fake-3.11/README.md" ]
}

@test "import from a plain directory restores lost run bits" {
	d=$BATS_TEST_TMPDIR/plain
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	find "$d" -type f -exec chmod 644 {} +
	run "$SCRIPTS/tree" import fake-3.11 "$d"
	[ "$status" -eq 0 ]
	[[ $output == *"restored run bits on 1"* ]]
	[ -x "$KFF_CACHE/trees/fake-3.11/scripts/checkpatch.pl" ]
}

@test "fingerprint mismatch is refused, naming the file; nothing is cached" {
	d=$BATS_TEST_TMPDIR/changed
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	echo '/* local change */' >>"$d/arch/x86/kvm/x86.c"
	run "$SCRIPTS/tree" import fake-3.11 "$d"
	[ "$status" -eq 2 ]
	[[ ${lines[-2]} == *"fingerprint mismatch for fake-3.11 in arch/x86/kvm/x86.c (use --force"* ]]
	[[ $output == *"arch/x86/kvm/x86.c: expected "*", found "* ]]
	[[ $output != *"i387.c: expected"* ]]
	[ ! -e "$KFF_CACHE/trees/fake-3.11" ]
	[ -z "$(ls -A "$KFF_CACHE/trees")" ]
}

@test "fingerprint mismatch with --force imports unverified" {
	d=$BATS_TEST_TMPDIR/changed
	cp -r "$FIX/tree" "$d" && rm -rf "$d/.git"
	echo '/* local change */' >>"$d/arch/x86/kernel/i387.c"
	run "$SCRIPTS/tree" import fake-3.11 "$d" --force
	[ "$status" -eq 0 ]
	[[ $output == *"imported fake-3.11 (unverified)"* ]]
	grep -q '^verified no$' "$KFF_CACHE/trees/fake-3.11/.git/kff-meta"
}

@test "a base with no recorded fingerprint imports unverified with a note" {
	run "$SCRIPTS/tree" import distro-4.18 "$FIX/tree"
	[ "$status" -eq 0 ]
	[[ $output == *"no fingerprint recorded for 'distro-4.18'"* ]]
	[[ $output == *"(unverified)"* ]]
}

@test "objects missing from a snapshot are named and left out" {
	git clone -q --bare "$FIX/tree" "$BATS_TEST_TMPDIR/holey.git"
	blob=$(git -C "$FIX/tree" rev-parse HEAD:scripts/checkpatch.pl)
	rm -f "$BATS_TEST_TMPDIR/holey.git/objects/${blob:0:2}/${blob:2}"
	run "$SCRIPTS/tree" import fake-3.11 "$BATS_TEST_TMPDIR/holey.git" HEAD
	[ "$status" -eq 0 ]
	[[ $output == *"1 file(s) are missing from the snapshot"* ]]
	[[ $output == *"  scripts/checkpatch.pl"* ]]
	[ -f "$KFF_CACHE/trees/fake-3.11/arch/x86/kvm/x86.c" ]
}

@test "bad input: missing source, bad name, unknown commit, not a kernel tree" {
	run "$SCRIPTS/tree" import fake-3.11 "$BATS_TEST_TMPDIR/nope"
	[ "$status" -eq 2 ]
	[ "$output" = "tree: source '$BATS_TEST_TMPDIR/nope' does not exist" ]
	run "$SCRIPTS/tree" import 'bad/name' "$FIX/tree"
	[ "$status" -eq 2 ]
	[[ $output == "tree: bad base name 'bad/name'"* ]]
	run "$SCRIPTS/tree" import fake-3.11 "$FIX/tree" deadbeef
	[ "$status" -eq 2 ]
	[ "$output" = "tree: commit 'deadbeef' not found in $FIX/tree" ]
	mkdir -p "$BATS_TEST_TMPDIR/notkernel" && echo x >"$BATS_TEST_TMPDIR/notkernel/f"
	run "$SCRIPTS/tree" import fake-3.11 "$BATS_TEST_TMPDIR/notkernel"
	[ "$status" -eq 2 ]
	[[ $output == *"does not hold a kernel tree (no Makefile and arch/x86/)"* ]]
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run "$SCRIPTS/tree" import fake-3.11 "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 2 ]
	[[ $output == *"is empty"* ]]
	run "$SCRIPTS/tree" import fake-3.11
	[ "$status" -eq 2 ]
	[[ $output == "tree: usage: scripts/tree import"* ]]
	run "$SCRIPTS/tree" frobnicate
	[ "$status" -eq 2 ]
	[ "$output" = "tree: unknown command 'frobnicate' (import, fetch, list, remove)" ]
}

@test "bad input: a dirty git tree without a commit is refused" {
	d=$BATS_TEST_TMPDIR/dirty
	git clone -q "$FIX/tree" "$d"
	echo change >>"$d/Makefile"
	before=$(tree_sum "$d")
	run "$SCRIPTS/tree" import fake-3.11 "$d"
	[ "$status" -eq 2 ]
	[ "$output" = "tree: source '$d' has uncommitted changes; commit them or name a commit" ]
	[ "$(tree_sum "$d")" = "$before" ]
}

@test "importing a base twice is refused; remove then works" {
	"$SCRIPTS/tree" import fake-3.11 "$FIX/tree"
	run "$SCRIPTS/tree" import fake-3.11 "$FIX/tree"
	[ "$status" -eq 2 ]
	[[ $output == "tree: base 'fake-3.11' is already cached at "*"; run 'scripts/tree remove fake-3.11' first" ]]
	run "$SCRIPTS/tree" remove fake-3.11
	[ "$status" -eq 0 ]
	[ "$output" = "removed fake-3.11" ]
	[ ! -e "$KFF_CACHE/trees/fake-3.11" ]
	run "$SCRIPTS/tree" remove fake-3.11
	[ "$status" -eq 2 ]
	[ "$output" = "tree: base 'fake-3.11' is not cached (see scripts/tree list)" ]
}

@test "list shows cached and absent bases with the way to get them" {
	"$SCRIPTS/tree" import fake-3.11 "$FIX/tree" >/dev/null 2>&1
	printf 'source    github:example/linux\ncommit    abc\nsubdir    -\n' >"$KFF_BASES/fake-absent"
	run "$SCRIPTS/tree" list
	[ "$status" -eq 0 ]
	[[ $output == *"fake-3.11      verified    $KFF_CACHE/trees/fake-3.11"* ]]
	[[ $output == *"fake-absent    absent      get it: scripts/tree fetch fake-absent"* ]]
	rm -f "$KFF_BASES/fake-absent"
}

@test "fetch: unknown base is bad input" {
	run "$SCRIPTS/tree" fetch no-such-base
	[ "$status" -eq 2 ]
	[[ $output == "tree: unknown base 'no-such-base' (known: "* ]]
}

@test "fetch from kernel.org without a network exits 4 with the import command" {
	printf 'source    github:example/linux\ncommit    abc\nsubdir    -\nkernelorg v9.9 v9.x/linux-9.9.tar.xz\n' >"$KFF_BASES/fake-9.9"
	# A proxy on a closed local port stands in for "no network" everywhere.
	https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 run "$SCRIPTS/tree" fetch fake-9.9
	rm -f "$KFF_BASES/fake-9.9"
	[ "$status" -eq 4 ]
	[[ $output == "tree: skip: cannot reach kernel.org ("*"); import a snapshot instead: scripts/tree fetch fake-9.9  (or: scripts/tree import fake-9.9 <git dir of github:example/linux> abc)" ]]
	[ ! -e "$KFF_CACHE/trees/fake-9.9" ]
}
