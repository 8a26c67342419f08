/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the listing commands (cmd_stacks.c, cmd_pages.c, cmd_caches.c,
 * cmd_modules.c, cmd_leaks.c) share, defined in list.c: argument parsing,
 * stack frames as text and JSON, the device and netlink opened together
 * with a symbol cache, the sentinel stacks' rows of a by-module snapshot.
 */
#ifndef MEMOWNER_LIST_H
#define MEMOWNER_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* Room for the kernel's extended-ack message of a dump. */
#define EXTACK_LEN 256

/* Print "memowner: CMD: WHAT 'VAL'"; returns CLI_USAGE. */
int list_bad_arg(const char *cmd, const char *what, const char *val);
/* A decimal number, all of @s; -EINVAL if it is not one. */
int list_parse_count(const char *s, uint64_t *v);
/* "1,2,3" into a malloc'd array; -EINVAL unless all are 32-bit numbers. */
int list_parse_u32_list(const char *s, uint32_t **out, size_t *n);
/* "a,b" into a malloc'd, NULL-terminated array of malloc'd strings. */
int list_parse_str_list(const char *s, char ***out, size_t *n);
void list_free_str_list(char **v);
/* Whether @x (@s) is one of the @n values of @v. */
int list_u32_in(uint32_t x, const uint32_t *v, size_t n);
int list_str_in(const char *s, char *const *v, size_t n);

/* A stack's frames as the JSON array "frames" (@f NULL: empty). */
void list_json_frames(struct mo_json *j, const struct mo_frames *f);
/* One frame a line, with a leading space (@f NULL: the lookup's error). */
void list_print_frames(const struct mo_frames *f, uint32_t handle);

/*
 * Open the device (for GET_STACK and SNAPSHOT), netlink if @g, and a
 * symbol cache on the device; 1 after printing why not.
 * list_close_both() closes what it opened (@g NULL: no netlink).
 */
int list_open_both(int *fd, struct mo_genl *g, struct mo_symcache **sc);
void list_close_both(int fd, struct mo_genl *g, struct mo_symcache *sc);

/*
 * Of by-module @rows (SNAPSHOT of @q): memory filed under memowner's
 * sentinel stacks (pages in use before load, stacks not kept) moves from
 * the "memowner" row to rows of its own.  0 or a negative errno; @rows
 * stays the caller's to free either way.
 */
int list_split_sentinels(int fd, struct mo_symcache *sc,
			 const struct mo_query *q,
			 struct memowner_row **rows, size_t *nr);

#endif /* MEMOWNER_LIST_H */
