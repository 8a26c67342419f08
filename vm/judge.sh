#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# judge.sh OUT [--run check|demo|bench] [--qemu-rc N] [--timeout SEC]
#              [--expect FILE] [--subset] [--ctx CONTEXT]
#
# Judge a finished guest run from the files in OUT (vm/check.sh runs it
# after the guest powered off; vm/judge-test.sh runs it on canned logs):
#
#   OUT/guest.log     the guest's serial output: nested TAP, artifacts
#   OUT/console.log   the kernel log
#   OUT/host.tap      host-side TAP programs run before the boot (optional)
#
# It unpacks the artifacts into OUT/artifacts, runs every host check of
# $MEMOWNER_HOST_CHECKS (default vm/host-checks) on them, judges the run
# itself (OUT/host-post.tap) and writes OUT/summary.txt, whose last line is
# "N passed, N failed, N skipped".  Exit status 1 when anything failed or
# nothing passed.
#
# The run fails when:
# - the guest did not finish (timeout, no exit marker) or its runner exited
#   with a status other than 0 (MEMOWNER-GUEST-EXIT N);
# - the kernel log has a splat: Oops, BUG, WARNING, lockdep, KASAN/UBSAN,
#   a leak reported at unload, a hung task, a soft or hard lockup, an RCU
#   stall, a global OOM kill, a userspace segfault or trap;
# - a test program of the tree (--expect FILE, one name a line) did not
#   report a result: a program that did not build disappears otherwise;
# - a TAP rule is broken (see vm/tap-summary.awk): a plan not met, 1..0
#   without a reason, a skip whose reason is not in
#   selftests/memowner/skip-reasons for this context ("vm", plus "subset"
#   with --subset: make check TESTS=..., plus --ctx: "initramfs" or
#   "booted", the guest make check or make check-booted ran);
# - a host check fails (a missing artifact is a failure, see host-checks).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

out=$1
shift
run=check qemu_rc=0 timeout='?' expect='' subset='' extra_ctx=''
while [ $# -gt 0 ]; do
	case $1 in
	--run) run=$2; shift ;;
	--qemu-rc) qemu_rc=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--expect) expect=$2; shift ;;
	--subset) subset=1 ;;
	--ctx) extra_ctx=$2; shift ;;
	*) echo "judge.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
hostchecks=${MEMOWNER_HOST_CHECKS:-$here/host-checks}
reasons=${MEMOWNER_SKIP_REASONS:-$top/selftests/memowner/skip-reasons}
ctx=vm
[ -z "$subset" ] || ctx="vm subset"
[ -z "$extra_ctx" ] || ctx="$ctx $extra_ctx"

[ -f "$out/guest.log" ] || : >"$out/guest.log"
[ -f "$out/console.log" ] || : >"$out/console.log"

# The guest's TAP without the artifacts; the artifacts unpacked.
tr -d '\r' <"$out/guest.log" |
	awk '/^MEMOWNER-ARTIFACT-BEGIN/ { skip = 1; next }
	     /^MEMOWNER-ARTIFACT-END/ { skip = 0; next } !skip' >"$out/guest.tap"
rm -rf "$out/artifacts"
mkdir -p "$out/artifacts"
tr -d '\r' <"$out/guest.log" | awk -v dir="$out/artifacts" '
	/^MEMOWNER-ARTIFACT-BEGIN / { f = dir "/" $2 ".b64"; next }
	/^MEMOWNER-ARTIFACT-END/ { close(f); f = ""; next }
	f != "" { print > f }'
for b in "$out"/artifacts/*.b64; do
	[ -f "$b" ] || continue
	base64 -d "$b" >"${b%.b64}" && rm -f "$b"
done

# The programs the guest ran (a header line each), for the host checks:
# one whose producer ran must find its files.
ran=$(sed -n 's/^# selftests: memowner: //p' "$out/guest.tap" | tr '\n' ' ')
export MEMOWNER_RAN_TESTS=" $ran"

# Files the guest tests left for the host, checked by each host check as
# one more nested TAP program.
: >"$out/host-artifacts.tap"
if [ "$run" = check ]; then
	for hc in "$hostchecks"/*.sh; do
		[ -f "$hc" ] || continue
		name=$(basename "$hc" .sh)
		{
			echo "# selftests: host: $name"
			if bash "$hc" "$out/artifacts" >"$out/hc-$name.log" 2>&1; then
				sed 's/^/# /' "$out/hc-$name.log"
				echo "ok 1 host: $name"
			else
				sed 's/^/# /' "$out/hc-$name.log"
				echo "not ok 1 host: $name"
			fi
		} >>"$out/host-artifacts.tap"
	done
fi

# The kernel log: anything here fails the run even when every test passed.
. "$here/splats.sh"
grep -aEn "$splat" "$out/console.log" >"$out/splats.txt" || true

exit_line=$(grep -a '^MEMOWNER-GUEST-EXIT ' "$out/guest.tap" | tail -n1 || true)
guest_rc=${exit_line#MEMOWNER-GUEST-EXIT }
{
	echo "# selftests: host: vm"
	n=4
	[ "$run" = check ] && [ -n "$expect" ] && n=5
	echo "# 1..$n"
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		echo "# not ok 1 guest finished # timed out after $timeout s"
	elif [ -z "$exit_line" ]; then
		echo "# not ok 1 guest finished # no exit marker (crash?)"
	else
		echo "# ok 1 guest finished"
	fi
	if [ "$guest_rc" = 0 ]; then
		echo "# ok 2 guest's runner exited with status 0"
	else
		echo "# not ok 2 guest's runner exited with status 0 # ${exit_line:-no exit marker}"
	fi
	if [ "$qemu_rc" -eq 0 ] || [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		echo "# ok 3 qemu exited cleanly (or was timed out: case 1)"
	else
		echo "# not ok 3 qemu exited cleanly # exit $qemu_rc"
	fi
	if [ -s "$out/splats.txt" ]; then
		sed 's/^/# # /' "$out/splats.txt" | head -n 20
		echo "# not ok 4 kernel log free of Oops/BUG/WARNING/lockdep/leaks/hangs/lockups/stalls/segfaults"
	else
		echo "# ok 4 kernel log free of Oops/BUG/WARNING/lockdep/leaks/hangs/lockups/stalls/segfaults"
	fi
	if [ "$n" = 5 ]; then
		missing=
		while read -r p; do
			[ -n "$p" ] || continue
			case " $ran " in
			*" $p "*) ;;
			*) missing="$missing $p" ;;
			esac
		done <"$expect"
		if [ -z "$missing" ]; then
			echo "# ok 5 every test program of the tree ran ($(grep -c . "$expect"))"
		else
			echo "# # did not run (not built? not installed?):$missing"
			echo "# not ok 5 every test program of the tree ran"
		fi
	fi
} >"$out/host-post.tap"
if grep -q '^# not ok ' "$out/host-post.tap"; then
	echo "not ok 1 host: vm" >>"$out/host-post.tap"
else
	echo "ok 1 host: vm" >>"$out/host-post.tap"
fi

if [ "$run" = check ]; then
	[ -f "$out/host.tap" ] || : >"$out/host.tap"
	cat "$out/host.tap" "$out/guest.tap" "$out/host-artifacts.tap" "$out/host-post.tap" |
		awk -v reasons="$reasons" -v ctx="$ctx" -v need_plan=1 \
			-f "$here/tap-summary.awk" >"$out/summary.txt"
else
	awk -v reasons="$reasons" -v ctx="$ctx" -v need_plan=0 \
		-f "$here/tap-summary.awk" "$out/host-post.tap" >"$out/summary.txt"
fi
failed=$(tail -n1 "$out/summary.txt" | awk '{ print $3 }')
passed=$(tail -n1 "$out/summary.txt" | awk '{ print $1 }')
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
