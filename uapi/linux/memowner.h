/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * memowner: who owns kernel memory -- the userspace ABI.
 *
 * This is the only header shared by memowner.ko and its userspace.  All
 * structures use fixed-size fields only; every padding or reserved field must
 * be zero on input and is zero on output.
 *
 * Access
 * ------
 * /dev/memowner (mode 0600) and the generic-netlink family "memowner" are
 * usable only by callers with CAP_SYS_ADMIN, or CAP_PERFMON for read-only
 * operations.  Opening the device without either fails with -EPERM.
 *
 * Extensible structures
 * ---------------------
 * Every ioctl argument starts with "__u32 size": the size of the structure as
 * the caller knows it.  The module follows copy_struct_from_user() rules:
 *   - size smaller than the first published version      -> -EINVAL
 *   - size larger than the module knows, with a tail that
 *     is not all zeroes                                  -> -E2BIG
 *   - a smaller known version is accepted; only the fields it contains are
 *     read and written, and "size" is set to the number of bytes written.
 * The size bits encoded in the ioctl command number are ignored: "size" is the
 * authority, so one command number serves every version of a structure.
 *
 * ioctls
 * ------
 * MEMOWNER_IOC_GET_INFO  struct memowner_info (in: size, flags = 0)
 *	Module version, ABI version, feature bits and counters.
 *	-EFAULT bad pointer, -EINVAL short size / non-zero flags or padding,
 *	-E2BIG larger struct with non-zero tail.
 * Any other command on the device fails with -ENOTTY.
 *
 * Generic netlink family "memowner" (version MEMOWNER_GENL_VERSION)
 * ----------------------------------------------------------------
 * Attributes of replies are nested under no top-level container; unknown
 * attributes in requests are rejected with an extended-ack message.
 *
 * MEMOWNER_CMD_GET_INFO (do)  request: no attributes
 *	reply:
 *	  MEMOWNER_A_INFO_VERSION      NLA_NUL_STRING  module version "X.Y.Z"
 *	  MEMOWNER_A_INFO_ABI_VERSION  NLA_U32         MEMOWNER_ABI_VERSION
 *	  MEMOWNER_A_INFO_FEATURES     NLA_U64         MEMOWNER_FEAT_* bits
 *	  MEMOWNER_A_INFO_LOADED_NS    NLA_U64         CLOCK_BOOTTIME at load
 *	  MEMOWNER_A_INFO_NR_OPENS     NLA_U64         device opens
 *	  MEMOWNER_A_INFO_NR_IOCTLS    NLA_U64         ioctls served
 *	  MEMOWNER_A_INFO_NR_REQUESTS  NLA_U64         netlink requests served
 *	  MEMOWNER_A_INFO_MEM_BYTES    NLA_U64         memowner's own memory
 */
#ifndef _UAPI_LINUX_MEMOWNER_H
#define _UAPI_LINUX_MEMOWNER_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MEMOWNER_DEVICE		"/dev/memowner"
#define MEMOWNER_GENL_NAME	"memowner"
#define MEMOWNER_GENL_VERSION	1

/* Bumped on any incompatible change; compatible additions grow structs. */
#define MEMOWNER_ABI_VERSION	1

#define MEMOWNER_VERSION_CODE(maj, min, patch) \
	(((maj) << 16) | ((min) << 8) | (patch))

/* Feature bits of memowner_info.features and MEMOWNER_A_INFO_FEATURES. */
enum memowner_feature {
	MEMOWNER_FEAT_IOCTL	= 1 << 0,	/* /dev/memowner ioctls */
	MEMOWNER_FEAT_GENL	= 1 << 1,	/* generic netlink family */
	MEMOWNER_FEAT_DEBUGFS	= 1 << 2,	/* /sys/kernel/debug/memowner */

	__MEMOWNER_FEAT_ALL	= (1 << 3) - 1,
};

/**
 * struct memowner_info - MEMOWNER_IOC_GET_INFO argument
 * @size:         in: sizeof(struct memowner_info) known to the caller;
 *                out: bytes written
 * @flags:        in: must be 0 (no flags defined)
 * @abi_version:  out: MEMOWNER_ABI_VERSION of the module
 * @version:      out: module version, MEMOWNER_VERSION_CODE(maj, min, patch)
 * @features:     out: MEMOWNER_FEAT_* bits
 * @loaded_ns:    out: CLOCK_BOOTTIME nanoseconds when the module loaded
 * @nr_opens:     out: opens of /dev/memowner since load
 * @nr_ioctls:    out: ioctls on /dev/memowner since load (including this one)
 * @nr_requests:  out: generic netlink requests served since load
 * @mem_bytes:    out: memory memowner itself holds, in bytes
 * @nr_cpus:      out: possible CPUs (size of per-CPU tables)
 * @__pad:        must be 0
 */
struct memowner_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 version;
	__u64 features;
	__u64 loaded_ns;
	__u64 nr_opens;
	__u64 nr_ioctls;
	__u64 nr_requests;
	__u64 mem_bytes;
	__u32 nr_cpus;
	__u32 __pad;
};

#define MEMOWNER_INFO_SIZE_VER0	72	/* first published struct memowner_info */

#define MEMOWNER_IOC_MAGIC	0xB7
#define MEMOWNER_IOC_GET_INFO	_IOWR(MEMOWNER_IOC_MAGIC, 0x00, struct memowner_info)

/* Allocation sources (bit numbers of source masks). */
enum memowner_source {
	MEMOWNER_SRC_SLAB,	/* kmalloc, kmem_cache_alloc (+ bulk) */
	MEMOWNER_SRC_PAGE,	/* page allocator, any order */
	MEMOWNER_SRC_PERCPU,	/* alloc_percpu */
	MEMOWNER_SRC_VMALLOC,	/* vmalloc and friends */

	__MEMOWNER_SRC_LAST,
	MEMOWNER_SRC_MAX = __MEMOWNER_SRC_LAST - 1
};

#define __MEMOWNER_SRC_F_ALL	((1U << __MEMOWNER_SRC_LAST) - 1)

/* Tracking modes. */
enum memowner_mode {
	MEMOWNER_MODE_STACK,	/* full stack per allocation, exact */
	MEMOWNER_MODE_CALLSITE,	/* allocation call site only, exact */
	MEMOWNER_MODE_SAMPLE,	/* stacks of a byte-sampled subset, weighted */

	__MEMOWNER_MODE_LAST,
	MEMOWNER_MODE_MAX = __MEMOWNER_MODE_LAST - 1
};

/* Generic netlink commands. */
enum memowner_cmd {
	MEMOWNER_CMD_UNSPEC,
	MEMOWNER_CMD_GET_INFO,

	__MEMOWNER_CMD_MAX,
	MEMOWNER_CMD_MAX = __MEMOWNER_CMD_MAX - 1
};

/* Attributes of MEMOWNER_CMD_GET_INFO replies. */
enum memowner_attr {
	MEMOWNER_A_UNSPEC,
	MEMOWNER_A_INFO_VERSION,
	MEMOWNER_A_INFO_ABI_VERSION,
	MEMOWNER_A_INFO_FEATURES,
	MEMOWNER_A_INFO_LOADED_NS,
	MEMOWNER_A_INFO_NR_OPENS,
	MEMOWNER_A_INFO_NR_IOCTLS,
	MEMOWNER_A_INFO_NR_REQUESTS,
	MEMOWNER_A_INFO_MEM_BYTES,
	MEMOWNER_A_PAD,

	__MEMOWNER_A_LAST,
	MEMOWNER_A_MAX = __MEMOWNER_A_LAST - 1
};

#endif /* _UAPI_LINUX_MEMOWNER_H */
