// SPDX-License-Identifier: GPL-2.0
/*
 * The query and control ioctls of /dev/memowner: SET_CONFIG, SNAPSHOT,
 * GET_STACK, MARK, RESET -- each answer checked against what
 * memowner_test.ko allocated, each validation failure on its own, who may
 * do what, and readers running while every CPU allocates.
 */
#include <regex.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define SNAP_SZ(sz)	_IOC(_IOC_READ | _IOC_WRITE, MEMOWNER_IOC_MAGIC, 0x02, sz)
#define MAX_ROWS	4096

static int snapshot(int fd, struct memowner_snapshot *s, struct memowner_row *rows,
		    unsigned int max_rows)
{
	s->size = sizeof(*s);
	s->rows = (unsigned long)rows;
	s->row_size = sizeof(*rows);
	s->max_rows = max_rows;
	s->nr_rows = 0;
	s->total = 0;
	return ioctl(fd, MEMOWNER_IOC_SNAPSHOT, s) ? -errno : 0;
}

/* Symbolized frames of @handle into @text; 0 or -errno. */
static int stack_text(int fd, __u32 handle, char *text, size_t len)
{
	struct memowner_stack st = {
		.size = sizeof(st), .handle = handle,
		.text = (unsigned long)text, .text_len = len,
	};

	return ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) ? -errno : 0;
}

/* The stack-grouped row whose frames hold @fn, or NULL. */
static struct memowner_row *find_fn(int fd, struct memowner_row *rows,
				    unsigned int n, const char *fn)
{
	char text[8192], pat[128];
	unsigned int i;

	snprintf(pat, sizeof(pat), "%s+0x", fn);
	for (i = 0; i < n; i++)
		if (!stack_text(fd, rows[i].stack, text, sizeof(text)) &&
		    strstr(text, pat))
			return &rows[i];
	return NULL;
}

static int set_config(int fd, __u32 flags, __u32 mode, __u32 depth,
		      __u32 sources, __u64 sample, __u32 enabled)
{
	struct memowner_config c = {
		.size = sizeof(c), .flags = flags, .mode = mode, .depth = depth,
		.sources = sources, .sample_bytes = sample, .enabled = enabled,
	};

	return ioctl(fd, MEMOWNER_IOC_SET_CONFIG, &c) ? -errno : 0;
}

static void get_info(int fd, struct memowner_info *i)
{
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	if (ioctl(fd, MEMOWNER_IOC_GET_INFO, i))
		memset(i, 0xff, sizeof(*i));
}

FIXTURE(q) {
	int fd;
	struct memowner_row *rows;
};

FIXTURE_SETUP(q)
{
	self->rows = calloc(MAX_ROWS, sizeof(*self->rows));
	ASSERT_NE(NULL, self->rows);
	if (!have_modules())
		return;
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(q)
{
	if (have_modules())
		tm("reset");
	close(self->fd);
	free(self->rows);
}

#define REQUIRE() do {							\
	if (!have_modules())						\
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules"); \
} while (0)

TEST_F(q, info_reports_config)
{
	struct memowner_info i;

	REQUIRE();
	get_info(self->fd, &i);
	EXPECT_EQ(MEMOWNER_MODE_STACK, i.mode);
	EXPECT_EQ(16, i.depth);
	EXPECT_EQ(__MEMOWNER_SRC_F_ALL, i.sources);
	EXPECT_EQ(1, i.enabled);
	EXPECT_LT(0, i.nr_stacks);
	EXPECT_TRUE(i.features & MEMOWNER_FEAT_DEBUGFS);
}

TEST_F(q, snapshot_by_stack)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK };
	struct memowner_row *r;
	struct held h;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 1000 100"));
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	EXPECT_LE(s.nr_rows, s.total);
	EXPECT_EQ(s.nr_rows, s.total < MAX_ROWS ? s.total : MAX_ROWS);
	r = find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1000, r->live_objects);
	EXPECT_EQ(h.bytes_alloc, r->live_bytes);
	EXPECT_EQ(1000, r->allocs);
	EXPECT_EQ(0, r->frees);
	EXPECT_EQ(MEMOWNER_SRC_SLAB, r->source);
	EXPECT_EQ(r->stack, r->id);
	/* Sorted by live bytes, descending. */
	for (unsigned int i = 1; i < s.nr_rows; i++)
		ASSERT_GE(self->rows[i - 1].live_bytes, self->rows[i].live_bytes);

	/* max_rows = 0 asks for the total only. */
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, snapshot(self->fd, &s, NULL, 0));
	EXPECT_EQ(0, s.nr_rows);
	EXPECT_LT(0, s.total);
}

TEST_F(q, snapshot_groups_and_filters)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_CACHE };
	const char *cache = "kmalloc-128", *mod = "memowner_test";
	unsigned int i, found = 0;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 1000 100"));
	ASSERT_EQ(0, tm("alloc pages 10 1"));

	/* By cache: kmalloc-128 holds at least the test's objects. */
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	for (i = 0; i < s.nr_rows; i++)
		if (!strcmp((char *)self->rows[i].name, cache)) {
			found++;
			EXPECT_LE(128000, self->rows[i].live_bytes);
			EXPECT_EQ(MEMOWNER_SRC_SLAB, self->rows[i].source);
		}
	EXPECT_EQ(1, found);

	/* Cache filter: every row is that cache's. */
	memset(&s, 0, sizeof(s));
	s.group = MEMOWNER_GROUP_STACK;
	s.cache = (unsigned long)cache;
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	EXPECT_NE(NULL, find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc"));
	EXPECT_EQ(NULL, find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_pages"));

	/* By module: the test module's own row, kmalloc and pages. */
	memset(&s, 0, sizeof(s));
	s.group = MEMOWNER_GROUP_MODULE;
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	for (i = 0, found = 0; i < s.nr_rows; i++) {
		if (!strcmp((char *)self->rows[i].name, mod)) {
			found++;
			EXPECT_LE(128000 + 10 * 2 * 4096, self->rows[i].live_bytes);
			EXPECT_EQ(MEMOWNER_SRC_MIXED, self->rows[i].source);
		}
	}
	EXPECT_EQ(1, found);

	/* Module filter + source filter: only the pages. */
	memset(&s, 0, sizeof(s));
	s.group = MEMOWNER_GROUP_STACK;
	s.module = (unsigned long)mod;
	s.sources = 1 << MEMOWNER_SRC_PAGE;
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	ASSERT_EQ(1, s.total);
	EXPECT_EQ(20, self->rows[0].live_pages);
	EXPECT_NE(NULL, find_fn(self->fd, self->rows, 1, "memowner_test_pages"));

	/* By process: this one, with its name. */
	memset(&s, 0, sizeof(s));
	s.group = MEMOWNER_GROUP_TGID;
	s.tgid = getpid();
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	ASSERT_EQ(1, s.total);
	EXPECT_EQ((__u64)getpid(), self->rows[0].id);
	EXPECT_LE(1010, self->rows[0].live_objects);
	EXPECT_STREQ("ioctl_test", (char *)self->rows[0].name);

	/* min_value leaves out the small ones. */
	memset(&s, 0, sizeof(s));
	s.group = MEMOWNER_GROUP_STACK;
	s.sort = MEMOWNER_SORT_LIVE_OBJECTS;
	s.min_value = 1000;
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	for (i = 0; i < s.nr_rows; i++)
		EXPECT_LE(1000, self->rows[i].live_objects);
	EXPECT_NE(NULL, find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc"));
}

/* A newer caller's bigger row: the tail is zeroed. */
TEST_F(q, snapshot_larger_rows)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK };
	unsigned char *buf = malloc(4 * (sizeof(struct memowner_row) + 16));

	REQUIRE();
	ASSERT_NE(NULL, buf);
	memset(buf, 0xa5, 4 * (sizeof(struct memowner_row) + 16));
	s.size = sizeof(s);
	s.rows = (unsigned long)buf;
	s.row_size = sizeof(struct memowner_row) + 16;
	s.max_rows = 4;
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_SNAPSHOT, &s));
	ASSERT_EQ(4, s.nr_rows);
	for (unsigned int i = 0; i < 16; i++)
		EXPECT_EQ(0, buf[sizeof(struct memowner_row) + i]);
	free(buf);
}

TEST_F(q, snapshot_invalid)
{
	struct memowner_snapshot s;
	char longname[200];

	REQUIRE();
#define BAD(field, value, err) do {					\
	memset(&s, 0, sizeof(s));					\
	s.size = sizeof(s);						\
	s.rows = (unsigned long)self->rows;				\
	s.row_size = sizeof(struct memowner_row);			\
	s.max_rows = 4;							\
	s.field = value;						\
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_SNAPSHOT, &s)) {	\
		TH_LOG(#field " = " #value);				\
	}								\
	EXPECT_EQ(err, errno);						\
	EXPECT_EQ(0, s.total);	/* nothing written back */		\
} while (0)
	BAD(flags, 1, EINVAL);
	BAD(__pad, 1, EINVAL);
	BAD(group, MEMOWNER_GROUP_MAX + 1, EINVAL);
	BAD(sort, MEMOWNER_SORT_MAX + 1, EINVAL);
	BAD(sources, 1 << 7, EINVAL);
	BAD(row_size, MEMOWNER_ROW_SIZE_VER0 - 8, EINVAL);
	BAD(row_size, 1 << 20, E2BIG);
	BAD(max_rows, MEMOWNER_SNAPSHOT_MAX_ROWS + 1, E2BIG);
	BAD(nr_rows, 3, EINVAL);
	BAD(rows, 0, EFAULT);
	BAD(rows, 16, EFAULT);
	BAD(cache, 8, EFAULT);
	BAD(module, 8, EFAULT);
	memset(longname, 'x', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	BAD(cache, (unsigned long)longname, E2BIG);
	BAD(size, MEMOWNER_SNAPSHOT_SIZE_VER0 - 8, EINVAL);
#undef BAD
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_SNAPSHOT, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* Symbolized frames always; raw addresses only with CAP_SYSLOG. */
/* GET_STACK's raw frames at kptr_restrict 1 (allowed to root) and 2. */
static void raw_frames_follow_kptr_restrict(struct __test_metadata *_metadata,
					    int fd, __u32 handle)
{
	struct memowner_stack st;
	__u64 frames[64];
	char old[16] = "";
	FILE *kr = fopen("/proc/sys/kernel/kptr_restrict", "r");

	ASSERT_NE(NULL, kr);
	ASSERT_NE(NULL, fgets(old, sizeof(old), kr));
	fclose(kr);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.handle = handle;
	st.frames = (unsigned long)frames;
	st.nr_frames = 64;
	frames[0] = 0;
	ASSERT_EQ(0, write_str("/proc/sys/kernel/kptr_restrict", "1"));
	EXPECT_EQ(0, ioctl(fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_LT(0xffff000000000000ULL, frames[0]);
	ASSERT_EQ(0, write_str("/proc/sys/kernel/kptr_restrict", "2"));
	EXPECT_EQ(-1, ioctl(fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, write_str("/proc/sys/kernel/kptr_restrict", old));
}

TEST_F(q, get_stack)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK };
	struct memowner_stack st;
	struct memowner_row *r;
	char text[8192];
	char first[256], fn[256], *kptr, *ks, *l;
	unsigned long long off = 0, sym = 0;
	__u64 frames[64];
	regex_t raw;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	r = find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc");
	ASSERT_NE(NULL, r);

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.handle = r->stack;
	st.text = (unsigned long)text;
	st.text_len = sizeof(text);
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_LT(2, st.nr_frames);
	EXPECT_EQ(strlen(text) + 1, st.text_len);
	ASSERT_EQ(0, regcomp(&raw, "ffff[0-9a-f]{12}", REG_EXTENDED | REG_NOSUB));
	EXPECT_NE(0, regexec(&raw, text, 0, NULL, 0)) TH_LOG("%s", text);
	regfree(&raw);
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(text, "\n"), text);

	/* Too small: -ENOSPC and the size needed. */
	st.text_len = 8;
	ASSERT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(strlen(text) + 1, st.text_len);

	/*
	 * Raw addresses follow kptr_restrict as %pK does, decided in the
	 * reader's context: root here has CAP_SYSLOG, so kernel text
	 * addresses at kptr_restrict=1 (and 0), EPERM at 2.
	 */
	raw_frames_follow_kptr_restrict(_metadata, self->fd, r->stack);

	/*
	 * kptr_restrict=1 and CAP_SYSLOG: the raw frames are returned, and
	 * the first is the symbolized one's address (its function's in
	 * /proc/kallsyms plus its offset).
	 */
	kptr = read_file("/proc/sys/kernel/kptr_restrict");
	ASSERT_NE(NULL, kptr);
	ASSERT_EQ(0, write_str("/proc/sys/kernel/kptr_restrict", "1"));
	memset(frames, 0, sizeof(frames));
	st.frames = (unsigned long)frames;
	st.nr_frames = 64;
	EXPECT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st))
		TH_LOG("raw frames refused: %s", strerror(errno));
	EXPECT_LT(2, st.nr_frames);
	ASSERT_EQ(2, sscanf(first, "%255[^+]+%llx", fn, &off)) TH_LOG("%s", first);
	ks = read_file("/proc/kallsyms");
	ASSERT_NE(NULL, ks);
	for (l = strtok(ks, "\n"); l && !sym; l = strtok(NULL, "\n")) {
		unsigned long long a;
		char name[256];

		if (sscanf(l, "%llx %*c %255s", &a, name) == 2 && !strcmp(name, fn))
			sym = a;
	}
	free(ks);
	write_str("/proc/sys/kernel/kptr_restrict", kptr);
	free(kptr);
	EXPECT_NE(0, sym) TH_LOG("%s not in /proc/kallsyms", fn);
	EXPECT_EQ(sym + off, frames[0]) TH_LOG("%s: %llx", first, (unsigned long long)frames[0]);

	/* Unknown handles. */
	st.frames = 0;
	st.handle = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_EQ(ENOENT, errno);
	st.handle = 0x7fffffff;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_EQ(ENOENT, errno);
	st.handle = r->stack;
	st.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_EQ(EINVAL, errno);
	st.flags = 0;
	st.text = 16;
	st.text_len = 4096;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_EQ(EFAULT, errno);
}

static __u32 test_stack;

/* Without CAP_SYSLOG, asking for raw addresses is refused. */
static int raw_frames_without_syslog(void)
{
	__u64 frames[64];
	struct memowner_stack st = {
		.size = sizeof(st), .handle = test_stack,
		.frames = (unsigned long)frames, .nr_frames = 64,
	};
	int fd;

	fd = mo_open_with_caps(MO_CAP(CAP_SYS_ADMIN) | MO_CAP(CAP_DAC_OVERRIDE));
	if (fd < 0)
		return -fd;
	if (!ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) || errno != EPERM)
		return 12;
	st.frames = 0;
	st.nr_frames = 0;
	return ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) ? 13 : 0;
}

/* CAP_PERFMON reads, but may change nothing. */
static int perfmon_may_not_change(void)
{
	struct memowner_config c = {
		.size = sizeof(c), .flags = MEMOWNER_CONFIG_F_MODE,
		.mode = MEMOWNER_MODE_CALLSITE,
	};
	struct memowner_mark m = { .size = sizeof(m) };
	struct memowner_reset r = { .size = sizeof(r) };
	struct memowner_snapshot s = { .size = sizeof(s), .row_size = sizeof(struct memowner_row) };
	int fd;

	fd = mo_open_with_caps(MO_CAP(CAP_PERFMON) | MO_CAP(CAP_DAC_OVERRIDE));
	if (fd < 0)
		return -fd;
	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s))
		return 12;
	if (!ioctl(fd, MEMOWNER_IOC_SET_CONFIG, &c) || errno != EPERM)
		return 13;
	if (!ioctl(fd, MEMOWNER_IOC_MARK, &m) || errno != EPERM)
		return 14;
	if (!ioctl(fd, MEMOWNER_IOC_RESET, &r) || errno != EPERM)
		return 15;
	{
		struct memowner_threshold_id d = { .size = sizeof(d), .id = 1 };

		if (!ioctl(fd, MEMOWNER_IOC_THRESHOLD_DEL, &d) || errno != EPERM)
			return 16;
	}
	return 0;
}

TEST_F(q, privileges)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK };
	struct memowner_info before, after;
	struct memowner_row *r;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	r = find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc");
	ASSERT_NE(NULL, r);
	test_stack = r->stack;
	EXPECT_EQ(0, mo_run_child(raw_frames_without_syslog));
	get_info(self->fd, &before);
	EXPECT_EQ(0, mo_run_child(perfmon_may_not_change));
	get_info(self->fd, &after);
	EXPECT_EQ(before.mode, after.mode);
}

TEST_F(q, set_config)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK };
	struct memowner_info i;
	struct memowner_row *r;
	char text[8192];

	REQUIRE();
	ASSERT_EQ(0, set_config(self->fd, MEMOWNER_CONFIG_F_MODE,
				MEMOWNER_MODE_CALLSITE, 0, 0, 0, 0));
	get_info(self->fd, &i);
	EXPECT_EQ(MEMOWNER_MODE_CALLSITE, i.mode);
	EXPECT_EQ(1, i.enabled);
	/* The new mode records one frame per owner. */
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	r = find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(10, r->live_objects);
	ASSERT_EQ(0, stack_text(self->fd, r->stack, text, sizeof(text)));
	/* One line: one frame. */
	EXPECT_EQ(strlen(text) - 1, (size_t)(strchr(text, '\n') - text));

	/* Disabled: nothing is recorded; the sources can be narrowed. */
	ASSERT_EQ(0, set_config(self->fd, MEMOWNER_CONFIG_F_ENABLED, 0, 0, 0, 0, 0));
	get_info(self->fd, &i);
	EXPECT_EQ(0, i.enabled);
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_EQ(0, set_config(self->fd, MEMOWNER_CONFIG_F_ENABLED |
				MEMOWNER_CONFIG_F_SOURCES | MEMOWNER_CONFIG_F_DEPTH |
				MEMOWNER_CONFIG_F_MODE, MEMOWNER_MODE_STACK, 8,
				1 << MEMOWNER_SRC_PAGE, 0, 1));
	get_info(self->fd, &i);
	EXPECT_EQ(1, i.enabled);
	EXPECT_EQ(8, i.depth);
	EXPECT_EQ(1 << MEMOWNER_SRC_PAGE, i.sources);
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	memset(&s, 0, sizeof(s));
	s.sources = 1 << MEMOWNER_SRC_SLAB;
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	EXPECT_EQ(0, s.total);

	/* Sampling mean. */
	ASSERT_EQ(0, set_config(self->fd, MEMOWNER_CONFIG_F_MODE |
				MEMOWNER_CONFIG_F_SAMPLE_BYTES | MEMOWNER_CONFIG_F_SOURCES,
				MEMOWNER_MODE_SAMPLE, 0, __MEMOWNER_SRC_F_ALL, 4096, 0));
	get_info(self->fd, &i);
	EXPECT_EQ(MEMOWNER_MODE_SAMPLE, i.mode);
	EXPECT_EQ(4096, i.sample_bytes);
}

TEST_F(q, set_config_invalid)
{
	struct memowner_info before, after;
	struct memowner_config c;

	REQUIRE();
	get_info(self->fd, &before);
#define BAD(_f, _m, _d, _s, _sb, _e) do {				\
	EXPECT_EQ(-EINVAL, set_config(self->fd, _f, _m, _d, _s, _sb, _e)); \
	get_info(self->fd, &after);					\
	EXPECT_EQ(0, memcmp(&before.sources, &after.sources,		\
			    offsetof(struct memowner_info, live_objects) - \
			    offsetof(struct memowner_info, sources)));	\
} while (0)
	BAD(0, 0, 0, 0, 0, 0);		/* names no field (netlink: the same) */
	BAD(1 << 9, 0, 0, 0, 0, 0);
	BAD(MEMOWNER_CONFIG_F_MODE, MEMOWNER_MODE_MAX + 1, 0, 0, 0, 0);
	BAD(MEMOWNER_CONFIG_F_DEPTH, 0, 0, 0, 0, 0);
	BAD(MEMOWNER_CONFIG_F_DEPTH, 0, 65, 0, 0, 0);
	BAD(MEMOWNER_CONFIG_F_SOURCES, 0, 0, 1 << 4, 0, 0);
	BAD(MEMOWNER_CONFIG_F_SAMPLE_BYTES, 0, 0, 0, 0, 0);
	BAD(MEMOWNER_CONFIG_F_SAMPLE_BYTES, 0, 0, 0, (1ULL << 40) + 1, 0);
	BAD(MEMOWNER_CONFIG_F_ENABLED, 0, 0, 0, 0, 2);
	/* A bad field among good ones: nothing is applied. */
	BAD(MEMOWNER_CONFIG_F_MODE | MEMOWNER_CONFIG_F_DEPTH,
	    MEMOWNER_MODE_CALLSITE, 99, 0, 0, 0);
#undef BAD
	memset(&c, 0, sizeof(c));
	c.size = MEMOWNER_CONFIG_SIZE_VER0 - 4;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_SET_CONFIG, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_SET_CONFIG, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * Every ioctl reads its struct with copy_struct_from_user(): a newer
 * caller's bigger struct with a non-zero tail is -E2BIG, a bigger one with
 * a zero tail is served, a size below the first version is -EINVAL.
 */
TEST_F(q, struct_sizes)
{
	static const struct { unsigned long cmd; unsigned int size, min; } ioc[] = {
		{ MEMOWNER_IOC_GET_INFO, sizeof(struct memowner_info), MEMOWNER_INFO_SIZE_VER0 },
		{ MEMOWNER_IOC_SET_CONFIG, sizeof(struct memowner_config), MEMOWNER_CONFIG_SIZE_VER0 },
		{ MEMOWNER_IOC_SNAPSHOT, sizeof(struct memowner_snapshot), MEMOWNER_SNAPSHOT_SIZE_VER0 },
		{ MEMOWNER_IOC_GET_STACK, sizeof(struct memowner_stack), MEMOWNER_STACK_SIZE_VER0 },
		{ MEMOWNER_IOC_MARK, sizeof(struct memowner_mark), MEMOWNER_MARK_SIZE_VER0 },
		{ MEMOWNER_IOC_RESET, sizeof(struct memowner_reset), MEMOWNER_RESET_SIZE_VER0 },
		{ MEMOWNER_IOC_THRESHOLD_ADD, sizeof(struct memowner_threshold), MEMOWNER_THRESHOLD_SIZE_VER0 },
		{ MEMOWNER_IOC_THRESHOLD_DEL, sizeof(struct memowner_threshold_id), MEMOWNER_THRESHOLD_ID_SIZE_VER0 },
		{ MEMOWNER_IOC_THRESHOLD_LIST, sizeof(struct memowner_threshold_list), MEMOWNER_THRESHOLD_LIST_SIZE_VER0 },
	};
	struct memowner_info before, after;
	__u32 buf[64];
	unsigned int i;

	REQUIRE();
	get_info(self->fd, &before);
	for (i = 0; i < sizeof(ioc) / sizeof(ioc[0]); i++) {
		/* A non-zero tail beyond what the module knows. */
		memset(buf, 0, sizeof(buf));
		buf[0] = ioc[i].size + 16;
		buf[(ioc[i].size + 8) / 4] = 1;
		EXPECT_EQ(-1, ioctl(self->fd, ioc[i].cmd, buf)) TH_LOG("ioctl %u", i);
		EXPECT_EQ(E2BIG, errno) TH_LOG("ioctl %u", i);
		/* Too small. */
		memset(buf, 0, sizeof(buf));
		buf[0] = ioc[i].min - 4;
		EXPECT_EQ(-1, ioctl(self->fd, ioc[i].cmd, buf)) TH_LOG("ioctl %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("ioctl %u", i);
		/* Unreadable. */
		EXPECT_EQ(-1, ioctl(self->fd, ioc[i].cmd, (void *)16));
		EXPECT_EQ(EFAULT, errno) TH_LOG("ioctl %u", i);
	}
	/* None of it changed anything. */
	get_info(self->fd, &after);
	EXPECT_EQ(before.mode, after.mode);
	EXPECT_EQ(before.enabled, after.enabled);
	EXPECT_EQ(0, mo_rule_count(self->fd));
}

TEST_F(q, mark_and_growth)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK,
				       .sort = MEMOWNER_SORT_GROWTH };
	struct memowner_mark m = { .size = sizeof(m) };
	struct memowner_row *r;
	unsigned int i;
	__u32 handle;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 300 64"));
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_MARK, &m));
	EXPECT_LT(0, m.mark_ns);
	ASSERT_EQ(0, tm("alloc kmalloc 200 64"));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	r = find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(200 * 64, (__s64)r->growth_bytes);
	EXPECT_EQ(500, r->live_objects);
	handle = r->stack;
	/* Shrinking: negative growth (sorted as 0, but reported). */
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	for (i = 0, r = NULL; i < s.nr_rows; i++)
		if (self->rows[i].stack == handle)
			r = &self->rows[i];
	ASSERT_NE(NULL, r);
	EXPECT_EQ(-300 * 64, (__s64)r->growth_bytes);
	m.flags = 1;
	m.mark_ns = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_MARK, &m));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(q, reset_totals)
{
	struct memowner_snapshot s = { .group = MEMOWNER_GROUP_STACK };
	struct memowner_reset rst = { .size = sizeof(rst) };
	struct memowner_row *r;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 100 64"));
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_RESET, &rst));
	EXPECT_LT(0, rst.reset_ns);
	ASSERT_EQ(0, tm("alloc kmalloc 7 64"));
	ASSERT_EQ(0, snapshot(self->fd, &s, self->rows, MAX_ROWS));
	r = find_fn(self->fd, self->rows, s.nr_rows, "memowner_test_kmalloc");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(7, r->allocs);
	EXPECT_EQ(7 * 64, r->bytes_allocated);
	EXPECT_EQ(107, r->live_objects);	/* live is not reset */
	rst.flags = 2;
	rst.reset_ns = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_RESET, &rst));
	EXPECT_EQ(EINVAL, errno);
}

/* Readers keep reading while every CPU allocates and frees. */
TEST_F(q, readers_under_stress)
{
	pid_t stress, readers[2];
	int status, i;

	REQUIRE();
	stress = fork();
	ASSERT_LE(0, stress);
	if (stress == 0)
		_exit(tm("stress %ld 64", stress_allocs(400000)) ? 1 : 0);
	for (i = 0; i < 2; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0) {
			struct memowner_row *rows = calloc(256, sizeof(*rows));
			struct memowner_snapshot s;
			int fd = open(MEMOWNER_DEVICE, O_RDWR), n;

			for (n = 0; n < 30; n++) {
				memset(&s, 0, sizeof(s));
				s.group = n % (MEMOWNER_GROUP_MAX + 1);
				if (snapshot(fd, &s, rows, 256))
					_exit(1);
				if (s.nr_rows && stack_text(fd, rows[0].stack ?: 1,
							    (char[4096]){ 0 }, 4096) == -EFAULT)
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(readers[i], waitpid(readers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(stress, waitpid(stress, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

MO_TEST_MAIN
