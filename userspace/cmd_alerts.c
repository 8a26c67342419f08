// SPDX-License-Identifier: GPL-2.0
/*
 * alerts watch (being built).
 */
#include <stdio.h>

#include "cli.h"

static int cmd_alerts(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: alerts: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_alerts = {
	.name = "alerts",
	.args = "",
	.summary = "alerts",
	.help = "",
	.handler = cmd_alerts,
};

static int cmd_watch(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: watch: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_watch = {
	.name = "watch",
	.args = "",
	.summary = "watch",
	.help = "",
	.handler = cmd_watch,
};
