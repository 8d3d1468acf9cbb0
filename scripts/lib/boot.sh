# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of scripts/boot that need no QEMU: the names it accepts, the
# stress defaults, and the parser that turns a console log into result JSON.
# Source after common.sh.

# shellcheck disable=SC2034 # used by scripts/boot
KFF_BOOT_TESTS="xcr0 fpu-state emulator"
# shellcheck disable=SC2034
KFF_BOOT_MODES="ipi hrtimer softirq none"

# Default stressor per test: bug 1 needs only an interrupt that may use the
# FPU while the guest XCR0 is loaded; bug 2 needs one that really clobbers
# the registers (clobber=1).
kff_boot_default_stress() {
	case $1 in
	xcr0) echo "ipi 0" ;;
	*) echo "ipi 1" ;;
	esac
}

# kff_boot_parse <console log> <test,test,...> [timed-out 0|1]
# Print the result JSON of one boot. Needs awk and jq. The log is what the
# guest printed on its serial console (the KTAP of repro/initramfs/init,
# interleaved with kernel messages).
kff_boot_parse() {
	local log=$1 tests=$2 timedout=${3:-0}
	tr -d '\r' <"$log" | awk -v tests="$tests" -v timedout="$timedout" '
	function emit(t, k, v) { printf "T\t%s\t%s\t%s\n", t, k, v }
	function gemit(k, v) { printf "G\t%s\t%s\n", k, v }
	function ts(line,   m) {
		# printk time stamp "[  12.345678] ..." -> seconds, or -1
		if (match(line, /^\[ *[0-9]+\.[0-9]+\]/)) {
			m = substr(line, RSTART + 1, RLENGTH - 2)
			gsub(/ /, "", m)
			return m + 0
		}
		return -1
	}
	function kv(s, key,   i, n, a, p) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) {
			p = index(a[i], "=")
			if (p > 1 && substr(a[i], 1, p - 1) == key)
				return substr(a[i], p + 1)
		}
		return ""
	}
	function report(t, line, src) {
		if (line ~ /Kernel panic/) { panic[t] = 1 }
		if (line ~ /WARNING:/) { warn[t] = 1 }
		if (line ~ /BUG:|kernel BUG/) { bug[t] = 1 }
		if (line ~ /Oops|general protection/) { oops[t] = 1 }
		if (!(t in firstreport)) { firstreport[t] = line }
		# time to detection: printk stamp of the report minus the test start
		if (ts(line) >= 0 && startup[t] != "") {
			d = (ts(line) - startup[t]) * 1000
			if (d >= 0 && (!(t in det) || d < det[t])) { det[t] = d }
		}
	}
	BEGIN {
		ntests = split(tests, tlist, ",")
		for (i = 1; i <= ntests; i++) { want[tlist[i]] = 1 }
		cur = ""
		first = ""
		last_ts = -1
		badre = "Kernel panic|WARNING:|BUG:|kernel BUG|Oops|general protection"
	}
	{ line = $0 }
	# Kernel messages on the console (time-stamped), wherever they are.
	ts(line) >= 0 { last_ts = ts(line) }
	/KTAP version 1$/ { ktap = 1 }
	/^# kff: kernel / { gemit("kernel", $4); gemit("cpus", $6) }
	/^# kff: test-start / {
		cur = $4
		started[cur] = 1
		up = kv(line, "uptime")
		emit(cur, "start_uptime_s", up)
		emit(cur, "stress_mode", kv(line, "stress"))
		emit(cur, "clobber", kv(line, "clobber"))
		emit(cur, "seconds", kv(line, "seconds"))
		startup[cur] = up
		if (first == "") { first = cur; gemit("boot_to_first_test_s", up) }
		next
	}
	/^# kff: test-end / {
		t = $4
		ended[t] = 1
		up = kv(line, "uptime")
		if (t in startup) { emit(t, "duration_s", sprintf("%.2f", up - startup[t])) }
		taint = kv(line, "taint")
		split(taint, tt, "->")
		emit(t, "taint_before", tt[1])
		emit(t, "taint_after", tt[2])
		cur = ""
		next
	}
	/^# kff: stress-final/ {
		n = split(line, a, " ")
		for (i = 4; i <= n; i++) {
			p = index(a[i], "=")
			if (p > 1) { emit(cur, "stress." substr(a[i], 1, p - 1), substr(a[i], p + 1)) }
		}
		next
	}
	/^# kff: dmesg: / {
		if (cur != "" && line ~ badre) { report(cur, substr(line, 15), "dmesg") }
		next
	}
	/^# kff: boot-error/ { gemit("boot_error", "true"); next }
	/^# kff: done/ { gemit("completed", "true"); next }
	# The program output, indented as a subtest.
	/^    / {
		if (cur == "") { next }
		l = substr(line, 5)
		low = tolower(l)
		if (match(low, /(time[ _-]to[ _-]detection|detected after|detection_ms)[^0-9]*[0-9]+(\.[0-9]+)?/)) {
			m = substr(low, RSTART, RLENGTH)
			rest = substr(low, RSTART + RLENGTH)
			match(m, /[0-9]+(\.[0-9]+)?$/)
			v = substr(m, RSTART, RLENGTH) + 0
			# milliseconds unless the number is followed by "s"
			if (rest ~ /^ *(s|sec)([^a-z]|$)/ && m !~ /_ms/) { v = v * 1000 }
			# the earliest report counts
			if (!(cur in det) || v < det[cur]) { det[cur] = v }
		}
		next
	}
	# Top-level KTAP results.
	/^(not )?ok [0-9]+ / {
		isok = (line !~ /^not /)
		rest = line
		sub(/^(not )?ok [0-9]+ /, "", rest)
		name = rest
		dir = ""
		p = index(rest, " # ")
		if (p > 0) { name = substr(rest, 1, p - 1); dir = substr(rest, p + 3) }
		if (!(name in want)) { next }
		verdict[name] = line
		if (!isok) { res[name] = "fail"; reason[name] = dir }
		else if (dir ~ /^SKIP/) {
			r = dir
			sub(/^SKIP */, "", r)
			reason[name] = r
			res[name] = (tolower(r) ~ /^not exercised/) ? "not-exercised" : "skip"
		} else { res[name] = "pass" }
		next
	}
	# Anything else with an error report is a kernel message on the console.
	line ~ badre {
		t = (cur != "") ? cur : "(boot)"
		report(t, line, "console")
		if (line ~ /Kernel panic/) {
			gemit("panic", "true")
			gemit("panic_line", line)
		}
	}
	END {
		if (!ktap) { gemit("ktap_seen", "false") }
		for (i = 1; i <= ntests; i++) {
			t = tlist[i]
			emit(t, "index", i)
			if (t in res) { r = res[t] }
			else if (panic[t]) { r = "fail"; reason[t] = "host kernel panic while the test ran" }
			else if ((t in started) && timedout) { r = "timeout"; reason[t] = "no result before the boot timed out" }
			else if (t in started) { r = "fail"; reason[t] = "the guest stopped before the test reported (no panic seen)" }
			else if (panic["(boot)"]) { r = "not-run"; reason[t] = "the kernel panicked before the test" }
			else if (timedout) { r = "not-run"; reason[t] = "the boot timed out before the test" }
			else { r = "not-run"; reason[t] = "the guest never started the test" }
			emit(t, "result", r)
			emit(t, "reason", reason[t])
			emit(t, "ktap", verdict[t])
			emit(t, "panic", panic[t] ? "true" : "false")
			emit(t, "warn", warn[t] ? "true" : "false")
			emit(t, "bug", bug[t] ? "true" : "false")
			emit(t, "oops", oops[t] ? "true" : "false")
			if (t in firstreport) { emit(t, "kernel_report", firstreport[t]) }
			if (t in det) { emit(t, "detection_ms", sprintf("%.1f", det[t])) }
		}
		if (panic["(boot)"] || warn["(boot)"] || bug["(boot)"] || oops["(boot)"]) {
			gemit("boot_report", firstreport["(boot)"])
		}
	}' | jq -R -s --argjson timedout "$timedout" '
		def val: if test("^-?[0-9]+(\\.[0-9]+)?$") then tonumber
			 elif . == "true" then true elif . == "false" then false
			 elif . == "" then null else . end;
		[split("\n")[] | select(length > 0) | split("\t")] as $rows
		| ($rows | map(select(.[0] == "G")) | map({(.[1]): (.[2] | val)}) | add // {}) as $g
		| ($rows | map(select(.[0] == "T")) | reduce .[] as $r ({};
			if ($r[2] | startswith("stress."))
			then .[$r[1]].stress[$r[2] | ltrimstr("stress.")] = ($r[3] | val)
			else .[$r[1]][$r[2]] = ($r[3] | val) end)) as $t
		| {completed: false, panic: false, timeout: ($timedout == 1)} + $g
		| .tests = ($t | to_entries | sort_by(.value.index) | map(.value |= del(.index)) | from_entries)
		| .result = ([.tests[].result] as $r
			| if any($r[]; . == "fail") then "fail"
			  elif any($r[]; . == "timeout") then "timeout"
			  elif ($r | length) > 0 and all($r[]; . == "pass") then "pass"
			  elif .boot_report != null and .panic then "boot-failed"
			  elif .timeout then "timeout"
			  else "incomplete" end)'
}

# kff_boot_exit <result json file>: the exit code of scripts/boot for it.
kff_boot_exit() {
	case $(jq -r .result "$1") in
	pass) return 0 ;;
	fail|boot-failed) return 1 ;;
	timeout) return 124 ;;
	*) return 4 ;;
	esac
}
