#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# repro/: the /dev/kvm programs and their helper layer (built with -Werror,
# unit tests run), their command line, their behaviour on this machine, and
# the irq_fpu_stress module built against Debian's kernel headers.
# Everything is built under the bats temp dir, never inside repro/.
# shellcheck disable=SC2030,SC2031,SC2154 # bats' run sets output/status/lines/stderr

load helpers
bats_require_minimum_version 1.5.0

REPRO=$KFF_REPO/repro
PROGRAMS="xcr0 fpu-state emulator"

setup_file() {
	export B=$BATS_FILE_TMPDIR/build
	make -s -C "$REPRO" programs unit BUILD="$B" >"$BATS_FILE_TMPDIR/make.log" 2>&1 ||
		true
}

setup() {
	B=$BATS_FILE_TMPDIR/build
}

# Debian's headers for the kernel that linux-headers-amd64 points at.
debian_headers() {
	local pkg
	pkg=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		grep -o 'linux-headers-[^ ,]*-amd64' | head -n1) || true
	[ -n "$pkg" ] && [ -f "/usr/src/$pkg/Makefile" ] || return 1
	printf '/usr/src/%s\n' "$pkg"
}

# ---- build -----------------------------------------------------------------

@test "make programs builds every program static with -Wall -Wextra -Werror" {
	rm -rf "$BATS_TEST_TMPDIR/b"
	run make -C "$REPRO" programs BUILD="$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[[ $output == *"-Wall -Wextra -Werror -O2 -static"* ]]
	for p in $PROGRAMS; do
		[ -x "$BATS_TEST_TMPDIR/b/kvm/$p" ]
		# static: no program interpreter
		run readelf -l "$BATS_TEST_TMPDIR/b/kvm/$p"
		[ "$status" -eq 0 ]
		[[ $output != *INTERP* ]]
	done
}

@test "make unit builds the helper-layer unit tests" {
	run cat "$BATS_FILE_TMPDIR/make.log"
	for t in test_pattern test_ktap test_args test_guest test_stress; do
		[ -x "$B/unit/$t" ] || { echo "missing $t; make said: $output"; false; }
	done
}

@test "the build leaves no products inside repro/ sources" {
	run bash -c "cd '$REPRO' && find irq_fpu_stress kvm -type f ! -name '*.c' ! -name '*.h' ! -name '*.S' ! -name Kbuild"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# ---- unit tests ------------------------------------------------------------

unit() {
	run "$B/unit/$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "KTAP version 1" ]
	local plan=${lines[1]#1..}
	[ "$plan" -gt 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$plan" ]
	! grep -q '^not ok' <<<"$output"
}

@test "unit: patterns, the guest's routines run natively, VMM register compare" { unit test_pattern; }
@test "unit: KTAP printer and exit-code rule" { unit test_ktap; }
@test "unit: argument parsing" { unit test_args; }
@test "unit: guest code blobs, copy, page tables, no XSETBV" { unit test_guest; }
@test "unit: stress counters and the not-exercised rule" { unit test_stress; }

# ---- command line ----------------------------------------------------------

@test "every program: --help prints the usage and exits 0" {
	for p in $PROGRAMS; do
		run "$B/kvm/$p" --help
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == "Usage: $p [--seconds N]"* ]]
		[[ $output == *"--require-stress"* ]]
		[[ $output == *"4 skipped"* ]]
	done
}

@test "every program: a bad --seconds is a usage error (exit 2, one line)" {
	for p in $PROGRAMS; do
		run --separate-stderr "$B/kvm/$p" --seconds 0
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[ "$stderr" = "$p: bad --seconds '0': use a whole number from 1 to 3600" ]
		run --separate-stderr "$B/kvm/$p" --seconds 99999
		[ "$status" -eq 2 ]
		[[ $stderr == "$p: bad --seconds '99999'"* ]]
		run --separate-stderr "$B/kvm/$p" --seconds
		[ "$status" -eq 2 ]
		[ "$stderr" = "$p: --seconds needs a value (e.g. --seconds 10)" ]
	done
}

@test "every program: an unknown argument is a usage error (exit 2, one line)" {
	for p in $PROGRAMS; do
		run --separate-stderr "$B/kvm/$p" --frobnicate
		[ "$status" -eq 2 ]
		[ "$stderr" = "$p: unknown argument '--frobnicate' (see --help)" ]
		run --separate-stderr "$B/kvm/$p" --stats-file
		[ "$status" -eq 2 ]
		[ "$stderr" = "$p: --stats-file needs a path" ]
	done
}

# ---- on this machine -------------------------------------------------------

# check_run PROG ARGS...: KTAP, bounded, and either a real pass or a skip
# that says why; never a failure on a healthy host.
check_run() {
	local p=$1 start end
	shift
	start=$(date +%s)
	run timeout 60 "$B/kvm/$p" --seconds 2 "$@"
	end=$(date +%s)
	echo "$output"
	[ $((end - start)) -le 40 ]
	[ "${lines[0]}" = "KTAP version 1" ]
	[[ ${lines[1]} == 1..* ]]
	! grep -q '^not ok' <<<"$output"
	case $status in
	0)	! grep -q '# SKIP' <<<"$output"
		[ "$(grep -c '^ok ' <<<"$output")" -eq "${lines[1]#1..}" ] ;;
	4)	grep -q '^ok [0-9]* [a-z_]* # SKIP \(/dev/kvm\|not exercised\)' <<<"$output" ;;
	*)	false ;;
	esac
}

@test "xcr0 on this machine: passes, or skips saying why (exit 4)" { check_run xcr0; }
@test "fpu-state on this machine: passes, or skips saying why (exit 4)" { check_run fpu-state; }
@test "emulator on this machine: passes, or skips saying why (exit 4)" { check_run emulator; }

@test "without /dev/kvm every program skips with exit 4 and says so" {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null ||
		skip "needs root and unshare(1) to hide /dev/kvm in a private mount namespace"
	for p in $PROGRAMS; do
		run unshare -m sh -c "mount -t tmpfs none /dev && exec '$B/kvm/$p' --seconds 1"
		echo "$output"
		[ "$status" -eq 4 ]
		[[ $output == *"ok 1 vmm_alive # SKIP /dev/kvm is absent"* ]]
		! grep -q '^not ok' <<<"$output" || false
	done
}

@test "--require-stress without the module: window_reached is planned and nothing passes" {
	for p in $PROGRAMS; do
		run "$B/kvm/$p" --seconds 1 --require-stress --stats-file "$BATS_TEST_TMPDIR/none"
		echo "$output"
		[ "$status" -eq 4 ]
		[[ $output == *"(--require-stress)"* ]]
		grep -q '^ok [0-9]* window_reached # SKIP' <<<"$output"
	done
}

@test "a stress file whose counters never move: not exercised, exit 4" {
	cat >"$BATS_TEST_TMPDIR/stats" <<'S'
runs 10
usable 10
unusable 0
guest_xcr0_usable 0
guest_xcr0_unusable 0
vcpu_usable 0
vcpu_unusable 0
mode ipi
S
	for p in $PROGRAMS; do
		run "$B/kvm/$p" --seconds 1 --stats-file "$BATS_TEST_TMPDIR/stats"
		echo "$output"
		[ "$status" -eq 4 ]
		grep -q '^ok [0-9]* window_reached # SKIP \(/dev/kvm\|not exercised\)' <<<"$output"
		! grep -q '^not ok' <<<"$output" || false
	done
}

# ---- the module ------------------------------------------------------------

@test "irq_fpu_stress builds against Debian's kernel headers, out of the source dir" {
	local kdir rel out
	kdir=$(debian_headers) ||
		skip "Debian kernel headers missing: apt-get install linux-headers-amd64"
	rel=$(sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' "$kdir/include/generated/utsrelease.h")
	out=$BATS_TEST_TMPDIR/mod
	run make -C "$REPRO" module KDIR="$kdir" MODULE_OUT="$out"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$out/irq_fpu_stress.ko" ]
	[ ! -e "$REPRO/irq_fpu_stress/irq_fpu_stress.ko" ]
	[ ! -e "$REPRO/irq_fpu_stress/irq_fpu_stress.o" ]
	run modinfo -F vermagic "$out/irq_fpu_stress.ko"
	[[ $output == "$rel "* ]]
	run modinfo -F parm "$out/irq_fpu_stress.ko"
	[[ $output == *"mode:where the FPU is used: ipi "*"(charp)"* ]]
	[[ $output == *"period_us:"*"(uint)"* ]]
	[[ $output == *"clobber:"*"(bool)"* ]]
	run modinfo -F license "$out/irq_fpu_stress.ko"
	[ "$output" = "GPL" ]
}

@test "irq_fpu_stress builds against every other installed Debian headers dir (6.12, -rt)" {
	local d n=0 rel
	for d in /usr/src/linux-headers-*-amd64; do
		[ -f "$d/Makefile" ] || continue
		[ "$d" = "$(debian_headers)" ] && continue
		rel=$(basename "$d")
		run make -C "$REPRO" module KDIR="$d" MODULE_OUT="$BATS_TEST_TMPDIR/$rel"
		echo "$output"
		[ "$status" -eq 0 ]
		run modinfo -F vermagic "$BATS_TEST_TMPDIR/$rel/irq_fpu_stress.ko"
		[[ $output == "${rel#linux-headers-} "* ]]
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] ||
		skip "no other Debian headers: apt-get install linux-headers-6.12.117+deb12-amd64 linux-headers-6.12.117+deb12-rt-amd64 (bookworm-security)"
}

@test "make module with a KDIR that is not a kernel build dir fails and says so" {
	run make -s -C "$REPRO" module KDIR="$BATS_TEST_TMPDIR/nope" MODULE_OUT="$BATS_TEST_TMPDIR/m"
	[ "$status" -ne 0 ]
	[[ $output == *"KDIR=$BATS_TEST_TMPDIR/nope is not a kernel build directory"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/m" ]
}
