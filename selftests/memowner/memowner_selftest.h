/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the memowner selftests.
 */
#ifndef MEMOWNER_SELFTEST_H
#define MEMOWNER_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kselftest.h"
#include "memowner_client.h"

/* Skip the whole program when memowner.ko is not loaded. */
static inline void mo_require_module(void)
{
	if (access(MEMOWNER_DEVICE, F_OK)) {
		ksft_print_header();
		ksft_exit_skip("memowner.ko is not loaded (%s absent)\n",
			       MEMOWNER_DEVICE);
	}
}

/* $MEMOWNER_TIMEOUT_SCALE (2..100; else 1): every bound's factor. */
static inline int mo_timeout_scale(void)
{
	const char *e = getenv("MEMOWNER_TIMEOUT_SCALE");
	int n = e ? atoi(e) : 1;

	return n > 1 && n <= 100 ? n : 1;
}

/*
 * test_harness_run() with every case's timeout times MEMOWNER_TIMEOUT_SCALE
 * (the debug kernel's KASAN, lockdep and kmemleak make each case several
 * times slower; run_tests.sh scales each program's bound the same way).
 * A macro, to expand after kselftest_harness.h (its fixture list).
 */
#define MO_HARNESS_RUN(argc, argv)					\
({									\
	int n_ = mo_timeout_scale();					\
	struct __fixture_metadata *f_;					\
	struct __test_metadata *t_;					\
									\
	if (n_ > 1)							\
		for (f_ = __fixture_list; f_; f_ = f_->next)		\
			for (t_ = f_->tests; t_; t_ = t_->next)		\
				t_->timeout *= n_;			\
	test_harness_run(argc, argv);					\
})

#define MO_CAP(c)	(1ULL << (c))

/*
 * Keep only the capabilities in @keep (effective, permitted, inheritable)
 * and drop every other one from the bounding set, staying uid 0.
 * Returns 0 or -errno.
 */
static inline int mo_keep_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { { 0 } };
	int c;

	for (c = 0; c <= 63; c++)
		if (!(keep & MO_CAP(c)))
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/*
 * Keep only the capabilities in @keep (see mo_keep_caps()), then open the
 * device: its fd, -10 when the capabilities could not be set, -11 when the
 * open failed (errno tells why) -- the exit codes of the child bodies.
 */
static inline int mo_open_with_caps(uint64_t keep)
{
	int fd;

	if (mo_keep_caps(keep))
		return -10;
	fd = open(MEMOWNER_DEVICE, O_RDWR);
	return fd < 0 ? -11 : fd;
}

/* Become uid/gid 65534 ("nobody"): all capabilities are lost. */
static inline int mo_become_nobody(void)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

/*
 * Run @fn in a child (so its privilege changes stay there) and return its
 * exit status, or -1 when it did not exit normally.
 */
static inline int mo_run_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* MEMOWNER_SELFTEST_H */
