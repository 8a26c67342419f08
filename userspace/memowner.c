// SPDX-License-Identifier: GPL-2.0
/*
 * memowner: who owns kernel memory -- the command-line tool.
 *
 * Commands live in one table (name, arguments, help, handler), as iw does;
 * "memowner help CMD" prints a command's help, bad arguments exit with 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memowner_client.h"

#define EXIT_USAGE 2

struct mo_opts {
	int json;
};

struct mo_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*handler)(const struct mo_opts *o, int argc, char **argv);
};

static const struct mo_cmd mo_cmds[];

static int fail(const char *what, int err)
{
	fprintf(stderr, "memowner: %s: %s\n", what, strerror(-err));
	fprintf(stderr, "hint: %s\n", mo_hint(err));
	return 1;
}

static void print_version(__u32 v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

static int cmd_status(const struct mo_opts *o, int argc, char **argv)
{
	struct memowner_info info;
	char ver[32];
	int fd, ret;

	(void)argv;
	if (argc)
		return -EXIT_USAGE;
	fd = mo_dev_open();
	if (fd < 0)
		return fail("open " MEMOWNER_DEVICE, fd);
	ret = mo_dev_get_info(fd, &info);
	close(fd);
	if (ret)
		return fail("GET_INFO", ret);

	print_version(info.version, ver, sizeof(ver));
	if (o->json) {
		printf("{\"version\":\"%s\",\"abi_version\":%u,\"features\":%llu,"
		       "\"loaded_ns\":%llu,\"nr_opens\":%llu,\"nr_ioctls\":%llu,"
		       "\"nr_requests\":%llu,\"mem_bytes\":%llu,\"nr_cpus\":%u}\n",
		       ver, info.abi_version,
		       (unsigned long long)info.features,
		       (unsigned long long)info.loaded_ns,
		       (unsigned long long)info.nr_opens,
		       (unsigned long long)info.nr_ioctls,
		       (unsigned long long)info.nr_requests,
		       (unsigned long long)info.mem_bytes, info.nr_cpus);
		return 0;
	}
	printf("version:      %s (abi %u)\n", ver, info.abi_version);
	printf("features:    %s%s%s\n",
	       info.features & MEMOWNER_FEAT_IOCTL ? " ioctl" : "",
	       info.features & MEMOWNER_FEAT_GENL ? " netlink" : "",
	       info.features & MEMOWNER_FEAT_DEBUGFS ? " debugfs" : "");
	printf("cpus:         %u\n", info.nr_cpus);
	printf("own memory:   %llu bytes\n", (unsigned long long)info.mem_bytes);
	printf("requests:     %llu opens, %llu ioctls, %llu netlink\n",
	       (unsigned long long)info.nr_opens,
	       (unsigned long long)info.nr_ioctls,
	       (unsigned long long)info.nr_requests);
	return 0;
}

static void usage_cmd(FILE *f, const struct mo_cmd *c)
{
	fprintf(f, "usage: memowner [--json] %s%s%s\n", c->name,
		c->args[0] ? " " : "", c->args);
}

static void usage(FILE *f)
{
	const struct mo_cmd *c;

	fprintf(f,
		"usage: memowner [--json] COMMAND [ARGS...]\n"
		"\n"
		"Show who owns kernel memory, as tracked by memowner.ko.\n"
		"\n"
		"Options:\n"
		"  -j, --json     machine-readable output (one JSON document)\n"
		"  -h, --help     this help\n"
		"\n"
		"Commands:\n");
	for (c = mo_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
	fprintf(f,
		"\n"
		"Needs root (CAP_SYS_ADMIN, or CAP_PERFMON for reading).\n"
		"Exit status: 0 success, 1 error, 2 bad arguments.\n");
}

static const struct mo_cmd *find_cmd(const char *name)
{
	const struct mo_cmd *c;

	for (c = mo_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int cmd_help(const struct mo_opts *o, int argc, char **argv)
{
	const struct mo_cmd *c;

	(void)o;
	if (argc == 0) {
		usage(stdout);
		return 0;
	}
	if (argc > 1)
		return -EXIT_USAGE;
	c = find_cmd(argv[0]);
	if (!c) {
		fprintf(stderr, "memowner: unknown command '%s'\n", argv[0]);
		return EXIT_USAGE;
	}
	usage_cmd(stdout, c);
	printf("\n%s\n", c->help);
	return 0;
}

static const struct mo_cmd mo_cmds[] = {
	{ "status", "", "module version, ABI, features and counters", cmd_status },
	{ "help", "[COMMAND]", "general help, or the help of COMMAND", cmd_help },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mo_opts o = { 0 };
	const struct mo_cmd *c;
	int opt, ret;

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
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "memowner: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	ret = c->handler(&o, argc - optind - 1, argv + optind + 1);
	if (ret == -EXIT_USAGE) {
		fprintf(stderr, "memowner: bad arguments to '%s'\n", c->name);
		usage_cmd(stderr, c);
		return EXIT_USAGE;
	}
	return ret;
}
