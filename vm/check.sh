#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [KVER] [--run check|demo|bench] [--smp N] [--mem SIZE] [--icount]
#          [--tests PROG,PROG]   (only these selftests; TESTS=... in make)
#          [--booted]            (make check-booted: the full-root guest;
#                                 KVER-booted is the same: trixie-booted)
#          [--append VAR=VALUE]  (guest environment, e.g. MEMOWNER_FUZZ_CALLS=N)
#
# The whole "make check" for one kernel: install what is missing, build the
# module against that kernel's headers and the static userspace and tests,
# run the host-side checks (DKMS), pack the initramfs, boot the stock kernel
# under TCG, run the suite in the guest and judge the result.
#
# --booted runs the same suite on a normally booted Debian instead of the
# initramfs: the cached full-root image of vm/image.sh (systemd, udev and
# the distribution's own initrd and modules, loaded first), into which
# the guest installs memowner as a user does (modules/updates, depmod,
# modprobe) before it runs the suite and load_beside.sh.
#
# Exit status is non-zero when any test failed, the guest did not finish
# (timeout, crash) or its runner failed, a TAP plan was not met, a skip
# gave no listed reason, a test program of the tree did not run, or the
# kernel log shows an Oops, BUG, WARNING, lockdep report, "unloaded with
# leaks", a hung task, lockup, RCU stall or segfault -- even when every
# test passed (vm/judge.sh; vm/judge-test.sh proves each of these checks
# can fail, as the "host: judge" program).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

kver=
run=check
tests=
vmopts=()
timeout=${TIMEOUT:-2400}
booted=''
while [ $# -gt 0 ]; do
	case $1 in
	--run) run=$2; shift ;;
	--smp | --mem) vmopts+=("$1" "$2"); shift ;;
	--icount) vmopts+=("$1") ;;
	--timeout) timeout=$2; shift ;;
	--tests) tests=$2; vmopts+=(--append "MEMOWNER_TESTS=$2"); shift ;;
	--booted) booted=1 ;;
	--append) vmopts+=(--append "$2"); shift ;;
	-*) die "unknown option $1" ;;
	*) kver=$1 ;;
	esac
	shift
done
# KVER-booted (vm/check-all.sh's matrix, the kernel table): --booted.
case $kver in
*-booted) kver=${kver%-booted} booted=1 ;;
esac

# The kernel (vm/kernels.sh): its headers tree KDIR as seen from KROOT, the
# chroot of its own release its modules are built in ("-": the host).
. "$here/kernels.sh"
read -r abi kdir vmlinuz kroot < <(prepare_kernel "$kver") ||
	die "kernel '$kver' is not available (headers + image)"
khost=$kdir
[ "$kroot" = - ] || khost=$kroot$kdir
# The debug kernel's checkers (KASAN shadow and quarantine, kmemleak's
# metadata, lockdep) take memory and make everything several times
# slower: more memory, every bound scaled (run_tests.sh, the harness),
# the stress workloads a tenth as long in allocations (stress_allocs() in
# testlib.h: the same time, so the same things run beside them).
if [ "$kver" = debug ]; then
	scale=${DEBUG_TIMEOUT_SCALE:-4}
	vmopts=(--mem 2048M --append "MEMOWNER_TIMEOUT_SCALE=$scale"
		--append "MEMOWNER_WORK_DIV=${DEBUG_WORK_DIV:-10}" "${vmopts[@]}")
	timeout=$((timeout * scale))
fi
cc=$(kernel_cc "$khost")
[ -n "$cc" ] || die "$kdir: no CONFIG_CC_VERSION_TEXT"
kcc=$(kbuild "$cc" --version 2>/dev/null | head -n1 || true)
[ -n "$kcc" ] || die "$cc (the compiler of $abi) is not installed"
where=
[ "$kroot" = - ] || where=" in $kroot"
log "kernel $abi, headers $kdir$where, built by $(kernel_cc_text "$khost")"
[ "$kcc" = "$(kernel_cc_text "$khost")" ] || log "building with $kcc"

out=$top/build/$run-$abi
[ -z "$booted" ] || out=$top/build/booted-$abi
mkdir -p "$out"
rm -f "$out/failures.txt"
rm -f "$out"/*.log "$out/host.tap"
# What vm/kernel-table.sh reports of this run: the kernel and its compiler
# now, "build=" once the modules are built (or not).
printf 'kver=%s\nabi=%s\ncc=%s\n' "$(kver_name "$kver")${booted:+-booted}" "$abi" \
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
# The debug kernel measures nothing (KASAN and lockdep dominate every
# cost), and its minimal configuration has no preempt notifiers (KVM
# selects them) for the bench module.
if [ "$kver" = debug ]; then
	[ "$run" != bench ] || die "make bench on the debug kernel would measure its checkers"
	moddirs="module selftests/memowner/test_module"
fi
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

# A copy of memowner.ko with one kprobe prototype deliberately wrong, for
# selftests/memowner/proto_test.sh (the hook must be refused): built from
# the DKMS source set in a scratch directory, so no object is shared.
wrongproto=$out/wrongproto
rm -rf "$wrongproto"
make -s -C "$top" dkms-source DESTDIR="$wrongproto" >/dev/null
kbuild make -C "$wrongproto/module" KDIR="$kdir" CC="$cc" \
	KCFLAGS=-DMEMOWNER_TEST_WRONG_PROTO >>"$out/build.log" 2>&1 ||
	{ tail -n 60 "$out/build.log"; build_failed "wrong-prototype module"; }
echo "build=ok" >>"$out/kernel.env"
make -C "$top" userspace selftests STATIC=1 >>"$out/build.log" 2>&1 ||
	{ tail -n 50 "$out/build.log"; die "userspace/selftests build failed"; }

# Host-side checks, as one nested TAP program.
if [ "$run" = check ]; then
	{
		echo "# selftests: host: dkms"
		echo "# 1..1"
		if kbuild "$here/dkms-check.sh" "$abi" "$kdir" >"$out/dkms.log" 2>&1; then
			echo "# ok 1 dkms build -k $abi"
			echo "ok 1 host: dkms"
		else
			sed 's/^/# # /' "$out/dkms.log" | tail -n 40
			echo "# not ok 1 dkms build -k $abi"
			echo "not ok 1 host: dkms"
		fi
		# The harness's own checks, each made to fail on a canned run.
		echo "# selftests: host: judge"
		if "$here/judge-test.sh" >"$out/judge-test.log" 2>&1; then
			sed 's/^/# /' "$out/judge-test.log"
			echo "ok 1 host: judge"
		else
			sed 's/^/# /' "$out/judge-test.log"
			echo "not ok 1 host: judge"
		fi
		# The kernel's own kselftest flow, from a kernel tree.
		echo "# selftests: host: kselftest flow"
		r=ok
		"$here/kselftest-check.sh" >"$out/kselftest.log" 2>&1 || r="not ok"
		sed 's/^/# /' "$out/kselftest.log"
		echo "$r 1 host: kselftest flow"
		echo "# selftests: host: netlink spec"
		r=ok
		python3 "$here/spec-check.py" \
			"$top/Documentation/netlink/specs/memowner.yaml" \
			"$top/uapi/linux/memowner.h" >"$out/spec.log" 2>&1 || r="not ok"
		sed '/^#/!s/^/# # /' "$out/spec.log"
		echo "$r 2 host: netlink spec"
		echo "# selftests: host: module checks"
		r=ok
		"$here/module-checks.sh" "$top/module/memowner.ko" "$top/module" \
			>"$out/module-checks.log" 2>&1 || r="not ok"
		sed 's/^/# /' "$out/module-checks.log"
		echo "$r 3 host: module checks"
	} >"$out/host.tap"
fi

if [ -n "$booted" ]; then
	[ "$run" = check ] || die "--booted runs the suite only (--run check)"
	read -r rootfs vmlinuz initrd < <("$here/image.sh" "$abi" \
		"$(cat "$CACHE/kernels/$abi/suite" 2>/dev/null || true)") ||
		die "no full-root guest image for $abi"
	EXTRA_KOS=$extra_kos WRONGPROTO_KO=$wrongproto/module/memowner.ko \
		"$here/mkinitramfs.sh" --payload "$out/payload.tar"
	vmopts+=(--root "$rootfs" --payload "$out/payload.tar")
	# Debian's kernels zero every page they allocate (init_on_alloc=1).
	# Under TCG, a store to a page that held translated code -- a booted
	# system's freed program text and page cache are full of them -- takes
	# qemu's self-modifying-code path: zeroing one such page has taken
	# 28 s, and the test module's "fragment", which takes every free
	# page, then tripped the soft-lockup watchdog in the guest (twice in
	# booted trixie runs: lifecycle_test, alerts_test).  On hardware the
	# same zeroing takes microseconds, and memowner does not write these
	# pages (docs/design.md, "soft lockups of the booted guest").
	vmopts+=(--append init_on_alloc=0)
	ctx=booted
else
	EXTRA_KOS=$extra_kos WRONGPROTO_KO=$wrongproto/module/memowner.ko \
		"$here/mkinitramfs.sh" "$out/initramfs.cpio"
	initrd=$out/initramfs.cpio
	ctx=initramfs
fi

log "booting $abi (run=$run${booted:+, full root}, logs in $out)"
start=$(date +%s)
set +e
"$here/run.sh" "$vmlinuz" "$initrd" "$out" --run "$run" \
	--timeout "$timeout" "${vmopts[@]}"
qemu_rc=$?
set -e
log "guest finished in $(( $(date +%s) - start )) s (qemu exit $qemu_rc)"

[ "$run" = check ] || cat "$out/guest.log"

# Judge the run: the guest's exit status, its TAP (plans, skip reasons),
# every test program of the tree, the host checks of the artifacts, the
# kernel log (see vm/judge.sh).
judge=(--run "$run" --qemu-rc "$qemu_rc" --timeout "$timeout" --ctx "$ctx")
if [ "$run" = check ]; then
	if [ -n "$tests" ]; then
		echo "load_unload.sh test_module.sh $tests" | tr ', ' '\n' >"$out/expected-programs"
		[ -z "$booted" ] || echo "load_beside.sh" >>"$out/expected-programs"
		judge+=(--subset)
	else
		make -s --no-print-directory -C "$top/selftests/memowner" list-programs | tr ' ' '\n' >"$out/expected-programs"
	fi
	judge+=(--expect "$out/expected-programs")
fi
if ! "$here/judge.sh" "$out" "${judge[@]}"; then
	grep -E '^SKIP' "$out/summary.txt" || true
	# What failed and why, short (a CI log holds only this output, not
	# the serial logs); vm/check-all.sh repeats it at its end.
	"$here/failures.sh" "$out" | tee "$out/failures.txt"
	log "serial logs: $out/console.log (kernel), $out/guest.log (tests)"
	cat "$out/summary.txt"
	exit 1
fi
cat "$out/summary.txt"
