// SPDX-License-Identifier: GPL-2.0
/*
 * The memowner CLI's listings and configuration against the truth of
 * memowner_test.ko: status, config, stacks, pages, caches, modules and
 * leaks each report the test module's allocations with their exact bytes
 * and objects and the memowner_test_<kind>() frame; "pages" is read by the
 * kernel's page_owner_sort; every --json output is parsed with json-c and
 * left in $MEMOWNER_ARTIFACTS for the host's JSON parser; bad arguments
 * exit 2 with a usage line; a caller without capabilities gets the
 * permission hint.
 *
 * The CLI is run as a program ($MEMOWNER_CLI, default "memowner" from
 * PATH), as a user would.  memowner.ko is reloaded in stack mode (exact)
 * for each test.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define OUT_FILE "/tmp/ux_cli.out"
#define ERR_FILE "/tmp/ux_cli.err"

struct run {
	int rc;
	char *out, *err;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static const char *cli(void)
{
	return getenv("MEMOWNER_CLI") ?: "memowner";
}

/* Run "memowner ARGS" (after dropping every capability if @nocaps). */
static struct run run_cli_caps(int nocaps, const char *fmt, ...)
{
	char args[512], cmd[1024];
	struct run r = { .rc = -1 };
	va_list ap;
	pid_t pid;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >" OUT_FILE " 2>" ERR_FILE, cli(), args);
	pid = fork();
	if (pid == 0) {
		if (nocaps && mo_keep_caps(0))
			_exit(120);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r.rc = WEXITSTATUS(status);
	r.out = read_file(OUT_FILE);
	r.err = read_file(ERR_FILE);
	if (!r.out)
		r.out = strdup("");
	if (!r.err)
		r.err = strdup("");
	return r;
}

#define run_cli(...) run_cli_caps(0, __VA_ARGS__)

/* Leave @text as artifact @name for the host's checks. */
static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void artifact(const char *name, const char *text)
{
	const char *dir = getenv("MEMOWNER_ARTIFACTS") ?: "/tmp/artifacts";
	char path[512];

	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_text(path, text);
}

/* ---- text blocks: "counters line\n frame\n ...\n\n" ------------------- */

/*
 * The blocks of @text whose frames contain @needle: how many, and a copy
 * of the first one's counters line in @line.
 */
static int blocks_with(const char *text, const char *needle, char *line,
		       size_t len)
{
	const char *b = text, *e;
	int n = 0;

	if (line)
		line[0] = '\0';
	while (b && *b) {
		char *blk;

		e = strstr(b, "\n\n");
		blk = strndup(b, e ? (size_t)(e - b) : strlen(b));
		if (blk && strstr(blk, needle)) {
			if (!n && line) {
				char *nl = strchr(blk, '\n');

				snprintf(line, len, "%.*s",
					 nl ? (int)(nl - blk) : (int)strlen(blk), blk);
			}
			n++;
		}
		free(blk);
		b = e ? e + 2 : NULL;
	}
	return n;
}

/* "N WORD" in a counters line ("819200 bytes", "200 objects"); -1 if none. */
static long long field(const char *line, const char *word)
{
	const char *p = line;
	size_t wlen = strlen(word);

	while ((p = strstr(p, word))) {
		const char *q = p;

		if (q > line && q[-1] == ' ' && !isalnum((unsigned char)q[wlen])) {
			q -= 2;
			while (q > line && isdigit((unsigned char)q[-1]))
				q--;
			if (isdigit((unsigned char)*q))
				return strtoll(q, NULL, 10);
		}
		p += wlen;
	}
	return -1;
}

/* ---- JSON --------------------------------------------------------------- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v ? json_object_get_int64(v) : -1;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v ? json_object_get_string(v) : "";
}

static int frames_have(struct json_object *frames, const char *needle)
{
	size_t i, n;

	if (!frames || !json_object_is_type(frames, json_type_array))
		return 0;
	n = json_object_array_length(frames);
	for (i = 0; i < n; i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(frames, i)),
			   needle))
			return 1;
	return 0;
}

/*
 * The first element of array @arr whose frames name @needle (and whose
 * source is @source, if not NULL: the slab pages under the test's
 * kmalloc() have its frame too), and how many there are in *@n.
 */
static struct json_object *elem_with_frame(struct json_object *arr,
					   const char *needle,
					   const char *source, int *n)
{
	struct json_object *found = NULL;
	size_t i, len;

	*n = 0;
	if (!arr || !json_object_is_type(arr, json_type_array))
		return NULL;
	len = json_object_array_length(arr);
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (frames_have(jget(e, "frames"), needle) &&
		    (!source || !strcmp(jstr(e, "source"), source))) {
			if (!found)
				found = e;
			(*n)++;
		}
	}
	return found;
}

/* ---- fixture ------------------------------------------------------------ */

FIXTURE(cli) {
	struct held h;
};

FIXTURE_SETUP(cli)
{
	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	/* Stack mode counts exactly (the default, sample, estimates). */
	ASSERT_EQ(0, memowner_reload("mode=stack"));
}

FIXTURE_TEARDOWN(cli)
{
	if (have_modules())
		tm("reset");
}

TEST_F(cli, stacks)
{
	struct json_object *doc, *g, *groups;
	char line[512], arg[64];
	long long prev = -1;
	struct run r;
	const char *p;
	int n;

	ASSERT_EQ(0, tm("alloc kmalloc 200 4096"));
	ASSERT_EQ(0, tm_held("kmalloc", &self->h));
	ASSERT_EQ(200, self->h.count);

	/* Text: one block for the test's stack, its exact counters. */
	r = run_cli("stacks --source slab");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("stacks.txt", r.out);
	n = blocks_with(r.out, "memowner_test_kmalloc+0x", line, sizeof(line));
	EXPECT_EQ(1, n) TH_LOG("stacks:\n%.3000s", r.out);
	EXPECT_EQ(self->h.bytes_alloc, field(line, "bytes")) TH_LOG("%s", line);
	EXPECT_EQ(self->h.count, field(line, "objects")) TH_LOG("%s", line);
	EXPECT_EQ(200, field(line, "allocs")) TH_LOG("%s", line);
	EXPECT_EQ(0, field(line, "frees")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "source slab"));
	run_free(&r);

	/* JSON: the same, parsed. */
	r = run_cli("--json stacks --source slab");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("stacks.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	groups = jget(doc, "groups");
	g = elem_with_frame(groups, "memowner_test_kmalloc+0x", NULL, &n);
	ASSERT_EQ(1, n);
	EXPECT_EQ(self->h.bytes_alloc, jint(g, "live_bytes"));
	EXPECT_EQ(self->h.count, jint(g, "live_objects"));
	EXPECT_EQ(200, jint(g, "allocs"));
	EXPECT_STREQ("slab", jstr(g, "source"));
	EXPECT_STREQ("memowner_test", jstr(g, "module"));
	EXPECT_EQ((int64_t)json_object_array_length(groups), jint(doc, "total_groups"));
	json_object_put(doc);
	run_free(&r);

	/* By process and stack: this process made them. */
	snprintf(arg, sizeof(arg), "%d", getpid());
	r = run_cli("stacks --cull tgid,stacktrace --tgid %s --source slab", arg);
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	n = blocks_with(r.out, "memowner_test_kmalloc+0x", line, sizeof(line));
	EXPECT_EQ(1, n) TH_LOG("%.3000s", r.out);
	EXPECT_EQ(self->h.bytes_alloc, field(line, "bytes")) TH_LOG("%s", line);
	EXPECT_EQ(200, field(line, "objects")) TH_LOG("%s", line);
	snprintf(arg, sizeof(arg), "TGID %d", getpid());
	EXPECT_NE(NULL, strstr(line, arg)) TH_LOG("%s", line);
	run_free(&r);

	/* By command name, in JSON: at least the test's objects. */
	r = run_cli("--json stacks --cull name --name ux_cli_test --source slab");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc);
	groups = jget(doc, "groups");
	ASSERT_EQ(1, json_object_array_length(groups)) TH_LOG("%s", r.out);
	g = json_object_array_get_idx(groups, 0);
	EXPECT_STREQ("ux_cli_test", jstr(g, "name"));
	EXPECT_LE(self->h.bytes_alloc, jint(g, "live_bytes"));
	EXPECT_LE(200, jint(g, "live_objects"));
	json_object_put(doc);
	run_free(&r);

	/* By module: memowner_test's slab bytes hold at least the test's. */
	r = run_cli("stacks --cull module --source slab --sort module");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	p = strstr(r.out, "module memowner_test\n");
	ASSERT_NE(NULL, p) TH_LOG("%.3000s", r.out);
	while (p > r.out && p[-1] != '\n')
		p--;
	EXPECT_LE(self->h.bytes_alloc, field(p, "bytes"));
	run_free(&r);

	/* By cache and stack: the outer loop over caches. */
	r = run_cli("stacks --cull cache,stacktrace --source slab --cache kmalloc-4k");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	n = blocks_with(r.out, "memowner_test_kmalloc+0x", line, sizeof(line));
	EXPECT_EQ(1, n) TH_LOG("%.3000s", r.out);
	EXPECT_EQ(200, field(line, "objects")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, ", cache kmalloc-4k")) TH_LOG("%s", line);
	run_free(&r);
	r = run_cli("--json stacks --cull cache --source slab");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc);
	groups = jget(doc, "groups");
	for (n = 0; n < (int)json_object_array_length(groups); n++) {
		g = json_object_array_get_idx(groups, n);
		if (!strcmp(jstr(g, "cache"), "kmalloc-4k"))
			break;
	}
	ASSERT_GT((int)json_object_array_length(groups), n) TH_LOG("%s", r.out);
	EXPECT_LE(self->h.bytes_alloc, jint(g, "live_bytes"));
	json_object_put(doc);
	run_free(&r);

	/* --sort objects, --threshold, -n. */
	r = run_cli("stacks --sort objects --threshold 200 -n 5");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	EXPECT_EQ(1, blocks_with(r.out, "memowner_test_kmalloc+0x", NULL, 0))
		TH_LOG("%.3000s", r.out);
	n = 0;
	for (p = r.out; p && *p; p = strstr(p, "\n\n"), p = p ? p + 2 : NULL) {
		long long o = field(p, "objects");

		n++;
		EXPECT_LE(200, o);
		if (prev >= 0)
			EXPECT_GE(prev, o);
		prev = o;
	}
	EXPECT_GE(5, n);
	run_free(&r);

	/* By thread: pages only (the only records that name the thread). */
	ASSERT_EQ(0, tm("alloc pages 3 1"));
	snprintf(arg, sizeof(arg), "%d", getpid());
	r = run_cli("stacks --cull pid,stacktrace --pid %s", arg);
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	n = blocks_with(r.out, "memowner_test_pages+0x", line, sizeof(line));
	EXPECT_EQ(1, n) TH_LOG("%.3000s", r.out);
	EXPECT_EQ(6, field(line, "pages")) TH_LOG("%s", line);
	EXPECT_EQ(3, field(line, "objects")) TH_LOG("%s", line);
	run_free(&r);
}

/* The first line of each page_owner record whose frames have @needle. */
static char *po_heads(const char *text, const char *needle)
{
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	const char *b = text, *e;

	while (out && b && *b) {
		e = strstr(b, "\n\n");
		if (!e)
			break;
		if (memmem(b, e - b, needle, strlen(needle))) {
			const char *nl = memchr(b, '\n', e - b);
			size_t l = nl - b + 1;

			if (len + l + 1 > cap) {
				cap = 2 * (len + l + 1);
				out = realloc(out, cap);
				if (!out)
					break;
			}
			memcpy(out + len, b, l);
			len += l;
			out[len] = '\0';
		}
		b = e + 2;
	}
	return out;
}

TEST_F(cli, pages)
{
	struct json_object *doc, *pages, *stacks;
	char *sorted, *a, *b, arg[32];
	size_t i, n;
	uint32_t handle = 0;
	int found = 0;
	struct run r;
	const char *p;

	ASSERT_EQ(0, tm("alloc pages 16 2"));
	ASSERT_EQ(0, tm_held("pages", &self->h));
	ASSERT_EQ(16, self->h.count);
	ASSERT_EQ(64, self->h.pages);

	r = run_cli("pages");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	/* Megabytes: for page_owner_sort here, not the serial line. */
	write_text("/tmp/ux_pages.txt", r.out);
	/* Byte for byte the records of memowner's own page_owner view. */
	a = po_heads(r.out, "memowner_test_pages+0x");
	{
		char *dbg = read_file(DBG "page_owner");

		ASSERT_NE(NULL, dbg);
		b = po_heads(dbg, "memowner_test_pages+0x");
		free(dbg);
	}
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_STREQ(b, a);
	for (p = a, n = 0; (p = strstr(p, "Page allocated via order 2, mask ")); p++)
		n++;
	EXPECT_EQ(16, n) TH_LOG("%s", a);
	free(a);
	free(b);
	run_free(&r);

	/* The kernel's page_owner_sort reads it. */
	if (access("./page_owner_sort", X_OK)) {
		TH_LOG("page_owner_sort not built: skipping its check");
	} else {
		ASSERT_EQ(0, system("./page_owner_sort --cull stacktrace "
				    "/tmp/ux_pages.txt "
				    "/tmp/ux_po_sorted.txt >/dev/null"));
		sorted = read_file("/tmp/ux_po_sorted.txt");
		ASSERT_NE(NULL, sorted);
		for (p = strstr(sorted, "memowner_test_pages+0x"); p;
		     p = strstr(p + 1, "memowner_test_pages+0x")) {
			const char *start = p;

			while (start > sorted && !(start[-1] == '\n' && isdigit(start[0])))
				start--;
			if (!strncmp(start, "16 times, 64 pages", 18))
				found++;
		}
		EXPECT_EQ(1, found) TH_LOG("page_owner_sort:\n%.2000s", sorted);
		free(sorted);
	}

	/* JSON, this process's blocks: 16 of order 2, the test's stack. */
	snprintf(arg, sizeof(arg), "%d", getpid());
	r = run_cli("--json pages --tgid %s", arg);
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("pages.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	stacks = jget(doc, "stacks");
	{
		int m;
		struct json_object *s = elem_with_frame(stacks, "memowner_test_pages+0x", NULL, &m);

		ASSERT_EQ(1, m);
		handle = jint(s, "stack");
	}
	pages = jget(doc, "pages");
	ASSERT_NE(NULL, pages);
	for (i = 0, n = 0; i < json_object_array_length(pages); i++) {
		struct json_object *pg = json_object_array_get_idx(pages, i);

		EXPECT_EQ(getpid(), jint(pg, "tgid"));
		if ((uint32_t)jint(pg, "stack") != handle)
			continue;
		n++;
		EXPECT_EQ(2, jint(pg, "order"));
		EXPECT_EQ(getpid(), jint(pg, "pid"));
		EXPECT_STREQ("ux_cli_test", jstr(pg, "comm"));
		EXPECT_NE(NULL, strstr(jstr(pg, "gfp_flags"), "GFP_KERNEL"));
	}
	EXPECT_EQ(16, n);
	json_object_put(doc);
	run_free(&r);
}

TEST_F(cli, caches)
{
	struct json_object *doc, *caches, *c, *sites, *s;
	char line[512];
	struct held k;
	size_t i;
	int n;
	struct run r;

	ASSERT_EQ(0, tm("alloc cache 300 200"));
	ASSERT_EQ(0, tm("alloc kmalloc 200 4096"));
	ASSERT_EQ(0, tm_held("cache", &self->h));
	ASSERT_EQ(0, tm_held("kmalloc", &k));

	r = run_cli("caches");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("caches.txt", r.out);
	run_free(&r);
	r = run_cli("caches --cache 'memowner_test_2*'");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	/* kmem_cache_alloc reports no size: the object size counts. */
	snprintf(line, sizeof(line), "memowner_test_200: 300 objects, %ld bytes",
		 self->h.bytes_req);
	EXPECT_EQ(0, strncmp(r.out, line, strlen(line))) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\n    300 memowner_test_cache_alloc+0x"))
		TH_LOG("%s", r.out);
	snprintf(line, sizeof(line), " pid=%d", getpid());
	EXPECT_NE(NULL, strstr(r.out, line)) TH_LOG("%s", r.out);
	run_free(&r);

	r = run_cli("--json caches");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("caches.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	caches = jget(doc, "caches");
	n = 0;
	for (i = 0; i < json_object_array_length(caches); i++) {
		size_t j, j2;

		c = json_object_array_get_idx(caches, i);
		sites = jget(c, "callsites");
		for (j = 0; j < json_object_array_length(sites); j++) {
			s = json_object_array_get_idx(sites, j);
			/* One entry per call site, as alloc_calls. */
			for (j2 = j + 1; j2 < json_object_array_length(sites); j2++)
				EXPECT_STRNE(jstr(s, "callsite"),
					     jstr(json_object_array_get_idx(sites, j2),
						  "callsite"));
			if (strstr(jstr(s, "callsite"), "memowner_test_cache_alloc+0x")) {
				n++;
				EXPECT_STREQ("memowner_test_200", jstr(c, "name"));
				EXPECT_EQ(300, jint(s, "count"));
				EXPECT_EQ(self->h.bytes_req, jint(s, "bytes"));
				EXPECT_EQ(getpid(), jint(s, "pid_min"));
				EXPECT_EQ(getpid(), jint(s, "pid_max"));
			}
			if (strstr(jstr(s, "callsite"), "memowner_test_kmalloc+0x")) {
				n++;
				EXPECT_STREQ("kmalloc-4k", jstr(c, "name"));
				EXPECT_EQ(200, jint(s, "count"));
				EXPECT_EQ(k.bytes_alloc, jint(s, "bytes"));
			}
		}
	}
	EXPECT_EQ(2, n);
	json_object_put(doc);
	run_free(&r);
}

/* Whether /proc/slabinfo lists a cache called @name (independent truth). */
static int slabinfo_lists(const char *name)
{
	char *s = read_file("/proc/slabinfo"), *l, *save;
	char first[128];
	int found = 0;

	for (l = s ? strtok_r(s, "\n", &save) : NULL; l && !found;
	     l = strtok_r(NULL, "\n", &save))
		found = sscanf(l, "%127s", first) == 1 && !strcmp(first, name);
	free(s);
	return found;
}

/*
 * A cache SLUB merged into another (memowner_test_merged_232, made right
 * after a partner of the same size): its objects are the cache's, listed
 * under the name the cache was created with, with the alias shown; and
 * every --cache filter and cache rule takes the alias.  Where the kernel
 * did not merge it (slab_nomerge, debug flags) it is a cache of its own
 * and the same commands find it by its name.
 */
TEST_F(cli, merged_cache_aliases)
{
	const char *alias = "memowner_test_merged_232";
	struct json_object *doc, *caches, *c, *sites, *s, *al, *g, *rules;
	char name[128] = "", link[256], path[256];
	struct stat st;
	int merged, found = 0, n, aliased = 0;
	size_t i, j;
	struct run r;

	ASSERT_EQ(0, tm("alloc merged 150 232"));
	ASSERT_EQ(0, tm_held("merged", &self->h));
	ASSERT_EQ(150, self->h.count);
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s", alias);
	ASSERT_EQ(0, lstat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
	/* SLUB links every name of a mergeable cache to a unique id. */
	merged = S_ISLNK(st.st_mode) && !slabinfo_lists(alias);
	if (S_ISLNK(st.st_mode))
		ASSERT_LT(0, readlink(path, link, sizeof(link) - 1));
	TH_LOG("%s: %s", alias, merged ? "merged" : "a cache of its own");

	/* The caches view: the objects under the cache's listed name. */
	r = run_cli("--json caches");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	caches = jget(doc, "caches");
	for (i = 0; caches && i < json_object_array_length(caches); i++) {
		c = json_object_array_get_idx(caches, i);
		sites = jget(c, "callsites");
		for (j = 0; sites && j < json_object_array_length(sites); j++) {
			s = json_object_array_get_idx(sites, j);
			if (!strstr(jstr(s, "callsite"), "memowner_test_cache_alloc+0x"))
				continue;
			found++;
			EXPECT_EQ(150, jint(s, "count"));
			snprintf(name, sizeof(name), "%s", jstr(c, "name"));
			al = jget(c, "aliases");
			ASSERT_NE(NULL, al);
			for (n = 0; n < (int)json_object_array_length(al); n++)
				if (!strcmp(alias, json_object_get_string(
						json_object_array_get_idx(al, n))))
					aliased = 1;
		}
	}
	json_object_put(doc);
	run_free(&r);
	ASSERT_EQ(1, found);
	EXPECT_EQ(1, slabinfo_lists(name)) TH_LOG("'%s' is no cache of /proc/slabinfo", name);
	if (merged) {
		EXPECT_STRNE(alias, name);
		EXPECT_EQ(1, aliased) TH_LOG("%s not among the aliases of %s", alias, name);
	} else {
		EXPECT_STREQ(alias, name);
	}

	/* Text: the alias selects the cache, and is shown after its name. */
	r = run_cli("caches --cache %s", alias);
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	EXPECT_EQ(0, strncmp(r.out, name, strlen(name))) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\n    150 memowner_test_cache_alloc+0x"))
		TH_LOG("%s", r.out);
	if (merged)
		EXPECT_NE(NULL, strstr(r.out, alias)) TH_LOG("%s", r.out);
	run_free(&r);

	/* stacks --cache ALIAS: exactly the test's objects at its stack. */
	r = run_cli("--json stacks --cache %s", alias);
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	g = elem_with_frame(jget(doc, "groups"), "memowner_test_cache_alloc+0x",
			    "slab", &n);
	EXPECT_EQ(1, n) TH_LOG("%.2000s", r.out);
	EXPECT_EQ(150, jint(g, "live_objects"));
	json_object_put(doc);
	run_free(&r);

	/* A rule on the alias is a rule on the cache, and sees its bytes. */
	r = run_cli("alerts add --cache %s --bytes 1K", alias);
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	run_free(&r);
	/* Rules are evaluated every alert period (100 ms): a few of them. */
	usleep(500000 * mo_timeout_scale());
	r = run_cli("--json alerts list");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	rules = jget(doc, "rules");
	found = 0;
	for (i = 0; rules && i < json_object_array_length(rules); i++) {
		struct json_object *rl = json_object_array_get_idx(rules, i);

		if (strcmp(jstr(rl, "owner_kind"), "cache"))
			continue;
		found++;
		EXPECT_STREQ(name, jstr(rl, "owner"));
		EXPECT_LE(150 * 232, jint(rl, "value")) TH_LOG("%s", r.out);
	}
	EXPECT_EQ(1, found) TH_LOG("%s", r.out);
	json_object_put(doc);
	run_free(&r);
}

TEST_F(cli, modules)
{
	struct json_object *doc, *mods, *m = NULL;
	struct held k;
	size_t i;
	struct run r;

	ASSERT_EQ(0, tm("alloc kmalloc 200 4096"));
	ASSERT_EQ(0, tm("alloc pages 16 2"));
	ASSERT_EQ(0, tm_held("kmalloc", &k));
	ASSERT_EQ(0, tm_held("pages", &self->h));

	/* Pages: only the test's blocks come from memowner_test's code. */
	r = run_cli("--json modules --source page");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc);
	mods = jget(doc, "modules");
	for (i = 0; i < json_object_array_length(mods); i++)
		if (!strcmp(jstr(json_object_array_get_idx(mods, i), "module"),
			    "memowner_test"))
			m = json_object_array_get_idx(mods, i);
	ASSERT_NE(NULL, m) TH_LOG("%s", r.out);
	EXPECT_EQ(self->h.bytes_alloc, jint(m, "live_bytes"));
	EXPECT_EQ(self->h.pages, jint(m, "live_pages"));
	EXPECT_EQ(16, jint(m, "live_objects"));
	json_object_put(doc);
	run_free(&r);

	/* All sources: at least both kinds (the module keeps its lists too). */
	r = run_cli("--json modules");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("modules.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc);
	mods = jget(doc, "modules");
	m = NULL;
	for (i = 0; i < json_object_array_length(mods); i++) {
		struct json_object *e = json_object_array_get_idx(mods, i);

		if (!strcmp(jstr(e, "module"), "memowner_test"))
			m = e;
		/* Sorted by bytes, biggest first. */
		if (i)
			EXPECT_GE(jint(json_object_array_get_idx(mods, i - 1), "live_bytes"),
				  jint(e, "live_bytes"));
	}
	ASSERT_NE(NULL, m);
	EXPECT_LE(self->h.bytes_alloc + k.bytes_alloc, jint(m, "live_bytes"));
	EXPECT_STREQ("mixed", jstr(m, "source"));
	/* Pages from before the load are a row of their own, not memowner's. */
	m = NULL;
	for (i = 0; i < json_object_array_length(mods); i++)
		if (!strcmp(jstr(json_object_array_get_idx(mods, i), "module"),
			    "(before load)"))
			m = json_object_array_get_idx(mods, i);
	ASSERT_NE(NULL, m) TH_LOG("%s", r.out);
	EXPECT_LT(0, jint(m, "live_pages"));
	EXPECT_EQ(jint(m, "live_pages"), jint(m, "live_objects"));
	EXPECT_STREQ("page", jstr(m, "source"));
	json_object_put(doc);
	run_free(&r);

	r = run_cli("modules");
	artifact("modules.txt", r.out);
	run_free(&r);
	r = run_cli("modules --module memowner_test --source page");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	{
		char want[128];

		snprintf(want, sizeof(want), "\nmemowner_test %*ld ", 24 - 13 + 14,
			 self->h.bytes_alloc);
		EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	}
	run_free(&r);
}

TEST_F(cli, leaks)
{
	struct json_object *doc, *l;
	char line[512];
	int n;
	struct run r;

	ASSERT_EQ(0, tm("alloc kmalloc 200 4096"));
	ASSERT_EQ(0, tm_held("kmalloc", &self->h));
	sleep(3);
	/* Too young: allocated from the same stack, so they must not count. */
	ASSERT_EQ(0, tm("alloc kmalloc 50 4096"));

	r = run_cli("leaks --older-than 2s --source slab");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("leaks.txt", r.out);
	n = blocks_with(r.out, "memowner_test_kmalloc+0x", line, sizeof(line));
	EXPECT_EQ(1, n) TH_LOG("%.3000s", r.out);
	EXPECT_EQ(200, field(line, "objects")) TH_LOG("%s", line);
	EXPECT_EQ(self->h.bytes_alloc, field(line, "bytes")) TH_LOG("%s", line);
	run_free(&r);

	r = run_cli("--json leaks --older-than 2500ms");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("leaks.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	EXPECT_EQ(2500, jint(doc, "older_than_ms"));
	l = elem_with_frame(jget(doc, "leaks"), "memowner_test_kmalloc+0x",
			    "slab", &n);
	ASSERT_EQ(1, n);
	EXPECT_EQ(200, jint(l, "objects"));
	EXPECT_EQ(self->h.bytes_alloc, jint(l, "bytes"));
	EXPECT_LE(3000, jint(l, "oldest_ms"));
	EXPECT_STREQ("slab", jstr(l, "source"));
	json_object_put(doc);
	run_free(&r);

	/* Nothing of the test's is an hour old. */
	r = run_cli("leaks --older-than 1h");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	EXPECT_EQ(0, blocks_with(r.out, "memowner_test_kmalloc+0x", NULL, 0));
	run_free(&r);
}

TEST_F(cli, status)
{
	struct json_object *doc, *dbg, *hooks, *slab;
	size_t i;
	struct run r;
	const char *p;
	int unneeded;
	char nl, want[64];

	ASSERT_EQ(0, tm("alloc kmalloc 200 4096"));

	r = run_cli("status");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("status.txt", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\nmode:         stack\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\ntracking:     enabled\n"));
	EXPECT_NE(NULL, strstr(r.out, "\nhooks:        ")) TH_LOG("%s", r.out);
	/*
	 * Every hook attached, or not needed, on the suite's kernels: "N
	 * attached, 0 not attached", then ", N not needed on this kernel"
	 * where a function is not in the kernel (5.10 has no bulk page
	 * allocator) or its calls reach another hook (__vmalloc_node where it
	 * calls __vmalloc_node_range).
	 */
	snprintf(want, sizeof(want), " attached, 0 not attached");
	p = strstr(r.out, want);
	EXPECT_TRUE(p && (p[strlen(want)] == '\n' ||
			  (sscanf(p + strlen(want), ", %d not needed on this kernel%c",
				  &unneeded, &nl) == 2 && unneeded > 0 && nl == '\n')))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\ncoverage:     "));
	run_free(&r);

	r = run_cli("--json status");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("status_full.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON:\n%.2000s", r.out);
	EXPECT_STREQ("stack", jstr(doc, "mode"));
	EXPECT_EQ(1, json_object_get_boolean(jget(doc, "enabled")));
	EXPECT_LE(200, jint(doc, "live_objects"));
	EXPECT_LT(0, jint(doc, "nr_stacks"));
	EXPECT_LT(0, jint(doc, "mem_bytes"));
	EXPECT_EQ(MEMOWNER_ABI_VERSION, jint(doc, "abi_version"));
	dbg = jget(doc, "debugfs");
	ASSERT_NE(NULL, dbg);
	hooks = jget(dbg, "hooks");
	ASSERT_LT(0, json_object_array_length(hooks));
	for (i = 0; i < json_object_array_length(hooks); i++) {
		struct json_object *h = json_object_array_get_idx(hooks, i);

		EXPECT_TRUE(json_object_get_boolean(jget(h, "attached")) ||
			    !json_object_get_boolean(jget(h, "needed")))
			TH_LOG("hook %s failed: %s", jstr(h, "name"), jstr(h, "state"));
	}
	slab = jget(jget(dbg, "sources"), "slab");
	EXPECT_LE(200, jint(slab, "alloc_events"));
	EXPECT_LE(200, jint(slab, "live_objects"));
	EXPECT_LE(0, jint(jget(dbg, "coverage"), "permille"));
	json_object_put(doc);
	run_free(&r);
}

TEST_F(cli, config)
{
	struct json_object *doc;
	char *before;
	struct run r;

	r = run_cli("--json config");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("stack", jstr(doc, "mode"));
	json_object_put(doc);
	before = strdup(r.out);
	run_free(&r);

	/* Invalid values: exit 2, nothing sent, nothing changed. */
	r = run_cli("config --depth 0");
	EXPECT_EQ(2, r.rc);
	EXPECT_NE(NULL, strstr(r.err, "bad depth '0'")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "usage: memowner"));
	run_free(&r);
	r = run_cli("config --mode callsite --sample-bytes 2T");
	EXPECT_EQ(2, r.rc);
	run_free(&r);
	r = run_cli("config --sources slab,nosuch");
	EXPECT_EQ(2, r.rc);
	run_free(&r);
	r = run_cli("config --enable --disable");
	EXPECT_EQ(2, r.rc);
	run_free(&r);
	r = run_cli("--json config");
	EXPECT_STREQ(before, r.out);
	run_free(&r);

	/* A change, seen by GET_INFO and by the listings. */
	r = run_cli("config --mode callsite --depth 8 --sample-bytes 256K");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "mode:         callsite\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "depth:        8\n"));
	EXPECT_NE(NULL, strstr(r.out, "sample bytes: 262144 (256K)\n"));
	run_free(&r);
	r = run_cli("--json config --sources slab,page");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	artifact("config.json", r.out);
	doc = json_tokener_parse(r.out);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("callsite", jstr(doc, "mode"));
	EXPECT_EQ(8, jint(doc, "depth"));
	EXPECT_EQ(262144, jint(doc, "sample_bytes"));
	EXPECT_EQ(2, json_object_array_length(jget(doc, "sources")));
	json_object_put(doc);
	run_free(&r);

	r = run_cli("config --disable");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "enabled:      no\n"));
	run_free(&r);
	r = run_cli("status");
	EXPECT_NE(NULL, strstr(r.out, "tracking:     disabled"));
	run_free(&r);

	/* And back. */
	r = run_cli("config --enable --mode stack --depth 16 --sources all --sample-bytes 512K");
	ASSERT_EQ(0, r.rc) TH_LOG("%s", r.err);
	run_free(&r);
	r = run_cli("--json config");
	EXPECT_STREQ(before, r.out);
	run_free(&r);
	free(before);

	/* Tracking restarted in stack mode works. */
	ASSERT_EQ(0, tm("alloc kmalloc 10 100"));
	r = run_cli("stacks --source slab");
	EXPECT_EQ(1, blocks_with(r.out, "memowner_test_kmalloc+0x", NULL, 0));
	run_free(&r);
}

TEST_F(cli, bad_arguments)
{
	static const char *const bad[] = {
		"status --bogus", "status extra",
		"config --bogus", "config --depth 65", "config --mode x",
		"config --sample-bytes 0", "config stray",
		"stacks --bogus", "stacks --sort nosuch", "stacks --sort -",
		"stacks --cull bytes", "stacks --pid x", "stacks --tgid 1,x",
		"stacks --threshold lots", "stacks -n 0", "stacks extra",
		"stacks --pid 1 --source slab", "stacks --sort tgid",
		"pages --bogus", "pages extra", "pages --pid abc",
		"caches --bogus", "caches --sort nosuch", "caches -n x",
		"modules --bogus", "modules --sort nosuch",
		"modules --source nosuch", "modules extra",
		"leaks --bogus", "leaks --older-than 5parsecs",
		"leaks --min-bytes much", "leaks --source x", "leaks extra",
	};
	size_t i;
	struct run r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char cmd[32];

		r = run_cli("%s", bad[i]);
		EXPECT_EQ(2, r.rc) TH_LOG("'%s': rc %d", bad[i], r.rc);
		sscanf(bad[i], "%31s", cmd);
		EXPECT_NE(NULL, strstr(r.err, "usage: memowner [--json] "))
			TH_LOG("'%s':\n%s", bad[i], r.err);
		EXPECT_NE(NULL, strstr(r.err, cmd)) TH_LOG("'%s':\n%s", bad[i], r.err);
		EXPECT_STREQ("", r.out) TH_LOG("'%s'", bad[i]);
		run_free(&r);
	}
	/* Help for each, with its options. */
	r = run_cli("help stacks");
	EXPECT_EQ(0, r.rc);
	EXPECT_NE(NULL, strstr(r.out, "--cull"));
	EXPECT_NE(NULL, strstr(r.out, "--threshold"));
	run_free(&r);
	r = run_cli("leaks --help");
	EXPECT_EQ(0, r.rc);
	EXPECT_NE(NULL, strstr(r.out, "--older-than"));
	run_free(&r);
}

TEST_F(cli, unprivileged)
{
	static const char *const cmds[] = {
		"status", "config", "config --mode stack", "stacks", "pages",
		"caches", "modules", "leaks",
	};
	size_t i;
	struct run r;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		r = run_cli_caps(1, "%s", cmds[i]);
		EXPECT_EQ(1, r.rc) TH_LOG("'%s': rc %d\n%s", cmds[i], r.rc, r.err);
		EXPECT_NE(NULL, strstr(r.err, "hint: permission denied"))
			TH_LOG("'%s':\n%s", cmds[i], r.err);
		run_free(&r);
	}
	/* The configuration did not change. */
	r = run_cli("--json config");
	EXPECT_NE(NULL, strstr(r.out, "\"mode\":\"stack\"")) TH_LOG("%s", r.out);
	run_free(&r);
}

MO_TEST_MAIN
