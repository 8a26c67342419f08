/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmemowner: alert rules in human terms, shared by "memowner alerts",
 * "memowner watch" and memownerd (whose config file takes the same rule
 * options as the command line).
 *
 * A rule is written as options:
 *   owner   --stack HANDLE | --cache NAME | --module NAME | --tgid PID | --global
 *   metric  --bytes SIZE | --pages N | --rate SIZE/s [--window DURATION]
 *   marks   [--low X]          re-arm level, in the metric's unit
 *                              (default: 90% of the high mark)
 *           [--interval DURATION]  at least this long between two alerts
 * SIZE takes 1024-based suffixes (512M, 1.5G, 4k), DURATION ms/s/m/h
 * suffixes (a bare number is milliseconds), as everywhere in memowner.
 */
#ifndef MO_ALERTS_H
#define MO_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "memowner_client.h"
#include "mo_json.h"

/* Default window of --rate rules and the usage text of the rule options. */
#define MO_RULE_WINDOW_DEFAULT_MS	10000
#define MO_RULE_USAGE							\
	"(--stack HANDLE | --cache NAME | --module NAME | --tgid PID | --global)\n" \
	"       (--bytes SIZE | --pages N | --rate SIZE/s [--window DURATION])\n" \
	"       [--low X] [--interval DURATION]"

struct mo_rule_spec {
	struct memowner_threshold t;	/* owner_name is set when added */
	char name[MEMOWNER_NAME_LEN];	/* cache or module name */
};

/*
 * Parse the rule options in @argv[0..@argc-1] ("--opt VALUE" or
 * "--opt=VALUE") into @r.  Returns 0, or -EINVAL with what was wrong in
 * @err ("bad size '5X' for --bytes (e.g. 512M, 1.5G, 4096)").
 */
int mo_rule_parse(int argc, char *const argv[], struct mo_rule_spec *r,
		  char *err, size_t errlen);

/* THRESHOLD_ADD of @r (a copy is sent: @r stays reusable). */
int mo_rule_add(int fd, const struct mo_rule_spec *r, uint32_t *id);

/* True when the kernel's rule @s is the rule @r asks for. */
bool mo_rule_matches(const struct mo_rule_spec *r,
		     const struct memowner_threshold_state *s);

/* The options that re-create @s: "--module x --bytes 2M --low 1800K". */
const char *mo_rule_str(const struct memowner_threshold_state *s, char *buf,
			size_t len);
/* @r as a state (id 0), to print or compare. */
void mo_rule_state(const struct mo_rule_spec *r,
		   struct memowner_threshold_state *s);

/*
 * The owner in words: "module memowner_test", "cache kmalloc-4k",
 * "stack 42", "tgid 1234 (comm)" (comm from /proc when the task is alive),
 * "global".
 */
const char *mo_owner_str(uint32_t kind, uint64_t id, const char *name,
			 char *buf, size_t len);
/* The owner without its kind: "memowner_test", "42", "1234", "global". */
const char *mo_owner_id_str(uint32_t kind, uint64_t id, const char *name,
			    char *buf, size_t len);

/* A metric's value for humans: "2.0M", "512 pages", "10M/s". */
const char *mo_metric_value_str(uint32_t metric, uint64_t v, char *buf,
				size_t len);

/* A size exactly, with the largest suffix that divides it: "2M", "1536K". */
const char *mo_fmt_bytes_exact(uint64_t bytes, char *buf, size_t len);

/* The first (leaf) frame of @f, or NULL. */
const char *mo_leaf(const struct mo_frames *f);

/* "func [module]" of a frame "func+0x1e/0x40 [module]" into @fn, @mod. */
void mo_frame_split(const char *frame, char *fn, size_t fnlen, char *mod,
		    size_t modlen);

/*
 * One line (no timestamp, no newline) telling an alert or an event:
 *   alert rule 3: module memowner_test bytes 2.1M >= 2.0M at memowner_test_kmalloc+0x1e/0x40 [memowner_test]
 *   oom: killed pid 812 (stress) rss 102400kB; top owners: f [m] 32M, ...
 *   reclaim_stall: pid 77 (cc1) stalled 250.0ms in direct reclaim, order 0 gfp 0xcc0 at f+0x../0x.. [m]
 *   extfrag: 1200 fragmenting fallbacks/s, order 3 gfp 0x.., pid 9 (c) at f+0x../0x..
 * Events name their caller: the kernel starts an event's stack at the
 * allocation's owner, below the page allocator and reclaim.
 */
const char *mo_alert_str(const struct mo_alert *a, char *buf, size_t len);
const char *mo_event_str(const struct mo_event *e, char *buf, size_t len);

/* The fields of an alert / event into the open JSON object of @j. */
void mo_alert_json(struct mo_json *j, const struct mo_alert *a);
void mo_event_json(struct mo_json *j, const struct mo_event *e);

/* The wall-clock time of a CLOCK_BOOTTIME timestamp (0: now). */
void mo_boottime_to_real(uint64_t ts_ns, struct timespec *out);
/* "2026-11-22T05:41:02.123Z" (UTC) into @buf. */
const char *mo_fmt_time_iso(const struct timespec *ts, char *buf, size_t len);

/*
 * Split @line in place into words (blanks separate; '...' and "..." quote;
 * backslash escapes the next character outside single quotes).  At most
 * @max words; returns their number, -E2BIG for more, -EINVAL for an
 * unterminated quote.
 */
int mo_split_words(char *line, char **words, int max);

#endif /* MO_ALERTS_H */
