/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memowner CLI: one table of commands (memowner.c), one file per group
 * of commands:
 *   cmd_status.c   status, config
 *   cmd_stacks.c   stacks
 *   cmd_pages.c    pages
 *   cmd_caches.c   caches
 *   cmd_modules.c  modules
 *   cmd_leaks.c    leaks
 *   list.c         what those five listings share (list.h)
 *   cmd_top.c      top (ncurses live view and batch mode)
 *   cmd_export.c   export --format folded|pprof|json
 *   cmd_alerts.c   alerts add|del|list, watch
 *
 * A handler gets the arguments after its name (getopt-style: argv[0] is
 * the command name, argc counts it) and returns the exit status: 0, 1 on
 * an error it has printed, or CLI_USAGE for bad arguments (main prints
 * the usage line and exits with 2).
 */
#ifndef MEMOWNER_CLI_H
#define MEMOWNER_CLI_H

#include <stdio.h>

#include "memowner_client.h"
#include "mo_json.h"

#define CLI_USAGE 2

struct cli_opts {
	int json;	/* --json: one JSON document (or JSON lines for watch) */
};

struct cli_cmd {
	const char *name;
	const char *args;	/* usage line after the name */
	const char *summary;	/* one line, for the command list */
	const char *help;	/* man-style text for "memowner help NAME" */
	int (*handler)(const struct cli_opts *o, int argc, char **argv);
};

/* Print "memowner: WHAT: strerror" and the hint of @err (negative errno). */
int cli_fail(const char *what, int err);
/* The same, with the kernel's extended-ack message when there is one. */
int cli_fail_extack(const char *what, int err, const char *extack);
/* Open the device / the netlink family, printing a hint on failure. */
int cli_open_dev(int *fd);
int cli_open_genl(struct mo_genl *g);
/* GET_INFO through a device opened for the moment (printing any error). */
int cli_get_info(struct memowner_info *info);

/* Each command file defines its table entries. */
extern const struct cli_cmd cli_cmd_status, cli_cmd_config;
extern const struct cli_cmd cli_cmd_stacks, cli_cmd_pages, cli_cmd_caches,
	cli_cmd_modules, cli_cmd_leaks;
extern const struct cli_cmd cli_cmd_top;
extern const struct cli_cmd cli_cmd_export;
extern const struct cli_cmd cli_cmd_alerts, cli_cmd_watch;

#endif /* MEMOWNER_CLI_H */
