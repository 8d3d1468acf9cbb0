#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/build: bad input, config fragment merging, the "# required"
# check, the warning comparison, warm re-builds and the artifacts -- on a
# tiny fake kernel tree whose Makefile mimics the kbuild targets the script
# uses (real gcc compiles its two .c files, so warnings are real). With a
# cached real base, a --kvm-only build of it.

load helpers
bats_require_minimum_version 1.5.0

BUILD=$KFF_REPO/scripts/build

# make_kernel DIR VERSION PATCHLEVEL: a git tree scripts/build can build.
# Its "Kconfig" is the file kconfig.symbols: olddefconfig drops every
# option not listed there, like Kconfig drops symbols it does not know.
make_kernel() {
	local d=$1 v=$2 p=$3
	mkdir -p "$d/arch/x86/kvm" "$d/arch/x86/kernel/fpu" "$d/scripts/kconfig"
	cat >"$d/Makefile" <<EOF
VERSION = $v
PATCHLEVEL = $p
SUBLEVEL = 0
EOF
	cat >>"$d/Makefile" <<'EOF'
O ?= .
CC ?= cc
KREL := $(VERSION).$(PATCHLEVEL).$(SUBLEVEL)-fake
cfg := $(O)/.config

tinyconfig allnoconfig:
	@mkdir -p $(O)
	@printf 'CONFIG_64BIT=y\n# CONFIG_KVM is not set\nCONFIG_FROM_$@=y\n' >$(cfg)
olddefconfig:
	@awk -f scripts/kconfig/olddef.awk kconfig.symbols $(cfg) >$(cfg).new && mv $(cfg).new $(cfg)
prepare:
	@mkdir -p $(O)/include/config
	@echo $(KREL) >$(O)/include/config/kernel.release
kernelrelease:
	@echo $(KREL)

# Like kbuild: each target's command saved in <dir>/.<name>.cmd (objects
# through scripts/basic/fixdep), KVM a composite module (kvm.mod lists its
# objects), i387.o the only object in the "vmlinux".
FIXDEP := $(O)/scripts/basic/fixdep
$(FIXDEP): scripts/basic/fixdep.sh
	@mkdir -p $(dir $@) && cp $< $@ && chmod +x $@
$(O)/%.o: %.c $(FIXDEP)
	@CC='$(CC)' sh scripts/fake-cc.sh $(O) $*.o
$(O)/arch/x86/kvm/kvm.o: $(O)/arch/x86/kvm/x86.o
	@sh scripts/fake-link.sh $(O) arch/x86/kvm/kvm.o ld -r -o arch/x86/kvm/kvm.o arch/x86/kvm/x86.o
	@echo arch/x86/kvm/x86.o >$(O)/arch/x86/kvm/kvm.mod
	@echo arch/x86/kvm/kvm.ko >$(O)/modules.order
$(O)/arch/x86/kvm/kvm.ko: $(O)/arch/x86/kvm/kvm.o
	@sh scripts/fake-link.sh $(O) arch/x86/kvm/kvm.ko ld -r -o arch/x86/kvm/kvm.ko arch/x86/kvm/kvm.o
arch/x86/kvm/: $(O)/arch/x86/kvm/kvm.o
arch/x86/kernel/i387.o: $(O)/arch/x86/kernel/i387.o
arch/x86/kernel/fpu/: $(O)/arch/x86/kernel/i387.o
$(O)/arch/x86/boot/bzImage: $(O)/arch/x86/kernel/i387.o
	@mkdir -p $(O)/arch/x86/boot
	cat $< >$@
bzImage: $(O)/arch/x86/boot/bzImage
modules: $(O)/arch/x86/kvm/kvm.ko
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(KREL)/kernel/arch/x86/kvm
	cp $(O)/arch/x86/kvm/kvm.ko $(INSTALL_MOD_PATH)/lib/modules/$(KREL)/kernel/arch/x86/kvm/
.PHONY: tinyconfig allnoconfig olddefconfig prepare kernelrelease bzImage modules modules_install
EOF
	mkdir -p "$d/scripts/basic"
	# fake-cc.sh OBJTREE OBJ: compile OBJ in OBJTREE, save the command
	cat >"$d/scripts/fake-cc.sh" <<'EOF'
set -e
s=$(cd "$(dirname "$0")/.." && pwd)
t=$2 dep=$(dirname "$2")/.$(basename "$2").d
cmd="$CC -Wall -O2 -Wp,-MD,$dep -c -o $t $s/${t%.o}.c"
cd "$1"
mkdir -p "$(dirname "$t")"
echo "  CC      $t"
sh -c "$cmd"
scripts/basic/fixdep "$dep" "$t" "$cmd" >"$(dirname "$t")/.$(basename "$t").cmd"
rm -f "$dep"
EOF
	# fake-link.sh OBJTREE TARGET CMD...: run CMD in OBJTREE, save it
	cat >"$d/scripts/fake-link.sh" <<'EOF'
set -e
cd "$1"
t=$2
shift 2
echo "  LD      $t"
"$@"
printf 'cmd_%s := %s\n' "$t" "$*" >"$(dirname "$t")/.$(basename "$t").cmd"
EOF
	# fixdep DEPFILE TARGET CMDLINE: the .cmd file, as kbuild's fixdep writes it
	cat >"$d/scripts/basic/fixdep.sh" <<'EOF'
#!/bin/sh
printf 'cmd_%s := %s\n\n' "$2" "$3"
deps=$(sed -e '1s/^[^:]*://' -e 's/\\$//' "$1" | tr ' ' '\n' | grep .)
printf 'source_%s := %s\n\ndeps_%s := \\\n' "$2" "$(echo "$deps" | head -n1)" "$2"
echo "$deps" | sed '1d; s/^/  /; s/$/ \\/'
printf '\n%s: $(deps_%s)\n\n$(deps_%s):\n' "$2" "$2" "$2"
EOF
	if [ "$v" -ge 4 ]; then
		printf 'tinyconfig:\n\t@true\n' >"$d/scripts/kconfig/Makefile"
	else
		printf 'allnoconfig:\n\t@true\n' >"$d/scripts/kconfig/Makefile"
	fi
	# merge_config.sh -m -O DIR BASE FRAGMENT...: later settings win.
	cat >"$d/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-m) shift ;;
	-O) out=$2; shift 2 ;;
	*) break ;;
	esac
done
base=$1; shift
cat "$base" "$@" | awk '
	{ n = "" }
	match($0, /CONFIG_[A-Za-z0-9_]+/) { n = substr($0, RSTART, RLENGTH) }
	n == "" { next }
	!(n in v) { order[++k] = n }
	{ v[n] = $0 }
	END { for (i = 1; i <= k; i++) print v[order[i]] }' >"$out/.config.merge"
mv "$out/.config.merge" "$out/.config"
echo merged >"$out/merge-called"
EOF
	chmod +x "$d/scripts/kconfig/merge_config.sh"
	cat >"$d/scripts/kconfig/olddef.awk" <<'EOF'
NR == FNR { ok[$1] = 1; next }
match($0, /CONFIG_[A-Za-z0-9_]+/) && !(substr($0, RSTART, RLENGTH) in ok) { next }
{ print }
EOF
	grep -ho 'CONFIG_[A-Za-z0-9_]*' "$KFF_REPO"/configs/*.config | sort -u >"$d/kconfig.symbols"
	printf '%s\n' CONFIG_64BIT CONFIG_FROM_tinyconfig CONFIG_FROM_allnoconfig >>"$d/kconfig.symbols"
	cat >"$d/arch/x86/kvm/x86.c" <<'EOF'
int kvm_fixture(int a)
{
	int b = a * 2;

	return b + 1;
}
EOF
	cat >"$d/arch/x86/kernel/i387.c" <<'EOF'
int irq_fpu_fixture(int a)
{
	int unused_in_base;

	return a;
}
EOF
	fixture_git -C "$d" init -q
	fixture_git -C "$d" add -A
	fixture_git -C "$d" commit -q -m "fake kernel $v.$p"
}

# make_patch_stack TREE DIR SED: one patch made by running SED on x86.c.
make_patch_stack() {
	local t=$1 d=$2 expr=$3
	fixture_git -C "$t" checkout -q -b stack
	sed -i "$expr" "$t/arch/x86/kvm/x86.c"
	fixture_git -C "$t" commit -q -a -m "KVM: x86: fixture change" \
		-m "Body." -m "Signed-off-by: Fixture <fixture@example.org>"
	stack_from_branch "$t" "$d" stack
}

# write_kernel_base NAME: a base definition without fingerprint.
write_kernel_base() {
	mkdir -p "$KFF_BASES"
	printf '# fixture base\nsource    fixture\ncc        gcc-12 -fno-pie\n' >"$KFF_BASES/$1"
}

setup_file() {
	export KFF_BASES=$BATS_FILE_TMPDIR/bases
	local k=$BATS_FILE_TMPDIR/kernels
	make_kernel "$k/k3" 3 11
	make_kernel "$k/k5" 5 4
	write_kernel_base kfake-3.11
	write_kernel_base kfake-5.4
	# a clean stack: one more statement, no new warning
	make_patch_stack "$k/k3" "$k/clean" 's/^\treturn b + 1;/\tb += 3;\n\treturn b + 1;/'
	# a noisy stack: an unused variable in x86.c
	make_patch_stack "$k/k3" "$k/noisy" 's/^\tint b = a \* 2;/&\n\tint kff_unused;/'
}

setup() {
	export KFF_BASES=$BATS_FILE_TMPDIR/bases
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	K=$BATS_FILE_TMPDIR/kernels
	command -v gcc-12 >/dev/null || skip "gcc-12 is not installed (apt-get install gcc-12)"
}

import_kernel() { # import_kernel <base> <dir>
	"$SCRIPTS/tree" import "$1" "$2" >/dev/null 2>&1
}

# --- bad input ----------------------------------------------------------------

@test "build: --help prints the usage" {
	run "$BUILD" --help
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: scripts/build"* ]]
	[[ $output == *"--kvm-only"* ]]
}

@test "build: unknown stack is bad input" {
	run "$BUILD" no-such-stack kfake-3.11
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"unknown stack 'no-such-stack'"* ]]
}

@test "build: unknown base is bad input" {
	run "$BUILD" none no-such-base
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"unknown base 'no-such-base'"* ]]
}

@test "build: a bad --cc is bad input" {
	run "$BUILD" none kfake-3.11 --cc icc
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"--cc wants gcc-N or clang-N"*"'icc'"* ]]
	run "$BUILD" none kfake-3.11 --cc
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"--cc needs a compiler"* ]]
}

@test "build: a bad --jobs, an unknown option, a missing argument are bad input" {
	run "$BUILD" none kfake-3.11 --jobs 0
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"--jobs wants a positive number, not '0'"* ]]
	run "$BUILD" none kfake-3.11 --fast
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--fast'"* ]]
	run "$BUILD" none
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"usage: scripts/build"* ]]
}

@test "build: every bad-input message is one line on stderr" {
	run --separate-stderr "$BUILD" none no-such-base
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "build: a base that is not cached is skipped with the command to get it" {
	run "$BUILD" none kfake-3.11
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"not in the cache"*"scripts/tree"* ]]
}

@test "build: a compiler apt does not know is skipped, naming it" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11 --cc gcc-97
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"compiler gcc-97 is not installed"* ]]
}

# --- fragments and the "# required" marker ---------------------------------------

@test "fragments: the marker is stripped and listed, later fragments win" {
	. "$KFF_REPO/scripts/lib/common.sh"
	. "$KFF_REPO/scripts/lib/build.sh"
	local a=$BATS_TEST_TMPDIR/a.config b=$BATS_TEST_TMPDIR/b.config
	printf 'CONFIG_A=y # required\nCONFIG_B=m  #required\nCONFIG_C=y\n# CONFIG_D is not set # required\n' >"$a"
	printf 'CONFIG_B=y\nCONFIG_C=m # required\n' >"$b"
	kff_build_strip_fragments "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/r" "$a" "$b"
	run cat "$BATS_TEST_TMPDIR/m"
	[[ $output != *required* ]]
	[[ $output == *"CONFIG_B=m"*"CONFIG_B=y"* ]]
	run cat "$BATS_TEST_TMPDIR/r"
	[ "$output" = "$(printf 'CONFIG_A=y\n# CONFIG_D is not set\nCONFIG_C=m')" ]
}

@test "fragments: a marker on a line that sets nothing is refused" {
	. "$KFF_REPO/scripts/lib/common.sh"
	. "$KFF_REPO/scripts/lib/build.sh"
	printf '# just a comment # required\n' >"$BATS_TEST_TMPDIR/bad.config"
	run kff_build_strip_fragments "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/r" "$BATS_TEST_TMPDIR/bad.config"
	[ "$status" -ne 0 ]
	[[ $output == *"bad.config:1: \"# required\" on a line that sets no option"* ]]
}

@test "fragments: the required check names dropped and changed options" {
	. "$KFF_REPO/scripts/lib/common.sh"
	. "$KFF_REPO/scripts/lib/build.sh"
	printf 'CONFIG_A=y\nCONFIG_B=m\n# CONFIG_D is not set\n' >"$BATS_TEST_TMPDIR/r"
	printf 'CONFIG_A=y\nCONFIG_B=y\n# CONFIG_D is not set\n' >"$BATS_TEST_TMPDIR/ok"
	run kff_build_check_required "$BATS_TEST_TMPDIR/ok" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 1 ]
	[ "$output" = "CONFIG_B=y (wanted: CONFIG_B=m)" ]
	printf 'CONFIG_B=m\nCONFIG_D=y\n' >"$BATS_TEST_TMPDIR/c"
	run kff_build_check_required "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 1 ]
	[[ $output == *"CONFIG_A is not set (wanted: CONFIG_A=y)"* ]]
	[[ $output == *"CONFIG_D=y (wanted: # CONFIG_D is not set)"* ]]
	printf 'CONFIG_A=y\nCONFIG_B=m\n' >"$BATS_TEST_TMPDIR/good"
	run kff_build_check_required "$BATS_TEST_TMPDIR/good" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 0 ]
}

@test "fragments: every fragment in configs/ parses and marks the KVM options" {
	. "$KFF_REPO/scripts/lib/common.sh"
	. "$KFF_REPO/scripts/lib/build.sh"
	for era in 3.x 5.x; do
		mapfile -t f < <(kff_build_fragments v3.11 "$era")
		kff_build_strip_fragments "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/r" "${f[@]}"
		for o in CONFIG_KVM=m CONFIG_KVM_AMD=m CONFIG_KVM_INTEL=m CONFIG_ACPI=y \
			CONFIG_SMP=y CONFIG_MODULE_UNLOAD=y CONFIG_BLK_DEV_INITRD=y CONFIG_BUG=y; do
			grep -qx "$o" "$BATS_TEST_TMPDIR/r"
		done
	done
	grep -qx 'CONFIG_NET=y' "$BATS_TEST_TMPDIR/r"
	grep -qx '# CONFIG_STACK_VALIDATION is not set' "$BATS_TEST_TMPDIR/r"
	! grep -q 'PREEMPT' "$BATS_TEST_TMPDIR/r"
}

@test "fragments: era and base config follow the tree's version" {
	. "$KFF_REPO/scripts/lib/common.sh"
	. "$KFF_REPO/scripts/lib/build.sh"
	[ "$(kff_build_era "$K/k3")" = 3.x ]
	[ "$(kff_build_era "$K/k5")" = 5.x ]
	[ "$(kff_build_base_config "$K/k3")" = allnoconfig ]
	[ "$(kff_build_base_config "$K/k5")" = tinyconfig ]
	[ "$(kff_build_fpu_targets "$K/k3")" = arch/x86/kernel/i387.o ]
	[ "$(kff_build_fpu_targets "$K/k5")" = arch/x86/kernel/fpu/ ]
}

@test "build: fragments are merged onto allnoconfig for a 3.x tree" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"config: allnoconfig + common.config + 3.x.config"* ]]
	local c=$KFF_CACHE/out/none@kfake-3.11/config
	[ -f "$KFF_CACHE/build/none@kfake-3.11/merge-called" ]
	grep -qx CONFIG_FROM_allnoconfig=y "$c"
	grep -qx CONFIG_KVM=m "$c"
	grep -qx CONFIG_NET=y "$c"
	grep -qx CONFIG_PREEMPT_NONE=y "$c"
	! grep -q 'CONFIG_KVM is not set' "$c" || false
	! grep -q required "$c"
}

@test "build: fragments are merged onto tinyconfig for a 5.x tree" {
	import_kernel kfake-5.4 "$K/k5"
	run "$BUILD" none kfake-5.4 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"config: tinyconfig + common.config + 5.x.config"* ]]
	local c=$KFF_CACHE/out/none@kfake-5.4/config
	grep -qx CONFIG_FROM_tinyconfig=y "$c"
	grep -qx CONFIG_PREEMPT=y "$c"
	grep -qx '# CONFIG_STACK_VALIDATION is not set' "$c"
	! grep -q CONFIG_PREEMPT_NONE "$c"
}

@test "build: a required option dropped by olddefconfig fails, naming it" {
	local t=$BATS_TEST_TMPDIR/k3
	cp -a "$K/k3" "$t"
	sed -i '/^CONFIG_KVM_AMD$/d' "$t/kconfig.symbols"
	fixture_git -C "$t" commit -q -a -m "no KVM_AMD"
	import_kernel kfake-3.11 "$t"
	run "$BUILD" none kfake-3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"required option did not survive olddefconfig: CONFIG_KVM_AMD is not set (wanted: CONFIG_KVM_AMD=m)"* ]]
	[ "$(jq -r .result "$KFF_CACHE/out/none@kfake-3.11/metadata.json")" = failed ]
}

# --- building, artifacts, warm re-builds ---------------------------------------------

@test "build: --full produces the artifacts and a metadata.json that describes them" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" "$K/clean" kfake-3.11 --jobs 1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"[1/1] 0001-KVM-x86-fixture-change.patch: applied"* ]]
	local o=$KFF_CACHE/out/clean@kfake-3.11 m
	m=$o/metadata.json
	[ -f "$o/bzImage" ]
	[ -f "$o/modules/lib/modules/3.11.0-fake/kernel/arch/x86/kvm/kvm.ko" ]
	[ -x "$o/reproduce.sh" ]
	grep -q 'olddefconfig' "$o/reproduce.sh"
	grep -q 'bzImage modules' "$o/reproduce.sh"
	[ "$(jq -r .result "$m")" = ok ]
	[ "$(jq -r .kernelrelease "$m")" = 3.11.0-fake ]
	[ "$(jq -r .config_hash "$m")" = "$(sha256sum "$o/config" | cut -d' ' -f1)" ]
	[ "$(jq -r .build_dir "$m")" = "$KFF_CACHE/build/clean@kfake-3.11" ]
	[ "$(jq -r '.patches[0].blob' "$m")" = "$(git hash-object "$K/clean/0001-KVM-x86-fixture-change.patch")" ]
	[ "$(jq -r .bzimage_sha256 "$m")" = "$(sha256sum "$o/bzImage" | cut -d' ' -f1)" ]
	[ "$(jq -r .compiler.name "$m")" = gcc-12 ]
	[ "$(jq -r .cc "$m")" = "gcc-12 -fno-pie" ]
	jq -e '.durations.kernel >= 0 and .durations.config >= 0 and .durations.apply >= 0' "$m"
}

@test "build: reproduce.sh rebuilds the same kernel from nothing" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" "$K/clean" kfake-3.11
	[ "$status" -eq 0 ]
	local o=$KFF_CACHE/out/clean@kfake-3.11 h
	h=$(jq -r .bzimage_sha256 "$o/metadata.json")
	cp "$o/reproduce.sh" "$BATS_TEST_TMPDIR/r.sh"
	rm -rf "$KFF_CACHE/work/clean@kfake-3.11" "$KFF_CACHE/build/clean@kfake-3.11" "$o"
	mkdir -p "$o"
	run bash "$BATS_TEST_TMPDIR/r.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sha256sum "$o/bzImage" | cut -d' ' -f1)" = "$h" ]
	[ -f "$o/modules/lib/modules/3.11.0-fake/kernel/arch/x86/kvm/kvm.ko" ]
}

@test "build: --kvm-only compiles only KVM and FPU objects and leaves no bzImage" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	local b=$KFF_CACHE/build/none@kfake-3.11 o=$KFF_CACHE/out/none@kfake-3.11
	[ -f "$b/arch/x86/kvm/x86.o" ]
	[ -f "$b/arch/x86/kernel/i387.o" ]
	[ ! -e "$b/arch/x86/boot/bzImage" ]
	[ ! -e "$o/bzImage" ]
	[ "$(jq -r .mode "$o/metadata.json")" = kvm-only ]
}

@test "build: a re-build after a one-line change recompiles only the changed file" {
	import_kernel kfake-3.11 "$K/k3"
	local st=$BATS_TEST_TMPDIR/clean
	cp -a "$K/clean" "$st"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	local b=$KFF_CACHE/build/clean@kfake-3.11 s=$KFF_CACHE/work/clean@kfake-3.11/src
	local i387 x86 i387src
	i387=$(stat -c %Y.%y "$b/arch/x86/kernel/i387.o")
	x86=$(stat -c %y "$b/arch/x86/kvm/x86.o")
	i387src=$(stat -c %y "$s/arch/x86/kernel/i387.c")
	sleep 1.1
	sed -i 's/^+\tb += 3;/+\tb += 4;/' "$st/0001-KVM-x86-fixture-change.patch"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"re-applied"* ]]
	[[ $output == *"1 file(s) synced"* ]]
	grep -q 'b += 4' "$s/arch/x86/kvm/x86.c"
	[ "$(stat -c %Y.%y "$b/arch/x86/kernel/i387.o")" = "$i387" ]
	[ "$(stat -c %y "$s/arch/x86/kernel/i387.c")" = "$i387src" ]
	[ "$(stat -c %y "$b/arch/x86/kvm/x86.o")" != "$x86" ]
	# the warm re-build compared only the dirty paths and reused the config
	local meta=$KFF_CACHE/out/clean@kfake-3.11/metadata.json
	[ "$(jq -r .sync "$meta")" = paths ]
	[ "$(jq -r .config_step "$meta")" = reused ]
	# and with nothing changed, nothing is synced or recompiled
	x86=$(stat -c %y "$b/arch/x86/kvm/x86.o")
	rm -f "$b/merge-called"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" 0 file(s) synced"* ]]
	[ "$(stat -c %y "$b/arch/x86/kvm/x86.o")" = "$x86" ]
	[ ! -e "$b/merge-called" ]
}

@test "build: a path the stack no longer changes goes back to the base's content" {
	import_kernel kfake-3.11 "$K/k3"
	local st=$BATS_TEST_TMPDIR/flip t=$BATS_TEST_TMPDIR/t
	cp -a "$K/k3" "$t"
	make_patch_stack "$t" "$st" 's/^\treturn b + 1;/\treturn b + 7;/'
	run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	local s=$KFF_CACHE/work/flip@kfake-3.11/src
	grep -q 'b + 7' "$s/arch/x86/kvm/x86.c"
	# the same stack now adds a file and changes i387.c instead of x86.c
	rm -f "$st"/*.patch
	fixture_git -C "$t" checkout -q -b stack2
	sed -i 's/return a;/return a + 1;/' "$t/arch/x86/kernel/i387.c"
	echo 'int kff_new_file;' >"$t/arch/x86/kernel/new.c"
	fixture_git -C "$t" add -A
	fixture_git -C "$t" commit -q -m "x86: fixture change 2" -m "Signed-off-by: Fixture <fixture@example.org>"
	stack_from_branch "$t" "$st" stack2
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .sync "$KFF_CACHE/out/flip@kfake-3.11/metadata.json")" = paths ]
	cmp "$s/arch/x86/kvm/x86.c" "$K/k3/arch/x86/kvm/x86.c"
	grep -q 'return a + 1;' "$s/arch/x86/kernel/i387.c"
	[ -f "$s/arch/x86/kernel/new.c" ]
	# and back: the added file disappears again
	rm -f "$st"/*.patch
	cp "$K/clean"/*.patch "$st/"
	(cd "$st" && ls ./*.patch | sed 's|^\./||' >series)
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$s/arch/x86/kernel/new.c" ]
	cmp "$s/arch/x86/kernel/i387.c" "$K/k3/arch/x86/kernel/i387.c"
	grep -q 'b += 3' "$s/arch/x86/kvm/x86.c"
}

@test "build: a stack that changes a Kconfig file makes the config again" {
	import_kernel kfake-3.11 "$K/k3"
	local st=$BATS_TEST_TMPDIR/kc t=$BATS_TEST_TMPDIR/t
	cp -a "$K/clean" "$st"
	run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	cp -a "$K/k3" "$t"
	rm -f "$st"/*.patch
	fixture_git -C "$t" checkout -q -b stack2
	printf 'config KFF_FIXTURE\n\tbool\n' >"$t/arch/x86/Kconfig"
	fixture_git -C "$t" add -A
	fixture_git -C "$t" commit -q -m "x86: a Kconfig file" -m "Signed-off-by: Fixture <fixture@example.org>"
	stack_from_branch "$t" "$st" stack2
	rm -f "$KFF_CACHE/build/kc@kfake-3.11/merge-called"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .config_step "$KFF_CACHE/out/kc@kfake-3.11/metadata.json")" = made ]
	[ -e "$KFF_CACHE/build/kc@kfake-3.11/merge-called" ]
}

# holey_bases <snapshot> <full>: two k5 trees and their bases: kfake-holey
# (a snapshot with a leftover .config and without entry.S, whose build
# removes the one and fills in the other from kfake-full) and kfake-full.
# Neither is imported.
holey_bases() {
	local k=$1 full=$2
	cp -a "$K/k5" "$full"
	echo '/* only in the full tree */' >"$full/arch/x86/kernel/entry.S"
	fixture_git -C "$full" add -A
	fixture_git -C "$full" commit -q -m "the full tree"
	cp -a "$K/k5" "$k"
	printf 'CONFIG_LEFTOVER=y\n' >"$k/.config"
	fixture_git -C "$k" add -A
	fixture_git -C "$k" commit -q -m "a snapshot with a .config"
	write_kernel_base kfake-full
	write_kernel_base kfake-holey
	printf 'build_remove .config\nfill_from kfake-full\n' >>"$KFF_BASES/kfake-holey"
}

@test "build: snapshot leftovers are removed and missing files filled in, in the scratch copy only" {
	local k=$BATS_TEST_TMPDIR/holey full=$BATS_TEST_TMPDIR/full
	holey_bases "$k" "$full"
	import_kernel kfake-holey "$k"
	# the fill base must be cached: skip, naming the command
	run "$BUILD" none kfake-holey
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"kfake-full"* ]]
	import_kernel kfake-full "$full"
	run "$BUILD" none kfake-holey
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"removed: .config (snapshot leftover)"* ]]
	[[ $output == *"filled: 1 file(s) the snapshot lacks, from kfake-full"* ]]
	local s=$KFF_CACHE/work/none@kfake-holey/src meta=$KFF_CACHE/out/none@kfake-holey/metadata.json
	[ -f "$s/arch/x86/kernel/entry.S" ]
	[ ! -e "$s/.config" ]
	[ "$(cat "$KFF_CACHE/out/none@kfake-holey/filled.txt")" = arch/x86/kernel/entry.S ]
	[ "$(jq -c .snapshot_fill "$meta")" = '{"from":"kfake-full","files":1}' ]
	[ "$(jq -c .snapshot_removed "$meta")" = '[".config"]' ]
	# the cached trees are untouched
	[ -f "$KFF_CACHE/trees/kfake-holey/.config" ]
	[ ! -e "$KFF_CACHE/trees/kfake-holey/arch/x86/kernel/entry.S" ]
	# a warm re-build keeps both
	run "$BUILD" none kfake-holey
	[ "$status" -eq 0 ]
	[ "$(jq -r .sync "$meta")" = paths ]
	[ -f "$s/arch/x86/kernel/entry.S" ]
	[ ! -e "$s/.config" ]
}

@test "build: the scratch copy is reset path by path, as a whole-tree reset would leave it" {
	local k=$BATS_TEST_TMPDIR/holey full=$BATS_TEST_TMPDIR/full st=$BATS_TEST_TMPDIR/two t=$BATS_TEST_TMPDIR/t
	holey_bases "$k" "$full"
	import_kernel kfake-full "$full"
	import_kernel kfake-holey "$k"
	# two patches: x86.c, then i387.c
	cp -a "$k" "$t"
	fixture_git -C "$t" checkout -q -b two
	sed -i 's/^\treturn b + 1;/\treturn b + 2;/' "$t/arch/x86/kvm/x86.c"
	fixture_git -C "$t" commit -q -a -m "KVM: x86: first" -m "Signed-off-by: Fixture <fixture@example.org>"
	sed -i 's/return a;/return a + 1;/' "$t/arch/x86/kernel/i387.c"
	fixture_git -C "$t" commit -q -a -m "x86: second" -m "Signed-off-by: Fixture <fixture@example.org>"
	stack_from_branch "$t" "$st" two
	run "$BUILD" "$st" kfake-holey
	echo "$output"
	[ "$status" -eq 0 ]
	local w=$KFF_CACHE/work/two@kfake-holey log=$KFF_CACHE/out/two@kfake-holey/build.log
	[ -f "$w/applied.dirty" ]
	# the second patch changes: the first keeps its commit, the reset
	# touches only the listed paths (no checkout -f, no clean)
	sed -i 's/return a + 1;/return a + 2;/' "$st"/0002-*.patch
	run "$BUILD" "$st" kfake-holey
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"[1/2] 0001-KVM-x86-first.patch: unchanged, its commit kept"* ]]
	grep -q '^+ reset .* path(s)' "$log"
	! grep -q 'checkout -q -f -B kff' "$log" || false
	grep -q 'return a + 2;' "$w/src/arch/x86/kernel/i387.c"
	grep -q 'return b + 2;' "$w/src/arch/x86/kvm/x86.c"
	[ -f "$w/applied/arch/x86/kernel/entry.S" ] && [ ! -e "$w/applied/.config" ]
	# the second patch leaves the stack: i387.c goes back to the base's
	rm -f "$st"/0002-*.patch
	(cd "$st" && ls ./*.patch | sed 's|^\./||' >series)
	run "$BUILD" "$st" kfake-holey
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^+ reset .* path(s)' "$log"
	cmp "$w/applied/arch/x86/kernel/i387.c" "$k/arch/x86/kernel/i387.c"
	cmp "$w/src/arch/x86/kernel/i387.c" "$k/arch/x86/kernel/i387.c"
	state() {
		git -C "$w/applied" rev-parse 'HEAD^{tree}'
		git -C "$w/applied" status --porcelain --untracked-files=all
		git -C "$w/applied" diff HEAD | sha1sum
		(cd "$w/src" && find . -type f ! -name '*.o' | LC_ALL=C sort | xargs sha1sum)
	}
	local by_path
	by_path=$(state)
	[[ $by_path == *" D .config"* ]] && [[ $by_path == *"?? arch/x86/kernel/entry.S"* ]]
	# without the list (as after an interrupted build) the whole tree is
	# reset, and the result is the same
	rm -f "$w/applied.dirty"
	run "$BUILD" "$st" kfake-holey
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'checkout -q -f -B kff' "$log"
	[ "$(state)" = "$by_path" ]
}

@test "build: a new stack cell starts from none@<base> and recompiles only what the stack touches" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	local nb=$KFF_CACHE/build/none@kfake-3.11 b=$KFF_CACHE/build/clean@kfake-3.11
	local ns=$KFF_CACHE/work/none@kfake-3.11/src s=$KFF_CACHE/work/clean@kfake-3.11/src
	# a saved command line naming the sources absolutely and relatively
	printf 'deps := %s/arch/x86/kvm/x86.c ../../work/none@kfake-3.11/src/x.h %s/.kff-cc\n' \
		"$ns" "$nb" >"$nb/arch/x86/kernel/.i387.o.cmd"
	touch -d '2001-02-03 04:05:06' "$nb/arch/x86/kernel/.i387.o.cmd"
	sleep 1.1
	run "$BUILD" "$K/clean" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"seed: from none@kfake-3.11"* ]]
	[[ $output == *" 1 file(s) synced"* ]]
	[ "$(stat -c %y "$b/arch/x86/kernel/i387.o")" = "$(stat -c %y "$nb/arch/x86/kernel/i387.o")" ]
	[ "$(stat -c %y "$b/arch/x86/kvm/x86.o")" != "$(stat -c %y "$nb/arch/x86/kvm/x86.o")" ]
	[ "$(readlink "$b/source")" = "$s" ]
	[ "$(cat "$b/arch/x86/kernel/.i387.o.cmd")" = "deps := $s/arch/x86/kvm/x86.c ../../work/clean@kfake-3.11/src/x.h $b/.kff-cc" ]
	[ "$(stat -c %y "$b/arch/x86/kernel/.i387.o.cmd")" = "$(stat -c %y "$nb/arch/x86/kernel/.i387.o.cmd")" ]
	# sources are shared as hard links, but the stack's change never reaches none's copy
	[ "$(stat -c %i "$s/arch/x86/kernel/i387.c")" = "$(stat -c %i "$ns/arch/x86/kernel/i387.c")" ]
	grep -q 'b += 3' "$s/arch/x86/kvm/x86.c"
	! grep -q 'b += 3' "$ns/arch/x86/kvm/x86.c" || false
	[ "$(jq -r .seeded_from "$KFF_CACHE/out/clean@kfake-3.11/metadata.json")" = none@kfake-3.11 ]
	# a --kvm-only none cell is no seed for a full build
	rm -rf "$KFF_CACHE/build/clean@kfake-3.11" "$KFF_CACHE/work/clean@kfake-3.11"
	run "$BUILD" none kfake-3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	run "$BUILD" "$K/clean" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *"seed:"* ]]
}

@test "build: a stack that does not apply fails with scripts/apply's diagnosis, cold and warm" {
	import_kernel kfake-3.11 "$K/k3"
	local st=$BATS_TEST_TMPDIR/clean
	cp -a "$K/clean" "$st"
	sed -i 's/^ \tint b = a \* 2;/ \tint b = a * 7;/' "$st/0001-KVM-x86-fixture-change.patch"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"0001-KVM-x86-fixture-change.patch: CONFLICT in arch/x86/kvm/x86.c"* ]]
	[[ $output == *"scripts/apply $st kfake-3.11 failed"* ]]
	# warm: a good build first, then the same breakage on re-apply
	cp -a "$K/clean/." "$st/"
	run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	sed -i 's/^ \tint b = a \* 2;/ \tint b = a * 7;/' "$st/0001-KVM-x86-fixture-change.patch"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"CONFLICT in arch/x86/kvm/x86.c"* ]]
	[ "$(jq -r .result "$KFF_CACHE/out/clean@kfake-3.11/metadata.json")" = failed ]
	[ ! -e "$KFF_CACHE/out/clean@kfake-3.11/bzImage" ]
}

# --- warnings ----------------------------------------------------------------------

@test "warnings: a stack that adds a warning in a file it touches fails the cell" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "arch/x86/kernel/i387.c: warning: unused variable 'unused_in_base' \[-Wunused-variable\]" \
		"$KFF_CACHE/out/none@kfake-3.11/warnings.txt"
	run "$BUILD" "$K/noisy" kfake-3.11
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"noisy adds a warning: arch/x86/kvm/x86.c: warning: unused variable 'kff_unused' [-Wunused-variable]"* ]]
	local m=$KFF_CACHE/out/noisy@kfake-3.11/metadata.json
	[ "$(jq -r .result "$m")" = failed ]
	[ "$(jq -r '.warnings.before' "$m")" = 0 ]
	[ "$(jq -r '.warnings.after' "$m")" = 1 ]
}

@test "warnings: a stack without new warnings passes; old warnings elsewhere do not count" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	run "$BUILD" "$K/clean" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"warnings in touched files: 0 before, 0 after"* ]]
	local m=$KFF_CACHE/out/clean@kfake-3.11/metadata.json
	[ "$(jq -r .warnings.compared "$m")" = true ]
	[ "$(jq -r '.warnings.new | length' "$m")" = 0 ]
}

@test "warnings: without a none@<base> build the comparison is reported as not done" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" "$K/noisy" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"no successful none@kfake-3.11 build to compare warnings with (run: scripts/build none kfake-3.11)"* ]]
	[ "$(jq -r .warnings.compared "$KFF_CACHE/out/noisy@kfake-3.11/metadata.json")" = false ]
}

@test "warnings: a warm re-build keeps the warnings of objects it did not recompile" {
	import_kernel kfake-3.11 "$K/k3"
	run "$BUILD" none kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	run "$BUILD" none kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "unused_in_base" "$KFF_CACHE/out/none@kfake-3.11/warnings.txt"
}

# --- a real tree --------------------------------------------------------------------

# --- the quick re-build ----------------------------------------------------------

# kbuild_lines <cell>: the compile and link lines of the cell's last build.log
kbuild_lines() {
	grep -E '^  (CC|LD) ' "$KFF_CACHE/out/$1/build.log" || true
}

@test "quick: a changed module file is re-built from the saved commands, and make then has nothing to do" {
	import_kernel kfake-3.11 "$K/k3"
	local st=$BATS_TEST_TMPDIR/clean
	cp -a "$K/clean" "$st"
	run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	local o=$KFF_CACHE/out/clean@kfake-3.11 b=$KFF_CACHE/build/clean@kfake-3.11 bz ko
	local inst=3.11.0-fake/kernel/arch/x86/kvm/kvm.ko
	bz=$(jq -r .bzimage_sha256 "$o/metadata.json")
	sed -i 's/^+\tb += 3;/+\tb += 5;/' "$st/0001-KVM-x86-fixture-change.patch"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: quick, 3 target(s)"* ]]
	jq -e '.rebuild.path == "quick" and .rebuild.reason == null and
	       .rebuild.steps == ["arch/x86/kvm/x86.o", "arch/x86/kvm/kvm.o", "arch/x86/kvm/kvm.ko"]' "$o/metadata.json"
	# the new kvm.ko is installed, the kernel is the one before
	cmp "$b/arch/x86/kvm/kvm.ko" "$o/modules/lib/modules/$inst"
	[ "$(sha256sum "$o/bzImage" | cut -d' ' -f1)" = "$bz" ]
	[ "$(jq -r .bzimage_sha256 "$o/metadata.json")" = "$bz" ]
	grep -q 'b += 5' "$KFF_CACHE/work/clean@kfake-3.11/src/arch/x86/kvm/x86.c"
	# fixdep wrote the object's .cmd from the same command
	grep -q '^cmd_arch/x86/kvm/x86.o := .*-c -o arch/x86/kvm/x86.o ' "$b/arch/x86/kvm/.x86.o.cmd"
	grep -q 'fixdep .*arch/x86/kvm/.x86.o.d' "$o/reproduce.sh"
	cp "$o/modules/lib/modules/$inst" "$BATS_TEST_TMPDIR/quick.ko"
	# make finds everything up to date...
	KFF_BUILD_QUICK=0 run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: make (KFF_BUILD_QUICK=0)"* ]]
	[ -z "$(kbuild_lines clean@kfake-3.11)" ]
	# ...and, made to compile it again, makes the same module
	rm "$b/arch/x86/kvm/x86.o"
	KFF_BUILD_QUICK=0 run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	[ "$(kbuild_lines clean@kfake-3.11 | wc -l)" -eq 3 ]
	cmp "$BATS_TEST_TMPDIR/quick.ko" "$o/modules/lib/modules/$inst"
	# nothing changed: nothing is run, and the artifacts are those of the last build
	run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: quick, 0 target(s)"* ]]
	cmp "$BATS_TEST_TMPDIR/quick.ko" "$o/modules/lib/modules/$inst"
	[ "$(sha256sum "$o/bzImage" | cut -d' ' -f1)" = "$bz" ]
}

@test "quick: what the saved commands cannot vouch for is left to make, which says why" {
	import_kernel kfake-3.11 "$K/k3"
	local v=$BATS_TEST_TMPDIR t=$BATS_TEST_TMPDIR/t o=$KFF_CACHE/out/clean@kfake-3.11
	cp -a "$K/k3" "$t"
	# three versions of the stack "clean": two more statements in x86.c;
	# a change in i387.c too; a call to a function of another module
	make_patch_stack "$t" "$v/a/clean" 's/^\treturn b + 1;/\tb += 3;\n\tb += 4;\n\treturn b + 1;/'
	# (make_patch_stack commits what else is changed in the tree too)
	sed -i 's/return a;/return a + 2;/' "$t/arch/x86/kernel/i387.c"
	make_patch_stack "$t" "$v/b/clean" 's/^\treturn b + 1;/\tb += 3;\n\tb += 4;\n\treturn b + 1;/'
	sed -i 's/^int kvm_fixture/extern int kff_imported(int);\n&/' "$t/arch/x86/kvm/x86.c"
	make_patch_stack "$t" "$v/c/clean" 's/^\treturn b + 1;/\tb += 3;\n\tb += kff_imported(a);\n\treturn b + 1;/'
	# no earlier build
	run "$BUILD" "$v/a/clean" kfake-3.11
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: make (no successful build of this cell to start from)"* ]]
	# an object of the kernel image: make relinks it
	run "$BUILD" "$v/b/clean" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: make (arch/x86/kernel/i387.c is built into vmlinux (make relinks it))"* ]]
	[ "$(jq -r .rebuild.path "$o/metadata.json")" = make ]
	kbuild_lines clean@kfake-3.11 | grep -q 'CC      arch/x86/kernel/i387.o'
	# a new imported symbol: the quick path compiles, finds modpost must run, hands over
	run "$BUILD" "$v/a/clean" kfake-3.11
	[ "$status" -eq 0 ]
	run "$BUILD" "$v/c/clean" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"quick re-build stopped: arch/x86/kvm/kvm.o imports, exports or declares something new (modpost must run); make takes over"* ]]
	jq -e '.rebuild.path == "make" and (.rebuild.steps | index("arch/x86/kvm/x86.o"))' "$o/metadata.json"
	cmp "$KFF_CACHE/build/clean@kfake-3.11/arch/x86/kvm/kvm.ko" "$o/modules/lib/modules/3.11.0-fake/kernel/arch/x86/kvm/kvm.ko"
	# the switch
	KFF_BUILD_QUICK=0 run "$BUILD" "$v/c/clean" kfake-3.11
	[[ $output == *"re-build: make (KFF_BUILD_QUICK=0)"* ]]
	# another mode than last time
	run "$BUILD" "$v/c/clean" kfake-3.11 --kvm-only
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: make (the last build was --full)"* ]]
}

@test "quick: a compile error fails the cell as make would, and the next build starts over with make" {
	import_kernel kfake-3.11 "$K/k3"
	local st=$BATS_TEST_TMPDIR/clean o=$KFF_CACHE/out/clean@kfake-3.11
	cp -a "$K/clean" "$st"
	run "$BUILD" "$st" kfake-3.11
	[ "$status" -eq 0 ]
	sed -i 's/^+\tb += 3;/+\tb += 3 kff_syntax_error;/' "$st/0001-KVM-x86-fixture-change.patch"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"step 'quick' failed"* ]]
	[ "$(jq -r .result "$o/metadata.json")" = failed ]
	[ ! -e "$o/bzImage" ]
	[ ! -e "$o/modules" ]
	cp "$K/clean"/*.patch "$st/"
	run "$BUILD" "$st" kfake-3.11
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"re-build: make (no successful build of this cell to start from)"* ]]
	[ -f "$o/bzImage" ]
}

@test "quick: --kvm-only re-compiles a changed FPU file and nothing else" {
	import_kernel kfake-3.11 "$K/k3"
	local v=$BATS_TEST_TMPDIR t=$BATS_TEST_TMPDIR/t o=$KFF_CACHE/out/fpu@kfake-3.11
	cp -a "$K/k3" "$t"
	make_patch_stack "$t" "$v/a/fpu" 's/^\treturn b + 1;/\treturn b + 2;/'
	sed -i 's/return a;/return a + 3;/' "$t/arch/x86/kernel/i387.c"
	make_patch_stack "$t" "$v/b/fpu" 's/^\treturn b + 1;/\treturn b + 2;/'
	run "$BUILD" "$v/a/fpu" kfake-3.11 --kvm-only
	[ "$status" -eq 0 ]
	run "$BUILD" "$v/b/fpu" kfake-3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e '.rebuild.path == "quick" and .rebuild.steps == ["arch/x86/kernel/i387.o"]' "$o/metadata.json"
	[ ! -e "$o/bzImage" ]
	KFF_BUILD_QUICK=0 run "$BUILD" "$v/b/fpu" kfake-3.11 --kvm-only
	[ "$status" -eq 0 ]
	[ -z "$(kbuild_lines fpu@kfake-3.11)" ]
}

# use_real_v3_11: skip unless v3.11 is cached; else a cache of the test's
# own that shares the real trees and ccache (the real cells stay untouched).
use_real_v3_11() {
	local real=${KFF_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}
	export KFF_BASES=$KFF_REPO/bases
	[ -d "$real/trees/v3.11/.git" ] ||
		skip "v3.11 is not cached; get it with: scripts/tree import v3.11 <git dir of github:PKUCloud/linux-3.11-cloud> 7a70fe2655b9b867f98bcadc77b45560c3dd698a"
	mkdir -p "$KFF_CACHE" "$real/ccache"
	ln -s "$real/trees" "$KFF_CACHE/trees"
	ln -s "$real/ccache" "$KFF_CACHE/ccache"
}

@test "real tree: a --kvm-only build of the cached v3.11" {
	use_real_v3_11
	run "$BUILD" none v3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	local b=$KFF_CACHE/build/none@v3.11
	[ -f "$b/arch/x86/kvm/kvm.o" ]
	[ -f "$b/arch/x86/kvm/kvm-amd.o" ]
	[ -f "$b/arch/x86/kernel/i387.o" ]
	[ ! -e "$b/vmlinux" ]
	grep -qx CONFIG_KVM_AMD=m "$KFF_CACHE/out/none@v3.11/config"
}

# --- scripts/bench-build ------------------------------------------------------------

@test "real tree: a quick --kvm-only re-build of v3.11 is what make would build" {
	use_real_v3_11
	local st=$BATS_TEST_TMPDIR/stable-3.11 b=$KFF_CACHE/build/stable-3.11@v3.11
	local o=$KFF_CACHE/out/stable-3.11@v3.11
	cp -a "$KFF_REPO/stable-3.11" "$st"
	run "$BUILD" "$st" v3.11 --kvm-only
	[ "$status" -eq 0 ]
	# one more statement in the stack's x86.c hunk
	sed -i 's/^+\t\t\tkernel_fpu_guest_xcr0_begin();$/+\t\t\tkernel_fpu_guest_xcr0_begin(); barrier();/' "$st"/0002-*.patch
	grep -q 'kernel_fpu_guest_xcr0_begin(); barrier();' "$st"/0002-*.patch
	run "$BUILD" "$st" v3.11 --kvm-only
	echo "$output"
	[ "$status" -eq 0 ]
	# 3.11 relinks every composite module of the directory
	jq -e '.rebuild.path == "quick" and (.rebuild.steps | index("arch/x86/kvm/x86.o")) and
	       (.rebuild.steps | index("arch/x86/kvm/kvm.o")) and (.rebuild.steps | index("arch/x86/kvm/kvm-amd.o"))' "$o/metadata.json"
	cp "$b/arch/x86/kvm/kvm.o" "$BATS_TEST_TMPDIR/quick-kvm.o"
	KFF_BUILD_QUICK=0 run "$BUILD" "$st" v3.11 --kvm-only
	[ "$status" -eq 0 ]
	run grep -E '^  (CC|LD)' "$o/build.log"
	[ "$status" -eq 1 ]
	rm "$b/arch/x86/kvm/x86.o"
	KFF_BUILD_QUICK=0 run "$BUILD" "$st" v3.11 --kvm-only
	[ "$status" -eq 0 ]
	grep -q '^  CC \[M\]  arch/x86/kvm/x86.o' "$o/build.log"
	cmp "$BATS_TEST_TMPDIR/quick-kvm.o" "$b/arch/x86/kvm/kvm.o"
}

@test "bench: bad input is refused with exit 2 and a message" {
	run "$KFF_REPO/scripts/bench-build" --base no-such-base
	[ "$status" -eq 2 ]
	[[ $output == *"unknown base 'no-such-base'"* ]]
	run "$KFF_REPO/scripts/bench-build" --jobs x
	[ "$status" -eq 2 ]
	[[ $output == *"--jobs wants a positive number, not 'x'"* ]]
	run "$KFF_REPO/scripts/bench-build" --stack no-such-stack
	[ "$status" -eq 2 ]
	[[ $output == *"unknown stack 'no-such-stack'"* ]]
	run "$KFF_REPO/scripts/bench-build" extra
	[ "$status" -eq 2 ]
	[[ $output == *"unknown argument 'extra'"* ]]
}

@test "bench: measures cold, no-op, warm and --kvm-only builds of a fake base" {
	import_kernel kfake-3.11 "$K/k3"
	run "$KFF_REPO/scripts/bench-build" --base kfake-3.11 --stack "$K/clean" --jobs 1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"base "*"cold"*"no-op"*"kvm-only"* ]]
	[[ $output == *"warm full "*"arch/x86/kvm/x86.c "*" quick"* ]]
	[[ $output == *"warm kvm-only "*"arch/x86/kvm/x86.c "*" quick"* ]]
	local j=$KFF_CACHE/bench/bench.json
	jq -e '.[0].base == "kfake-3.11" and .[0].stack == "clean" and .[0].cold > 0 and
	       .[0].noop > 0 and .[0].kvm_only > 0 and (.[0].warm | length) == 2 and
	       ([.[0].warm[].mode] == ["full", "kvm-only"]) and
	       all(.[0].warm[]; .seconds > 0 and .tu >= 0 and (.ratio == null or .ratio > 0) and
	           .path == "quick")' "$j"
	[ "$(jq -r '.[0].warm[0].changed' "$j")" = "0001-KVM-x86-fixture-change.patch arch/x86/kvm/x86.c" ]
	# the bench caches are gone, the stack it edited was a copy
	[ ! -e "$KFF_CACHE/bench/kfake-3.11" ]
	! grep -q 'bench' "$K/clean/0001-KVM-x86-fixture-change.patch"
}

@test "bench: --warm-only measures on the built cell and leaves it as it was" {
	import_kernel kfake-3.11 "$K/k3"
	run "$KFF_REPO/scripts/bench-build" --base kfake-3.11 --stack "$K/clean" --warm-only
	[ "$status" -eq 4 ]
	[[ $output == *"cell clean@kfake-3.11 was never built"* ]]
	run "$BUILD" "$K/clean" kfake-3.11
	[ "$status" -eq 0 ]
	local h
	h=$(jq -r .bzimage_sha256 "$KFF_CACHE/out/clean@kfake-3.11/metadata.json")
	run "$KFF_REPO/scripts/bench-build" --base kfake-3.11 --stack "$K/clean" --warm-only
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e '.[0].warm[0].seconds > 0 and .[0].cold == null and
	       ([.[0].warm[].mode] == ["full", "kvm-only"])' "$KFF_CACHE/bench/bench.json"
	run grep -q bench "$KFF_CACHE/work/clean@kfake-3.11/src/arch/x86/kvm/x86.c"
	[ "$status" -ne 0 ]
	# and the cell is a full build again
	[ "$(jq -r .mode "$KFF_CACHE/out/clean@kfake-3.11/metadata.json")" = full ]
	[ "$(jq -r .bzimage_sha256 "$KFF_CACHE/out/clean@kfake-3.11/metadata.json")" = "$h" ]
	# --file picks the file the change goes into; one the stack does not change is refused
	run "$KFF_REPO/scripts/bench-build" --base kfake-3.11 --stack "$K/clean" --warm-only --file arch/x86/kvm/x86.c
	[ "$status" -eq 0 ]
	jq -e '.[0].warm | length == 2 and all(.[]; .changed | endswith(" arch/x86/kvm/x86.c"))' "$KFF_CACHE/bench/bench.json"
	run "$KFF_REPO/scripts/bench-build" --base kfake-3.11 --stack "$K/clean" --warm-only --file arch/x86/kernel/i387.c
	[ "$status" -eq 1 ]
	[[ $output == *"no patch adds a statement to arch/x86/kernel/i387.c"* ]]
}
