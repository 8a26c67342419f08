#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [KVER] [--run check|demo|bench] [--smp N] [--mem SIZE] [--icount]
#          [--tests PROG,PROG]   (only these selftests; TESTS=... in make)
#
# The whole "make check" for one kernel: install what is missing, build the
# module against that kernel's headers and the static userspace and tests,
# run the host-side checks (DKMS), pack the initramfs, boot the stock kernel
# under TCG, run the suite in the guest and judge the result.
#
# Exit status is non-zero when any test failed, the guest did not finish
# (timeout, crash), or the kernel log shows an Oops, BUG, WARNING, lockdep
# report or "unloaded with leaks" -- even when every test passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

kver=
run=check
vmopts=()
timeout=${TIMEOUT:-1200}
while [ $# -gt 0 ]; do
	case $1 in
	--run) run=$2; shift ;;
	--smp | --mem) vmopts+=("$1" "$2"); shift ;;
	--icount) vmopts+=("$1") ;;
	--timeout) timeout=$2; shift ;;
	--tests) vmopts+=(--append "MEMOWNER_TESTS=$2"); shift ;;
	-*) die "unknown option $1" ;;
	*) kver=$1 ;;
	esac
	shift
done

# The kernel (vm/kernels.sh): its headers tree KDIR as seen from KROOT, the
# chroot of its own release its modules are built in ("-": the host).
. "$here/kernels.sh"
read -r abi kdir vmlinuz kroot < <(prepare_kernel "$kver") ||
	die "kernel '$kver' is not available (headers + image)"
khost=$kdir
[ "$kroot" = - ] || khost=$kroot$kdir
cc=$(kernel_cc "$khost")
[ -n "$cc" ] || die "$kdir: no CONFIG_CC_VERSION_TEXT"
# kbuild CMD...: run a module build command where the kernel's compiler is.
kbuild() {
	if [ "$kroot" = - ]; then
		"$@"
	else
		chroot_run "$kroot" --bind "$top" "$@"
	fi
}
kcc=$(kbuild "$cc" --version 2>/dev/null | head -n1 || true)
[ -n "$kcc" ] || die "$cc (the compiler of $abi) is not installed"
where=
[ "$kroot" = - ] || where=" in $kroot"
log "kernel $abi, headers $kdir$where, built by $(kernel_cc_text "$khost")"
[ "$kcc" = "$(kernel_cc_text "$khost")" ] || log "building with $kcc"

out=$top/build/$run-$abi
mkdir -p "$out"
rm -f "$out"/*.log "$out/host.tap"
# What vm/kernel-table.sh reports of this run: the kernel and its compiler
# now, "build=" once the modules are built (or not).
printf 'kver=%s\nabi=%s\ncc=%s\n' "$(kver_name "$kver")" "$abi" \
	"$(kernel_cc_text "$khost")" >"$out/kernel.env"
build_failed() {
	echo "build=$1: $(grep -m1 -E 'error:|\*\*\* ' "$out/build.log" |
		sed "s|$top/||g" | cut -c1-160)" >>"$out/kernel.env"
	die "$1: module build failed"
}

# Build everything for this kernel.  The module tree is cleaned when the
# target kernel changes so that no object of another kernel survives.
# Helper modules (test, bench) are built against the same kernel and packed
# beside memowner.ko.
moddirs="module selftests/memowner/test_module bench"
stamp=$top/module/.kdir
if [ "$(cat "$stamp" 2>/dev/null)" != "$khost" ]; then
	for d in $moddirs; do
		[ -f "$top/$d/Kbuild" ] || continue
		kbuild make -s -C "$top/$d" KDIR="$kdir" CC="$cc" clean >/dev/null 2>&1 || true
		rm -f "$top/$d"/*.ko
	done
fi
: >"$out/build.log"
extra_kos=
for d in $moddirs; do
	[ -f "$top/$d/Kbuild" ] || continue
	kbuild make -C "$top/$d" KDIR="$kdir" CC="$cc" >>"$out/build.log" 2>&1 ||
		{ tail -n 60 "$out/build.log"; build_failed "$d"; }
	[ "$d" = module ] || extra_kos="$extra_kos $(ls "$top/$d"/*.ko)"
done
echo "$khost" >"$stamp"
echo "build=ok" >>"$out/kernel.env"
make -C "$top" userspace selftests STATIC=1 >>"$out/build.log" 2>&1 ||
	{ tail -n 50 "$out/build.log"; die "userspace/selftests build failed"; }

# Host-side checks, as one nested TAP program.
if [ "$run" = check ]; then
	{
		echo "# selftests: host: dkms"
		if kbuild "$here/dkms-check.sh" "$abi" "$kdir" >"$out/dkms.log" 2>&1; then
			echo "# ok 1 dkms build -k $abi"
			echo "ok 1 host: dkms"
		else
			sed 's/^/# # /' "$out/dkms.log" | tail -n 40
			echo "# not ok 1 dkms build -k $abi"
			echo "not ok 1 host: dkms"
		fi
		echo "# selftests: host: netlink spec"
		r=ok
		python3 "$here/spec-check.py" \
			"$top/Documentation/netlink/specs/memowner.yaml" \
			"$top/uapi/linux/memowner.h" >"$out/spec.log" 2>&1 || r="not ok"
		sed '/^#/!s/^/# # /' "$out/spec.log"
		echo "$r 2 host: netlink spec"
	} >"$out/host.tap"
fi

EXTRA_KOS=$extra_kos "$here/mkinitramfs.sh" "$out/initramfs.cpio"

log "booting $abi (run=$run, logs in $out)"
start=$(date +%s)
set +e
"$here/run.sh" "$vmlinuz" "$out/initramfs.cpio" "$out" --run "$run" \
	--timeout "$timeout" "${vmopts[@]}"
qemu_rc=$?
set -e
log "guest finished in $(( $(date +%s) - start )) s (qemu exit $qemu_rc)"

[ "$run" = check ] || cat "$out/guest.log"

# Files the guest tests left for the host (see vm/guest/check.sh), checked
# by each vm/host-checks/*.sh as one more nested TAP program.
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
: >"$out/host-artifacts.tap"
if [ "$run" = check ]; then
	for hc in "$here"/host-checks/*.sh; do
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

# Judge the run itself, as one more nested TAP program: a guest that did not
# finish, or a kernel splat, fails the run even when every test passed.
splat='Oops|BUG:|WARNING:|Kernel panic|general protection fault|kernel BUG at'
splat="$splat|possible circular locking|possible recursive locking"
splat="$splat|inconsistent lock state|UBSAN:|KASAN:|rcu.*stall|unloaded with leaks"
splat="$splat|scheduling while atomic|sleeping function called from invalid context"
grep -aEn "$splat" "$out/console.log" >"$out/splats.txt" || true
{
	echo "# selftests: host: vm"
	if [ $qemu_rc -eq 124 ] || [ $qemu_rc -eq 137 ]; then
		echo "# not ok 1 guest finished # timed out after $timeout s"
	elif ! grep -q '^MEMOWNER-GUEST-EXIT ' "$out/guest.log"; then
		echo "# not ok 1 guest finished # no exit marker (crash?)"
	else
		echo "# ok 1 guest finished"
	fi
	if [ -s "$out/splats.txt" ]; then
		sed 's/^/# # /' "$out/splats.txt" | head -n 20
		echo "# not ok 2 kernel log free of Oops/BUG/WARNING/lockdep/leaks"
	else
		echo "# ok 2 kernel log free of Oops/BUG/WARNING/lockdep/leaks"
	fi
	echo "ok 1 host: vm"
} >"$out/host-post.tap"

if [ "$run" = check ]; then
	tr -d '\r' <"$out/guest.log" |
		awk '/^MEMOWNER-ARTIFACT-BEGIN/ { skip = 1; next }
		     /^MEMOWNER-ARTIFACT-END/ { skip = 0; next } !skip' |
		cat "$out/host.tap" - "$out/host-artifacts.tap" "$out/host-post.tap" |
		awk -f "$here/tap-summary.awk" >"$out/summary.txt"
else
	awk -f "$here/tap-summary.awk" "$out/host-post.tap" >"$out/summary.txt"
fi
failed=$(tail -n1 "$out/summary.txt" | awk '{ print $3 }')
passed=$(tail -n1 "$out/summary.txt" | awk '{ print $1 }')
if [ "$failed" != 0 ] || [ "$passed" -eq 0 ]; then
	grep -E '^(FAIL|SKIP)' "$out/summary.txt" || true
	log "serial logs: $out/console.log (kernel), $out/guest.log (tests)"
	cat "$out/summary.txt"
	exit 1
fi
cat "$out/summary.txt"
