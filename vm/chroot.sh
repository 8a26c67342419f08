# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Build chroots of Debian releases (sourced by vm/kernels.sh, not run).
#
# A kernel is built with the compiler its headers name, and that compiler
# is the one of the kernel's own release (trixie's headers need gcc-14,
# sid's gcc-16; Debian 12 has neither).  So the harness keeps one
# debootstrap minbase chroot per release under $CACHE/chroot/RELEASE, made
# on first use, with the release's updates, security and backports suites
# in its apt sources.  Headers are installed in it by apt, as a user of that
# release would (linux-headers-ABI depends on linux-compiler-gcc-N-x86).
#
# Commands run in the chroot through chroot_run, inside a private mount
# namespace: /proc and the work tree (bind-mounted at the same path as on
# the host, so every path means the same inside and out) vanish when the
# command ends, and several work trees can use one chroot at once.

# Packages of every build chroot, besides what linux-headers-ABI pulls in.
CHROOT_PKGS="make bc kmod libelf-dev dwarves dkms python3 ca-certificates"

# apt_uri SUITE: the archive URI the machine's own apt sources use for SUITE
# (deb822 .sources or one-line .list files), empty when none does.
apt_uri() {
	local suite=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v want="$suite" '
			/^$/ { if (ok && uri != "") { print uri; exit } uri = ""; ok = 0 }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) ok = 1 }
			END { if (ok && uri != "") print uri }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v want="$suite" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
			if ($i ~ /^\[/ || $i ~ /\]$/) i++
			if ($(i + 1) == want) print $i
		}' "$f"
	done
}

# The host's own release (its apt sources name it), e.g. bookworm.
host_release() {
	. /etc/os-release && echo "$VERSION_CODENAME"
}

# The archive (main) and security URIs, taken from the host's sources for
# its own release and used for every other release.
archive_uri() { apt_uri "$(host_release)" | head -n1; }
security_uri() { apt_uri "$(host_release)-security" | head -n1; }

# chroot_run ROOT [--bind DIR]... CMD...: run CMD in chroot ROOT with /proc
# and each DIR (at the same path) mounted in a private mount namespace.
chroot_run() {
	local root=$1 binds=()
	shift
	while [ "${1:-}" = --bind ]; do
		binds+=("$2")
		shift 2
	done
	local d
	for d in "${binds[@]}"; do
		mkdir -p "$root$d"
	done
	# shellcheck disable=SC2016
	unshare -m --propagation private -- /bin/sh -c '
		root=$1 n=$2; shift 2
		mount -t proc proc "$root/proc" || exit 1
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" 2>/dev/null &&
			mount --bind "$root/dev/pts/ptmx" "$root/dev/ptmx" 2>/dev/null
		while [ "$n" -gt 0 ]; do
			mount --bind "$1" "$root$1" || exit 1
			shift; n=$((n - 1))
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$root" "${#binds[@]}" "${binds[@]}" "$@"
}

# chroot_sources RELEASE: the apt sources of a build chroot.  sid has no
# updates, security or backports suites; the others get all that exist.
chroot_sources() {
	local rel=$1 uri sec
	uri=$(archive_uri)
	sec=$(security_uri)
	echo "deb $uri $rel main"
	case $rel in
	sid | unstable) return ;;
	esac
	echo "deb $uri $rel-updates main"
	[ -n "$sec" ] && echo "deb $sec $rel-security main"
	echo "deb $uri $rel-backports main"
}

# chroot_apt_update ROOT RELEASE: refresh the chroot's package lists at most once a
# day (the archive moves slowly; ABIs are resolved from these lists).
chroot_apt_update() {
	local root=$1 rel=$2
	[ -n "$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*Packages*' \
		-mtime -1 2>/dev/null)" ] && [ ! -e "$root/.apt-stale" ] && return 0
	log "updating the package lists of the $rel chroot"
	# A suite that does not exist (an old release's backports) is not an
	# error: apt says so and fetches the others.  The release's own list
	# must be there.
	chroot_run "$root" apt-get update -qq >"$root/.apt-update.log" 2>&1 || true
	ls "$root"/var/lib/apt/lists/*_"$rel"_main_*Packages* \
		>/dev/null 2>&1 ||
		{ cat "$root/.apt-update.log" >&2; die "apt-get update failed in $root"; }
	rm -f "$root/.apt-stale"
}

# chroot_ensure RELEASE: print the root of RELEASE's build chroot, creating
# it first when it does not exist (debootstrap minbase + build tools).
chroot_ensure() {
	local rel=$1 root tmp uri t0
	root=$CACHE/chroot/$rel
	mkdir -p "$CACHE/chroot"
	exec 9>"$CACHE/chroot/.$rel.lock"
	flock 9
	if [ ! -f "$root/.memowner-ready" ]; then
		uri=$(archive_uri)
		[ -n "$uri" ] || die "no Debian archive URI in the apt sources"
		command -v debootstrap >/dev/null || die "debootstrap missing (vm/deps.sh)"
		t0=$(date +%s)
		log "creating the $rel build chroot (debootstrap, $uri)"
		tmp=$CACHE/chroot/$rel.tmp
		rm -rf "$tmp"
		debootstrap --variant=minbase "$rel" "$tmp" "$uri" \
			>"$CACHE/chroot/$rel.debootstrap.log" 2>&1 ||
			{ tail -n 20 "$CACHE/chroot/$rel.debootstrap.log" >&2;
			  die "debootstrap $rel failed"; }
		chroot_sources "$rel" >"$tmp/etc/apt/sources.list"
		cat >"$tmp/etc/apt/apt.conf.d/90memowner" <<-EOF
		APT::Install-Recommends "false";
		Acquire::Languages "none";
		APT::Get::List-Cleanup "0";
		EOF
		printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
		chmod 0755 "$tmp/usr/sbin/policy-rc.d"
		touch "$tmp/.apt-stale"
		chroot_apt_update "$tmp" "$rel"
		# shellcheck disable=SC2086
		chroot_run "$tmp" apt-get install -y -qq $CHROOT_PKGS >/dev/null ||
			die "$rel chroot: cannot install $CHROOT_PKGS"
		chroot_run "$tmp" apt-get clean
		touch "$tmp/.memowner-ready"
		rm -rf "$root"
		mv "$tmp" "$root"
		log "$rel build chroot ready in $(( $(date +%s) - t0 )) s"
	fi
	# A release's headers may depend on its image package (trixie's do):
	# building an initramfs for it in the chroot is wasted time.
	if [ ! -e "$root/.no-initramfs" ]; then
		chroot_run "$root" dpkg-divert --local --rename \
			--add /usr/sbin/update-initramfs >/dev/null
		ln -sf /bin/true "$root/usr/sbin/update-initramfs"
		touch "$root/.no-initramfs"
	fi
	chroot_apt_update "$root" "$rel"
	flock -u 9
	exec 9>&-
	echo "$root"
}
