// SPDX-License-Identifier: GPL-2.0
/*
 * memowner: who owns kernel memory -- the command-line tool.
 *
 * Commands live in one table (name, arguments, help, handler), as iw does;
 * each is defined in its cmd_*.c file (see cli.h).  "memowner help CMD"
 * prints a command's help; bad arguments exit with 2 and a usage line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_cmd cli_cmd_help;

static const struct cli_cmd *const cli_cmds[] = {
	&cli_cmd_status,
	&cli_cmd_top,
	&cli_cmd_stacks,
	&cli_cmd_pages,
	&cli_cmd_caches,
	&cli_cmd_modules,
	&cli_cmd_leaks,
	&cli_cmd_export,
	&cli_cmd_alerts,
	&cli_cmd_watch,
	&cli_cmd_config,
	&cli_cmd_help,
	NULL,
};

int cli_fail(const char *what, int err)
{
	return cli_fail_extack(what, err, NULL);
}

int cli_fail_extack(const char *what, int err, const char *extack)
{
	if (extack && extack[0])
		fprintf(stderr, "memowner: %s: %s (kernel: %s)\n", what,
			strerror(-err), extack);
	else
		fprintf(stderr, "memowner: %s: %s\n", what, strerror(-err));
	if (strcmp(mo_hint(err), strerror(-err)))
		fprintf(stderr, "hint: %s\n", mo_hint(err));
	return 1;
}

int cli_open_dev(int *fd)
{
	struct memowner_info info;
	int ret;

	*fd = mo_dev_open();
	if (*fd < 0)
		return cli_fail("open " MEMOWNER_DEVICE, *fd);
	ret = mo_dev_get_info(*fd, &info);
	if (!ret)
		ret = mo_check_abi(&info);
	if (ret) {
		close(*fd);
		*fd = -1;
		return cli_fail("GET_INFO", ret);
	}
	return 0;
}

int cli_open_genl(struct mo_genl *g)
{
	int ret = mo_genl_open(g);

	return ret ? cli_fail("netlink family " MEMOWNER_GENL_NAME, ret) : 0;
}

static void usage_cmd(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: memowner [--json] %s%s%s\n", c->name,
		c->args[0] ? " " : "", c->args);
}

static void usage(FILE *f)
{
	const struct cli_cmd *const *c;

	fprintf(f,
		"usage: memowner [--json] COMMAND [ARGS...]\n"
		"\n"
		"Show who owns kernel memory, as tracked by memowner.ko.\n"
		"\n"
		"Options:\n"
		"  -j, --json     machine-readable output (one JSON document;\n"
		"                 JSON lines for watch)\n"
		"  -h, --help     this help\n"
		"\n"
		"Commands:\n");
	for (c = cli_cmds; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f,
		"\n"
		"'memowner help COMMAND' shows the options of a command.\n"
		"Needs root (CAP_SYS_ADMIN, or CAP_PERFMON for reading).\n"
		"Exit status: 0 success, 1 error, 2 bad arguments.\n");
}

static const struct cli_cmd *find_cmd(const char *name)
{
	const struct cli_cmd *const *c;

	for (c = cli_cmds; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

static int cmd_help(const struct cli_opts *o, int argc, char **argv)
{
	const struct cli_cmd *c;

	(void)o;
	if (argc == 1) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return CLI_USAGE;
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "memowner: unknown command '%s'\n", argv[1]);
		return CLI_USAGE;
	}
	usage_cmd(stdout, c);
	printf("\n%s\n", c->summary);
	if (c->help && c->help[0])
		printf("\n%s", c->help);
	return 0;
}

static const struct cli_cmd cli_cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.summary = "general help, or the help of COMMAND",
	.help = "",
	.handler = cmd_help,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	const struct cli_cmd *c;
	int opt, ret, i;

	while ((opt = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o.json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "memowner: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return CLI_USAGE;
	}
	/* "memowner CMD --help" is "memowner help CMD". */
	for (i = optind + 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			char *hargv[] = { "help", argv[optind], NULL };

			return cmd_help(&o, 2, hargv);
		}
	/* Each handler parses with getopt from a fresh start. */
	argv += optind;
	argc -= optind;
	optind = 0;
	ret = c->handler(&o, argc, argv);
	if (ret == CLI_USAGE)
		usage_cmd(stderr, c);
	return ret;
}
