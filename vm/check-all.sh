#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-all.sh [KVER...]: "make check KVER=..." on each kernel of the matrix
# (default: all of it, below), one after the other, going on after a
# failure; then the README's kernel table (vm/kernel-table.sh) from these
# runs, the time each kernel took, and the combined
# "N passed, N failed, N skipped" line.  Exits non-zero when any kernel
# failed to build, boot or pass.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

# The matrix of docs/kernels.md: every stock Debian kernel from 5.10 to the
# newest, the PREEMPT_RT flavour of the stable and the newest kernel, and
# the cloud flavour of the stable one.  ABIs are resolved at run time.
MATRIX="bookworm bookworm-backports trixie trixie-backports sid trixie-rt
newest-rt trixie-cloud bullseye"

# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $MATRIX

# prefetch KVER...: resolve, download and install (chroot, headers, image)
# each kernel ahead of its turn, one after the other, while the guest of an
# earlier one runs (the guest takes one CPU: qemu runs its vCPUs in one
# thread).  check.sh finds them cached, or waits on the chroot's lock.
# Kernels built on the host are not prefetched: their apt runs are the
# host's.
prefetch() {
	local k
	for k in "$@"; do
		case $k in
		"" | 6.1 | 6.12 | bookworm | bookworm-backports) continue ;;
		esac
		bash -c '. "$1/lib.sh"; . "$1/kernels.sh"; prepare_kernel "$2"' \
			sh "$here" "$k" >"$top/build/prefetch-$k.log" 2>&1 || true
	done
}

mkdir -p "$top/build"
passed=0 failed=0 skipped=0 rc=0 times="" first=1 prefetch_pid=""
for k in "$@"; do
	# The host's packages first (debootstrap among them), once.
	if [ -n "$first" ] && [ $# -gt 1 ]; then
		first=
		"$here/deps.sh" || rc=1
		prefetch "${@:2}" &
		prefetch_pid=$!
	fi
	echo "=== make check KVER=$k ==="
	log=$(mktemp)
	t0=$(date +%s)
	"$here/check.sh" "$k" 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	times="$times$k: $(( $(date +%s) - t0 )) s\n"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "check KVER=$k: no test summary" >&2
		failed=$((failed + 1))
		rc=1
		continue
	fi
	read -r p _ f _ s _ <<<"$line"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
done

[ -z "$prefetch_pid" ] || wait "$prefetch_pid"
echo "=== kernel table (README.md) ==="
"$here/kernel-table.sh" "$top/README.md" || rc=1
echo "=== time per kernel ==="
printf '%b' "$times"
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
