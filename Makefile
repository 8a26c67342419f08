# SPDX-License-Identifier: GPL-2.0
#
# memowner: who owns kernel memory.
#
#   make                 module + userspace + selftests
#   make module          module/memowner.ko against KDIR
#   make userspace       userspace/memowner, userspace/memownerd (STATIC=1: static)
#   make deps            install build/test dependencies (apt-get)
#   make check           full test suite in a VM on Debian 12's stock 6.1 kernel
#   make check-6.12      the same on the bookworm-backports 6.12 kernel
#   make check KVER=...  the same on another kernel: a Debian suite (trixie,
#                        trixie-backports, sid, bullseye, ...; -rt, -cloud
#                        flavours; newest) resolved from the archive today,
#                        built in a chroot of its release, or an ABI
#   make check-all       the whole kernel matrix (KVERS=... for some of it),
#                        then the README's kernel table
#   make check TESTS=a,b only those selftests (iterating on one test)
#   make check-debug     the suite on a debug kernel built from Debian 12's
#                        linux-source-6.1 (KASAN, lockdep, UBSAN, KFENCE,
#                        kmemleak after every program; cached)
#   make check-booted [KVER=...] [TESTS=...]  the suite on a normally booted
#                        full-root Debian guest (systemd, its usual modules
#                        first; image built and cached on first use)
#   make fuzz            the fuzzer alone, FUZZ_CALLS=100000 calls per ioctl/op
#   make mutate          apply each deliberate bug of vm/mutations.list to a
#                        scratch copy, run its tests: all must be caught
#                        (MUTATIONS=a,b: only those; slow, not in check)
#   make demo            boot a VM with memowner loaded and show the owners
#   make bench           allocator overhead per memowner mode (VM, -icount)
#   make dkms-install    install the module through DKMS
#   make install         install the userspace tools

# The target kernel is never assumed to be the running one: prefer the
# running kernel's build tree when it exists, else the newest installed
# Debian linux-headers-*-amd64 tree.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1))
VERSION := $(shell sed -n 's/^\#define MEMOWNER_VERSION\t*"\(.*\)"/\1/p' module/version.h)
PREFIX ?= /usr/local
DESTDIR ?=

all: module userspace selftests

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run 'make deps' or set KDIR" >&2; exit 1; }
	$(MAKE) -C module KDIR=$(KDIR)

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests/memowner

deps:
	vm/deps.sh

# TESTS=prog,prog runs only those selftests (after the module loaders).
check:
	vm/check.sh $(KVER) $(if $(TESTS),--tests $(TESTS))

check-debug:
	vm/check.sh debug $(if $(TESTS),--tests $(TESTS))

check-booted:
	vm/check.sh $(KVER) --booted $(if $(TESTS),--tests $(TESTS))

# Each mutation of vm/mutations.list on a scratch copy of the tree, with
# its TESTS subset in the VM; fails when one is not caught.
mutate:
	vm/mutate.sh $(KVER) $(if $(MUTATIONS),--only $(MUTATIONS))

check-6.12:
	vm/check.sh 6.12 $(if $(TESTS),--tests $(TESTS))

check-all:
	JOBS=$(JOBS) vm/check-all.sh $(KVERS)

kernel-table:
	vm/kernel-table.sh

# A long fuzz run: fuzz_test alone with FUZZ_CALLS calls per ioctl and per
# netlink op (the suite runs it with MEMOWNER_FUZZ_CALLS' default), FUZZ_SEED
# to replay a run; KVER=debug on the debug kernel.
FUZZ_CALLS ?= 100000
fuzz:
	TIMEOUT=$${TIMEOUT:-3600} vm/check.sh $(KVER) --tests fuzz_test \
		--append MEMOWNER_FUZZ_CALLS=$(FUZZ_CALLS) --append MEMOWNER_TIMEOUT=3500 \
		$(if $(FUZZ_SEED),--append MEMOWNER_FUZZ_SEED=$(FUZZ_SEED))

demo:
	vm/check.sh $(KVER) --run demo

# Instructions per allocator pair in each memowner mode, measured in a
# single-CPU VM with -icount (guest time = executed instructions); the
# report goes to stdout and build/bench-report.md.
bench:
	vm/check.sh $(KVER) --run bench --smp 1 --icount
	@log=$$(ls -t build/bench-*/guest.log | head -n1) && \
	bench/report.sh "$$log" >build/bench-report.md && \
	echo "report of $$log (build/bench-report.md):" && cat build/bench-report.md

# The files DKMS needs, copied to DESTDIR (used by dkms-install and the
# DKMS check of "make check").
dkms-source:
	@test -n "$(DESTDIR)" || { echo "DESTDIR is not set" >&2; exit 1; }
	mkdir -p $(DESTDIR)/module $(DESTDIR)/uapi/linux
	cp dkms.conf $(DESTDIR)/
	cp module/Kbuild module/Makefile module/*.c module/*.h $(DESTDIR)/module/
	cp uapi/linux/memowner.h $(DESTDIR)/uapi/linux/

dkms-install:
	rm -rf /usr/src/memowner-$(VERSION)
	$(MAKE) dkms-source DESTDIR=/usr/src/memowner-$(VERSION)
	dkms add -m memowner -v $(VERSION)
	dkms install -m memowner -v $(VERSION)

dkms-uninstall:
	dkms remove -m memowner -v $(VERSION) --all
	rm -rf /usr/src/memowner-$(VERSION)

# memowner(8) is written by the tool from its own command table;
# memownerd(8) by help2man from the daemon's --help (left-aligned: its
# metric lists have words too long to justify).
man: userspace
	mkdir -p build/man
	userspace/memowner --man >build/man/memowner.8
	help2man -s 8 -N --no-discard-stderr -S "memowner $(VERSION)" \
		-n "memowner alert, event and metrics daemon" \
		userspace/memownerd | \
		sed '/^\.TH /a .ad l' >build/man/memownerd.8

SYSTEMDUNITDIR ?= /lib/systemd/system
install: userspace man
	install -D -m 0755 userspace/memowner $(DESTDIR)$(PREFIX)/sbin/memowner
	install -D -m 0755 userspace/memownerd $(DESTDIR)$(PREFIX)/sbin/memownerd
	install -D -m 0644 build/man/memowner.8 $(DESTDIR)$(PREFIX)/share/man/man8/memowner.8
	install -D -m 0644 build/man/memownerd.8 $(DESTDIR)$(PREFIX)/share/man/man8/memownerd.8
	install -D -m 0644 packaging/memowner.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/memowner
	mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/sbin/|$(PREFIX)/sbin/|g' packaging/memownerd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/memownerd.service
	install -D -m 0644 packaging/memownerd.conf.example \
		$(DESTDIR)$(PREFIX)/share/doc/memowner/examples/memownerd.conf

clean:
	-$(MAKE) -C module KDIR=$(KDIR) clean
	-$(MAKE) -C bench KDIR=$(KDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests/memowner clean
	rm -rf build module/.kdir

.PHONY: all module userspace selftests deps check check-debug check-booted check-6.12 check-all kernel-table fuzz mutate demo bench \
	dkms-source dkms-install dkms-uninstall man install clean
