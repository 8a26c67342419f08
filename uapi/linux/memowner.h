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
 * Common errors: -EFAULT bad pointer, -EINVAL short size / unknown flag /
 * non-zero padding / a field out of range, -E2BIG larger struct with a
 * non-zero tail, or a size (also row_size, state_size) above a page, or
 * max_rows above MEMOWNER_SNAPSHOT_MAX_ROWS, -EPERM a change requested by
 * a reader opened without CAP_SYS_ADMIN, -ENODEV the module is being
 * unloaded (every call on a device still open).  On any error nothing
 * changes and nothing is written back.  Any other command on the device
 * fails with -ENOTTY.
 *
 * MEMOWNER_IOC_GET_INFO  struct memowner_info (in: size, flags = 0)
 *	Module version, ABI version, feature bits, counters and the current
 *	tracking configuration.
 *
 * MEMOWNER_IOC_SET_CONFIG  struct memowner_config (CAP_SYS_ADMIN)
 *	Change the fields named by flags (MEMOWNER_CONFIG_F_*, at least one:
 *	-EINVAL for none): sources, mode, depth (1..64), sample_bytes
 *	(1..2^40), enabled (0/1); -ENODEV when none of the sources asked for
 *	can be tracked on this kernel (memowner status says why).  Any change but
 *	enabled=0 starts a new tracking epoch: probes are detached, every
 *	record and counter is cleared, probes are attached again with the new
 *	configuration and pages in use are accounted "before load" anew.
 *	The stack table and the owner sites are emptied too, so stack handles
 *	name stacks of one epoch only (a netlink dump across a new epoch is
 *	flagged NLM_F_DUMP_INTR; MEMOWNER_A_GENERATION changes); an alert rule on a stack keeps it by its frames, under the handle they
 *	get in the new epoch.  A depth above any configured since load needs
 *	a larger stack table: -ENOMEM, nothing changed, when it cannot be had.
 *	enabled=0 detaches everything (zero cost) and keeps the last view.
 *
 * MEMOWNER_IOC_SNAPSHOT  struct memowner_snapshot
 *	The top max_rows owners by "sort", grouped by "group", filtered by
 *	source mask, tgid, cache name, module name and a minimum sort value;
 *	rows go to the array at "rows" (struct memowner_row, row_size bytes
 *	each as the caller knows it).  "total" returns how many rows matched,
 *	so a caller can size its buffer; nr_rows how many were written.
 *	Rows name their owner without kernel addresses: a stack handle (see
 *	GET_STACK), a cache/module/task name.
 *
 * MEMOWNER_IOC_GET_STACK  struct memowner_stack
 *	Frames of stack handle "handle": symbolized ("func+0x1e/0x40 [mod]",
 *	one per line) into the buffer at "text" (text_len bytes), and, only for
 *	a reader opened with CAP_SYSLOG when kptr_restrict allows, raw
 *	addresses into "frames" (-EPERM otherwise; pass 0).  -ENOENT unknown
 *	handle, -ENOSPC a buffer too small (nr_frames/text_len tell the need).
 *
 * MEMOWNER_IOC_MARK  struct memowner_mark (CAP_SYS_ADMIN)
 *	Take the current live bytes of every owner as the baseline of
 *	"growth" (MEMOWNER_SORT_GROWTH, memowner_row.growth_bytes).
 *
 * MEMOWNER_IOC_RESET  struct memowner_reset (CAP_SYS_ADMIN)
 *	Restart the totals (allocs, frees, bytes allocated) from zero; live
 *	values are not affected.
 *
 * MEMOWNER_IOC_THRESHOLD_ADD  struct memowner_threshold (CAP_SYS_ADMIN)
 *	Add an alert rule; returns its id.  The owner is a stack (owner_id =
 *	stack handle), a slab cache or a module (owner_name), a process
 *	(owner_id = tgid) or everything tracked (GLOBAL).  The metric is live
 *	bytes, live pages, or the growth rate of live bytes in bytes/s over
 *	window_ms.  A rule fires when the value reaches "high", then stays
 *	quiet until the value falls to "low" or below (hysteresis; low < high)
 *	and at least min_interval_ms passed (rate limit).  Rules are checked
 *	every alert_period_ms (module parameter, default 100) whether or not
 *	anyone reads; alerts go to the netlink multicast group "alerts".
 *	-ENOSPC when MEMOWNER_MAX_THRESHOLDS rules exist.
 *
 * MEMOWNER_IOC_THRESHOLD_DEL  struct memowner_threshold_id (CAP_SYS_ADMIN)
 *	Remove rule "id"; -ENOENT if there is none.
 *
 * MEMOWNER_IOC_THRESHOLD_LIST  struct memowner_threshold_list
 *	The rules (struct memowner_threshold_state, state_size bytes each as
 *	the caller knows it) into the array at "rules"; "total" is how many
 *	exist.
 *
 * Generic netlink family "memowner" (version MEMOWNER_GENL_VERSION)
 * ----------------------------------------------------------------
 * Attributes of replies are nested under no top-level container; unknown
 * attributes in requests are rejected with an extended-ack message.
 *
 * Objects are returned as nested attributes (MEMOWNER_A_STACK, ...).
 * Dumps are resumable across messages; each message carries the table
 * generation (genl_dump_check_consistent): a reader sees NLM_F_DUMP_INTR
 * when the stack table changed under it.
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
 *	  MEMOWNER_A_INFO_SOURCES_TRACKED  NLA_U32     sources tracked
 *	  MEMOWNER_A_INFO_SOURCES_DEGRADED NLA_U32     sources with a hook missing
 *
 * Errors of every command come with an extended-ack message: -EPERM
 * without CAP_PERFMON or CAP_SYS_ADMIN (SET_CONFIG: CAP_SYS_ADMIN); -EINVAL
 * an attribute the command does not take, a reply attribute, a wrong
 * length or nesting, an unknown source bit, a missing attribute; -ERANGE a
 * value out of range; -ENODEV the module is being unloaded.  The netlink
 * core's own errors apply too: -EBUSY a second dump on a socket whose
 * dump is still running, -EOPNOTSUPP a command number the family does not
 * have (or a dump of a do-only command), -ENOENT/-EPROTONOSUPPORT the
 * family is gone (module unloaded).  An error found when a dump starts comes as the
 * request's error, or on kernels before 6.2 in the NLMSG_DONE ending the
 * dump (errno and message alike).  Dump messages hold MEMOWNER_A_GENERATION
 * and as many object nests as fit.
 *
 * MEMOWNER_CMD_GET_STACKS (dump)  request: MEMOWNER_A_FILTER_SOURCES,
 *	MEMOWNER_A_FILTER_MIN_BYTES (both optional)
 *	reply: MEMOWNER_A_STACK per stack, by live bytes, descending:
 *	  ID, SOURCE (or MEMOWNER_SRC_MIXED), LIVE_BYTES, LIVE_PAGES,
 *	  LIVE_OBJECTS, ALLOCS, FREES, BYTES_ALLOCATED, EXTFRAG (fragmenting
 *	  page-allocator fallbacks this stack caused: who fragments memory),
 *	  FRAMES (a MEMOWNER_A_STACK_FRAME string per frame, "?" when no
 *	  symbol), and ADDRS (__u64 per frame) only for CAP_SYSLOG with
 *	  kptr_restrict < 2
 *
 * MEMOWNER_CMD_GET_STACK (do)  request: MEMOWNER_A_STACK_HANDLE
 *	reply: one MEMOWNER_A_STACK; -ENOENT for an unknown handle
 *
 * MEMOWNER_CMD_GET_PAGES (dump)  request: no attributes
 *	reply: MEMOWNER_A_PAGE per tracked page block, by PFN: PFN, ORDER,
 *	  GFP, MIGRATETYPE, PID, TGID, COMM, TS_NS, STACK; pages in use before
 *	  load are order-0 blocks of pid 0, comm "", the "before load" stack
 *
 * MEMOWNER_CMD_GET_CACHES (dump)  request: no attributes
 *	reply: MEMOWNER_A_CACHE per slab cache and call site, by live count:
 *	  NAME, CALLSITE, STACK, COUNT, BYTES, AGE_MIN/AVG/MAX_MS,
 *	  PID_MIN/MAX, CPUS (__u64 words: CPU n is bit n % 64 of word n / 64)
 *
 * MEMOWNER_CMD_GET_LEAKS (dump)  request: MEMOWNER_A_FILTER_OLDER_THAN_MS
 *	(required), MEMOWNER_A_FILTER_SOURCES, MEMOWNER_A_FILTER_MIN_BYTES
 *	reply: MEMOWNER_A_LEAK per stack with live objects at least that old:
 *	  STACK, SOURCE, COUNT, BYTES, OLDEST_MS
 *
 * MEMOWNER_CMD_SET_CONFIG (do, CAP_SYS_ADMIN)  request: MEMOWNER_A_CONFIG
 *	naming at least one of SOURCES, MODE, DEPTH, SAMPLE_BYTES, ENABLED
 *	(ranges as MEMOWNER_IOC_SET_CONFIG); reply: the ack
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
 * -- since MEMOWNER_INFO_SIZE_VER1:
 * @sources:      out: sources tracked, BIT(MEMOWNER_SRC_*)
 * @mode:         out: MEMOWNER_MODE_*
 * @depth:        out: frames per stack
 * @enabled:      out: 1 when probes are attached
 * @sample_bytes: out: mean sampling interval (mode sample)
 * @live_objects: out: records in the owner table
 * @nr_stacks:    out: stacks in the stack table
 * @nr_drops:     out: events not recorded for lack of room, all tables
 * -- since MEMOWNER_INFO_SIZE_VER2:
 * @sources_tracked:  out: sources actually tracked, BIT(MEMOWNER_SRC_*):
 *                every hook that ends a record (free, split) and at least
 *                one allocation hook attached
 * @sources_degraded: out: sources asked for with some hook not attached on
 *                this kernel (prototype changed, not declared, failed):
 *                not tracked at all when not in sources_tracked, else
 *                tracked with a gap; debugfs status names each hook
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
	__u32 sources;
	__u32 mode;
	__u32 depth;
	__u32 enabled;
	__u64 sample_bytes;
	__u64 live_objects;
	__u32 nr_stacks;
	__u32 __pad2;
	__u64 nr_drops;
	__u32 sources_tracked;
	__u32 sources_degraded;
};

#define MEMOWNER_INFO_SIZE_VER0	72	/* first published struct memowner_info */

/*
 * The tracking configuration, as reported by GET_INFO and set by
 * SET_CONFIG (fields follow struct memowner_info's first version).
 */
#define MEMOWNER_INFO_SIZE_VER1	120	/* + config and tracking counters */
#define MEMOWNER_INFO_SIZE_VER2	128	/* + sources tracked/degraded */

/* struct memowner_config.flags: which fields to apply. */
enum memowner_config_flags {
	MEMOWNER_CONFIG_F_SOURCES	= 1 << 0,
	MEMOWNER_CONFIG_F_MODE		= 1 << 1,
	MEMOWNER_CONFIG_F_DEPTH		= 1 << 2,
	MEMOWNER_CONFIG_F_SAMPLE_BYTES	= 1 << 3,
	MEMOWNER_CONFIG_F_ENABLED	= 1 << 4,

	__MEMOWNER_CONFIG_F_ALL		= (1 << 5) - 1,
};

/**
 * struct memowner_config - MEMOWNER_IOC_SET_CONFIG argument
 * @size:         sizeof(struct memowner_config) known to the caller
 * @flags:        MEMOWNER_CONFIG_F_* naming the fields to apply
 * @sources:      source mask, BIT(MEMOWNER_SRC_*), within __MEMOWNER_SRC_F_ALL
 * @mode:         MEMOWNER_MODE_*
 * @depth:        frames per stack, 1..64
 * @enabled:      0 or 1
 * @sample_bytes: mean sampling interval, 1..2^40
 */
struct memowner_config {
	__u32 size;
	__u32 flags;
	__u32 sources;
	__u32 mode;
	__u32 depth;
	__u32 enabled;
	__u64 sample_bytes;
};

#define MEMOWNER_CONFIG_SIZE_VER0	32

/* Snapshot groupings. */
enum memowner_group {
	MEMOWNER_GROUP_STACK,		/* row.id = stack handle */
	MEMOWNER_GROUP_CALLSITE,	/* first frame; row.stack = one of its stacks */
	MEMOWNER_GROUP_CACHE,		/* slab cache; row.name = cache name */
	MEMOWNER_GROUP_MODULE,		/* module of the first frame; row.name */
	MEMOWNER_GROUP_TGID,		/* row.id = tgid, row.name = comm */

	__MEMOWNER_GROUP_LAST,
	MEMOWNER_GROUP_MAX = __MEMOWNER_GROUP_LAST - 1
};

/* Snapshot sort keys (descending). */
enum memowner_sort {
	MEMOWNER_SORT_LIVE_BYTES,
	MEMOWNER_SORT_LIVE_PAGES,
	MEMOWNER_SORT_LIVE_OBJECTS,
	MEMOWNER_SORT_ALLOCS,
	MEMOWNER_SORT_GROWTH,		/* live bytes since the last MARK */

	__MEMOWNER_SORT_LAST,
	MEMOWNER_SORT_MAX = __MEMOWNER_SORT_LAST - 1
};

#define MEMOWNER_NAME_LEN	64

/**
 * struct memowner_row - one owner in a snapshot
 * @id:             see enum memowner_group
 * @stack:          a stack handle of this owner (0 for TGID rows)
 * @source:         MEMOWNER_SRC_*, or MEMOWNER_SRC_MIXED
 * @live_bytes:     bytes allocated and not yet freed
 * @live_pages:     base pages of those bytes (page and vmalloc sources)
 * @live_objects:   objects allocated and not yet freed
 * @allocs:         allocations since load or RESET (0 for TGID rows)
 * @frees:          frees since load or RESET (0 for TGID rows)
 * @bytes_allocated: bytes allocated since load or RESET (0 for TGID rows)
 * @growth_bytes:   live_bytes minus live bytes at the last MARK, as a
 *                  two's complement signed value (cast to __s64)
 * @name:           NUL-terminated: cache, module or task name, or ""
 * @backing_bytes:  bytes of pages this owner's slab, vmalloc or per-CPU
 *                  allocations caused the allocators to take to hold them
 *                  (slab pages, a vmalloc area's pages, per-CPU chunks);
 *                  not in live_bytes, which counts each byte once, as the
 *                  objects (since MEMOWNER_ROW_SIZE_VER1)
 *
 * live_* are owned memory: the objects, vmalloc areas, per-CPU allocations
 * and pages an owner holds, each counted once.  Pages that back objects
 * are counted as backing_bytes instead, so that the sum of live_bytes over
 * all owners (the "global" measure of alert rules) is the memory owned.
 */
struct memowner_row {
	__u64 id;
	__u32 stack;
	__u32 source;
	__u64 live_bytes;
	__u64 live_pages;
	__u64 live_objects;
	__u64 allocs;
	__u64 frees;
	__u64 bytes_allocated;
	__u64 growth_bytes;
	__u8 name[MEMOWNER_NAME_LEN];
	__u64 backing_bytes;
};

#define MEMOWNER_SRC_MIXED	0xffffffff
#define MEMOWNER_ROW_SIZE_VER0	136
#define MEMOWNER_ROW_SIZE_VER1	144	/* backing_bytes */

/**
 * struct memowner_snapshot - MEMOWNER_IOC_SNAPSHOT argument
 * @size:        sizeof(struct memowner_snapshot) known to the caller
 * @flags:       must be 0
 * @group:       MEMOWNER_GROUP_*
 * @sort:        MEMOWNER_SORT_*
 * @sources:     source mask to include; 0 = all
 * @tgid:        only objects allocated by this process; 0 = any
 * @min_value:   leave out rows whose sort value is below
 * @cache:       user pointer to a NUL-terminated cache name, or 0
 * @module:      user pointer to a NUL-terminated module name ("vmlinux"
 *               for the kernel), or 0
 * @rows:        user pointer to max_rows rows of row_size bytes
 * @row_size:    sizeof(struct memowner_row) known to the caller
 * @max_rows:    capacity of @rows (may be 0 to ask for @total only)
 * @nr_rows:     out: rows written
 * @__pad:       must be 0
 * @total:       out: rows that matched
 */
struct memowner_snapshot {
	__u32 size;
	__u32 flags;
	__u32 group;
	__u32 sort;
	__u32 sources;
	__u32 tgid;
	__u64 min_value;
	__u64 cache;
	__u64 module;
	__u64 rows;
	__u32 row_size;
	__u32 max_rows;
	__u32 nr_rows;
	__u32 __pad;
	__u64 total;
};

#define MEMOWNER_SNAPSHOT_SIZE_VER0	80
#define MEMOWNER_SNAPSHOT_MAX_ROWS	(1 << 20)

/**
 * struct memowner_stack - MEMOWNER_IOC_GET_STACK argument
 * @size:       sizeof(struct memowner_stack) known to the caller
 * @flags:      must be 0
 * @handle:     stack handle
 * @nr_frames:  in: capacity of @frames; out: frames in the stack
 * @frames:     user pointer to __u64[nr_frames] for raw addresses, or 0
 * @text:       user pointer to a buffer for the symbolized frames, or 0
 * @text_len:   in: size of @text; out: bytes needed, NUL included
 * @__pad:      must be 0
 */
struct memowner_stack {
	__u32 size;
	__u32 flags;
	__u32 handle;
	__u32 nr_frames;
	__u64 frames;
	__u64 text;
	__u32 text_len;
	__u32 __pad;
};

#define MEMOWNER_STACK_SIZE_VER0	40

/**
 * struct memowner_mark - MEMOWNER_IOC_MARK argument
 * @size:     sizeof(struct memowner_mark)
 * @flags:    must be 0
 * @mark_ns:  out: CLOCK_BOOTTIME of the mark
 */
struct memowner_mark {
	__u32 size;
	__u32 flags;
	__u64 mark_ns;
};

#define MEMOWNER_MARK_SIZE_VER0	16

/**
 * struct memowner_reset - MEMOWNER_IOC_RESET argument
 * @size:     sizeof(struct memowner_reset)
 * @flags:    must be 0
 * @reset_ns: out: CLOCK_BOOTTIME of the reset
 */
struct memowner_reset {
	__u32 size;
	__u32 flags;
	__u64 reset_ns;
};

#define MEMOWNER_RESET_SIZE_VER0	16

/* Alert rules. */
enum memowner_owner_kind {
	MEMOWNER_OWNER_STACK,
	MEMOWNER_OWNER_CACHE,
	MEMOWNER_OWNER_MODULE,
	MEMOWNER_OWNER_TGID,
	MEMOWNER_OWNER_GLOBAL,

	__MEMOWNER_OWNER_LAST,
	MEMOWNER_OWNER_MAX = __MEMOWNER_OWNER_LAST - 1
};

enum memowner_metric {
	MEMOWNER_METRIC_LIVE_BYTES,
	MEMOWNER_METRIC_LIVE_PAGES,
	MEMOWNER_METRIC_GROWTH_RATE,	/* live bytes per second over window_ms */

	__MEMOWNER_METRIC_LAST,
	MEMOWNER_METRIC_MAX = __MEMOWNER_METRIC_LAST - 1
};

#define MEMOWNER_MAX_THRESHOLDS		64
#define MEMOWNER_WINDOW_MS_MIN		100
#define MEMOWNER_WINDOW_MS_MAX		3600000

/**
 * struct memowner_threshold - MEMOWNER_IOC_THRESHOLD_ADD argument
 * @size:            sizeof(struct memowner_threshold) known to the caller
 * @flags:           must be 0
 * @id:              out: the new rule's id (in: must be 0)
 * @owner_kind:      MEMOWNER_OWNER_*
 * @owner_id:        stack handle (STACK) or tgid (TGID); else 0
 * @owner_name:      user pointer to the cache or module name (CACHE,
 *                   MODULE); else 0
 * @metric:          MEMOWNER_METRIC_*
 * @window_ms:       GROWTH_RATE: 100..3600000; else 0
 * @high:            fire when the value reaches this (> 0)
 * @low:             re-arm when the value falls to this (< high)
 * @min_interval_ms: at most one alert of this rule per interval (<= 1 h)
 * @__pad:           must be 0
 */
struct memowner_threshold {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 owner_kind;
	__u64 owner_id;
	__u64 owner_name;
	__u32 metric;
	__u32 window_ms;
	__u64 high;
	__u64 low;
	__u32 min_interval_ms;
	__u32 __pad;
};

#define MEMOWNER_THRESHOLD_SIZE_VER0	64

/* MEMOWNER_IOC_THRESHOLD_DEL argument. */
struct memowner_threshold_id {
	__u32 size;
	__u32 flags;	/* must be 0 */
	__u32 id;
	__u32 __pad;	/* must be 0 */
};

#define MEMOWNER_THRESHOLD_ID_SIZE_VER0	16

/**
 * struct memowner_threshold_state - one rule in MEMOWNER_IOC_THRESHOLD_LIST
 * @id, @owner_kind, @owner_id, @metric, @window_ms, @high, @low,
 * @min_interval_ms: as added
 * @armed:      1 while the rule may fire
 * @nr_alerts:  alerts sent
 * @value:      value at the last check
 * @name:       owner name (CACHE, MODULE), NUL-terminated
 */
struct memowner_threshold_state {
	__u32 id;
	__u32 owner_kind;
	__u64 owner_id;
	__u32 metric;
	__u32 window_ms;
	__u64 high;
	__u64 low;
	__u32 min_interval_ms;
	__u32 armed;
	__u64 nr_alerts;
	__u64 value;
	__u8 name[MEMOWNER_NAME_LEN];
};

#define MEMOWNER_THRESHOLD_STATE_SIZE_VER0	128

/**
 * struct memowner_threshold_list - MEMOWNER_IOC_THRESHOLD_LIST argument
 * @size:        sizeof(struct memowner_threshold_list)
 * @flags:       must be 0
 * @rules:       user pointer to max_rules states of state_size bytes
 * @state_size:  sizeof(struct memowner_threshold_state) known to the caller
 * @max_rules:   capacity of @rules
 * @nr_rules:    out: states written
 * @total:       out: rules that exist
 */
struct memowner_threshold_list {
	__u32 size;
	__u32 flags;
	__u64 rules;
	__u32 state_size;
	__u32 max_rules;
	__u32 nr_rules;
	__u32 total;
};

#define MEMOWNER_THRESHOLD_LIST_SIZE_VER0	32

#define MEMOWNER_IOC_MAGIC	0xB7
#define MEMOWNER_IOC_GET_INFO	_IOWR(MEMOWNER_IOC_MAGIC, 0x00, struct memowner_info)
#define MEMOWNER_IOC_SET_CONFIG	_IOW(MEMOWNER_IOC_MAGIC, 0x01, struct memowner_config)
#define MEMOWNER_IOC_SNAPSHOT	_IOWR(MEMOWNER_IOC_MAGIC, 0x02, struct memowner_snapshot)
#define MEMOWNER_IOC_GET_STACK	_IOWR(MEMOWNER_IOC_MAGIC, 0x03, struct memowner_stack)
#define MEMOWNER_IOC_MARK	_IOWR(MEMOWNER_IOC_MAGIC, 0x04, struct memowner_mark)
#define MEMOWNER_IOC_RESET	_IOWR(MEMOWNER_IOC_MAGIC, 0x05, struct memowner_reset)
#define MEMOWNER_IOC_THRESHOLD_ADD _IOWR(MEMOWNER_IOC_MAGIC, 0x06, struct memowner_threshold)
#define MEMOWNER_IOC_THRESHOLD_DEL _IOW(MEMOWNER_IOC_MAGIC, 0x07, struct memowner_threshold_id)
#define MEMOWNER_IOC_THRESHOLD_LIST _IOWR(MEMOWNER_IOC_MAGIC, 0x08, struct memowner_threshold_list)

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
	MEMOWNER_CMD_GET_INFO,		/* do */
	MEMOWNER_CMD_GET_STACKS,	/* dump: MEMOWNER_A_STACK per stack */
	MEMOWNER_CMD_GET_STACK,		/* do: MEMOWNER_A_STACK_HANDLE -> one */
	MEMOWNER_CMD_GET_PAGES,		/* dump: MEMOWNER_A_PAGE per page block */
	MEMOWNER_CMD_GET_CACHES,	/* dump: MEMOWNER_A_CACHE per cache+site */
	MEMOWNER_CMD_GET_LEAKS,		/* dump: MEMOWNER_A_LEAK per stack */
	MEMOWNER_CMD_SET_CONFIG,	/* do, admin: MEMOWNER_A_CONFIG */
	MEMOWNER_CMD_ALERT_NTF,		/* multicast "alerts": MEMOWNER_A_ALERT */
	MEMOWNER_CMD_EVENT_NTF,		/* multicast "events": MEMOWNER_A_EVENT */
	MEMOWNER_CMD_THRESHOLD_ADD,	/* do, admin: MEMOWNER_A_THRESHOLD -> its id */
	MEMOWNER_CMD_THRESHOLD_DEL,	/* do, admin: MEMOWNER_A_THRESHOLD_ID */
	MEMOWNER_CMD_THRESHOLD_GET,	/* dump: MEMOWNER_A_THRESHOLD per rule */

	__MEMOWNER_CMD_MAX,
	MEMOWNER_CMD_MAX = __MEMOWNER_CMD_MAX - 1
};

/* Top-level attributes. */
enum memowner_attr {
	MEMOWNER_A_UNSPEC,
	MEMOWNER_A_INFO_VERSION,	/* string */
	MEMOWNER_A_INFO_ABI_VERSION,	/* u32 */
	MEMOWNER_A_INFO_FEATURES,	/* u64 */
	MEMOWNER_A_INFO_LOADED_NS,	/* u64 */
	MEMOWNER_A_INFO_NR_OPENS,	/* u64 */
	MEMOWNER_A_INFO_NR_IOCTLS,	/* u64 */
	MEMOWNER_A_INFO_NR_REQUESTS,	/* u64 */
	MEMOWNER_A_INFO_MEM_BYTES,	/* u64 */
	MEMOWNER_A_PAD,
	MEMOWNER_A_STACK,		/* nest: enum memowner_stack_attr */
	MEMOWNER_A_PAGE,		/* nest: enum memowner_page_attr */
	MEMOWNER_A_CACHE,		/* nest: enum memowner_cache_attr */
	MEMOWNER_A_LEAK,		/* nest: enum memowner_leak_attr */
	MEMOWNER_A_CONFIG,		/* nest: enum memowner_config_attr */
	MEMOWNER_A_FILTER_SOURCES,	/* u32: request, source mask (0 = all) */
	MEMOWNER_A_FILTER_MIN_BYTES,	/* u64: request, live bytes at least */
	MEMOWNER_A_FILTER_OLDER_THAN_MS, /* u64: request (leaks), age at least */
	MEMOWNER_A_STACK_HANDLE,	/* u32: request (GET_STACK) */
	MEMOWNER_A_GENERATION,		/* u32: reply, table generation */
	MEMOWNER_A_ALERT,		/* nest: enum memowner_alert_attr */
	MEMOWNER_A_EVENT,		/* nest: enum memowner_event_attr */
	MEMOWNER_A_THRESHOLD,		/* nest: enum memowner_threshold_attr */
	MEMOWNER_A_THRESHOLD_ID,	/* u32: THRESHOLD_DEL request, ADD reply */
	MEMOWNER_A_INFO_SOURCES_TRACKED,	/* u32: BIT(MEMOWNER_SRC_*) */
	MEMOWNER_A_INFO_SOURCES_DEGRADED,	/* u32: BIT(MEMOWNER_SRC_*) */

	__MEMOWNER_A_LAST,
	MEMOWNER_A_MAX = __MEMOWNER_A_LAST - 1
};

/* Attributes of MEMOWNER_A_STACK. */
enum memowner_stack_attr {
	MEMOWNER_A_STACK_UNSPEC,
	MEMOWNER_A_STACK_ID,		/* u32: stack handle */
	MEMOWNER_A_STACK_SOURCE,	/* u32: MEMOWNER_SRC_* */
	MEMOWNER_A_STACK_LIVE_BYTES,	/* u64 */
	MEMOWNER_A_STACK_LIVE_PAGES,	/* u64 */
	MEMOWNER_A_STACK_LIVE_OBJECTS,	/* u64 */
	MEMOWNER_A_STACK_ALLOCS,	/* u64 */
	MEMOWNER_A_STACK_FREES,		/* u64 */
	MEMOWNER_A_STACK_BYTES_ALLOCATED, /* u64 */
	MEMOWNER_A_STACK_FRAMES,	/* nest of MEMOWNER_A_STACK_FRAME */
	MEMOWNER_A_STACK_FRAME,		/* string: "func+0x1e/0x40 [mod]" */
	MEMOWNER_A_STACK_ADDRS,		/* binary __u64[]: CAP_SYSLOG readers only */
	MEMOWNER_A_STACK_PAD,
	MEMOWNER_A_STACK_EXTFRAG,	/* u64: fragmenting page-allocator fallbacks */
	MEMOWNER_A_STACK_BACKING_BYTES,	/* u64: pages backing its objects (not in LIVE_*) */

	__MEMOWNER_A_STACK_LAST,
	MEMOWNER_A_STACK_MAX = __MEMOWNER_A_STACK_LAST - 1
};

/* Attributes of MEMOWNER_A_PAGE. */
enum memowner_page_attr {
	MEMOWNER_A_PAGE_UNSPEC,
	MEMOWNER_A_PAGE_PFN,		/* u64 */
	MEMOWNER_A_PAGE_ORDER,		/* u32 */
	MEMOWNER_A_PAGE_GFP,		/* u32 */
	MEMOWNER_A_PAGE_MIGRATETYPE,	/* u32 */
	MEMOWNER_A_PAGE_PID,		/* u32 */
	MEMOWNER_A_PAGE_TGID,		/* u32 */
	MEMOWNER_A_PAGE_COMM,		/* string */
	MEMOWNER_A_PAGE_TS_NS,		/* u64: allocation time, ns since boot */
	MEMOWNER_A_PAGE_STACK,		/* u32: stack handle */
	MEMOWNER_A_PAGE_PAD,

	__MEMOWNER_A_PAGE_LAST,
	MEMOWNER_A_PAGE_MAX = __MEMOWNER_A_PAGE_LAST - 1
};

/* Attributes of MEMOWNER_A_CACHE: one slab cache and one call site. */
enum memowner_cache_attr {
	MEMOWNER_A_CACHE_UNSPEC,
	MEMOWNER_A_CACHE_NAME,		/* string */
	MEMOWNER_A_CACHE_CALLSITE,	/* string: "func+0x1e/0x40 [mod]" */
	MEMOWNER_A_CACHE_STACK,		/* u32: a stack handle of the call site */
	MEMOWNER_A_CACHE_COUNT,		/* u64: live objects */
	MEMOWNER_A_CACHE_BYTES,		/* u64: live bytes */
	MEMOWNER_A_CACHE_AGE_MIN_MS,	/* u64 */
	MEMOWNER_A_CACHE_AGE_AVG_MS,	/* u64 */
	MEMOWNER_A_CACHE_AGE_MAX_MS,	/* u64 */
	MEMOWNER_A_CACHE_PID_MIN,	/* u32 */
	MEMOWNER_A_CACHE_PID_MAX,	/* u32 */
	MEMOWNER_A_CACHE_CPUS,		/* binary: bitmap of allocating CPUs */
	MEMOWNER_A_CACHE_PAD,

	__MEMOWNER_A_CACHE_LAST,
	MEMOWNER_A_CACHE_MAX = __MEMOWNER_A_CACHE_LAST - 1
};

/* Attributes of MEMOWNER_A_LEAK: live objects older than asked, by stack. */
enum memowner_leak_attr {
	MEMOWNER_A_LEAK_UNSPEC,
	MEMOWNER_A_LEAK_STACK,		/* u32: stack handle */
	MEMOWNER_A_LEAK_SOURCE,		/* u32 */
	MEMOWNER_A_LEAK_COUNT,		/* u64: objects */
	MEMOWNER_A_LEAK_BYTES,		/* u64 */
	MEMOWNER_A_LEAK_OLDEST_MS,	/* u64: age of the oldest */
	MEMOWNER_A_LEAK_PAD,

	__MEMOWNER_A_LEAK_LAST,
	MEMOWNER_A_LEAK_MAX = __MEMOWNER_A_LEAK_LAST - 1
};

/* Multicast groups. */
#define MEMOWNER_MCGRP_ALERTS	"alerts"
#define MEMOWNER_MCGRP_EVENTS	"events"

/* Attributes of MEMOWNER_A_ALERT (MEMOWNER_CMD_ALERT_NTF). */
enum memowner_alert_attr {
	MEMOWNER_A_ALERT_UNSPEC,
	MEMOWNER_A_ALERT_RULE,		/* u32: rule id */
	MEMOWNER_A_ALERT_OWNER_KIND,	/* u32: MEMOWNER_OWNER_* */
	MEMOWNER_A_ALERT_OWNER_ID,	/* u64: stack handle or tgid */
	MEMOWNER_A_ALERT_OWNER_NAME,	/* string: cache or module */
	MEMOWNER_A_ALERT_STACK,		/* u32: a stack handle of the owner */
	MEMOWNER_A_ALERT_FRAMES,	/* nest of MEMOWNER_A_STACK_FRAME strings */
	MEMOWNER_A_ALERT_METRIC,	/* u32: MEMOWNER_METRIC_* */
	MEMOWNER_A_ALERT_VALUE,		/* u64 */
	MEMOWNER_A_ALERT_THRESHOLD,	/* u64 */
	MEMOWNER_A_ALERT_TS_NS,		/* u64: CLOCK_BOOTTIME */
	MEMOWNER_A_ALERT_PAD,

	__MEMOWNER_A_ALERT_LAST,
	MEMOWNER_A_ALERT_MAX = __MEMOWNER_A_ALERT_LAST - 1
};

/* Memory events. */
enum memowner_event_type {
	MEMOWNER_EVENT_OOM,		/* an OOM kill */
	MEMOWNER_EVENT_RECLAIM_STALL,	/* direct reclaim above reclaim_stall_ms */
	MEMOWNER_EVENT_EXTFRAG,		/* fragmenting fallbacks above extfrag_rate/s */

	__MEMOWNER_EVENT_LAST,
	MEMOWNER_EVENT_MAX = __MEMOWNER_EVENT_LAST - 1
};

/* Attributes of MEMOWNER_A_EVENT (MEMOWNER_CMD_EVENT_NTF). */
enum memowner_event_attr {
	MEMOWNER_A_EVENT_UNSPEC,
	MEMOWNER_A_EVENT_TYPE,		/* u32: MEMOWNER_EVENT_* */
	MEMOWNER_A_EVENT_PID,		/* u32: victim / stalled task */
	MEMOWNER_A_EVENT_TGID,		/* u32 */
	MEMOWNER_A_EVENT_COMM,		/* string */
	MEMOWNER_A_EVENT_RSS_KB,	/* u64: OOM victim's RSS */
	MEMOWNER_A_EVENT_LATENCY_NS,	/* u64: reclaim stall */
	MEMOWNER_A_EVENT_ORDER,		/* u32: allocation order */
	MEMOWNER_A_EVENT_GFP,		/* u32 */
	MEMOWNER_A_EVENT_STACK,		/* u32: stack of the stalled/fragmenting allocation */
	MEMOWNER_A_EVENT_FRAMES,	/* nest of MEMOWNER_A_STACK_FRAME strings */
	MEMOWNER_A_EVENT_RATE,		/* u64: extfrag fallbacks in the last second */
	MEMOWNER_A_EVENT_TS_NS,		/* u64: CLOCK_BOOTTIME */
	MEMOWNER_A_EVENT_TOP,		/* nest of MEMOWNER_A_STACK (OOM: top 10 owners) */
	MEMOWNER_A_EVENT_PAD,

	__MEMOWNER_A_EVENT_LAST,
	MEMOWNER_A_EVENT_MAX = __MEMOWNER_A_EVENT_LAST - 1
};

/* Attributes of MEMOWNER_A_THRESHOLD (the fields of struct memowner_threshold). */
enum memowner_threshold_attr {
	MEMOWNER_A_THRESHOLD_UNSPEC,
	MEMOWNER_A_THRESHOLD_RULE,	/* u32: id (replies) */
	MEMOWNER_A_THRESHOLD_OWNER_KIND, /* u32: MEMOWNER_OWNER_* */
	MEMOWNER_A_THRESHOLD_OWNER_ID,	/* u64: stack handle or tgid */
	MEMOWNER_A_THRESHOLD_OWNER_NAME, /* string: cache or module */
	MEMOWNER_A_THRESHOLD_METRIC,	/* u32: MEMOWNER_METRIC_* */
	MEMOWNER_A_THRESHOLD_WINDOW_MS,	/* u32 */
	MEMOWNER_A_THRESHOLD_HIGH,	/* u64 */
	MEMOWNER_A_THRESHOLD_LOW,	/* u64 */
	MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS, /* u32 */
	MEMOWNER_A_THRESHOLD_ARMED,	/* u8: replies */
	MEMOWNER_A_THRESHOLD_NR_ALERTS,	/* u64: replies */
	MEMOWNER_A_THRESHOLD_VALUE,	/* u64: replies, value at the last check */
	MEMOWNER_A_THRESHOLD_PAD,

	__MEMOWNER_A_THRESHOLD_LAST,
	MEMOWNER_A_THRESHOLD_MAX = __MEMOWNER_A_THRESHOLD_LAST - 1
};

/* Attributes of MEMOWNER_A_CONFIG (SET_CONFIG request; absent = unchanged). */
enum memowner_config_attr {
	MEMOWNER_A_CONFIG_UNSPEC,
	MEMOWNER_A_CONFIG_SOURCES,	/* u32 */
	MEMOWNER_A_CONFIG_MODE,		/* u32 */
	MEMOWNER_A_CONFIG_DEPTH,	/* u32 */
	MEMOWNER_A_CONFIG_SAMPLE_BYTES,	/* u64 */
	MEMOWNER_A_CONFIG_ENABLED,	/* u8 */
	MEMOWNER_A_CONFIG_PAD,

	__MEMOWNER_A_CONFIG_LAST,
	MEMOWNER_A_CONFIG_MAX = __MEMOWNER_A_CONFIG_LAST - 1
};

#endif /* _UAPI_LINUX_MEMOWNER_H */
