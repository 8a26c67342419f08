/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmemowner: the client library shared by memowner, memownerd and the
 * selftests.  Device ioctls and generic-netlink requests with the kernel's
 * extended-ack message captured, plus error hints for humans.
 *
 * All functions return 0 or a negative errno; none prints.
 */
#ifndef MEMOWNER_CLIENT_H
#define MEMOWNER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/memowner.h>

/* Open /dev/memowner read-write. Returns the fd or -errno. */
int mo_dev_open(void);
/* MEMOWNER_IOC_GET_INFO with the current struct size. */
int mo_dev_get_info(int fd, struct memowner_info *info);

struct mo_pending;

struct mo_genl {
	struct nl_sock *sk;
	int family;		/* resolved family id */
	/*
	 * Notifications (multicast messages of a group the socket joined)
	 * read while waiting for the replies of a request or a dump: kept in
	 * arrival order for the next mo_genl_wait(), at most MO_PENDING_MAX
	 * (the oldest are dropped beyond, counted in pending_dropped).
	 */
	struct mo_pending *pending, **pending_tail;
	unsigned int nr_pending;
	unsigned long pending_dropped;
};

#define MO_PENDING_MAX	4096

/* Connect and resolve the "memowner" family (-ENOENT: module not loaded). */
int mo_genl_open(struct mo_genl *g);
void mo_genl_close(struct mo_genl *g);

/* A request message for @cmd of the memowner family; NULL on ENOMEM. */
struct nl_msg *mo_genl_msg(const struct mo_genl *g, uint8_t cmd, int flags);

/* Called for each reply message; return NL_OK, NL_SKIP or NL_STOP. */
typedef int (*mo_genl_reply_fn)(struct nl_msg *msg, void *arg);

/*
 * Send @msg (consumed) and receive every reply until the ack or the end of
 * the dump.  On a kernel error -- in the ack, or in the NLMSG_DONE of a
 * dump that failed once started -- returns it (negative errno) and copies
 * the extended-ack message, if any, into @extack (may be NULL).  Messages
 * of a dump flagged NLM_F_DUMP_INTR are delivered to @fn like the others.
 * Only the replies to @msg reach @fn: a notification that arrives on the
 * same socket meanwhile (it joined a group) is queued for the next
 * mo_genl_wait(), and a stale reply to an earlier request is dropped.
 */
int mo_genl_transact(struct mo_genl *g, struct nl_msg *msg,
		     mo_genl_reply_fn fn, void *arg,
		     char *extack, size_t extack_len);

/*
 * Join multicast group @group ("alerts", "events") on @g's socket, which
 * should then serve notifications only (sequence checks are turned off).
 */
int mo_genl_subscribe(struct mo_genl *g, const char *group);

/*
 * Wait up to @timeout_ms for notifications and pass each to @fn: first
 * those queued while a request was answered (then without waiting).
 * Returns the number handled (0 on timeout) or -errno.
 */
int mo_genl_wait(struct mo_genl *g, int timeout_ms, mo_genl_reply_fn fn,
		 void *arg);

/* Parse the attributes of a memowner reply against MEMOWNER_A_MAX. */
int mo_genl_parse(struct nl_msg *msg, struct nlattr **tb);

/* A one-line hint for an errno returned by the functions above. */
const char *mo_hint(int err);

/* ------------------------------------------------------------------ */
/* Device ioctls beyond GET_INFO (mo_ioctl.c).                         */

/*
 * -EPROTO when the module speaks another ABI than this tool (a hint says
 * which); 0 otherwise.  Callers check this right after GET_INFO.
 */
int mo_check_abi(const struct memowner_info *info);

/* What to snapshot: MEMOWNER_IOC_SNAPSHOT's inputs. */
struct mo_query {
	uint32_t group;		/* MEMOWNER_GROUP_* */
	uint32_t sort;		/* MEMOWNER_SORT_* */
	uint32_t sources;	/* source mask, 0 = all */
	uint32_t tgid;		/* 0 = any */
	uint64_t min_value;	/* of the sort key */
	const char *cache;	/* NULL = any */
	const char *module;	/* NULL = any ("vmlinux" for the kernel) */
};

/*
 * The top @max rows (0: all of them; the buffer is sized by a first call
 * and grown if the table grew meanwhile) into *@rows (malloc'd, caller
 * frees), their number in *@nr, and how many matched in *@total (may be
 * NULL).
 */
int mo_snapshot(int fd, const struct mo_query *q, size_t max,
		struct memowner_row **rows, size_t *nr, uint64_t *total);

int mo_mark(int fd, uint64_t *mark_ns);
int mo_reset(int fd, uint64_t *reset_ns);
/* SET_CONFIG; @c->size is filled in. */
int mo_set_config(int fd, struct memowner_config *c);

/*
 * THRESHOLD_ADD: @t->size and @t->owner_name are filled in from @name
 * (cache or module rules; NULL otherwise); the new id in *@id.
 */
int mo_threshold_add(int fd, struct memowner_threshold *t, const char *name,
		     uint32_t *id);
int mo_threshold_del(int fd, uint32_t id);
/* Every rule into *@rules (malloc'd, caller frees), their number in *@nr. */
int mo_threshold_list(int fd, struct memowner_threshold_state **rules,
		      size_t *nr);

/* The symbolized frames of a stack. */
struct mo_frames {
	unsigned int nr;
	char **frame;		/* "func+0x1e/0x40 [mod]", or "?" */
};

/* GET_STACK for @handle into @f (free with mo_frames_free). */
int mo_stack_get(int fd, uint32_t handle, struct mo_frames *f);
void mo_frames_free(struct mo_frames *f);

/*
 * A cache of symbolized stacks by handle, for listings that name the same
 * stacks again and again (pages, caches, leaks, top).  Handles are stable
 * for the life of the module; entries are never evicted.
 */
struct mo_symcache;
/*
 * @fd: the device to read stacks from, or -1 to open it for each lookup
 * that misses -- for a long-running reader that must not keep memowner.ko
 * from unloading.  A cache is only valid for one load of the module.
 */
struct mo_symcache *mo_symcache_new(int fd);
/*
 * The frames of @handle, or NULL (errno set) when it cannot be read; valid
 * until mo_symcache_free(), whatever is looked up meanwhile.
 */
const struct mo_frames *mo_symcache_get(struct mo_symcache *c, uint32_t handle);
void mo_symcache_free(struct mo_symcache *c);

/* ------------------------------------------------------------------ */
/* Generic-netlink dumps and notifications, parsed (mo_dump.c).        */

struct mo_stack_rec {
	uint32_t id;
	uint32_t source;	/* MEMOWNER_SRC_* or MEMOWNER_SRC_MIXED */
	uint64_t live_bytes, live_pages, live_objects;
	uint64_t allocs, frees, bytes_allocated;
	uint64_t extfrag;	/* fragmenting page-allocator fallbacks */
	uint64_t backing_bytes;	/* pages backing its objects (not in live_*) */
	struct mo_frames frames;
	unsigned int nr_addrs;	/* raw addresses: CAP_SYSLOG readers only */
	uint64_t addrs[64];
};

struct mo_page_rec {
	uint64_t pfn;
	uint32_t order, gfp, migratetype, pid, tgid, stack;
	uint64_t ts_ns;
	char comm[16];
};

struct mo_cache_rec {
	char name[MEMOWNER_NAME_LEN];
	char callsite[256];
	uint32_t stack;
	uint64_t count, bytes;
	uint64_t age_min_ms, age_avg_ms, age_max_ms;
	uint32_t pid_min, pid_max;
	unsigned int nr_cpus;	/* CPUs that allocated, counted */
	char cpus[128];		/* as a list: "0-1,3" */
};

struct mo_leak_rec {
	uint32_t stack, source;
	uint64_t count, bytes, oldest_ms;
};

/*
 * Each dump calls @fn per record (the record and its strings live only for
 * the call; return non-zero to stop early, which is returned).  A dump the
 * kernel flagged inconsistent (NLM_F_DUMP_INTR: the table changed under
 * it) is restarted, up to 3 times.  Errors: negative errno with the
 * kernel's extended-ack message in @extack.
 */
int mo_dump_stacks(struct mo_genl *g, uint32_t sources, uint64_t min_bytes,
		   int (*fn)(const struct mo_stack_rec *, void *), void *arg,
		   char *extack, size_t extack_len);
int mo_dump_pages(struct mo_genl *g,
		  int (*fn)(const struct mo_page_rec *, void *), void *arg,
		  char *extack, size_t extack_len);
int mo_dump_caches(struct mo_genl *g,
		   int (*fn)(const struct mo_cache_rec *, void *), void *arg,
		   char *extack, size_t extack_len);
int mo_dump_leaks(struct mo_genl *g, uint64_t older_than_ms, uint32_t sources,
		  uint64_t min_bytes,
		  int (*fn)(const struct mo_leak_rec *, void *), void *arg,
		  char *extack, size_t extack_len);

/* A multicast alert (MEMOWNER_CMD_ALERT_NTF). */
struct mo_alert {
	uint32_t rule, owner_kind, metric, stack;
	uint64_t owner_id, value, threshold, ts_ns;
	char owner_name[MEMOWNER_NAME_LEN];
	struct mo_frames frames;
};

/* A multicast memory event (MEMOWNER_CMD_EVENT_NTF). */
struct mo_event {
	uint32_t type;		/* MEMOWNER_EVENT_* */
	uint32_t pid, tgid, order, gfp, stack;
	uint64_t rss_kb, latency_ns, rate, ts_ns;
	char comm[16];
	struct mo_frames frames;
	unsigned int nr_top;	/* OOM: top owners at the kill */
	struct mo_stack_rec *top;
};

/*
 * Parse a notification from mo_genl_wait()'s callback: 1 and *@a (or *@e)
 * filled when @msg is an alert (event), 0 when it is something else,
 * negative errno when malformed.  Free with mo_alert_free/mo_event_free.
 */
int mo_parse_alert(struct nl_msg *msg, struct mo_alert *a);
void mo_alert_free(struct mo_alert *a);
int mo_parse_event(struct nl_msg *msg, struct mo_event *e);
void mo_event_free(struct mo_event *e);

/* ------------------------------------------------------------------ */
/* Names and units (mo_util.c).                                        */

/* "slab", "page", "percpu", "vmalloc", "mixed"; "?" out of range. */
const char *mo_source_name(uint32_t src);
/* "slab,page" style list of a mask into @buf. */
const char *mo_sources_str(uint32_t mask, char *buf, size_t len);
/* "slab,page" or "all" -> mask; -EINVAL on an unknown name. */
int mo_parse_sources(const char *s, uint32_t *mask);
const char *mo_mode_name(uint32_t mode);	/* "stack", "callsite", "sample" */
int mo_parse_mode(const char *s, uint32_t *mode);
const char *mo_group_name(uint32_t group);	/* "stack", "callsite", "cache", "module", "tgid" */
int mo_parse_group(const char *s, uint32_t *group);
const char *mo_sort_name(uint32_t sort);	/* "bytes", "pages", "objects", "allocs", "growth" */
int mo_parse_sort(const char *s, uint32_t *sort);
const char *mo_owner_kind_name(uint32_t kind);	/* "stack", "cache", "module", "tgid", "global" */
const char *mo_metric_name(uint32_t metric);	/* "bytes", "pages", "rate" */
const char *mo_event_name(uint32_t type);	/* "oom", "reclaim_stall", "extfrag" */
/* Page allocator names as page_owner prints them. */
const char *mo_migratetype_name(uint32_t mt);	/* "Unmovable", ... */

/* "512M", "1.5G", "4096", "4k" (powers of 1024) -> bytes; -EINVAL/-ERANGE. */
int mo_parse_bytes(const char *s, uint64_t *bytes);
/* "10M/s" or "10M" -> bytes per second. */
int mo_parse_rate(const char *s, uint64_t *bytes_per_s);
/* "30s", "100ms", "5m", "1h", "250" (ms) -> milliseconds. */
int mo_parse_duration_ms(const char *s, uint64_t *ms);
/* Human bytes: "1.5M", "512K", "37" into @buf. */
const char *mo_fmt_bytes(uint64_t bytes, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Slab cache names (mo_slab.c).                                       */

/*
 * Every name in /sys/kernel/slab that is a link, and the cache directory
 * it leads to, read once (one readlink() a name: the kernel then keeps a
 * dentry and inode for each) -- once for a listing that names many
 * caches.
 */
struct mo_slab_link {
	char *name, *target;
};
int mo_slab_links(struct mo_slab_link **links, size_t *n);
void mo_slab_links_free(struct mo_slab_link *links, size_t n);
/*
 * Every name of the slab cache @name is one of -- SLUB merges caches of
 * the same size and flags, and a merged cache keeps the name it was
 * created with first -- @name itself included, sorted, into *@names
 * (malloc'd: mo_slab_names_free()); none when /sys/kernel/slab has no
 * such name.  0 or -errno.
 */
int mo_slab_names_in(const struct mo_slab_link *links, size_t nlinks,
		     const char *name, char ***names, size_t *n);
void mo_slab_names_free(char **names, size_t n);
/*
 * The name memowner reports the objects of cache @name under, into @buf:
 * for an alias of a merged cache, the name the cache was created with
 * (the one /proc/slabinfo lists); else @name.  -errno when it cannot be
 * told (/proc/slabinfo is root's), @buf then holds @name.
 */
int mo_slab_cache_name(const char *name, char *buf, size_t len);

#endif /* MEMOWNER_CLIENT_H */
