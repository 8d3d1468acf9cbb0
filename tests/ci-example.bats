#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# ci/github-actions.yml, the example workflow for users: it parses as YAML,
# has the shape GitHub expects, and every script, subcommand and option its
# steps use exists in this repository.

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

@test "ci example: the matrix caches the trees and ccache under \$KFF_CACHE" {
	wf=$(wf_json)
	[ "$(jq -r '.env.KFF_CACHE' <<<"$wf")" != null ]
	jq -e '[.jobs.matrix.steps[] | select(.uses // "" | startswith("actions/cache@")) | .with.path] |
		(any(test("KFF_CACHE.*/trees/")) and any(test("KFF_CACHE.*/ccache$")))' <<<"$wf"
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
	[[ $runs == *"scripts/matrix --base"* ]]
}

@test "ci example: the default bases exist and have rows in series" {
	wf=$(wf_json)
	bases=$(jq -r '.on.workflow_dispatch.inputs.bases.default' <<<"$wf")
	[ -n "$bases" ]
	for b in $bases; do
		[ -f "$KFF_REPO/bases/$b" ] || { echo "no bases/$b"; return 1; }
		awk -v b="$b" '!/^[[:space:]]*#/ && $2 == b { f = 1 } END { exit !f }' "$KFF_REPO/series" ||
			{ echo "no series row for $b"; return 1; }
	done
}

@test "ci example: the plan step turns series into a JSON list of the chosen bases" {
	wf=$(wf_json)
	script=$(jq -r '.jobs.plan.steps[] | select(.id == "bases") | .run' <<<"$wf")
	out=$BATS_TEST_TMPDIR/github_output
	(cd "$KFF_REPO" && WANT="v3.11 debian-6.1 no-such-base" GITHUB_OUTPUT=$out bash -euo pipefail -c "$script")
	list=$(sed -n 's/^bases=//p' "$out")
	[ "$(jq -c 'sort' <<<"$list")" = '["debian-6.1","v3.11"]' ]
}
