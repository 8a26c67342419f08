// SPDX-License-Identifier: GPL-2.0
/*
 * memowner status, memowner config.
 *
 * status reports GET_INFO (the ABI: version, configuration, counters), and
 * adds what only the module's debugfs status file tells -- each hook's
 * attach state, event counts per source, coverage of the pages in use, the
 * drops by cause -- when debugfs is mounted and readable.  It says where
 * each part comes from, so a missing part is never silently zero.
 *
 * config changes the configuration over netlink, which returns the
 * kernel's own words (extended ack) with an error; values are checked here
 * first so that a typo never reaches the module.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define DEBUGFS_STATUS "/sys/kernel/debug/memowner/status"
#define EXTACK_LEN 256
#define SAMPLE_BYTES_MAX (1ULL << 40)
#define DEPTH_MAX 64

static void print_version(__u32 v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

static void fmt_duration(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
}

/* Seconds since the module loaded (loaded_ns is CLOCK_BOOTTIME). */
static uint64_t uptime_s(const struct memowner_info *info)
{
	struct timespec ts;
	uint64_t now;

	if (clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	now = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return now > info->loaded_ns ? (now - info->loaded_ns) / 1000000000ULL : 0;
}

/* ---- the debugfs status file ------------------------------------------- */

/*
 * The lines status reads, all "NAME: ..." (module/debugfs.c status_show()):
 *   hook: SRC KIND NAME attached [missed=N]
 *   hook: SRC KIND NAME FAILED (ERR)
 *   hook: SRC KIND NAME not attached: WHY    (prototype changed, ...)
 *   hook: SRC KIND NAME not needed: WHY      (none in this kernel, ...)
 *   sources: asked=MASK tracked=MASK degraded=MASK
 *   source SRC: key=N ...
 *   coverage: key=N ...  drops: key=N ...  events: key=N ...
 *   objects: key=N ...   stacks: N max=N
 */
struct dbg_status {
	char *text;		/* the file, NULL when unreadable */
	int err;		/* why it is unreadable */
};

static void dbg_read(struct dbg_status *d)
{
	FILE *f = fopen(DEBUGFS_STATUS, "r");
	size_t len = 0, cap = 8192, n;

	d->text = NULL;
	d->err = 0;
	if (!f) {
		d->err = errno;
		return;
	}
	d->text = malloc(cap);
	while (d->text) {
		char *t;

		n = fread(d->text + len, 1, cap - len - 1, f);
		len += n;
		if (len < cap - 1)
			break;
		cap *= 2;
		t = realloc(d->text, cap);
		if (!t)
			free(d->text);
		d->text = t;
	}
	if (d->text)
		d->text[len] = '\0';
	else
		d->err = ENOMEM;
	fclose(f);
}

/* The line starting with @prefix, up to its end, or NULL. */
static const char *dbg_line(const char *text, const char *prefix, size_t *len)
{
	const char *p = text;
	size_t plen = strlen(prefix);

	while (p && *p) {
		if (!strncmp(p, prefix, plen)) {
			const char *e = strchr(p, '\n');

			*len = e ? (size_t)(e - p) : strlen(p);
			return p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* "key=N" within a line of @len bytes; -1 when absent. */
static long long kv(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line, *end = line + len;

	while (p < end) {
		if ((p == line || p[-1] == ' ') && (size_t)(end - p) > klen &&
		    !strncmp(p, key, klen) && p[klen] == '=')
			return strtoll(p + klen + 1, NULL, 10);
		p++;
	}
	return -1;
}

/* Every key=N of a line as JSON members of object @name. */
static void json_kv_line(struct mo_json *j, const char *name,
			 const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	char key[64];

	mo_json_obj_begin(j, name);
	while (p < end) {
		const char *eq = memchr(p, '=', end - p), *k;

		if (!eq)
			break;
		for (k = eq; k > p && k[-1] != ' '; k--)
			;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - k), k);
		mo_json_u64(j, key, strtoull(eq + 1, NULL, 10));
		p = memchr(eq, ' ', end - eq);
		if (!p)
			break;
	}
	mo_json_obj_end(j);
}

struct hook {
	char what[16], kind[16], name[64], state[64];
	int err;
	long long missed;
};

/* "hook: SRC KIND NAME STATE..." where STATE runs to " (", " missed=" or the end. */
static int parse_hook(const char *line, size_t len, struct hook *h)
{
	char buf[256], *p, *e;
	int n = 0;

	snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
	memset(h, 0, sizeof(*h));
	h->missed = -1;
	if (sscanf(buf, "hook: %15s %15s %63s %n", h->what, h->kind, h->name,
		   &n) != 3 || !n)
		return -1;
	p = strstr(buf + n, " (");
	if (p)
		h->err = atoi(p + 2);
	e = strstr(buf + n, "missed=");
	if (e)
		h->missed = atoll(e + 7);
	if (!p || (e && e < p))
		p = e;
	if (p)
		*p = '\0';
	e = buf + n + strlen(buf + n);
	while (e > buf + n && e[-1] == ' ')
		*--e = '\0';
	snprintf(h->state, sizeof(h->state), "%s", buf + n);
	return h->state[0] ? 0 : -1;
}

static void status_dbg_text(const struct dbg_status *d)
{
	const char *p, *line;
	size_t len;
	int s, nhooks = 0, nfailed = 0, nunneeded = 0;
	long long tracked, in_use, permille;

	if (!d->text) {
		printf("\ndetails:      %s: %s%s\n", DEBUGFS_STATUS, strerror(d->err),
		       d->err == ENOENT ? " (mount debugfs: mount -t debugfs none /sys/kernel/debug)" : "");
		return;
	}
	printf("\nfrom %s:\n", DEBUGFS_STATUS);
	for (p = d->text; (line = dbg_line(p, "hook: ", &len)); p = line + len) {
		struct hook h;

		if (parse_hook(line, len, &h))
			continue;
		nhooks++;
		/* "not needed: ..." -- none in this kernel, or its calls reach another hook: no gap. */
		if (!strncmp(h.state, "not needed", 10))
			nunneeded++;
		else
			nfailed += strcmp(h.state, "attached") != 0;
	}
	printf("hooks:        %d attached, %d not attached", nhooks - nfailed - nunneeded,
	       nfailed);
	if (nunneeded)
		printf(", %d not needed on this kernel", nunneeded);
	printf("\n");
	for (p = d->text; (line = dbg_line(p, "hook: ", &len)); p = line + len) {
		struct hook h;

		if (parse_hook(line, len, &h))
			continue;
		printf("  %-8s %-10s %-32s %s", h.what, h.kind, h.name, h.state);
		if (h.err)
			printf(" (%s)", strerror(-h.err));
		if (h.missed >= 0)
			printf(" missed=%lld", h.missed);
		printf("\n");
	}
	printf("events seen:  %-8s %14s %14s %14s %14s\n", "SOURCE", "ALLOCS",
	       "FREES", "LIVE", "UNKNOWN_FREES");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "source %s:", mo_source_name(s));
		line = dbg_line(d->text, prefix, &len);
		if (!line)
			continue;
		printf("              %-8s %14lld %14lld %14lld %14lld\n",
		       mo_source_name(s), kv(line, len, "alloc_events"),
		       kv(line, len, "free_events"), kv(line, len, "live_objects"),
		       kv(line, len, "unknown_frees"));
	}
	line = dbg_line(d->text, "coverage:", &len);
	if (line) {
		tracked = kv(line, len, "tracked_pages");
		in_use = kv(line, len, "in_use_pages");
		permille = kv(line, len, "permille");
		printf("coverage:     %lld.%lld%% of the pages in use are tracked (%lld of %lld)\n",
		       permille / 10, permille % 10, tracked, in_use);
	}
	line = dbg_line(d->text, "tasks:", &len);
	if (line)
		printf("tasks:        %lld identities of %lld in use, %lld recycled (%lld sweeps)\n",
		       kv(line, len, "used"), kv(line, len, "max"),
		       kv(line, len, "recycled"), kv(line, len, "sweeps"));
	line = dbg_line(d->text, "migrated:", &len);
	if (line)
		printf("migrated:     %lld page owners moved with their pages\n",
		       kv(line, len, "pages"));
	/* "memory:" is GET_INFO's mem_bytes, printed as "own memory". */
	line = dbg_line(d->text, "drops:", &len);
	if (line)
		printf("drops by cause: %.*s\n", (int)(len - 7), line + 7);
	line = dbg_line(d->text, "events:", &len);
	if (line)
		printf("notifications: %.*s\n", (int)(len - 8), line + 8);
}

static void status_dbg_json(struct mo_json *j, const struct dbg_status *d)
{
	static const char *const kvlines[] = {
		"coverage", "drops", "events", "objects", "preload", "tasks",
		"migrated",
	};
	const char *p, *line;
	char prefix[32];
	size_t len, i;
	int s;

	if (!d->text) {
		mo_json_null(j, "debugfs");
		mo_json_str(j, "debugfs_error", strerror(d->err));
		return;
	}
	mo_json_obj_begin(j, "debugfs");
	mo_json_str(j, "file", DEBUGFS_STATUS);
	mo_json_arr_begin(j, "hooks");
	for (p = d->text; (line = dbg_line(p, "hook: ", &len)); p = line + len) {
		struct hook h;

		if (parse_hook(line, len, &h))
			continue;
		mo_json_obj_begin(j, NULL);
		mo_json_str(j, "what", h.what);
		mo_json_str(j, "kind", h.kind);
		mo_json_str(j, "name", h.name);
		mo_json_bool(j, "attached", !strcmp(h.state, "attached"));
		/* false: not in this kernel, or its calls reach another hook */
		mo_json_bool(j, "needed", strncmp(h.state, "not needed", 10) != 0);
		mo_json_str(j, "state", h.state);
		mo_json_s64(j, "error", h.err);
		if (h.missed >= 0)
			mo_json_u64(j, "missed", h.missed);
		mo_json_obj_end(j);
	}
	mo_json_arr_end(j);
	mo_json_obj_begin(j, "sources");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++) {
		snprintf(prefix, sizeof(prefix), "source %s:", mo_source_name(s));
		line = dbg_line(d->text, prefix, &len);
		if (line)
			json_kv_line(j, mo_source_name(s), line, len);
	}
	mo_json_obj_end(j);
	for (i = 0; i < sizeof(kvlines) / sizeof(kvlines[0]); i++) {
		snprintf(prefix, sizeof(prefix), "%s:", kvlines[i]);
		line = dbg_line(d->text, prefix, &len);
		if (line)
			json_kv_line(j, kvlines[i], line, len);
	}
	line = dbg_line(d->text, "memory:", &len);
	if (line)
		mo_json_u64(j, "memory_bytes", strtoull(line + 7, NULL, 10));
	line = dbg_line(d->text, "stacks:", &len);
	if (line) {
		mo_json_obj_begin(j, "stacks");
		mo_json_u64(j, "count", strtoull(line + 7, NULL, 10));
		if (kv(line, len, "max") >= 0)
			mo_json_u64(j, "max", kv(line, len, "max"));
		mo_json_obj_end(j);
	}
	mo_json_obj_end(j);
}

/* ---- status ------------------------------------------------------------ */

static void json_config(struct mo_json *j, const struct memowner_info *info)
{
	uint32_t s;

	mo_json_bool(j, "enabled", info->enabled);
	mo_json_str(j, "mode", mo_mode_name(info->mode));
	mo_json_arr_begin(j, "sources");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++)
		if (info->sources & (1u << s))
			mo_json_str(j, NULL, mo_source_name(s));
	mo_json_arr_end(j);
	mo_json_u64(j, "depth", info->depth);
	mo_json_u64(j, "sample_bytes", info->sample_bytes);
	if (info->size < MEMOWNER_INFO_SIZE_VER2)
		return;
	mo_json_arr_begin(j, "sources_tracked");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++)
		if (info->sources_tracked & (1u << s))
			mo_json_str(j, NULL, mo_source_name(s));
	mo_json_arr_end(j);
	mo_json_arr_begin(j, "sources_degraded");
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++)
		if (info->sources_degraded & (1u << s))
			mo_json_str(j, NULL, mo_source_name(s));
	mo_json_arr_end(j);
}

/*
 * A source asked for whose hooks did not all attach on this kernel: said
 * on stderr, so that a script reading the rest is told too.
 */
static void warn_degraded(const struct memowner_info *info)
{
	uint32_t s;

	if (info->size < MEMOWNER_INFO_SIZE_VER2 || !info->enabled)
		return;
	for (s = 0; s <= MEMOWNER_SRC_MAX; s++) {
		if (!(info->sources_degraded & (1u << s)))
			continue;
		fprintf(stderr, "memowner: warning: source %s %s on this kernel: a hook is not attached (see \"hooks\" in memowner status)\n",
			mo_source_name(s), info->sources_tracked & (1u << s) ?
			"is tracked with a gap" : "is not tracked");
	}
}

static int cmd_status(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 },
	};
	struct memowner_info info;
	struct dbg_status d;
	char ver[32], b1[32], b2[32], srcs[64];
	struct mo_json j;
	uint64_t up;

	if (getopt_long(argc, argv, "", longopts, NULL) != -1)
		return CLI_USAGE;
	if (optind != argc) {
		fprintf(stderr, "memowner: status: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	if (cli_get_info(&info))
		return 1;
	dbg_read(&d);
	up = uptime_s(&info);
	warn_degraded(&info);

	print_version(info.version, ver, sizeof(ver));
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_str(&j, "version", ver);
		mo_json_u64(&j, "abi_version", info.abi_version);
		mo_json_u64(&j, "features", info.features);
		json_config(&j, &info);
		mo_json_u64(&j, "live_objects", info.live_objects);
		mo_json_u64(&j, "nr_stacks", info.nr_stacks);
		mo_json_u64(&j, "nr_drops", info.nr_drops);
		mo_json_u64(&j, "mem_bytes", info.mem_bytes);
		mo_json_u64(&j, "loaded_ns", info.loaded_ns);
		mo_json_u64(&j, "uptime_s", up);
		mo_json_u64(&j, "nr_opens", info.nr_opens);
		mo_json_u64(&j, "nr_ioctls", info.nr_ioctls);
		mo_json_u64(&j, "nr_requests", info.nr_requests);
		mo_json_u64(&j, "nr_cpus", info.nr_cpus);
		status_dbg_json(&j, &d);
		mo_json_obj_end(&j);
		mo_json_end(&j);
		free(d.text);
		return 0;
	}
	fmt_duration(up, b1, sizeof(b1));
	printf("version:      %s (abi %u), loaded %s ago\n", ver,
	       info.abi_version, b1);
	printf("interfaces:  %s%s%s\n",
	       info.features & MEMOWNER_FEAT_IOCTL ? " ioctl" : "",
	       info.features & MEMOWNER_FEAT_GENL ? " netlink" : "",
	       info.features & MEMOWNER_FEAT_DEBUGFS ? " debugfs" : "");
	printf("tracking:     %s\n", info.enabled ? "enabled" : "disabled (probes detached)");
	printf("mode:         %s\n", mo_mode_name(info.mode));
	printf("sources:      %s\n", mo_sources_str(info.sources, srcs, sizeof(srcs)));
	if (info.size >= MEMOWNER_INFO_SIZE_VER2 && info.enabled &&
	    info.sources_tracked != info.sources)
		printf("tracked:      %s\n",
		       mo_sources_str(info.sources_tracked, srcs, sizeof(srcs)));
	printf("depth:        %u frames\n", info.depth);
	printf("sample bytes: %llu (%s)%s\n", (unsigned long long)info.sample_bytes,
	       mo_fmt_bytes(info.sample_bytes, b2, sizeof(b2)),
	       info.mode == MEMOWNER_MODE_SAMPLE ? "" : ", used in sample mode");
	printf("live objects: %llu\n", (unsigned long long)info.live_objects);
	printf("stacks:       %u\n", info.nr_stacks);
	printf("drops:        %llu\n", (unsigned long long)info.nr_drops);
	printf("own memory:   %llu bytes (%s)\n", (unsigned long long)info.mem_bytes,
	       mo_fmt_bytes(info.mem_bytes, b2, sizeof(b2)));
	printf("requests:     %llu opens, %llu ioctls, %llu netlink\n",
	       (unsigned long long)info.nr_opens,
	       (unsigned long long)info.nr_ioctls,
	       (unsigned long long)info.nr_requests);
	printf("cpus:         %u\n", info.nr_cpus);
	status_dbg_text(&d);
	free(d.text);
	return 0;
}

const struct cli_cmd cli_cmd_status = {
	.name = "status",
	.args = "",
	.summary = "module version, mode, sources, counters, coverage, drops",
	.help =
"What memowner.ko tracks and how it is doing.  From the module's\n"
"interface (GET_INFO): version and ABI, time since load, the configuration\n"
"(enabled, mode, sources, stack depth, sampling interval), live objects,\n"
"stacks, events dropped for lack of room, the memory memowner itself\n"
"holds, and the requests it served.\n"
"\n"
"From /sys/kernel/debug/memowner/status, when debugfs is mounted and\n"
"readable (status says so otherwise): each hook (tracepoint, kprobe,\n"
"kretprobe) with its attach state, error and missed events; allocation and\n"
"free events seen per source and frees of objects it never saw allocated;\n"
"coverage, the share of the pages in use whose owner is known; the memory\n"
"of memowner's tables; drops by cause; notifications sent and dropped.\n"
"\n"
"--json prints every field of both; \"debugfs\" is null (with\n"
"\"debugfs_error\") when the file is unreadable.\n",
	.handler = cmd_status,
};

/* ---- config ------------------------------------------------------------ */

static int set_config_genl(const struct memowner_config *c)
{
	char extack[EXTACK_LEN] = "";
	struct nlattr *nest;
	struct nl_msg *msg;
	struct mo_genl g;
	int ret;

	if (cli_open_genl(&g))
		return 1;
	msg = mo_genl_msg(&g, MEMOWNER_CMD_SET_CONFIG, 0);
	if (!msg) {
		mo_genl_close(&g);
		return cli_fail("SET_CONFIG", -ENOMEM);
	}
	nest = nla_nest_start(msg, MEMOWNER_A_CONFIG);
	if (!nest ||
	    (c->flags & MEMOWNER_CONFIG_F_SOURCES &&
	     nla_put_u32(msg, MEMOWNER_A_CONFIG_SOURCES, c->sources)) ||
	    (c->flags & MEMOWNER_CONFIG_F_MODE &&
	     nla_put_u32(msg, MEMOWNER_A_CONFIG_MODE, c->mode)) ||
	    (c->flags & MEMOWNER_CONFIG_F_DEPTH &&
	     nla_put_u32(msg, MEMOWNER_A_CONFIG_DEPTH, c->depth)) ||
	    (c->flags & MEMOWNER_CONFIG_F_SAMPLE_BYTES &&
	     nla_put_u64(msg, MEMOWNER_A_CONFIG_SAMPLE_BYTES, c->sample_bytes)) ||
	    (c->flags & MEMOWNER_CONFIG_F_ENABLED &&
	     nla_put_u8(msg, MEMOWNER_A_CONFIG_ENABLED, c->enabled))) {
		nlmsg_free(msg);
		mo_genl_close(&g);
		return cli_fail("SET_CONFIG", -EMSGSIZE);
	}
	nla_nest_end(msg, nest);
	ret = mo_genl_transact(&g, msg, NULL, NULL, extack, sizeof(extack));
	mo_genl_close(&g);
	return ret ? cli_fail_extack("SET_CONFIG", ret, extack) : 0;
}

static void print_config(const struct memowner_info *info)
{
	char srcs[64], b[32];

	printf("enabled:      %s\n", info->enabled ? "yes" : "no");
	printf("mode:         %s\n", mo_mode_name(info->mode));
	printf("sources:      %s\n", mo_sources_str(info->sources, srcs, sizeof(srcs)));
	printf("depth:        %u\n", info->depth);
	printf("sample bytes: %llu (%s)\n", (unsigned long long)info->sample_bytes,
	       mo_fmt_bytes(info->sample_bytes, b, sizeof(b)));
}

static int cmd_config(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "sources", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 's' },
		{ "depth", required_argument, NULL, 'd' },
		{ "sample-bytes", required_argument, NULL, 'b' },
		{ "enable", no_argument, NULL, 'e' },
		{ "disable", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct memowner_config c = { 0 };
	struct memowner_info info;
	unsigned long long v;
	struct mo_json j;
	uint64_t b;
	char *end;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "m:s:d:b:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (mo_parse_mode(optarg, &c.mode)) {
				fprintf(stderr, "memowner: config: unknown mode '%s' (stack, callsite or sample)\n",
					optarg);
				return CLI_USAGE;
			}
			c.flags |= MEMOWNER_CONFIG_F_MODE;
			break;
		case 's':
			if (mo_parse_sources(optarg, &c.sources)) {
				fprintf(stderr, "memowner: config: bad source list '%s' (slab,page,percpu,vmalloc or all)\n",
					optarg);
				return CLI_USAGE;
			}
			c.flags |= MEMOWNER_CONFIG_F_SOURCES;
			break;
		case 'd':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9' ||
			    v < 1 || v > DEPTH_MAX) {
				fprintf(stderr, "memowner: config: bad depth '%s' (1..%d frames)\n",
					optarg, DEPTH_MAX);
				return CLI_USAGE;
			}
			c.depth = v;
			c.flags |= MEMOWNER_CONFIG_F_DEPTH;
			break;
		case 'b':
			if (mo_parse_bytes(optarg, &b) || !b ||
			    b > SAMPLE_BYTES_MAX) {
				fprintf(stderr, "memowner: config: bad sample bytes '%s' (1..1T, e.g. 512K)\n",
					optarg);
				return CLI_USAGE;
			}
			c.sample_bytes = b;
			c.flags |= MEMOWNER_CONFIG_F_SAMPLE_BYTES;
			break;
		case 'e':
		case 'D':
			if (c.flags & MEMOWNER_CONFIG_F_ENABLED &&
			    c.enabled != (opt == 'e')) {
				fprintf(stderr, "memowner: config: --enable and --disable together\n");
				return CLI_USAGE;
			}
			c.enabled = opt == 'e';
			c.flags |= MEMOWNER_CONFIG_F_ENABLED;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "memowner: config: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	if (c.flags) {
		ret = set_config_genl(&c);
		if (ret)
			return ret;
		/* Anything but disabling starts a new epoch: say so. */
		if (c.flags != MEMOWNER_CONFIG_F_ENABLED || c.enabled)
			fprintf(stderr, "memowner: config: applied; tracking restarted (records and counters cleared)\n");
	}
	if (cli_get_info(&info))
		return 1;
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		json_config(&j, &info);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	} else {
		print_config(&info);
	}
	return 0;
}

const struct cli_cmd cli_cmd_config = {
	.name = "config",
	.args = "[--mode M] [--sources LIST] [--depth N] [--sample-bytes B] [--enable|--disable]",
	.summary = "show or change the tracking configuration",
	.help =
"Without options, prints the tracking configuration.  With options,\n"
"changes the named settings (the others stay) and prints the result.\n"
"Needs CAP_SYS_ADMIN to change.\n"
"\n"
"  -m, --mode M          stack (full stack per allocation, exact),\n"
"                        callsite (the allocator's caller only, exact,\n"
"                        cheaper) or sample (stacks of a byte-sampled\n"
"                        subset, counts estimated).\n"
"  -s, --sources LIST    slab,page,percpu,vmalloc or all.\n"
"  -d, --depth N         frames kept per stack, 1..64.\n"
"  -b, --sample-bytes B  mean bytes between samples in sample mode,\n"
"                        1..1T; K, M, G, T suffixes (512K).\n"
"      --enable          attach the probes again.\n"
"      --disable         detach every probe (no cost); the last view stays\n"
"                        readable.\n"
"\n"
"Every change but --disable starts a new tracking epoch: all records and\n"
"counters are cleared and the pages in use are accounted \"before load\"\n"
"anew.  Values are checked before anything is sent (bad ones exit 2 and\n"
"change nothing); the kernel's refusal is printed in its own words.\n"
"\n"
"--json prints {enabled, mode, sources, depth, sample_bytes}.\n",
	.handler = cmd_config,
};
