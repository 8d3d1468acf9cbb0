#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/boot without QEMU: bad input, a cell that is not built, and the
# console-log/KTAP parser on canned logs; repro/initramfs/mkinitramfs.

load helpers

setup() {
	export KFF_CACHE=$BATS_TEST_TMPDIR/cache
	LOGS=$BATS_TEST_TMPDIR
}

# write_log NAME: the here-document on stdin, with CRLF line ends and the
# terminal junk a real serial console has, as $LOGS/NAME.log.
write_log() {
	{
		printf '\033c\033[?7l\033[2JSeaBIOS (version 1.16.2)\r\n\r\n'
		sed 's/$/\r/'
	} >"$LOGS/$1.log"
}

header() {
	cat <<'EOF'
Booting from ROM...
KTAP version 1
# kff: kernel 6.1.0-test cpus 2 uptime=12.50
# kff: cmdline console=ttyS0 kff.tests=xcr0:ipi:0,fpu-state:ipi:1,emulator:ipi:1 kff.seconds=5
EOF
}

# ---- bad input -----------------------------------------------------------

@test "boot --help prints the usage and exits 0" {
	run "$SCRIPTS/boot" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: scripts/boot <stack|stack:N,...|none> <base>"* ]]
}

@test "boot without arguments is a usage error" {
	run "$SCRIPTS/boot"
	[ "$status" -eq 2 ]
	[[ $output == *"usage: scripts/boot <stack|none> <base>"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "boot rejects an unknown stack" {
	run "$SCRIPTS/boot" stable-2.6 v3.11
	[ "$status" -eq 2 ]
	[[ $output == *"unknown stack 'stable-2.6'"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "boot rejects an unknown base" {
	run "$SCRIPTS/boot" none v9.9
	[ "$status" -eq 2 ]
	[[ $output == *"unknown base 'v9.9'"* ]]
}

@test "boot rejects an unknown test" {
	run "$SCRIPTS/boot" none v3.11 --test xcr0,mprime
	[ "$status" -eq 2 ]
	[[ $output == *"unknown test 'mprime'"* ]]
}

@test "boot rejects an unknown stress mode" {
	run "$SCRIPTS/boot" none v3.11 --stress nmi
	[ "$status" -eq 2 ]
	[[ $output == *"unknown stress mode 'nmi'"* ]]
}

@test "boot rejects bad --seconds values" {
	for v in 0 abc -5 3601 1.5; do
		run "$SCRIPTS/boot" none v3.11 --seconds "$v"
		[ "$status" -eq 2 ]
		[[ $output == *"--seconds must be a whole number from 1 to 3600, not '$v'"* ]]
	done
}

@test "boot rejects bad --runs, --timeout, --clobber and --period-us" {
	run "$SCRIPTS/boot" none v3.11 --runs 0
	[ "$status" -eq 2 ]
	[[ $output == *"--runs must be a whole number"* ]]
	run "$SCRIPTS/boot" none v3.11 --timeout soon
	[ "$status" -eq 2 ]
	[[ $output == *"--timeout must be a whole number of seconds, not 'soon'"* ]]
	run "$SCRIPTS/boot" none v3.11 --clobber 2
	[ "$status" -eq 2 ]
	[[ $output == *"--clobber must be 0 or 1, not '2'"* ]]
	run "$SCRIPTS/boot" none v3.11 --period-us 0
	[ "$status" -eq 2 ]
	[[ $output == *"--period-us must be a whole number"* ]]
}

@test "boot rejects a bad --tcg-thread" {
	run "$SCRIPTS/boot" none v3.11 --tcg-thread many
	[ "$status" -eq 2 ]
	[[ $output == *"--tcg-thread must be single or multi, not 'many'"* ]]
}

@test "boot rejects an unknown option and a missing option value" {
	run "$SCRIPTS/boot" none v3.11 --fast
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--fast'"* ]]
	run "$SCRIPTS/boot" none v3.11 --seconds
	[ "$status" -eq 2 ]
	[[ $output == *"--seconds needs a value"* ]]
}

@test "boot of a cell that is not built skips with the build command" {
	run "$SCRIPTS/boot" stable-3.11 v3.11 --test xcr0
	[ "$status" -eq 4 ]
	[[ $output == *"cell stable-3.11@v3.11 is not built"* ]]
	[[ $output == *"scripts/build stable-3.11 v3.11"* ]]
}

@test "boot of some of a stack's patches names the cell <stack>-<NNNN>" {
	run "$SCRIPTS/boot" stable-3.11:1 v3.11 --test xcr0
	[ "$status" -eq 4 ]
	[[ $output == *"cell stable-3.11-0001@v3.11 is not built"* ]]
	[[ $output == *"scripts/build stable-3.11:1 v3.11"* ]]
	run "$SCRIPTS/boot" no-such-stack:1 v3.11 --test xcr0
	[ "$status" -eq 2 ]
	[[ $output == *"unknown stack 'no-such-stack'"* ]]
}

@test "a patch selection that names no patch, or one twice, is bad input" {
	run "$SCRIPTS/apply" stable-3.11:9 v3.11
	[ "$status" -eq 2 ]
	[[ $output == *"stack 'stable-3.11' has no patch 9 (its series: 0001-"* ]]
	run "$SCRIPTS/check" stable-3.11:1,1 --no-checkpatch
	[ "$status" -eq 2 ]
	[[ $output == *"patch 1 is selected twice in 'stable-3.11:1,1'"* ]]
	run "$SCRIPTS/check" stable-3.11:2 --no-checkpatch
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "check: stable-3.11-0002 (1 patch(es)"* ]]
}

@test "boot of a built cell without metadata skips with the build command" {
	mkdir -p "$KFF_CACHE/out/none@v4.1.52"
	: >"$KFF_CACHE/out/none@v4.1.52/bzImage"
	run "$SCRIPTS/boot" none v4.1.52
	[ "$status" -eq 4 ]
	[[ $output == *"scripts/build none v4.1.52"* ]]
}

@test "boot --parse needs an existing log and --test" {
	run "$SCRIPTS/boot" --parse "$LOGS/nope.log" --test xcr0
	[ "$status" -eq 2 ]
	[[ $output == *"console log '$LOGS/nope.log' does not exist"* ]]
	: >"$LOGS/empty.log"
	run "$SCRIPTS/boot" --parse "$LOGS/empty.log"
	[ "$status" -eq 2 ]
	[[ $output == *"--parse needs --test"* ]]
}

# ---- the parser on canned console logs -----------------------------------

@test "parse: every test passes -> pass, exit 0, counters and timings" {
	{
		header
		cat <<'EOF'
1..2
# kff: /sys/module/kvm_amd/parameters/nested=1
# kff: test-start xcr0 uptime=14.25 stress=ipi clobber=0 seconds=5
    KTAP version 1
    1..1
    # stress: runs=900 usable=880 unusable=20 guest_xcr0_usable=0 guest_xcr0_unusable=0 vcpu_usable=300 vcpu_unusable=12
    ok 1 guest XCR0 window survived
# kff: stress-cpu cpu0 runs=450 usable=440 unusable=10
# kff: stress-final runs=901 usable=881 unusable=20 guest_xcr0_usable=0 guest_xcr0_unusable=0 vcpu_usable=300 vcpu_unusable=12 mode=ipi clobber=0 host_xcr0=0x7
# kff: dmesg: [   14.300000] irq_fpu_stress: mode=ipi period_us=200 clobber=0
# kff: test-end xcr0 uptime=20.00 rc=0 taint=0->4096
ok 1 xcr0
# kff: test-start fpu-state uptime=20.10 stress=ipi clobber=1 seconds=5
    KTAP version 1
    1..1
    ok 1 registers intact
# kff: stress-final runs=1000 usable=990 unusable=10 vcpu_usable=400 vcpu_unusable=3
# kff: test-end fpu-state uptime=25.60 rc=0 taint=4096->4096
ok 2 fpu-state
# kff: done uptime=25.70
[   25.80000] reboot: Power down
EOF
	} | write_log pass
	run "$SCRIPTS/boot" --parse "$LOGS/pass.log" --test xcr0,fpu-state
	[ "$status" -eq 0 ]
	r=$output
	[ "$(jq -r .result <<<"$r")" = pass ]
	[ "$(jq -r .completed <<<"$r")" = true ]
	[ "$(jq -r .ktap_seen <<<"$r")" = null ]
	[ "$(jq -r .kernel <<<"$r")" = 6.1.0-test ]
	[ "$(jq -r .boot_to_first_test_s <<<"$r")" = 14.25 ]
	[ "$(jq -r .tests.xcr0.result <<<"$r")" = pass ]
	[ "$(jq -r .tests.xcr0.stress.runs <<<"$r")" = 901 ]
	[ "$(jq -r .tests.xcr0.stress.vcpu_usable <<<"$r")" = 300 ]
	[ "$(jq -r .tests.xcr0.stress.host_xcr0 <<<"$r")" = 0x7 ]
	[ "$(jq -r .tests.xcr0.stress_mode <<<"$r")" = ipi ]
	[ "$(jq -r .tests.xcr0.clobber <<<"$r")" = 0 ]
	[ "$(jq -r .tests.xcr0.duration_s <<<"$r")" = 5.75 ]
	[ "$(jq -r .tests.xcr0.taint_after <<<"$r")" = 4096 ]
	[ "$(jq -r .tests.xcr0.warn <<<"$r")" = false ]
	[ "$(jq -r '.tests["fpu-state"].result' <<<"$r")" = pass ]
	[ "$(jq -r '.tests["fpu-state"].clobber' <<<"$r")" = 1 ]
	[ "$(jq -r '.tests | keys_unsorted | join(",")' <<<"$r")" = "xcr0,fpu-state" ]
}

@test "parse: a failing program -> fail, exit 1, the earliest detection time" {
	{
		header
		cat <<'EOF'
1..1
# kff: test-start fpu-state uptime=14.00 stress=ipi clobber=1 seconds=5
    KTAP version 1
    1..2
    # ==== Test Assertion Failure ====
    # fpu-state.c:210: xmm3 == pattern
    # VMM registers changed after KVM_RUN #9: xmm1 (detected after 80 ms)
    # guest xmm3 read back 0xdeadbeefdeadbeef (detected after 37 ms)
    not ok 1 guest registers
# kff: stress-final runs=50 usable=50 unusable=0 vcpu_usable=20 vcpu_unusable=0
# kff: test-end fpu-state uptime=14.20 rc=1 taint=0->0
not ok 1 fpu-state
# kff: done uptime=14.30
EOF
	} | write_log fail
	run "$SCRIPTS/boot" --parse "$LOGS/fail.log" --test fpu-state
	[ "$status" -eq 1 ]
	[ "$(jq -r .result <<<"$output")" = fail ]
	[ "$(jq -r '.tests["fpu-state"].result' <<<"$output")" = fail ]
	[ "$(jq -r '.tests["fpu-state"].detection_ms' <<<"$output")" = 37 ]
	[ "$(jq -r '.tests["fpu-state"].panic' <<<"$output")" = false ]
}

@test "parse: detection given in seconds is converted to ms" {
	{
		header
		cat <<'EOF'
1..1
# kff: test-start xcr0 uptime=14.00 stress=ipi clobber=0 seconds=5
    # time to detection: 1.5 s
    not ok 1 vmm
not ok 1 xcr0
# kff: done uptime=16.00
EOF
	} | write_log secs
	run "$SCRIPTS/boot" --parse "$LOGS/secs.log" --test xcr0
	[ "$status" -eq 1 ]
	[ "$(jq -r .tests.xcr0.detection_ms <<<"$output")" = 1500 ]
}

@test "parse: a host panic while a test runs -> fail (bug reproduced), time from the first report's stamp" {
	{
		header
		cat <<'EOF'
1..2
# kff: test-start xcr0 uptime=14.000 stress=ipi clobber=0 seconds=20
    KTAP version 1
    1..1
    # vcpu entered the guest
[   14.012345] general protection fault: 0000 [#1] SMP
[   14.012400] RIP: 0010:[<ffffffff81012345>]  [<ffffffff81012345>] math_state_restore+0x45/0x60
[   14.012500] Call Trace:
[   14.013000] Kernel panic - not syncing: Fatal exception in interrupt
[   14.013100] Rebooting in 1 seconds..
EOF
	} | write_log panic
	run "$SCRIPTS/boot" --parse "$LOGS/panic.log" --test xcr0,fpu-state
	[ "$status" -eq 1 ]
	r=$output
	[ "$(jq -r .result <<<"$r")" = fail ]
	[ "$(jq -r .panic <<<"$r")" = true ]
	[ "$(jq -r .completed <<<"$r")" = false ]
	[ "$(jq -r .tests.xcr0.result <<<"$r")" = fail ]
	[ "$(jq -r .tests.xcr0.panic <<<"$r")" = true ]
	[ "$(jq -r .tests.xcr0.oops <<<"$r")" = true ]
	[ "$(jq -r .tests.xcr0.reason <<<"$r")" = "host kernel panic while the test ran" ]
	[ "$(jq -r .tests.xcr0.detection_ms <<<"$r")" = 12.3 ]
	[[ $(jq -r .tests.xcr0.kernel_report <<<"$r") == *"general protection fault"* ]]
	[ "$(jq -r '.tests["fpu-state"].result' <<<"$r")" = not-run ]
}

@test "parse: a kernel WARNING in dmesg fails the test even if the program passed" {
	{
		header
		cat <<'EOF'
1..1
# kff: test-start xcr0 uptime=14.00 stress=ipi clobber=0 seconds=5
    KTAP version 1
    1..1
    ok 1 vmm state intact
# kff: dmesg: [   15.100000] ------------[ cut here ]------------
# kff: dmesg: [   15.100001] WARNING: CPU: 1 PID: 77 at arch/x86/kernel/i387.c:110 __kernel_fpu_end+0x3c/0x80()
# kff: dmesg: [   15.100002] Call Trace:
# kff: kernel error report during xcr0 (see dmesg above)
# kff: test-end xcr0 uptime=19.00 rc=0 taint=4096->4608
not ok 1 xcr0 # kernel error report
# kff: done uptime=19.10
EOF
	} | write_log warn
	run "$SCRIPTS/boot" --parse "$LOGS/warn.log" --test xcr0
	[ "$status" -eq 1 ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = fail ]
	[ "$(jq -r .tests.xcr0.warn <<<"$output")" = true ]
	[ "$(jq -r .tests.xcr0.reason <<<"$output")" = "kernel error report" ]
	[[ $(jq -r .tests.xcr0.kernel_report <<<"$output") == *"WARNING: CPU: 1"* ]]
	[ "$(jq -r .tests.xcr0.taint_after <<<"$output")" = 4608 ]
}

@test "parse: a hang -> timeout for the running test, not-run after it, exit 124" {
	{
		header
		cat <<'EOF'
1..2
# kff: test-start xcr0 uptime=14.00 stress=ipi clobber=0 seconds=5
    KTAP version 1
    1..1
EOF
	} | write_log hang
	run "$SCRIPTS/boot" --parse "$LOGS/hang.log" --test xcr0,emulator --timed-out
	[ "$status" -eq 124 ]
	[ "$(jq -r .result <<<"$output")" = timeout ]
	[ "$(jq -r .timeout <<<"$output")" = true ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = timeout ]
	[ "$(jq -r .tests.emulator.result <<<"$output")" = not-run ]
	[ "$(jq -r .tests.emulator.reason <<<"$output")" = "the boot timed out before the test" ]
}

@test "parse: a hang before the first test -> timeout, exit 124" {
	printf 'Booting from ROM...\n[    0.000000] Linux version 3.11.0\n' | write_log early
	run "$SCRIPTS/boot" --parse "$LOGS/early.log" --test xcr0 --timed-out
	[ "$status" -eq 124 ]
	[ "$(jq -r .ktap_seen <<<"$output")" = false ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = not-run ]
}

@test "parse: the guest stopping mid-test without a panic is a failure, not a pass" {
	{
		header
		cat <<'EOF'
1..1
# kff: test-start xcr0 uptime=14.00 stress=ipi clobber=0 seconds=5
    KTAP version 1
EOF
	} | write_log stopped
	run "$SCRIPTS/boot" --parse "$LOGS/stopped.log" --test xcr0
	[ "$status" -eq 1 ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = fail ]
	[[ $(jq -r .tests.xcr0.reason <<<"$output") == *"stopped before the test reported"* ]]
}

@test "parse: not exercised is neither a pass nor a failure (exit 4)" {
	{
		header
		cat <<'EOF'
1..2
# kff: test-start xcr0 uptime=14.00 stress=ipi clobber=0 seconds=5
    KTAP version 1
    1..1
    ok 1 vmm # SKIP not exercised: the guest XCR0 was never loaded (0 entries)
# kff: test-end xcr0 uptime=19.00 rc=4 taint=0->0
ok 1 xcr0 # SKIP not exercised: the guest XCR0 was never loaded (0 entries)
# kff: test-start emulator uptime=19.10 stress=none clobber=0 seconds=5
    1..0 # SKIP no SSE in the guest CPUID
# kff: test-end emulator uptime=19.20 rc=4 taint=0->0
ok 2 emulator # SKIP no SSE in the guest CPUID
# kff: done uptime=19.30
EOF
	} | write_log notex
	run "$SCRIPTS/boot" --parse "$LOGS/notex.log" --test xcr0,emulator
	[ "$status" -eq 4 ]
	[ "$(jq -r .result <<<"$output")" = incomplete ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = not-exercised ]
	[[ $(jq -r .tests.xcr0.reason <<<"$output") == "not exercised: the guest XCR0 was never loaded"* ]]
	[ "$(jq -r .tests.emulator.result <<<"$output")" = skip ]
}

@test "parse: a panic while booting -> boot-failed, exit 1, nothing run" {
	{
		printf 'Booting from ROM...\n'
		printf '[    1.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\n'
	} | write_log bootpanic
	run "$SCRIPTS/boot" --parse "$LOGS/bootpanic.log" --test xcr0
	[ "$status" -eq 1 ]
	[ "$(jq -r .result <<<"$output")" = boot-failed ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = not-run ]
	[[ $(jq -r .boot_report <<<"$output") == *"Unable to mount root fs"* ]]
}

@test "parse: a kernel message inside the program output does not hide the verdict" {
	{
		header
		cat <<'EOF'
1..1
# kff: test-start xcr0 uptime=14.00 stress=ipi clobber=0 seconds=5
    KTAP version 1
[   15.000000] kvm: zapping shadow pages for mmio generation wraparound
    ok 1 vmm
# kff: test-end xcr0 uptime=19.00 rc=0 taint=0->0
ok 1 xcr0
# kff: done uptime=19.30
EOF
	} | write_log noise
	run "$SCRIPTS/boot" --parse "$LOGS/noise.log" --test xcr0
	[ "$status" -eq 0 ]
	[ "$(jq -r .tests.xcr0.result <<<"$output")" = pass ]
}

# ---- mkinitramfs ----------------------------------------------------------

@test "mkinitramfs rejects missing and unknown arguments" {
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --output "$BATS_TEST_TMPDIR/x.cpio.gz"
	[ "$status" -eq 2 ]
	[[ $output == *"--modules-dir is required"* ]]
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --modules-dir /nonexistent --output x
	[ "$status" -eq 2 ]
	[[ $output == *"modules directory '/nonexistent' does not exist"* ]]
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --bogus
	[ "$status" -eq 2 ]
	[[ $output == *"unknown argument '--bogus'"* ]]
}

@test "mkinitramfs fails with the config hint when kvm-amd is not among the modules" {
	mkdir -p "$BATS_TEST_TMPDIR/mods/9.9.9"
	: >"$BATS_TEST_TMPDIR/mods/9.9.9/modules.dep"
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --modules-dir "$BATS_TEST_TMPDIR/mods/9.9.9" \
		--output "$BATS_TEST_TMPDIR/x.cpio.gz"
	[ "$status" -eq 1 ]
	[[ $output == *"module kvm not found"* ]]
}

# Debian's own 6.1 modules, when installed, make a real archive.
debian_moddir() {
	local d
	for d in /lib/modules/6.1.*-amd64; do
		[ -f "$d/kernel/arch/x86/kvm/kvm-amd.ko" ] && { echo "$d"; return; }
	done
	return 1
}

@test "mkinitramfs: kvm-amd and its dependencies in load order, nested=1, /init, busybox, /dev/console" {
	d=$(debian_moddir) || skip "Debian 6.1 modules absent (apt-get install linux-image-amd64)"
	[ -x /bin/busybox ] || skip "busybox absent (apt-get install busybox-static)"
	mkdir -p "$BATS_TEST_TMPDIR/progs"
	cp /bin/busybox "$BATS_TEST_TMPDIR/progs/xcr0"
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --modules-dir "$d" --programs "$BATS_TEST_TMPDIR/progs" \
		--output "$BATS_TEST_TMPDIR/i.cpio.gz"
	[ "$status" -eq 0 ]
	x=$BATS_TEST_TMPDIR/x
	mkdir -p "$x"
	(cd "$x" && zcat "$BATS_TEST_TMPDIR/i.cpio.gz" | cpio -id --quiet 2>/dev/null) || true
	[ -x "$x/init" ]
	cmp "$x/init" "$KFF_REPO/repro/initramfs/init"
	[ -x "$x/bin/busybox" ]
	[ -L "$x/bin/sh" ]
	[ -x "$x/kff/bin/xcr0" ]
	[ "$(cat "$x/etc/kff/kernelrelease")" = "$(basename "$d")" ]
	run cat "$x/etc/kff/modules"
	[ "${lines[0]}" = irqbypass.ko ]
	[ "${lines[1]}" = kvm.ko ]
	[ "${lines[2]}" = ccp.ko ]
	[ "${lines[3]}" = "kvm_amd.ko nested=1" ]
	for m in irqbypass kvm ccp kvm_amd; do [ -f "$x/lib/kff/$m.ko" ]; done
	# the second archive carries the device nodes
	zcat "$BATS_TEST_TMPDIR/i.cpio.gz" | grep -aq 'dev/console'
}

@test "mkinitramfs without modules.dep follows modinfo's depends" {
	d=$(debian_moddir) || skip "Debian 6.1 modules absent (apt-get install linux-image-amd64)"
	m=$BATS_TEST_TMPDIR/m/$(basename "$d")
	mkdir -p "$m/kernel"
	cp "$d/kernel/arch/x86/kvm/kvm.ko" "$d/kernel/arch/x86/kvm/kvm-amd.ko" \
		"$d/kernel/virt/lib/irqbypass.ko" "$d/kernel/drivers/crypto/ccp/ccp.ko" "$m/kernel/"
	xz -k "$m/kernel/ccp.ko" && rm "$m/kernel/ccp.ko"
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --modules-dir "$m" --output "$BATS_TEST_TMPDIR/i.cpio.gz"
	[ "$status" -eq 0 ]
	zcat "$BATS_TEST_TMPDIR/i.cpio.gz" | cpio -i --quiet --to-stdout etc/kff/modules >"$BATS_TEST_TMPDIR/list" 2>/dev/null || true
	run cat "$BATS_TEST_TMPDIR/list"
	[ "${lines[0]}" = irqbypass.ko ]
	[ "${lines[1]}" = kvm.ko ]
	[ "${lines[2]}" = ccp.ko ]
	[ "${lines[3]}" = "kvm_amd.ko nested=1" ]
}

@test "mkinitramfs refuses a dynamically linked program" {
	d=$(debian_moddir) || skip "Debian 6.1 modules absent (apt-get install linux-image-amd64)"
	mkdir -p "$BATS_TEST_TMPDIR/progs"
	cp /bin/ls "$BATS_TEST_TMPDIR/progs/xcr0"
	run "$KFF_REPO/repro/initramfs/mkinitramfs" --modules-dir "$d" --programs "$BATS_TEST_TMPDIR/progs" \
		--output "$BATS_TEST_TMPDIR/i.cpio.gz"
	[ "$status" -eq 1 ]
	[[ $output == *"is not a static binary"* ]]
}

# ---- the whole flow with a stand-in for QEMU -----------------------------

# A cell "none@v4.1.52" whose kernel is Debian's 6.1 (modules and headers),
# the reproducers replaced by static busybox copies, and a fake
# qemu-system-x86_64 that records its arguments and prints canned logs
# ($FAKE/log1, log2, ... one per boot).
fake_cell() {
	local d kr
	d=$(debian_moddir) || skip "Debian 6.1 modules absent (apt-get install linux-image-amd64)"
	kr=$(basename "$d")
	[ -f "/usr/src/linux-headers-$kr/Makefile" ] || skip "Debian 6.1 headers absent (apt-get install linux-headers-amd64)"
	[ -x /bin/busybox ] || skip "busybox absent (apt-get install busybox-static)"
	FAKE=$BATS_TEST_TMPDIR/fake
	CELL=$KFF_CACHE/out/none@${1:-v4.1.52}
	mkdir -p "$FAKE/bin" "$FAKE/progs" "$CELL/modules/lib/modules"
	ln -s "$d" "$CELL/modules/lib/modules/$kr"
	: >"$CELL/bzImage"
	jq -n --arg kr "$kr" --arg b "/usr/src/linux-headers-$kr" \
		'{result: "ok", kernelrelease: $kr, build_dir: $b, cc: "gcc", make_args: []}' >"$CELL/metadata.json"
	for p in xcr0 fpu-state emulator; do cp /bin/busybox "$FAKE/progs/$p"; done
	cat >"$FAKE/bin/qemu-system-x86_64" <<'SH'
#!/bin/bash
n=$(($(cat "$FAKE/count" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE/count"
printf '%s\n' "$@" >"$FAKE/args$n"
cat "$FAKE/log$n"
SH
	chmod +x "$FAKE/bin/qemu-system-x86_64"
	export FAKE PATH=$FAKE/bin:$PATH KFF_PROGRAMS_DIR=$FAKE/progs
}

# test_log <test> <clobber> <ktap line> [program lines...]: the console
# log of a boot that runs one test; no ktap line: the log stops mid-test.
test_log() {
	local t=$1 c=$2 v=$3
	shift 3
	header
	echo "1..1"
	echo "# kff: test-start $t uptime=14.000 stress=ipi clobber=$c seconds=5"
	for l in "$@"; do echo "    $l"; done
	if [ -n "$v" ]; then
		echo "# kff: test-end $t uptime=20.00 rc=0 taint=0->0"
		echo "$v"
		echo "# kff: done uptime=20.1"
	fi
}

xcr0_log() { test_log xcr0 0 "$@"; }
fpu_state_log() { test_log fpu-state 1 "$@"; }

@test "boot runs QEMU with the base's needs and the test request, and writes result.json" {
	fake_cell v3.11
	xcr0_log "ok 1 xcr0" "ok 1 vmm_alive" >"$FAKE/log1"
	# the tests come from the series file's v3.11 row
	run "$SCRIPTS/boot" none v3.11 --seconds 7
	[ "$status" -eq 0 ]
	[[ $output == *"xcr0: pass"* ]]
	[[ $output == *"none@v3.11: pass"* ]]
	args=$(cat "$FAKE/args1")
	[[ $args == *$'-accel\ntcg,thread=single\n-cpu\nmax\n-smp\n2,sockets=2\n-m\n2G\n'* ]]
	[[ $args == *$'\n-no-reboot\n'* ]]
	[[ $args == *"panic=-1"* ]]
	[[ $args == *" nosmap "* ]]
	[[ $args == *"kff.tests=xcr0:ipi:0 kff.seconds=7"* ]]
	[ -f "$CELL/boot/module/irq_fpu_stress.ko" ]
	[ -f "$CELL/boot/initramfs.cpio.gz" ]
	[ "$(jq -r .result "$CELL/result.json")" = pass ]
	[ "$(jq -r .cell "$CELL/result.json")" = none@v3.11 ]
	[ "$(jq -r .tests.xcr0.result "$CELL/result.json")" = pass ]
	[ -f "$CELL/boot.log" ]
}

@test "boot --runs: detection count, median time to detection, exit 1" {
	fake_cell
	{
		xcr0_log ""
		echo "[   14.013000] Kernel panic - not syncing: Fatal exception in interrupt"
	} >"$FAKE/log1"
	xcr0_log "not ok 1 xcr0" "# detected after 37 ms" "not ok 1 vmm_fpu_preserved" >"$FAKE/log2"
	xcr0_log "ok 1 xcr0" "ok 1 vmm_alive" >"$FAKE/log3"
	run "$SCRIPTS/boot" none v4.1.52 --test xcr0 --stress hrtimer --clobber 1 --runs 3 --tcg-thread multi
	[ "$status" -eq 1 ]
	echo "$output"
	[[ $output == *"run 1/3: fail xcr0=fail@13ms"* ]]
	[[ $output == *"xcr0: bug detected in 2 of 3 runs, passed 1, other 0; median time to detection 25 ms"* ]]
	[[ $(cat "$FAKE/args1") == *"kff.tests=xcr0:hrtimer:1"* ]]
	[[ $(cat "$FAKE/args1") == *$'-accel\ntcg\n-cpu\nmax,la57=off\n'* ]]
	r=$CELL/result.json
	[ "$(jq -r .runs "$r")" = 3 ]
	[ "$(jq -r .tests.xcr0.detected "$r")" = 2 ]
	[ "$(jq -r .tests.xcr0.panics "$r")" = 1 ]
	[ "$(jq -r .tests.xcr0.median_detection_ms "$r")" = 25 ]
	[ "$(jq -r .per_run[2].result "$r")" = pass ]
	for i in 1 2 3; do [ -f "$CELL/runs/$i/boot.log" ]; done
}

@test "boot: a kernel with 5-level paging boots on a CPU without LA57, others keep -cpu max" {
	fake_cell v5.5-rc5
	local n want
	for n in 1 2; do
		fpu_state_log "ok 1 fpu-state" "ok 1 vmm_alive" >"$FAKE/log$n"
	done
	for n in 1 2; do
		if [ "$n" = 1 ]; then
			echo '# CONFIG_X86_5LEVEL is not set' >"$CELL/config"
			want=max
		else
			echo 'CONFIG_X86_5LEVEL=y' >"$CELL/config"
			want=max,la57=off
		fi
		run "$SCRIPTS/boot" none v5.5-rc5 --test fpu-state
		[ "$status" -eq 0 ]
		[[ $(cat "$FAKE/args$n") == *$'-accel\ntcg\n-cpu\n'"$want"$'\n-smp\n2\n'* ]]
	done
}

@test "boot takes a stack directory, a test-only mutation, and names the cell after it" {
	fake_cell debian-5.10
	local m=$KFF_REPO/patches/mutations/no-tif-need-fpu-load
	mv "$CELL" "$KFF_CACHE/out/no-tif-need-fpu-load@debian-5.10"
	CELL=$KFF_CACHE/out/no-tif-need-fpu-load@debian-5.10
	fpu_state_log "not ok 1 fpu-state" "# detected after 12 ms (from the program's start)" \
		"not ok 2 vmm_fpu_preserved" >"$FAKE/log1"
	run "$SCRIPTS/boot" "$m" debian-5.10 --test fpu-state
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"fpu-state: fail, detected after 12 ms"* ]]
	[ "$(jq -r .cell "$CELL/result.json")" = no-tif-need-fpu-load@debian-5.10 ]
	[ "$(jq -r .tests[\"fpu-state\"].detection_ms "$CELL/result.json")" = 12 ]
	# a directory without a series file is bad input; a built-less cell skips
	run "$SCRIPTS/boot" "$BATS_TEST_TMPDIR" debian-5.10
	[ "$status" -eq 2 ]
	[[ $output == *"is not a stack directory (no series file)"* ]]
	rm -rf "$CELL"
	run "$SCRIPTS/boot" "$m" debian-5.10
	[ "$status" -eq 4 ]
	[[ $output == *"scripts/build $m debian-5.10"* ]]
}

@test "boot: a hung guest is cut off by --timeout, exits 124, and its vCPUs' registers are kept" {
	command -v socat >/dev/null || skip "socat absent (apt-get install socat)"
	fake_cell
	# The fake QEMU answers on its monitor socket with two vCPUs' registers.
	cat >"$FAKE/regs" <<'EOF'
CPU#0
RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000
RIP=ffffffff9a000130 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0
CPU#1
RIP=000055d0c0ffee00 RFL=00000246 [---Z-P-] CPL=3 II=0 A20=1 SMM=0 HLT=0
EOF
	cat >"$FAKE/bin/qemu-system-x86_64" <<'SH'
#!/bin/bash
while [ $# -gt 0 ]; do
	[ "$1" != -monitor ] || { sock=${2#unix:}; sock=${sock%%,*}; }
	shift
done
socat "UNIX-LISTEN:$sock,fork" SYSTEM:"cat $FAKE/regs" &
s=$!
trap 'kill $s $w; exit 143' TERM
echo "KTAP version 1"
echo "# kff: kernel-text ffffffff9a000000"
echo "1..1"
echo "# kff: test-start xcr0 uptime=14.000 stress=ipi clobber=0 seconds=5"
sleep 60 &
w=$!
wait $w
SH
	SECONDS=0
	run "$SCRIPTS/boot" none v4.1.52 --test xcr0 --timeout 2
	echo "$output"
	# 2 s, three samples 2 s apart, QEMU stopped: well before the fake's 60 s
	[ "$SECONDS" -lt 30 ]
	[ "$status" -eq 124 ]
	[[ $output == *"xcr0: timeout"* ]]
	[[ $output == *"the boot hung (no end after 2s)"* ]]
	[ "$(jq -r .tests.xcr0.result "$CELL/result.json")" = timeout ]
	[ "$(jq -r .qemu_exit "$CELL/result.json")" = 124 ]
	[ "$(jq -r .hang_report "$CELL/result.json")" = "$CELL/hang.txt" ]
	# three samples of both vCPUs, the KASLR offset taken off
	[ "$(grep -c '^sample [123] vCPU [01]: ' "$CELL/hang.txt")" -eq 6 ]
	grep -q '^sample 3 vCPU 0: RIP ffffffff9a000130 (link-time ffffffff81000130) .* IF=0 CPL=0' "$CELL/hang.txt"
	grep -q '^sample 1 vCPU 1: .*(user space) IF=1 CPL=3' "$CELL/hang.txt"
	[ "$(jq -r '.hang_vcpus | length' "$CELL/result.json")" = 6 ]
	grep -q '^CPU#1$' "$CELL/hang.txt"
}

@test "boot: a guest that ends while its registers are read is still a hang" {
	fake_cell
	cat >"$FAKE/bin/qemu-system-x86_64" <<'SH'
#!/bin/bash
echo "KTAP version 1"
echo "1..1"
echo "# kff: test-start xcr0 uptime=14.000 stress=ipi clobber=0 seconds=5"
sleep 3
echo "    ok 1 xcr0"
echo "    ok 2 vmm_alive"
echo "# kff: test-end xcr0 uptime=20.00 rc=0 taint=0->0"
echo "ok 1 xcr0"
echo "# kff: done uptime=20.1"
# a stray child that keeps the console (stdout) open after QEMU is gone,
# and nothing else of what it inherited
(
	for fd in $(ls /proc/$BASHPID/fd); do
		[ "$fd" -le 2 ] || eval "exec $fd>&-"
	done
	exec sleep 60
) 2>/dev/null &
SH
	SECONDS=0
	run "$SCRIPTS/boot" none v4.1.52 --test xcr0 --timeout 2
	[ "$SECONDS" -lt 30 ]
	[ "$status" -eq 124 ]
	[ "$(jq -r .tests.xcr0.result "$CELL/result.json")" = timeout ]
	# the whole console is kept
	grep -q '^ok 1 xcr0' "$CELL/boot.log"
}

@test "hang report: RIPs are named from a System.map with KASLR taken off" {
	. "$SCRIPTS/lib/hang.sh"
	printf '%s\n' 'ffffffff81000000 T _text' 'ffffffff81000100 T do_work' \
		'ffffffff81000200 t spin_here' 'ffffffff81000300 D some_data' 'ffffffff81100000 T _etext' \
		>"$BATS_TEST_TMPDIR/System.map"
	run kff_hang_symbolize "$BATS_TEST_TMPDIR/System.map" ffffffffa0200000 <<'EOF'
CPU#0
RIP=ffffffffa0200234 RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0
CPU#1
RIP=ffffffffa0200100 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1
CPU#0
RIP=ffffffffc0123456 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0
CPU#1
EIP=000fd09a EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=1
EOF
	echo "$output"
	[ "${lines[0]}" = "sample 1 vCPU 0: RIP ffffffffa0200234 (link-time ffffffff81000234) spin_here+0x34 IF=1 CPL=0 HLT=0" ]
	[ "${lines[1]}" = "sample 1 vCPU 1: RIP ffffffffa0200100 (link-time ffffffff81000100) do_work+0x0 IF=0 CPL=0 HLT=1" ]
	[ "${lines[2]}" = "sample 2 vCPU 0: RIP ffffffffc0123456 (link-time -) (module space) IF=0 CPL=0 HLT=0" ]
	[[ ${lines[3]} == "sample 2 vCPU 1: EIP 000fd09a (not in 64-bit mode"* ]]
	# no map: the link-time address still, no name
	run kff_hang_symbolize '' ffffffffa0200000 <<<$'CPU#0\nRIP=ffffffffa0200234 RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0'
	[ "$output" = "sample 1 vCPU 0: RIP ffffffffa0200234 (link-time ffffffff81000234) (no System.map) IF=1 CPL=0 HLT=0" ]
}
