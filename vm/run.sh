#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh KERNEL INITRD OUTDIR [options]: boot the test guest under TCG and
# wait for it to power off.  The kernel console (ttyS0) goes to
# OUTDIR/console.log, the guest's output (ttyS1) to OUTDIR/guest.log.
#
#   --run NAME        guest script to run (check, demo, bench)
#   --timeout SEC     kill the guest after SEC seconds (exit 124)
#   --smp N --mem SIZE
#   --icount          -icount shift=0: guest time counts instructions
#   --append ARGS     extra kernel command line
#   --console         also copy the guest output to stdout as it arrives
#   --root IMG        boot the full-root guest of IMG (root=/dev/vda, ext4;
#                     the image is only read: -snapshot) with INITRD as its
#                     initrd; the next option's file is its second disk
#   --payload FILE    second virtio disk (read-only): the tests, as a tar
set -euo pipefail

kernel=$1 initrd=$2 outdir=$3
shift 3
run=check timeout=900 smp=2 mem=1024M icount='' append='' console='' root='' payload=''
while [ $# -gt 0 ]; do
	case $1 in
	--run) run=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--icount) icount="-icount shift=0" ;;
	--append) append="$append $2"; shift ;;
	--console) console=1 ;;
	--root) root=$2; shift ;;
	--payload) payload=$2; shift ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

mkdir -p "$outdir"
: >"$outdir/console.log"
: >"$outdir/guest.log"

# oops=panic + panic=-1 + -no-reboot: a crashed guest stops at once instead
# of hanging until the timeout.
#
# thread=single: one host thread runs all vCPUs, interleaved.  With
# multi-threaded TCG, a vCPU executing kernel text that another vCPU is
# live-patching (static keys flipped by tracepoint registration while every
# CPU is in kfree()) was seen to execute the transient int3 after the patch
# had completed -- "Oops: int3" in kfree on 6.12 -- an emulator artefact of
# cross-modifying code that real CPUs, which serialise on the kernel's
# sync_core() IPIs, do not have.  Interleaved vCPUs still run the kernel's
# SMP paths concurrently (preempted at any translation block).
cmdline="console=ttyS0 loglevel=7 oops=panic panic=-1 MEMOWNER_RUN=$run $append"
# The full-root guest: Debian on a virtio disk with a virtio NIC, as on a
# cloud VM, so that udev loads the drivers such a machine loads.
disks=()
if [ -n "$root" ]; then
	cmdline="$cmdline root=/dev/vda rw"
	disks+=(-drive "file=$root,if=virtio,format=raw,snapshot=on"
		-nic "user,model=virtio-net-pci")
	[ -z "$payload" ] ||
		disks+=(-drive "file=$payload,if=virtio,format=raw,readonly=on")
fi

tailpid=
if [ -n "$console" ]; then
	tail -f "$outdir/guest.log" &
	tailpid=$!
fi

set +e
# shellcheck disable=SC2086
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
	-nodefaults -no-user-config -accel tcg,thread=single -cpu max -smp "$smp" -m "$mem" \
	$icount -display none -monitor none -no-reboot \
	-serial "file:$outdir/console.log" -serial "file:$outdir/guest.log" \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" "${disks[@]}" </dev/null
rc=$?
set -e
[ -n "$tailpid" ] && kill "$tailpid" 2>/dev/null
exit $rc
