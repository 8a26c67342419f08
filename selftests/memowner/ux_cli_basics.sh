#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The memowner CLI's contract, whatever the command: usage errors exit 2
# with a usage line, help works for every command, status answers in text
# and JSON (left as an artifact for the host's JSON parser).
art=${MEMOWNER_ARTIFACTS:-/tmp}
# A private file for each command's output: two runs at once (the CI's
# lanes run this on one host side by side) must not read each other's.
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fail=1; echo "not ok $n $1"; }

echo "TAP version 13"
echo "1..5"

memowner bogus-command >"$out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q '^usage: memowner' "$out"; then
	ok "unknown command exits 2 with usage"
else
	nok "unknown command exits 2 with usage (rc=$rc)"
fi

memowner status --no-such-option >"$out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q '^usage: memowner .*status' "$out"; then
	ok "bad option exits 2 with the command's usage"
else
	nok "bad option exits 2 with the command's usage (rc=$rc)"; cat "$out"
fi

bad=
for c in $(memowner help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }'); do
	memowner help "$c" >"$out" 2>&1 && grep -q "^usage: memowner .*$c" "$out" ||
		bad="$bad $c"
done
if [ -z "$bad" ]; then ok "help for every command"; else nok "help for:$bad"; fi

# status needs the module; without it (a user's run_kselftest.sh before
# modprobe) the two cases are skipped, with the reason the C tests give.
if [ ! -c /dev/memowner ]; then
	n=$((n + 2))
	echo "ok $((n - 1)) status # SKIP memowner.ko is not loaded (/dev/memowner absent)"
	echo "ok $n status --json # SKIP memowner.ko is not loaded (/dev/memowner absent)"
	exit $fail
fi

if memowner status >"$out" 2>&1 && grep -q '^version:' "$out"; then
	ok "status"
else
	nok "status"; cat "$out"
fi

if memowner --json status >"$art/status.json" 2>"$out" && grep -q '"version"' "$art/status.json"; then
	ok "status --json (checked by the host's JSON parser)"
else
	nok "status --json"; cat "$out"
fi
exit $fail
