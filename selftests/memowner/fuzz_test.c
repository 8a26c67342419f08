// SPDX-License-Identifier: GPL-2.0
/*
 * A structure-aware fuzzer of every memowner interface: the nine ioctls of
 * /dev/memowner and every command of the "memowner" generic-netlink family.
 *
 * Each call is generated from a seed (--seed N; the seed of call I of
 * operation O is derived from N, O and I, so "--seed N --op O --call I"
 * replays one call) by mutating a valid request the way a confused or
 * hostile caller would: sizes (0, too small, each published VERn size,
 * larger with zero and non-zero tails, a page, huge), flags (each bit,
 * unknown bits), handles (0, the sentinels, harvested valid ones, valid
 * +-1..16, random, past the arena), enums at and past each boundary,
 * strings (empty, the longest allowed, one too long, unterminated, ending
 * at a guard page, non-UTF-8), pointers (NULL, unmapped, kernel,
 * non-canonical, read-only pages for outputs, buffers ending at a guard
 * page), netlink attributes (missing, wrong length or type, duplicates,
 * unknown ids, reply-only ones, NLA_F_NESTED missing or unexpected, nests
 * nested too deep, oversized, trailing bytes, bad genl/nlmsg headers) and
 * dumps (abandoned after a message, read to the end, interleaved on two
 * sockets, a second dump on a busy socket).
 *
 * Every result is judged by a model of the contract (uapi/linux/memowner.h
 * and Documentation/netlink/specs/memowner.yaml): the model computes, from
 * the exact bytes sent, which errnos the call may return -- for netlink it
 * re-validates the request with the family's policies as the kernel's
 * nlattr code does, attribute by attribute -- and success-path answers are
 * checked too (sizes written, nothing written back on error, rows and
 * frames within the buffers, text NUL-terminated, replies well formed).
 * Any other result fails the run, printed with the call's exact arguments.
 *
 * Modes:
 *   fuzz_test                    kselftest TAP: each ioctl and op as root,
 *                                then as a CAP_PERFMON-only reader, then
 *                                each again under SET_CONFIG changes,
 *                                readers, allocation load and a reload in
 *                                its middle, then all of them mixed
 *   fuzz_test --calls N          calls per ioctl/op (default $MEMOWNER_FUZZ_CALLS
 *                                or 3000; a quarter as a reader, N again
 *                                in the concurrent run, N (at most 40000)
 *                                mixed with a reload every eighth)
 *   fuzz_test --seed N           the seed (default: time; always printed)
 *   fuzz_test --op NAME [--call I] [-v]   one operation (or one call), verbose
 *   fuzz_test --list             the operation names
 *
 * Results of the concurrent run that come from the module vanishing
 * (ENODEV of the going state, ENOENT of a family that is gone, a device
 * that cannot be opened) are counted separately and are not failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "memowner_selftest.h"
#include "testlib.h"

#define PG		4096UL
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rs;	/* the current call's generator state */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	rs += 0x9e3779b97f4a7c15ULL;
	return mix64(rs);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

/* A "interesting" value for a field of @bits bits near @lo..@hi. */
static uint64_t pick_num(uint64_t lo, uint64_t hi, unsigned int bits)
{
	uint64_t all = bits == 64 ? ~0ULL : (1ULL << bits) - 1;

	switch (below(10)) {
	case 0: return lo;
	case 1: return hi;
	case 2: return hi + 1 > hi ? (hi + 1) & all : hi;
	case 3: return lo ? lo - 1 : 0;
	case 4: return all;
	case 5: return 1ULL << below(bits);
	case 6: return rnd() & all;
	case 7: return (hi + 1 + below(16)) & all;
	default: return lo + below(hi - lo + 1);
	}
}

/* ---- state shared by the whole run -------------------------------------- */

static struct {
	uint64_t seed;
	long calls;
	const char *only_op;
	long only_call;
	bool verbose;
	bool admin;		/* the opener/sender has CAP_SYS_ADMIN */
	bool see_addrs;		/* CAP_SYSLOG and kptr_restrict < 2 */
	bool concurrent;	/* other processes change state and reload */
	bool module_header_check; /* the core has no resv_start_op (< 6.1) */
	long failures;
	long gone;		/* results of the module vanishing */
	long max_fail_print;
} G = { .calls = 3000, .only_call = -1, .admin = true, .max_fail_print = 20 };

/* Per operation counters. */
struct opstat {
	long calls, ok, errs, fails, gone;
	long err_hist[140];
};

/* Pages: [0..3] read-write, [4] none (guard), [5] read-only, [6] none. */
static uint8_t *mem;
#define RW	(mem)
#define RW_END	(mem + 4 * PG)
#define RO	(mem + 5 * PG)
/* A big output buffer ending at a guard page. */
#define BIG_LEN	(1UL << 20)
static uint8_t *big;
/* Strings: [0] read-write, [1] none (guard), [2] read-only. */
static uint8_t *strmem;
#define STR_RW	(strmem)
#define STR_END	(strmem + PG)
#define STR_RO	(strmem + 2 * PG)

static char call_desc[8192];
static size_t desc_len;

static void desc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void desc(const char *fmt, ...)
{
	va_list ap;

	if (desc_len >= sizeof(call_desc) - 1)
		return;
	va_start(ap, fmt);
	desc_len += vsnprintf(call_desc + desc_len, sizeof(call_desc) - desc_len,
			      fmt, ap);
	va_end(ap);
	if (desc_len >= sizeof(call_desc))
		desc_len = sizeof(call_desc) - 1;
}

static void desc_hex(const char *what, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	desc(" %s[%zu]=", what, len);
	for (i = 0; i < len && i < 512; i++)
		desc("%02x", b[i]);
	if (len > 512)
		desc("...");
}

static void setup_memory(void)
{
	mem = mmap(NULL, 7 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	big = mmap(NULL, BIG_LEN + PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strmem = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || big == MAP_FAILED || strmem == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	mprotect(mem + 4 * PG, PG, PROT_NONE);
	mprotect(mem + 5 * PG, PG, PROT_READ);
	mprotect(mem + 6 * PG, PG, PROT_NONE);
	mprotect(big + BIG_LEN, PG, PROT_NONE);
	mprotect(STR_END, PG, PROT_NONE);
	mprotect(STR_RO, PG, PROT_READ);
}

static void ro_write(const void *src, size_t len)
{
	mprotect(RO, PG, PROT_READ | PROT_WRITE);
	memset(RO, 0, PG);
	memcpy(RO, src, len > PG ? PG : len);
	mprotect(RO, PG, PROT_READ);
}

/* ---- judging ------------------------------------------------------------- */

/* A set of errnos (0 = success) a call may return. */
typedef uint64_t eset;
#define E_(e)	(1ULL << eidx(e))

static int eidx(int e)
{
	static const int known[] = { 0, EPERM, ENOENT, EINTR, EIO, EBADF,
		ENOMEM, EFAULT, EBUSY, ENODEV, EINVAL, ENOSPC, ENOTTY, ERANGE,
		E2BIG, EOPNOTSUPP, EMSGSIZE, ENXIO, EAGAIN, ECONNREFUSED,
		ENOBUFS, ETIMEDOUT };
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(known); i++)
		if (known[i] == e)
			return i;
	return 63;
}

static const char *ename(int e)
{
	static char buf[32];

	if (!e)
		return "0";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(e) ?: "E?");
	return buf;
}

static void eset_str(eset s, char *buf, size_t len)
{
	static const int all[] = { 0, EPERM, ENOENT, EINTR, EIO, EBADF, ENOMEM,
		EFAULT, EBUSY, ENODEV, EINVAL, ENOSPC, ENOTTY, ERANGE, E2BIG,
		EOPNOTSUPP, EMSGSIZE, ENXIO, EAGAIN, ECONNREFUSED, ENOBUFS,
		ETIMEDOUT };
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_LEN(all); i++)
		if (s & E_(all[i]))
			n += snprintf(buf + n, len > n ? len - n : 0, "%s%s",
				      n ? "|" : "", ename(all[i]));
}

static const char *cur_op;
static long cur_call;

static void fail(struct opstat *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct opstat *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->fails++;
	G.failures++;
	if (G.failures > G.max_fail_print)
		return;
	printf("# FAIL %s call %ld (replay: --seed %" PRIu64 " --op %s --call %ld): %s\n",
	       cur_op, cur_call, G.seed, cur_op, cur_call, msg);
	printf("#   %s\n", call_desc);
	fflush(stdout);
}

/* Judge result @err (0 or a positive errno) against the allowed set. */
static bool judge(struct opstat *st, int err, eset allowed)
{
	char buf[256];

	if (err >= 0 && err < 140)
		st->err_hist[err]++;
	if (err)
		st->errs++;
	else
		st->ok++;
	if (allowed & E_(err))
		return true;
	eset_str(allowed, buf, sizeof(buf));
	fail(st, "returned %s, expected one of {%s}", ename(err), buf);
	return false;
}

/* ---- the device ---------------------------------------------------------- */

static int dev_fd = -1;
static uint64_t dev_loaded_ns;	/* GET_INFO's loaded_ns at the last open */

/*
 * Handles known to be stack records of the loaded module instance, in its
 * current tracking epoch: a SET_CONFIG that applied (anything but only
 * enabled=0) empties the stack table, and the handles are learnt again.
 */
static uint32_t handles[512];
static unsigned int nr_handles;
static uint64_t handles_loaded_ns;
static bool handles_stale;

/* Alert rules this process added (ids), of the module instance below. */
static uint32_t rules[MEMOWNER_MAX_THRESHOLDS];
static unsigned int nr_rules;
static uint64_t rules_loaded_ns;

static int dev_open(void)
{
	struct memowner_info info = { .size = sizeof(info) };
	int tries;

	for (tries = 0; tries < 2000; tries++) {
		dev_fd = open(MEMOWNER_DEVICE, O_RDWR | O_CLOEXEC);
		if (dev_fd >= 0)
			break;
		if (!G.concurrent)
			return -errno;
		G.gone++;
		usleep(5000);
	}
	if (dev_fd < 0)
		return -ETIMEDOUT;
	if (ioctl(dev_fd, MEMOWNER_IOC_GET_INFO, &info))
		return -errno;
	dev_loaded_ns = info.loaded_ns;
	if (rules_loaded_ns != info.loaded_ns) {
		nr_rules = 0;
		rules_loaded_ns = info.loaded_ns;
	}
	return 0;
}

static void dev_close(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
}

/* Learn valid stack handles (a snapshot of stacks) for this instance. */
static void harvest_handles(void)
{
	struct memowner_snapshot s = {
		.size = sizeof(s), .group = MEMOWNER_GROUP_STACK,
		.rows = (uintptr_t)big, .row_size = sizeof(struct memowner_row),
		.max_rows = 512,
	};
	struct memowner_row *r = (struct memowner_row *)big;
	unsigned int i;

	if (handles_loaded_ns == dev_loaded_ns && nr_handles && !handles_stale)
		return;
	handles_stale = false;
	nr_handles = 0;
	handles[nr_handles++] = 1;	/* the first record: a sentinel */
	if (ioctl(dev_fd, MEMOWNER_IOC_SNAPSHOT, &s))
		return;
	for (i = 0; i < s.nr_rows && nr_handles < ARRAY_LEN(handles); i++)
		if (r[i].stack)
			handles[nr_handles++] = r[i].stack;
	handles_loaded_ns = dev_loaded_ns;
}

/* A handle and whether it is certainly valid / certainly invalid. */
static uint32_t pick_handle(int *known)
{
	uint32_t h;

	if (handles_stale && dev_fd >= 0)
		harvest_handles();
	*known = 0;	/* 1 valid, -1 invalid, 0 unknown */
	switch (below(8)) {
	case 0:
		*known = -1;
		return 0;
	case 1:
	case 2:
	case 3:
		*known = 1;
		return handles[below(nr_handles)];
	case 4:
		h = handles[below(nr_handles)];
		return chance(50) ? h + 1 + below(16) : h - 1 - below(16);
	case 5:
		*known = -1;	/* far past any arena (max_stacks * 66 words) */
		return (1U << 28) + (uint32_t)below(1U << 31);
	case 6:
		*known = -1;
		return chance(50) ? 0xffffffffU : 0x80000000U;
	default:
		return (uint32_t)below(1U << 20);
	}
}

/* ---- ioctls -------------------------------------------------------------- */

enum ptr_kind { P_NORMAL, P_AT_GUARD, P_RO, P_NULL, P_UNMAPPED, P_KERNEL,
		P_NONCANON, P_NR };
static const char *const ptr_names[] = { "normal", "at-guard", "read-only",
	"NULL", "unmapped", "kernel", "non-canonical" };

static uint64_t bad_ptr(enum ptr_kind k)
{
	switch (k) {
	case P_NULL: return 0;
	case P_UNMAPPED: return (uintptr_t)(RW_END + below(PG));
	case P_KERNEL: return 0xffffffff81000000ULL + below(1 << 20);
	default: return 0x8000000000000000ULL + below(1 << 20);
	}
}

/* A user string for a name field: its pointer and the errnos it allows. */
struct ustr {
	uint64_t ptr;
	char val[80];	/* the kernel's view when readable */
	eset err;	/* 0: fine */
};

static void gen_name(struct ustr *s, const char *good)
{
	static const char *const names[] = { "kmalloc-64", "vmlinux",
		"memowner_test", "kmalloc-1k", "no-such-owner", "\xff\xfe\x80",
		"a\xc3(b" };
	uint8_t *p = STR_RW + 128 * below(8);
	size_t n;

	memset(s, 0, sizeof(*s));
	switch (below(10)) {
	case 0:
		s->ptr = 0;
		return;
	case 1:	/* the longest allowed: 63 bytes */
		memset(p, 'a' + below(26), 63);
		p[63] = 0;
		break;
	case 2:	/* one too long: 64 bytes without a NUL */
		memset(p, 'b', 64 + below(64));
		p[64 + below(64)] = 0;
		s->ptr = (uintptr_t)p;
		s->err = E_(E2BIG);
		return;
	case 3:	/* unterminated, ending at the guard page */
		n = 1 + below(63);
		memset(STR_END - n, 'c', n);
		s->ptr = (uintptr_t)(STR_END - n);
		s->err = E_(EFAULT);
		return;
	case 4:
		s->ptr = chance(50) ? (uintptr_t)STR_END : bad_ptr(P_NULL + 1 + below(3));
		s->err = E_(EFAULT);
		return;
	case 5:	/* in a read-only page: fine */
		mprotect(STR_RO, PG, PROT_READ | PROT_WRITE);
		strcpy((char *)STR_RO + 2048, good);
		mprotect(STR_RO, PG, PROT_READ);
		s->ptr = (uintptr_t)STR_RO + 2048;
		strcpy(s->val, good);
		return;
	case 6:
		p[0] = 0;
		break;
	case 7:
		strcpy((char *)p, good);
		break;
	default:
		strcpy((char *)p, names[below(ARRAY_LEN(names))]);
		break;
	}
	s->ptr = (uintptr_t)p;
	strcpy(s->val, (char *)p);
}

struct ioc {
	const char *name;
	unsigned int nr;
	unsigned long cmd;
	size_t ksize, min;
	const size_t *vers;
	bool writes_back;
};

static const size_t v_info[] = { MEMOWNER_INFO_SIZE_VER0, MEMOWNER_INFO_SIZE_VER1, 0 };
static const size_t v_cfg[] = { MEMOWNER_CONFIG_SIZE_VER0, 0 };
static const size_t v_snap[] = { MEMOWNER_SNAPSHOT_SIZE_VER0, 0 };
static const size_t v_stack[] = { MEMOWNER_STACK_SIZE_VER0, 0 };
static const size_t v_mark[] = { MEMOWNER_MARK_SIZE_VER0, 0 };
static const size_t v_tadd[] = { MEMOWNER_THRESHOLD_SIZE_VER0, 0 };
static const size_t v_tid[] = { MEMOWNER_THRESHOLD_ID_SIZE_VER0, 0 };
static const size_t v_tlist[] = { MEMOWNER_THRESHOLD_LIST_SIZE_VER0, 0 };

enum { I_GET_INFO, I_SET_CONFIG, I_SNAPSHOT, I_GET_STACK, I_MARK, I_RESET,
       I_TADD, I_TDEL, I_TLIST, I_NR };

static const struct ioc iocs[I_NR] = {
	{ "ioctl-get-info", 0, MEMOWNER_IOC_GET_INFO, sizeof(struct memowner_info),
	  MEMOWNER_INFO_SIZE_VER0, v_info, true },
	{ "ioctl-set-config", 1, MEMOWNER_IOC_SET_CONFIG, sizeof(struct memowner_config),
	  MEMOWNER_CONFIG_SIZE_VER0, v_cfg, false },
	{ "ioctl-snapshot", 2, MEMOWNER_IOC_SNAPSHOT, sizeof(struct memowner_snapshot),
	  MEMOWNER_SNAPSHOT_SIZE_VER0, v_snap, true },
	{ "ioctl-get-stack", 3, MEMOWNER_IOC_GET_STACK, sizeof(struct memowner_stack),
	  MEMOWNER_STACK_SIZE_VER0, v_stack, true },
	{ "ioctl-mark", 4, MEMOWNER_IOC_MARK, sizeof(struct memowner_mark),
	  MEMOWNER_MARK_SIZE_VER0, v_mark, true },
	{ "ioctl-reset", 5, MEMOWNER_IOC_RESET, sizeof(struct memowner_reset),
	  MEMOWNER_RESET_SIZE_VER0, v_mark, true },
	{ "ioctl-threshold-add", 6, MEMOWNER_IOC_THRESHOLD_ADD,
	  sizeof(struct memowner_threshold), MEMOWNER_THRESHOLD_SIZE_VER0, v_tadd, true },
	{ "ioctl-threshold-del", 7, MEMOWNER_IOC_THRESHOLD_DEL,
	  sizeof(struct memowner_threshold_id), MEMOWNER_THRESHOLD_ID_SIZE_VER0, v_tid, false },
	{ "ioctl-threshold-list", 8, MEMOWNER_IOC_THRESHOLD_LIST,
	  sizeof(struct memowner_threshold_list), MEMOWNER_THRESHOLD_LIST_SIZE_VER0,
	  v_tlist, true },
};

/* One generated ioctl call. */
struct icall {
	uint8_t a[2 * PG];	/* the struct as the caller writes it */
	uint32_t usize;		/* its size field */
	size_t placed;		/* bytes of @a placed in memory */
	enum ptr_kind pk;
	uint8_t *uptr;		/* where it is */
	unsigned long cmd;
	eset sem;		/* semantic errors (after the copy rules) */
	eset succ;		/* results allowed when @sem is empty */
};

/* The size field: 0, too small, a version, ours, bigger, a page, huge. */
static uint32_t pick_size(const struct ioc *io)
{
	unsigned int nv = 0;

	while (io->vers[nv])
		nv++;
	switch (below(12)) {
	case 0: return 0;
	case 1: return 1 + below(io->min - 1);
	case 2: return io->min - 1;
	case 3:
	case 4: return io->vers[below(nv)];
	case 5: return io->ksize + 8 * (1 + below(8));
	case 6: return PG;
	case 7: return PG + 1 + below(PG);
	case 8: return 0xffffffffU - below(16);
	case 9: return io->min + below(io->ksize - io->min + 1);
	default: return io->ksize;
	}
}

/* Kernel's view after copy_struct_from_user: @k, ksize bytes. */
static void kview(const struct icall *c, const struct ioc *io, void *k)
{
	memset(k, 0, io->ksize);
	memcpy(k, c->a, c->usize < io->ksize ? c->usize : io->ksize);
}

/* Readable bytes at the struct's pointer. */
static size_t readable(const struct icall *c)
{
	switch (c->pk) {
	case P_NORMAL: return RW_END - c->uptr;
	case P_AT_GUARD: return c->placed;
	case P_RO: return PG;
	default: return 0;
	}
}

/* The copy rules shared by every ioctl (memowner_copy_arg()). */
static eset copy_rules(const struct icall *c, const struct ioc *io)
{
	size_t r = readable(c), i;
	bool tail_nz = false;
	eset e = 0;

	if (r < 4)
		return E_(EFAULT);
	if (c->usize < io->min)
		return E_(EINVAL);
	if (c->usize > PG)
		return E_(E2BIG);
	if (c->usize > io->ksize)
		for (i = io->ksize; i < c->usize && i < r; i++)
			tail_nz |= c->a[i] != 0;
	if (tail_nz)
		e |= E_(E2BIG);
	if (r < c->usize)
		e |= E_(EFAULT);
	return e;
}

/* Place the struct: normally, ending at the guard page, read-only, bad. */
static void place(struct icall *c, const struct ioc *io)
{
	size_t len = c->usize > PG ? PG : c->usize;

	if (len < io->ksize)
		len = io->ksize;	/* the bytes past usize are never read */
	c->pk = below(10) < 6 ? P_NORMAL : below(P_NR);
	c->placed = len;
	switch (c->pk) {
	case P_NORMAL:
		c->uptr = RW + 8 * below(16);
		memcpy(c->uptr, c->a, len);
		break;
	case P_AT_GUARD:
		/* Ends at the guard page: part of a bigger struct is unmapped. */
		c->placed = 4 + below(len > 4 ? len - 4 + 1 : 1);
		if (c->placed > 3 * PG)
			c->placed = 3 * PG;
		c->uptr = RW_END - c->placed;
		memcpy(c->uptr, c->a, c->placed);
		break;
	case P_RO:
		ro_write(c->a, len);
		c->uptr = RO;
		break;
	default:
		c->uptr = (uint8_t *)(uintptr_t)bad_ptr(c->pk);
		c->placed = 0;
		break;
	}
}

static bool nonzero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return true;
	return false;
}

/* An output buffer: its address and how many bytes may be written there. */
struct obuf {
	uint64_t ptr;
	size_t cap;	/* writable bytes; 0 for a bad pointer */
	const char *kind;
};

static void gen_obuf(struct obuf *o, size_t want)
{
	switch (below(8)) {
	case 0:
		o->ptr = 0; o->cap = 0; o->kind = "NULL";
		return;
	case 1:
		o->ptr = bad_ptr(P_UNMAPPED + below(3)); o->cap = 0; o->kind = "bad";
		return;
	case 2:
		o->ptr = (uintptr_t)RO; o->cap = 0; o->kind = "read-only";
		return;
	case 3:	/* ends at the guard page, maybe too short */
		o->cap = below(want + 1);
		if (o->cap > BIG_LEN)
			o->cap = BIG_LEN;
		o->ptr = (uintptr_t)(big + BIG_LEN - o->cap);
		o->kind = "at-guard";
		return;
	default:
		o->cap = BIG_LEN;
		o->ptr = (uintptr_t)big;
		o->kind = "big";
		return;
	}
}

/* Generators: fill c->a (at least ksize bytes) and the semantic errors. */

static void gen_flags32(uint32_t *f, uint32_t valid)
{
	switch (below(6)) {
	case 0: *f = 1U << below(32); break;
	case 1: *f = (uint32_t)rnd(); break;
	default: *f = valid ? (uint32_t)rnd() & valid : 0; break;
	}
}

static bool gen_get_info(struct icall *c)
{
	struct memowner_info *k = (void *)c->a;

	if (chance(10)) k->flags = 1U << below(32);
	if (chance(5)) k->__pad = (uint32_t)rnd() | 1;
	if (chance(5)) k->__pad2 = (uint32_t)rnd() | 1;
	if (chance(10)) k->nr_opens = rnd();	/* output fields are ignored */
	return true;
}

static void sem_get_info(struct icall *c, const void *kv)
{
	const struct memowner_info *k = kv;

	if (k->flags || k->__pad || k->__pad2)
		c->sem |= E_(EINVAL);
	c->succ = E_(0);
}

static bool check_get_info(struct opstat *st, const struct icall *c, const void *out)
{
	const struct memowner_info *o = out;
	uint32_t want = c->usize < sizeof(*o) ? c->usize : sizeof(*o);

	if (o->size != want)
		return fail(st, "size written %u, expected %u", o->size, want), false;
	if (o->abi_version != MEMOWNER_ABI_VERSION || o->flags || o->__pad ||
	    !(o->features & MEMOWNER_FEAT_IOCTL) || (o->features & ~(uint64_t)__MEMOWNER_FEAT_ALL))
		return fail(st, "bad answer abi=%u features=%#llx", o->abi_version,
			    (unsigned long long)o->features), false;
	if (want >= MEMOWNER_INFO_SIZE_VER1 &&
	    (o->mode > MEMOWNER_MODE_MAX || o->depth < 1 || o->depth > 64 ||
	     o->enabled > 1 || (o->sources & ~__MEMOWNER_SRC_F_ALL) || o->__pad2))
		return fail(st, "bad configuration in answer"), false;
	return true;
}

/* SET_CONFIG: valid ones are rare (each restarts tracking). */
static bool gen_set_config(struct icall *c)
{
	struct memowner_config *k = (void *)c->a;
	bool valid = chance(2);

	k->flags = valid ? (uint32_t)(1 + below(__MEMOWNER_CONFIG_F_ALL)) : 0;
	if (!valid)
		gen_flags32(&k->flags, __MEMOWNER_CONFIG_F_ALL);
	k->sources = valid ? (uint32_t)below(16) : (uint32_t)pick_num(0, 15, 32);
	k->mode = valid ? (uint32_t)below(3) : (uint32_t)pick_num(0, MEMOWNER_MODE_MAX, 32);
	k->depth = valid ? (uint32_t)(1 + below(64)) : (uint32_t)pick_num(1, 64, 32);
	k->enabled = valid ? (uint32_t)below(2) : (uint32_t)pick_num(0, 1, 32);
	k->sample_bytes = valid ? 1 + below(1 << 20) : pick_num(1, 1ULL << 40, 64);
	if (!valid && !chance(10)) {
		/* Make sure something is invalid unless privilege decides. */
		if (!((k->flags & ~__MEMOWNER_CONFIG_F_ALL) ||
		      ((k->flags & 1) && k->sources > 15) ||
		      ((k->flags & 2) && k->mode > 2) ||
		      ((k->flags & 4) && (k->depth < 1 || k->depth > 64)) ||
		      ((k->flags & 8) && (k->sample_bytes < 1 || k->sample_bytes > (1ULL << 40))) ||
		      ((k->flags & 16) && k->enabled > 1)))
			k->flags |= 1U << (5 + below(27));
	}
	return true;
}

static void sem_set_config(struct icall *c, const void *kv)
{
	const struct memowner_config *k = kv;
	uint32_t f = k->flags;

	if (!G.admin)
		c->sem |= E_(EPERM);
	if (!f || (f & ~__MEMOWNER_CONFIG_F_ALL) ||
	    ((f & MEMOWNER_CONFIG_F_SOURCES) && (k->sources & ~__MEMOWNER_SRC_F_ALL)) ||
	    ((f & MEMOWNER_CONFIG_F_MODE) && k->mode > MEMOWNER_MODE_MAX) ||
	    ((f & MEMOWNER_CONFIG_F_DEPTH) && (k->depth < 1 || k->depth > 64)) ||
	    ((f & MEMOWNER_CONFIG_F_SAMPLE_BYTES) &&
	     (k->sample_bytes < 1 || k->sample_bytes > (1ULL << 40))) ||
	    ((f & MEMOWNER_CONFIG_F_ENABLED) && k->enabled > 1))
		c->sem |= E_(EINVAL);
	c->succ = E_(0) | (G.concurrent ? E_(ENODEV) : 0);
}

static struct ustr s_cache, s_module, s_owner;
static struct obuf o_rows, o_frames, o_text;

static bool gen_snapshot(struct icall *c)
{
	struct memowner_snapshot *k = (void *)c->a;

	k->group = chance(85) ? (uint32_t)below(5) : (uint32_t)pick_num(0, MEMOWNER_GROUP_MAX, 32);
	k->sort = chance(85) ? (uint32_t)below(5) : (uint32_t)pick_num(0, MEMOWNER_SORT_MAX, 32);
	k->sources = chance(85) ? (uint32_t)below(16) : (uint32_t)pick_num(0, 15, 32);
	if (chance(10)) k->flags = 1U << below(32);
	if (chance(5)) k->__pad = 1 + (uint32_t)below(1000);
	if (chance(5)) k->nr_rows = 1 + (uint32_t)below(1000);
	if (chance(5)) k->total = 1 + below(1000);
	k->tgid = chance(80) ? 0 : chance(50) ? (uint32_t)getpid() : (uint32_t)rnd();
	k->min_value = chance(70) ? 0 : pick_num(0, 1 << 20, 64);
	k->row_size = chance(80) ? sizeof(struct memowner_row) :
		      (uint32_t)pick_num(MEMOWNER_ROW_SIZE_VER0, PG, 32);
	k->max_rows = chance(70) ? (uint32_t)below(300) :
		      (uint32_t)pick_num(0, MEMOWNER_SNAPSHOT_MAX_ROWS, 32);
	gen_obuf(&o_rows, (size_t)k->max_rows * (k->row_size ?: 1));
	k->rows = o_rows.ptr;
	s_cache.ptr = s_module.ptr = 0;
	s_cache.err = s_module.err = 0;
	if (chance(30))
		gen_name(&s_cache, "kmalloc-64");
	else if (chance(30))
		gen_name(&s_module, "vmlinux");
	k->cache = s_cache.ptr;
	k->module = s_module.ptr;
	if (o_rows.cap == BIG_LEN || !strcmp(o_rows.kind, "at-guard"))
		memset((void *)(uintptr_t)o_rows.ptr, 0xaa, o_rows.cap > 65536 ? 65536 : o_rows.cap);
	return true;
}

static void sem_snapshot(struct icall *c, const void *kv)
{
	const struct memowner_snapshot *k = kv;

	if (k->flags || k->__pad || k->nr_rows || k->total ||
	    k->group > MEMOWNER_GROUP_MAX || k->sort > MEMOWNER_SORT_MAX ||
	    (k->sources & ~__MEMOWNER_SRC_F_ALL) || k->row_size < MEMOWNER_ROW_SIZE_VER0)
		c->sem |= E_(EINVAL);
	if (k->row_size > PG || k->max_rows > MEMOWNER_SNAPSHOT_MAX_ROWS)
		c->sem |= E_(E2BIG);
	if (k->max_rows && !k->rows)
		c->sem |= E_(EFAULT);
	if (c->sem)
		return;
	/* The names are read before anything else can fail. */
	c->sem |= (k->cache ? s_cache.err : 0) | (k->module ? s_module.err : 0);
	if (c->sem)
		return;
	c->succ = E_(0);
	if ((uint64_t)k->max_rows * k->row_size > o_rows.cap)
		c->succ |= E_(EFAULT);	/* only when more rows than fit exist */
}

static bool check_snapshot(struct opstat *st, const struct icall *c, const void *out)
{
	const struct memowner_snapshot *o = out, *in = (const void *)c->a;
	uint32_t i;

	if (o->nr_rows > in->max_rows || o->nr_rows > o->total ||
	    o->nr_rows != (o->total < in->max_rows ? o->total : in->max_rows))
		return fail(st, "nr_rows %u total %llu max_rows %u", o->nr_rows,
			    (unsigned long long)o->total, in->max_rows), false;
	if ((uint64_t)o->nr_rows * in->row_size > o_rows.cap)
		return fail(st, "%u rows of %u bytes written to a buffer of %zu",
			    o->nr_rows, in->row_size, o_rows.cap), false;
	for (i = 0; i < o->nr_rows && i < 64; i++) {
		const uint8_t *row = (const uint8_t *)(uintptr_t)in->rows + (size_t)i * in->row_size;
		const struct memowner_row *r = (const void *)row;

		if (!memchr(r->name, 0, sizeof(r->name)) ||
		    (r->source > MEMOWNER_SRC_MAX && r->source != MEMOWNER_SRC_MIXED))
			return fail(st, "row %u malformed", i), false;
		if (in->row_size > sizeof(*r) &&
		    nonzero(row + sizeof(*r), in->row_size - sizeof(*r)))
			return fail(st, "row %u: tail past the row not cleared", i), false;
	}
	return true;
}

static uint32_t stk_handle;
static int stk_known;

static bool gen_get_stack(struct icall *c)
{
	struct memowner_stack *k = (void *)c->a;

	stk_handle = k->handle = pick_handle(&stk_known);
	if (chance(8)) k->flags = 1U << below(32);
	if (chance(5)) k->__pad = (uint32_t)rnd() | 1;
	k->nr_frames = chance(70) ? (uint32_t)below(70) : (uint32_t)rnd();
	k->text_len = chance(70) ? (uint32_t)below(128 * 65) : (uint32_t)rnd();
	if (chance(50)) {
		gen_obuf(&o_frames, (size_t)k->nr_frames * 8);
		k->frames = o_frames.ptr;
	} else {
		k->frames = 0;
		o_frames.cap = 0;
	}
	if (chance(85)) {
		gen_obuf(&o_text, k->text_len);
		k->text = o_text.ptr;
	} else {
		k->text = 0;
		o_text.cap = 0;
	}
	if (k->text && o_text.cap)
		memset((void *)(uintptr_t)k->text, 0xaa,
		       o_text.cap < 128 * 66 ? o_text.cap : 128 * 66);
	return true;
}

static void sem_get_stack(struct icall *c, const void *kv)
{
	const struct memowner_stack *k = kv;

	if (k->flags || k->__pad)
		c->sem |= E_(EINVAL);
	if (c->sem)
		return;
	if (stk_known < 0) {
		c->sem |= E_(ENOENT);
		return;
	}
	c->succ = E_(ENOSPC);
	/* Concurrent: the changer's SET_CONFIG may empty the stack table. */
	if (stk_known == 0 || G.concurrent)
		c->succ |= E_(ENOENT);
	if (k->frames && !G.see_addrs) {
		c->succ |= E_(EPERM);
		if (stk_known > 0) {
			c->succ = E_(EPERM);
			return;
		}
	}
	c->succ |= E_(0);
	if ((k->frames && o_frames.cap < (size_t)k->nr_frames * 8 && o_frames.cap < 64 * 8) ||
	    (k->text && o_text.cap < k->text_len && o_text.cap < 128 * 65))
		c->succ |= E_(EFAULT);
	if (c->pk == P_RO)
		c->succ |= E_(EFAULT);
}

static bool check_get_stack(struct opstat *st, const struct icall *c, const void *out)
{
	const struct memowner_stack *o = out, *in = (const void *)c->a;
	const char *text = (const char *)(uintptr_t)in->text;

	if (o->nr_frames < 1 || o->nr_frames > 64 || o->text_len < 2 ||
	    o->text_len > 128 * 65)
		return fail(st, "answer nr_frames=%u text_len=%u", o->nr_frames,
			    o->text_len), false;
	if ((in->frames && o->nr_frames > in->nr_frames) ||
	    (in->text && o->text_len > in->text_len))
		return fail(st, "success with buffers too small (%u/%u frames, %u/%u bytes)",
			    o->nr_frames, in->nr_frames, o->text_len, in->text_len), false;
	if (in->text && (o->text_len > o_text.cap || strnlen(text, o->text_len) != o->text_len - 1))
		return fail(st, "text not NUL-terminated at text_len %u", o->text_len), false;
	return true;
}

static bool check_get_stack_enospc(struct opstat *st, const struct icall *c, const void *out)
{
	const struct memowner_stack *o = out, *in = (const void *)c->a;

	if (!((in->frames && o->nr_frames > in->nr_frames) ||
	      (in->text && o->text_len > in->text_len)))
		return fail(st, "ENOSPC but %u frames fit %u and %u bytes fit %u",
			    o->nr_frames, in->nr_frames, o->text_len, in->text_len), false;
	return true;
}

static bool gen_mark(struct icall *c)
{
	struct memowner_mark *k = (void *)c->a;

	if (chance(15)) k->flags = 1U << below(32);
	if (chance(10)) k->mark_ns = rnd() | 1;
	return true;
}

static void sem_mark(struct icall *c, const void *kv)
{
	const struct memowner_mark *k = kv;

	if (k->flags || k->mark_ns)
		c->sem |= E_(EINVAL);
	if (!G.admin)
		c->sem |= E_(EPERM);
	c->succ = E_(0) | (G.concurrent ? E_(ENODEV) : 0);
}

/* A threshold: mostly a valid rule of a random kind, then mutations. */
static void gen_threshold(struct memowner_threshold *t, struct ustr *name)
{
	memset(name, 0, sizeof(*name));
	t->owner_kind = chance(85) ? (uint32_t)below(5) : (uint32_t)pick_num(0, 4, 32);
	t->metric = chance(85) ? (uint32_t)below(3) : (uint32_t)pick_num(0, 2, 32);
	switch (t->owner_kind) {
	case MEMOWNER_OWNER_STACK:
		t->owner_id = handles[below(nr_handles)];
		break;
	case MEMOWNER_OWNER_TGID:
		t->owner_id = getpid();
		break;
	case MEMOWNER_OWNER_CACHE:
		gen_name(name, "kmalloc-64");
		break;
	case MEMOWNER_OWNER_MODULE:
		gen_name(name, "memowner_test");
		break;
	}
	if (chance(10)) t->owner_id = pick_num(1, 0xffffffffULL, 64);
	if (chance(10)) gen_name(name, "vmlinux");
	t->window_ms = t->metric == MEMOWNER_METRIC_GROWTH_RATE ?
		       (uint32_t)(100 + below(3600000 - 99)) : 0;
	if (chance(10)) t->window_ms = (uint32_t)pick_num(100, 3600000, 32);
	t->high = chance(90) ? 1 + below(1ULL << 40) : pick_num(0, 1, 64);
	t->low = chance(90) ? below(t->high) : pick_num(t->high, t->high, 64);
	t->min_interval_ms = chance(90) ? (uint32_t)below(3600001) : (uint32_t)pick_num(0, 3600000, 32);
	if (chance(5)) t->flags = 1U << below(32);
	if (chance(5)) t->id = 1 + (uint32_t)below(100);
	if (chance(5)) t->__pad = 1;
	t->owner_name = name->ptr;
}

/* mo_alerts_add()'s validate(), as the uapi describes the fields. */
static bool threshold_valid(const struct memowner_threshold *t, const char *name)
{
	if (t->flags || t->id || t->__pad || t->owner_kind > MEMOWNER_OWNER_MAX ||
	    t->metric > MEMOWNER_METRIC_MAX)
		return false;
	switch (t->owner_kind) {
	case MEMOWNER_OWNER_STACK:
	case MEMOWNER_OWNER_TGID:
		if (!t->owner_id || t->owner_id > 0xffffffffULL || name[0])
			return false;
		break;
	case MEMOWNER_OWNER_CACHE:
	case MEMOWNER_OWNER_MODULE:
		if (t->owner_id || !name[0])
			return false;
		break;
	default:
		if (t->owner_id || name[0])
			return false;
	}
	if (t->metric == MEMOWNER_METRIC_GROWTH_RATE ?
	    (t->window_ms < MEMOWNER_WINDOW_MS_MIN || t->window_ms > MEMOWNER_WINDOW_MS_MAX) :
	    t->window_ms != 0)
		return false;
	return t->high && t->low < t->high && t->min_interval_ms <= 3600000;
}

static bool gen_tadd(struct icall *c)
{
	gen_threshold((void *)c->a, &s_owner);
	return true;
}

static void sem_tadd(struct icall *c, const void *kv)
{
	const struct memowner_threshold *k = kv;

	if (!G.admin)
		c->sem |= E_(EPERM);
	if (k->owner_name && s_owner.err)
		c->sem |= s_owner.err;
	if (!threshold_valid(k, k->owner_name ? s_owner.val : ""))
		c->sem |= E_(EINVAL);
	if (c->sem)
		return;
	c->succ = E_(0);
	if (nr_rules >= MEMOWNER_MAX_THRESHOLDS || G.concurrent)
		c->succ |= E_(ENOSPC);
	if (G.concurrent)
		c->succ |= E_(ENODEV);
	if (c->pk == P_RO)
		c->succ = E_(EFAULT) | (G.concurrent ? E_(ENOSPC) | E_(ENODEV) : 0) |
			  (nr_rules >= MEMOWNER_MAX_THRESHOLDS ? E_(ENOSPC) : 0);
}

static uint32_t del_id;
static int del_known;

static bool gen_tdel(struct icall *c)
{
	struct memowner_threshold_id *k = (void *)c->a;

	del_known = 0;
	if (nr_rules && chance(50)) {
		del_id = rules[below(nr_rules)];
		del_known = 1;
	} else {
		del_id = chance(50) ? (uint32_t)below(100000) : (uint32_t)rnd();
		for (unsigned int i = 0; i < nr_rules; i++)
			if (rules[i] == del_id)
				del_known = 1;
	}
	k->id = del_id;
	if (chance(8)) k->flags = 1U << below(32);
	if (chance(5)) k->__pad = 1;
	return true;
}

static void sem_tdel(struct icall *c, const void *kv)
{
	const struct memowner_threshold_id *k = kv;

	if (k->flags || k->__pad)
		c->sem |= E_(EINVAL);
	if (!G.admin)
		c->sem |= E_(EPERM);
	if (c->sem)
		return;
	c->succ = del_known ? E_(0) : E_(ENOENT);
	if (G.concurrent)
		c->succ |= E_(ENOENT) | E_(ENODEV);
}

static bool gen_tlist(struct icall *c)
{
	struct memowner_threshold_list *k = (void *)c->a;

	if (chance(8)) k->flags = 1U << below(32);
	if (chance(5)) k->nr_rules = 1;
	if (chance(5)) k->total = 1 + (uint32_t)below(64);
	k->state_size = chance(80) ? sizeof(struct memowner_threshold_state) :
			(uint32_t)pick_num(MEMOWNER_THRESHOLD_STATE_SIZE_VER0, PG, 32);
	k->max_rules = chance(70) ? (uint32_t)below(80) : (uint32_t)rnd();
	gen_obuf(&o_rows, (size_t)k->max_rules * (k->state_size ?: 1));
	k->rules = o_rows.ptr;
	return true;
}

static void sem_tlist(struct icall *c, const void *kv)
{
	const struct memowner_threshold_list *k = kv;

	if (k->flags || k->nr_rules || k->total ||
	    k->state_size < MEMOWNER_THRESHOLD_STATE_SIZE_VER0)
		c->sem |= E_(EINVAL);
	if (k->state_size > PG)
		c->sem |= E_(E2BIG);
	if (k->max_rules && !k->rules)
		c->sem |= E_(EFAULT);
	if (c->sem)
		return;
	c->succ = E_(0);
	if ((uint64_t)k->max_rules * k->state_size > o_rows.cap)
		c->succ |= E_(EFAULT);
}

static bool check_tlist(struct opstat *st, const struct icall *c, const void *out)
{
	const struct memowner_threshold_list *o = out, *in = (const void *)c->a;
	uint32_t want = o->total < in->max_rules ? o->total : in->max_rules;

	if (o->total > MEMOWNER_MAX_THRESHOLDS || o->nr_rules != want)
		return fail(st, "nr_rules %u total %u max_rules %u", o->nr_rules,
			    o->total, in->max_rules), false;
	if (!G.concurrent && G.admin && o->total != nr_rules)
		return fail(st, "total %u rules, this process added %u", o->total,
			    nr_rules), false;
	return true;
}

typedef bool (*gen_fn)(struct icall *);
typedef void (*sem_fn)(struct icall *, const void *);
typedef bool (*check_fn)(struct opstat *, const struct icall *, const void *);

static const struct {
	gen_fn gen;
	sem_fn sem;
	check_fn check;
} ioc_fns[I_NR] = {
	[I_GET_INFO] = { gen_get_info, sem_get_info, check_get_info },
	[I_SET_CONFIG] = { gen_set_config, sem_set_config, NULL },
	[I_SNAPSHOT] = { gen_snapshot, sem_snapshot, check_snapshot },
	[I_GET_STACK] = { gen_get_stack, sem_get_stack, check_get_stack },
	[I_MARK] = { gen_mark, sem_mark, NULL },
	[I_RESET] = { gen_mark, sem_mark, NULL },
	[I_TADD] = { gen_tadd, sem_tadd, NULL },
	[I_TDEL] = { gen_tdel, sem_tdel, NULL },
	[I_TLIST] = { gen_tlist, sem_tlist, check_tlist },
};

/* The ioctl number: the documented one, other size bits, or a wrong one. */
static unsigned long pick_cmd(const struct ioc *io, bool *bad)
{
	unsigned long cmd = io->cmd;

	*bad = false;
	switch (below(20)) {
	case 0: /* other size bits: ignored, "size" is the authority */
		return (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		       ((below(1 << 14)) << _IOC_SIZESHIFT);
	case 1: /* another direction */
		*bad = true;
		return (cmd & ~(3UL << _IOC_DIRSHIFT)) |
		       ((((cmd >> _IOC_DIRSHIFT) & 3) ^ (1 + below(3))) << _IOC_DIRSHIFT);
	default:
		return cmd;
	}
}

static void housekeeping_rules(struct opstat *st)
{
	struct memowner_threshold_id id = { .size = sizeof(id) };

	/* A reload runs (concurrent run): its rules go with the instance. */
	if (dev_fd < 0)
		return;
	while (nr_rules > MEMOWNER_MAX_THRESHOLDS / 2) {
		id.id = rules[--nr_rules];
		if (ioctl(dev_fd, MEMOWNER_IOC_THRESHOLD_DEL, &id) &&
		    !(G.concurrent && (errno == ENOENT || errno == ENODEV)))
			fail(st, "housekeeping THRESHOLD_DEL %u: %s", id.id, strerror(errno));
	}
}

static void ioctl_call(int op, struct opstat *st)
{
	const struct ioc *io = &iocs[op];
	static struct icall c;
	uint8_t kv[PG], after[PG];
	bool badcmd;
	eset allowed;
	int ret, err;

	memset(&c, 0, sizeof(c));
	ioc_fns[op].gen(&c);
	c.usize = pick_size(io);
	/* Bigger than ours: a zero tail (accepted) or a non-zero one. */
	if (c.usize > io->ksize && c.usize <= sizeof(c.a) && chance(40))
		c.a[io->ksize + below(c.usize - io->ksize)] = 1 + (uint8_t)below(255);
	memcpy(c.a, &c.usize, 4);
	c.cmd = pick_cmd(io, &badcmd);
	place(&c, io);

	desc_len = 0;
	desc("%s cmd=%#lx size=%u ptr=%s(%p) placed=%zu", io->name, c.cmd,
	     c.usize, ptr_names[c.pk], (void *)c.uptr, c.placed);
	desc_hex("struct", c.a, io->ksize);
	if (op == I_SNAPSHOT || op == I_TLIST)
		desc(" rows=%s cap=%zu", o_rows.kind, o_rows.cap);
	if (op == I_SNAPSHOT)
		desc(" cache='%.70s'(err %#llx) module='%.70s'(err %#llx)",
		     s_cache.val, (unsigned long long)s_cache.err, s_module.val,
		     (unsigned long long)s_module.err);
	if (op == I_GET_STACK)
		desc(" handle=%u known=%d frames=%s/%zu text=%s/%zu", stk_handle,
		     stk_known, ((struct memowner_stack *)c.a)->frames ? o_frames.kind : "none",
		     o_frames.cap, ((struct memowner_stack *)c.a)->text ? o_text.kind : "none", o_text.cap);
	if (op == I_TADD)
		desc(" owner_name='%.70s'(err %#llx)", s_owner.val,
		     (unsigned long long)s_owner.err);

	if (badcmd) {
		allowed = E_(ENOTTY);
	} else {
		allowed = copy_rules(&c, io);
		if (!allowed) {
			kview(&c, io, kv);
			ioc_fns[op].sem(&c, kv);
			allowed = c.sem ? c.sem : c.succ;
			if (!c.sem && io->writes_back && c.pk == P_RO)
				allowed = (allowed & ~E_(0)) | E_(EFAULT);
			if (!c.sem && io->writes_back && c.pk == P_AT_GUARD &&
			    c.placed < (c.usize < io->ksize ? c.usize : io->ksize))
				allowed = (allowed & ~E_(0)) | E_(EFAULT);
		}
	}
	if (G.verbose)
		printf("# %s\n", call_desc);
	ret = ioctl(dev_fd, c.cmd, c.uptr);
	err = ret ? errno : 0;
	if (ret && ret != -1)
		fail(st, "ioctl returned %d", ret);
	st->calls++;
	if (!judge(st, err, allowed))
		return;
	if (!err && op == I_TDEL)
		for (unsigned int i = 0; i < nr_rules; i++)
			if (rules[i] == del_id)
				rules[i] = rules[--nr_rules];
	if (!err && op == I_SET_CONFIG)
		handles_stale = true;	/* a new epoch (or enabled=0: harmless) */
	/* Output checks, where the struct can be read back. */
	if (c.pk != P_NORMAL && c.pk != P_AT_GUARD)
		return;
	memcpy(after, c.uptr, c.placed < sizeof(after) ? c.placed : sizeof(after));
	if (err && !(op == I_GET_STACK && err == ENOSPC) &&
	    memcmp(after, c.a, c.placed < sizeof(after) ? c.placed : sizeof(after))) {
		fail(st, "error %s but the struct was written", ename(err));
		return;
	}
	if (!err && ioc_fns[op].check)
		ioc_fns[op].check(st, &c, after);
	if (op == I_GET_STACK && err == ENOSPC)
		check_get_stack_enospc(st, &c, after);
	if (!err && op == I_TADD && nr_rules < MEMOWNER_MAX_THRESHOLDS)
		rules[nr_rules++] = ((struct memowner_threshold *)after)->id;
	if (!err && op == I_MARK && ((struct memowner_mark *)after)->mark_ns == 0 &&
	    c.usize >= 16)
		fail(st, "MARK returned mark_ns 0");
}

/* ---- netlink: the family's policies, as the module declares them --------- */

enum pol_type { T_NONE, T_REJECT, T_U8, T_U32, T_U64, T_NUL_STRING, T_NESTED };
enum pol_check { C_NONE, C_MAX, C_RANGE, C_MASK };

struct pol {
	uint8_t type, check;
	uint64_t min, max;	/* C_MAX: max; C_RANGE: min..max; C_MASK: max is the mask */
	const struct pol *nested;
	int nested_max;
	int len;		/* T_NUL_STRING: longest string */
};

static const struct pol config_pol[MEMOWNER_A_CONFIG_MAX + 1] = {
	[MEMOWNER_A_CONFIG_SOURCES] = { T_U32, C_MASK, 0, __MEMOWNER_SRC_F_ALL, NULL, 0, 0 },
	[MEMOWNER_A_CONFIG_MODE] = { T_U32, C_MAX, 0, MEMOWNER_MODE_MAX, NULL, 0, 0 },
	[MEMOWNER_A_CONFIG_DEPTH] = { T_U32, C_RANGE, 1, 64, NULL, 0, 0 },
	[MEMOWNER_A_CONFIG_SAMPLE_BYTES] = { T_U64, C_RANGE, 1, 1ULL << 40, NULL, 0, 0 },
	[MEMOWNER_A_CONFIG_ENABLED] = { T_U8, C_MAX, 0, 1, NULL, 0, 0 },
	[MEMOWNER_A_CONFIG_PAD] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },
};

static const struct pol threshold_pol[MEMOWNER_A_THRESHOLD_MAX + 1] = {
	[MEMOWNER_A_THRESHOLD_RULE] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_OWNER_KIND] = { T_U32, C_MAX, 0, MEMOWNER_OWNER_MAX, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_OWNER_ID] = { T_U64, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_OWNER_NAME] = { T_NUL_STRING, 0, 0, 0, NULL, 0, MEMOWNER_NAME_LEN - 1 },
	[MEMOWNER_A_THRESHOLD_METRIC] = { T_U32, C_MAX, 0, MEMOWNER_METRIC_MAX, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_WINDOW_MS] = { T_U32, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_HIGH] = { T_U64, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_LOW] = { T_U64, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS] = { T_U32, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_ARMED] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_NR_ALERTS] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_VALUE] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },
	[MEMOWNER_A_THRESHOLD_PAD] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },
};

#define REPLY_ONLY_POL							\
	[MEMOWNER_A_INFO_VERSION] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_INFO_ABI_VERSION] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },\
	[MEMOWNER_A_INFO_FEATURES] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_INFO_LOADED_NS] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_INFO_NR_OPENS] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_INFO_NR_IOCTLS] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_INFO_NR_REQUESTS] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },\
	[MEMOWNER_A_INFO_MEM_BYTES] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_PAD] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },		\
	[MEMOWNER_A_STACK] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },		\
	[MEMOWNER_A_PAGE] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },		\
	[MEMOWNER_A_CACHE] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },		\
	[MEMOWNER_A_LEAK] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },		\
	[MEMOWNER_A_GENERATION] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },	\
	[MEMOWNER_A_ALERT] = { T_REJECT, 0, 0, 0, NULL, 0, 0 },		\
	[MEMOWNER_A_EVENT] = { T_REJECT, 0, 0, 0, NULL, 0, 0 }

#define SRC_POL { T_U32, C_MASK, 0, __MEMOWNER_SRC_F_ALL, NULL, 0, 0 }
#define U64_POL { T_U64, 0, 0, 0, NULL, 0, 0 }
#define U32_POL { T_U32, 0, 0, 0, NULL, 0, 0 }

static const struct pol p_none[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL };
static const struct pol p_stacks[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL,
	[MEMOWNER_A_FILTER_SOURCES] = SRC_POL, [MEMOWNER_A_FILTER_MIN_BYTES] = U64_POL };
static const struct pol p_stack[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL,
	[MEMOWNER_A_STACK_HANDLE] = U32_POL };
static const struct pol p_leaks[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL,
	[MEMOWNER_A_FILTER_SOURCES] = SRC_POL, [MEMOWNER_A_FILTER_MIN_BYTES] = U64_POL,
	[MEMOWNER_A_FILTER_OLDER_THAN_MS] = U64_POL };
static const struct pol p_config[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL,
	[MEMOWNER_A_CONFIG] = { T_NESTED, 0, 0, 0, config_pol, MEMOWNER_A_CONFIG_MAX, 0 } };
static const struct pol p_tadd[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL,
	[MEMOWNER_A_THRESHOLD] = { T_NESTED, 0, 0, 0, threshold_pol, MEMOWNER_A_THRESHOLD_MAX, 0 },
	[MEMOWNER_A_THRESHOLD_ID] = { T_REJECT, 0, 0, 0, NULL, 0, 0 } };
static const struct pol p_tdel[MEMOWNER_A_MAX + 1] = { REPLY_ONLY_POL,
	[MEMOWNER_A_THRESHOLD_ID] = U32_POL };

struct nlop {
	const char *name;
	uint8_t cmd;
	bool dump;
	const struct pol *pol;	/* NULL: no such command */
};

enum { N_GET_INFO, N_GET_STACKS, N_GET_STACK, N_GET_PAGES, N_GET_CACHES,
       N_GET_LEAKS, N_SET_CONFIG, N_TADD, N_TDEL, N_TGET, N_UNKNOWN, N_FRAMING,
       N_NR };

static const struct nlop nlops[N_NR] = {
	{ "genl-get-info", MEMOWNER_CMD_GET_INFO, false, p_none },
	{ "genl-get-stacks", MEMOWNER_CMD_GET_STACKS, true, p_stacks },
	{ "genl-get-stack", MEMOWNER_CMD_GET_STACK, false, p_stack },
	{ "genl-get-pages", MEMOWNER_CMD_GET_PAGES, true, p_none },
	{ "genl-get-caches", MEMOWNER_CMD_GET_CACHES, true, p_none },
	{ "genl-get-leaks", MEMOWNER_CMD_GET_LEAKS, true, p_leaks },
	{ "genl-set-config", MEMOWNER_CMD_SET_CONFIG, false, p_config },
	{ "genl-threshold-add", MEMOWNER_CMD_THRESHOLD_ADD, false, p_tadd },
	{ "genl-threshold-del", MEMOWNER_CMD_THRESHOLD_DEL, false, p_tdel },
	{ "genl-threshold-get", MEMOWNER_CMD_THRESHOLD_GET, true, p_none },
	{ "genl-unknown-cmd", 0, false, NULL },
	{ "genl-framing", MEMOWNER_CMD_GET_INFO, false, p_none },
};

/* ---- netlink: the model of the kernel's validation ----------------------- */

#define NLA_T(a)	((a)->nla_type & NLA_TYPE_MASK)

static int nla_ok_(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= rem;
}

static int model_nla(const struct nlattr *a, const struct pol *pol, int depth);

/* __nla_validate_parse(), strict: the first failing attribute decides. */
static int model_attrs(const uint8_t *head, int len, const struct pol *pol,
		       int maxtype, int depth, const struct nlattr **tb)
{
	const struct nlattr *a = (const void *)head;
	int rem = len, err;

	if (depth >= 10)
		return -EINVAL;
	if (tb)
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	for (; nla_ok_(a, rem);
	     rem -= NLA_ALIGN(a->nla_len), a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len))) {
		int type = NLA_T(a);

		if (type == 0 || type > maxtype)
			return -EINVAL;
		err = model_nla(a, &pol[type], depth);
		if (err)
			return err;
		if (tb)
			tb[type] = a;
	}
	return rem > 0 ? -EINVAL : 0;
}

static uint64_t nla_uval(const struct nlattr *a, int type)
{
	const uint8_t *d = (const uint8_t *)a + NLA_HDRLEN;
	uint64_t v = 0;

	switch (type) {
	case T_U8: v = d[0]; break;
	case T_U32: { uint32_t x; memcpy(&x, d, 4); v = x; break; }
	default: memcpy(&v, d, 8); break;
	}
	return v;
}

static int model_nla(const struct nlattr *a, const struct pol *pt, int depth)
{
	int len = a->nla_len - NLA_HDRLEN, minlen;
	const uint8_t *d = (const uint8_t *)a + NLA_HDRLEN;
	static const int exact[] = { [T_U8] = 1, [T_U32] = 4, [T_U64] = 8 };
	uint64_t v;

	if (pt->type <= T_U64 && exact[pt->type] && len != exact[pt->type])
		return -EINVAL;
	if (pt->type == T_NESTED && !(a->nla_type & NLA_F_NESTED))
		return -EINVAL;
	if (pt->type != T_NESTED && pt->type != T_NONE && (a->nla_type & NLA_F_NESTED))
		return -EINVAL;
	switch (pt->type) {
	case T_NONE:
	case T_REJECT:
		return -EINVAL;
	case T_NUL_STRING:
		minlen = len < pt->len + 1 ? len : pt->len + 1;
		if (!minlen || !memchr(d, 0, minlen))
			return -EINVAL;
		if (d[len - 1] == 0)
			len--;
		if (len > pt->len)
			return -ERANGE;
		return 0;
	case T_NESTED:
		if (len == 0)
			return 0;
		if (len < NLA_HDRLEN)
			return -ERANGE;
		return model_attrs(d, len, pt->nested, pt->nested_max, depth + 1, NULL);
	default:
		break;
	}
	v = nla_uval(a, pt->type);
	switch (pt->check) {
	case C_MAX: return v > pt->max ? -ERANGE : 0;
	case C_RANGE: return v < pt->min || v > pt->max ? -ERANGE : 0;
	case C_MASK: return v & ~pt->max ? -EINVAL : 0;
	default: return 0;
	}
}

/* ---- netlink: building requests ------------------------------------------ */

static uint8_t nlmsg[1 << 17];
static size_t nllen;

static struct nlattr *put_raw(uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (void *)(nlmsg + nllen);

	if (nllen + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(nlmsg) - 64)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(a + 1, data, len);
	memset((uint8_t *)(a + 1) + len, 0, NLA_ALIGN(len) - len);
	nllen += NLA_HDRLEN + NLA_ALIGN(len);
	return a;
}

static size_t nest_begin(uint16_t type)
{
	size_t at = nllen;

	put_raw(type, NULL, 0);
	return at;
}

static void nest_end(size_t at)
{
	struct nlattr *a = (void *)(nlmsg + at);

	a->nla_len = nllen - at;
}

/* A scalar of @size bytes, sometimes of the wrong length or flags. */
static void put_scalar(uint16_t type, uint64_t v, size_t size)
{
	uint8_t buf[64] = { 0 };
	size_t len = size;

	memcpy(buf, &v, 8);
	if (chance(4))
		do {
			len = below(13);
		} while (len == size);
	if (chance(3))
		type |= NLA_F_NESTED;
	else if (chance(3))
		type |= NLA_F_NET_BYTEORDER;	/* ignored by the kernel */
	put_raw(type, buf, len);
}

static void put_string(uint16_t type, const char *good)
{
	uint8_t buf[200];
	size_t len;

	switch (below(12)) {
	case 0: len = 0; break;					/* empty: EINVAL */
	case 1: memset(buf, 'x', 63); buf[63] = 0; len = 64; break;	/* longest */
	case 2: memset(buf, 'y', 64); buf[64] = 0; len = 65; break;	/* too long */
	case 3: len = 1 + below(100); memset(buf, 'z', len); break;	/* unterminated */
	case 4: memcpy(buf, "\xff\xfe\xc3(\x80", 5); buf[5] = 0; len = 6; break;
	case 5: memcpy(buf, "ab\0cd\0", 6); len = 6; break;
	case 6: len = 100; memset(buf, 0, len); memcpy(buf, "vmlinux", 7); buf[99] = 'q'; break;
	case 7: buf[0] = 0; len = 1; break;
	default: len = strlen(good) + 1; memcpy(buf, good, len); break;
	}
	if (chance(3))
		type |= NLA_F_NESTED;
	put_raw(type, buf, len);
}

/* An attribute no policy of this op accepts, or nonsense. */
static void put_junk(int depth)
{
	static const uint16_t reply[] = { MEMOWNER_A_INFO_VERSION, MEMOWNER_A_PAD,
		MEMOWNER_A_STACK, MEMOWNER_A_PAGE, MEMOWNER_A_GENERATION,
		MEMOWNER_A_EVENT, MEMOWNER_A_THRESHOLD_ID, MEMOWNER_A_CONFIG,
		MEMOWNER_A_FILTER_SOURCES, MEMOWNER_A_STACK_HANDLE,
		MEMOWNER_A_FILTER_OLDER_THAN_MS, MEMOWNER_A_THRESHOLD };
	uint8_t buf[256];
	size_t len = below(sizeof(buf)), at;
	uint16_t type;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	switch (below(6)) {
	case 0: type = 0; break;
	case 1: type = MEMOWNER_A_MAX + 1 + (uint16_t)below(0x3fff - MEMOWNER_A_MAX); break;
	case 2: /* deep nesting */
		at = nest_begin(reply[below(ARRAY_LEN(reply))] | NLA_F_NESTED);
		if (depth < 14)
			put_junk(depth + 1);
		nest_end(at);
		return;
	case 3: /* oversized */
		len = 1000 + below(30000);
		at = nllen;
		if (!put_raw(reply[below(ARRAY_LEN(reply))], NULL, 0))
			return;
		memset(nlmsg + nllen, (int)below(256), len);
		nllen += NLA_ALIGN(len);
		((struct nlattr *)(nlmsg + at))->nla_len = NLA_HDRLEN + len;
		return;
	default: type = reply[below(ARRAY_LEN(reply))]; break;
	}
	if (chance(30))
		type |= NLA_F_NESTED;
	put_raw(type, buf, len);
}

static void put_config(void)
{
	size_t at = nest_begin(MEMOWNER_A_CONFIG | (chance(95) ? NLA_F_NESTED : 0));
	int n = (int)below(4);

	while (n--) {
		switch (below(6)) {
		case 0: put_scalar(MEMOWNER_A_CONFIG_SOURCES, pick_num(0, 15, 32), 4); break;
		case 1: put_scalar(MEMOWNER_A_CONFIG_MODE, pick_num(0, 2, 32), 4); break;
		case 2: put_scalar(MEMOWNER_A_CONFIG_DEPTH, pick_num(1, 64, 32), 4); break;
		case 3: put_scalar(MEMOWNER_A_CONFIG_SAMPLE_BYTES, pick_num(1, 1ULL << 40, 64), 8); break;
		case 4: put_scalar(MEMOWNER_A_CONFIG_ENABLED, pick_num(0, 1, 8), 1); break;
		default:
			if (chance(50))
				put_scalar(MEMOWNER_A_CONFIG_PAD + (uint16_t)below(3), rnd(), 4);
			else
				put_junk(1);
		}
	}
	nest_end(at);
}

static void put_threshold_nest(void)
{
	size_t at = nest_begin(MEMOWNER_A_THRESHOLD | (chance(95) ? NLA_F_NESTED : 0));
	uint32_t kind = chance(85) ? (uint32_t)below(5) : (uint32_t)pick_num(0, 4, 32);
	uint32_t metric = chance(85) ? (uint32_t)below(3) : (uint32_t)pick_num(0, 2, 32);
	uint64_t high = chance(90) ? 1 + below(1ULL << 40) : pick_num(0, 1, 64);

	if (!chance(5)) put_scalar(MEMOWNER_A_THRESHOLD_OWNER_KIND, kind, 4);
	if (!chance(5)) put_scalar(MEMOWNER_A_THRESHOLD_METRIC, metric, 4);
	if (!chance(5)) put_scalar(MEMOWNER_A_THRESHOLD_HIGH, high, 8);
	if (kind == MEMOWNER_OWNER_STACK || kind == MEMOWNER_OWNER_TGID || chance(10))
		put_scalar(MEMOWNER_A_THRESHOLD_OWNER_ID, kind == MEMOWNER_OWNER_STACK ?
			   handles[below(nr_handles)] : chance(80) ? (uint64_t)getpid() :
			   pick_num(1, 0xffffffffULL, 64), 8);
	if (kind == MEMOWNER_OWNER_CACHE || kind == MEMOWNER_OWNER_MODULE || chance(10))
		put_string(MEMOWNER_A_THRESHOLD_OWNER_NAME,
			   kind == MEMOWNER_OWNER_MODULE ? "memowner_test" : "kmalloc-64");
	if (metric == MEMOWNER_METRIC_GROWTH_RATE || chance(10))
		put_scalar(MEMOWNER_A_THRESHOLD_WINDOW_MS, chance(80) ?
			   100 + below(3600000 - 99) : pick_num(100, 3600000, 32), 4);
	if (chance(70)) put_scalar(MEMOWNER_A_THRESHOLD_LOW, chance(90) ? below(high) : high, 8);
	if (chance(50)) put_scalar(MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS,
				   pick_num(0, 3600000, 32), 4);
	if (chance(5)) put_scalar(MEMOWNER_A_THRESHOLD_RULE + 9 * (uint16_t)below(2), rnd(), 4);
	if (chance(5)) put_junk(1);
	if (chance(3)) /* trailing bytes inside the nest */
		nllen += 1 + below(3), nlmsg[nllen - 1] = 0;
	nest_end(at);
}

static uint32_t nl_handle;
static int nl_handle_known;

/* The attributes of one request of @op. */
static void gen_nl_attrs(int op)
{
	int extra = chance(70) ? 0 : 1 + (int)below(3), dup = chance(5) ? 2 : 1;

	while (dup--) {
		switch (op) {
		case N_GET_STACKS:
		case N_GET_LEAKS:
			if (op == N_GET_LEAKS && !chance(5))
				put_scalar(MEMOWNER_A_FILTER_OLDER_THAN_MS,
					   chance(70) ? below(2000) : pick_num(0, ~0ULL, 64), 8);
			if (chance(50))
				put_scalar(MEMOWNER_A_FILTER_SOURCES, chance(80) ? below(16) :
					   pick_num(0, 15, 32), 4);
			if (chance(50))
				put_scalar(MEMOWNER_A_FILTER_MIN_BYTES, chance(50) ? below(1 << 16) :
					   pick_num(0, ~0ULL, 64), 8);
			break;
		case N_GET_STACK:
			if (!chance(5)) {
				nl_handle = pick_handle(&nl_handle_known);
				put_scalar(MEMOWNER_A_STACK_HANDLE, nl_handle, 4);
			}
			break;
		case N_SET_CONFIG:
			if (!chance(5))
				put_config();
			break;
		case N_TADD:
			if (!chance(5))
				put_threshold_nest();
			break;
		case N_TDEL:
			if (!chance(5)) {
				nl_handle = nr_rules && chance(50) ? rules[below(nr_rules)] :
					    chance(50) ? (uint32_t)below(100000) : (uint32_t)rnd();
				put_scalar(MEMOWNER_A_THRESHOLD_ID, nl_handle, 4);
			}
			break;
		default:
			break;
		}
	}
	while (extra--)
		put_junk(0);
	if (chance(3))	/* trailing bytes after the last attribute */
		nllen += 1 + below(3), nlmsg[nllen - 1] = (uint8_t)rnd();
	if (chance(2) && nllen > 4) {	/* a broken length somewhere */
		size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
		struct nlattr *a = (void *)(nlmsg + off);

		if (off + 4 <= nllen)
			a->nla_len = chance(50) ? (uint16_t)below(4) : (uint16_t)(nllen - off + 4 + below(64));
	}
}

/* ---- netlink: sockets, sending, receiving --------------------------------- */

static int family_id;
static uint32_t nl_seq = 1;

struct nls {
	int fd;
};

static int nl_socket(void)
{
	struct timeval tv = { .tv_sec = 30 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), one = 1;
	int rcv = 1 << 20;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static uint8_t rbuf[1 << 17];

/* The family id of "memowner", or -errno. */
static int resolve_family(int fd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		uint8_t attrs[64];
	} req = { 0 };
	struct nlattr *a = (void *)req.attrs;
	ssize_t len;

	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = ++nl_seq;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(MEMOWNER_GENL_NAME);
	memcpy(a + 1, MEMOWNER_GENL_NAME, sizeof(MEMOWNER_GENL_NAME));
	req.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(a->nla_len);
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		return -errno;
	len = recv(fd, rbuf, sizeof(rbuf), 0);
	if (len < 0)
		return -errno;
	for (struct nlmsghdr *n = (void *)rbuf; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
		if (n->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(n))->error ?: -ENOENT;
		if (n->nlmsg_type == GENL_ID_CTRL) {
			int rem = n->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

			for (a = (void *)((uint8_t *)NLMSG_DATA(n) + GENL_HDRLEN);
			     nla_ok_(a, rem); rem -= NLA_ALIGN(a->nla_len),
			     a = (void *)((uint8_t *)a + NLA_ALIGN(a->nla_len)))
				if (NLA_T(a) == CTRL_ATTR_FAMILY_ID)
					return *(uint16_t *)(a + 1);
		}
	}
	return -ENOENT;
}

static int nl_fd = -1;

/* The request socket while a dump runs on a socket of its own. */
static int main_fd = -1;

static void nl_end_dump_socket(void)
{
	if (main_fd < 0)
		return;
	close(nl_fd);
	nl_fd = main_fd;
	main_fd = -1;
}


static int nl_reopen(void)
{
	int id;

	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = nl_socket();
	if (nl_fd < 0)
		return nl_fd;
	for (int tries = 0; tries < 2000; tries++) {
		id = resolve_family(nl_fd);
		if (id > 0) {
			family_id = id;
			return 0;
		}
		if (!G.concurrent)
			return id;
		G.gone++;
		usleep(5000);
	}
	return -ETIMEDOUT;
}

/* What came back for one request. */
struct nlres {
	uint32_t seq;
	bool done;
	int err;		/* positive errno, 0 */
	int nmsgs;
	bool intr;
	const char *bad;	/* a malformed reply */
	uint32_t id;		/* THRESHOLD_ADD: the new rule */
};

static const char *check_reply(int op, const struct nlmsghdr *n, struct nlres *r)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(n) + GENL_HDRLEN;
	int len = n->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, rem = len, objs = 0;
	const struct nlattr *a = (const void *)p;
	bool gen = false;
	int want = op == N_GET_STACKS || op == N_GET_STACK ? MEMOWNER_A_STACK :
		   op == N_GET_PAGES ? MEMOWNER_A_PAGE : op == N_GET_CACHES ? MEMOWNER_A_CACHE :
		   op == N_GET_LEAKS ? MEMOWNER_A_LEAK : op == N_TGET ? MEMOWNER_A_THRESHOLD : 0;

	if (len < 0)
		return "short reply";
	for (; nla_ok_(a, rem); rem -= NLA_ALIGN(a->nla_len),
	     a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len))) {
		int t = NLA_T(a);

		if (t == MEMOWNER_A_GENERATION)
			gen = true;
		else if (t == want)
			objs++;
		else if (op == N_GET_INFO && t == MEMOWNER_A_INFO_ABI_VERSION &&
			 *(const uint32_t *)(a + 1) != MEMOWNER_ABI_VERSION)
			return "wrong ABI version";
		else if (op == N_TADD && t == MEMOWNER_A_THRESHOLD_ID)
			r->id = *(const uint32_t *)(a + 1);
		else if (op == N_GET_STACK && t == MEMOWNER_A_STACK)
			;
		else if (t > MEMOWNER_A_MAX || !t)
			return "unknown attribute in a reply";
		if (op == N_GET_STACK && t == MEMOWNER_A_STACK) {
			const struct nlattr *b = (const void *)(a + 1);
			int brem = a->nla_len - NLA_HDRLEN;

			for (; nla_ok_(b, brem); brem -= NLA_ALIGN(b->nla_len),
			     b = (const void *)((const uint8_t *)b + NLA_ALIGN(b->nla_len))) {
				if (NLA_T(b) == MEMOWNER_A_STACK_ID &&
				    *(const uint32_t *)(b + 1) != nl_handle)
					return "GET_STACK answered another handle";
				if (NLA_T(b) == MEMOWNER_A_STACK_ADDRS && !G.see_addrs)
					return "raw addresses to a reader who may not see them";
			}
		}
	}
	if (rem > 0 && rem >= NLA_HDRLEN)
		return "malformed attributes in a reply";
	if (nlops[op].dump && (!gen || !objs))
		return "dump message without generation or objects";
	if (op == N_TADD && !r->id)
		return "THRESHOLD_ADD reply without an id";
	return NULL;
}

/*
 * Read from @fd until every request in @rs[0..n) is done (or @stop_after
 * messages of a dump were read, for abandoning).  0, or -errno of recv.
 */
static int nl_collect(int fd, int op, struct nlres *rs, int n, int stop_after)
{
	ssize_t len;
	int open = 0;

	for (int i = 0; i < n; i++)
		open += !rs[i].done;
	while (open) {
		len = recv(fd, rbuf, sizeof(rbuf), 0);
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *m = (void *)rbuf; NLMSG_OK(m, len); m = NLMSG_NEXT(m, len)) {
			struct nlres *r = NULL;

			for (int i = 0; i < n; i++)
				if (rs[i].seq == m->nlmsg_seq)
					r = &rs[i];
			if (!r || r->done)
				continue;	/* an abandoned dump's tail */
			if (m->nlmsg_type == NLMSG_ERROR) {
				r->err = -((struct nlmsgerr *)NLMSG_DATA(m))->error;
				r->done = true;
				open--;
			} else if (m->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (m->nlmsg_len >= NLMSG_HDRLEN + 4)
					memcpy(&e, NLMSG_DATA(m), 4);
				r->err = -e;
				r->done = true;
				open--;
			} else if (m->nlmsg_type == family_id) {
				r->nmsgs++;
				if (m->nlmsg_flags & NLM_F_DUMP_INTR)
					r->intr = true;
				if (!r->bad)
					r->bad = check_reply(op, m, r);
				/* A doit answered without NLM_F_ACK is done. */
				if (!(m->nlmsg_flags & NLM_F_MULTI) && r->err == -1) {
					r->err = 0;
					r->done = true;
					open--;
				}
			}
			/* Requests are answered in order: an answered ping ends them all. */
			if (r->done && r == &rs[n - 1])
				for (int i = 0; i < n - 1; i++)
					if (!rs[i].done) {
						rs[i].done = true;
						open--;
					}
			if (stop_after && r->nmsgs >= stop_after)
				return 0;
		}
	}
	return 0;
}

/* The header of a request of @cmd; @flags as given. */
static void nl_header(uint16_t flags, uint8_t cmd, uint8_t version, uint16_t reserved)
{
	struct nlmsghdr *n = (void *)nlmsg;
	struct genlmsghdr *g = (void *)(nlmsg + NLMSG_HDRLEN);

	memset(nlmsg, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_type = family_id;
	n->nlmsg_flags = flags;
	n->nlmsg_seq = ++nl_seq;
	g->cmd = cmd;
	g->version = version;
	g->reserved = reserved;
	nllen = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* The model: what the request in nlmsg may return (as a set). */
static eset nl_model(int op, bool *starts_dump)
{
	const struct nlmsghdr *n = (const void *)nlmsg;
	const struct genlmsghdr *g = (const void *)(nlmsg + NLMSG_HDRLEN);
	const struct nlattr *tb[MEMOWNER_A_MAX + 1], *nt[MEMOWNER_A_THRESHOLD_MAX + 1];
	const struct nlop *o = NULL;
	uint16_t f = n->nlmsg_flags;
	bool dump = (f & NLM_F_DUMP) == NLM_F_DUMP;
	int err;

	*starts_dump = false;
	for (int i = 0; i < N_UNKNOWN; i++)
		if (nlops[i].cmd == g->cmd)
			o = &nlops[i];
	if (dump)
		f &= ~NLM_F_DUMP;
	if (g->cmd >= 1 &&	/* resv_start_op: strict header */
	    (g->reserved || (f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)))) {
		/*
		 * Before 6.1 memowner checks the header itself, once the core
		 * found the op and parsed the attributes: an unknown op, or
		 * the wrong one of doit and dump, is the core's EOPNOTSUPP
		 * first, and a bad attribute its error (module/netlink.c).
		 */
		if (G.module_header_check && (!o || o->dump != dump))
			return E_(EOPNOTSUPP);
		if (G.module_header_check) {
			err = model_attrs(nlmsg + NLMSG_HDRLEN + GENL_HDRLEN,
					  n->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
					  o->pol, MEMOWNER_A_MAX, 0, NULL);
			if (err)
				return E_(-err);
		}
		return E_(EINVAL);
	}
	if (!o || o->dump != dump)
		return E_(EOPNOTSUPP);
	err = model_attrs(nlmsg + NLMSG_HDRLEN + GENL_HDRLEN,
			  n->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, o->pol,
			  MEMOWNER_A_MAX, 0, tb);
	if (err)
		return E_(-err);
	switch (op) {
	case N_GET_STACK:
		if (!tb[MEMOWNER_A_STACK_HANDLE])
			return E_(EINVAL);
		nl_handle = (uint32_t)nla_uval(tb[MEMOWNER_A_STACK_HANDLE], T_U32);
		if (!nl_handle)
			return E_(ENOENT);
		if (nl_handle_known > 0 && nl_handle == handles[0])
			return E_(0);
		return E_(0) | E_(ENOENT);	/* ENOENT: no stack has it */
	case N_GET_LEAKS:
		if (!tb[MEMOWNER_A_FILTER_OLDER_THAN_MS])
			return E_(EINVAL);
		*starts_dump = true;
		return E_(0);
	case N_SET_CONFIG:
		if (!G.admin)
			return E_(EPERM);
		if (!tb[MEMOWNER_A_CONFIG])
			return E_(EINVAL);
		model_attrs((const uint8_t *)(tb[MEMOWNER_A_CONFIG] + 1),
			    tb[MEMOWNER_A_CONFIG]->nla_len - NLA_HDRLEN, config_pol,
			    MEMOWNER_A_CONFIG_MAX, 1, nt);
		for (int i = 1; i <= MEMOWNER_A_CONFIG_MAX; i++)
			if (nt[i])
				return E_(0) | (G.concurrent ? E_(ENODEV) : 0);
		return E_(EINVAL);	/* names no setting */
	case N_TADD: {
		struct memowner_threshold t = { 0 };
		char name[MEMOWNER_NAME_LEN] = "";

		if (!G.admin)
			return E_(EPERM);
		if (!tb[MEMOWNER_A_THRESHOLD])
			return E_(EINVAL);
		model_attrs((const uint8_t *)(tb[MEMOWNER_A_THRESHOLD] + 1),
			    tb[MEMOWNER_A_THRESHOLD]->nla_len - NLA_HDRLEN, threshold_pol,
			    MEMOWNER_A_THRESHOLD_MAX, 1, nt);
		if (!nt[MEMOWNER_A_THRESHOLD_OWNER_KIND] || !nt[MEMOWNER_A_THRESHOLD_METRIC] ||
		    !nt[MEMOWNER_A_THRESHOLD_HIGH])
			return E_(EINVAL);
		t.owner_kind = (uint32_t)nla_uval(nt[MEMOWNER_A_THRESHOLD_OWNER_KIND], T_U32);
		t.metric = (uint32_t)nla_uval(nt[MEMOWNER_A_THRESHOLD_METRIC], T_U32);
		t.high = nla_uval(nt[MEMOWNER_A_THRESHOLD_HIGH], T_U64);
		if (nt[MEMOWNER_A_THRESHOLD_OWNER_ID])
			t.owner_id = nla_uval(nt[MEMOWNER_A_THRESHOLD_OWNER_ID], T_U64);
		if (nt[MEMOWNER_A_THRESHOLD_OWNER_NAME])
			snprintf(name, sizeof(name), "%s",
				 (const char *)(nt[MEMOWNER_A_THRESHOLD_OWNER_NAME] + 1));
		if (nt[MEMOWNER_A_THRESHOLD_WINDOW_MS])
			t.window_ms = (uint32_t)nla_uval(nt[MEMOWNER_A_THRESHOLD_WINDOW_MS], T_U32);
		if (nt[MEMOWNER_A_THRESHOLD_LOW])
			t.low = nla_uval(nt[MEMOWNER_A_THRESHOLD_LOW], T_U64);
		if (nt[MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS])
			t.min_interval_ms = (uint32_t)nla_uval(nt[MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS], T_U32);
		if (!threshold_valid(&t, name))
			return E_(EINVAL);
		return E_(0) | (nr_rules >= MEMOWNER_MAX_THRESHOLDS || G.concurrent ? E_(ENOSPC) : 0) |
		       (G.concurrent ? E_(ENODEV) : 0);
	}
	case N_TDEL: {
		bool known = false;

		if (!G.admin)
			return E_(EPERM);
		if (!tb[MEMOWNER_A_THRESHOLD_ID])
			return E_(EINVAL);
		nl_handle = (uint32_t)nla_uval(tb[MEMOWNER_A_THRESHOLD_ID], T_U32);
		for (unsigned int i = 0; i < nr_rules; i++)
			known |= rules[i] == nl_handle;
		return (known ? E_(0) : E_(ENOENT)) | (G.concurrent ? E_(ENOENT) | E_(ENODEV) : 0);
	}
	default:
		*starts_dump = o->dump;
		return E_(0);
	}
}

static void nl_desc(void)
{
	desc_len = 0;
	desc("%s", cur_op);
	desc_hex("msg", nlmsg, ((struct nlmsghdr *)nlmsg)->nlmsg_len);
}

/* Was the family gone (ENOENT of an unknown family id)?  Then reconnect. */
static bool family_gone(int err)
{
	int old = family_id;

	if (!G.concurrent || (err != ENOENT && err != ENODEV && err != EPROTONOSUPPORT))
		return false;
	/* The going state; a dump of a module being unloaded (try_module_get). */
	if (err == ENODEV || err == EPROTONOSUPPORT)
		return true;
	nl_end_dump_socket();
	if (resolve_family(nl_fd) == old)
		return false;
	nl_reopen();
	return true;
}

static void nl_call_(int op, struct opstat *st);

static void nl_call(int op, struct opstat *st)
{
	nl_call_(op, st);
	nl_end_dump_socket();
}

static void nl_call_(int op, struct opstat *st)
{
	const struct nlop *o = &nlops[op];
	struct nlres r[2] = { { 0 } };
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	bool starts_dump, ping = false;
	eset allowed;
	int tries = 0, ret, fd2 = -1;
	uint8_t cmd = o->cmd;

	main_fd = -1;

	do {
		flags = NLM_F_REQUEST | NLM_F_ACK;
		cmd = o->cmd;
		if (op == N_UNKNOWN) {
			static const uint8_t bad[] = { 0, MEMOWNER_CMD_ALERT_NTF,
						       MEMOWNER_CMD_EVENT_NTF };
			cmd = chance(40) ? bad[below(3)] : (uint8_t)(MEMOWNER_CMD_MAX + 1 +
								     below(255 - MEMOWNER_CMD_MAX));
		}
		if (o->dump)
			flags |= NLM_F_DUMP;
		if (chance(5))
			flags ^= NLM_F_DUMP;	/* a dump of a doit, a doit of a dump */
		if (chance(5))
			flags |= NLM_F_ECHO;
		if (chance(3))
			flags |= 1 << (5 + below(11));	/* REPLACE, EXCL, ... */
		if (!o->dump && chance(10))
			flags &= ~NLM_F_ACK;
		nl_header(flags, cmd, chance(90) ? MEMOWNER_GENL_VERSION : (uint8_t)rnd(),
			  chance(3) ? (uint16_t)(1 + below(0xffff)) : 0);
		gen_nl_attrs(op);
		((struct nlmsghdr *)nlmsg)->nlmsg_len = nllen;
		allowed = nl_model(op, &starts_dump);
		/* Successful reconfigurations and whole dumps cost: keep them rare. */
	} while (tries++ < 8 && (allowed & E_(0)) &&
		 ((op == N_SET_CONFIG && !chance(3)) ||
		  (starts_dump && chance(op == N_GET_PAGES ? 95 : 70))));

	if (op == N_GET_STACK && nl_handle_known != 0 && nl_handle != 0 &&
	    (allowed & E_(ENOENT)) && (allowed & E_(0))) {
		/* The model knows better for certain handles. */
		if (nl_handle_known > 0 && !G.concurrent)
			allowed &= ~E_(ENOENT);
		else if (nl_handle_known < 0)
			allowed &= ~E_(0);
	}
	nl_desc();
	if (G.verbose)
		printf("# %s\n", call_desc);
	r[0].seq = nl_seq;
	r[0].err = (flags & NLM_F_ACK) || o->dump ? 0 : -1;
	/* A dump gets a socket of its own: one left running would answer EBUSY. */
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP) {
		main_fd = nl_fd;
		nl_fd = nl_socket();
		if (nl_fd < 0) {
			nl_fd = main_fd;
			fail(st, "socket: %s", strerror(-nl_fd));
			return;
		}
	}
	if (send(nl_fd, nlmsg, nllen, 0) < 0) {
		fail(st, "send: %s", strerror(errno));
		return;
	}
	/* No ack asked: a ping (GET_INFO with an ack) tells when it is over. */
	if (!(flags & NLM_F_ACK) && !((flags & NLM_F_DUMP) == NLM_F_DUMP)) {
		nl_header(NLM_F_REQUEST | NLM_F_ACK, MEMOWNER_CMD_GET_INFO, 1, 0);
		((struct nlmsghdr *)nlmsg)->nlmsg_len = nllen;
		r[1].seq = nl_seq;
		send(nl_fd, nlmsg, nllen, 0);
		ping = true;
	}
	st->calls++;
	if (starts_dump && !ping && !chance(op == N_GET_PAGES ? 2 : 30)) {
		/* Abandon after the first message, or interleave with another dump. */
		ret = nl_collect(nl_fd, op, r, 1, 1);
		if (!ret && !r[0].done && chance(30)) {
			/* A second dump on the busy socket: EBUSY, or a dump if the first ended. */
			struct nlres b[2] = { r[0], { 0 } };

			nl_header(NLM_F_REQUEST | NLM_F_DUMP, MEMOWNER_CMD_THRESHOLD_GET, 1, 0);
			((struct nlmsghdr *)nlmsg)->nlmsg_len = nllen;
			b[1].seq = nl_seq;
			send(nl_fd, nlmsg, nllen, 0);
			ret = nl_collect(nl_fd, op, b, 2, 0);
			/* The module may go meanwhile (concurrent run). */
			if (!ret && b[1].err && b[1].err != EBUSY &&
			    !family_gone(b[1].err))
				fail(st, "a second dump on a busy socket: %s", ename(b[1].err));
			r[0] = b[0];
		} else if (!ret && !r[0].done && chance(50)) {
			/* Interleave with a dump of stacks on a second socket. */
			struct nlres b = { 0 };

			fd2 = nl_socket();
			nl_header(NLM_F_REQUEST | NLM_F_DUMP, MEMOWNER_CMD_GET_STACKS, 1, 0);
			((struct nlmsghdr *)nlmsg)->nlmsg_len = nllen;
			b.seq = nl_seq;
			if (fd2 >= 0 && send(fd2, nlmsg, nllen, 0) > 0) {
				while (!ret && (!r[0].done || !b.done)) {
					if (!b.done)
						ret = nl_collect(fd2, N_GET_STACKS, &b, 1, b.nmsgs + 1);
					if (!ret && !r[0].done)
						ret = nl_collect(nl_fd, op, r, 1, r[0].nmsgs + 1);
				}
				if (!ret && b.err && !family_gone(b.err))
					fail(st, "interleaved dump of stacks: %s", ename(b.err));
			}
			if (fd2 >= 0)
				close(fd2);
		}
		if (!ret && !r[0].done) {
			/* Close the socket mid-dump. */
			judge(st, 0, allowed);
			if (main_fd < 0)
				nl_reopen();
			return;
		}
	} else {
		ret = nl_collect(nl_fd, op, r, ping ? 2 : 1, 0);
	}
	if (ret) {
		fail(st, "no answer: %s", strerror(-ret));
		nl_end_dump_socket();
		nl_reopen();
		return;
	}
	if (r[0].err == -1)
		r[0].err = 0;	/* no ack asked, no error came */
	if (family_gone(r[0].err)) {
		G.gone++;
		st->gone++;
		return;
	}
	if (!judge(st, r[0].err, allowed))
		return;
	if (!r[0].err && op == N_SET_CONFIG)
		handles_stale = true;	/* a new epoch: see handles[] */
	if (r[0].bad)
		fail(st, "reply: %s", r[0].bad);
	if (!r[0].err && op == N_TADD && r[0].id && nr_rules < MEMOWNER_MAX_THRESHOLDS)
		rules[nr_rules++] = r[0].id;
	if (!r[0].err && op == N_TDEL)
		for (unsigned int i = 0; i < nr_rules; i++)
			if (rules[i] == nl_handle)
				rules[i] = rules[--nr_rules];
}

/* Framing: bad nlmsg lengths and flags, several messages in a datagram. */
static void nl_framing(struct opstat *st)
{
	struct nlres r[3] = { { 0 } };
	struct nlmsghdr *n = (void *)nlmsg;
	size_t len;
	eset allowed = 0;
	int k = (int)below(5), nr = 1, ret;

	nl_header(NLM_F_REQUEST | NLM_F_ACK, MEMOWNER_CMD_GET_INFO, 1, 0);
	n->nlmsg_len = nllen;
	len = nllen;
	r[0].seq = nl_seq;
	switch (k) {
	case 0:	/* shorter than the genl header: EINVAL */
		n->nlmsg_len = NLMSG_HDRLEN + below(GENL_HDRLEN);
		allowed = E_(EINVAL);
		break;
	case 1:	/* not a request: acked, not run */
		n->nlmsg_flags = NLM_F_ACK;
		allowed = E_(0);
		break;
	case 2:	/* longer than the datagram: dropped silently */
		n->nlmsg_len = len + 4 + below(1000);
		r[0].done = true;
		break;
	case 3:	/* shorter than a netlink header: dropped silently */
		n->nlmsg_len = below(NLMSG_HDRLEN);
		r[0].done = true;
		break;
	default: /* two requests in one datagram */
		memcpy(nlmsg + len, nlmsg, len);
		((struct nlmsghdr *)(nlmsg + len))->nlmsg_seq = ++nl_seq;
		r[1].seq = nl_seq;
		nr = 2;
		len *= 2;
		allowed = E_(0);
		break;
	}
	nl_desc();
	desc(" framing case %d", k);
	if (send(nl_fd, nlmsg, len, 0) < 0) {
		fail(st, "send: %s", strerror(errno));
		return;
	}
	nl_header(NLM_F_REQUEST | NLM_F_ACK, MEMOWNER_CMD_GET_INFO, 1, 0);
	n->nlmsg_len = nllen;
	r[nr].seq = nl_seq;
	send(nl_fd, nlmsg, nllen, 0);
	ret = nl_collect(nl_fd, N_GET_INFO, r, nr + 1, 0);
	st->calls++;
	if (ret) {
		fail(st, "no answer: %s", strerror(-ret));
		nl_reopen();
		return;
	}
	if (family_gone(r[nr].err) || (nr == 2 && family_gone(r[1].err))) {
		st->gone++;
		return;
	}
	if (k == 2 || k == 3) {
		if (r[0].nmsgs || r[0].err)
			fail(st, "a dropped message was answered");
		judge(st, 0, E_(0));
		return;
	}
	judge(st, r[0].err, allowed);
	if (nr == 2)
		judge(st, r[1].err, allowed);
}

/* ---- driving ------------------------------------------------------------- */

#define NR_OPS	(I_NR + 1 + N_NR)
#define OP_IOC_UNKNOWN	I_NR

static const char *op_name(int op)
{
	if (op < I_NR)
		return iocs[op].name;
	if (op == OP_IOC_UNKNOWN)
		return "ioctl-unknown-cmd";
	return nlops[op - I_NR - 1].name;
}

static void ioctl_unknown(struct opstat *st)
{
	static const uint8_t avoid[] = { 0x00, 'T', 'X', 'f', 0x94, 0x15, 0x12, 'v' };
	unsigned long cmd;
	uint8_t type;
	bool ok;
	int ret;

	do {
		if (chance(60)) {	/* our magic, a number we do not serve */
			cmd = _IOC(below(4), MEMOWNER_IOC_MAGIC, 9 + below(247), below(1 << 14));
		} else {
			cmd = (uint32_t)rnd();
		}
		type = _IOC_TYPE(cmd);
		ok = true;
		for (unsigned int i = 0; i < sizeof(avoid); i++)
			ok &= type != avoid[i];	/* the VFS serves these for any file */
		/*
		 * A random number can be one we serve: our magic and one of
		 * our numbers (the size bits are not matched, see device.c).
		 * Seen once in 750 calls: EINVAL from GET_STACK's own checks.
		 */
		ok &= !(type == MEMOWNER_IOC_MAGIC && _IOC_NR(cmd) < 9);
	} while (!ok);
	desc_len = 0;
	desc("ioctl cmd=%#lx arg=%p", cmd, (void *)RW);
	ret = ioctl(dev_fd, cmd, chance(50) ? (void *)RW : NULL);
	st->calls++;
	judge(st, ret ? errno : 0, E_(ENOTTY));
}

static void one_call(int op, long i, struct opstat *st)
{
	cur_op = op_name(op);
	cur_call = i;
	rs = mix64(G.seed ^ mix64((uint64_t)op << 40 ^ (uint64_t)i));
	if (op < I_NR) {
		if (op == I_TADD)
			housekeeping_rules(st);
		ioctl_call(op, st);
	} else if (op == OP_IOC_UNKNOWN) {
		ioctl_unknown(st);
	} else if (op - I_NR - 1 == N_FRAMING) {
		nl_framing(st);
	} else {
		if (op - I_NR - 1 == N_TADD)
			housekeeping_rules(st);
		nl_call(op - I_NR - 1, st);
	}
}

static void print_stat(const char *name, const struct opstat *st, double secs)
{
	char hist[512];
	size_t n = 0;

	hist[0] = 0;
	for (int e = 0; e < 140; e++)
		if (st->err_hist[e])
			n += snprintf(hist + n, sizeof(hist) - n, " %s:%ld", ename(e),
				      st->err_hist[e]);
	printf("# %s: %ld calls in %.1f s (%.0f/s), %ld failures, %ld module-gone;%s\n",
	       name, st->calls, secs, secs > 0 ? st->calls / secs : 0.0, st->fails,
	       st->gone, hist);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fuzz @op for @calls calls: 0 when every result was right. */
static int fuzz_op(int op, long calls, long first)
{
	struct opstat st = { 0 };
	double t0 = now_s();
	long i;

	for (i = first; i < first + calls; i++) {
		if (G.only_call >= 0 && i != G.only_call)
			continue;
		one_call(op, i, &st);
	}
	print_stat(op_name(op), &st, now_s() - t0);
	return st.fails ? -1 : 0;
}

static int setup_interfaces(void)
{
	char *kp = read_file("/proc/sys/kernel/kptr_restrict");
	int ret;

	G.see_addrs = G.admin && kp && atoi(kp) < 2;
	free(kp);
	ret = dev_open();
	if (ret)
		return ret;
	harvest_handles();
	return nl_reopen();
}

static void remove_rules(void)
{
	struct opstat st = { 0 };

	while (nr_rules) {
		struct memowner_threshold_id id = { .size = sizeof(id), .id = rules[--nr_rules] };

		if (ioctl(dev_fd, MEMOWNER_IOC_THRESHOLD_DEL, &id) && errno != ENOENT)
			fail(&st, "removing rule %u: %s", id.id, strerror(errno));
	}
}

/* ---- the concurrent run -------------------------------------------------- */

/*
 * Every op again, this time while helper processes change the
 * configuration (SET_CONFIG ioctls), read (the CLI's top, stacks, caches
 * and leaks, debugfs), allocate on every CPU (the test module) and reload
 * memowner.  The fuzzer paces the reloads: it asks for one in the middle
 * of each op's calls (and every eighth of the mixed run), and a netlink
 * op goes on calling while rmmod runs -- the race of issue 10, a doit or
 * dump against a module going away.  An open /dev/memowner pins the
 * module, so ioctl ops (and the helpers) close the device while a reload
 * runs and wait for it.  Reloads at a fixed pace, not a fixed interval:
 * on the debug kernel an insmod under this load takes 10-15 s, and a
 * reloader that unloaded every 300 ms kept the module absent most of the
 * time (the concurrent run had not ended after 25 minutes); paced, the
 * run costs its calls plus one reload per op on any kernel.
 */
struct conc_ctl {
	int busy;		/* a reload runs: close the device, wait */
	int requested;		/* reloads the fuzzer asked for */
	int done;		/* reloads made */
};
static struct conc_ctl *ctl;
static pid_t reloader_pid = -1;

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* An inherited open of the device would pin the module. */
		dev_close();
		if (nl_fd >= 0)
			close(nl_fd);
		fn();
		_exit(0);
	}
	return pid;
}

static void config_changer(void)
{
	for (uint64_t n = 1;; n++) {
		struct memowner_config c = { .size = sizeof(c) };
		int fd;

		while (__atomic_load_n(&ctl->busy, __ATOMIC_SEQ_CST))
			usleep(5000);
		fd = open(MEMOWNER_DEVICE, O_RDWR);
		rs = mix64(G.seed + n * 7919);
		if (fd < 0) {
			usleep(20000);
			continue;
		}
		c.flags = (uint32_t)(1 + below(__MEMOWNER_CONFIG_F_ALL));
		c.sources = (uint32_t)below(16);
		c.mode = (uint32_t)below(3);
		c.depth = (uint32_t)(1 + below(64));
		c.enabled = (uint32_t)below(2);
		c.sample_bytes = 1 + below(1 << 20);
		if (ioctl(fd, MEMOWNER_IOC_SET_CONFIG, &c) && errno != ENODEV) {
			printf("# changer: SET_CONFIG flags %#x sources %#x mode %u depth %u enabled %u sample_bytes %llu: %s\n",
			       c.flags, c.sources, c.mode, c.depth, c.enabled,
			       (unsigned long long)c.sample_bytes, strerror(errno));
			fflush(stdout);
			_exit(10 + errno);
		}
		close(fd);
		usleep(50000 + below(100000));
	}
}

static void reader(void)
{
	static const char *const cmds[] = {
		"memowner top -b -n 1 -d 1 >/dev/null 2>&1",
		"memowner stacks -n 3 >/dev/null 2>&1",
		"memowner caches >/dev/null 2>&1",
		"memowner leaks --older-than 1s >/dev/null 2>&1",
		"head -c 65536 " DBG "page_owner >/dev/null 2>&1",
		"cat " DBG "status >/dev/null 2>&1",
		"head -c 65536 " DBG "show_stacks >/dev/null 2>&1",
	};

	for (unsigned int n = 0;; n++) {
		const char *cmd;
		int st;

		while (__atomic_load_n(&ctl->busy, __ATOMIC_SEQ_CST))
			usleep(5000);	/* the CLI and debugfs files pin the module */
		cmd = cmds[n % ARRAY_LEN(cmds)];
		st = system(cmd);

		if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL) {
			printf("# reader: \"%s\" killed by signal %d\n", cmd, WTERMSIG(st));
			fflush(stdout);
			_exit(20);
		}
		usleep(20000);
	}
}

static void loader(void)
{
	for (;;) {
		tm("stress 20000 64");
		tm("alloc kmalloc 200 128");
		tm("alloc pages 20 1");
		tm("free kmalloc");
		tm("free pages");
		usleep(10000);
	}
}

/*
 * One reload per request, busy from before the unload until the load is
 * done.  A module still busy after 30 tries of unload_module() (each
 * 10 s times the timeout scale) is held by something that does not let
 * go: the run fails.
 */
static void reloader(void)
{
	for (;;) {
		int ret, tries = 0;

		while (__atomic_load_n(&ctl->done, __ATOMIC_SEQ_CST) >=
		       __atomic_load_n(&ctl->requested, __ATOMIC_SEQ_CST))
			usleep(5000);
		__atomic_store_n(&ctl->busy, 1, __ATOMIC_SEQ_CST);
		do
			ret = unload_module("memowner");
		while (ret == -EBUSY && ++tries < 30);
		if (ret) {
			printf("# reloader: unloading memowner: %s\n", strerror(-ret));
			fflush(stdout);
			_exit(31);
		}
		usleep(20000);
		ret = load_module(getenv("MEMOWNER_KO"), "");
		if (ret && ret != -EEXIST) {
			usleep(100000);
			ret = load_module(getenv("MEMOWNER_KO"), "");
		}
		if (ret && ret != -EEXIST) {
			printf("# reloader: loading memowner.ko again: %s\n", strerror(-ret));
			fflush(stdout);
			_exit(30);
		}
		__atomic_add_fetch(&ctl->done, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&ctl->busy, 0, __ATOMIC_SEQ_CST);
	}
}

static void request_reload(void)
{
	if (reloader_pid > 0)
		__atomic_add_fetch(&ctl->requested, 1, __ATOMIC_SEQ_CST);
}

/* A reload asked for and not made yet, or running. */
static bool reload_pending(void)
{
	return __atomic_load_n(&ctl->busy, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&ctl->done, __ATOMIC_SEQ_CST) <
	       __atomic_load_n(&ctl->requested, __ATOMIC_SEQ_CST);
}

/*
 * Wait until every requested reload is made (the device closed meanwhile);
 * -1 when the reloader died (it said why).
 */
static int wait_reloads(struct opstat *st)
{
	int status;

	dev_close();
	while (reloader_pid > 0 && reload_pending()) {
		if (waitpid(reloader_pid, &status, WNOHANG) == reloader_pid) {
			reloader_pid = -1;
			fail(st, "the reloader exited with %d",
			     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			return -1;
		}
		usleep(5000);
	}
	return 0;
}

/*
 * Before each call of the concurrent run: while a reload is pending the
 * device is closed (it would pin the module) and an ioctl op waits for the
 * reload; otherwise the device is open.  0, or -1 after a failure.
 */
static int conc_prepare(int op, struct opstat *st)
{
	if (reload_pending()) {
		if (op > OP_IOC_UNKNOWN) {
			dev_close();	/* a netlink call races the reload */
			return 0;
		}
		if (wait_reloads(st))
			return -1;
	}
	if (dev_fd < 0) {
		if (dev_open()) {
			fail(st, "cannot open the device again");
			return -1;
		}
		harvest_handles();
	}
	return 0;
}

static bool is_set_config(int op)
{
	return op == I_SET_CONFIG || op == I_NR + 1 + N_SET_CONFIG;
}

/* @calls calls of @op (first call @first) under the helpers; 0 when right. */
static int conc_op(int op, long calls, long first, struct opstat *st)
{
	long i, half = first + calls / 2;

	for (i = first; i < first + calls; i++) {
		if (i == half)
			request_reload();
		if (conc_prepare(op, st))
			return -1;
		one_call(op, i, st);
	}
	if (wait_reloads(st))
		return -1;
	return st->fails ? -1 : 0;
}

/* Mixed calls of every op, @calls in all, a reload every eighth. */
static int conc_mixed(long calls, long first, struct opstat *st)
{
	long step = calls / 8 ?: 1;

	for (long i = first; i < first + calls; i++) {
		int op = (int)(mix64(G.seed ^ i) % NR_OPS);

		if (!((i - first) % step))
			request_reload();
		/* While a reload runs: netlink calls only, racing it. */
		if (reload_pending() && op <= OP_IOC_UNKNOWN)
			op = I_NR + 1 + (int)(mix64(G.seed ^ i) % N_NR);
		if (is_set_config(op))
			op = I_NR + 1 + N_GET_INFO;	/* the changer does those */
		if (conc_prepare(op, st))
			return -1;
		one_call(op, i, st);
	}
	if (wait_reloads(st))
		return -1;
	return st->fails ? -1 : 0;
}

/*
 * The helpers for the concurrent run; 0, or -1 (they are stopped by
 * conc_stop()).
 */
static pid_t kids[6];
static int nr_kids;

static int conc_start(void)
{
	ctl = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED)
		return -1;
	G.concurrent = true;
	nr_kids = 0;
	kids[nr_kids++] = spawn(config_changer);
	kids[nr_kids++] = spawn(reader);
	kids[nr_kids++] = spawn(reader);
	kids[nr_kids++] = spawn(loader);
	if (have_modules())
		kids[nr_kids++] = reloader_pid = spawn(reloader);
	return 0;
}

/* Stop the helpers; -1 when one failed or the module was never reloaded. */
static int conc_stop(void)
{
	int status, bad = 0;

	for (int k = 0; k < nr_kids; k++) {
		kill(kids[k], SIGKILL);
		if (waitpid(kids[k], &status, 0) != kids[k])
			continue;	/* the reloader, reaped when it died */
		if (WIFEXITED(status) && WEXITSTATUS(status)) {
			printf("# helper %d exited with %d\n", k, WEXITSTATUS(status));
			bad = 1;
		}
	}
	reloader_pid = -1;
	G.concurrent = false;
	printf("# memowner.ko unloaded and loaded again %d times during the run\n", ctl->done);
	if (have_modules() && ctl->done < ctl->requested) {
		printf("# %d reloads asked for, %d made\n", ctl->requested, ctl->done);
		bad = 1;
	}
	if (have_modules() && !ctl->done) {
		printf("# the module was never reloaded\n");
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* ---- main ---------------------------------------------------------------- */

static long env_calls(void)
{
	const char *e = getenv("MEMOWNER_FUZZ_CALLS");

	return e && atol(e) > 0 ? atol(e) : 3000;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_test [--seed N] [--calls N] [--op NAME [--call I]] [-v] [--list]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "op", required_argument, NULL, 'o' },
		{ "call", required_argument, NULL, 'i' },
		{ "list", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false;
	int c, op, ret;
	long child_calls;
	pid_t pid;

	G.calls = env_calls();
	G.module_header_check = kernel_before(6, 1);
	while ((c = getopt_long(argc, argv, "s:c:o:i:lv", opts, NULL)) != -1) {
		switch (c) {
		case 's': G.seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 'c': G.calls = atol(optarg); break;
		case 'o': G.only_op = optarg; break;
		case 'i': G.only_call = atol(optarg); break;
		case 'v': G.verbose = true; break;
		case 'l':
			for (op = 0; op < NR_OPS; op++)
				printf("%s\n", op_name(op));
			return 0;
		default: usage();
		}
	}
	if (!seeded && getenv("MEMOWNER_FUZZ_SEED")) {
		G.seed = strtoull(getenv("MEMOWNER_FUZZ_SEED"), NULL, 0);
		seeded = true;
	}
	if (!seeded)
		G.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	mo_require_module();
	setup_memory();
	ksft_print_header();
	printf("# seed %" PRIu64 " (replay: fuzz_test --seed %" PRIu64 "), %ld calls per operation\n",
	       G.seed, G.seed, G.calls);

	if (G.only_op) {
		for (op = 0; op < NR_OPS && strcmp(op_name(op), G.only_op); op++)
			;
		if (op == NR_OPS)
			usage();
		ksft_set_plan(1);
		ret = setup_interfaces();
		if (ret)
			ksft_exit_fail_msg("setup: %s\n", strerror(-ret));
		ret = fuzz_op(op, G.only_call >= 0 ? G.only_call + 1 : G.calls, 0);
		remove_rules();
		ksft_test_result(!ret, "%s\n", op_name(op));
		ksft_finished();
	}

	/* Start from a fresh instance so that no rule of another test is left. */
	if (have_modules() && memowner_reload(""))
		ksft_exit_fail_msg("reloading memowner.ko failed\n");
	ksft_set_plan(3 * NR_OPS + 1);
	ret = setup_interfaces();
	if (ret)
		ksft_exit_fail_msg("setup: %s\n", strerror(-ret));

	for (op = 0; op < NR_OPS; op++) {
		ret = fuzz_op(op, G.calls, 0);
		ksft_test_result(!ret, "as root: %s\n", op_name(op));
	}
	remove_rules();

	/* The same as a reader with CAP_PERFMON only, in a child. */
	child_calls = G.calls / 4 ?: 1;
	for (op = 0; op < NR_OPS; op++) {
		int status;

		pid = fork();
		if (pid == 0) {
			dev_close();
			if (mo_keep_caps(MO_CAP(CAP_PERFMON)))
				_exit(3);
			G.admin = false;
			nr_rules = 0;
			if (setup_interfaces())
				_exit(4);
			_exit(fuzz_op(op, child_calls, 1L << 32) ? 1 : 0);
		}
		waitpid(pid, &status, 0);
		ksft_test_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				 "as a CAP_PERFMON reader: %s\n", op_name(op));
	}

	/*
	 * Every op again under the helpers, as root, with a reload in the
	 * middle of each; then mixed calls of every op (at most 40000, so
	 * that make fuzz stays hours, not days, long on the debug kernel).
	 */
	if (conc_start())
		ksft_exit_fail_msg("the concurrent run's helpers: %s\n", strerror(errno));
	for (op = 0; op < NR_OPS; op++) {
		struct opstat st = { 0 };
		double t0 = now_s();
		long gone0 = G.gone;

		ret = conc_op(op, G.calls, 2L << 32, &st);
		st.gone += G.gone - gone0;
		print_stat(op_name(op), &st, now_s() - t0);
		ksft_test_result(!ret, "under changes, readers, load and a reload: %s\n",
				 op_name(op));
	}
	{
		struct opstat st = { 0 };
		double t0 = now_s();
		long gone0 = G.gone;

		ret = conc_mixed(G.calls < 40000 ? G.calls : 40000, 3L << 32, &st);
		st.gone += G.gone - gone0;
		print_stat("mixed", &st, now_s() - t0);
		ret |= conc_stop();
	}
	ksft_test_result(!ret, "every op mixed under SET_CONFIG changes, readers, allocation load and reloads\n");

	/* Leave memowner as it was: defaults, no rule, the test module empty. */
	dev_close();
	if (nl_fd >= 0)
		close(nl_fd);
	if (have_modules()) {
		tm("reset");
		if (memowner_reload(""))
			printf("# cleanup: reloading memowner.ko failed\n");
	}
	printf("# %ld failures in all, %ld results of the module vanishing\n",
	       G.failures, G.gone);
	ksft_finished();
}
