#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutate.sh [KVER] [--list FILE] [--only name,name]   ("make mutate")
#
# Does the suite see bugs?  Each mutation of vm/mutations.list (a small
# deliberate bug: one snippet of one file replaced) is applied alone to a
# scratch copy of this tree -- never to the tree itself -- and the
# mutation's TESTS subset is run there in the VM (vm/check.sh --tests).
# A mutation is caught when that run fails; one that no longer applies or
# does not build is "stale".  Logs: build/mutate/NAME.log; the table:
# build/mutate/summary.txt.  Exit status 1 when any mutation was not
# caught or is stale.
#
# Slow (one VM run per mutation, ~3-5 min each): not part of make check.
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

out=$top/build/mutate
mkdir -p "$out"

# name<TAB>file<TAB>tests<TAB>desc, one mutation a line (checks the list).
names=$(python3 "$here/mutate-apply.py" --list "$list" ${only:+--only "$only"}) ||
	die "bad mutation list $list"
[ -n "$names" ] || die "no mutation selected (MUTATIONS=$only)"

summary=$out/summary.txt
: >"$summary.new"
caught=0 missed=0 stale=0
while IFS=$'\t' read -r name file tests desc; do
	scratch=$(mktemp -d /tmp/memowner-mutate.XXXXXX)
	log=$out/$name.log
	# The tree as it is (uncommitted changes too), without its build logs.
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . |
		tar -C "$scratch" -xf -
	log "mutation $name ($file): $desc"
	start=$(date +%s)
	if ! python3 "$here/mutate-apply.py" --list "$list" --apply "$name" \
		--root "$scratch" >"$log" 2>&1; then
		result=stale
	else
		set +e
		nice -n 10 "$scratch/vm/check.sh" $kver --tests "$tests" >>"$log" 2>&1
		rc=$?
		set -e
		if grep -q -E 'module build failed|userspace/selftests build failed' "$log"; then
			result=stale
		elif [ "$rc" -ne 0 ]; then
			result=caught
		else
			result=UNCAUGHT
		fi
	fi
	# What failed, for the table (the first failing case).
	why=$(grep -m1 -E '^FAIL' "$log" | cut -c1-100 || true)
	case $result in
	caught) caught=$((caught + 1)) ;;
	UNCAUGHT) missed=$((missed + 1)) ;;
	stale) stale=$((stale + 1)) ;;
	esac
	printf '%-26s %-9s %4ss  %s  [%s]%s\n' "$name" "$result" \
		"$(( $(date +%s) - start ))" "$desc" "$tests" "${why:+  -- $why}" |
		tee -a "$summary.new"
	rm -rf "$scratch"
done <<<"$names"
echo "$caught caught, $missed not caught, $stale stale" | tee -a "$summary.new"
mv "$summary.new" "$summary"
[ "$missed" -eq 0 ] && [ "$stale" -eq 0 ]
