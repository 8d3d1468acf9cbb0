#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# ci/github-actions.yml, the example workflow for users: it is what
# scripts/ci-workflow generates from ./series (one job per row), it parses as
# YAML, has the shape GitHub expects, and every script, subcommand and option
# its steps use exists in this repository.

load helpers

YML=$KFF_REPO/ci/github-actions.yml

# The workflow as JSON (PyYAML reads the key "on" as true: map it back).
wf_json() {
	python3 -c '
import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
if True in d:
    d["on"] = d.pop(True)
print(json.dumps(d))' "$YML"
}

# plan_rows WANT: the rows the plan job's own script gives for the dispatch
# input WANT, as JSON
plan_rows() {
	local wf script rows out=$BATS_TEST_TMPDIR/github_output
	wf=$(wf_json)
	script=$(jq -r '.jobs.plan.steps[] | select(.id == "rows") | .run' <<<"$wf")
	rows=$(jq -r '.jobs.plan.steps[] | select(.id == "rows") | .env.ROWS' <<<"$wf")
	(cd "$KFF_REPO" && WANT=$1 ROWS=$rows GITHUB_OUTPUT=$out bash -euo pipefail -c "$script" >/dev/null)
	sed -n 's/^rows=//p' "$out"
}

setup() {
	python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed (apt-get install python3-yaml)"
}

@test "ci example: the YAML parses" {
	run wf_json
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
}

@test "ci example: triggers, and every job has runs-on and steps" {
	wf=$(wf_json)
	[ "$(jq -r '.on | has("workflow_dispatch")' <<<"$wf")" = true ]
	[ "$(jq -r '.on | has("push")' <<<"$wf")" = true ]
	[ "$(jq '.jobs | length' <<<"$wf")" -ge 2 ]
	[ "$(jq '[.jobs[] | select(has("runs-on") and (.steps | length) > 0)] | length' <<<"$wf")" = \
		"$(jq '.jobs | length' <<<"$wf")" ]
	# Every step either runs a command or uses a versioned action.
	[ "$(jq '[.jobs[].steps[] | select((has("run") or (.uses // "" | test("@v[0-9]+$"))) | not)] | length' <<<"$wf")" -eq 0 ]
}

@test "ci example: the test-suite job runs .ci/run, which exists" {
	wf=$(wf_json)
	jq -e '[.jobs[].steps[].run // empty | select(test("^\\.ci/run$"))] | length == 1' <<<"$wf"
	[ -x "$KFF_REPO/.ci/run" ]
}

@test "ci example: each row job caches its tree and ccache under \$KFF_CACHE and uploads its cells" {
	wf=$(wf_json)
	[ "$(jq -r '.env.KFF_CACHE' <<<"$wf")" != null ]
	jq -e '[.jobs.row.steps[] | select(.uses // "" | startswith("actions/cache@")) | .with.path] |
		(any(test("KFF_CACHE.*/trees/.*matrix.row.base")) and any(test("KFF_CACHE.*/ccache$")))' <<<"$wf"
	jq -e '.jobs.row.strategy.matrix.row | test("fromJSON\\(needs.plan.outputs.rows\\)")' <<<"$wf"
	jq -e '[.jobs.row.steps[] | select(.uses // "" | startswith("actions/upload-artifact@"))
		| .with.path | test("matrix.row.unpatched") and test("matrix.row.cell")] == [true]' <<<"$wf"
	jq -e '[.jobs.row.steps[].run // empty | select(test("scripts/tree fetch"))] | length == 1' <<<"$wf"
}

@test "ci example: the committed workflow is what scripts/ci-workflow makes of ./series" {
	run "$SCRIPTS/ci-workflow" --check "$YML"
	echo "$output"
	[ "$status" -eq 0 ]
	# and the check fails on a workflow that lags behind ./series
	awk '!gone && /"row":"/ { gone = 1; next } 1' "$YML" >"$BATS_TEST_TMPDIR/old.yml"
	[ "$(grep -c '"row":"' "$BATS_TEST_TMPDIR/old.yml")" -eq $(($(grep -c '"row":"' "$YML") - 1)) ]
	run "$SCRIPTS/ci-workflow" --check "$BATS_TEST_TMPDIR/old.yml"
	[ "$status" -eq 1 ]
	[[ $output == *"does not match ./series"* ]]
}

@test "ci example: the plan has one row per row of ./series, with how its tree is fetched" {
	rows=$(plan_rows '')
	got=$(jq -r '.[] | "\(.stack) \(.base) \(.tests)"' <<<"$rows")
	want=$(awk '!/^[[:space:]]*(#|$)/ { print $1, $2, $3 }' "$KFF_REPO/series")
	[ "$got" = "$want" ]
	[ "$(jq -r '.[] | select(.base == "v3.11") | .fetch' <<<"$rows" | sort -u)" = kernel.org ]
	[ "$(jq -r '.[] | select(.base == "debian-6.1") | .fetch' <<<"$rows")" = debian ]
	[ "$(jq -r '.[] | select(.base == "v5.5-rc5") | .fetch' <<<"$rows")" = import ]
	[ "$(jq -r '.[] | select(.row == "stable-3.11:1 v3.11") | .cell' <<<"$rows")" = stable-3.11-0001@v3.11 ]
	[ "$(jq -r '.[] | select(.row == "none debian-6.1") | .cell' <<<"$rows")" = none@debian-6.1 ]
	# artifact names: no characters upload-artifact refuses
	[ "$(jq -r '.[].artifact' <<<"$rows" | grep -c '[^A-Za-z0-9._-]')" -eq 0 ]
	# every row is a row scripts/matrix --row takes
	while read -r r; do
		grep -qE "^${r%% *}[[:space:]]+${r#* }[[:space:]]" "$KFF_REPO/series"
	done < <(jq -r '.[].row' <<<"$rows")
}

@test "ci example: every scripts/X a step runs exists and is executable" {
	wf=$(wf_json)
	used=$(jq -r '.jobs[].steps[].run // empty' <<<"$wf" | grep -oE 'scripts/[a-z][a-z0-9_-]*' | sort -u)
	[ -n "$used" ]
	for s in $used; do
		[ -x "$KFF_REPO/$s" ] || { echo "missing: $s"; return 1; }
	done
	# The ones the workflow relies on are all there.
	for s in scripts/deps scripts/tree scripts/status scripts/matrix; do
		grep -qx "$s" <<<"$used" || { echo "not used: $s"; return 1; }
	done
}

@test "ci example: the subcommands and options it passes are in the scripts' --help" {
	wf=$(wf_json)
	runs=$(jq -r '.jobs[].steps[].run // empty' <<<"$wf")
	help_tree=$("$SCRIPTS/tree" --help)
	help_matrix=$("$SCRIPTS/matrix" --help)
	while read -r sub; do
		[[ $help_tree == *"scripts/tree $sub"* ]] || { echo "scripts/tree has no '$sub'"; return 1; }
	done < <(grep -oE 'scripts/tree [a-z]+' <<<"$runs" | awk '{ print $2 }' | sort -u)
	while read -r opt; do
		[[ $help_matrix == *"$opt"* ]] || { echo "scripts/matrix has no '$opt'"; return 1; }
	done < <(grep -oE 'scripts/matrix( --[a-z-]+ [^ ]+)*' <<<"$runs" | grep -oE -- '--[a-z-]+' | sort -u)
	[[ $runs == *"scripts/matrix --row"* ]]
}

@test "ci example: the dispatch input picks the rows of the bases it names" {
	list=$(plan_rows "v3.11 debian-6.1 no-such-base")
	[ "$(jq -c '[.[].base] | unique' <<<"$list")" = '["debian-6.1","v3.11"]' ]
	[ "$(jq length <<<"$list")" -eq "$(awk '!/^[[:space:]]*#/ && ($2 == "v3.11" || $2 == "debian-6.1")' "$KFF_REPO/series" | wc -l)" ]
}

@test "ci-workflow: bad input is one line on stderr and exit 2" {
	run "$SCRIPTS/ci-workflow" --bogus
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$SCRIPTS/ci-workflow" --check /nonexistent
	[ "$status" -eq 2 ]
	run "$SCRIPTS/ci-workflow" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: scripts/ci-workflow"* ]]
}
