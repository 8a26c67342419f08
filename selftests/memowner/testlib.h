/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the selftests that drive memowner_test.ko: (re)loading the
 * modules with parameters, commands to the test module and what it holds,
 * and reading memowner's debugfs files.
 */
#ifndef MEMOWNER_TESTLIB_H
#define MEMOWNER_TESTLIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/memowner.h>

#include "memowner_selftest.h"

#define DBG	"/sys/kernel/debug/memowner/"
#define TDBG	"/sys/kernel/debug/memowner_test/"

/*
 * The number of allocations of a stress workload: @n, or @n divided by
 * $MEMOWNER_WORK_DIV (vm/check.sh sets it on the debug kernel, where
 * KASAN, kmemleak and lockdep make each allocation about ten times slower
 * under TCG: the workload keeps its duration, and so what runs beside it
 * during that time, and every check counts what was done).  At least 1000.
 */
static inline long stress_allocs(long n)
{
	const char *e = getenv("MEMOWNER_WORK_DIV");
	long div = e ? atol(e) : 1;

	if (div > 1)
		n /= div;
	return n < 1000 ? 1000 : n;
}

/* ---- modules ---------------------------------------------------------- */

static inline int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * Unload @name, waiting up to 10 s (times $MEMOWNER_TIMEOUT_SCALE: on the
 * debug kernel a reader needs longer to let go of the module) while it
 * is busy: a reader that holds a file of the module makes delete_module()
 * refuse (EBUSY) until it closes it.  2 s was not enough for soak_test's
 * two readers, which reopen their files at once, on 7.3-rt under TCG
 * (cycle 13 of 20 refused).
 */
static inline int unload_module(const char *name)
{
	int i, tries = 500 * mo_timeout_scale();

	for (i = 0; i < tries; i++) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		if (errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			return -errno;
		usleep(20000);
	}
	return -EBUSY;
}

/* (Re)load memowner.ko with @params; 0 or -errno. */
static inline int memowner_reload(const char *params)
{
	int ret = unload_module("memowner");

	if (ret)
		return ret;
	return load_module(getenv("MEMOWNER_KO"), params);
}

static inline int test_module_ensure(void)
{
	if (!access(TDBG "control", W_OK))
		return 0;
	return load_module(getenv("MEMOWNER_TEST_KO"), "");
}

/* ---- files -------------------------------------------------------------- */

static inline char *read_file(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* MemAvailable of /proc/meminfo in kB, or -1. */
static inline long mem_available_kb(void)
{
	char *mi = read_file("/proc/meminfo"), *p;
	long kb = -1;

	p = mi ? strstr(mi, "MemAvailable:") : NULL;
	if (p)
		kb = strtol(p + strlen("MemAvailable:"), NULL, 10);
	free(mi);
	return kb;
}

/*
 * The test module's command for costly-order (4 MiB) blocks beyond what
 * this machine has available (MemAvailable plus 64 MiB), whatever its
 * size: the allocations past free memory enter direct reclaim, and the
 * first that fails ends the command (memowner_test.ko gives such orders
 * __GFP_NORETRY), which then holds nothing.  -1 without /proc/meminfo.
 */
static inline int reclaim_cmd(char *buf, size_t len)
{
	long kb = mem_available_kb();

	if (kb <= 0)
		return -1;
	snprintf(buf, len, "alloc pages %ld 10", kb / 4096 + 16);
	return 0;
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A command to memowner_test.ko; 0 or -errno. */
static inline int tm(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return write_str(TDBG "control", cmd);
}

/*
 * The start of an exact test: the test module loaded and empty, memowner
 * reloaded in stack mode (every allocation recorded, with its stack) and
 * its device opened with @flags.  The descriptor, or -errno.
 */
static inline int mo_start_exact(int flags)
{
	int ret = test_module_ensure();

	if (!ret)
		ret = tm("reset");
	if (!ret)
		ret = memowner_reload("mode=stack");
	if (ret)
		return ret;
	ret = open(MEMOWNER_DEVICE, flags);
	return ret < 0 ? -errno : ret;
}

/*
 * Fragmenting fallbacks of the test module's "fragment", or -1.  Each run
 * leaves the pageblocks its fallbacks stole unmovable, so the unmovable
 * free lists of a later run can hold more than 65536 pages (and memowner
 * no longer drains the per-CPU lists at load): tried with 64 Ki, 128 Ki,
 * then 256 Ki pages until the allocator fragments (it stops at 16).
 */
static inline long tm_fragment(void)
{
	long fallbacks = -1;
	char *held, *p;
	int try;

	for (try = 0; try < 3 && fallbacks <= 0; try++) {
		char cmd[32];

		snprintf(cmd, sizeof(cmd), "fragment %d", 65536 << try);
		if (tm(cmd))
			return -1;
		held = read_file(TDBG "held");
		p = held ? strstr(held, "fragment blocks=") : NULL;
		if (p)
			fprintf(stderr, "# try %d: %.80s\n", try, p);
		p = p ? strstr(p, "fallbacks=") : NULL;
		if (p)
			fallbacks = strtol(p + strlen("fallbacks="), NULL, 10);
		free(held);
	}
	return fallbacks;
}

struct held {
	long count, bytes_req, bytes_alloc, pages;
};

static inline int tm_held(const char *kind, struct held *h)
{
	char *buf = read_file(TDBG "held"), *line;
	size_t klen = strlen(kind);

	memset(h, 0, sizeof(*h));
	if (!buf)
		return -errno;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, kind, klen) && line[klen] == ' ')
			sscanf(line + klen, " count=%ld bytes_req=%ld bytes_alloc=%ld pages=%ld",
			       &h->count, &h->bytes_req, &h->bytes_alloc,
			       &h->pages);
	free(buf);
	return 0;
}

/* A numeric field "key=N" or "key: N" in memowner's status. */
static inline long status_num(const char *line_prefix, const char *key)
{
	char *buf = read_file(DBG "status"), *line, *p;
	long v = -1;

	if (!buf)
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, line_prefix, strlen(line_prefix)))
			continue;
		p = strstr(line, key);
		if (p)
			v = strtol(p + strlen(key), NULL, 10);
		break;
	}
	free(buf);
	return v;
}

/* How many alert rules exist; -errno on failure. */
static inline int mo_rule_count(int fd)
{
	struct memowner_threshold_list l = {
		.size = sizeof(l),
		.state_size = sizeof(struct memowner_threshold_state),
	};

	return ioctl(fd, MEMOWNER_IOC_THRESHOLD_LIST, &l) ? -errno : (int)l.total;
}

/*
 * A PREEMPT_RT kernel: /sys/kernel/realtime reads 1 (6.12+), or the
 * version string names PREEMPT_RT (scripts/mkcompile_h).  On PREEMPT_RT
 * the slab and page allocators take sleeping locks, so no allocation may
 * be made in hard interrupt context: memowner_test.ko refuses ctx=hardirq.
 */
#define MO_RT_NO_HARDIRQ "PREEMPT_RT: no allocation may be made in hard interrupt context"

static inline bool kernel_is_preempt_rt(void)
{
	char *rt = read_file("/sys/kernel/realtime");
	struct utsname u;
	bool yes = rt && rt[0] == '1';

	free(rt);
	return yes || (!uname(&u) && strstr(u.version, "PREEMPT_RT"));
}

/* Is the running kernel older than @major.@minor (uname's release)? */
static inline bool kernel_before(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

/* Both module files are named by the environment (see vm/guest/init). */
static inline bool have_modules(void)
{
	return getenv("MEMOWNER_KO") && getenv("MEMOWNER_TEST_KO") &&
	       !access(getenv("MEMOWNER_KO"), R_OK) &&
	       !access(getenv("MEMOWNER_TEST_KO"), R_OK);
}

/*
 * main() of the programs that reload memowner: run the harness, then leave
 * memowner loaded with its defaults and the test module empty for
 * whatever runs next.  test_harness_run() ends in exit() (ksft_exit()), so
 * the cleanup is an atexit() handler of the main process (not of the
 * children the harness forks for each test, which _exit(), nor of
 * grandchildren a test forks).  run_tests.sh checks that it ran: a program
 * that leaves memowner changed fails.  A macro, to expand after
 * kselftest_harness.h.
 */
static pid_t mo_main_pid;

static inline void mo_main_cleanup(void)
{
	if (getpid() != mo_main_pid || !have_modules())
		return;
	tm("reset");
	if (memowner_reload(""))
		fprintf(stderr, "# cleanup: reloading memowner.ko failed\n");
}

#define MO_TEST_MAIN							\
int main(int argc, char **argv)						\
{									\
	mo_require_module();						\
	mo_main_pid = getpid();						\
	atexit(mo_main_cleanup);					\
	return MO_HARNESS_RUN(argc, argv);				\
}

#endif /* MEMOWNER_TESTLIB_H */
