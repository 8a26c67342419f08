# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Which kernel a "make check KVER=..." means, and getting it (sourced by
# vm/check.sh after vm/lib.sh, not run).
#
# KVER is one of
#   (empty), 6.1, bookworm    Debian 12's stock kernel, built on the host
#   6.12, bookworm-backports  bookworm-backports' kernel, built on the host
#   SUITE[-FLAVOUR]           the newest kernel of a Debian suite today:
#                             bullseye, trixie, trixie-backports, sid, ...;
#                             FLAVOUR rt (PREEMPT_RT) or cloud; default amd64
#   newest[-FLAVOUR]          the higher of sid's and trixie-backports' today
#   debug                     the debug kernel built from linux-source-6.1
#                             (KASAN, lockdep, UBSAN, kmemleak, ...;
#                             vm/debug-kernel.sh), on the host
#   ABI                       a kernel resolved before (or installed/extracted)
#
# Nothing is pinned: a suite's ABI is what its linux-headers-FLAVOUR
# metapackage depends on in the archive's lists today.  A suite other than
# the host's own is built in a chroot of its release (vm/chroot.sh), with
# the compiler its headers name; its image is unpacked under
# $CACHE/kernels/ABI/ as for the host's kernels.
#
# prepare_kernel KVER prints "ABI KDIR VMLINUZ ROOT": KDIR is the headers
# tree as seen from ROOT, the chroot to build in ("-": the host).

# shellcheck source=vm/chroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"

# kbuild CMD...: run a module build command where the kernel's compiler
# is: on the host, or in $kroot, the chroot of the kernel's release (from
# prepare_kernel), with the work tree $top bind-mounted at its own path.
kbuild() {
	if [ "$kroot" = - ]; then
		"$@"
	else
		chroot_run "$kroot" --bind "$top" "$@"
	fi
}

# The suites "newest" chooses from.
NEWEST_SUITES="sid trixie-backports"

# kernel_cc KDIR_ON_HOST: the compiler the kernel was built with, as the
# headers name it (first word of CONFIG_CC_VERSION_TEXT: gcc-12,
# x86_64-linux-gnu-gcc-14, ...).
kernel_cc() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ "]*\).*/\1/p' \
		"$1/include/config/auto.conf" 2>/dev/null | head -n1
}

# kernel_cc_text KDIR_ON_HOST: all of CONFIG_CC_VERSION_TEXT.
kernel_cc_text() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' \
		"$1/include/config/auto.conf" 2>/dev/null | head -n1
}

# suite_abi ROOT SUITE FLAVOUR: the ABI linux-headers-FLAVOUR of SUITE
# depends on today.  A backports suite is preferred explicitly (apt ranks
# it below the release); otherwise the release, its updates and security
# suites compete by version.
suite_abi() {
	local root=$1 suite=$2 flavour=$3 opt=
	case $suite in
	*-backports) opt="-o APT::Default-Release=$suite" ;;
	esac
	# shellcheck disable=SC2086
	chroot_run "$root" apt-cache $opt depends "linux-headers-$flavour" 2>/dev/null |
		awk -v f="$flavour" '$1 == "Depends:" && $2 ~ "^linux-headers-[0-9].*-" f "$" {
			sub("^linux-headers-", "", $2); print $2 }' |
		sort -V | tail -n1
}

# fetch_image ROOT ABI: unpack ABI's vmlinuz to $CACHE/kernels/ABI/vmlinuz,
# downloading in ROOT with its apt lists.  The image package is a
# metapackage in some suites (sid: linux-image-ABI depends on
# linux-binary-ABI, whose vmlinuz is /usr/lib/modules/ABI/vmlinuz).
fetch_image() {
	local root=$1 abi=$2 dir tmp p deps f
	dir=$CACHE/kernels/$abi
	[ -f "$dir/vmlinuz" ] && return 0
	mkdir -p "$dir"
	# Installed with the headers (trixie's depend on the image).
	for f in "$root/boot/vmlinuz-$abi" "$root/usr/lib/modules/$abi/vmlinuz"; do
		[ -f "$f" ] || continue
		cp "$f" "$dir/vmlinuz.tmp"
		mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
		log "vmlinuz of $abi taken from the chroot"
		return 0
	done
	tmp=$(mktemp -d "$root/tmp/image.XXXXXX")
	for p in "linux-image-$abi" "linux-image-$abi-unsigned"; do
		chroot_run "$root" sh -c "cd ${tmp#"$root"} && apt-get download -qq -o APT::Sandbox::User=root $p" \
			>/dev/null 2>&1 && break
	done
	ls "$tmp"/*.deb >/dev/null 2>&1 || { rm -rf "$tmp"; die "cannot download linux-image-$abi"; }
	for f in "$tmp"/*.deb; do
		dpkg -x "$f" "$tmp/root"
	done
	if [ ! -f "$tmp/root/boot/vmlinuz-$abi" ] &&
		[ ! -f "$tmp/root/usr/lib/modules/$abi/vmlinuz" ]; then
		deps=$(chroot_run "$root" apt-cache depends "$p" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-(binary|image)-/ { print $2 }' |
			paste -sd ' ')
		[ -n "$deps" ] || { rm -rf "$tmp"; die "$p: no vmlinuz and no binary package"; }
		log "$p is a metapackage: downloading $deps"
		chroot_run "$root" sh -c "cd ${tmp#"$root"} && apt-get download -qq -o APT::Sandbox::User=root $deps" \
			>/dev/null || { rm -rf "$tmp"; die "cannot download $deps"; }
		for f in "$tmp"/*.deb; do
			dpkg -x "$f" "$tmp/root"
		done
	fi
	log "unpacked $(cd "$tmp" && echo *.deb)"
	mkdir -p "$dir"
	for f in "$tmp/root/boot/vmlinuz-$abi" "$tmp/root/usr/lib/modules/$abi/vmlinuz"; do
		[ -f "$f" ] || continue
		cp "$f" "$dir/vmlinuz.tmp"
		mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
		break
	done
	rm -rf "$tmp"
	[ -f "$dir/vmlinuz" ] || die "no vmlinuz for $abi in $p"
}

# install_headers ROOT SUITE ABI: linux-headers-ABI in the chroot, with what
# it depends on (linux-compiler-gcc-N-x86: the kernel's compiler).
install_headers() {
	local root=$1 suite=$2 abi=$3 opt=
	[ -f "$root/usr/src/linux-headers-$abi/include/config/auto.conf" ] && return 0
	case $suite in
	*-backports) opt="-t $suite" ;;
	esac
	log "installing linux-headers-$abi in the $(basename "$root") chroot"
	# shellcheck disable=SC2086
	chroot_run "$root" apt-get install -y -qq $opt "linux-headers-$abi" \
		>"$root/.headers-$abi.log" 2>&1 ||
		{ tail -n 20 "$root/.headers-$abi.log" >&2;
		  die "cannot install linux-headers-$abi"; }
	chroot_run "$root" apt-get clean
}

# suite_kernel SUITE FLAVOUR: resolve, install and fetch the newest kernel of
# SUITE; prints "ABI KDIR VMLINUZ ROOT".
suite_kernel() {
	local suite=$1 flavour=$2 kver=$3 rel root abi t0
	rel=${suite%-backports}
	t0=$(date +%s)
	root=$(chroot_ensure "$rel") || exit 1
	abi=$(suite_abi "$root" "$suite" "$flavour")
	[ -n "$abi" ] || die "$suite has no linux-headers-$flavour"
	log "$suite $flavour kernel today: $abi"
	exec 9>"$CACHE/chroot/.$rel.lock"
	flock 9
	install_headers "$root" "$suite" "$abi"
	fetch_image "$root" "$abi"
	flock -u 9
	exec 9>&-
	echo "$root" >"$CACHE/kernels/$abi/chroot"
	echo "$suite" >"$CACHE/kernels/$abi/suite"
	echo "$kver" >"$CACHE/kernels/$abi/kver"
	log "kernel $abi ready in $(( $(date +%s) - t0 )) s"
	echo "$abi /usr/src/linux-headers-$abi $CACHE/kernels/$abi/vmlinuz $root"
}

# kver_name KVER: the name of KVER in the kernel table (vm/kernel-table.sh).
kver_name() {
	case $1 in
	"" | 6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	*-memowner-debug) echo debug ;;
	[0-9]*) cat "$CACHE/kernels/$1/kver" 2>/dev/null || echo "$1" ;;
	*) echo "$1" ;;
	esac
}

# prepare_kernel KVER: see the top of this file.  $here is vm/ (the caller's).
prepare_kernel() {
	local kver=$1 suite flavour=amd64 abi root best s a
	case $kver in
	"" | 6.1 | bookworm)
		"$here/deps.sh" >&2
		read -r abi kdir vmlinuz < <(resolve_kver "") || return 1
		echo "$abi $kdir $vmlinuz -"
		return
		;;
	debug)
		read -r abi kdir vmlinuz < <("$here/debug-kernel.sh") || return 1
		echo "$abi $kdir $vmlinuz -"
		return
		;;
	6.12 | bookworm-backports)
		"$here/deps.sh" 6.12 >&2
		read -r abi kdir vmlinuz < <(resolve_kver 6.12) || return 1
		echo "$abi $kdir $vmlinuz -"
		return
		;;
	[0-9]*)
		"$here/deps.sh" >&2
		root=$(cat "$CACHE/kernels/$kver/chroot" 2>/dev/null || true)
		if [ -n "$root" ] && [ -f "$root/usr/src/linux-headers-$kver/Makefile" ]; then
			echo "$kver /usr/src/linux-headers-$kver $CACHE/kernels/$kver/vmlinuz $root"
			return
		fi
		read -r abi kdir vmlinuz < <(resolve_kver "$kver") || return 1
		echo "$abi $kdir $vmlinuz -"
		return
		;;
	esac
	"$here/deps.sh" >&2
	suite=$kver
	case $suite in
	*-rt) flavour=rt-amd64 suite=${suite%-rt} ;;
	*-cloud) flavour=cloud-amd64 suite=${suite%-cloud} ;;
	esac
	if [ "$suite" = newest ]; then
		best=
		for s in $NEWEST_SUITES; do
			root=$(chroot_ensure "${s%-backports}") || exit 1
			a=$(suite_abi "$root" "$s" "$flavour")
			[ -n "$a" ] || continue
			log "newest: $s has $a"
			if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$a" | sort -V | tail -n1)" = "$a" ]; then
				best=$a suite=$s
			fi
		done
		[ -n "$best" ] || die "no $flavour kernel in $NEWEST_SUITES"
	fi
	suite_kernel "$suite" "$flavour" "$kver"
}
