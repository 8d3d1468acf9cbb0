# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Fixtures for the script tests: a tiny "kernel tree" in git, a two-patch
# stack made from it with git format-patch, and a base definition with its
# fingerprint. Everything lives under the bats temp dirs; nothing touches
# the user's cache (KFF_CACHE and KFF_BASES point at the fixture).

KFF_REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
SCRIPTS=$KFF_REPO/scripts

fixture_git() {
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_SYSTEM=/dev/null \
	GIT_AUTHOR_NAME=Fixture GIT_AUTHOR_EMAIL=fixture@kernel.test \
	GIT_COMMITTER_NAME=Fixture GIT_COMMITTER_EMAIL=fixture@kernel.test \
	GIT_AUTHOR_DATE='2001-01-01T00:00:00Z' GIT_COMMITTER_DATE='2001-01-01T00:00:00Z' \
		git -c init.defaultBranch=master "$@"
}

# make_tree DIR: a kernel-shaped git tree with one commit.
make_tree() {
	local d=$1
	mkdir -p "$d/arch/x86/kernel" "$d/arch/x86/kvm" "$d/scripts"
	printf 'VERSION = 3\nPATCHLEVEL = 11\nSUBLEVEL = 0\n' >"$d/Makefile"
	cat >"$d/arch/x86/kernel/i387.c" <<'C'
// fixture
static bool interrupted_kernel_fpu_idle(void)
{
	if (use_eager_fpu())
		return __thread_has_fpu(current);

	return !__thread_has_fpu(current) &&
		(read_cr0() & X86_CR0_TS);
}

bool irq_fpu_usable(void)
{
	return !in_interrupt() ||
		interrupted_user_mode() ||
		interrupted_kernel_fpu_idle();
}
C
	cat >"$d/arch/x86/kvm/x86.c" <<'C'
// fixture
static void kvm_load_guest_xcr0(struct kvm_vcpu *vcpu)
{
	if (kvm_read_cr4_bits(vcpu, X86_CR4_OSXSAVE) &&
			!vcpu->guest_xcr0_loaded) {
		/* kvm_set_xcr() also depends on this */
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0);
		vcpu->guest_xcr0_loaded = 1;
	}
}
C
	printf '#!/bin/sh\necho checkpatch fixture\n' >"$d/scripts/checkpatch.pl"
	chmod +x "$d/scripts/checkpatch.pl"
	fixture_git -C "$d" init -q
	fixture_git -C "$d" add -A
	fixture_git -C "$d" commit -q -m "fixture tree"
}

# make_stack TREE DIR: two patches on TREE written into DIR (quilt layout).
make_stack() {
	local t=$1 d=$2
	fixture_git -C "$t" checkout -q -b stack
	sed -i 's/^\t\treturn __thread_has_fpu(current);/\t\treturn __thread_has_fpu(current) \&\& !guest_xcr0_live();/' \
		"$t/arch/x86/kernel/i387.c"
	fixture_git -C "$t" commit -q -a -m "x86/fpu: refuse the FPU while guest XCR0 is live" \
		-m "Body." -m "Signed-off-by: Fixture <fixture@kernel.test>"
	sed -i 's/^\t\tvcpu->guest_xcr0_loaded = 1;/\t\tmark_guest_xcr0_live();\n&/' "$t/arch/x86/kvm/x86.c"
	fixture_git -C "$t" commit -q -a -m "KVM: x86: mark guest XCR0 live" \
		-m "Body." -m "Signed-off-by: Fixture <fixture@kernel.test>"
	stack_from_branch "$t" "$d" stack
}

# stack_from_branch TREE DIR BRANCH: the commits of BRANCH over master as a
# stack directory (patches + series); back on master, BRANCH deleted.
stack_from_branch() {
	local t=$1 d=$2 b=$3
	mkdir -p "$d"
	fixture_git -C "$t" format-patch -q -o "$d" "master..$b"
	(cd "$d" && ls ./*.patch | sed 's|^\./||' >series)
	fixture_git -C "$t" checkout -q master
	fixture_git -C "$t" branch -q -D "$b"
}

# write_base NAME TREE: a base definition whose fingerprint matches TREE.
write_base() {
	local name=$1 t=$2 f
	mkdir -p "$KFF_BASES"
	{
		echo "# fixture base"
		echo "source    fixture"
		for f in arch/x86/kernel/i387.c arch/x86/kvm/x86.c; do
			echo "blob $f $(git -C "$t" rev-parse "HEAD:$f")"
		done
	} >"$KFF_BASES/$name"
}

# Shared per-file fixture: $FIX/tree (git), $FIX/stack, base "fake-3.11".
setup_fixture() {
	export FIX=$BATS_FILE_TMPDIR/fix
	export KFF_BASES=$BATS_FILE_TMPDIR/bases
	export KFF_CACHE=$BATS_FILE_TMPDIR/cache
	[ -d "$FIX/stack" ] && return 0
	make_tree "$FIX/tree"
	make_stack "$FIX/tree" "$FIX/stack"
	write_base fake-3.11 "$FIX/tree"
}

# A fresh cache per test, with the fixture tree imported as fake-3.11.
import_fixture_base() {
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	"$SCRIPTS/tree" import fake-3.11 "$FIX/tree" >/dev/null 2>&1
}

# tree_sum DIR: one checksum over every file and its mode, for "unchanged".
tree_sum() {
	(cd "$1" && find . -path ./.git -prune -o -type f -printf '%p %m\n' | sort &&
		find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum) |
		sha256sum | cut -d' ' -f1
}

# The project's stacks, as scripts/lib/common.sh lists them.
stack_names() { sed -n 's/^KFF_STACKS="\(.*\)"$/\1/p' "$KFF_REPO/scripts/lib/common.sh"; }
