/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memownerd internals: metrics collection and rendering
 * (daemon_metrics.c), the /metrics HTTP endpoint (daemon_http.c), the
 * main loop, configuration, notifications and hooks (memownerd.c).
 */
#ifndef MEMOWNERD_H
#define MEMOWNERD_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "memowner_client.h"

/* A growing text buffer. */
struct strbuf {
	char *s;
	size_t len, cap;
};

void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_append(struct strbuf *b, const char *data, size_t len);
void sb_reset(struct strbuf *b);
void sb_free(struct strbuf *b);

/* CLOCK_MONOTONIC in milliseconds: every deadline of the main loop. */
uint64_t now_ms(void);

/* ---- metrics (daemon_metrics.c) ---------------------------------------- */

/* One labelled owner: a leaf function and its module, a module, a cache. */
struct dm_owner {
	char name[160];
	char module[MEMOWNER_NAME_LEN];
	uint64_t bytes, objects;
};

/* What one refresh read from the kernel. */
struct dm_data {
	int valid;
	struct memowner_info info;
	uint64_t src_bytes[MEMOWNER_SRC_MAX + 1];
	uint64_t src_pages[MEMOWNER_SRC_MAX + 1];
	uint64_t src_objects[MEMOWNER_SRC_MAX + 1];
	uint64_t backing_bytes;		/* pages holding counted objects */
	struct dm_owner *owners;	/* top-N leaf functions, by bytes */
	size_t nr_owners;
	struct dm_owner *modules;	/* top-N modules */
	size_t nr_modules;
	struct dm_owner *caches;	/* top-N slab caches */
	size_t nr_caches;
	struct memowner_threshold_state *rules;
	size_t nr_rules;
	double duration_s;		/* how long the collection took */
	double when;			/* wall clock of the collection */
};

/* The daemon's own counters, rendered with the kernel's data. */
struct dm_counters {
	int up;				/* memowner.ko connected */
	char version[32];		/* module version string */
	uint64_t connects;		/* times the module came up */
	uint64_t alerts;
	uint64_t events[MEMOWNER_EVENT_MAX + 1];
	uint64_t lost;			/* notifications lost (ENOBUFS) */
	uint64_t hooks_ok, hooks_failed, hooks_timeout, hooks_skipped;
	uint64_t refresh_errors;
	uint64_t rules_applied;		/* config rules in the kernel now */
	uint64_t rules_configured;
};

/* Read the kernel's state through the device fd @fd; 0 or -errno. */
int dm_collect(int fd, unsigned int top_n, struct dm_data *d);
void dm_data_free(struct dm_data *d);
/* The Prometheus text exposition (format 0.0.4) of @d and @c. */
void dm_render(struct strbuf *b, const struct dm_data *d,
	       const struct dm_counters *c);
/* Replace @path by @b atomically (temporary file, fsync, rename). */
int dm_write_textfile(const char *path, const struct strbuf *b);

/* ---- HTTP (daemon_http.c) ---------------------------------------------- */

#define HTTP_MAX_CLIENTS	32

/* Fills @b with the body of GET /metrics. */
typedef void (*http_body_fn)(struct strbuf *b, void *arg);

struct http_client {
	int fd;
	uint64_t deadline;
	size_t req_len;
	char req[4096];
	char *out;
	size_t out_len, out_off;
};

struct http_server {
	int lfd;
	char addr[128];			/* as given, for messages */
	http_body_fn body;
	void *arg;
	int nr;
	struct http_client c[HTTP_MAX_CLIENTS];
	uint64_t requests;
};

/*
 * Listen on @spec: "HOST:PORT", "[V6]:PORT" or "PORT" (127.0.0.1).
 * Returns 0 or -errno with a message in @err.
 */
int http_open(struct http_server *h, const char *spec, http_body_fn body,
	      void *arg, char *err, size_t errlen);
void http_close(struct http_server *h);
/* Add the server's descriptors to @pfds (room for HTTP_MAX_CLIENTS + 1). */
int http_fill(struct http_server *h, struct pollfd *pfds);
/* Serve what @pfds (as filled by http_fill, after poll) says is ready. */
void http_dispatch(struct http_server *h, const struct pollfd *pfds, int n);
/* Drop clients past their deadline; the next deadline (UINT64_MAX: none). */
uint64_t http_expire(struct http_server *h, uint64_t now);

#endif /* MEMOWNERD_H */
