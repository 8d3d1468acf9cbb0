# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The code reader behind scripts/status: decide, from what a kernel tree's
# code does (never from its version number or from our patch text), whether
# the tree has each of the two bugs.  Source it after common.sh, then:
#
#   kff_status_scan <tree-dir> <work-dir>
#
# writes <work-dir>/xcr0.json and <work-dir>/tif_need_fpu_load.json, each
# {"verdict": "affected"|"fixed"|"not-affected", "reason": "...",
#  "evidence": [{"file", "line", "function", "text"}...]}; the second also
# carries "checks" (one entry per upstream fix) and "hard_irq".
#
# How it reads C: kernel style puts a function's opening and closing braces
# alone in column 0, so a function is "the last column-0 line naming an
# identifier followed by '(' before a '{' line, through the next '}' line".
# Comment lines are ignored when looking for code.
#
# KFF_STATUS_FILES: every file the reader may look at, relative to the tree
# root.  Missing ones are fine (each belongs to some kernel era); a partial
# tree holding only these files is enough (scripts/status --files).

KFF_STATUS_FILES=(
	Makefile
	arch/x86/kernel/i387.c
	arch/x86/include/asm/i387.h
	arch/x86/include/asm/fpu-internal.h
	arch/x86/kernel/fpu/core.c
	arch/x86/kernel/fpu/context.h
	arch/x86/include/asm/fpu/internal.h
	arch/x86/include/asm/fpu/api.h
	arch/x86/include/asm/thread_info.h
	arch/x86/include/asm/kvm_host.h
	arch/x86/include/asm/kvm_emulate.h
	arch/x86/kvm/x86.c
	arch/x86/kvm/x86.h
	arch/x86/kvm/emulate.c
	arch/x86/kvm/fpu.h
	arch/x86/kvm/kvm_emulate.h
	arch/x86/kvm/svm.c
	arch/x86/kvm/svm/svm.c
	arch/x86/kvm/vmx.c
	arch/x86/kvm/vmx/vmx.c
	include/linux/kvm_host.h
)

# Files whose functions belong to the host FPU code (either era).
ST_FPU_FILES='^arch/x86/(kernel/i387\.c|include/asm/i387\.h|include/asm/fpu-internal\.h|kernel/fpu/|include/asm/fpu/)'
# Files of KVM's instruction emulator and its FPU helpers.
ST_EMU_FILES='^arch/x86/(kvm/(emulate\.c|fpu\.h|kvm_emulate\.h)|include/asm/kvm_emulate\.h)$'
# A comment line (or the inside of a block comment).
ST_COMMENT='^[[:space:]]*(\*|/\*|//)'
# A test of TIF_NEED_FPU_LOAD (not a set or a clear of it).
ST_TIF_TEST='(test_(tsk_)?thread_flag[[:space:]]*\([^)]*TIF_NEED_FPU_LOAD|_TIF_NEED_FPU_LOAD)'
# Saving the FPU registers into a memory image.
ST_SAVE='(copy_fpregs_to_fpstate|save_fpregs_to_fpstate)[[:space:]]*\('
# Inline assembly that reads or writes FPU/SSE/MMX registers.
ST_FPU_ASM='(asm|asm_safe)[[:space:]_a-z]*\(.*(movdqa|movq[^"]*%%mm|fninit|fnstcw|fnstsw|fxsave|fxrstor|fwait)'

ST_TREE=
ST_W=

# st_index: $ST_W/index, one row per function definition
# (file, name, header line, opening line, closing line), and $ST_W/lines,
# every code line of every function (file, line, function, text).
st_index() {
	local f files=()
	for f in "${KFF_STATUS_FILES[@]}"; do
		[ -f "$ST_TREE/$f" ] && files+=("$f")
	done
	: >"$ST_W/index"
	: >"$ST_W/lines"
	[ ${#files[@]} -gt 0 ] || return 0
	(cd "$ST_TREE" && awk -v idx="$ST_W/index" -v cre="$ST_COMMENT" '
		FNR == 1 { cand = ""; inbody = 0; n = 0 }
		inbody {
			if ($0 !~ cre) { n++; buf[n] = FNR "\t" $0 }
			if ($0 ~ /^}/) {
				print FILENAME "\t" name "\t" hdr "\t" open "\t" FNR >idx
				for (i = 1; i <= n; i++) {
					split(buf[i], kv, "\t")
					print FILENAME "\t" kv[1] "\t" name "\t" substr(buf[i], length(kv[1]) + 2)
				}
				inbody = 0
				n = 0
			}
			next
		}
		/^\{/ {
			if (cand != "") {
				name = cand; hdr = candline; open = FNR; inbody = 1
				n = 1; buf[1] = candline "\t" candtext
			}
			cand = ""
			next
		}
		/^#/ { next }
		/^[A-Za-z_]/ {
			cand = ""
			if ($0 ~ /;[[:space:]]*$/ || $0 ~ /=/) next
			if (match($0, /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/)) {
				cand = substr($0, RSTART, RLENGTH)
				sub(/[ \t]*\($/, "", cand)
				candline = FNR
				candtext = $0
			}
			next
		}
		/;[[:space:]]*$/ { cand = "" }
	' "${files[@]}") >"$ST_W/lines"
}

# st_defs NAME: "file header open close" rows defining NAME.
st_defs() { awk -F'\t' -v n="$1" '$2 == n { print $1 "\t" $3 "\t" $4 "\t" $5 }' "$ST_W/index"; }

# st_hdr NAME FILE: the header line of NAME's definition in FILE.
st_hdr() { awk -F'\t' -v n="$1" -v f="$2" '$2 == n && $1 == f { print $3; exit }' "$ST_W/index"; }

st_defined() { awk -F'\t' -v n="$1" '$2 == n { f = 1; exit } END { exit !f }' "$ST_W/index"; }

# st_body NAME [FILE-REGEX]: "file<TAB>line<TAB>text" for every code line of
# every definition of NAME (restricted to files matching FILE-REGEX).
st_body() {
	ST_RE=${2:-.} awk -F'\t' -v n="$1" '
		BEGIN { re = ENVIRON["ST_RE"] }
		$3 == n && $1 ~ re { print $1 "\t" $2 "\t" substr($0, length($1 $2 $3) + 4) }' "$ST_W/lines"
}

# st_grep NAME REGEX [FILE-REGEX]: succeed when a code line of NAME matches.
st_grep() {
	ST_PAT=$2 ST_RE=${3:-.} awk -F'\t' -v n="$1" '
		BEGIN { pat = ENVIRON["ST_PAT"]; re = ENVIRON["ST_RE"] }
		$3 == n && $1 ~ re && substr($0, length($1 $2 $3) + 4) ~ pat { f = 1; exit }
		END { exit !f }' "$ST_W/lines"
}

# st_find REGEX [FILE-REGEX]: "function<TAB>file<TAB>line<TAB>text" for
# every code line matching REGEX in any function.
st_find() {
	ST_PAT=$1 ST_RE=${2:-.} awk -F'\t' '
		BEGIN { pat = ENVIRON["ST_PAT"]; re = ENVIRON["ST_RE"] }
		$1 ~ re { t = substr($0, length($1 $2 $3) + 4); if (t ~ pat) print $3 "\t" $1 "\t" $2 "\t" t }' \
		"$ST_W/lines"
}

# st_calls NAME [FILE-REGEX]: identifiers NAME's body calls that are defined
# in the index (only definitions in files matching FILE-REGEX).
st_calls() {
	ST_RE=${2:-.} awk -F'\t' -v n="$1" '
		BEGIN { re = ENVIRON["ST_RE"] }
		FNR == NR { if ($1 ~ re && $2 != n) def[$2] = 1; next }
		$3 == n {
			t = substr($0, length($1 $2 $3) + 4)
			while (match(t, /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/)) {
				c = substr(t, RSTART, RLENGTH)
				sub(/[ \t]*\($/, "", c)
				if (c in def && !(c in seen)) { seen[c] = 1; print c }
				t = substr(t, RSTART + RLENGTH)
			}
		}' "$ST_W/index" "$ST_W/lines"
}

# st_closure NAME DEPTH [FILE-REGEX]: NAME and what it calls, DEPTH levels down.
st_closure() {
	local name=$1 depth=$2 re=${3:-.} level=0 n c
	local -A seen=([$name]=1)
	local frontier=("$name") next
	printf '%s\n' "$name"
	while [ "$level" -lt "$depth" ] && [ ${#frontier[@]} -gt 0 ]; do
		next=()
		for n in "${frontier[@]}"; do
			while read -r c; do
				[ -n "${seen[$c]:-}" ] && continue
				seen[$c]=1
				next+=("$c")
				printf '%s\n' "$c"
			done < <(st_calls "$n" "$re")
		done
		frontier=("${next[@]}")
		level=$((level + 1))
	done
}

# st_callers NAME: "caller<TAB>file<TAB>line<TAB>text" for each call of NAME.
st_callers() {
	awk -F'\t' -v n="$1" '
		BEGIN { pat = "(^|[^A-Za-z_0-9>.])" n "[ \t]*\\(" }
		$3 != n {
			t = substr($0, length($1 $2 $3) + 4)
			if (t ~ pat && t !~ /^[A-Za-z_]/) print $3 "\t" $1 "\t" $2 "\t" t
		}' "$ST_W/lines"
}

st_trim() { sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$1"; }

# st_ev KEY FILE LINE FUNCTION TEXT: one evidence row for bug KEY.
st_ev() {
	local key=$1 file=$2 line=$3 fn=$4 text
	text=$(st_trim "$5")
	printf '%s\t%s\t%s\t%s\n' "$file" "$line" "$fn" "$text" >>"$ST_W/ev.$key"
}

# st_ev_body KEY NAME REGEX [MAX]: evidence rows for NAME's lines matching REGEX.
st_ev_body() {
	local key=$1 name=$2 re=$3 max=${4:-3} file line text n=0
	while IFS=$'\t' read -r file line text; do
		[[ $text =~ $re ]] || continue
		st_ev "$key" "$file" "$line" "$name" "$text"
		n=$((n + 1))
		[ "$n" -ge "$max" ] && break
	done < <(st_body "$name")
	[ "$n" -gt 0 ]
}

st_ev_json() {
	local f=$ST_W/ev.$1
	[ -f "$f" ] || : >"$f"
	awk -F'\t' '!seen[$1 FS $2]++' "$f" | jq -R -s 'split("\n") | map(select(length > 0) | split("\t") |
		{file: .[0], line: (.[1] | tonumber), function: .[2], text: (.[3:] | join("\t"))})'
}

# st_emit KEY VERDICT REASON [FIXED-BY]: the bug's JSON object. FIXED-BY
# names the kind of fix for a "fixed" verdict (null otherwise).
st_emit() {
	st_ev_json "$1" | jq --arg v "$2" --arg r "$3" --arg by "${4:-}" \
		'{verdict: $v, reason: $r, fixed_by: (if $by == "" then null else $by end), evidence: .}'
}

# ---------------------------------------------------------------------------
# Bug 1: guest XCR0 live while an interrupt handler uses the FPU.

# st_irqs_off_at CALLER FILE LINE: succeed (and say why) when interrupts are
# off at that call in CALLER.
st_irqs_off_at() {
	local caller=$1 file=$2 line=$3 f l t
	while IFS=$'\t' read -r f l t; do
		[ "$f" = "$file" ] && [ "$l" -lt "$line" ] || continue
		if [[ $t =~ local_irq_disable[[:space:]]*\(|clgi[[:space:]]*\( ]]; then
			printf '%s\t%s\t%s\n' "$f" "$l" "$t"
			return 0
		fi
	done < <(st_body "$caller")
	# The vendor run callbacks are entered from vcpu_enter_guest() with
	# interrupts already disabled.
	if [[ $caller =~ _vcpu_run$|_vcpu_enter_exit$ ]]; then
		printf '%s\t%s\t%s\n' "$file" "$line" "(vendor run callback: entered with interrupts disabled)"
		return 0
	fi
	return 1
}

st_bug_xcr0() {
	local key=xcr0 loaders=() l file line text caller era='' n off
	local irqs_on=0 irqs_off=0 lazy=0 guarded=0 unguarded=0 flag=

	# Which functions make the guest's XCR0 the CPU's?
	while read -r l; do
		loaders+=("$l")
	done < <(st_find 'xsetbv[[:space:]]*\([^,]*,[^)]*(vcpu->arch\.xcr0|guest_xcr0)' '^arch/x86/kvm/' |
		cut -f1 | sort -u)
	if [ ${#loaders[@]} -eq 0 ]; then
		st_emit "$key" not-affected \
			"KVM in this tree never writes the guest's XCR0 into the CPU (no xsetbv of vcpu->arch.xcr0 in arch/x86/kvm/), so an interrupt always sees the host's XCR0" \
			>"$ST_W/$key.json"
		return
	fi
	for l in "${loaders[@]}"; do
		st_ev_body "$key" "$l" 'xsetbv[[:space:]]*\([^,]*,[^)]*(vcpu->arch\.xcr0|guest_xcr0)' 1 || true
	done

	# The FPU code's answer to "may an interrupt use the FPU?".
	local defs
	defs=$(st_defs irq_fpu_usable)
	if [[ $defs == *arch/x86/kernel/i387.c* ]]; then
		era=i387
	elif [[ $defs == *arch/x86/kernel/fpu/* ]]; then
		era=fpu
	fi
	if st_defined interrupted_kernel_fpu_idle; then
		st_ev_body "$key" interrupted_kernel_fpu_idle 'use_eager_fpu|return' 3 || true
	else
		st_ev_body "$key" irq_fpu_usable 'return' 2 || true
	fi

	# (1) The fix of our stable stacks: the interrupt path reads a per-CPU
	# flag that the XCR0 loader sets.
	local irq_fns loader_fns v
	irq_fns=$( { st_closure irq_fpu_usable 2 "$ST_FPU_FILES"; } | sort -u)
	local -A reads=()
	while IFS=$'\t' read -r file line text; do
		while read -r v; do
			[ -n "$v" ] && reads[$v]="$file"$'\t'"$line"$'\t'"$text"
		done < <(grep -oE '(__)?(this|raw)_cpu_read(_[0-9])?[[:space:]]*\([[:space:]]*[A-Za-z_][A-Za-z_0-9]*|per_cpu[[:space:]]*\([[:space:]]*[A-Za-z_][A-Za-z_0-9]*' <<<"$text" |
			sed -E 's/.*\([[:space:]]*//')
	done < <(for n in $irq_fns; do st_body "$n" "$ST_FPU_FILES"; done)
	for l in "${loaders[@]}"; do
		loader_fns=$(st_closure "$l" 2 | sort -u)
		for n in $loader_fns; do
			while IFS=$'\t' read -r file line text; do
				v=$(grep -oE '(__)?(this|raw)_cpu_(write|inc|add)(_[0-9])?[[:space:]]*\([[:space:]]*[A-Za-z_][A-Za-z_0-9]*[[:space:]]*(,[[:space:]]*[^)]*)?\)' <<<"$text" || true)
				[ -n "$v" ] || continue
				# Setting it to false/0/NULL is a clear, not a set.
				[[ $v =~ ,[[:space:]]*(false|0|NULL)[[:space:]]*\)$ ]] && continue
				v=$(sed -E 's/^[^(]*\([[:space:]]*([A-Za-z_][A-Za-z_0-9]*).*/\1/' <<<"$v")
				if [ -n "${reads[$v]:-}" ]; then
					flag=$v
					st_ev "$key" "$file" "$line" "$n" "$text"
					IFS=$'\t' read -r file line text <<<"${reads[$v]}"
					st_ev "$key" "$file" "$line" "$(st_fn_at "$file" "$line")" "$text"
					break 3
				fi
			done < <(st_body "$n")
		done
	done
	# (2) Where is the guest XCR0 loaded: with interrupts on or off?
	local off_ev=()
	for l in "${loaders[@]}"; do
		while IFS=$'\t' read -r caller file line text; do
			if off=$(st_irqs_off_at "$caller" "$file" "$line"); then
				irqs_off=$((irqs_off + 1))
				off_ev+=("$caller"$'\t'"$file"$'\t'"$line"$'\t'"$text"$'\t'"$off")
			else
				irqs_on=$((irqs_on + 1))
				st_ev "$key" "$file" "$line" "$caller" "$text"
			fi
		done < <(st_callers "$l")
	done
	local e o_file o_line o_text
	for e in "${off_ev[@]}"; do
		IFS=$'\t' read -r caller file line text o_file o_line o_text <<<"$e"
		st_ev "$key" "$file" "$line" "$caller" "$text"
		[ "$o_line" != "$line" ] && st_ev "$key" "$o_file" "$o_line" "$caller" "$o_text"
	done

	# (3) Can the guest FPU be inactive while the guest XCR0 is loaded?
	if st_grep vcpu_enter_guest 'fpu_active'; then
		lazy=1
		st_ev_body "$key" vcpu_enter_guest 'if[[:space:]]*\(vcpu->fpu_active\)' 1 ||
			st_ev_body "$key" vcpu_enter_guest 'fpu_active' 1 || true
		while IFS=$'\t' read -r file line text; do
			if awk -v l="$line" 'NR >= l - 3 && NR < l && /use_eager_fpu\(\)/ { f = 1 } NR >= l { exit } END { exit !f }' "$ST_TREE/$file"; then
				guarded=$((guarded + 1))
			else
				unguarded=$((unguarded + 1))
			fi
			st_ev "$key" "$file" "$line" "$(st_fn_at "$file" "$line")" "$text"
		done < <(cd "$ST_TREE" && grep -nE 'kvm_make_request[[:space:]]*\([[:space:]]*KVM_REQ_DEACTIVATE_FPU' arch/x86/kvm/x86.c |
			sed -E 's/^([0-9]+):/arch\/x86\/kvm\/x86.c\t\1\t/')
		if [ "$unguarded" -eq 0 ] && [ "$guarded" -gt 0 ]; then
			lazy=0
		fi
	fi

	local where also=
	if [ -n "$flag" ]; then
		if [ "$irqs_on" -eq 0 ]; then
			also="; the guest's XCR0 is also loaded only with interrupts disabled (upstream fc5b7f3bf1e1), which on its own already closes the window"
		fi
		st_emit "$key" fixed \
			"the interrupt-time FPU check reads the per-CPU '$flag', which ${loaders[0]}() sets while the guest's XCR0 is in the CPU, so irq_fpu_usable() says no in that window (the fix of stacks stable-3.11 and stable-4.x)$also" \
			guest-xcr0-flag >"$ST_W/$key.json"
	elif [ "$irqs_on" -gt 0 ] && [ "$lazy" -eq 1 ]; then
		where=${era:-unknown}
		st_emit "$key" affected \
			"KVM loads the guest's XCR0 with interrupts enabled and the guest FPU may be inactive (lazy guest FPU, vcpu->fpu_active), while irq_fpu_usable() in the eager FPU mode lets an interrupt save and restore the VMM's FPU state under that XCR0 (FPU code: $where era); no 'guest XCR0 loaded' flag is consulted" \
			>"$ST_W/$key.json"
	elif [ "$irqs_on" -eq 0 ] && [ "$lazy" -eq 1 ] && [ "$era" = i387 ]; then
		st_emit "$key" fixed \
			"the guest FPU is still lazy, but KVM loads and drops the guest's XCR0 only inside the interrupts-off part of vcpu_enter_guest() (the placement of upstream fc5b7f3bf1e1, v4.6, here as a backport), so no interrupt handler can run under it" \
			fc5b7f3bf1e1 >"$ST_W/$key.json"
	elif [ "$lazy" -eq 0 ] && [ "$irqs_on" -gt 0 ]; then
		st_emit "$key" not-affected \
			"KVM keeps the guest FPU loaded whenever the guest's XCR0 is (no lazy deactivation in the eager FPU mode, as after upstream 653f52c316a4, v4.2), so irq_fpu_usable() says no while it is loaded" \
			>"$ST_W/$key.json"
	else
		st_emit "$key" not-affected \
			"the guest's XCR0 is loaded only with interrupts disabled and the guest FPU is loaded for the whole run (no vcpu->fpu_active), so no interrupt handler can run under the guest's XCR0" \
			>"$ST_W/$key.json"
	fi
}

# st_fn_at FILE LINE: the function whose body holds FILE:LINE ("-" if none).
st_fn_at() {
	awk -F'\t' -v f="$1" -v l="$2" '$1 == f && $3 <= l && l <= $5 { print $2; found = 1; exit }
		END { if (!found) print "-" }' "$ST_W/index"
}

# ---------------------------------------------------------------------------
# Bug 2: KVM ignoring TIF_NEED_FPU_LOAD.

st_tif_exists() {
	local f line
	for f in arch/x86/include/asm/thread_info.h arch/x86/kernel/fpu/core.c \
		arch/x86/include/asm/fpu/internal.h arch/x86/kvm/x86.c; do
		[ -f "$ST_TREE/$f" ] || continue
		line=$(grep -m1 -nE 'TIF_NEED_FPU_LOAD' "$ST_TREE/$f" || true)
		if [ -n "$line" ]; then
			printf '%s\t%s\t%s\n' "$f" "${line%%:*}" "${line#*:}"
			return 0
		fi
	done
	return 1
}

# Check 0 (ec269475cba7): while the guest's FPU state is loaded, the VMM's
# has a place of its own. 5.2.0 .. 5.2.3 kept it in the task's thread.fpu
# (240c35a3783a), which every save of the task's registers (a context
# switch, kernel_fpu_begin()) overwrites with the guest's.
st_tif_user_fpu() {
	local key=tif_need_fpu_load hit file line text
	hit=$(st_body kvm_load_guest_fpu | awk -F'\t' '$0 ~ /\(&current->thread\.fpu\)/ { print; exit }')
	[ -n "$hit" ] || return 0
	IFS=$'\t' read -r file line text <<<"$hit"
	st_ev "$key" "$file" "$line" kvm_load_guest_fpu "$text"
	return 1
}

# Check 1 (c9aef3b85f42): every register save in KVM's load/put of the guest
# FPU tests TIF_NEED_FPU_LOAD first.
st_tif_loadput() {
	local key=tif_need_fpu_load fn n file line text bad=0 found=0 re guard gfile gline gtext
	re='^arch/x86/(kvm/x86\.c|kernel/fpu/core\.c)$'
	for fn in kvm_load_guest_fpu kvm_put_guest_fpu; do
		if ! st_defined "$fn"; then
			st_ev "$key" arch/x86/kvm/x86.c 0 "$fn" "(not found)"
			bad=1
			continue
		fi
		for n in $(st_closure "$fn" 2 "$re"); do
			# The savers themselves are what is being guarded.
			[[ $n =~ ^(copy_fpregs_to_fpstate|save_fpregs_to_fpstate)$ ]] && continue
			while IFS=$'\t' read -r file line text; do
				[[ $text =~ $ST_SAVE ]] || continue
				# A function's own header line is not a call.
				[ "$line" = "$(st_hdr "$n" "$file")" ] && continue
				found=1
				guard=$(st_body "$n" | ST_PAT=$ST_TIF_TEST awk -F'\t' -v f="$file" -v l="$line" '
					BEGIN { re = ENVIRON["ST_PAT"] }
					$1 == f && $2 < l && $2 >= l - 6 && substr($0, length($1 $2) + 3) ~ re { g = $0 }
					END { if (g != "") print g }')
				if [ -n "$guard" ]; then
					IFS=$'\t' read -r gfile gline gtext <<<"$guard"
					st_ev "$key" "$gfile" "$gline" "$n" "$gtext"
					st_ev "$key" "$file" "$line" "$n" "$text"
				else
					st_ev "$key" "$file" "$line" "$n" "$text"
					bad=1
				fi
			done < <(st_body "$n" "$re")
		done
	done
	[ "$found" -eq 1 ] || bad=1
	return "$bad"
}

# Check 2 (a7baead7e312): every emulator access to FPU registers sits inside
# a get/put that locks the registers and reloads them when TIF_NEED_FPU_LOAD.
st_tif_emulator() {
	local key=tif_need_fpu_load n file line text bad=0 covered caller
	local getters=() touchers=()
	# Functions that take the FPU registers for the emulator: lock them and
	# reload them when TIF_NEED_FPU_LOAD says they are stale.
	while read -r n; do
		st_grep "$n" "$ST_TIF_TEST" && getters+=("$n")
	done < <(st_find 'fpregs_lock[[:space:]]*\(' "$ST_EMU_FILES|^arch/x86/kvm/x86\\.c$" | cut -f1 | sort -u)
	while read -r n; do
		touchers+=("$n")
	done < <(st_find "$ST_FPU_ASM" "$ST_EMU_FILES" | cut -f1 | sort -u)
	if [ ${#touchers[@]} -eq 0 ]; then
		st_ev "$key" arch/x86/kvm/emulate.c 0 - "(no emulator FPU register access found)"
		return 1
	fi
	if [ ${#getters[@]} -gt 0 ]; then
		st_ev_body "$key" "${getters[0]}" "fpregs_lock|$ST_TIF_TEST" 2 || true
	fi
	local gre=
	[ ${#getters[@]} -gt 0 ] && gre="(^|[^A-Za-z_0-9])($(IFS='|'; echo "${getters[*]}"))[[:space:]]*\\("
	for n in "${touchers[@]}"; do
		covered=0
		if [ -z "$gre" ]; then
			covered=0
		elif st_grep "$n" "$gre"; then
			covered=1
		else
			# Covered when every caller takes the get/put around it.
			local ncallers=0 ncov=0
			while IFS=$'\t' read -r caller _; do
				ncallers=$((ncallers + 1))
				if st_grep "$caller" "$gre"; then ncov=$((ncov + 1)); fi
			done < <(st_callers "$n" | sort -u -t$'\t' -k1,1)
			[ "$ncallers" -gt 0 ] && [ "$ncov" -eq "$ncallers" ] && covered=1
		fi
		if [ "$covered" -eq 0 ]; then
			bad=1
			IFS=$'\t' read -r file line text < <(st_find "$ST_FPU_ASM" "$ST_EMU_FILES" |
				awk -F'\t' -v n="$n" '$1 == n { print substr($0, length($1) + 2); exit }')
			st_ev "$key" "$file" "$line" "$n" "$text"
		fi
	done
	return "$bad"
}

# Check 3 (2620fe268e80): the reload happens right before VM entry with
# interrupts off, not in kvm_arch_vcpu_load() (e751732486eb).
st_tif_reload() {
	local key=tif_need_fpu_load bad=0
	if st_ev_body "$key" kvm_arch_vcpu_load 'switch_fpu_return' 1; then
		bad=1
	fi
	if ! st_ev_body "$key" vcpu_enter_guest 'switch_fpu_return' 1; then
		st_ev_body "$key" vcpu_enter_guest 'TIF_NEED_FPU_LOAD' 1 ||
			st_ev "$key" arch/x86/kvm/x86.c 0 vcpu_enter_guest "(no reload of the FPU registers before VM entry)"
		bad=1
	fi
	return "$bad"
}

# The hard-IRQ rule (upstream 59f5ede3bc0f, v5.18, and our follow-up): an
# interrupt handler may not use the FPU when it interrupted a region that
# holds the FPU registers with only softirqs disabled (fpregs_lock()).
st_tif_hardirq() {
	local n file line text
	: >"$ST_W/ev.hard_irq"
	for n in $(st_closure irq_fpu_usable 1 "$ST_FPU_FILES"); do
		while IFS=$'\t' read -r file line text; do
			if [[ $text =~ softirq_count|in_softirq|in_serving_softirq|local_bh_blocked|softirqs?_(disabled|enabled) ]]; then
				st_ev hard_irq "$file" "$line" "$n" "$text"
				return 0
			fi
		done < <(st_body "$n" "$ST_FPU_FILES")
	done
	# Another way to close it: fpregs_lock() keeping hard interrupts out too.
	if st_ev_body hard_irq fpregs_lock 'local_irq_(disable|save)' 1; then
		return 0
	fi
	st_ev_body hard_irq irq_fpu_usable 'return' 3 || true
	return 1
}

st_bug_tif() {
	local key=tif_need_fpu_load tifdef c_uf c_lp c_emu c_rl hard reason verdict
	if ! tifdef=$(st_tif_exists); then
		st_emit "$key" not-affected \
			"the tree has no TIF_NEED_FPU_LOAD (the deferred FPU reload arrived in 5.2): the FPU registers always hold the running task's state while KVM runs" |
			jq '. + {checks: {}, hard_irq: {state: "not-applicable", reason: "no TIF_NEED_FPU_LOAD, so no fpregs_lock() regions for a hard interrupt to break into", evidence: []}}' \
			>"$ST_W/$key.json"
		return
	fi
	local file line text
	IFS=$'\t' read -r file line text <<<"$tifdef"
	st_ev "$key" "$file" "$line" "$(st_fn_at "$file" "$line")" "$text"
	c_uf=handled c_lp=handled c_emu=handled c_rl=handled
	st_tif_user_fpu || c_uf=missing
	st_tif_loadput || c_lp=missing
	st_tif_emulator || c_emu=missing
	st_tif_reload || c_rl=missing
	if st_tif_hardirq; then
		hard=closed
	else
		hard=open
	fi
	local missing=()
	[ "$c_uf" = handled ] || missing+=("the VMM's FPU state is kept in the task's own thread.fpu, which every save of the task's registers overwrites while the guest's state is loaded (240c35a3783a; upstream ec269475cba7 gave it back a place of its own)")
	[ "$c_lp" = handled ] || missing+=("kvm_load/put_guest_fpu() save the registers without testing TIF_NEED_FPU_LOAD (upstream c9aef3b85f42)")
	[ "$c_emu" = handled ] || missing+=("the emulator touches FPU registers without a get/put that locks and reloads them (upstream a7baead7e312)")
	[ "$c_rl" = handled ] || missing+=("the registers are not reloaded right before VM entry, or are reloaded in kvm_arch_vcpu_load() with interrupts on (e751732486eb, reverted upstream by 2620fe268e80)")
	if [ ${#missing[@]} -eq 0 ]; then
		verdict=fixed
		reason="KVM handles TIF_NEED_FPU_LOAD: load/put test it before saving, the emulator locks and reloads the registers, and the reload happens right before VM entry (upstream c9aef3b85f42, a7baead7e312, 2620fe268e80 or equivalent)"
	else
		verdict=affected
		reason="TIF_NEED_FPU_LOAD exists but $(printf '%s; ' "${missing[@]}")"
		reason=${reason%; }
	fi
	if [ "$hard" = closed ]; then
		reason="$reason; hard-IRQ hole closed (irq_fpu_usable() refuses a hard interrupt that hit with softirqs disabled)"
	else
		reason="$reason; hard-IRQ hole open (irq_fpu_usable() lets a hard interrupt use the FPU inside fpregs_lock() regions; upstream 59f5ede3bc0f, v5.18)"
	fi
	local hreason
	if [ "$hard" = closed ]; then
		hreason="irq_fpu_usable() refuses a hard interrupt that arrived with softirqs disabled (the rule of upstream 59f5ede3bc0f, v5.18)"
	else
		hreason="irq_fpu_usable() lets a hard interrupt use the FPU while the interrupted code holds the registers under fpregs_lock() (softirqs off only); upstream closed this in 59f5ede3bc0f (v5.18)"
	fi
	local by=
	[ "$verdict" = fixed ] && by=upstream-tif-fixes
	st_emit "$key" "$verdict" "$reason" "$by" |
		jq --arg uf "$c_uf" --arg lp "$c_lp" --arg emu "$c_emu" --arg rl "$c_rl" --arg hs "$hard" --arg hr "$hreason" \
			--argjson hev "$(st_ev_json hard_irq)" \
			'. + {checks: {user_fpu: $uf, load_put: $lp, emulator: $emu, reload_before_entry: $rl},
			      hard_irq: {state: $hs, reason: $hr, evidence: $hev}}' >"$ST_W/$key.json"
}

# kff_status_scan TREE WORK: write WORK/xcr0.json and WORK/tif_need_fpu_load.json.
kff_status_scan() {
	ST_TREE=$1
	ST_W=$2
	rm -f "$ST_W"/ev.*
	st_index
	st_bug_xcr0
	st_bug_tif
}

# kff_status_verdict TREE BUG: print only the verdict word for BUG.
kff_status_verdict() {
	local tree=$1 bug=$2 w rc=0
	w=$(mktemp -d)
	kff_status_scan "$tree" "$w" || rc=$?
	[ "$rc" -eq 0 ] && jq -r .verdict "$w/$bug.json"
	rm -rf "$w"
	return "$rc"
}

# ---------------------------------------------------------------------------
# Debian's kernel sources, reduced to the files status reads (for the tests
# and CI: a whole tree is not needed to judge one).

# kff_status_debian_tree VERSION DEST: make DEST/ a partial tree of Debian's
# linux-source-VERSION (5.10 from bullseye, 6.1 and 6.12 from bookworm),
# holding only the files status reads. Returns 4 when apt cannot get it.
kff_status_debian_tree() {
	local ver=$1 dest=$2 tarball top
	# shellcheck source=scripts/lib/debian.sh
	. "$KFF_ROOT/scripts/lib/debian.sh"
	tarball=$(kff_debian_source_tarball "$ver") || return 4
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	# Only the files status reads; '*' does not cross '/', so "*/Makefile"
	# is the top-level Makefile only. Files of other eras are simply absent.
	tar -xf "$tarball" -C "$dest.tmp" --wildcards --no-wildcards-match-slash \
		"${KFF_STATUS_FILES[@]/#/*/}" 2>/dev/null || true
	top=$(find "$dest.tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
	[ -n "$top" ] && [ -f "$top/arch/x86/kvm/x86.c" ] || { rm -rf "$dest.tmp"; return 4; }
	rm -rf "$dest"
	mv "$top" "$dest"
	rm -rf "$dest.tmp"
}
