# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Reading a stack: where it is, its patches in order, what it fixes.
# A stack is named (mainline, stable-5.4, ...) or given as a directory path
# (a user's own variant); "none" means no patches at all.

# A stack may be narrowed to some of its patches: "<stack>:<N>[,<N>...]"
# (patch numbers, 1 or 0001), e.g. stable-3.11:1 for a user who takes only
# the first fix. Its cell is named "<stack>-<NNNN>[-<NNNN>...]".
kff_stack_subset_re='^(.+):([0-9]+(,[0-9]+)*)$'

# kff_stack_cell_name <stack-arg>: the name a stack argument's cells carry.
kff_stack_cell_name() {
	local arg=$1 name sel n
	if [[ $arg =~ $kff_stack_subset_re ]]; then
		name=${BASH_REMATCH[1]} sel=${BASH_REMATCH[2]}
		[[ $name == */* ]] && name=$(basename "$name")
		for n in ${sel//,/ }; do name+=$(printf -- '-%04d' "$((10#$n))"); done
		printf '%s\n' "$name"
	elif [[ $arg == */* ]]; then
		basename "$(cd "$arg" && pwd)"
	else
		printf '%s\n' "$arg"
	fi
}

# kff_stack_resolve <stack|dir|none|stack:N,...>: sets STACK_NAME and STACK_DIR.
# shellcheck disable=SC2034 # STACK_NAME is for the caller
kff_stack_resolve() {
	local arg=$1
	if [[ $arg =~ $kff_stack_subset_re ]]; then
		kff_stack_resolve_subset "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		return
	fi
	if [ "$arg" = none ]; then
		STACK_NAME=none
		STACK_DIR=
		return
	fi
	if [[ $arg == */* ]]; then
		[ -d "$arg" ] || kff_usage_error "stack directory '$arg' does not exist"
		STACK_DIR=$(cd "$arg" && pwd)
		STACK_NAME=$(basename "$STACK_DIR")
		[ -f "$STACK_DIR/series" ] || kff_usage_error "stack directory '$arg' has no series file"
	else
		STACK_DIR=$(kff_stack_dir "$arg")
		STACK_NAME=$arg
	fi
	kff_stack_validate_series "$STACK_DIR"
}

# The patches of stack <from> numbered in <sel> ("1,3"), as a stack
# directory of its own under the cache (rewritten on every call).
kff_stack_resolve_subset() {
	local from=$1 sel=$2 n f name files=() dir
	kff_stack_resolve "$from"
	[ "$STACK_NAME" != none ] || kff_usage_error "stack 'none' has no patches to select"
	name=$(kff_stack_cell_name "$from:$sel")
	for n in ${sel//,/ }; do
		f=$(kff_stack_files | awk -v p="$(printf '%04d-' "$((10#$n))")" \
			'{ b = $0; sub(/.*\//, "", b) } index(b, p) == 1 { print; exit }')
		[ -n "$f" ] || kff_usage_error "stack '$STACK_NAME' has no patch $n (its series: $(kff_stack_files | xargs -n1 basename | paste -sd' ' -))"
		case " ${files[*]} " in *" $f "*) kff_usage_error "patch $n is selected twice in '$from:$sel'" ;; esac
		files+=("$f")
	done
	dir=$KFF_CACHE/stacks/$name
	rm -rf "$dir" && mkdir -p "$dir"
	# Series order, whatever order the numbers were given in.
	kff_stack_files | while read -r f; do
		case " ${files[*]} " in *" $f "*) cp "$f" "$dir/" && basename "$f" ;; esac
	done >"$dir/series"
	[ -f "$STACK_DIR/checkpatch-ignore" ] && cp "$STACK_DIR/checkpatch-ignore" "$dir/"
	STACK_DIR=$dir
	STACK_NAME=$name
}

# A quilt series names patch files, one per line, optionally "-pN"; we take
# only plain "NNNN-name.patch" entries in this directory, each once, existing.
kff_stack_validate_series() {
	local dir=$1 line n=0 name opt extra seen=" "
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%%#*}
		read -r name opt extra <<<"$line" || true
		[ -n "${name:-}" ] || continue
		[ -z "${extra:-}" ] && { [ -z "${opt:-}" ] || [ "$opt" = -p1 ]; } ||
			kff_usage_error "malformed series line $n in $dir/series: '$line' (want '<file>.patch [-p1]')"
		[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*\.patch$ ]] ||
			kff_usage_error "malformed series line $n in $dir/series: '$name' is not a patch file name in this directory"
		[ -f "$dir/$name" ] ||
			kff_usage_error "series line $n in $dir/series names '$name', which does not exist"
		[ -s "$dir/$name" ] || kff_usage_error "patch '$dir/$name' is empty"
		case $seen in *" $name "*) kff_usage_error "series in $dir lists '$name' twice" ;; esac
		seen="$seen$name "
	done <"$dir/series"
	[ "$seen" != " " ] || kff_usage_error "series in $dir lists no patches"
}

# Patch paths of the resolved stack in series order.
kff_stack_files() {
	[ -n "$STACK_DIR" ] || return 0
	awk '{ sub(/#.*/, "") } NF { print $1 }' "$STACK_DIR/series" |
		while read -r p; do printf '%s/%s\n' "$STACK_DIR" "$p"; done
}

# Which bug a stack fixes (the scripts/status key): from what its patches
# say (bug 2's all name TIF_NEED_FPU_LOAD, bug 1's the guest XCR0; bug 1's
# first patch touches arch/x86/kvm only), else from the files they touch.
kff_stack_bug() {
	local files
	if kff_stack_files | xargs -r grep -q 'TIF_NEED_FPU_LOAD' 2>/dev/null; then
		echo tif_need_fpu_load
		return
	fi
	if kff_stack_files | xargs -r grep -qi 'guest.*xcr0\|xcr0.*guest' 2>/dev/null; then
		echo xcr0
		return
	fi
	files=$(kff_stack_files | xargs -r grep -h '^+++ b/' 2>/dev/null || true)
	if grep -q 'i387\|fpu-internal' <<<"$files"; then
		echo xcr0
	elif grep -q 'arch/x86/kvm\|arch/x86/kernel/fpu' <<<"$files"; then
		echo tif_need_fpu_load
	fi
}
