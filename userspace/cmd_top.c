// SPDX-License-Identifier: GPL-2.0
/*
 * top (being built).
 */
#include <stdio.h>

#include "cli.h"

static int cmd_top(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: top: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_top = {
	.name = "top",
	.args = "",
	.summary = "top",
	.help = "",
	.handler = cmd_top,
};
