// SPDX-License-Identifier: GPL-2.0
/*
 * stacks pages caches modules leaks (being built).
 */
#include <stdio.h>

#include "cli.h"

static int cmd_stacks(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: stacks: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_stacks = {
	.name = "stacks",
	.args = "",
	.summary = "stacks",
	.help = "",
	.handler = cmd_stacks,
};

static int cmd_pages(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: pages: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_pages = {
	.name = "pages",
	.args = "",
	.summary = "pages",
	.help = "",
	.handler = cmd_pages,
};

static int cmd_caches(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: caches: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_caches = {
	.name = "caches",
	.args = "",
	.summary = "caches",
	.help = "",
	.handler = cmd_caches,
};

static int cmd_modules(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: modules: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_modules = {
	.name = "modules",
	.args = "",
	.summary = "modules",
	.help = "",
	.handler = cmd_modules,
};

static int cmd_leaks(const struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "memowner: leaks: not built yet\n");
	return 1;
}

const struct cli_cmd cli_cmd_leaks = {
	.name = "leaks",
	.args = "",
	.summary = "leaks",
	.help = "",
	.handler = cmd_leaks,
};
