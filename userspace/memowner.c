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
#include "../module/version.h"

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

/* Open the device and check its ABI; GET_INFO's answer into @info. */
static int open_dev_info(int *fd, struct memowner_info *info)
{
	int ret;

	*fd = mo_dev_open();
	if (*fd < 0)
		return cli_fail("open " MEMOWNER_DEVICE, *fd);
	ret = mo_dev_get_info(*fd, info);
	if (!ret)
		ret = mo_check_abi(info);
	if (ret) {
		close(*fd);
		*fd = -1;
		return cli_fail("GET_INFO", ret);
	}
	return 0;
}

int cli_open_dev(int *fd)
{
	struct memowner_info info;

	return open_dev_info(fd, &info);
}

int cli_get_info(struct memowner_info *info)
{
	int fd;

	if (open_dev_info(&fd, info))
		return 1;
	close(fd);
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
		"      --version  the version of the tool\n"
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

/* Text into roff: escapes, and no line may start with a control char. */
static void roff_text(const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", stdout);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

/*
 * memowner(8), written from the command table itself so that the manual
 * and "memowner help CMD" can never disagree ("make man" runs this).
 */
static void print_man(void)
{
	const struct cli_cmd *const *c;

	printf(".TH MEMOWNER 8 \"\" \"memowner %s\" \"System Administration\"\n",
	       MEMOWNER_VERSION);
	printf(".SH NAME\nmemowner \\- who owns kernel memory\n");
	printf(".SH SYNOPSIS\n.B memowner\n[\\fB\\-\\-json\\fR] "
	       "\\fICOMMAND\\fR [\\fIARGS\\fR...]\n");
	printf(".SH DESCRIPTION\n");
	roff_text("memowner shows which code owns the kernel's memory -- slab "
		  "objects, pages, per-CPU and vmalloc areas -- as tracked by the "
		  "memowner.ko module, on a stock kernel: no page_owner=on, no "
		  "debug kernel, no reboot. It reads /dev/memowner and the generic "
		  "netlink family \"memowner\".\n");
	printf(".SH OPTIONS\n.TP\n.BR \\-j \", \" \\-\\-json\n");
	roff_text("Machine-readable output: one JSON document (JSON lines for "
		  "watch). Every listing has it.\n");
	printf(".TP\n.BR \\-h \", \" \\-\\-help\nThe list of commands.\n");
	printf(".TP\n.B \\-\\-version\nThe version of the tool.\n");
	printf(".SH COMMANDS\n");
	for (c = cli_cmds; *c; c++) {
		printf(".SS \"");
		roff_text((*c)->name);
		if ((*c)->args[0]) {
			putchar(' ');
			roff_text((*c)->args);
		}
		printf("\"\n");
		roff_text((*c)->summary);
		printf(".\n");
		if ((*c)->help && (*c)->help[0]) {
			printf(".PP\n.nf\n");
			roff_text((*c)->help);
			printf(".fi\n");
		}
	}
	printf(".SH EXIT STATUS\n0 success, 1 an error (printed with a hint), "
	       "2 bad arguments (with a usage line).\n");
	printf(".SH PRIVILEGES\n");
	roff_text("CAP_SYS_ADMIN, or CAP_PERFMON for reading. Raw kernel "
		  "addresses are never shown without CAP_SYSLOG.\n");
	printf(".SH FILES\n.TP\n.B /dev/memowner\nThe control device.\n"
	       ".TP\n.B /sys/kernel/debug/memowner/\n");
	roff_text("status, show_stacks and a page_owner-format view.\n");
	printf(".SH SEE ALSO\n.BR memownerd (8),\n.BR top (1),\n"
	       ".BR slabtop (1)\n");
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
		{ "version", no_argument, NULL, 'V' },
		{ "man", no_argument, NULL, 'M' },
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
		case 'V':
			printf("memowner %s\n", MEMOWNER_VERSION);
			return 0;
		case 'M':
			print_man();
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
