// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls from a 32-bit process (built -m32): compat_ptr_ioctl turns its
 * pointers into kernel ones, and every structure has the same layout on
 * both ABIs (u64 fields at 8-byte offsets, pointers passed as u64).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/memowner.h>

#include "kselftest_harness.h"

_Static_assert(sizeof(struct memowner_info) == 128, "info layout");
_Static_assert(sizeof(struct memowner_snapshot) == 80, "snapshot layout");
_Static_assert(sizeof(struct memowner_row) == MEMOWNER_ROW_SIZE_VER1, "row layout");
_Static_assert(sizeof(struct memowner_stack) == 40, "stack layout");

FIXTURE(dev) {
	int fd;
};

/*
 * kselftest's harness (6.1's) runs a test's body after a SKIP() in its
 * setup: each body that needs the device skips again.
 */
#define NEED_DEVICE()							\
	do {								\
		if (self->fd < 0)					\
			SKIP(return, "memowner.ko is not loaded");	\
	} while (0)

FIXTURE_SETUP(dev)
{
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	if (self->fd < 0)
		SKIP(return, "memowner.ko is not loaded");
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, abi_is_32bit)
{
	EXPECT_EQ(4, sizeof(void *));
}

TEST_F(dev, get_info)
{
	struct memowner_info info;

	NEED_DEVICE();
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(MEMOWNER_ABI_VERSION, info.abi_version);
	EXPECT_LT(0, info.loaded_ns);
	EXPECT_LE(1, info.depth);
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/* Pointers inside the structures, from a 32-bit address space. */
TEST_F(dev, snapshot_and_stack)
{
	static struct memowner_row rows[64];
	struct memowner_snapshot s;
	struct memowner_stack st;
	char text[4096];

	NEED_DEVICE();
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.rows = (uintptr_t)rows;
	s.row_size = sizeof(rows[0]);
	s.max_rows = 64;
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_SNAPSHOT, &s));
	ASSERT_LT(0, s.nr_rows);
	EXPECT_LE(s.nr_rows, s.total);
	EXPECT_LT(0, rows[0].live_bytes);

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.handle = rows[0].stack;
	st.text = (uintptr_t)text;
	st.text_len = sizeof(text);
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_GET_STACK, &st));
	EXPECT_LT(0, st.nr_frames);
	EXPECT_EQ(strlen(text) + 1, st.text_len);
}

TEST_F(dev, unknown_ioctl)
{
	int v = 0;

	NEED_DEVICE();
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(MEMOWNER_IOC_MAGIC, 0x7e, int), &v));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
