#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the newest bookworm-backports kernel (image + headers) and extract it
# under $CACHE/kernels/<abi>/ without installing it: a private apt
# configuration holds the backports suite, so the machine's own apt state is
# never touched.  The archive URI is taken from the machine's existing apt
# sources.  Records the ABI in $CACHE/backports-abi.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

bpo=$CACHE/apt-backports

# The URI that serves the machine's "bookworm" suite (deb822 or one-line).
debian_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^$/ { if (ok && uri != "") { print uri; exit } uri = ""; ok = 0 }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
			END { if (ok && uri != "") print uri }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
			if ($i ~ /^\[/ || $i ~ /\]$/) i++
			if ($(i + 1) == "bookworm") print $i
		}' "$f"
	done
}

uri=$(debian_uri | head -n1)
[ -n "$uri" ] || die "no bookworm suite found in the apt sources"

mkdir -p "$bpo/lists/partial" "$bpo/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-backports main" \
	>"$bpo/sources.list"
opts="-o Dir::Etc::SourceList=$bpo/sources.list -o Dir::Etc::SourceParts=/nonexistent
-o Dir::State::Lists=$bpo/lists -o Dir::Cache=$bpo/cache -o APT::Get::List-Cleanup=0"

# Refresh the list at most once a day; the archive moves slowly.
if [ -z "$(find "$bpo/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	log "updating bookworm-backports package list"
	# shellcheck disable=SC2086
	apt-get $opts update -qq >/dev/null
fi

# shellcheck disable=SC2086
abi=$(apt-cache $opts depends linux-headers-amd64 2>/dev/null |
	awk '/Depends: linux-headers-[0-9].*-amd64$/ { sub("linux-headers-", "", $2); print $2 }' |
	sort -V | tail -n1)
case "$abi" in
6.12.*) ;;
*) die "bookworm-backports has no 6.12 kernel (found '$abi')" ;;
esac

dir=$CACHE/kernels/$abi
if [ ! -f "$dir/root/usr/src/linux-headers-$abi/Makefile" ]; then
	tmp=$(mktemp -d)
	# Headers depend on -common and linux-kbuild; fetch the whole set.
	# shellcheck disable=SC2086
	deps=$(apt-cache $opts depends "linux-headers-$abi" 2>/dev/null |
		awk '/Depends: linux-(headers|kbuild)-/ { print $2 }')
	log "downloading linux-headers-$abi $deps"
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get $opts download -qq "linux-headers-$abi" $deps >/dev/null)
	for d in "$tmp"/*.deb; do
		dpkg -x "$d" "$tmp/root"
	done
	# The arch headers' Makefile includes the -common tree by absolute
	# path; point it into the extracted tree.
	sed -i "s|/usr/src/|$dir/root/usr/src/|g" \
		"$tmp/root/usr/src/linux-headers-$abi/Makefile"
	mkdir -p "$dir"
	rm -rf "$dir/root"
	mv "$tmp/root" "$dir/root"
	rm -rf "$tmp"
fi

extract_image "$abi" "$opts" "linux-image-$abi" "linux-image-$abi-unsigned"
echo "$abi" >"$CACHE/backports-abi"
log "backports kernel $abi ready"
