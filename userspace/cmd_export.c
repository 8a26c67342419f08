// SPDX-License-Identifier: GPL-2.0
/*
 * export (being built).
 */
#include <stdio.h>

#include "cli.h"

static int cmd_export(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: export: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_export = {
	.name = "export",
	.args = "",
	.summary = "export",
	.help = "",
	.handler = cmd_export,
};
