#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutate.sh [KVER] [--list FILE] [--only name,name]   ("make mutate")
#
# Does the suite see bugs?  Each mutation of vm/mutations.list (a small
# deliberate bug: one snippet of one module file replaced) is applied alone
# to a scratch copy of the module's sources -- never to the tree itself --
# and built into a mutant memowner.ko.  All mutants go into one guest
# (vm/guest/mutate.sh), which runs each mutant's test programs with the
# mutant as the module under test.  First the control: the real module
# through every program the list names, which must pass -- a mutant
# "caught" by a test that fails anyway would prove nothing.
#
# A mutant is caught when one of its programs fails, or its part of the
# kernel log has a splat (vm/splats.sh: a leak at its unload, an oops...),
# or the guest died while it ran (an oops panics the guest: the mutants not
# yet run get a new boot).  One that no longer applies or does not build is
# "stale".  Logs: build/mutate/ (NAME.log: its part of the test output and
# kernel log); the table: build/mutate/summary.txt.  Exit status 1 when the
# control failed or any mutation was not caught or is stale.
#
# Slow (the listed programs once per mutant, ~30-45 min for the list on a
# quiet machine): not part of make check.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

list=$here/mutations.list
only=
kver=
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=$2; shift ;;
	--only) only=$2; shift ;;
	-*) die "unknown option $1" ;;
	*) kver=$1 ;;
	esac
	shift
done

# name<TAB>file<TAB>tests<TAB>desc, one mutation a line (checks the list).
names=$(python3 "$here/mutate-apply.py" --list "$list" ${only:+--only "$only"}) ||
	die "bad mutation list $list"
[ -n "$names" ] || die "no mutation selected (MUTATIONS=$only)"

. "$here/kernels.sh"
read -r abi kdir _ kroot < <(prepare_kernel "$kver") ||
	die "kernel '$kver' is not available (headers + image)"
khost=$kdir
[ "$kroot" = - ] || khost=$kroot$kdir
cc=$(kernel_cc "$khost")

out=$top/build/mutate
rm -rf "$out"
mkdir -p "$out/mutants"
: >"$out/control-failed"
declare -A desc_of tests_of result_of why_of
order=()
progs_all=""
# One scratch source set, built once; each mutant changes one file of it,
# is built (that file and the link), and the file is put back.
src=$out/src
make -s -C "$top" dkms-source DESTDIR="$src" >/dev/null
kbuild make -C "$src/module" KDIR="$kdir" CC="$cc" >"$out/base-build.log" 2>&1 ||
	die "the unmutated module does not build (build/mutate/base-build.log)"
while IFS=$'\t' read -r name file tests desc; do
	order+=("$name")
	desc_of[$name]=$desc
	tests_of[$name]=$tests
	progs_all="$progs_all,$tests"
	d=$out/mutants/$name
	mkdir -p "$d"
	cp -p "$src/$file" "$out/pristine"
	if ! python3 "$here/mutate-apply.py" --list "$list" --apply "$name" \
		--root "$src" >"$out/$name.log" 2>&1; then
		result_of[$name]=stale why_of[$name]="does not apply"
	elif ! kbuild make -C "$src/module" KDIR="$kdir" CC="$cc" \
		>>"$out/$name.log" 2>&1; then
		result_of[$name]=stale why_of[$name]="does not build"
	else
		cp "$src/module/memowner.ko" "$d/memowner.ko"
	fi
	# Back as it was, newer than its object: the next build redoes it.
	cp "$out/pristine" "$src/$file"
	touch "$src/$file"
	log "mutant $name: ${result_of[$name]:-built} ($file)"
done <<<"$names"
rm -rf "$src" "$out/pristine"
# The control: every program the list names, once each.
progs_all=$(echo "${progs_all#,}" | tr ',' '\n' | awk '!seen[$0]++' | paste -sd,)

# Boots until every mutant has a verdict (each boot runs those left).
pending=(none "${order[@]}")
tests_of[none]=$progs_all
desc_of[none]="control: the real module through every program of the list"
boot=0
. "$here/splats.sh"
while :; do
	run=()
	for name in "${pending[@]}"; do
		[ -n "${result_of[$name]:-}" ] || run+=("$name")
	done
	[ ${#run[@]} -gt 0 ] || break
	boot=$((boot + 1))
	[ "$boot" -le $(( ${#order[@]} + 1 )) ] || die "too many boots"
	for name in "${run[@]}"; do
		printf '%s\t%s\n' "$name" "${tests_of[$name]}"
	done >"$out/mutants/list"
	log "boot $boot: ${run[*]}"
	set +e
	MUTANTS_DIR=$out/mutants TIMEOUT=${TIMEOUT:-7200} \
		"$here/check.sh" "$kver" --run mutate >"$out/boot-$boot.log" 2>&1
	set -e
	bdir=$top/build/mutate-$abi
	# Serial lines may end in CR LF.
	tr -d '\r' <"$bdir/guest.log" >"$out/boot-$boot.guest.log" || true
	tr -d '\r' <"$bdir/console.log" >"$out/boot-$boot.console.log" || true
	grep -q '^MEMOWNER-MUTANT-BEGIN ' "$out/boot-$boot.guest.log" || {
		tail -n 30 "$out/boot-$boot.log"
		die "boot $boot ran no mutant (build/mutate/boot-$boot.log)"
	}
	for name in "${run[@]}"; do
		g=$(sed -n "/^MEMOWNER-MUTANT-BEGIN $name\$/,/^MEMOWNER-MUTANT-END $name /p" \
			"$out/boot-$boot.guest.log")
		[ -n "$g" ] || continue		# not reached: the next boot
		k=$(sed -n "/memowner-mutant: begin $name\$/,/memowner-mutant: end $name\$/p" \
			"$out/boot-$boot.console.log")
		{ echo "$g"; echo "--- kernel log ---"; echo "$k"; } >>"$out/$name.log"
		end=$(echo "$g" | sed -n "s/^MEMOWNER-MUTANT-END $name //p")
		splats=$(echo "$k" | grep -aE "$splat" | head -n1 | cut -c1-100 || true)
		# Failed cases the control did not fail: the mutant's own.
		failed=$(echo "$g" | grep -E '^(# )+not ok [0-9]+ ' |
			sed -E 's/^(# )+not ok [0-9]+ //; s/ #.*//' |
			grep -vxF -f "$out/control-failed" | head -n1 | cut -c1-100 || true)
		[ "$name" = none ] && failed=x
		if [ -z "$end" ]; then
			result_of[$name]=caught why_of[$name]="the guest died: ${splats:-no splat}"
		elif [ -n "$failed" ] || [ -n "$splats" ] ||
			{ [ "$end" != 0 ] && [ ! -s "$out/control-failed" ]; }; then
			result_of[$name]=caught why_of[$name]="${failed:-$splats}"
		else
			result_of[$name]=UNCAUGHT why_of[$name]=""
		fi
		# The control's verdicts are the other way round; the cases it
		# failed catch no mutant.
		if [ "$name" = none ]; then
			echo "$g" | grep -E '^(# )+not ok [0-9]+ ' |
				sed -E 's/^(# )+not ok [0-9]+ //; s/ #.*//' \
				>"$out/control-failed" || true
			if [ "$end" = 0 ] && [ -z "$splats" ]; then
				result_of[none]=passed why_of[none]=""
			else
				result_of[none]=FAILED
				why_of[none]="$(paste -sd, "$out/control-failed") ${splats}"
			fi
		fi
	done
done

summary=$out/summary.txt
caught=0 missed=0 stale=0
for name in "${order[@]}"; do
	case ${result_of[$name]} in
	caught) caught=$((caught + 1)) ;;
	UNCAUGHT) missed=$((missed + 1)) ;;
	stale) stale=$((stale + 1)) ;;
	esac
done
for name in none "${order[@]}"; do
	printf '%-26s %-9s %s  [%s]%s\n' "$name" "${result_of[$name]}" \
		"${desc_of[$name]}" "${tests_of[$name]}" \
		"${why_of[$name]:+  -- ${why_of[$name]}}"
done | tee "$summary"
echo "$caught caught, $missed not caught, $stale stale ($boot boots; control ${result_of[none]})" |
	tee -a "$summary"
[ "${result_of[none]}" = passed ] && [ "$missed" -eq 0 ] && [ "$stale" -eq 0 ]
