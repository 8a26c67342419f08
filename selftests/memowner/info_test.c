// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/memowner basics: MEMOWNER_IOC_GET_INFO and its validation (one test
 * per failure), unknown ioctls, and who may open the device.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

/* The ioctl number of GET_INFO for a struct of @size bytes. */
#define GET_INFO_SZ(size) _IOC(_IOC_READ | _IOC_WRITE, MEMOWNER_IOC_MAGIC, 0x00, size)

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(MEMOWNER_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST_F(dev, get_info_fields)
{
	struct memowner_info info, again;
	struct timespec now;
	__u64 now_ns;

	memset(&info, 0xa5, sizeof(info));
	info.size = sizeof(info);
	info.flags = 0;
	info.__pad = 0;
	info.__pad2 = 0;
	ASSERT_EQ(0, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(MEMOWNER_ABI_VERSION, info.abi_version);
	EXPECT_EQ(0, info.flags);
	/*
	 * On the kernels this suite runs on, every hook of every source the
	 * module was asked for attaches, or is not needed there
	 * (proto_test.sh checks a refused one): nothing degraded.
	 */
	if (info.enabled) {
		EXPECT_EQ(info.sources, info.sources_tracked);
		EXPECT_EQ(0, info.sources_degraded);
	} else {
		EXPECT_EQ(0, info.sources_tracked);
	}
	EXPECT_EQ(0, info.__pad);
	EXPECT_EQ(0, info.__pad2);
	EXPECT_NE(0, info.version);
	EXPECT_EQ(0, info.features & ~(__u64)__MEMOWNER_FEAT_ALL);
	EXPECT_TRUE(info.features & MEMOWNER_FEAT_IOCTL);
	EXPECT_TRUE(info.features & MEMOWNER_FEAT_GENL);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_CONF) <= info.nr_cpus, 1);
	EXPECT_LE(1, info.nr_opens);
	EXPECT_LE(1, info.nr_ioctls);
	/*
	 * Everything memowner holds: its tables, reserved at load, are
	 * megabytes; debugfs' status reports the same sum.
	 */
	EXPECT_LT(1ULL << 20, info.mem_bytes);
	EXPECT_GT(1ULL << 30, info.mem_bytes);
	if (!access(DBG "status", R_OK))
		EXPECT_EQ((long)info.mem_bytes, status_num("memory:", "memory: "));

	/* Loaded in the past, on the boot-time clock. */
	clock_gettime(CLOCK_BOOTTIME, &now);
	now_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
	EXPECT_LT(0, info.loaded_ns);
	EXPECT_LE(info.loaded_ns, now_ns);

	/* Counters move forward by exactly this caller's ioctl. */
	ASSERT_EQ(0, mo_dev_get_info(self->fd, &again));
	EXPECT_EQ(info.nr_ioctls + 1, again.nr_ioctls);
	EXPECT_EQ(info.loaded_ns, again.loaded_ns);
	EXPECT_EQ(info.version, again.version);
}

/* The version string of modinfo / sysfs matches the binary one. */
TEST_F(dev, version_matches_sysfs)
{
	struct memowner_info info;
	unsigned int maj, min, patch;
	FILE *f;

	ASSERT_EQ(0, mo_dev_get_info(self->fd, &info));
	f = fopen("/sys/module/memowner/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(3, fscanf(f, "%u.%u.%u", &maj, &min, &patch));
	fclose(f);
	EXPECT_EQ(MEMOWNER_VERSION_CODE(maj, min, patch), info.version);
}

TEST_F(dev, get_info_short_size)
{
	struct memowner_info info = { .size = MEMOWNER_INFO_SIZE_VER0 - 8 };

	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
}

/* A newer caller's larger struct: zero tail accepted, non-zero -E2BIG. */
TEST_F(dev, get_info_oversized)
{
	struct {
		struct memowner_info info;
		__u64 future[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, GET_INFO_SZ(sizeof(big)), &big));
	EXPECT_EQ(sizeof(big.info), big.info.size);
	EXPECT_EQ(MEMOWNER_ABI_VERSION, big.info.abi_version);
	EXPECT_EQ(0, big.future[0]);

	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	big.future[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GET_INFO_SZ(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
	/* Nothing was written back on error. */
	EXPECT_EQ(0, big.info.abi_version);
}

/* Absurd sizes are refused without reading megabytes of user memory. */
TEST_F(dev, get_info_huge_size)
{
	struct memowner_info info = { .size = 0xffffffff };

	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(E2BIG, errno);
}

/* The first published (smaller) struct is still served, and only it. */
TEST_F(dev, get_info_ver0)
{
	unsigned char buf[sizeof(struct memowner_info) + 16];
	struct memowner_info *info = (void *)buf;

	memset(buf, 0x5a, sizeof(buf));
	memset(buf, 0, MEMOWNER_INFO_SIZE_VER0);
	info->size = MEMOWNER_INFO_SIZE_VER0;
	ASSERT_EQ(0, ioctl(self->fd, GET_INFO_SZ(MEMOWNER_INFO_SIZE_VER0), info));
	EXPECT_EQ(MEMOWNER_INFO_SIZE_VER0, info->size);
	EXPECT_EQ(MEMOWNER_ABI_VERSION, info->abi_version);
	EXPECT_EQ(0x5a, buf[MEMOWNER_INFO_SIZE_VER0 + 8]);
}

TEST_F(dev, get_info_nonzero_flags)
{
	struct memowner_info info = { .size = sizeof(info), .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, info.abi_version);
	info.__pad = 0;
	info.__pad2 = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, info.abi_version);
}

TEST_F(dev, get_info_nonzero_reserved)
{
	struct memowner_info info = { .size = sizeof(info), .__pad = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, info.abi_version);
}

TEST_F(dev, get_info_bad_pointer)
{
	struct memowner_info *info;
	long page = sysconf(_SC_PAGESIZE);
	char *map;

	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* The size is readable but the rest of the struct is not mapped. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	info = (void *)(map + page - 8);
	info->size = sizeof(*info);
	info->flags = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, info));
	EXPECT_EQ(EFAULT, errno);

	/* Readable but not writable: the reply cannot be stored. */
	info = (void *)map;
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, MEMOWNER_IOC_GET_INFO, info));
	EXPECT_EQ(EFAULT, errno);
	munmap(map, page);
}

TEST_F(dev, unknown_ioctl)
{
	struct memowner_info info = { .size = sizeof(info) };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(MEMOWNER_IOC_MAGIC, 0x7f,
					    struct memowner_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('x', 0x00, struct memowner_info),
			    &info));
	EXPECT_EQ(ENOTTY, errno);
	/* GET_INFO's number with the wrong direction bits. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(MEMOWNER_IOC_MAGIC, 0x00,
					   struct memowner_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TCGETS, &info));
	EXPECT_EQ(ENOTTY, errno);
}

/* Child bodies return 0 when the expectation holds, else a code. */
static int open_as_nobody(void)
{
	if (mo_become_nobody())
		return 10;
	if (open(MEMOWNER_DEVICE, O_RDWR) >= 0 ||
	    open(MEMOWNER_DEVICE, O_RDONLY) >= 0)
		return 11;
	return errno == EACCES || errno == EPERM ? 0 : 12;
}

/* Root that may bypass file modes but has neither SYS_ADMIN nor PERFMON. */
static int open_without_caps(void)
{
	if (mo_keep_caps(MO_CAP(CAP_DAC_OVERRIDE) | MO_CAP(CAP_DAC_READ_SEARCH)))
		return 10;
	if (open(MEMOWNER_DEVICE, O_RDWR) >= 0)
		return 11;
	return errno == EPERM ? 0 : 12;
}

static int open_with_perfmon(void)
{
	struct memowner_info info;
	int fd;

	fd = mo_open_with_caps(MO_CAP(CAP_DAC_OVERRIDE) | MO_CAP(CAP_PERFMON));
	if (fd < 0)
		return -fd;
	return mo_dev_get_info(fd, &info) ? 12 : 0;
}

TEST(open_denied_to_nobody)
{
	EXPECT_EQ(0, mo_run_child(open_as_nobody));
}

TEST(open_denied_without_caps)
{
	EXPECT_EQ(0, mo_run_child(open_without_caps));
}

TEST(open_allowed_with_perfmon)
{
	EXPECT_EQ(0, mo_run_child(open_with_perfmon));
}

/* A descriptor opened by root keeps working after its holder drops privileges. */
TEST_F(dev, fd_outlives_privilege_drop)
{
	struct memowner_info info;
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(mo_become_nobody() || mo_dev_get_info(self->fd, &info));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	mo_require_module();
	return MO_HARNESS_RUN(argc, argv);
}
