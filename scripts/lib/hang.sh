# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What scripts/boot keeps of a hung boot: the vCPUs' registers read through
# QEMU's monitor (a unix socket), three times two seconds apart, and each
# vCPU's RIP named as function+offset from the kernel's System.map. Three
# samples tell a vCPU spinning in one place from one that moves. Needs
# socat; without it the report says so and the boot is still a hang.

# kff_hang_monitor <socket> <command>: the monitor's answer, without the
# terminal escapes and carriage returns of its line editor. The command is
# followed by one the monitor does not know: its echo marks the end of the
# answer, however long a busy QEMU takes to give it (a fixed wait cut
# "info registers -a" short on a loaded host, and the report lost vCPUs).
# The connection is held open until that mark, the socket's end, or
# KFF_HANG_MONITOR_TIMEOUT seconds (default 30).
kff_hang_monitor() {
	local sock=$1 cmd=$2 t=${KFF_HANG_MONITOR_TIMEOUT:-30} mark end
	mark=$(mktemp -u "${TMPDIR:-/tmp}/kff-monitor.XXXXXX")
	{
		printf '%s\nkff-end-of-answer\n' "$cmd"
		end=$((SECONDS + t))
		while [ ! -e "$mark" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
	} | timeout "$((t + 5))" socat -t 0.5 - "UNIX-CONNECT:$sock" 2>&1 |
		sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\r//g' |
		{
			# bash, not awk: mawk reads ahead and would not see the mark
			# until the connection closed.
			local line over=''
			while IFS= read -r line; do
				[ -z "$over" ] || continue
				if [[ $line == *kff-end-of-answer* ]]; then
					over=1
					: >"$mark"
				elif ! [[ $line =~ ^\(qemu\)\ . || $line =~ ^\(qemu\)\ *$ ]]; then
					printf '%s\n' "$line"
				fi
			done
			: >"$mark"
		}
	rm -f "$mark"
}

# kff_hang_symbolize <System.map> <run-time _text address or ''>: read
# "info registers -a" dumps on stdin, print one line per vCPU and dump:
#   sample <k> vCPU <n>: RIP <address> (link-time <address>) <function+0xoff>
#     IF=<0|1> CPL=<n> HLT=<0|1>
# (a vCPU still in 32-bit mode, firmware or early boot, shows its EIP).
# The link-time address (the KASLR offset taken off) is what to look up in
# a System.map found later, e.g. in Debian's linux-image-<release>-dbg.
# Arithmetic uses the low 32 bits: kernel text lies in 0xffffffff80000000-
# 0xffffffffc0000000 wherever KASLR puts it, and mawk has no 64-bit hex.
kff_hang_symbolize() {
	awk -v mapfile="$1" -v runtext="$2" '
	function hex(s,   i, n, c) {
		s = tolower(s); n = 0
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1))
			if (c == 0) return -1
			n = n * 16 + c - 1
		}
		return n
	}
	function low(s) { return hex(substr(s, length(s) - 7)) }
	function sym(a,   lo, hi, mid) {
		if (n == 0) return "(no System.map)"
		if (a < addr[1] || a > etext) return "(not in kernel text)"
		lo = 1; hi = n
		while (lo < hi) {
			mid = int((lo + hi + 1) / 2)
			if (addr[mid] <= a) lo = mid; else hi = mid - 1
		}
		return sprintf("%s+0x%x", name[lo], a - addr[lo])
	}
	BEGIN {
		while (mapfile != "" && (getline line < mapfile) > 0) {
			split(line, f, " ")
			if (f[2] ~ /^[TtWw]$/) { n++; addr[n] = low(f[1]); name[n] = f[3] }
			if (f[3] == "_text") text = low(f[1])
			if (f[3] == "_etext") etext = low(f[1])
		}
		# x86-64 links _text at 0xffffffff81000000 unless told otherwise
		if (text == "") text = hex("81000000")
		off = (runtext != "") ? low(runtext) - text : 0
		if (etext == "") etext = (n > 0) ? addr[n] : 0
	}
	/^== info registers/ { headers = 1; sample++ }
	/^== / && !/^== info registers/ { exit }
	/^CPU#[0-9]+/ { cpu = substr($1, 5); if (cpu == 0 && !headers) sample++ }
	/^EIP=/ {
		printf "sample %d vCPU %s: EIP %s (not in 64-bit mode: firmware or early boot) CPL=%s\n",
			sample, cpu, substr($1, 5), substr($4, 5)
	}
	/^RIP=/ {
		rip = substr($1, 5); fl = hex(substr($2, 5))
		cpl = $4; sub(/CPL=/, "", cpl); hlt = $0; sub(/.*HLT=/, "", hlt); sub(/ .*/, "", hlt)
		if (cpl == 3) { link = "-"; where = "(user space)" }
		else if (low(rip) >= hex("c0000000")) { link = "-"; where = "(module space)" }
		else { a = low(rip) - off; link = sprintf("ffffffff%08x", a); where = sym(a) }
		printf "sample %d vCPU %s: RIP %s (link-time %s) %s IF=%d CPL=%s HLT=%s\n", sample, cpu,
			rip, link, where, int(fl / 512) % 2, cpl, hlt
	}'
}

# kff_hang_report <socket> <System.map or ''> <console log>: the report of a
# hung boot on stdout: the per-vCPU summary first, then the raw dumps.
kff_hang_report() {
	local sock=$1 map=$2 log=$3 runtext k raw
	raw=$(mktemp)
	if ! command -v socat >/dev/null; then
		echo "no registers: socat is not installed (apt-get install socat)"
		rm -f "$raw"
		return 0
	fi
	for k in 1 2 3; do
		echo "== info registers -a ($k of 3)"
		kff_hang_monitor "$sock" 'info registers -a'
		[ "$k" = 3 ] || sleep 2
	done >"$raw"
	{ echo "== info cpus"; kff_hang_monitor "$sock" 'info cpus'; } >>"$raw"
	runtext=$(tr -d '\r' <"$log" 2>/dev/null | sed -n 's/^# kff: kernel-text \([0-9a-f]\{16\}\)$/\1/p' | head -n 1)
	echo "== where each vCPU was (System.map: ${map:-none}; _text at ${runtext:-unknown, KASLR offset taken as 0})"
	[ -n "$map" ] && [ -r "$map" ] || map=''
	kff_hang_symbolize "$map" "$runtext" <"$raw"
	cat "$raw"
	rm -f "$raw"
}
