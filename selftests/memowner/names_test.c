// SPDX-License-Identifier: GPL-2.0
/*
 * Stack frames keep the names of code that went away.  A module's init
 * text is freed once its init has run, and all its text when it unloads;
 * later modules reuse the addresses.  Objects allocated from such code
 * live on, and memowner must still name their stacks after the code that
 * made them -- never "?", never the module loaded at the address later --
 * and must never charge a later module's allocations to the old stack.
 *
 * memowner_test.ko makes the allocations: init_kmalloc=N at load (from
 * memowner_test_init_kmalloc(), init text), and "alloc kmalloc" followed
 * by "leak kmalloc" (objects left allocated after it unloads).  Each case
 * runs in stack and in callsite mode (one frame: the call site itself).
 */
#include <stdint.h>
#include <sys/ioctl.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define MAX_ROWS	8192

struct found {
	unsigned int rows;		/* rows whose stack holds the function */
	__u64 objects[4];		/* live objects of the first four */
	__u32 stack[4];
	char text[4096];		/* the first one's frames */
};

/*
 * The stack-grouped slab rows (the slab pages behind them have rows of
 * their own) whose frames hold "@fn+0x...", each checked to say
 * "[memowner_test]" on that frame.  0 or -errno.
 */
static int find_rows(int fd, const char *fn, struct found *f)
{
	struct memowner_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	struct memowner_snapshot s = {
		.size = sizeof(s), .group = MEMOWNER_GROUP_STACK,
		.sources = 1u << MEMOWNER_SRC_SLAB, .rows = (uintptr_t)rows, .row_size = sizeof(*rows),
		.max_rows = MAX_ROWS,
	};
	char text[4096], pat[128];
	unsigned int i;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	if (!rows)
		return -ENOMEM;
	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s)) {
		ret = -errno;
		goto out;
	}
	snprintf(pat, sizeof(pat), "%s+0x", fn);
	for (i = 0; i < s.nr_rows; i++) {
		struct memowner_stack st = {
			.size = sizeof(st), .handle = rows[i].stack,
			.text = (uintptr_t)text, .text_len = sizeof(text),
		};
		char *line;

		if (ioctl(fd, MEMOWNER_IOC_GET_STACK, &st))
			continue;
		line = strstr(text, pat);
		if (!line)
			continue;
		/* The same line names the module. */
		if (strncmp(line + strcspn(line, " \n"), " [memowner_test]", 16)) {
			ret = -EBADMSG;
			snprintf(f->text, sizeof(f->text), "%s", text);
			goto out;
		}
		if (f->rows < 4) {
			f->objects[f->rows] = rows[i].live_objects;
			f->stack[f->rows] = rows[i].stack;
		}
		if (!f->rows)
			snprintf(f->text, sizeof(f->text), "%s", text);
		f->rows++;
	}
out:
	free(rows);
	return ret;
}

static int reload_test_module(const char *params)
{
	int ret = unload_module("memowner_test");

	return ret ? ret : load_module(getenv("MEMOWNER_TEST_KO"), params);
}

/* The address of @fn in /proc/kallsyms (root, kptr_restrict 0 or 1). */
static unsigned long long kallsyms_addr(const char *fn)
{
	char *ks = read_file("/proc/kallsyms"), *l, *save;
	unsigned long long a, addr = 0;
	char name[256];

	for (l = ks ? strtok_r(ks, "\n", &save) : NULL; l && !addr;
	     l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%llx %*c %255s", &a, name) == 2 && !strcmp(name, fn))
			addr = a;
	free(ks);
	return addr;
}

/* Raw frame 0 of @stack (root has CAP_SYSLOG; kptr_restrict made 1). */
static int raw_frame0(int fd, __u32 stack, __u64 *frame)
{
	char *kptr = read_file("/proc/sys/kernel/kptr_restrict");
	__u64 frames[64] = { 0 };
	struct memowner_stack st = {
		.size = sizeof(st), .handle = stack,
		.frames = (uintptr_t)frames, .nr_frames = 64,
	};
	int ret;

	if (!kptr)
		return -errno;
	write_str("/proc/sys/kernel/kptr_restrict", "1");
	ret = ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) ? -errno : 0;
	write_str("/proc/sys/kernel/kptr_restrict", kptr);
	free(kptr);
	*frame = frames[0];
	return ret;
}

static const char *const modes[] = { "mode=stack", "mode=callsite" };

/* memowner reloaded with @mode, the test module there and empty. */
static int start(const char *mode)
{
	int ret = test_module_ensure();

	if (!ret)
		ret = tm("reset");
	return ret ? ret : memowner_reload(mode);
}

/*
 * Objects allocated by a module's init text: after init the text is
 * gone, and the stack still names memowner_test_init_kmalloc() in
 * memowner_test (frozen when the module went live).
 */
TEST(init_text_frames_keep_their_names)
{
	unsigned int m;
	struct found f;
	int fd;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	for (m = 0; m < 2; m++) {
		ASSERT_EQ(0, start(modes[m]));
		ASSERT_EQ(0, reload_test_module("init_kmalloc=300"));
		fd = open(MEMOWNER_DEVICE, O_RDWR);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, find_rows(fd, "memowner_test_init_kmalloc", &f))
			TH_LOG("%s: a frame misnamed: %s", modes[m], f.text);
		EXPECT_EQ(1, f.rows) TH_LOG("%s", modes[m]);
		EXPECT_EQ(300, f.objects[0]) TH_LOG("%s: %s", modes[m], f.text);
		EXPECT_LT(0, status_num("frozen:", "frames="));
		close(fd);
		/* Freed at unload: the row goes to zero. */
		ASSERT_EQ(0, reload_test_module(""));
		fd = open(MEMOWNER_DEVICE, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, find_rows(fd, "memowner_test_init_kmalloc", &f));
		EXPECT_EQ(0, f.rows ? f.objects[0] : 0);
		close(fd);
	}
	ASSERT_EQ(0, memowner_reload(""));
}

/*
 * Objects a module leaves allocated when it unloads: their stack still
 * names memowner_test_kmalloc() in memowner_test, its raw frame is still
 * the address it had; and the module loaded again -- most likely at the
 * same address -- gets a stack of its own for its new objects.
 */
TEST(unloaded_module_frames_keep_their_names)
{
	unsigned long long sym;
	char fn[128], first[256];
	unsigned long long off;
	unsigned int m, i;
	__u64 frame = 0, held = 0, fresh = 0;
	struct found f;
	int fd;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	for (m = 0; m < 2; m++) {
		ASSERT_EQ(0, start(modes[m]));
		ASSERT_EQ(0, tm("alloc kmalloc 200 200"));
		fd = open(MEMOWNER_DEVICE, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, find_rows(fd, "memowner_test_kmalloc", &f));
		ASSERT_EQ(1, f.rows);
		/* The call site's address while the module is there. */
		snprintf(first, sizeof(first), "%s", strstr(f.text, "memowner_test_kmalloc+0x"));
		ASSERT_EQ(2, sscanf(first, "%127[^+]+%llx", fn, &off));
		sym = kallsyms_addr("memowner_test_kmalloc");
		ASSERT_NE(0, sym);
		ASSERT_EQ(0, tm("leak kmalloc"));
		ASSERT_EQ(0, unload_module("memowner_test"));

		ASSERT_EQ(0, find_rows(fd, "memowner_test_kmalloc", &f))
			TH_LOG("%s: a frame misnamed after unload: %s", modes[m], f.text);
		ASSERT_EQ(1, f.rows) TH_LOG("%s", modes[m]);
		EXPECT_EQ(200, f.objects[0]);
		if (m == 1) {
			/* Callsite mode: frame 0 is the call site. */
			ASSERT_EQ(0, raw_frame0(fd, f.stack[0], &frame));
			EXPECT_EQ(sym + off, frame) TH_LOG("raw frame %llx", (unsigned long long)frame);
		}

		/* Loaded again: new objects, a stack of their own. */
		ASSERT_EQ(0, test_module_ensure());
		ASSERT_EQ(0, tm("alloc kmalloc 50 200"));
		ASSERT_EQ(0, find_rows(fd, "memowner_test_kmalloc", &f))
			TH_LOG("%s: %s", modes[m], f.text);
		EXPECT_EQ(2, f.rows) TH_LOG("%s: one stack for both loads", modes[m]);
		for (i = 0, held = fresh = 0; i < f.rows && i < 4; i++) {
			if (f.objects[i] == 200)
				held++;
			if (f.objects[i] == 50)
				fresh++;
		}
		EXPECT_EQ(1, held) TH_LOG("%s", modes[m]);
		EXPECT_EQ(1, fresh) TH_LOG("%s", modes[m]);
		close(fd);
		ASSERT_EQ(0, tm("reset"));
	}
	ASSERT_EQ(0, memowner_reload(""));
}

MO_TEST_MAIN
