# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for every script under scripts/: logging, the exit-code
# contract, and where things live (repo, cache, stacks, bases, trees).
# Source it; it sets nothing but KFF_* variables and kff_* functions.

KFF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KFF_CACHE=${KFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-fpu-fixes}
KFF_PROG=${KFF_PROG:-$(basename "$0")}
KFF_STACKS="mainline stable-5.4 stable-5.3 stable-5.2 stable-4.x stable-3.11"
# Tests point these at generated fixtures.
KFF_BASES=${KFF_BASES:-$KFF_ROOT/bases}
KFF_SERIES=${KFF_SERIES:-$KFF_ROOT/series}

# Exit codes (shared/DESIGN.md).
# shellcheck disable=SC2034 # part of the contract, used by sourcing scripts
KFF_OK=0
KFF_FAIL=1
KFF_USAGE=2
KFF_SKIP=4
# shellcheck disable=SC2034
KFF_TIMEOUT=124

kff_log()  { printf '%s: %s\n' "$KFF_PROG" "$*" >&2; }
kff_warn() { printf '%s: warning: %s\n' "$KFF_PROG" "$*" >&2; }

# One line on stderr, then the exit code of the contract.
kff_usage_error() { printf '%s: %s\n' "$KFF_PROG" "$*" >&2; exit "$KFF_USAGE"; }
kff_fail()        { printf '%s: %s\n' "$KFF_PROG" "$*" >&2; exit "$KFF_FAIL"; }
kff_skip()        { printf '%s: skip: %s\n' "$KFF_PROG" "$*" >&2; exit "$KFF_SKIP"; }

# Print the script's leading comment block (after the shebang) as its help.
kff_help() {
	sed -n '2,/^[^#]/{/^#/!q;/SPDX-License-Identifier/d;s/^# \{0,1\}//;p}' "$0" | sed '/./,$!d'
	exit 0
}

# Any -h/--help among the arguments prints help.
kff_maybe_help() {
	local a
	for a in "$@"; do
		case $a in -h|--help) kff_help ;; esac
	done
}

# Stack name -> directory; unknown stacks are a usage error.
kff_stack_dir() {
	local stack=$1
	case " $KFF_STACKS " in
	*" $stack "*) ;;
	*) kff_usage_error "unknown stack '$stack' (known: $KFF_STACKS)" ;;
	esac
	[ -f "$KFF_ROOT/$stack/series" ] ||
		kff_usage_error "stack '$stack' has no series file ($KFF_ROOT/$stack/series)"
	printf '%s\n' "$KFF_ROOT/$stack"
}

# Base definitions live in bases/<name>: "key value" lines, '#' comments.
kff_base_file() { printf '%s/%s\n' "$KFF_BASES" "$1"; }

kff_base_known() { [ -f "$(kff_base_file "$1")" ]; }

# kff_base_get <base> <key>: first value of key (empty when absent).
kff_base_get() {
	local f
	f=$(kff_base_file "$1")
	[ -f "$f" ] || return 0
	awk -v k="$2" '$1 == k { $1 = ""; sub(/^ +/, ""); if ($0 != "-") print; exit }' "$f"
}

# kff_base_blobs <base>: "path blob" lines of the recorded fingerprint.
kff_base_blobs() {
	local f
	f=$(kff_base_file "$1")
	[ -f "$f" ] || return 0
	awk '$1 == "blob" { print $2, $3 }' "$f"
}

kff_tree_dir() { printf '%s/trees/%s\n' "$KFF_CACHE" "$1"; }

kff_tree_cached() { [ -d "$(kff_tree_dir "$1")/.git" ]; }

# How a user gets a base into the cache, as a command line.
kff_import_hint() {
	local base=$1 src commit subdir
	src=$(kff_base_get "$base" source)
	commit=$(kff_base_get "$base" commit)
	subdir=$(kff_base_get "$base" subdir)
	case $base in
	debian-*) printf 'scripts/tree fetch %s\n' "$base"; return ;;
	esac
	if [ -n "$src" ]; then
		printf 'scripts/tree fetch %s  (or: scripts/tree import %s <git dir of %s> %s%s)\n' \
			"$base" "$base" "$src" "$commit" "${subdir:+ --subdir $subdir}"
	else
		printf 'scripts/tree import %s <git dir|tarball|directory>\n' "$base"
	fi
}

# kff_resolve_tree <base|dir>: a directory holding a kernel tree, or exit 2/4.
# A name that is neither a directory nor a known base is bad input; a known
# base that is not cached is a missing prerequisite.
kff_resolve_tree() {
	local arg=$1 dir
	if [[ $arg == */* || $arg == . || $arg == .. ]]; then
		[ -e "$arg" ] || kff_usage_error "tree directory '$arg' does not exist"
		[ -d "$arg" ] || kff_usage_error "'$arg' is not a directory"
		dir=$(cd "$arg" && pwd)
		[ -n "$(ls -A "$dir")" ] || kff_usage_error "tree directory '$arg' is empty"
		[ -f "$dir/Makefile" ] && [ -d "$dir/arch/x86" ] ||
			kff_usage_error "'$arg' is not a kernel source tree (no Makefile and arch/x86/)"
		printf '%s\n' "$dir"
		return
	fi
	if kff_tree_cached "$arg"; then
		kff_tree_dir "$arg"
		return
	fi
	kff_base_known "$arg" ||
		kff_usage_error "unknown base '$arg' (known: $(kff_bases | tr '\n' ' ')or a directory path containing a '/')"
	kff_skip "base '$arg' is not in the cache; get it with: $(kff_import_hint "$arg")"
}

kff_bases() { (cd "$KFF_BASES" && ls); }

# Rows of the top-level series file: "stack base tests", comments dropped.
kff_series_rows() {
	awk '!/^[[:space:]]*(#|$)/ { print $1, $2, $3 }' "$KFF_SERIES"
}

# Patch files of a stack in series order (quilt series: first word per line).
kff_stack_patches() {
	local dir
	dir=$(kff_stack_dir "$1")
	awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$dir/series" |
		while read -r p; do printf '%s/%s\n' "$dir" "$p"; done
}

# git with a fixed identity and no user config, for the cache's own repos.
kff_git() {
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_SYSTEM=/dev/null \
	GIT_AUTHOR_NAME=kvm-fpu-fixes GIT_AUTHOR_EMAIL=kff@localhost \
	GIT_COMMITTER_NAME=kvm-fpu-fixes GIT_COMMITTER_EMAIL=kff@localhost \
	GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
		git -c init.defaultBranch=base -c advice.detachedHead=false \
		-c core.autocrlf=false -c gc.auto=0 "$@"
}

kff_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			kff_skip "'$c' is not installed (make deps, or apt-get install $(kff_pkg_for "$c"))"
	done
}

kff_pkg_for() {
	case $1 in
	quilt) echo quilt ;;
	qemu-system-x86_64) echo qemu-system-x86 ;;
	busybox) echo busybox-static ;;
	ccache) echo ccache ;;
	jq) echo jq ;;
	*) echo "$1" ;;
	esac
}
