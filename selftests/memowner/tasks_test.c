// SPDX-License-Identifier: GPL-2.0
/*
 * Task identities are recycled.  An owner record names its task (pid,
 * tgid, comm) through a bounded table; a machine makes new identities
 * without end, so entries no live record names go back to be reused
 * (module/task.c).  Without that, after a few thousand short-lived
 * processes every later allocation was "unknown task" and views and rules
 * by process stopped working.
 *
 * memowner is loaded in stack mode with a small table (max_tasks=MAX_TASKS)
 * and many more short-lived processes than it holds run, each allocating and
 * freeing kernel memory under its own name.  Then a process that keeps
 * memory (the test module's objects, allocated in its context) must still
 * be named, by tgid and comm, also after further churn has recycled the
 * table again -- an entry a live record names is never reused -- and a
 * new tracking epoch (SET_CONFIG) empties the table.
 */
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define MAX_TASKS	128
#define CHURN		(4 * MAX_TASKS)	/* processes per round */
#define HELD		150		/* test-module objects kept */
#define MAX_ROWS	64

/* A child named @name allocating and freeing kernel memory (a pipe). */
static pid_t churn_one(const char *name)
{
	pid_t pid = fork();

	if (!pid) {
		int p[2];

		prctl(PR_SET_NAME, name);
		if (pipe(p))
			_exit(1);
		close(p[0]);
		close(p[1]);
		_exit(0);
	}
	return pid;
}

/* @n short-lived processes of distinct names, 8 at a time. 0 or -1. */
static int churn(int round, int n)
{
	pid_t kids[8];
	int i, k, st, bad = 0;

	for (i = 0; i < n; i += 8) {
		for (k = 0; k < 8; k++) {
			char name[16];

			snprintf(name, sizeof(name), "mo-c%d-%d", round, i + k);
			kids[k] = churn_one(name);
		}
		for (k = 0; k < 8; k++)
			if (kids[k] < 0 || waitpid(kids[k], &st, 0) != kids[k] ||
			    !WIFEXITED(st) || WEXITSTATUS(st))
				bad++;
	}
	return bad ? -1 : 0;
}

/* "tasks: used=N max=M recycled=R sweeps=S" of memowner's status. */
struct tasks_line {
	long n, max, recycled, sweeps;
};

static void tasks_status(struct tasks_line *t)
{
	t->n = status_num("tasks:", "used=");
	t->max = status_num("tasks:", "max=");
	t->recycled = status_num("tasks:", "recycled=");
	t->sweeps = status_num("tasks:", "sweeps=");
}

/*
 * Wait (up to 30 s, scaled) for a sweep after @sweeps that left at least
 * a quarter of the table free.
 */
static bool wait_room(long sweeps, struct tasks_line *t)
{
	int i;

	for (i = 0; i < 300 * mo_timeout_scale(); i++) {
		tasks_status(t);
		if (t->sweeps > sweeps && t->n >= 0 && t->n <= t->max * 3 / 4)
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * The slab objects memowner charges to process @tgid: the live objects
 * of its row (grouped by tgid), and its name.
 */
static long tgid_objects(pid_t tgid, char *name, size_t len)
{
	struct memowner_row rows[MAX_ROWS];
	struct memowner_snapshot s = {
		.size = sizeof(s), .group = MEMOWNER_GROUP_TGID,
		.sources = 1u << MEMOWNER_SRC_SLAB, .tgid = tgid,
		.rows = (uintptr_t)rows, .row_size = sizeof(rows[0]),
		.max_rows = MAX_ROWS,
	};
	long objects = 0;
	unsigned int i;
	int fd = open(MEMOWNER_DEVICE, O_RDONLY);

	name[0] = '\0';
	if (fd < 0)
		return -errno;
	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s)) {
		close(fd);
		return -errno;
	}
	close(fd);
	for (i = 0; i < s.nr_rows; i++) {
		if (rows[i].id != (__u64)tgid)
			continue;
		objects += rows[i].live_objects;
		memcpy(name, rows[i].name,
		       len - 1 < sizeof(rows[i].name) ? len - 1 : sizeof(rows[i].name));
		name[len - 1] = '\0';
	}
	return objects;
}

/* A process named @name that makes the test module allocate @n objects. */
static pid_t hold(const char *name, int n)
{
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_NAME, name);
		_exit(tm("alloc kmalloc %d 192", n) ? 1 : 0);
	}
	return pid;
}

static int wait_ok(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       !WEXITSTATUS(st) ? 0 : -1;
}

FIXTURE(tasks) {
	int unused;
};

FIXTURE_SETUP(tasks)
{
}

/* Whatever a case left: the test module's objects, a small table. */
FIXTURE_TEARDOWN(tasks)
{
	tm("reset");
	memowner_reload("");
}

/*
 * Forks under TCG with every allocation unwound: a few seconds per
 * hundred processes, so a hang's limit rather than the harness's 30 s.
 */
TEST_F_TIMEOUT(tasks, identities_recycled, 300)
{
	char params[64], name[32];
	struct tasks_line t;
	long objects, drops;
	pid_t keeper;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	/* Stack mode: every allocation recorded (sample mode keeps few). */
	snprintf(params, sizeof(params), "mode=stack max_tasks=%d", MAX_TASKS);
	ASSERT_EQ(0, memowner_reload(params));
	tasks_status(&t);
	ASSERT_EQ(MAX_TASKS, t.max);

	/* Four times as many identities as the table holds. */
	ASSERT_EQ(0, churn(0, CHURN));
	ASSERT_TRUE(wait_room(0, &t))
		TH_LOG("no sweep made room: tasks %ld of %ld, %ld recycled in %ld sweeps",
		       t.n, t.max, t.recycled, t.sweeps);
	drops = status_num("drops:", "task_table_full=");
	TH_LOG("after %d processes: tasks %ld of %ld, %ld recycled in %ld sweeps, %ld identities found no room",
	       CHURN, t.n, t.max, t.recycled, t.sweeps, drops);
	/*
	 * Each process's identity found no room (counted), or was recycled,
	 * or is among the MAX_TASKS left in the table.
	 */
	EXPECT_LE(CHURN - MAX_TASKS, t.recycled + drops);

	/* A process that keeps memory is named after the table recycled. */
	keeper = hold("mo-keeper", HELD);
	ASSERT_EQ(0, wait_ok(keeper));
	objects = tgid_objects(keeper, name, sizeof(name));
	EXPECT_LE(HELD, objects) TH_LOG("tgid %d: %ld objects", keeper, objects);
	EXPECT_STREQ("mo-keeper", name);

	/*
	 * More churn recycles the table again: the keeper has exited, no
	 * probe holds its entry, but its live records name it.
	 */
	ASSERT_EQ(0, churn(1, CHURN));
	ASSERT_TRUE(wait_room(t.sweeps, &t));
	TH_LOG("after %d more: tasks %ld of %ld, %ld recycled in %ld sweeps",
	       CHURN, t.n, t.max, t.recycled, t.sweeps);
	objects = tgid_objects(keeper, name, sizeof(name));
	EXPECT_LE(HELD, objects) TH_LOG("tgid %d: %ld objects", keeper, objects);
	EXPECT_STREQ("mo-keeper", name);

	/* Freed: its entry may now go. */
	ASSERT_EQ(0, tm("free kmalloc"));
}

/* A new epoch drops every record, and with them every identity. */
TEST_F_TIMEOUT(tasks, epoch_empties_table, 120)
{
	struct memowner_config c = { .flags = MEMOWNER_CONFIG_F_MODE };
	struct tasks_line before, after;
	pid_t kids[64];
	int i, fd;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	/* 64 processes that each keep objects: 64 identities in use. */
	for (i = 0; i < 64; i++) {
		char name[16];

		snprintf(name, sizeof(name), "mo-e%d", i);
		kids[i] = hold(name, 2);
		ASSERT_EQ(0, wait_ok(kids[i]));
	}
	tasks_status(&before);
	ASSERT_LE(64, before.n);

	fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	c.mode = MEMOWNER_MODE_CALLSITE;
	ASSERT_EQ(0, mo_set_config(fd, &c));
	tasks_status(&after);
	close(fd);
	/* Only what allocated since the restart: far fewer than the 64. */
	EXPECT_GT(32, after.n) TH_LOG("tasks %ld before the new epoch, %ld after",
				      before.n, after.n);
	ASSERT_EQ(0, tm("free kmalloc"));
}

MO_TEST_MAIN
