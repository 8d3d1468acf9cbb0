#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/check: the mbox/trailer/series lint, and checkpatch wiring.

load helpers

setup_file() {
	setup_fixture
	# A stand-in checkpatch: complains about "FIXME" in added lines, honours --ignore.
	cat >"$BATS_FILE_TMPDIR/checkpatch.pl" <<'PL'
#!/usr/bin/perl
my $ignore = ""; my $file;
while (my $a = shift @ARGV) { if ($a eq "--ignore") { $ignore = shift @ARGV } elsif ($a !~ /^-/) { $file = $a } }
open(my $fh, "<", $file) or die; my $bad = 0;
while (<$fh>) { if (/^\+.*FIXME/ && $ignore !~ /TODO_FOUND/) { print "WARNING:TODO_FOUND: FIXME in an added line\n"; $bad = 1 } }
exit $bad;
PL
}
setup() {
	setup_fixture
	S=$BATS_TEST_TMPDIR/stack
	cp -r "$FIX/stack" "$S"
	P1=$S/0001-x86-fpu-refuse-the-FPU-while-guest-XCR0-is-live.patch
	P2=$S/0002-KVM-x86-mark-guest-XCR0-live.patch
	CP=(--checkpatch "$BATS_FILE_TMPDIR/checkpatch.pl")
}

@test "a clean stack passes" {
	run "$SCRIPTS/check" "$S" "${CP[@]}"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "check: stack (2 patch(es), checkpatch from $BATS_FILE_TMPDIR/checkpatch.pl)" ]
	[ "${lines[1]}" = "  0001-x86-fpu-refuse-the-FPU-while-guest-XCR0-is-live.patch: lint ok, checkpatch ok" ]
	[ "${lines[-1]}" = "result: clean" ]
}

@test "trailing whitespace in an added line and in the message" {
	sed -i 's/^+\(.*guest_xcr0_live.*\)$/+\1 /' "$P1"
	sed -i 's/^Body\.$/Body. /' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0001-"*": line "*": trailing whitespace in an added line"* ]]
	[[ $output == *"0002-"*": line "*": trailing whitespace in the message"* ]]
	[ "${lines[-1]}" = "result: 2 problem(s)" ]
}

@test "missing Signed-off-by, Subject and index line" {
	sed -i '/^Signed-off-by:/d; /^Subject:/d; /^index /d' "$P1"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"no Signed-off-by: line"* ]]
	[[ $output == *"no Subject: header"* ]]
	[[ $output == *"diff without an index line: diff --git a/arch/x86/kernel/i387.c b/arch/x86/kernel/i387.c"* ]]
}

@test "not an mbox from git format-patch" {
	sed -i '1s/.*/From: someone/' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0002-KVM-x86-mark-guest-XCR0-live.patch: line 1: not git format-patch output"* ]]
}

@test "malformed Fixes:, upstream and stable lines; good ones pass" {
	# The good upstream line names a commit that this list says is P1.
	printf '0123456789abcdef0123456789abcdef01234567 fixture@kernel.test x86/fpu: refuse the FPU while guest XCR0 is live\n' \
		>"$BATS_TEST_TMPDIR/upstream"
	export KFF_UPSTREAM_COMMITS=$BATS_TEST_TMPDIR/upstream
	sed -i 's/^Body\.$/commit 0123456789abcdef0123456789abcdef01234567 upstream.\n\nBody.\n\nFixes: 0fedcba98765 ("x86\/fpu: a subject")\nCc: stable@vger.kernel.org # 3.10.x-4.1.x/' "$P1"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 0 ]
	sed -i 's/^Body\.$/commit 0123abc upstream.\n\nBody.\n\nFixes: 0123abc ("x86\/fpu: a subject")\nFixes: 0123456789ab x86\/fpu: unquoted\nCc: stable@kernel.org/' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0002-"*"malformed upstream line (want: commit <40 hex> upstream.)"* ]]
	[ "$(grep -c 'malformed Fixes: tag' <<<"$output")" = 2 ]
	[[ $output == *"malformed stable Cc"* ]]
	! grep -q "0001-.*malformed" <<<"$output"
}

@test "series must list exactly the patches, in order" {
	printf '%s\n' "$(basename "$P2")" "$(basename "$P1")" >"$S/series"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"  series: lists the patches out of order"* ]]
	basename "$P1" >"$S/series"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"  series: does not list exactly the patch files"* ]]
}

@test "checkpatch findings fail the check; an ignored type with a reason passes" {
	sed -i 's/^+\(.*guest_xcr0_live.*\)$/+\1 \/\* FIXME \*\//' "$P1"
	run "$SCRIPTS/check" "$S" "${CP[@]}"
	[ "$status" -eq 1 ]
	[[ $output == *"    WARNING:TODO_FOUND: FIXME in an added line"* ]]
	[[ $output == *"0001-"*": lint ok, checkpatch problems"* ]]
	echo "TODO_FOUND the fixture's FIXME stays on purpose" >"$S/checkpatch-ignore"
	run "$SCRIPTS/check" "$S" "${CP[@]}"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *", ignoring TODO_FOUND)" ]]
}

@test "an ignored type without a reason is a problem" {
	printf 'GIT_COMMIT_ID\nlowercase why\n' >"$S/checkpatch-ignore"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"checkpatch-ignore: line 1: GIT_COMMIT_ID has no reason"* ]]
	[[ $output == *"checkpatch-ignore: line 2: 'lowercase' is not a checkpatch type"* ]]
}

@test "bad input: unknown stack, none, missing checkpatch, extra args" {
	run "$SCRIPTS/check" no-such-stack
	[ "$status" -eq 2 ]
	[ "$output" = "check: unknown stack 'no-such-stack' (known: mainline stable-5.4 stable-5.3 stable-5.2 stable-4.x stable-3.11)" ]
	run "$SCRIPTS/check" none
	[ "$status" -eq 2 ]
	[ "$output" = "check: stack 'none' has no patches to check" ]
	run "$SCRIPTS/check" "$S" --checkpatch /nonexistent/checkpatch.pl
	[ "$status" -eq 2 ]
	[ "$output" = "check: checkpatch '/nonexistent/checkpatch.pl' does not exist" ]
	run "$SCRIPTS/check" "$S" "$S"
	[ "$status" -eq 2 ]
	[[ $output == "check: usage: scripts/check"* ]]
}

# --- who a patch is from, and what it claims to be ---------------------------

@test "the placeholder identity is refused in From: and Signed-off-by:" {
	sed -i 's/^From: .*/From: kvm-fpu-fixes <kvm-fpu-fixes@kernel.test>/; s/^Signed-off-by: .*/Signed-off-by: kvm-fpu-fixes <kvm-fpu-fixes@kernel.test>/' "$P1"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0001-"*": line 2: From: kvm-fpu-fixes <kvm-fpu-fixes@kernel.test> is the placeholder identity; regenerate the patch in your git identity"* ]]
	[[ $output == *"0001-"*"Signed-off-by: kvm-fpu-fixes <kvm-fpu-fixes@kernel.test> is the placeholder identity"* ]]
}

@test "addresses at example.org, example.com (and subdomains) and example.net are refused" {
	sed -i 's/fixture@kernel.test/fixture@example.org/g' "$P1"
	sed -i 's/fixture@kernel.test/a@mail.example.com/g' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0001-"*"From: Fixture <fixture@example.org> is an address at a reserved example domain"* ]]
	[[ $output == *"0002-"*"Signed-off-by: Fixture <a@mail.example.com> is an address at a reserved example domain"* ]]
	sed -i 's/a@mail.example.com/x@example.net/g' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[[ $output == *"0002-"*"<x@example.net> is an address at a reserved example domain"* ]]
}

@test "an address under the .example top-level domain, or at notexample.org, is accepted" {
	sed -i 's/fixture@kernel.test/maintainers@users.noreply.r-seed.example/g' "$P1"
	sed -i 's/fixture@kernel.test/me@notexample.org/g' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a folded From: header is read whole" {
	sed -i 's/^From: Fixture <fixture@kernel.test>$/From: Fixture\n <fixture@example.org>/' "$P1"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"From: Fixture <fixture@example.org> is an address at a reserved example domain"* ]]
}

@test "a From: author who has not signed off is refused" {
	sed -i 's/^Signed-off-by: .*/Signed-off-by: Someone Else <else@kernel.test>/' "$P1"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0001-"*"From: Fixture <fixture@kernel.test> has not signed off"* ]]
}

@test "'commit <sha> upstream.' on a patch that is not that commit is refused; a bracketed note is fine" {
	# c9aef3b85f42 is listed with Sean Christopherson's subject and address.
	sed -i 's/^Body\.$/commit c9aef3b85f425d1f6635382ec210ee5a7ef55d7d upstream.\n\nBody./' "$P1"
	sed -i 's/^Body\.$/Body.\n\n[ Equivalent of upstream commit c9aef3b85f42 ("KVM: x86: Handle\n  TIF_NEED_FPU_LOAD in kvm_{load,put}_guest_fpu()"), written here. ]/' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0001-"*"says it is upstream commit c9aef3b85f42 (\"KVM: x86: Handle TIF_NEED_FPU_LOAD in kvm_{load,put}_guest_fpu()\") but its subject and author differ"* ]]
	! grep -q '0002-.*line' <<<"$output"
}

@test "'commit <sha> upstream.' on the real thing (its subject and author) passes; an unlisted commit is refused" {
	sed -i 's/^From: .*/From: Sean Christopherson <sean.j.christopherson@intel.com>/;
		s/^Subject: .*/Subject: [PATCH 1\/2] KVM: x86: Handle TIF_NEED_FPU_LOAD in kvm_{load,put}_guest_fpu()/;
		s/^Body\.$/commit c9aef3b85f425d1f6635382ec210ee5a7ef55d7d upstream.\n\nBody./;
		s/^\(Signed-off-by: Fixture.*\)$/Signed-off-by: Sean Christopherson <sean.j.christopherson@intel.com>\n\1/' "$P1"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	echo "$output"
	[ "$status" -eq 0 ]
	sed -i 's/^Body\.$/[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\nBody./' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0002-"*"says it is upstream commit 0123456789ab, which scripts/data/upstream-commits does not list"* ]]
}

@test "a Fixes: tag naming a listed commit must quote its subject" {
	sed -i 's/^Body\.$/Body.\n\nFixes: 5f409e20b794 ("x86\/fpu: Defer FPU state load")/' "$P1"
	sed -i 's/^Body\.$/Body.\n\nFixes: 5d2bd7009f30 ("x86, fpu: decouple non-lazy\/eager fpu restore from xsave")/' "$P2"
	run "$SCRIPTS/check" "$S" --no-checkpatch
	[ "$status" -eq 1 ]
	[[ $output == *"0001-"*"Fixes: 5f409e20b794 quotes \"x86/fpu: Defer FPU state load\", but that commit is \"x86/fpu: Defer FPU state load until return to userspace\""* ]]
	! grep -q '0002-.*Fixes' <<<"$output"
}
