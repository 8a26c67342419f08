// SPDX-License-Identifier: GPL-2.0
/*
 * memowner top: batch output (text and JSON lines) against what
 * memowner_test.ko holds, exactly; the live ncurses view driven on a
 * pseudo-terminal (sort, views, filter, row expanded to its full stack,
 * resize, quit) with the terminal modes checked before, during and after;
 * signals restoring the terminal; bad arguments.
 *
 * The live screen is read as the raw byte stream curses writes.  Curses
 * only sends what changed, and may move unchanged text with scrolling, so
 * after each key the test sends Ctrl-L (top's redraw key) and looks for the
 * text in the complete repaint that follows.
 */
#include <ctype.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <utmp.h>
#include <json-c/json.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define OUT	"/tmp/ux_top.out"
#define ERR	"/tmp/ux_top.err"
#define KM_COUNT	300
#define KM_SIZE		4096

/* Run memowner with @argv (NULL-terminated, without "memowner"). */
static int run_mo(const char *const *argv, const char *in)
{
	const char *args[32] = { "memowner" };
	int i, status;
	pid_t pid;

	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fi = open(in ? in : "/dev/null", O_RDONLY);
		int fo = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(ERR, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fi < 0 || fo < 0 || fe < 0)
			_exit(126);
		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("COLUMNS");
		execvp("memowner", (char *const *)args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Sums of the batch rows whose OWNER starts with @prefix, per iteration. */
struct sums {
	int iterations;
	long long bytes[8], objects[8], rows[8];
	char view[8][32];
};

static void batch_sums(const char *text, const char *prefix, struct sums *s)
{
	char *copy = strdup(text), *line, *save = NULL;
	int it = -1, in_rows = 0;

	memset(s, 0, sizeof(*s));
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char live[32], pages[32], objs[32], allocs[32], growth[32];
		char rate[32], src[32];
		int off = 0;

		if (!strncmp(line, "memowner top - ", 15)) {
			it++;
			in_rows = 0;
			if (it < 8)
				s->iterations = it + 1;
			continue;
		}
		if (it < 0 || it >= 8)
			continue;
		if (!strncmp(line, "View: ", 6)) {
			sscanf(line, "View: %31s", s->view[it]);
			continue;
		}
		if (strstr(line, "LIVE") && strstr(line, "OWNER")) {
			in_rows = 1;
			continue;
		}
		if (!in_rows ||
		    sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %n", live,
			   pages, objs, allocs, growth, rate, src, &off) != 7 ||
		    !off)
			continue;
		if (strncmp(line + off, prefix, strlen(prefix)))
			continue;
		s->bytes[it] += atoll(live);
		s->objects[it] += atoll(objs);
		s->rows[it]++;
	}
	free(copy);
}

/* Make sure a devpts is mounted (the guest's /dev is a bare devtmpfs). */
static int ensure_devpts(void)
{
	if (!access("/dev/pts/ptmx", F_OK))
		return 0;
	mkdir("/dev/pts", 0755);
	if (mount("devpts", "/dev/pts", "devpts", 0, "mode=620,ptmxmode=666"))
		return -errno;
	return 0;
}

/* ---- a top on a pseudo-terminal ----------------------------------------- */

struct term {
	int master, slave;
	pid_t pid;
	struct termios before;
	char *buf;
	size_t len, cap, mark;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * openpty() + fork() + login_tty(): what forkpty() does, with the slave
 * kept open here so that its modes can be read before the child changes
 * them and after it is gone.
 */
static int term_start(struct term *t, const char *const *argv, int rows,
		      int cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	const char *args[32] = { "memowner" };
	int i;

	memset(t, 0, sizeof(*t));
	if (openpty(&t->master, &t->slave, NULL, NULL, &ws))
		return -errno;
	if (tcgetattr(t->slave, &t->before))
		return -errno;
	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (!t->pid) {
		close(t->master);
		if (login_tty(dup(t->slave)))
			_exit(126);
		close(t->slave);
		setenv("TERM", "xterm", 1);
		setenv("TERMINFO", "/usr/share/terminfo", 1);
		unsetenv("COLUMNS");
		unsetenv("LINES");
		execvp("memowner", (char *const *)args);
		_exit(127);
	}
	t->cap = 1 << 20;
	t->buf = malloc(t->cap);
	return t->buf ? 0 : -ENOMEM;
}

/* Read what the child wrote, waiting up to @ms for something. */
static void term_fill(struct term *t, int ms)
{
	struct pollfd p = { .fd = t->master, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return;
	if (t->len + 65536 > t->cap) {
		t->cap *= 2;
		t->buf = realloc(t->buf, t->cap);
	}
	n = read(t->master, t->buf + t->len, t->cap - t->len - 1);
	if (n > 0)
		t->len += n;
}

/* Wait for @s to appear after the mark; the mark moves past it. */
static bool term_expect(struct term *t, const char *s, int ms)
{
	long end = now_ms() + ms;
	char *p;

	for (;;) {
		p = memmem(t->buf + t->mark, t->len - t->mark, s, strlen(s));
		if (p) {
			t->mark = p - t->buf + strlen(s);
			return true;
		}
		if (now_ms() >= end)
			return false;
		term_fill(t, 50);
	}
}

/* @s as a whole word: not followed by an identifier character. */
static bool term_expect_word(struct term *t, const char *s, int ms)
{
	long end = now_ms() + ms;

	while (term_expect(t, s, end - now_ms())) {
		while (t->mark >= t->len && now_ms() < end)
			term_fill(t, 50);
		if (t->mark < t->len && !isalnum((unsigned char)t->buf[t->mark]) &&
		    t->buf[t->mark] != '_')
			return true;
	}
	return false;
}

static void term_send(struct term *t, const char *keys)
{
	if (write(t->master, keys, strlen(keys)) < 0)
		return;
	/* Let a lone Esc stand alone (top waits 25 ms for a sequence). */
	usleep(150000);
	term_fill(t, 0);
}

/* Send @keys, then Ctrl-L for a complete repaint; the mark moves to now. */
static void term_keys(struct term *t, const char *keys)
{
	term_fill(t, 100);
	t->mark = t->len;
	term_send(t, keys);
	term_send(t, "\014");
}

/* Wait for the child; its wait status, or -1 after @ms (then killed). */
static int term_wait(struct term *t, int ms)
{
	long end = now_ms() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(t->pid, &status, WNOHANG);

		if (r == t->pid)
			break;
		if (now_ms() >= end) {
			kill(t->pid, SIGKILL);
			waitpid(t->pid, &status, 0);
			return -1;
		}
		term_fill(t, 50);
	}
	/* What it wrote last. */
	for (int i = 0; i < 10; i++)
		term_fill(t, 20);
	t->buf[t->len] = '\0';
	return status;
}

static void term_close(struct term *t)
{
	if (t->pid > 0 && !waitpid(t->pid, NULL, WNOHANG)) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	close(t->master);
	close(t->slave);
	free(t->buf);
}

/* User + system CPU time of @pid in clock ticks, or -1. */
static long cpu_ticks(pid_t pid)
{
	char path[64], *buf, *p;
	unsigned long ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	buf = read_file(path);
	/* After "(comm)": state is field 3, utime 14, stime 15. */
	p = buf ? strrchr(buf, ')') : NULL;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2) {
		free(buf);
		return -1;
	}
	free(buf);
	return ut + st;
}

static bool modes_equal(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       a->c_cc[VMIN] == b->c_cc[VMIN] &&
	       a->c_cc[VTIME] == b->c_cc[VTIME];
}

/* xterm's rmcup (leave the alternate screen) and cnorm (cursor back). */
#define RMCUP	"\033[?1049l"
#define CNORM	"\033[?25h"

/* ---- tests ------------------------------------------------------------------ */

FIXTURE(top) {
	struct held km;
};

FIXTURE_SETUP(top)
{
	if (!have_modules() && access(TDBG "control", W_OK))
		SKIP(return, "memowner_test.ko not available");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, tm("alloc kmalloc %d %d", KM_COUNT, KM_SIZE));
	ASSERT_EQ(0, tm_held("kmalloc", &self->km));
	ASSERT_EQ(KM_COUNT, self->km.count);
	/* ksize(): at least what was asked. */
	ASSERT_LE((long)KM_COUNT * KM_SIZE, self->km.bytes_alloc);
}

FIXTURE_TEARDOWN(top)
{
	tm("reset");
}

/* top -b -n 2 -d 0.2: two refreshes, the test module's stack exact in both. */
TEST_F(top, batch_two_iterations)
{
	const char *argv[] = { "top", "-b", "-n", "2", "-d", "0.2", NULL };
	struct sums s;
	char *out;
	int i;

	ASSERT_EQ(0, run_mo(argv, NULL));
	out = read_file(OUT);
	ASSERT_NE(NULL, out);
	batch_sums(out, "memowner_test_kmalloc+0x", &s);
	EXPECT_EQ(2, s.iterations) TH_LOG("output:\n%s", out);
	for (i = 0; i < 2; i++) {
		EXPECT_STREQ("stacks", s.view[i]);
		EXPECT_LE(1, s.rows[i]);
		EXPECT_EQ(self->km.bytes_alloc, s.bytes[i])
			TH_LOG("iteration %d", i + 1);
		EXPECT_EQ(KM_COUNT, s.objects[i]) TH_LOG("iteration %d", i + 1);
	}
	/* top separates refreshes with an empty line, as top -b does. */
	EXPECT_NE(NULL, strstr(out, "\n\nmemowner top - "));
	if (s.bytes[0] != self->km.bytes_alloc)
		TH_LOG("output:\n%s", out);
	free(out);
}

/*
 * top holds /dev/memowner only while it takes a snapshot, so memowner.ko
 * can be unloaded under a running top, which then ends with the hint.
 */
TEST_F_TIMEOUT(top, does_not_pin_the_module, 120)
{
	const char *argv[] = { "top", "-b", "-d", "0.3", "-n", "1000", NULL };
	struct sums s;
	char *out, *err;
	int status, unloaded;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(run_mo(argv, NULL));
	usleep(1500 * 1000);	/* a few refreshes */
	unloaded = unload_module("memowner");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* Back for the other tests, whatever happened. */
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	ASSERT_EQ(0, unloaded);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	out = read_file(OUT);
	err = read_file(ERR);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, err);
	batch_sums(out, "memowner_test_kmalloc+0x", &s);
	EXPECT_LE(1, s.iterations);
	EXPECT_EQ(self->km.bytes_alloc, s.bytes[0]) TH_LOG("output:\n%s", out);
	EXPECT_NE(NULL, strstr(err, "not loaded")) TH_LOG("stderr:\n%s", err);
	free(out);
	free(err);
}

/* The other views and the kernel-side filters name the same memory. */
TEST_F(top, batch_views_and_filters)
{
	char tgid[16], *out;
	struct sums s;

	snprintf(tgid, sizeof(tgid), "%d", getpid());
	{
		/* Our process made them (process context, the writer). */
		const char *argv[] = { "top", "-b", "-n", "1", "--tgid", tgid,
				       "-s", "objects", NULL };

		ASSERT_EQ(0, run_mo(argv, NULL));
		out = read_file(OUT);
		batch_sums(out, "memowner_test_kmalloc+0x", &s);
		EXPECT_EQ(self->km.bytes_alloc, s.bytes[0]) TH_LOG("%s", out);
		EXPECT_EQ(KM_COUNT, s.objects[0]);
		free(out);
	}
	{
		/*
		 * The module's row is all of its stacks: the test allocations
		 * and the module's own bookkeeping (mot_alloc...).
		 */
		const char *stacks[] = { "top", "-b", "-n", "1", "--module",
					 "memowner_test", NULL };
		const char *argv[] = { "top", "-b", "-n", "1", "-v", "modules",
				       "--module", "memowner_test", NULL };
		struct sums all;

		ASSERT_EQ(0, run_mo(stacks, NULL));
		out = read_file(OUT);
		batch_sums(out, "", &all);
		batch_sums(out, "memowner_test_kmalloc+0x", &s);
		EXPECT_EQ(self->km.bytes_alloc, s.bytes[0]) TH_LOG("%s", out);
		EXPECT_EQ(KM_COUNT, s.objects[0]);
		free(out);

		ASSERT_EQ(0, run_mo(argv, NULL));
		out = read_file(OUT);
		batch_sums(out, "memowner_test", &s);
		EXPECT_STREQ("modules", s.view[0]);
		EXPECT_EQ(1, s.rows[0]) TH_LOG("%s", out);
		EXPECT_EQ(all.bytes[0], s.bytes[0]) TH_LOG("%s", out);
		EXPECT_EQ(all.objects[0], s.objects[0]);
		EXPECT_LE(self->km.bytes_alloc, s.bytes[0]);
		free(out);
	}
	{
		/* The same for the cache: its row is its stacks (--cache). */
		const char *stacks[] = { "top", "-b", "-n", "1", "--module",
					 "memowner_test", "--cache", "kmalloc-4k",
					 NULL };
		const char *argv[] = { "top", "-b", "-n", "1", "-v", "caches",
				       "--module", "memowner_test", "--source",
				       "slab", NULL };
		struct sums all;

		ASSERT_EQ(0, run_mo(stacks, NULL));
		out = read_file(OUT);
		batch_sums(out, "", &all);
		batch_sums(out, "memowner_test_kmalloc+0x", &s);
		EXPECT_EQ(self->km.bytes_alloc, s.bytes[0]) TH_LOG("%s", out);
		EXPECT_EQ(KM_COUNT, s.objects[0]);
		free(out);

		ASSERT_EQ(0, run_mo(argv, NULL));
		out = read_file(OUT);
		batch_sums(out, "kmalloc-4k", &s);
		EXPECT_STREQ("caches", s.view[0]);
		EXPECT_EQ(1, s.rows[0]) TH_LOG("%s", out);
		EXPECT_EQ(all.bytes[0], s.bytes[0]) TH_LOG("%s", out);
		EXPECT_EQ(all.objects[0], s.objects[0]);
		EXPECT_LE(self->km.bytes_alloc, s.bytes[0]);
		free(out);
	}
	{
		const char *argv[] = { "top", "-b", "-n", "1", "-v", "callsites",
				       "--filter", "memowner_test_kmalloc", NULL };

		ASSERT_EQ(0, run_mo(argv, NULL));
		out = read_file(OUT);
		batch_sums(out, "memowner_test_kmalloc+0x", &s);
		EXPECT_STREQ("callsites", s.view[0]);
		EXPECT_EQ(self->km.bytes_alloc, s.bytes[0]) TH_LOG("%s", out);
		EXPECT_EQ(KM_COUNT, s.objects[0]);
		EXPECT_NE(NULL, strstr(out, "Filter: memowner_test_kmalloc"));
		free(out);
	}
	{
		/* Human units: 300 x 4 KiB is 1.2M. */
		const char *argv[] = { "top", "-b", "-n", "1", "-v", "modules",
				       "--module", "memowner_test", "-u", "human",
				       NULL };

		ASSERT_EQ(0, run_mo(argv, NULL));
		out = read_file(OUT);
		EXPECT_NE(NULL, strstr(out, "1.2M")) TH_LOG("%s", out);
		free(out);
	}
	{
		const char *argv[] = { "top", "-b", "-n", "1", "-v", "tasks",
				       "--tgid", tgid, NULL };
		char owner[64];

		ASSERT_EQ(0, run_mo(argv, NULL));
		out = read_file(OUT);
		snprintf(owner, sizeof(owner), "%s ", tgid);
		batch_sums(out, owner, &s);
		EXPECT_EQ(1, s.rows[0]) TH_LOG("%s", out);
		/* Everything our process holds, the test module's included. */
		EXPECT_LE(self->km.bytes_alloc, s.bytes[0]) TH_LOG("%s", out);
		free(out);
	}
}

/* Sums of the JSON rows whose owner starts with @prefix. */
struct jsums {
	long long bytes, objects, allocs, growth;
	double rate;
	int rows, rate_null, frames_ok;
};

static int json_sums(struct json_object *doc, const char *prefix,
		     struct jsums *s)
{
	struct json_object *rows, *r, *v, *frames;
	size_t i, k;

	memset(s, 0, sizeof(*s));
	if (!json_object_object_get_ex(doc, "rows", &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return -1;
	for (i = 0; i < json_object_array_length(rows); i++) {
		r = json_object_array_get_idx(rows, i);
		if (!json_object_object_get_ex(r, "owner", &v) ||
		    strncmp(json_object_get_string(v), prefix, strlen(prefix)))
			continue;
		s->rows++;
		json_object_object_get_ex(r, "live_bytes", &v);
		s->bytes += json_object_get_int64(v);
		json_object_object_get_ex(r, "live_objects", &v);
		s->objects += json_object_get_int64(v);
		json_object_object_get_ex(r, "allocs", &v);
		s->allocs += json_object_get_int64(v);
		json_object_object_get_ex(r, "growth_bytes", &v);
		s->growth += json_object_get_int64(v);
		if (json_object_object_get_ex(r, "alloc_rate", &v) && v)
			s->rate += json_object_get_double(v);
		else
			s->rate_null++;
		if (json_object_object_get_ex(r, "frames", &frames))
			for (k = 0; k < json_object_array_length(frames); k++)
				if (strstr(json_object_get_string(
					json_object_array_get_idx(frames, k)),
					   "memowner_test_kmalloc+0x"))
					s->frames_ok++;
	}
	return 0;
}

/*
 * --json: one document per refresh.  100 more objects between the two
 * refreshes show as growth and as an allocation rate.
 */
TEST_F_TIMEOUT(top, batch_json_growth_rate, 120)
{
	const char *argv[] = { "--json", "top", "-b", "-n", "2", "-d", "2",
			       "--module", "memowner_test", NULL };
	struct json_object *doc[2], *v;
	const char *art = getenv("MEMOWNER_ARTIFACTS");
	char *out, *line, *save = NULL, path[256];
	struct jsums s[2];
	struct held km2;
	int status, n = 0;
	long end;
	pid_t pid;

	/* Not the output of an earlier run. */
	unlink(OUT);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(run_mo(argv, NULL));
	/* The first document is out: allocate before the second. */
	for (end = now_ms() + 30000; now_ms() < end; usleep(20000)) {
		out = read_file(OUT);
		if (out && strchr(out, '\n')) {
			free(out);
			break;
		}
		free(out);
	}
	ASSERT_EQ(0, tm("alloc kmalloc 100 %d", KM_SIZE));
	ASSERT_EQ(0, tm_held("kmalloc", &km2));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	out = read_file(OUT);
	ASSERT_NE(NULL, out);
	for (line = strtok_r(out, "\n", &save); line && n < 2;
	     line = strtok_r(NULL, "\n", &save)) {
		doc[n] = json_tokener_parse(line);
		ASSERT_NE(NULL, doc[n]) TH_LOG("not JSON: %s", line);
		if (!n && art) {
			/* One document, for the host's JSON parser. */
			snprintf(path, sizeof(path), "%s/top.json", art);
			FILE *f = fopen(path, "w");

			if (f) {
				fprintf(f, "%s\n", line);
				fclose(f);
			}
		}
		n++;
	}
	ASSERT_EQ(2, n);
	ASSERT_EQ(NULL, line);	/* exactly two documents */
	if (art) {
		char *all = read_file(OUT);
		FILE *f;

		snprintf(path, sizeof(path), "%s/top.jsonl", art);
		f = fopen(path, "w");
		if (f && all)
			fputs(all, f);
		if (f)
			fclose(f);
		free(all);
	}

	ASSERT_TRUE(json_object_object_get_ex(doc[0], "iteration", &v));
	EXPECT_EQ(1, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(doc[1], "iteration", &v));
	EXPECT_EQ(2, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(doc[0], "view", &v));
	EXPECT_STREQ("stacks", json_object_get_string(v));

	ASSERT_EQ(0, json_sums(doc[0], "memowner_test_kmalloc+0x", &s[0]));
	ASSERT_EQ(0, json_sums(doc[1], "memowner_test_kmalloc+0x", &s[1]));
	EXPECT_LE(1, s[0].rows);
	EXPECT_EQ(self->km.bytes_alloc, s[0].bytes);
	EXPECT_EQ(KM_COUNT, s[0].objects);
	EXPECT_EQ(0, s[0].growth);
	EXPECT_EQ(s[0].rows, s[0].rate_null);	/* no rate before a second refresh */
	EXPECT_EQ(s[0].rows, s[0].frames_ok);

	EXPECT_EQ(km2.bytes_alloc, s[1].bytes);
	EXPECT_EQ(KM_COUNT + 100, s[1].objects);
	EXPECT_EQ(km2.bytes_alloc - self->km.bytes_alloc, s[1].growth);
	EXPECT_EQ(100, s[1].allocs - s[0].allocs);
	EXPECT_EQ(0, s[1].rate_null);
	/* 100 allocations over at least the 2 s between the refreshes. */
	EXPECT_LT(0.0, s[1].rate);
	EXPECT_GE(50.0 + 1e-9, s[1].rate);
	json_object_put(doc[0]);
	json_object_put(doc[1]);
	free(out);
}

/*
 * The live view on a pseudo-terminal: views, filter, sort keys, a row
 * expanded to its whole stack, a resize, and 'q' -- the terminal left as
 * it was found.
 */
TEST_F_TIMEOUT(top, live_on_pty, 180)
{
	const char *argv[] = { "top", "-d", "0.5", NULL };
	struct winsize ws = { .ws_row = 30, .ws_col = 110 };
	struct termios during, after;
	struct term t;
	long cpu;
	int status;

	ASSERT_EQ(0, ensure_devpts());
	ASSERT_EQ(0, term_start(&t, argv, 40, 160));
	ASSERT_TRUE(t.before.c_lflag & ICANON);
	ASSERT_TRUE(t.before.c_lflag & ECHO);

	ASSERT_TRUE(term_expect(&t, "memowner top - ", 30000))
		TH_LOG("screen: %.*s", (int)t.len, t.buf);
	ASSERT_TRUE(term_expect(&t, "View: stacks", 5000));
	ASSERT_TRUE(term_expect(&t, "OWNER", 5000));
	/* Curses mode: no line discipline, no echo. */
	ASSERT_EQ(0, tcgetattr(t.slave, &during));
	EXPECT_FALSE(during.c_lflag & ICANON);
	EXPECT_FALSE(during.c_lflag & ECHO);

	/* Modules view: the test module by name. */
	term_keys(&t, "m");
	EXPECT_TRUE(term_expect(&t, "View: modules", 10000));
	EXPECT_TRUE(term_expect_word(&t, "memowner_test", 10000));

	/* Back to stacks; filter on the test module's function. */
	term_keys(&t, "1");
	EXPECT_TRUE(term_expect(&t, "View: stacks", 10000));
	term_keys(&t, "/memowner_test_kmalloc\r");
	EXPECT_TRUE(term_expect(&t, "Filter: memowner_test_kmalloc", 10000));
	EXPECT_TRUE(term_expect(&t, "memowner_test_kmalloc+0x", 10000));

	/* Sort keys: by letter and by cycling. */
	term_keys(&t, "o");
	EXPECT_TRUE(term_expect(&t, "Sort: objects", 10000));
	EXPECT_TRUE(term_expect(&t, "memowner_test_kmalloc+0x", 10000));
	term_keys(&t, "<");
	EXPECT_TRUE(term_expect(&t, "Sort: pages", 10000));
	term_keys(&t, ">");
	EXPECT_TRUE(term_expect(&t, "Sort: objects", 10000));

	/* Down, Up (xterm's keypad mode), Enter: the whole stack. */
	term_keys(&t, "\033OB");
	term_keys(&t, "\033OA");
	term_keys(&t, "\r");
	EXPECT_TRUE(term_expect(&t, "300 objects", 10000))
		TH_LOG("screen: %.*s", (int)(t.len - t.mark), t.buf + t.mark);
	EXPECT_TRUE(term_expect(&t, "#0  memowner_test_kmalloc+0x", 10000));
	/* Frames below the module: all of them, not the owner alone. */
	EXPECT_TRUE(term_expect(&t, "vfs_write+0x", 10000));

	/* Esc: back to the list. */
	term_keys(&t, "\033");
	EXPECT_TRUE(term_expect(&t, "ALLOC/S", 10000));
	EXPECT_TRUE(term_expect(&t, "memowner_test_kmalloc+0x", 10000));

	/* A resize repaints the screen at the new size. */
	t.mark = t.len;
	ASSERT_EQ(0, ioctl(t.master, TIOCSWINSZ, &ws));
	EXPECT_TRUE(term_expect(&t, "memowner top - ", 10000));
	EXPECT_TRUE(term_expect(&t, "memowner_test_kmalloc+0x", 10000));

	/* Pause and resume; a new interval typed at the 'd' prompt. */
	term_keys(&t, "P");
	EXPECT_TRUE(term_expect(&t, "[paused]", 10000));
	/* Paused, top sleeps until a key: no CPU time (no busy loop). */
	cpu = cpu_ticks(t.pid);
	ASSERT_LE(0, cpu);
	sleep(2);
	EXPECT_GE(10, cpu_ticks(t.pid) - cpu) TH_LOG("CPU ticks while idle");
	term_keys(&t, " ");
	EXPECT_TRUE(term_expect(&t, "Interval: 0.5s  Growth", 10000));
	term_keys(&t, "d\0251.5\r");
	EXPECT_TRUE(term_expect(&t, "Interval: 1.5s", 10000));

	/* Help, any key back, then quit. */
	term_keys(&t, "h");
	EXPECT_TRUE(term_expect(&t, "Keys:", 10000));
	term_keys(&t, "x");
	EXPECT_TRUE(term_expect(&t, "ALLOC/S", 10000));
	/* 'x' left the help: it is no unknown key. */
	term_fill(&t, 200);
	EXPECT_EQ(NULL, memmem(t.buf + t.mark, t.len - t.mark, "Unknown key",
			       strlen("Unknown key")));

	t.mark = t.len;
	term_send(&t, "q");
	status = term_wait(&t, 20000);
	ASSERT_NE(-1, status);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(NULL, memmem(t.buf + t.mark, t.len - t.mark, RMCUP,
			       strlen(RMCUP)));
	EXPECT_NE(NULL, memmem(t.buf + t.mark, t.len - t.mark, CNORM,
			       strlen(CNORM)));
	ASSERT_EQ(0, tcgetattr(t.slave, &after));
	EXPECT_TRUE(modes_equal(&t.before, &after));
	term_close(&t);
}

/* SIGINT, SIGTERM, SIGHUP: the terminal restored, then death by the signal. */
TEST_F_TIMEOUT(top, signals_restore_terminal, 180)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	const char *argv[] = { "top", "-d", "0.3", NULL };
	struct termios during, after;
	struct term t;
	unsigned int i;
	int status;

	ASSERT_EQ(0, ensure_devpts());
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		ASSERT_EQ(0, term_start(&t, argv, 30, 120));
		ASSERT_TRUE(term_expect(&t, "OWNER", 30000));
		ASSERT_EQ(0, tcgetattr(t.slave, &during));
		EXPECT_FALSE(during.c_lflag & ICANON);
		t.mark = t.len;
		ASSERT_EQ(0, kill(t.pid, sigs[i]));
		status = term_wait(&t, 20000);
		ASSERT_NE(-1, status) TH_LOG("%s: still running", strsignal(sigs[i]));
		EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("%s", strsignal(sigs[i]));
		EXPECT_EQ(sigs[i], WTERMSIG(status));
		EXPECT_NE(NULL, memmem(t.buf + t.mark, t.len - t.mark, RMCUP,
				       strlen(RMCUP))) TH_LOG("%s", strsignal(sigs[i]));
		ASSERT_EQ(0, tcgetattr(t.slave, &after));
		EXPECT_TRUE(modes_equal(&t.before, &after))
			TH_LOG("%s", strsignal(sigs[i]));
		term_close(&t);
	}
}

/* The live view needs a terminal, and says so. */
TEST_F(top, live_without_terminal)
{
	const char *argv[] = { "top", "-n", "1", NULL };
	char *err;

	EXPECT_EQ(1, run_mo(argv, NULL));
	err = read_file(ERR);
	EXPECT_NE(NULL, strstr(err, "-b")) TH_LOG("%s", err);
	free(err);
}

TEST_F(top, bad_arguments)
{
	static const char *const bad[][6] = {
		{ "top", "-s", "size" },
		{ "top", "-v", "threads" },
		{ "top", "-d", "0" },
		{ "top", "-d", "abc" },
		{ "top", "-d", "-1" },
		{ "top", "-n", "0" },
		{ "top", "-n", "x" },
		{ "top", "-N", "0" },
		{ "top", "-u", "kb" },
		{ "top", "--source", "disk" },
		{ "top", "--tgid", "-3" },
		{ "top", "--no-such-option" },
		{ "top", "-b", "extra" },
	};
	unsigned int i;
	char *err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(2, run_mo(bad[i], NULL)) TH_LOG("%s %s", bad[i][1],
							  bad[i][2] ?: "");
		err = read_file(ERR);
		EXPECT_NE(NULL, strstr(err, "usage: memowner")) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, "top")) TH_LOG("%s", err);
		/* What was wrong, before the usage line. */
		EXPECT_EQ(0, strncmp(err, "memowner", 8)) TH_LOG("%s", err);
		free(err);
	}
}

/*
 * Exact figures need an exact mode (the default samples): memowner is
 * reloaded in stack mode for these tests and with its defaults after.
 */
int main(int argc, char **argv)
{
	mo_require_module();
	/* Back to the defaults at exit (test_harness_run() exits). */
	mo_main_pid = getpid();
	atexit(mo_main_cleanup);
	if (have_modules()) {
		tm("reset");
		if (memowner_reload("mode=stack")) {
			ksft_print_header();
			ksft_exit_fail_msg("cannot reload memowner.ko mode=stack\n");
		}
	}
	return MO_HARNESS_RUN(argc, argv);
}
