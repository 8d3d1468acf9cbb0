#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/matrix: rows, skips, before/after expectations, matrix.json.

load helpers

setup_file() {
	setup_fixture
	# One cache for the file: the fixture base and the extracted checkpatch.
	"$SCRIPTS/tree" import fake-3.11 "$FIX/tree" >/dev/null 2>&1
	# Stand-ins for build and boot: boot "finds the bug" only on unpatched kernels.
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	printf '#!/bin/sh\necho "build $*"; exit ${FAKE_BUILD_RC:-0}\n' >"$BATS_FILE_TMPDIR/bin/build"
	cat >"$BATS_FILE_TMPDIR/bin/boot" <<'SH'
#!/bin/sh
echo "boot $*"
[ "$1" = none ] && exit "${FAKE_BOOT_NONE_RC:-1}"
exit "${FAKE_BOOT_STACK_RC:-0}"
SH
	chmod +x "$BATS_FILE_TMPDIR/bin/"*
}
setup() {
	setup_fixture
	export KFF_SERIES=$BATS_TEST_TMPDIR/series
	export KFF_BUILD_CMD=$BATS_FILE_TMPDIR/bin/build KFF_BOOT_CMD=$BATS_FILE_TMPDIR/bin/boot
	printf 'source    github:example/linux\ncommit    abc\nsubdir    -\n' >"$KFF_BASES/fake-absent"
	printf '# test series\n%s fake-3.11 xcr0\n%s fake-absent xcr0\n' "$FIX/stack" "$FIX/stack" >"$KFF_SERIES"
}
teardown() { rm -f "$KFF_BASES/fake-absent"; }

@test "apply and check: a cached row is ok, a missing tree is SKIP with the command" {
	run "$SCRIPTS/matrix" --steps apply,check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "STACK"*"BASE"*"APPLY"*"CHECK"*"BUILD"*"BOOT"*"VERDICT" ]]
	[[ $output == *$'\n'"stack            fake-3.11         ok       ok     -             -             ok"$'\n'* ]]
	[[ $output == *"stack            fake-absent       -        -      -             -             SKIP  (get the tree: scripts/tree fetch fake-absent  (or: scripts/tree import fake-absent <git dir of github:example/linux> abc))"* ]]
	[ "${lines[-1]}" = "matrix: $KFF_CACHE/out/matrix.json" ]
	[ "$(jq -r '.rows[0].apply' "$KFF_CACHE/out/matrix.json")" = ok ]
	[ "$(jq -r '.rows[1].verdict' "$KFF_CACHE/out/matrix.json")" = SKIP ]
}

@test "build and boot: bug before and pass after is ok" {
	run "$SCRIPTS/matrix" --steps build,boot --base fake-3.11 --seconds 5
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"ok/ok"*"bug/pass"*"ok"* ]]
	grep -q 'boot .*/stack fake-3.11 --test xcr0 --seconds 5$' "$KFF_CACHE/out/matrix-logs/stack@fake-3.11.boot.log"
}

@test "a bug that the unpatched kernel does not show fails the row" {
	FAKE_BOOT_NONE_RC=0 run "$SCRIPTS/matrix" --steps boot --base fake-3.11
	[ "$status" -eq 1 ]
	[[ $output == *"pass/pass"*"FAIL  (logs: "* ]]
	[ "$(jq -r '.rows[0].boot' "$KFF_CACHE/out/matrix.json")" = pass/pass ]
}

@test "a patched kernel that still shows the bug fails the row" {
	FAKE_BOOT_STACK_RC=1 run "$SCRIPTS/matrix" --steps boot --base fake-3.11
	[ "$status" -eq 1 ]
	[[ $output == *"bug/bug"*"FAIL"* ]]
}

@test "a control row (stack none) must pass unpatched" {
	printf 'none fake-3.11 all\n' >"$KFF_SERIES"
	FAKE_BOOT_NONE_RC=0 run "$SCRIPTS/matrix" --steps apply,check,boot
	[ "$status" -eq 0 ]
	[[ $output == *"none             fake-3.11         -        -      -             pass          ok"* ]]
	FAKE_BOOT_NONE_RC=1 run "$SCRIPTS/matrix" --steps boot
	[ "$status" -eq 1 ]
}

@test "a conflict fails the row and points at the logs" {
	s=$BATS_TEST_TMPDIR/bad-stack
	cp -r "$FIX/stack" "$s"
	sed -i 's/^-\t\tvcpu->guest_xcr0_loaded = 1;/-\t\tvcpu->guest_xcr0_loaded = 2;/; s/^ \t\tvcpu->guest_xcr0_loaded = 1;/ \t\tvcpu->guest_xcr0_loaded = 2;/' "$s"/0002-*.patch
	printf '%s fake-3.11 xcr0\n' "$s" >"$KFF_SERIES"
	run "$SCRIPTS/matrix" --steps apply
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"bad-stack        fake-3.11         FAIL"*"FAIL  (logs: $KFF_CACHE/out/matrix-logs/bad-stack@fake-3.11.*.log)"* ]]
	grep -q CONFLICT "$KFF_CACHE/out/matrix-logs/bad-stack@fake-3.11.apply.log"
}

@test "bad input: unknown step, bad --seconds, no matching row, unknown argument" {
	run "$SCRIPTS/matrix" --steps apply,frob
	[ "$status" -eq 2 ]
	[ "$output" = "matrix: unknown step 'frob' (steps: apply, check, build, boot)" ]
	run "$SCRIPTS/matrix" --seconds 0
	[ "$status" -eq 2 ]
	[ "$output" = "matrix: --seconds wants a positive whole number" ]
	run "$SCRIPTS/matrix" --base nowhere
	[ "$status" -eq 2 ]
	[ "$output" = "matrix: no row of the series matches base 'nowhere'" ]
	run "$SCRIPTS/matrix" --frob
	[ "$status" -eq 2 ]
	[ "$output" = "matrix: unknown argument '--frob' (see --help)" ]
}
