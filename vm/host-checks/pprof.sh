#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memowner export, read by real outside tools on the host:
#   export.pb.gz   go tool pprof (Debian's golang-go): -top for each sample
#                  type must show memowner_test_kmalloc and
#                  memowner_test_pages with the test module's exact values
#                  (export.expect, written by ux_export_test in the guest),
#                  -raw the sample types, default type and period type,
#                  -traces the leaf first, -tags the source label;
#   export.folded  the collapsed-stack format flamegraph.pl, inferno and
#                  speedscope read, checked line by line with a strict
#                  regular expression, and the kmalloc line's value.
# Skipped only when ux_export_test was not among the tests run
# (MEMOWNER_RAN_TESTS, from vm/judge.sh); when it ran, a missing file fails.
dir=$1
pb=$dir/export.pb.gz
folded=$dir/export.folded
expect=$dir/export.expect
n=0
rc=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); rc=1; echo "not ok $n $1"; }

ran() { [ -z "${MEMOWNER_RAN_TESTS+set}" ] || case " $MEMOWNER_RAN_TESTS " in *" $1 "*) ;; *) return 1 ;; esac; }
if ! ran ux_export_test; then
	echo "1..0 # SKIP ux_export_test did not run (not among make check TESTS=)"
	exit 0
fi
# It ran: a missing file is a failure, not a skip.
for f in "$pb" "$folded" "$expect"; do
	[ -f "$f" ] && continue
	echo "not ok 1 $(basename "$f") exists (left by ux_export_test, which ran)"
	echo "1..1"
	exit 1
done
command -v go >/dev/null || { echo "not ok 1 go not installed (golang-go)"; echo "1..1"; exit 1; }

# Offline and self-contained: no module download, no toolchain switch, no
# telemetry; pprof keeps nothing in the real $HOME and finds no binaries
# to symbolize with (the profile has its function names).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp GOPATH=$tmp/go GOCACHE=$tmp/cache GOFLAGS=-mod=mod \
	GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off \
	PPROF_TMPDIR=$tmp PPROF_BINARY_PATH=$tmp/none

kmalloc_bytes= kmalloc_objects= pages_bytes= pages_objects=
# shellcheck disable=SC1090
[ -f "$expect" ] && . "$expect"

pprof() { go tool pprof "$@" "$pb" 2>"$tmp/err"; }

# The plain invocation, as a user would type it.
if pprof -top -sample_index=inuse_space >"$tmp/top" &&
	grep -q '^Type: inuse_space$' "$tmp/top"; then
	ok "go tool pprof -top -sample_index=inuse_space reads the profile"
else
	nok "go tool pprof -top -sample_index=inuse_space"
	cat "$tmp/err" "$tmp/top"
fi

# flat value of function $2 in -top for sample index $1, in bytes or count.
flat() {
	pprof -top -nodefraction=0 -nodecount=1000000 -unit=B \
		-sample_index="$1" >"$tmp/top.$1" || return 1
	awk -v fn="$2" '$6 == fn { v = $1; sub(/B$/, "", v); print v; exit }' \
		"$tmp/top.$1"
}

check_flat() {	# sample_index function expected
	local got
	if [ -z "$3" ]; then
		nok "$1 of $2: no expected value (export.expect missing)"
		return
	fi
	got=$(flat "$1" "$2")
	if [ "$got" = "$3" ]; then
		ok "go tool pprof -top -sample_index=$1: $2 $got"
	else
		nok "go tool pprof -top -sample_index=$1: $2 '$got', expected $3"
		cat "$tmp/err"
		grep -E "Type:|$2" "$tmp/top.$1"
	fi
}

# Since the fixture's fresh load, the totals equal the live values.
check_flat inuse_space memowner_test_kmalloc "$kmalloc_bytes"
check_flat inuse_objects memowner_test_kmalloc "$kmalloc_objects"
check_flat alloc_space memowner_test_kmalloc "$kmalloc_bytes"
check_flat alloc_objects memowner_test_kmalloc "$kmalloc_objects"
check_flat inuse_space memowner_test_pages "$pages_bytes"
check_flat inuse_objects memowner_test_pages "$pages_objects"

if pprof -raw >"$tmp/raw" &&
	grep -qx 'inuse_space/bytes\[dflt\] inuse_objects/count alloc_space/bytes alloc_objects/count' "$tmp/raw" &&
	grep -qx 'PeriodType: space bytes' "$tmp/raw"; then
	ok "go tool pprof -raw: sample types in order, inuse_space default, period type space/bytes"
else
	nok "go tool pprof -raw: sample types / default / period type"
	cat "$tmp/err"; head -n 12 "$tmp/raw"
fi

# -traces prints each sample leaf first: a trace starts with the kmalloc.
if pprof -traces -sample_index=inuse_space >"$tmp/traces" &&
	awk '/^-----/ { first = 1; next }
	     first && NF >= 2 && $1 !~ /:$/ { if ($2 == "memowner_test_kmalloc") hit = 1; first = 0 }
	     END { exit !hit }' "$tmp/traces"; then
	ok "go tool pprof -traces: memowner_test_kmalloc is the leaf of its trace"
else
	nok "go tool pprof -traces: memowner_test_kmalloc as a leaf"
	cat "$tmp/err"; head -n 40 "$tmp/traces"
fi

if pprof -tags >"$tmp/tags" && grep -q 'source: Total' "$tmp/tags" &&
	grep -qw slab "$tmp/tags" && grep -qw page "$tmp/tags"; then
	ok "go tool pprof -tags: source label (slab, page)"
else
	nok "go tool pprof -tags: source label"
	cat "$tmp/err" "$tmp/tags"
fi

# Collapsed stacks: "frame;frame;... N", frames of printable non-blank
# characters but ';', N a positive integer.
if [ -f "$folded" ]; then
	bad=$(grep -cvE '^[!-:<-~]+(;[!-:<-~]+)* [1-9][0-9]*$' "$folded")
	lines=$(wc -l <"$folded")
	if [ "$bad" = 0 ] && [ "$lines" -gt 0 ]; then
		ok "export.folded: $lines lines in the collapsed-stack format"
	else
		nok "export.folded: $bad of $lines lines not in the collapsed-stack format"
		grep -vE '^[!-:<-~]+(;[!-:<-~]+)* [1-9][0-9]*$' "$folded" | head -n 5
	fi
	got=$(awk '{ n = split($1, f, ";") } f[n] == "memowner_test_kmalloc_[memowner_test]" { s += $2 } END { print s + 0 }' "$folded")
	if [ -n "$kmalloc_bytes" ] && [ "$got" = "$kmalloc_bytes" ]; then
		ok "export.folded: memowner_test_kmalloc leaf $got bytes"
	else
		nok "export.folded: memowner_test_kmalloc leaf '$got' bytes, expected '$kmalloc_bytes'"
	fi
else
	nok "export.folded missing"
fi

echo "1..$n"
exit $rc
