#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make install" into a scratch DESTDIR: every file the packaging promises
# is there, the man pages render without a groff warning, the bash
# completion loads and completes, the systemd unit is well-formed.
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0
rc=0
t() {
	n=$((n + 1))
	if "$@" >"$dest.log" 2>&1; then
		echo "ok $n $desc"
	else
		sed 's/^/# /' "$dest.log" | head -n 20
		echo "not ok $n $desc"
		rc=1
	fi
}

desc="make install DESTDIR=... PREFIX=/usr"
t make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr

for f in usr/sbin/memowner usr/sbin/memownerd \
	usr/share/man/man8/memowner.8 usr/share/man/man8/memownerd.8 \
	usr/share/bash-completion/completions/memowner \
	lib/systemd/system/memownerd.service \
	usr/share/doc/memowner/examples/memownerd.conf; do
	desc="installs /$f"
	t test -s "$dest/$f"
done

for m in memowner memownerd; do
	desc="$m.8 renders without warnings"
	t bash -c "out=\$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 '$dest/usr/share/man/man8/$m.8' 2>&1); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
done

desc="memowner.8 documents every command"
t bash -c "for c in \$('$dest/usr/sbin/memowner' help | sed -n '/^Commands:/,/^\$/p' | awk 'NF > 1 { print \$1 }'); do
	grep -q \"^\\.SS \\\"\$c\" '$dest/usr/share/man/man8/memowner.8' || { echo \"missing \$c\"; exit 1; }; done"

desc="bash completion completes commands and options"
t bash -c "
	_init_completion() { cur=\${COMP_WORDS[COMP_CWORD]}; prev=\${COMP_WORDS[COMP_CWORD-1]}; words=(\"\${COMP_WORDS[@]}\"); cword=\$COMP_CWORD; }
	_filedir() { :; }
	PATH='$dest/usr/sbin':\$PATH
	. '$dest/usr/share/bash-completion/completions/memowner'
	COMP_WORDS=(memowner st); COMP_CWORD=1; _memowner
	printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx stacks || { echo \"commands: \${COMPREPLY[*]}\"; exit 1; }
	COMP_WORDS=(memowner stacks --so); COMP_CWORD=2; _memowner
	printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx -- --sort || { echo \"options: \${COMPREPLY[*]}\"; exit 1; }"

desc="memownerd.service names the installed daemon"
t grep -q '^ExecStart=/usr/sbin/memownerd' "$dest/lib/systemd/system/memownerd.service"

echo "1..$n"
exit $rc
