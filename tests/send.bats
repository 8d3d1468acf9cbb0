#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/send: numbered subject prefixes, a cover letter where the stack has
# one, an mbox that git mailsplit and git am accept back, the addresses of
# the printed git send-email command, bad input, and that nothing is sent.

load helpers

USER_CACHE=${KFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}

# A base tree and, on a branch of it, two commits with stable trailers.
make_send_tree() {
	local t=$1
	mkdir -p "$t/arch/x86/kvm" "$t/scripts"
	printf 'VERSION = 5\nPATCHLEVEL = 4\nSUBLEVEL = 18\n' >"$t/Makefile"
	printf 'int fixture_a;\n' >"$t/arch/x86/kvm/x86.c"
	printf 'int fixture_b;\n' >"$t/arch/x86/kvm/emulate.c"
	printf 'KVM\nM:\tFix Maintainer <fm@example.org>\nL:\tfix-list@example.org\nF:\tarch/x86/kvm/\n' >"$t/MAINTAINERS"
	# A stand-in get_maintainer.pl: the addresses for any patch.
	printf '#!/usr/bin/perl\nprint "Fix Maintainer <fm\\@example.org>\\nfix-list\\@example.org\\n";\n' \
		>"$t/scripts/get_maintainer.pl"
	fixture_git -C "$t" init -q
	fixture_git -C "$t" add -A
	fixture_git -C "$t" commit -q -m "base"
}

# make_send_stack TREE DIR [--cover]: two patches from TREE in DIR (quilt).
make_send_stack() {
	local t=$1 d=$2 cover=${3:-}
	fixture_git -C "$t" checkout -q -b work
	echo 'int fixture_a2;' >>"$t/arch/x86/kvm/x86.c"
	fixture_git -C "$t" commit -q -a -F - <<'M'
KVM: x86: fixture change one with a subject long enough to be folded by git format-patch

commit 0123456789abcdef0123456789abcdef01234567 upstream.

Body one.

Fixes: 5f409e20b794 ("x86/fpu: Defer FPU state load until return to userspace")
Cc: stable@vger.kernel.org # 5.2.x
Cc: Trailer Person <tp@example.org>
Signed-off-by: Fixture <fixture@kernel.test>
M
	echo 'int fixture_b2;' >>"$t/arch/x86/kvm/emulate.c"
	fixture_git -C "$t" commit -q -a -F - <<'M'
KVM: x86: fixture change two

Body two.

Cc: stable@vger.kernel.org
Signed-off-by: Fixture <fixture@kernel.test>
M
	mkdir -p "$d"
	fixture_git -C "$t" format-patch -q ${cover:+--cover-letter} -o "$d" master..work
	(cd "$d" && for p in [0-9]*.patch; do [ "$p" = 0000-cover-letter.patch ] || echo "$p"; done >series)
	if [ -n "$cover" ]; then
		sed -i 's/\*\*\* SUBJECT HERE \*\*\*/fixture series/; s/\*\*\* BLURB HERE \*\*\*/Cover text./' \
			"$d/0000-cover-letter.patch"
	fi
	fixture_git -C "$t" checkout -q master
	fixture_git -C "$t" branch -q -D work
}

setup_file() {
	export FIXS=$BATS_FILE_TMPDIR/send
	make_send_tree "$FIXS/tree"
	make_send_stack "$FIXS/tree" "$FIXS/stable-5.4"
	cp -r "$FIXS/stable-5.4" "$FIXS/stable-4.x"
	make_send_stack "$FIXS/tree" "$FIXS/mainline" --cover
}

setup() {
	export FIXS=$BATS_FILE_TMPDIR/send
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	OUT=$BATS_TEST_TMPDIR/out
	# The sender: a git identity of the test's own, whatever the machine has.
	export GIT_CONFIG_GLOBAL=$BATS_TEST_TMPDIR/gitconfig GIT_CONFIG_NOSYSTEM=1
	printf '[user]\n\tname = Test Sender\n\temail = sender@kernel.test\n' >"$GIT_CONFIG_GLOBAL"
	# No branch is end of life unless a test says so (the real list is below).
	export KFF_EOL_FILE=$BATS_TEST_TMPDIR/eol
	: >"$KFF_EOL_FILE"
}

subjects() { grep -h '^Subject:' "$@"; }

@test "send --help prints the usage and exits 0" {
	run "$SCRIPTS/send" --help
	[ "$status" -eq 0 ]
	[[ $output == *"scripts/send <stack|stack-dir>"* ]]
	[[ $output == *"Never sends anything"* ]]
}

@test "send a stable stack: [PATCH 5.4 n/N] subjects, files in --out" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	[ -f "$OUT/series.mbox" ]
	[ -f "$OUT/send-email.txt" ]
	[ "$(find "$OUT" -name '*.patch' | wc -l)" -eq 2 ]
	run subjects "$OUT"/0001-*.patch
	[ "$output" = "Subject: [PATCH 5.4 1/2] KVM: x86: fixture change one with a subject long enough to be folded by git format-patch" ]
	run subjects "$OUT"/0002-*.patch
	[ "$output" = "Subject: [PATCH 5.4 2/2] KVM: x86: fixture change two" ]
}

@test "send: the default output is \$KFF_CACHE/out/send/<stack>/" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4"
	[ "$status" -eq 0 ]
	[ -f "$KFF_CACHE/out/send/stable-5.4/series.mbox" ]
	[[ $output == *"$KFF_CACHE/out/send/stable-5.4"* ]]
}

@test "send stable-4.x: the version comes from its base in series (4.1)" {
	run "$SCRIPTS/send" "$FIXS/stable-4.x" --out "$OUT"
	[ "$status" -eq 0 ]
	run subjects "$OUT/series.mbox"
	[ "${lines[0]}" = "Subject: [PATCH 4.1 1/2] KVM: x86: fixture change one with a subject long enough to be folded by git format-patch" ]
	[ "${lines[1]}" = "Subject: [PATCH 4.1 2/2] KVM: x86: fixture change two" ]
}

@test "send --version overrides the stable version" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --version 5.5
	[ "$status" -eq 0 ]
	[ "$(subjects "$OUT/series.mbox" | grep -c '^Subject: \[PATCH 5.5 [12]/2\] ')" -eq 2 ]
}

@test "send mainline: [PATCH n/N] with the cover letter as 0/N" {
	run "$SCRIPTS/send" "$FIXS/mainline" --out "$OUT"
	[ "$status" -eq 0 ]
	run subjects "$OUT/series.mbox"
	[ "${lines[0]}" = "Subject: [PATCH 0/2] fixture series" ]
	[ "${lines[1]}" = "Subject: [PATCH 1/2] KVM: x86: fixture change one with a subject long enough to be folded by git format-patch" ]
	[ "${lines[2]}" = "Subject: [PATCH 2/2] KVM: x86: fixture change two" ]
	[ -f "$OUT/0000-cover-letter.patch" ]
}

@test "send: the mbox splits into the messages and git am applies it back" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	mkdir "$BATS_TEST_TMPDIR/split"
	[ "$(git mailsplit -o"$BATS_TEST_TMPDIR/split" "$OUT/series.mbox")" = 2 ]
	git clone -q "$FIXS/tree" "$BATS_TEST_TMPDIR/am"
	fixture_git -C "$BATS_TEST_TMPDIR/am" am -q "$OUT/series.mbox"
	[ "$(git -C "$BATS_TEST_TMPDIR/am" rev-list --count HEAD)" -eq 3 ]
	grep -q fixture_a2 "$BATS_TEST_TMPDIR/am/arch/x86/kvm/x86.c"
	grep -q fixture_b2 "$BATS_TEST_TMPDIR/am/arch/x86/kvm/emulate.c"
	# git am drops the [PATCH ...] prefix again: the subjects are intact.
	[ "$(git -C "$BATS_TEST_TMPDIR/am" log -1 --format=%s HEAD~1)" = "KVM: x86: fixture change one with a subject long enough to be folded by git format-patch" ]
}

@test "send mainline: the mbox with its cover letter is accepted by git am" {
	run "$SCRIPTS/send" "$FIXS/mainline" --out "$OUT"
	[ "$status" -eq 0 ]
	git clone -q "$FIXS/tree" "$BATS_TEST_TMPDIR/am"
	fixture_git -C "$BATS_TEST_TMPDIR/am" am -q "$OUT"/000[12]-*.patch
	[ "$(git -C "$BATS_TEST_TMPDIR/am" rev-list --count HEAD)" -eq 3 ]
}

@test "send: stable To, trailer Cc without the # note, --to/--cc added, once each" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --to 'Extra To <et@example.org>' \
		--cc cc1@example.org --cc 'tp@example.org'
	[ "$status" -eq 0 ]
	cmd=$(cat "$OUT/send-email.txt")
	[[ $cmd == "git send-email "* ]]
	[[ $cmd == *"--to=stable@vger.kernel.org"* ]]
	[[ $cmd == *"'--to=Extra To <et@example.org>'"* ]]
	[[ $cmd == *"'--cc=Trailer Person <tp@example.org>'"* ]]
	[[ $cmd == *"--cc=cc1@example.org"* ]]
	[[ $cmd == *"--suppress-cc=all"* ]]
	[[ $cmd != *"# 5.2.x"* ]]
	[ "$(grep -c 'stable@vger.kernel.org' "$OUT/send-email.txt")" -eq 1 ]
	[ "$(grep -c 'tp@example.org' "$OUT/send-email.txt")" -eq 1 ]
	[[ $output == *"To: stable@vger.kernel.org"* ]]
	[[ $output == *"Nothing was sent."* ]]
}

@test "send mainline goes To the kvm list, not stable" {
	run "$SCRIPTS/send" "$FIXS/mainline" --out "$OUT"
	[ "$status" -eq 0 ]
	[[ $(cat "$OUT/send-email.txt") == *"--to=kvm@vger.kernel.org"* ]]
	[[ $(cat "$OUT/send-email.txt") != *"--to=stable@vger.kernel.org"* ]]
}

@test "send --base DIR: Cc the maintainers that the tree's get_maintainer.pl names" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --base "$FIXS/tree/"
	[ "$status" -eq 0 ]
	[[ $output == *"maintainers and lists from $FIXS/tree/MAINTAINERS"* ]]
	[[ $(cat "$OUT/send-email.txt") == *"'--cc=Fix Maintainer <fm@example.org>'"* ]]
	[[ $(cat "$OUT/send-email.txt") == *"--cc=fix-list@example.org"* ]]
}

@test "send without a tree says the maintainers were not looked up" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	[[ $output == *"maintainers not looked up"* ]]
}

@test "send runs send-email never" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	real_git=$(command -v git)
	printf '#!/bin/sh\necho "$*" >>"%s/git.log"\nexec "%s" "$@"\n' "$BATS_TEST_TMPDIR" "$real_git" \
		>"$BATS_TEST_TMPDIR/bin/git"
	printf '#!/bin/sh\ntouch "%s/SENT"\nexit 1\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/bin/git-send-email"
	chmod +x "$BATS_TEST_TMPDIR/bin/git" "$BATS_TEST_TMPDIR/bin/git-send-email"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run "$SCRIPTS/send" "$FIXS/mainline" --out "$OUT" --base "$FIXS/tree/"
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/SENT" ]
	[ ! -e "$BATS_TEST_TMPDIR/git.log" ] || [ "$(grep -c 'send-email' "$BATS_TEST_TMPDIR/git.log")" -eq 0 ]
	# Nor could it: send-email appears only in the printed command.
	[ "$(grep -vE '^[[:space:]]*#|cmd=\(git send-email' "$SCRIPTS/send" | grep -c 'send-email[^.]')" -eq 0 ]
}

@test "send leaves the stack directory untouched" {
	before=$(tree_sum "$FIXS/stable-5.4")
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	[ "$(tree_sum "$FIXS/stable-5.4")" = "$before" ]
}

# ---- bad input -------------------------------------------------------------

@test "send without a stack exits 2" {
	run "$SCRIPTS/send"
	[ "$status" -eq 2 ]
	[[ $output == "send: usage: scripts/send <stack|stack-dir>"* ]]
}

@test "send an unknown stack exits 2" {
	run "$SCRIPTS/send" stable-9.9
	[ "$status" -eq 2 ]
	[[ $output == *"unknown stack 'stable-9.9'"* ]]
}

@test "send none exits 2" {
	run "$SCRIPTS/send" none
	[ "$status" -eq 2 ]
	[[ $output == *"stack 'none' has no patches to send"* ]]
}

@test "send with an unknown option exits 2" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --bcc x@example.org
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--bcc'"* ]]
}

@test "send --to without a value exits 2" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --to
	[ "$status" -eq 2 ]
	[[ $output == *"--to needs a value"* ]]
}

@test "send --cc with something that is not an address exits 2" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --cc 'not an address'
	[ "$status" -eq 2 ]
	[[ $output == *"--cc 'not an address' is not an e-mail address"* ]]
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --to 'a@b.org, c@d.org'
	[ "$status" -eq 2 ]
	[[ $output == *"is not an e-mail address"* ]]
}

@test "send --version that is not X.Y exits 2" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --version five
	[ "$status" -eq 2 ]
	[[ $output == *"--version 'five' is not a version like 5.4"* ]]
}

@test "send --out naming a file exits 2" {
	touch "$BATS_TEST_TMPDIR/file"
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$BATS_TEST_TMPDIR/file"
	[ "$status" -eq 2 ]
	[[ $output == *"exists and is not a directory"* ]]
}

@test "send --out naming a foreign non-empty directory exits 2" {
	mkdir -p "$OUT"
	echo mine >"$OUT/notes.txt"
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 2 ]
	[[ $output == *"is not empty and is not an earlier scripts/send result"* ]]
	[ "$(cat "$OUT/notes.txt")" = mine ]
}

@test "send --base with an unknown base exits 2, with an uncached base exits 4" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --base no-such-base
	[ "$status" -eq 2 ]
	[[ $output == *"unknown base 'no-such-base'"* ]]
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --base v5.4.18
	[ "$status" -eq 4 ]
	[[ $output == *"base 'v5.4.18' is not in the cache"* ]]
}

@test "send a stack directory whose patches are not format-patch output exits 2" {
	mkdir -p "$BATS_TEST_TMPDIR/stable-5.4"
	printf 'just a diff\n' >"$BATS_TEST_TMPDIR/stable-5.4/0001-x.patch"
	echo 0001-x.patch >"$BATS_TEST_TMPDIR/stable-5.4/series"
	run "$SCRIPTS/send" "$BATS_TEST_TMPDIR/stable-5.4"
	[ "$status" -eq 2 ]
	[[ $output == *"is not git format-patch output"* ]]
}

# ---- the real stacks -------------------------------------------------------

# real_stack STACK VERSION-PREFIX BASE: send the repo's STACK, check every
# subject's prefix and numbering, and git am it onto the cached BASE.
real_stack() {
	local stack=$1 pre=$2 base=$3 n i=0 s
	[ -s "$KFF_REPO/$stack/series" ] || skip "stack $stack has no patches yet"
	"$SCRIPTS/send" "$stack" --out "$OUT" >/dev/null
	n=$(awk '!/^[[:space:]]*(#|$)/' "$KFF_REPO/$stack/series" | wc -l)
	[ -f "$OUT/0000-cover-letter.patch" ] && i=-1
	while read -r s; do
		i=$((i + 1))
		[[ $s == "Subject: [$pre $i/$n] "* ]] || { echo "bad subject: $s"; return 1; }
	done < <(grep -h '^Subject:' "$OUT"/[0-9]*.patch)
	[ "$i" -eq "$n" ]
	if [ "$stack" = mainline ]; then
		grep -q -- '--to=kvm@vger.kernel.org' "$OUT/send-email.txt"
	else
		grep -q -- '--to=stable@vger.kernel.org' "$OUT/send-email.txt"
	fi
	grep -q -- "'--from=Test Sender <sender@kernel.test>'" "$OUT/send-email.txt"
	# Every patch is the sender's or keeps a real author, and passes check.
	! grep -q 'example\.org\|^From: kvm-fpu-fixes' "$OUT"/[0-9]*.patch
	for s in "$OUT"/[0-9]*.patch; do
		[[ $s == */0000-cover-letter.patch ]] || grep -q '^Signed-off-by: Test Sender <sender@kernel.test>$' "$s"
	done
	[ -d "$USER_CACHE/trees/$base/.git" ] ||
		skip "base $base not cached for the git am check; get it with: scripts/tree fetch $base"
	local pl=()
	for s in "$OUT"/[0-9]*.patch; do
		[[ $s == */0000-cover-letter.patch ]] || pl+=("$s")
	done
	# A sparse checkout of just the files the patches touch: git am needs no
	# more, and a full kernel checkout costs minutes on a busy machine.
	local am=$BATS_TEST_TMPDIR/am
	git clone -q --shared --no-checkout "$USER_CACHE/trees/$base" "$am"
	local touched=()
	mapfile -t touched < <(sed -n 's|^+++ b/||p' "${pl[@]}" | sort -u)
	git -C "$am" sparse-checkout set --no-cone "${touched[@]}"
	git -C "$am" checkout -q
	fixture_git -C "$am" am -q "${pl[@]}"
	[ "$(git -C "$am" rev-list --count HEAD)" -eq $((n + 1)) ]
}

@test "real stack stable-3.11: [PATCH 3.11 n/N], git am onto v3.11" {
	real_stack stable-3.11 "PATCH 3.11" v3.11
}

@test "real stack stable-4.x: [PATCH 4.1 n/N], git am onto v4.1.19 (its proof base)" {
	real_stack stable-4.x "PATCH 4.1" v4.1.19
}

@test "real stack stable-5.4: [PATCH 5.4 n/N], git am onto v5.4.18" {
	real_stack stable-5.4 "PATCH 5.4" v5.4.18
}

@test "real stack mainline: [PATCH n/N] with cover letter, git am onto v5.5-rc5" {
	real_stack mainline PATCH v5.5-rc5
}

# ---- sender identity and end of life ---------------------------------------

# placeholder_stack DIR: the stable-5.4 fixture as the placeholder wrote it.
placeholder_stack() {
	cp -r "$FIXS/stable-5.4" "$1"
	sed -i 's/^From: .*/From: kvm-fpu-fixes <kvm-fpu-fixes@example.org>/;
		s/^Signed-off-by: .*/Signed-off-by: kvm-fpu-fixes <kvm-fpu-fixes@example.org>/' "$1"/0*.patch
}

@test "send: a placeholder From: and sign-off become the sender's git identity" {
	placeholder_stack "$BATS_TEST_TMPDIR/stable-5.4"
	run "$SCRIPTS/send" "$BATS_TEST_TMPDIR/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	for p in "$OUT"/0*.patch; do
		[ "$(grep -c '^From: Test Sender <sender@kernel.test>$' "$p")" -eq 1 ]
		[ "$(grep -c '^Signed-off-by: Test Sender <sender@kernel.test>$' "$p")" -eq 1 ]
		! grep -q 'kvm-fpu-fixes' "$p"
	done
	[[ $(cat "$OUT/send-email.txt") == *"'--from=Test Sender <sender@kernel.test>'"* ]]
	[[ $output == *"From: Test Sender <sender@kernel.test>"* ]]
	# What send wrote passes check's identity rules.
	cp "$BATS_TEST_TMPDIR/stable-5.4/series" "$OUT/"
	run "$SCRIPTS/check" "$OUT" --no-checkpatch
	echo "$output"
	[[ $output != *"placeholder"* ]] && [[ $output != *"has not signed off"* ]]
}

@test "send: a real author is kept, and the sender signs off after them" {
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	p=$(ls "$OUT"/0001-*.patch)
	grep -q '^From: Fixture <fixture@kernel.test>$' "$p"
	[ "$(sed -n '/^Signed-off-by:/p' "$p" | paste -sd'|' -)" = "Signed-off-by: Fixture <fixture@kernel.test>|Signed-off-by: Test Sender <sender@kernel.test>" ]
}

@test "send without a git identity exits 4 and says how to set one" {
	: >"$GIT_CONFIG_GLOBAL"
	cd "$BATS_TEST_TMPDIR"
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 4 ]
	[[ $output == *"no git identity to send as: set git config user.name and user.email"* ]]
}

@test "send: an end-of-life branch gets a warning, where it can still go, and no stable@" {
	unset KFF_EOL_FILE
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 0 ]
	[[ $output == *"send: 5.4 is end of life on kernel.org (since 2025-12, last release -): stable@vger.kernel.org will not take it"* ]]
	[[ $output == *"It can still go to:"*"kernel-team@lists.ubuntu.com"* ]]
	[[ $output == *"add --to <addr>"* ]]
	! grep -q 'stable@vger.kernel.org' "$OUT/send-email.txt"
	! grep -q -- '--to=' "$OUT/send-email.txt"
	# the Cc: of the other trailers stays
	grep -q "'--cc=Trailer Person <tp@example.org>'" "$OUT/send-email.txt"
}

@test "send: --to overrides the end-of-life default, the warning stays" {
	unset KFF_EOL_FILE
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --to kernel-team@lists.ubuntu.com
	[ "$status" -eq 0 ]
	[[ $output == *"5.4 is end of life"* ]]
	[[ $output != *"It can still go to:"* ]]
	grep -q -- '--to=kernel-team@lists.ubuntu.com' "$OUT/send-email.txt"
	! grep -q 'stable@vger.kernel.org' "$OUT/send-email.txt"
}

@test "send: mainline (v5.5-rc) is end of life too: no kvm list by default" {
	unset KFF_EOL_FILE
	run "$SCRIPTS/send" "$FIXS/mainline" --out "$OUT"
	[ "$status" -eq 0 ]
	[[ $output == *"send: 5.5 is end of life on kernel.org (since 2020-04-21, last release 5.5.19): kvm@vger.kernel.org will not take it"* ]]
	! grep -q -- '--to=' "$OUT/send-email.txt"
}

@test "send: a branch that is not end of life is addressed to stable@ as before" {
	unset KFF_EOL_FILE
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT" --version 6.12
	[ "$status" -eq 0 ]
	[[ $output != *"end of life"* ]]
	grep -q -- '--to=stable@vger.kernel.org' "$OUT/send-email.txt"
}

@test "send: a malformed end-of-life list is an error naming file and line" {
	printf '# c\n5.4 soon -\n' >"$KFF_EOL_FILE"
	run "$SCRIPTS/send" "$FIXS/stable-5.4" --out "$OUT"
	[ "$status" -eq 2 ]
	[[ $output == *"send: $KFF_EOL_FILE line 2 is not \"<branch> <YYYY-MM[-DD]> <last release|->\": 5.4 soon -"* ]]
}

@test "every target branch of the stacks is in the end-of-life list" {
	for b in 3.10 3.11 3.12 3.14 3.16 3.18 3.19 4.0 4.1 5.2 5.3 5.4 5.5; do
		grep -q "^$b " "$KFF_REPO/scripts/data/eol" || { echo "missing: $b"; false; }
	done
}
