# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The quick re-build of scripts/build: when a warm re-build changed only .c
# files of modules (or, with --kvm-only, of the KVM and FPU directories),
# run the commands kbuild saved for exactly the targets that depend on them
# instead of make's walk over the whole tree, which costs more than the
# compile itself. kbuild's own bookkeeping is kept as kbuild keeps it (the
# object's .cmd file is rewritten by fixdep from the same saved command), so
# a later make finds those targets up to date, and anything the quick path
# does not know to be safe is left to make. Documentation/building.rst,
# "Quick re-builds", says what is checked. Source after common.sh.

# Options that add per-object steps (objtool, genksyms, recordmcount, ksym
# trimming) or per-module install steps (signing, compression), or make
# modpost depend on the sources: the quick path does not replay those.
KFF_QUICK_BLOCKERS='CONFIG_MODVERSIONS CONFIG_FTRACE_MCOUNT_RECORD CONFIG_STACK_VALIDATION
CONFIG_OBJTOOL CONFIG_TRIM_UNUSED_KSYMS CONFIG_MODULE_SIG_ALL CONFIG_MODULE_COMPRESS
CONFIG_MODULE_COMPRESS_GZIP CONFIG_MODULE_COMPRESS_XZ CONFIG_MODULE_COMPRESS_ZSTD
CONFIG_MODULE_SRCVERSION_ALL CONFIG_LTO_CLANG CONFIG_DEBUG_INFO_BTF_MODULES'

# kff_quick_blocker <.config>: the first blocking option set there, if any.
kff_quick_blocker() {
	local o
	for o in $KFF_QUICK_BLOCKERS; do
		if grep -q "^$o=y" "$1"; then
			echo "$o"
			return 0
		fi
	done
	return 1
}

# kff_quick_cmdfile <target>: kbuild's saved-command file of a target
# (relative to the build directory): <dir>/.<name>.cmd.
kff_quick_cmdfile() {
	printf '%s/.%s.cmd\n' "$(dirname "$1")" "$(basename "$1")"
}

# kff_quick_target <cmd-file>: the target a .cmd file was saved for.
kff_quick_target() {
	sed -n '1s/^cmd_\(.*\) := .*/\1/p' "$1"
}

# kff_quick_saved <cmd-file> <target>: the saved command as written in the
# file (make-escaped), what fixdep is given to write it back unchanged.
kff_quick_saved() {
	awk -v t="cmd_$2 := " 'index($0, t) == 1 { print substr($0, length(t) + 1); exit }' "$1"
}

# kff_quick_expand <cmd-file> <target>: the saved command as make expands
# it, i.e. what kbuild compares with the current one and would run. A "#"
# is saved as $(pound) (5.x) or $(kff-pound) (our make-4.3 compat patch).
kff_quick_expand() {
	# shellcheck disable=SC2016 # make syntax, not shell
	printf 'pound := \\#\nkff-pound := \\#\ninclude %s\n$(info $(cmd_%s))\nkff-nothing: ;@:\n.DEFAULT_GOAL := kff-nothing\n' \
		"$1" "$2" | make -s -r -R --no-print-directory -f -
}

# kff_quick_modules <build-dir>: "<module> <member object>..." a line per
# module of the last build (paths relative to the build directory, no .ko).
# 5.4+: <module>.mod lists the objects; before: .tmp_versions/<name>.mod,
# whose first line is the .ko and second the objects.
# The modules come from every modules.order (a --kvm-only build has no
# top-level one, only its directories').
kff_quick_modules() {
	local bld=$1 k m f
	while read -r k; do
		k=${k#kernel/}
		m=${k%.ko}
		if [ -f "$bld/$m.mod" ]; then
			printf '%s %s\n' "$m" "$(head -n1 "$bld/$m.mod")"
		elif [ -f "$bld/.tmp_versions/$(basename "$m").mod" ]; then
			f=$bld/.tmp_versions/$(basename "$m").mod
			[ "$(head -n1 "$f")" = "$k" ] || continue
			printf '%s %s\n' "$m" "$(sed -n 2p "$f")"
		fi
	done < <(find "$bld" -name modules.order -type f -exec cat {} + | awk '!seen[$0]++')
}

# kff_quick_fingerprint <object>: what modpost reads from a module object:
# its undefined and exported symbols, device tables and .modinfo. If this
# is unchanged, so are modpost's <module>.mod.c and Module.symvers.
kff_quick_fingerprint() {
	nm -P "$1" | awk '$2 == "U" || $1 ~ /^__(ksymtab|kstrtab|kcrctab|crc_|mod_)/ {
		print $1, ($2 == "U" ? "U" : "D") }' | LC_ALL=C sort
	# (no .modinfo section: objdump fails, and there is nothing to print)
	{ objdump -s -j .modinfo "$1" 2>/dev/null || true; } | sed -n '/^Contents of section/,$p'
}

# kff_quick_plan <build-dir> <mode> <synced-list> [<kvm-only target>...]
# Decides whether the files synced this time can be re-built by replaying
# saved commands. Prints the plan, a step a line:
#   compile <object>        recompile (and fixdep) an object
#   module <module>         relink <module>.o if it is a composite, rewrite
#                           <module>.mod (5.4+), then <module>.ko
#   archive <built-in>      re-make a directory's built-in.a/.o (--kvm-only)
# or, when make has to do it, one line "make: <why>" and returns 1.
kff_quick_plan() {
	local bld=$1 mode=$2 synced=$3 f cmdf t src m members dirs=() d a inside
	shift 3
	local targets=("$@")
	local -A modof=() mods=()
	if f=$(kff_quick_blocker "$bld/.config"); then
		echo "make: $f=y adds build steps the quick path does not replay"
		return 1
	fi
	while read -r m members; do
		for t in $members; do modof[$t]=$m; done
	done < <(kff_quick_modules "$bld")
	for t in "${targets[@]}"; do
		case $t in */) dirs+=("$t") ;; esac
	done
	while IFS= read -r f; do
		case $f in
		'deleting '*) echo "make: ${f#deleting } was deleted"; return 1 ;;
		*/) continue ;;
		*.c) ;;
		*) echo "make: $f is not a .c file"; return 1 ;;
		esac
		cmdf=$(dirname "$f")/.$(basename "${f%.c}").o.cmd
		if [ ! -f "$bld/$cmdf" ]; then
			echo "make: no saved command for ${f%.c}.o"
			return 1
		fi
		t=$(kff_quick_target "$bld/$cmdf")
		src=$(awk -v k="source_$t := " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' "$bld/$cmdf")
		if [ -z "$t" ] || [ ! -f "$bld/$t" ] || [[ $src != */"$f" ]]; then
			echo "make: the saved command in $cmdf is not the compile of $f"
			return 1
		fi
		# A .c file that another object #includes: make knows which.
		if grep -rlF --include='.*.cmd' -e "/$f" "$bld" | grep -vqxF "$bld/$cmdf"; then
			echo "make: $f is a dependency of other objects too"
			return 1
		fi
		if [ "$mode" = kvm-only ]; then
			# --kvm-only builds these directories and objects only.
			inside=0
			for d in "${targets[@]}"; do
				case $d in
				*/) [[ $t != "$d"* ]] || inside=1 ;;
				*) [ "$t" != "$d" ] || inside=1 ;;
				esac
			done
			[ "$inside" = 1 ] || continue
		fi
		echo "compile $t"
		if [ -n "${modof[$t]:-}" ]; then
			mods[${modof[$t]}]=1
		elif [ "$mode" = full ]; then
			echo "make: $f is built into vmlinux (make relinks it)"
			return 1
		fi
		if [ "$mode" = kvm-only ] && [ -z "${modof[$t]:-}" ]; then
			for d in "${dirs[@]}"; do
				[ "$(dirname "$t")/" = "$d" ] || continue
				for a in built-in.a built-in.o; do
					if [ -f "$bld/$d.$a.cmd" ] && grep -qF -e " $t" "$bld/$d.$a.cmd"; then
						echo "archive $d$a"
					fi
				done
			done
		fi
	done <"$synced"
	# Before 3.13 every composite module of a directory depends on the
	# members of all of them: make would relink the siblings too.
	# shellcheck disable=SC2016 # make text, not an expansion
	if grep -qF '$(multi-used-m) : %.o: $(multi-objs-m)' "$bld/source/scripts/Makefile.build" 2>/dev/null; then
		while read -r m members; do
			[ "$members" != "$m.o" ] || continue
			for d in "${!mods[@]}"; do
				[ "$(dirname "$d")" != "$(dirname "$m")" ] || mods[$m]=1
			done
		done < <(kff_quick_modules "$bld")
	fi
	for m in "${!mods[@]}"; do
		echo "module $m"
	done
}
