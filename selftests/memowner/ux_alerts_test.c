// SPDX-License-Identifier: GPL-2.0
/*
 * "memowner alerts" and "memowner watch", run as the user runs them: rules
 * added with the CLI reach a "memowner watch" started beforehand, with the
 * rule id, the owner and the test module's function in the stack, as text
 * and as JSON lines (parsed with json-c, and left as the artifact
 * watch.jsonl for the host's JSON parser); list and del; bad arguments
 * exit 2 with the usage line; without CAP_SYS_ADMIN the permission hint.
 */
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define MB	(1024 * 1024)
#define CLI	"memowner"

struct proc {
	pid_t pid;
	int out, err;		/* read ends */
};

/* Start @argv with stdout and stderr on pipes. */
static int spawn(char *const argv[], struct proc *p)
{
	int o[2], e[2];

	if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (!p->pid) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	p->out = o[0];
	p->err = e[0];
	return 0;
}

/* Read @fd until EOF or @ms pass; appends to @buf (NUL-terminated). */
static size_t slurp(int fd, char *buf, size_t len, size_t off, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (off + 1 < len && poll(&pfd, 1, ms) > 0) {
		n = read(fd, buf + off, len - 1 - off);
		if (n <= 0)
			break;
		off += n;
	}
	buf[off] = '\0';
	return off;
}

/* Read @fd until @needle shows up or @ms pass; true when it did. */
static bool wait_for(int fd, const char *needle, char *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t off = 0;
	ssize_t n;

	buf[0] = '\0';
	while (!strstr(buf, needle) && off + 1 < len && poll(&pfd, 1, ms) > 0) {
		n = read(fd, buf + off, len - 1 - off);
		if (n <= 0)
			break;
		off += n;
		buf[off] = '\0';
	}
	return strstr(buf, needle) != NULL;
}

static int reap(pid_t pid, int ms)
{
	int status, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Run @argv to the end: its exit status, stdout and stderr. */
static int run(char *const argv[], char *out, size_t outlen, char *err,
	       size_t errlen)
{
	struct proc p;
	char junk[256];

	if (spawn(argv, &p))
		return -1;
	slurp(p.out, out ? out : junk, out ? outlen : sizeof(junk), 0, 10000);
	slurp(p.err, err ? err : junk, err ? errlen : sizeof(junk), 0, 10000);
	close(p.out);
	close(p.err);
	return reap(p.pid, 10000);
}

static void del_all_rules(void)
{
	struct memowner_threshold_state *r;
	size_t nr, i;
	int fd = open(MEMOWNER_DEVICE, O_RDWR);

	if (fd < 0)
		return;
	if (!mo_threshold_list(fd, &r, &nr)) {
		for (i = 0; i < nr; i++)
			mo_threshold_del(fd, r[i].id);
		free(r);
	}
	close(fd);
}

FIXTURE(ux)
{
	char out[16384], err[4096];
};

FIXTURE_SETUP(ux)
{
	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	/* Exact accounting (the default samples), no rule, no old record. */
	ASSERT_EQ(0, memowner_reload("mode=stack"));
}

FIXTURE_TEARDOWN(ux)
{
	tm("reset");
	del_all_rules();
}

/* "alerts add" with the rule options; the new id. */
static long add_rule(struct __test_metadata *_metadata, char *out,
		     size_t outlen, char *err, size_t errlen, char *const argv[])
{
	char *end;
	long id;
	int rc;

	rc = run(argv, out, outlen, err, errlen);
	EXPECT_EQ(0, rc) TH_LOG("alerts add: %s", err);
	id = strtol(out, &end, 10);
	EXPECT_EQ('\n', *end) TH_LOG("alerts add printed '%s'", out);
	return rc ? -1 : id;
}

/*
 * A watch started before the rule is added sees the alert: the line names
 * the rule, the owner, the value and the test module's function.
 */
TEST_F(ux, watch_text)
{
	char *watch[] = { CLI, "watch", "--alerts-only", "-c", "1", "-t", "10", NULL };
	char *add[] = { CLI, "alerts", "add", "--module", "memowner_test",
			"--bytes", "1M", NULL };
	char line[256], buf[4096], *value;
	struct proc w;
	long id;

	ASSERT_EQ(0, spawn(watch, &w));
	ASSERT_TRUE(wait_for(w.err, "listening to alerts", buf, sizeof(buf), 5000))
		TH_LOG("watch said: %s", buf);
	id = add_rule(_metadata, self->out, sizeof(self->out), self->err,
		      sizeof(self->err), add);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, tm("alloc kmalloc 300 4096"));	/* 1.17 MiB */
	slurp(w.out, self->out, sizeof(self->out), 0, 5000);
	EXPECT_EQ(0, reap(w.pid, 5000));
	TH_LOG("watch: %s", self->out);
	snprintf(line, sizeof(line), " alert rule %ld: module memowner_test bytes ", id);
	EXPECT_NE(NULL, strstr(self->out, line));
	/*
	 * A module rule names one of the module's live stacks (the kernel
	 * picks one: memowner_test_kmalloc or the test module's bookkeeping):
	 * its leaf is a frame of memowner_test.
	 */
	EXPECT_NE(NULL, strstr(self->out, " reached 1.0M (1048576) at "));
	EXPECT_NE(NULL, strstr(self->out, " [memowner_test]\n"));
	value = strstr(self->out, "bytes ") ? strchr(strstr(self->out, "bytes "), '(') : NULL;
	ASSERT_NE(NULL, value);
	/* The 300 objects of 4096 bytes, and some of the bookkeeping. */
	EXPECT_LE(MB, atol(value + 1));
	EXPECT_GE(300 * 4096 + 64 * 1024, atol(value + 1));
	/* One line, one alert. */
	EXPECT_EQ(strlen(self->out) - 1, (size_t)(strchr(self->out, '\n') - self->out));
	close(w.out);
	close(w.err);
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

/* JSON lines, one per alert, for a stack rule and a module rule. */
TEST_F(ux, watch_json)
{
	char *watch[] = { CLI, "--json", "watch", "-a", "-c", "2", "-t", "10", NULL };
	char *add_mod[] = { CLI, "alerts", "add", "--module", "memowner_test",
			    "--bytes", "2M", "--low", "1M", NULL };
	char handle[24], buf[4096], *line, *save = NULL, path[512];
	char *add_stack[] = { CLI, "alerts", "add", "--stack", handle,
			      "--bytes", "512K", NULL };
	struct mo_query q = { .group = MEMOWNER_GROUP_STACK,
			      .module = "memowner_test" };
	struct memowner_row *rows;
	struct held h;
	long id_mod, id_stack;
	size_t nr, i;
	struct proc w;
	int fd, n = 0, seen = 0;
	FILE *art;

	/* The handle of memowner_test_kmalloc's stack, as 'stacks' shows it. */
	ASSERT_EQ(0, tm("alloc kmalloc 1 4096"));
	fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mo_snapshot(fd, &q, 0, &rows, &nr, NULL));
	handle[0] = '\0';
	for (i = 0; i < nr && !handle[0]; i++) {
		struct mo_frames f;

		if (!mo_stack_get(fd, rows[i].stack, &f)) {
			if (f.nr && strstr(f.frame[0], "memowner_test_kmalloc+"))
				snprintf(handle, sizeof(handle), "%u", rows[i].stack);
			mo_frames_free(&f);
		}
	}
	free(rows);
	close(fd);
	ASSERT_NE(0, handle[0]);

	ASSERT_EQ(0, spawn(watch, &w));
	ASSERT_TRUE(wait_for(w.err, "listening to alerts", buf, sizeof(buf),
			     5000));
	id_stack = add_rule(_metadata, self->out, sizeof(self->out), self->err,
			    sizeof(self->err), add_stack);
	ASSERT_LT(0, id_stack);
	ASSERT_EQ(0, tm("alloc kmalloc 200 4096"));	/* 804 KiB: the stack rule */
	usleep(500000);
	id_mod = add_rule(_metadata, self->out, sizeof(self->out), self->err,
			  sizeof(self->err), add_mod);
	ASSERT_LT(0, id_mod);
	ASSERT_EQ(0, tm("alloc kmalloc 400 4096"));	/* 2.4 MiB: the module rule */
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	slurp(w.out, self->out, sizeof(self->out), 0, 5000);
	EXPECT_EQ(0, reap(w.pid, 5000));
	close(w.out);
	close(w.err);

	snprintf(path, sizeof(path), "%s/watch.jsonl",
		 getenv("MEMOWNER_ARTIFACTS") ?: "/tmp");
	art = fopen(path, "w");
	if (art) {
		fputs(self->out, art);
		fclose(art);
	}
	for (line = strtok_r(self->out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		json_object *o = json_tokener_parse(line), *frames;

		ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", line);
		TH_LOG("%s", line);
		EXPECT_STREQ("alert", jstr(o, "type"));
		EXPECT_STREQ("bytes", jstr(o, "metric"));
		EXPECT_NE(NULL, strstr(jstr(o, "leaf"), " [memowner_test]"));
		ASSERT_TRUE(json_object_object_get_ex(o, "frames", &frames));
		EXPECT_LT(0, (int)json_object_array_length(frames));
		EXPECT_STREQ(jstr(o, "leaf"),
			     json_object_get_string(json_object_array_get_idx(frames, 0)));
		/* ISO 8601 UTC with milliseconds: 2026-11-22T05:41:02.123Z */
		EXPECT_EQ(24, (int)strlen(jstr(o, "time")));
		EXPECT_EQ('Z', jstr(o, "time")[23]);
		if (jint(o, "rule") == id_stack) {
			/* The stack: up to 201 objects of 4096 bytes, over 512K. */
			seen |= 1;
			EXPECT_NE(NULL, strstr(jstr(o, "leaf"), "memowner_test_kmalloc+"));
			EXPECT_STREQ("stack", jstr(o, "owner_kind"));
			EXPECT_STREQ(handle, jstr(o, "owner"));
			EXPECT_EQ(atol(handle), jint(o, "stack"));
			EXPECT_EQ(512 * 1024, jint(o, "threshold"));
			EXPECT_LE(512 * 1024, jint(o, "value"));
			EXPECT_GE(h.bytes_alloc, jint(o, "value"));
		} else {
			seen |= 2;
			EXPECT_EQ(id_mod, jint(o, "rule"));
			EXPECT_STREQ("module", jstr(o, "owner_kind"));
			EXPECT_STREQ("memowner_test", jstr(o, "owner"));
			EXPECT_EQ(2 * MB, jint(o, "threshold"));
			EXPECT_LE(2 * MB, jint(o, "value"));
			/* kmalloc and the test module's bookkeeping */
			EXPECT_GE(h.bytes_alloc + 64 * 1024, jint(o, "value"));
		}
		json_object_put(o);
	}
	EXPECT_EQ(3, seen);
	EXPECT_EQ(2, n);
}

/*
 * Events: with every direct reclaim reported (reclaim_stall_ms=0), costly
 * allocations beyond free memory stall; the JSON line names this process,
 * the order and the test module's function in the stack.
 */
TEST_F(ux, watch_events_json)
{
	char *watch[] = { CLI, "--json", "watch", "--events-only", "-t", "8", NULL };
	char buf[4096], *line, *save = NULL, path[512], cmd[64];
	int found = 0, n = 0;
	struct proc w;
	FILE *art;

	ASSERT_EQ(0, memowner_reload("mode=stack reclaim_stall_ms=0"));
	ASSERT_EQ(0, spawn(watch, &w));
	ASSERT_TRUE(wait_for(w.err, "listening to events", buf, sizeof(buf), 5000));
	/* 4 MiB blocks beyond MemAvailable: fails, after direct reclaim. */
	ASSERT_EQ(0, reclaim_cmd(cmd, sizeof(cmd)));
	tm(cmd);
	slurp(w.out, self->out, sizeof(self->out), 0, 12000);
	EXPECT_EQ(0, reap(w.pid, 5000));
	close(w.out);
	close(w.err);

	snprintf(path, sizeof(path), "%s/watch-events.jsonl",
		 getenv("MEMOWNER_ARTIFACTS") ?: "/tmp");
	art = self->out[0] ? fopen(path, "w") : NULL;
	if (art) {
		fputs(self->out, art);
		fclose(art);
	}
	for (line = strtok_r(self->out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		json_object *o = json_tokener_parse(line), *frames;
		int i, test_frame = 0;

		ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", line);
		EXPECT_STREQ("event", jstr(o, "type"));
		if (strcmp(jstr(o, "event"), "reclaim_stall") ||
		    jint(o, "pid") != getpid()) {
			json_object_put(o);
			continue;
		}
		ASSERT_TRUE(json_object_object_get_ex(o, "frames", &frames));
		for (i = 0; i < (int)json_object_array_length(frames); i++)
			if (strstr(json_object_get_string(json_object_array_get_idx(frames, i)),
				   "memowner_test_pages+"))
				test_frame = 1;
		if (!found)
			TH_LOG("%s", line);
		found++;
		EXPECT_EQ(10, jint(o, "order"));
		EXPECT_LT(0, jint(o, "latency_ns"));
		EXPECT_EQ(getpid(), jint(o, "tgid"));
		EXPECT_STREQ(jstr(o, "leaf"),
			     json_object_get_string(json_object_array_get_idx(frames, 0)));
		EXPECT_TRUE(test_frame);
		/* The stall's stack starts at its caller, not in reclaim. */
		EXPECT_EQ(0, strncmp(jstr(o, "caller"), "memowner_test_pages+", 20));
		json_object_put(o);
	}
	TH_LOG("%d events, %d stalls of this process", n, found);
	EXPECT_LE(1, found);
}

/* SIGTERM and SIGINT end a watch at once, with status 0. */
TEST_F(ux, watch_signals)
{
	char *watch[] = { CLI, "watch", NULL };
	int sigs[] = { SIGTERM, SIGINT }, i;
	char buf[4096];
	struct proc w;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, spawn(watch, &w));
		ASSERT_TRUE(wait_for(w.err, "listening to alerts and events",
				     buf, sizeof(buf), 5000));
		kill(w.pid, sigs[i]);
		EXPECT_EQ(0, reap(w.pid, 1000)) TH_LOG("signal %d", sigs[i]);
		close(w.out);
		close(w.err);
	}
}

/* list (text and JSON) shows what add made; del removes it. */
TEST_F(ux, list_and_del)
{
	char *add1[] = { CLI, "alerts", "add", "--module", "memowner_test",
			 "--bytes", "3M", "--low", "80%", "--interval", "2s", NULL };
	char *add2[] = { CLI, "alerts", "add", "--global", "--rate=10M/s",
			 "--window", "1s", NULL };
	char *list[] = { CLI, "alerts", "list", NULL };
	char *jlist[] = { CLI, "--json", "alerts", NULL };
	char id1s[24];
	char *del[] = { CLI, "alerts", "del", id1s, NULL };
	json_object *o, *rules, *r;
	long id1, id2;
	int i, found = 0;

	id1 = add_rule(_metadata, self->out, sizeof(self->out), self->err,
		       sizeof(self->err), add1);
	id2 = add_rule(_metadata, self->out, sizeof(self->out), self->err,
		       sizeof(self->err), add2);
	ASSERT_LT(0, id1);
	ASSERT_LT(0, id2);
	snprintf(id1s, sizeof(id1s), "%ld", id1);

	ASSERT_EQ(0, run(list, self->out, sizeof(self->out), NULL, 0));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "module memowner_test"));
	EXPECT_NE(NULL, strstr(self->out, "3.0M"));
	EXPECT_NE(NULL, strstr(self->out, "10M/s"));

	ASSERT_EQ(0, run(jlist, self->out, sizeof(self->out), NULL, 0));
	o = json_tokener_parse(self->out);
	ASSERT_NE(NULL, o);
	ASSERT_TRUE(json_object_object_get_ex(o, "rules", &rules));
	ASSERT_EQ(2, (int)json_object_array_length(rules));
	for (i = 0; i < 2; i++) {
		r = json_object_array_get_idx(rules, i);
		if (jint(r, "id") == id1) {
			found++;
			EXPECT_STREQ("module", jstr(r, "owner_kind"));
			EXPECT_STREQ("memowner_test", jstr(r, "owner"));
			EXPECT_EQ(3 * MB, jint(r, "high"));
			EXPECT_EQ(3 * MB * 8 / 10, jint(r, "low"));
			EXPECT_EQ(2000, jint(r, "min_interval_ms"));
			EXPECT_EQ(0, jint(r, "window_ms"));
			EXPECT_STREQ("--module memowner_test --bytes 3M --low 2516582 --interval 2s",
				     jstr(r, "rule"));
		} else if (jint(r, "id") == id2) {
			found++;
			EXPECT_STREQ("global", jstr(r, "owner_kind"));
			EXPECT_STREQ("rate", jstr(r, "metric"));
			EXPECT_EQ(10 * MB, jint(r, "high"));
			EXPECT_EQ(10 * MB - MB, jint(r, "low"));
			EXPECT_EQ(1000, jint(r, "window_ms"));
		}
	}
	EXPECT_EQ(2, found);
	json_object_put(o);

	ASSERT_EQ(0, run(del, NULL, 0, self->err, sizeof(self->err)));
	ASSERT_EQ(0, run(jlist, self->out, sizeof(self->out), NULL, 0));
	o = json_tokener_parse(self->out);
	ASSERT_NE(NULL, o);
	ASSERT_TRUE(json_object_object_get_ex(o, "rules", &rules));
	ASSERT_EQ(1, (int)json_object_array_length(rules));
	EXPECT_EQ(id2, jint(json_object_array_get_idx(rules, 0), "id"));
	json_object_put(o);
	/* Gone: deleting it again is an error, not a usage error. */
	EXPECT_EQ(1, run(del, NULL, 0, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "no rule")) TH_LOG("%s", self->err);
}

/* Bad arguments: exit 2, what was wrong, and the usage line. */
TEST_F(ux, bad_args)
{
	static const struct {
		const char *args[10];
		const char *msg;
	} bad[] = {
		{ { "alerts", "add", "--module", "x", "--bytes", "5X" }, "bad value '5X' for --bytes" },
		{ { "alerts", "add", "--bytes", "1M" }, "no owner" },
		{ { "alerts", "add", "--global" }, "no metric" },
		{ { "alerts", "add", "--global", "--module", "m", "--bytes", "1M" }, "one owner per rule" },
		{ { "alerts", "add", "--global", "--bytes", "1M", "--low", "2M" }, "must be below the high mark" },
		{ { "alerts", "add", "--global", "--bytes", "1M", "--window", "1s" }, "--window is only for --rate" },
		{ { "alerts", "add", "--global", "--rate", "1M/s", "--window", "50ms" }, "bad --window" },
		{ { "alerts", "add", "--global", "--pages", "10", "--interval", "2h" }, "bad --interval" },
		{ { "alerts", "add", "--stack", "0", "--bytes", "1M" }, "bad stack handle" },
		{ { "alerts", "add", "--global", "--bytes" }, "needs a value" },
		{ { "alerts", "add", "--global", "--rate", "10M/h" }, "bad value '10M/h' for --rate" },
		{ { "alerts", "del", "abc" }, "bad rule id" },
		{ { "alerts", "del" }, "which rule" },
		{ { "alerts", "frob" }, "unknown subcommand" },
		{ { "watch", "-c", "0" }, "bad count" },
		{ { "watch", "-t", "soon" }, "bad timeout" },
		{ { "watch", "--alerts-only", "--events-only" }, "exclude each other" },
	};
	char *argv[12];
	unsigned int i, k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[0] = CLI;
		for (k = 0; bad[i].args[k]; k++)
			argv[k + 1] = (char *)bad[i].args[k];
		argv[k + 1] = NULL;
		EXPECT_EQ(2, run(argv, NULL, 0, self->err, sizeof(self->err)))
			TH_LOG("case %u (%s %s)", i, bad[i].args[0], bad[i].args[1]);
		EXPECT_NE(NULL, strstr(self->err, bad[i].msg))
			TH_LOG("case %u: %s", i, self->err);
		EXPECT_NE(NULL, strstr(self->err, "\nusage: memowner "))
			TH_LOG("case %u: %s", i, self->err);
	}
}

/* Without CAP_SYS_ADMIN (and CAP_PERFMON): the permission hint. */
static int unpriv_add(void)
{
	char *argv[] = { CLI, "alerts", "add", "--global", "--bytes", "1M", NULL };
	char err[4096];

	if (mo_keep_caps(0))
		return 10;
	if (run(argv, NULL, 0, err, sizeof(err)) != 1)
		return 11;
	return strstr(err, "hint: permission denied") ? 0 : 12;
}

static int unpriv_watch(void)
{
	char *argv[] = { CLI, "watch", "-t", "1", NULL };
	char err[4096];

	if (mo_keep_caps(MO_CAP(CAP_PERFMON)))
		return 10;
	if (run(argv, NULL, 0, err, sizeof(err)) != 1)
		return 11;
	return strstr(err, "hint: permission denied") ? 0 : 12;
}

static int unpriv_list(void)
{
	char *argv[] = { CLI, "alerts", "list", NULL };
	char err[4096];

	if (mo_keep_caps(0))
		return 10;
	if (run(argv, NULL, 0, err, sizeof(err)) != 1)
		return 11;
	return strstr(err, "hint: permission denied") ? 0 : 12;
}

TEST_F(ux, unprivileged)
{
	EXPECT_EQ(0, mo_run_child(unpriv_add));
	EXPECT_EQ(0, mo_run_child(unpriv_watch));
	EXPECT_EQ(0, mo_run_child(unpriv_list));
}

MO_TEST_MAIN
