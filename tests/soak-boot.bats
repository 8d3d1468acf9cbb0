#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/soak-boot: it counts how scripts/boot's runs ended (a stand-in
# boot here, KFF_BOOT_CMD), passes make check's negative-control arguments
# by default, and refuses bad input.

load helpers

setup() {
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	mkdir -p "$KFF_CACHE"
	FAKE=$BATS_TEST_TMPDIR/boot
	cat >"$FAKE" <<'SH'
#!/bin/bash
printf '%s\n' "$@" >"$KFF_CACHE/args"
d=$KFF_CACHE/out/none@debian-6.1
mkdir -p "$d"
jq -n '{cell: "none@debian-6.1", result: "fail", per_run: [{result: "pass"}, {result: "timeout"},
	{result: "fail"}, {result: "incomplete"}, {result: "pass"}]}' >"$d/result.json"
echo "run 1/5: pass"
echo "none@debian-6.1: fail over 5 runs (result.json in $d)"
exit 1
SH
	chmod +x "$FAKE"
	export KFF_BOOT_CMD=$FAKE
}

@test "soak-boot counts pass, fail, hang and other over the runs, and names the hung ones" {
	run "$SCRIPTS/soak-boot" --boots 5
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"soak none@debian-6.1: 5 boots: 2 pass, 1 fail, 1 hang, 1 other (hung: runs 2; hang.txt in each run)"* ]]
	j=$KFF_CACHE/out/none@debian-6.1/soak.json
	[ "$(jq -c '[.pass, .fail, .hang, .other, .hung_runs]' "$j")" = '[2,1,1,1,[2]]' ]
	# make check's own arguments, and the number of boots
	[ "$(tr '\n' ' ' <"$KFF_CACHE/args")" = "$(grep -v '^#' "$KFF_REPO/scripts/data/negative-control-args") --runs 5 " ]
}

@test "soak-boot passes other boot arguments through, and refuses bad input" {
	run "$SCRIPTS/soak-boot" --boots 2 -- none v3.11 --test xcr0
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <"$KFF_CACHE/args")" = "none v3.11 --test xcr0 --runs 2 " ]
	run "$SCRIPTS/soak-boot" --boots 0
	[ "$status" -eq 2 ]
	run "$SCRIPTS/soak-boot" -- none v3.11 --runs 3
	[ "$status" -eq 2 ]
	[[ $output == *"--boots, not --runs"* ]]
	run "$SCRIPTS/soak-boot" --bogus
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
}
