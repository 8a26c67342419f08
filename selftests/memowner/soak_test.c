// SPDX-License-Identifier: GPL-2.0
/*
 * Soak: memowner.ko loaded and unloaded $MEMOWNER_SOAK_CYCLES times
 * (default 100) while every CPU allocates and frees (memowner_test.ko's
 * stress) and readers stay attached (ioctl snapshots and stacks reopening
 * the device, "memowner top -b", netlink dumps, debugfs status and
 * page_owner); then a full owner table (max_objects=1024, max_stacks=64)
 * and an OOM kill inside a 16 MiB memory cgroup, both while the readers
 * run.  The kernel log is judged by the harness (no Oops, WARNING, leak at
 * unload, lockup, global OOM).
 */
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <sys/mman.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "memowner_selftest.h"
#include "testlib.h"

/* Set while an unload waits: the device readers step back (an open pins the module). */
static volatile int *unloading;

#define MB	(1024 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn();
		_exit(0);
	}
	return pid;
}

/* Opens, snapshots, reads stacks, closes: errors only of a vanished module. */
static void ioctl_reader(void)
{
	static struct memowner_row rows[64];
	char text[8192];

	for (unsigned int n = 0;; n++) {
		struct memowner_snapshot s = {
			.size = sizeof(s), .group = n % (MEMOWNER_GROUP_MAX + 1),
			.rows = (uintptr_t)rows, .row_size = sizeof(rows[0]),
			.max_rows = 64,
		};
		int fd;

		while (*unloading)
			usleep(2000);
		fd = open(MEMOWNER_DEVICE, O_RDWR);
		if (fd < 0) {
			if (errno != ENOENT && errno != ENODEV && errno != ENXIO)
				_exit(10);
			usleep(5000);
			continue;
		}
		if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s))
			_exit(11);
		for (unsigned int i = 0; i < s.nr_rows && i < 4; i++) {
			struct memowner_stack st = {
				.size = sizeof(st), .handle = rows[i].stack,
				.text = (uintptr_t)text, .text_len = sizeof(text),
			};

			if (rows[i].stack && ioctl(fd, MEMOWNER_IOC_GET_STACK, &st))
				_exit(12);
		}
		close(fd);
		usleep(10000);
	}
}

static void cli_reader(void)
{
	static const char *const cmds[] = {
		"memowner top -b -n 1 -d 1 >/dev/null 2>&1",
		"memowner stacks -n 5 >/dev/null 2>&1",
		"head -c 65536 " DBG "page_owner >/dev/null 2>&1",
		"cat " DBG "status >/dev/null 2>&1",
		"memowner caches >/dev/null 2>&1",
	};

	for (unsigned int n = 0;; n++) {
		int st;

		while (*unloading)
			usleep(2000);
		st = system(cmds[n % (sizeof(cmds) / sizeof(cmds[0]))]);

		if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL &&
		    WTERMSIG(st) != SIGPIPE)
			_exit(20);
		usleep(10000);
	}
}

/* GET_INFO and the first message of a stacks dump, on and on, through reloads. */
static void genl_reader(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static uint8_t buf[65536];
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		struct nlattr a;
		char name[12];
	} req;
	uint32_t seq = 0;

	for (;;) {
		int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), id = 0;
		struct timeval tv = { .tv_sec = 20 };
		ssize_t len;

		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(30);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		memset(&req, 0, sizeof(req));
		req.n.nlmsg_len = sizeof(req);
		req.n.nlmsg_type = GENL_ID_CTRL;
		req.n.nlmsg_flags = NLM_F_REQUEST;
		req.n.nlmsg_seq = ++seq;
		req.g.cmd = CTRL_CMD_GETFAMILY;
		req.g.version = 1;
		req.a.nla_type = CTRL_ATTR_FAMILY_NAME;
		req.a.nla_len = NLA_HDRLEN + sizeof(MEMOWNER_GENL_NAME);
		strcpy(req.name, MEMOWNER_GENL_NAME);
		send(fd, &req, sizeof(req), 0);
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			_exit(31);
		for (struct nlmsghdr *n = (void *)buf; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			struct nlattr *a = (void *)((uint8_t *)NLMSG_DATA(n) + GENL_HDRLEN);
			int rem = n->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

			if (n->nlmsg_type != GENL_ID_CTRL)
				continue;
			for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
			     rem -= NLA_ALIGN(a->nla_len), a = (void *)((uint8_t *)a + NLA_ALIGN(a->nla_len)))
				if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
					id = *(uint16_t *)(a + 1);
		}
		for (int k = 0; id && k < 20; k++) {
			struct {
				struct nlmsghdr n;
				struct genlmsghdr g;
			} d = { { sizeof(d), (uint16_t)id, NLM_F_REQUEST | NLM_F_DUMP, ++seq, 0 },
				{ MEMOWNER_CMD_GET_STACKS, 1, 0 } };
			int err = 0;

			if (k & 1)
				d.g.cmd = MEMOWNER_CMD_GET_CACHES;
			send(fd, &d, sizeof(d), 0);
			len = recv(fd, buf, sizeof(buf), 0);	/* the first message; then close */
			if (len < 0)
				_exit(32);
			for (struct nlmsghdr *n = (void *)buf; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len))
				if (n->nlmsg_type == NLMSG_ERROR)
					err = -((struct nlmsgerr *)NLMSG_DATA(n))->error;
			/*
			 * The family went or is going away (EPROTONOSUPPORT: a dump
			 * of a module being unloaded): look it up again.
			 */
			if (err == ENOENT || err == ENODEV || err == EPROTONOSUPPORT)
				break;
			if (err) {
				printf("# netlink reader: dump start failed: %s\n", strerror(err));
				_exit(33);
			}
			close(fd);
			fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
			if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
				_exit(34);
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		close(fd);
		usleep(5000);
	}
}

static unsigned int stress_count = 1000;

static void load(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "stress %u 64", stress_count);
	for (;;)
		if (tm("%s", cmd))
			usleep(10000);
}

/* Stop the helpers; 0 when each was still running (none failed). */
static int stop(pid_t *kids, int n)
{
	int status, bad = 0;

	for (int k = 0; k < n; k++) {
		if (waitpid(kids[k], &status, WNOHANG) == kids[k]) {
			printf("# helper %d ended early: status %#x\n", k, status);
			bad = 1;
			continue;
		}
		kill(kids[k], SIGKILL);
		waitpid(kids[k], &status, 0);
	}
	return bad;
}

static int start_readers(pid_t *kids)
{
	kids[0] = spawn(ioctl_reader);
	kids[1] = spawn(cli_reader);
	kids[2] = spawn(genl_reader);
	return 3;
}

static bool info(struct memowner_info *i)
{
	int fd = open(MEMOWNER_DEVICE, O_RDWR), ret;

	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	if (fd < 0)
		return false;
	ret = ioctl(fd, MEMOWNER_IOC_GET_INFO, i);
	close(fd);
	return !ret;
}

static void test_cycles(void)
{
	static const char *const params[] = { "", "mode=stack", "mode=callsite",
		"mode=sample sample_bytes=4096", "depth=4 sources=slab,page" };
	const char *e = getenv("MEMOWNER_SOAK_CYCLES");
	int cycles = e && atoi(e) > 0 ? atoi(e) : 100, i, ok = 0, nk;
	struct memowner_info in;
	double t0 = now_s(), t;
	pid_t kids[5];

	nk = start_readers(kids);
	kids[nk++] = spawn(load);
	for (i = 0; i < cycles; i++) {
		int ret;

		*unloading = 1;
		ret = unload_module("memowner");
		*unloading = 0;
		if (!ret)
			ret = load_module(getenv("MEMOWNER_KO"), params[i % 5]);
		if (!((i + 1) % 10))
			printf("# %d cycles, %.1f s\n", i + 1, now_s() - t0);

		if (ret) {
			printf("# cycle %d: reload (%s): %s\n", i + 1, params[i % 5], strerror(-ret));
			break;
		}
		if (!info(&in)) {
			printf("# cycle %d: no GET_INFO after load: %s\n", i + 1, strerror(errno));
			break;
		}
		ok++;
	}
	t = now_s() - t0;
	printf("# %d of %d load/unload cycles in %.1f s (%.2f s each) under stress %u x 64 B on every CPU with 2 readers\n",
	       ok, cycles, t, ok ? t / ok : 0.0, stress_count);
	if (stop(kids, nk))
		ok = -1;
	tm("reset");
	ksft_test_result(ok == cycles, "%d load/unload cycles under allocation load with readers attached\n",
			 cycles);
}

static void test_table_full(void)
{
	struct memowner_info in;
	pid_t kids[5];
	int nk, ret, bad = 0;

	*unloading = 0;
	ret = memowner_reload("max_objects=1024 max_stacks=64 mode=stack");
	if (ret) {
		ksft_test_result_fail("table full: reload: %s\n", strerror(-ret));
		return;
	}
	nk = start_readers(kids);
	if (tm("alloc kmalloc 4000 64") || tm("paths 512 32") || tm("alloc pages 200 0"))
		bad = 1;
	sleep(1);
	if (!info(&in) || !in.nr_drops || in.live_objects > 1024 || in.nr_stacks > 64) {
		printf("# drops %llu, live objects %llu, stacks %u\n",
		       (unsigned long long)in.nr_drops, (unsigned long long)in.live_objects,
		       in.nr_stacks);
		bad = 1;
	}
	printf("# table full: %llu drops, %llu live objects, %u stacks\n",
	       (unsigned long long)in.nr_drops, (unsigned long long)in.live_objects, in.nr_stacks);
	if (system("memowner top -b -n 1 -d 1 >/dev/null") ||
	    system("memowner stacks -n 3 >/dev/null"))
		bad = 1;
	bad |= stop(kids, nk);
	tm("reset");
	ret = memowner_reload("");
	ksft_test_result(!bad && !ret, "owner and stack tables full while readers run\n");
}

static void test_oom(void)
{
	const char *cg = "/sys/fs/cgroup/memowner-soak";
	int status, bad = 0, nk;
	pid_t kids[5], hog;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK)) {
		mkdir("/sys/fs/cgroup", 0755);
		if (mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL)) {
			ksft_test_result_skip("no cgroup2\n");
			return;
		}
	}
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(cg, 0755);
	if (write_str("/sys/fs/cgroup/memowner-soak/memory.max", "16M")) {
		ksft_test_result_fail("cannot limit the cgroup\n");
		return;
	}
	write_str("/sys/fs/cgroup/memowner-soak/memory.swap.max", "0");
	nk = start_readers(kids);
	kids[nk++] = spawn(load);
	for (int round = 0; round < 3; round++) {
		hog = fork();
		if (hog == 0) {
			char buf[32];
			size_t len = 64 * MB;
			char *p;

			snprintf(buf, sizeof(buf), "%d", getpid());
			if (write_str("/sys/fs/cgroup/memowner-soak/cgroup.procs", buf))
				_exit(2);
			prctl(PR_SET_NAME, "memowner-hog");
			p = malloc(len);
			for (size_t i = 0; p && i < len; i += 4096)
				p[i] = 1;
			_exit(3);
		}
		waitpid(hog, &status, 0);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			printf("# hog %d: status %#x, not OOM-killed\n", round, status);
			bad = 1;
		}
	}
	bad |= stop(kids, nk);
	tm("reset");
	rmdir(cg);
	ksft_test_result(!bad, "memory cgroup OOM kills while readers run\n");
}

int main(void)
{
	mo_require_module();
	ksft_print_header();
	if (!have_modules())
		ksft_exit_skip("MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules\n");
	if (test_module_ensure())
		ksft_exit_fail_msg("memowner_test.ko cannot be loaded\n");
	if (getenv("MEMOWNER_SOAK_STRESS"))
		stress_count = atoi(getenv("MEMOWNER_SOAK_STRESS"));
	setvbuf(stdout, NULL, _IOLBF, 0);
	unloading = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (unloading == MAP_FAILED)
		ksft_exit_fail_msg("mmap\n");
	ksft_set_plan(3);
	test_cycles();
	test_table_full();
	test_oom();
	tm("reset");
	if (memowner_reload(""))
		printf("# cleanup: reloading memowner.ko failed\n");
	ksft_finished();
}
