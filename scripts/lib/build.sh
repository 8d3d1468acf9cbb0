# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for scripts/build and scripts/bench-build: which config fragments a
# tree gets, the "# required" marker, the compiler wrapper that keeps each
# object's warnings, and the warning comparison. Source after common.sh.

# kff_build_version <src>: "VERSION PATCHLEVEL" from a tree's top Makefile.
kff_build_version() {
	awk -F'[ \t]*=[ \t]*' '
		$1 == "VERSION"    { v = $2 }
		$1 == "PATCHLEVEL" { p = $2 }
		END { if (v == "" || p == "") exit 1; print v, p }' "$1/Makefile"
}

# kff_build_era <src>: the config fragment era of a tree.
#   3.x  3.0 .. 4.1   i387-era FPU code (arch/x86/kernel/i387.c)
#   5.x  4.2 .. 6.x   arch/x86/kernel/fpu/
kff_build_era() {
	local v p
	read -r v p < <(kff_build_version "$1") || return 1
	if [ "$v" -lt 4 ] || { [ "$v" -eq 4 ] && [ "$p" -lt 2 ]; }; then
		echo 3.x
	else
		echo 5.x
	fi
}

# kff_build_fpu_targets <src>: the FPU code a --kvm-only build compiles.
kff_build_fpu_targets() {
	if [ "$(kff_build_era "$1")" = 3.x ]; then
		echo arch/x86/kernel/i387.o
	else
		echo arch/x86/kernel/fpu/
	fi
}

# kff_build_base_config <src>: tinyconfig where the tree has it (3.17+),
# allnoconfig before.
kff_build_base_config() {
	if grep -qs '^tinyconfig:' "$1/scripts/kconfig/Makefile" ||
	   grep -qs 'tinyconfig' "$1/scripts/kconfig/Makefile"; then
		echo tinyconfig
	else
		echo allnoconfig
	fi
}

# kff_build_fragments <base> <era>: fragment files, in merge order.
kff_build_fragments() {
	local base=$1 era=$2 d=$KFF_ROOT/configs
	printf '%s\n' "$d/common.config" "$d/$era.config"
	if [ -f "$d/$base.config" ]; then
		printf '%s\n' "$d/$base.config"
	fi
}

# kff_build_strip_fragments <merged-out> <required-out> <fragment>...
# Concatenates the fragments without their "# required" markers and lists
# the marked options, one "CONFIG_X=v" or "# CONFIG_X is not set" a line.
# A later fragment's setting of an option replaces an earlier one, also in
# the required list.
kff_build_strip_fragments() {
	local merged=$1 required=$2
	shift 2
	awk -v req="$required" '
		BEGIN { printf "" > req }
		function optname(line) {
			if (match(line, /CONFIG_[A-Za-z0-9_]+/))
				return substr(line, RSTART, RLENGTH)
			return ""
		}
		{
			line = $0
			isreq = sub(/[ \t]+#[ \t]*required[ \t]*$/, "", line)
			name = ""
			if (line ~ /^CONFIG_[A-Za-z0-9_]+=/ || line ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/)
				name = optname(line)
			else if (isreq) {
				printf "%s:%d: \"# required\" on a line that sets no option\n", FILENAME, FNR > "/dev/stderr"
				bad = 1
			}
			print line
			if (name != "") {
				if (isreq) { want[name] = line; order[++n] = name }
				else delete want[name]
			}
		}
		END {
			for (i = 1; i <= n; i++) {
				nm = order[i]
				if ((nm in want) && !(nm in done)) { print want[nm] > req; done[nm] = 1 }
			}
			exit bad
		}' "$@" > "$merged"
}

# kff_build_check_required <.config> <required-list>: prints one line per
# required option that olddefconfig dropped or changed; fails if any.
kff_build_check_required() {
	awk '
		FNR == NR { want[++n] = $0; next }
		/^CONFIG_[A-Za-z0-9_]+=/ { split($0, kv, "="); have[kv[1]] = $0 }
		END {
			for (i = 1; i <= n; i++) {
				w = want[i]
				if (w ~ /^# /) {
					split(w, f, " "); name = f[2]
					if (name in have && have[name] !~ /=n$/) {
						printf "%s (wanted: %s)\n", have[name], w; bad = 1
					}
				} else {
					split(w, kv, "="); name = kv[1]
					if (!(name in have)) {
						printf "%s is not set (wanted: %s)\n", name, w; bad = 1
					} else if (have[name] != w) {
						printf "%s (wanted: %s)\n", have[name], w; bad = 1
					}
				}
			}
			exit bad
		}' "$2" "$1"
}

# kff_build_write_cc_wrapper <path>: a compiler wrapper that runs the real
# command line and keeps the compiler's stderr beside each object it makes
# ("<obj>.kffwarn"), so a warm re-build still knows the warnings of the
# objects it did not recompile.
kff_build_write_cc_wrapper() {
	cat > "$1" <<'EOF'
#!/bin/sh
# Written by scripts/build. Runs "$@" unchanged; when it writes an object
# file, its stderr is also kept in <object>.kffwarn for the warning count.
out=
prev=
for a do
	if [ "$prev" = -o ]; then out=$a; fi
	prev=$a
done
case $out in
*.o) ;;
*) exec "$@" ;;
esac
"$@" 2>"$out.kffwarn.tmp"
rc=$?
cat "$out.kffwarn.tmp" >&2
if [ -s "$out.kffwarn.tmp" ]; then
	mv -f "$out.kffwarn.tmp" "$out.kffwarn"
else
	rm -f "$out.kffwarn.tmp" "$out.kffwarn"
fi
exit $rc
EOF
	chmod +x "$1"
}

# kff_build_warnings <build-dir> <src-dir>: every distinct compiler warning
# kept by the wrapper, as "path: warning: text [-Wflag]" with the path made
# relative to the source tree and line/column numbers dropped (a patch moves
# lines; it should not make an old warning look new).
kff_build_warnings() {
	local bld=$1 src=$2 rel
	rel=$(realpath -m --relative-to="$bld" "$src")
	find "$bld" -name '*.kffwarn' -type f -print0 |
		xargs -0 -r cat | kff_build_ascii_quotes |
		awk -v src="$src/" -v rel="$rel/" '
			/: warning: / {
				i = index($0, ": warning: ")
				loc = substr($0, 1, i - 1); msg = substr($0, i + 2)
				sub(/(:[0-9]+)+$/, "", loc)
				if (index(loc, src) == 1) loc = substr(loc, length(src) + 1)
				while (index(loc, rel) == 1) loc = substr(loc, length(rel) + 1)
				sub(/^\.\//, "", loc)
				print loc ": " msg
			}' |
		LC_ALL=C sort -u
}

# kff_build_touched <patch>...: files the patches change, from their
# "diff --git a/X b/Y" lines (Y; a deleted file keeps its path).
kff_build_touched() {
	[ $# -gt 0 ] || return 0
	awk '/^diff --git / { f = $4; sub(/^b\//, "", f); print f }' "$@" | LC_ALL=C sort -u
}

# kff_build_filter_touched <touched-list> < warnings: warnings in those files.
kff_build_filter_touched() {
	awk 'FNR == NR { t[$0] = 1; next }
	     { i = index($0, ": warning: "); if (substr($0, 1, i - 1) in t) print }' "$1" -
}

# kff_build_new_warnings <after> <before>: lines of after missing in before.
kff_build_new_warnings() {
	LC_ALL=C comm -23 <(kff_build_ascii_quotes <"$1" | LC_ALL=C sort -u) \
		<(kff_build_ascii_quotes <"$2" | LC_ALL=C sort -u)
}

# kff_build_ascii_quotes: gcc quotes names with U+2018/U+2019 in a UTF-8
# locale and with ' in the C locale, and ccache replays whichever the first
# compile printed: the same warning must compare equal either way.
kff_build_ascii_quotes() {
	sed -e "s/\xe2\x80\x98/'/g" -e "s/\xe2\x80\x99/'/g"
}

# kff_build_now: seconds since the epoch with milliseconds.
kff_build_now() { date +%s.%3N; }

# kff_build_since <start>: elapsed seconds, one decimal.
kff_build_since() { awk -v s="$1" -v e="$(kff_build_now)" 'BEGIN { printf "%.1f\n", e - s }'; }
