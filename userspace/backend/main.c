// SPDX-License-Identifier: GPL-2.0
/*
 * vl-backend: serve one virtio device whose device side lives in this
 * process, over /dev/virtio-loopback.  This file is the command line: it
 * picks the device model, checks its options and hands it to the loop.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#define VL_EXIT_USAGE	2

struct vl_cli {
	struct vl_serve_options serve;
	struct vl_blk_options blk;
	struct vl_console_options console;
	struct vl_vhost_user_options vhost_user;
	const char *vhost_user_type;
};

struct vl_device_kind {
	const char *name;
	const char *help;
	const char *shortopts;
	const struct option *longopts;
	/* One option of this kind; false when it is wrong. */
	bool (*option)(struct vl_cli *cli, int opt, const char *arg);
	/* All options seen: false when they do not make sense together. */
	bool (*check)(struct vl_cli *cli);
	int (*init)(struct vl_device *dev, const struct vl_cli *cli);
};

static const char vl_usage[] =
	"usage: vl-backend [COMMON OPTIONS] DEVICE [DEVICE OPTIONS]\n"
	"\n"
	"Serve one virtio device from this process over /dev/virtio-loopback.\n"
	"The kernel's own driver binds to it; once it is registered, one line\n"
	"  vl-backend: DEVICE device vlN is virtioM\n"
	"is printed on stdout.  SIGINT or SIGTERM removes the device and exits.\n"
	"\n"
	"Devices:\n"
	"  rng                      virtio-rng, random bytes from getrandom()\n"
	"  blk --file FILE ...      virtio-blk on a file or a block device\n"
	"  console [--socket PATH]  virtio-console on stdin/stdout or a socket\n"
	"  vhost-user --socket PATH --type blk [--queues N]\n"
	"                           a device served by a vhost-user back-end\n"
	"\n"
	"Common options (before or after DEVICE):\n"
	"  -v, --verbose            log what the driver does on stderr\n"
	"      --channel PATH       the channel device (default "
	VL_CHANNEL_PATH ")\n"
	"      --stats FILE         write counters of what the device did to\n"
	"                           FILE at start, on SIGUSR1 and at exit\n"
	"      --latency MS         hold every batch of completions back for\n"
	"                           MS milliseconds (an emulated slow device)\n"
	"  -h, --help               show this text; after DEVICE, its options\n"
	"\n"
	"Exit status: 0 after a signal, 1 on an error, 2 on a bad command line.\n";

static const char vl_rng_help[] =
	"usage: vl-backend rng [COMMON OPTIONS]\n"
	"\n"
	"A virtio-rng device (one queue, no config space).  Every buffer the\n"
	"driver posts is filled with bytes from the host's getrandom().\n";

static const char vl_blk_help[] =
	"usage: vl-backend blk --file FILE [--queues N] [--readonly]\n"
	"                      [--serial S] [COMMON OPTIONS]\n"
	"\n"
	"A virtio-blk device on FILE, a regular file or a block device.  Its\n"
	"capacity is FILE's size in whole 512-byte sectors.\n"
	"\n"
	"  -f, --file FILE   the disk image (required)\n"
	"  -q, --queues N    request queues, 1 to 64 (default 1)\n"
	"  -r, --readonly    open FILE read-only; the disk is read-only and\n"
	"                    writes fail with an I/O error\n"
	"  -s, --serial S    the disk's serial (the guest's\n"
	"                    /sys/block/vdX/serial), 1 to 20 printable ASCII\n"
	"                    characters (default vl-blk-<FILE's inode in hex>)\n"
	"\n"
	"FILE must hold at least one sector.  It is locked (flock) while served:\n"
	"exclusively, or shared with --readonly, so two backends never serve\n"
	"one image for writing.\n";

static const char vl_console_help[] =
	"usage: vl-backend console [--socket PATH] [COMMON OPTIONS]\n"
	"\n"
	"A virtio-console device with one port (the driver's hvc console).\n"
	"What the driver writes goes to the peer and what the peer sends is\n"
	"given to the driver.  The peer is stdin and stdout (after the line that\n"
	"names the device), or with --socket a unix stream socket.\n"
	"\n"
	"  -s, --socket PATH  listen on PATH; one client at a time, the next\n"
	"                     one is accepted when it has gone; output while no\n"
	"                     client is connected is dropped\n";

static const char vl_vhost_user_help[] =
	"usage: vl-backend vhost-user --socket PATH --type blk [--queues N]\n"
	"                             [COMMON OPTIONS]\n"
	"\n"
	"A virtio device served by an unmodified vhost-user back-end (for\n"
	"example a vhost-user-blk export of qemu-storage-daemon): this process\n"
	"is its front-end, the role QEMU plays for a guest.  The device's\n"
	"features and config space are the back-end's (GET_CONFIG); requests\n"
	"are copied to and from rings in memory shared with the back-end.  If\n"
	"the back-end goes away, the device is removed and vl-backend exits 1.\n"
	"\n"
	"  -s, --socket PATH  the back-end's unix socket (required)\n"
	"  -t, --type TYPE    the device type; only blk is supported\n"
	"  -q, --queues N     request queues, 1 to 64 and at most what the\n"
	"                     back-end serves (default 1)\n";

/* ---- Options of each device ------------------------------------------- */

static bool vl_parse_queues(const char *arg, unsigned int *queues)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n < 1 ||
	    n > VIRTIO_LOOPBACK_MAX_QUEUES)
		return false;
	*queues = n;
	return true;
}

static bool vl_blk_option(struct vl_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		cli->blk.file = arg;
		return true;
	case 'q':
		if (vl_parse_queues(arg, &cli->blk.queues))
			return true;
		vl_err("--queues wants a number from 1 to %u, not '%s'",
		       VIRTIO_LOOPBACK_MAX_QUEUES, arg);
		return false;
	case 'r':
		cli->blk.readonly = true;
		return true;
	case 's':
		if (vl_blk_serial_ok(arg)) {
			cli->blk.serial = arg;
			return true;
		}
		vl_err("--serial wants 1 to 20 printable ASCII characters, not '%s'",
		       arg);
		return false;
	}
	return false;
}

static bool vl_blk_check(struct vl_cli *cli)
{
	if (!cli->blk.file || !cli->blk.file[0]) {
		vl_err("blk needs --file FILE");
		return false;
	}
	return true;
}

static bool vl_console_option(struct vl_cli *cli, int opt, const char *arg)
{
	if (opt != 's')
		return false;
	if (!arg[0]) {
		vl_err("--socket wants a path");
		return false;
	}
	cli->console.socket_path = arg;
	return true;
}

static bool vl_vhost_user_option(struct vl_cli *cli, int opt,
				 const char *arg)
{
	switch (opt) {
	case 's':
		if (!arg[0]) {
			vl_err("--socket wants a path");
			return false;
		}
		cli->vhost_user.socket_path = arg;
		return true;
	case 't':
		if (strcmp(arg, "blk")) {
			vl_err("--type: only blk is supported, not '%s'", arg);
			return false;
		}
		cli->vhost_user_type = arg;
		return true;
	case 'q':
		if (vl_parse_queues(arg, &cli->vhost_user.queues))
			return true;
		vl_err("--queues wants a number from 1 to %u, not '%s'",
		       VIRTIO_LOOPBACK_MAX_QUEUES, arg);
		return false;
	}
	return false;
}

static bool vl_vhost_user_check(struct vl_cli *cli)
{
	if (!cli->vhost_user.socket_path) {
		vl_err("vhost-user needs --socket PATH");
		return false;
	}
	if (!cli->vhost_user_type) {
		vl_err("vhost-user needs --type blk");
		return false;
	}
	return true;
}

static int vl_vhost_user_kind_init(struct vl_device *dev,
				   const struct vl_cli *cli)
{
	return vl_vhost_user_init(dev, &cli->vhost_user);
}

static int vl_rng_kind_init(struct vl_device *dev, const struct vl_cli *cli)
{
	(void)cli;
	return vl_rng_init(dev);
}

static int vl_blk_kind_init(struct vl_device *dev, const struct vl_cli *cli)
{
	return vl_blk_init(dev, &cli->blk);
}

static int vl_console_kind_init(struct vl_device *dev,
				const struct vl_cli *cli)
{
	return vl_console_init(dev, &cli->console);
}

/* Every device takes these too; their values are above any letter. */
enum { VL_OPT_CHANNEL = 0x100, VL_OPT_STATS, VL_OPT_LATENCY };
#define VL_COMMON_LONGOPTS					\
	{ "verbose", no_argument, NULL, 'v' },			\
	{ "channel", required_argument, NULL, VL_OPT_CHANNEL },	\
	{ "stats", required_argument, NULL, VL_OPT_STATS },	\
	{ "latency", required_argument, NULL, VL_OPT_LATENCY },	\
	{ "help", no_argument, NULL, 'h' }

static const struct option vl_rng_longopts[] = {
	VL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct option vl_blk_longopts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "queues", required_argument, NULL, 'q' },
	{ "readonly", no_argument, NULL, 'r' },
	{ "serial", required_argument, NULL, 's' },
	VL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct option vl_console_longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	VL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct option vl_vhost_user_longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "type", required_argument, NULL, 't' },
	{ "queues", required_argument, NULL, 'q' },
	VL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct vl_device_kind vl_kinds[] = {
	{
		.name = "rng",
		.help = vl_rng_help,
		.shortopts = ":vh",
		.longopts = vl_rng_longopts,
		.init = vl_rng_kind_init,
	},
	{
		.name = "blk",
		.help = vl_blk_help,
		.shortopts = ":f:q:rs:vh",
		.longopts = vl_blk_longopts,
		.option = vl_blk_option,
		.check = vl_blk_check,
		.init = vl_blk_kind_init,
	},
	{
		.name = "console",
		.help = vl_console_help,
		.shortopts = ":s:vh",
		.longopts = vl_console_longopts,
		.option = vl_console_option,
		.init = vl_console_kind_init,
	},
	{
		.name = "vhost-user",
		.help = vl_vhost_user_help,
		.shortopts = ":s:t:q:vh",
		.longopts = vl_vhost_user_longopts,
		.option = vl_vhost_user_option,
		.check = vl_vhost_user_check,
		.init = vl_vhost_user_kind_init,
	},
};

/* ---- The command line --------------------------------------------------- */

static const struct vl_device_kind *vl_find_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vl_kinds) / sizeof(vl_kinds[0]); i++)
		if (!strcmp(vl_kinds[i].name, name))
			return &vl_kinds[i];
	return NULL;
}

static void vl_usage_error(void)
{
	fprintf(stderr, "Try 'vl-backend --help' for more information.\n");
}

/* getopt's complaint, in our words: the option as the user typed it. */
static void vl_bad_option(char *const *argv, int opt)
{
	const char *word = argv[optind - 1];
	bool is_long = !strncmp(word, "--", 2);

	if (opt == ':' && is_long)
		vl_err("option '%s' needs a value", word);
	else if (opt == ':')
		vl_err("option '-%c' needs a value", optopt);
	else if (is_long && optopt && strchr(word, '='))
		vl_err("option '%.*s' takes no value",
		       (int)(strchr(word, '=') - word), word);
	else if (is_long)
		vl_err("unknown option '%s'", word);
	else
		vl_err("unknown option '-%c'", optopt);
}

/* At most a minute: a longer wait is a mistake, not a slow device. */
static bool vl_parse_latency(const char *arg, unsigned int *ms)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n > 60000)
		return false;
	*ms = n;
	return true;
}

/*
 * One of the options every device takes: 1 when it was one (and right),
 * 0 when @opt is not a common option, -1 when its value is wrong.
 */
static int vl_common_option(struct vl_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'v':
		vl_verbose = true;
		return 1;
	case VL_OPT_CHANNEL:
		cli->serve.channel = arg;
		return 1;
	case VL_OPT_STATS:
		if (!arg[0]) {
			vl_err("--stats wants a file name");
			return -1;
		}
		cli->serve.stats = arg;
		return 1;
	case VL_OPT_LATENCY:
		if (vl_parse_latency(arg, &cli->serve.latency_ms))
			return 1;
		vl_err("--latency wants milliseconds from 0 to 60000, not '%s'",
		       arg);
		return -1;
	}
	return 0;
}

/* Options before DEVICE: the common ones only.  Returns DEVICE's index. */
static int vl_parse_common(int argc, char **argv, struct vl_cli *cli)
{
	static const struct option longopts[] = {
		VL_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	/* '+': stop at DEVICE, its options are parsed with it. */
	while ((opt = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		if (opt != ':' && opt != '?') {
			int ret = vl_common_option(cli, opt, optarg);

			if (ret < 0) {
				vl_usage_error();
				exit(VL_EXIT_USAGE);
			}
			if (ret > 0)
				continue;
		}
		switch (opt) {
		case 'h':
			fputs(vl_usage, stdout);
			exit(0);
		default:
			vl_bad_option(argv, opt);
			vl_usage_error();
			exit(VL_EXIT_USAGE);
		}
	}
	if (optind >= argc) {
		vl_err("which device? rng, blk, console or vhost-user");
		vl_usage_error();
		exit(VL_EXIT_USAGE);
	}
	return optind;
}

/* The options after DEVICE; false when they are wrong (already said why). */
static bool vl_parse_device(const struct vl_device_kind *kind, int argc,
			    char **argv, struct vl_cli *cli)
{
	int opt;

	optind = 0;	/* glibc: start afresh on this argv */
	while ((opt = getopt_long(argc, argv, kind->shortopts, kind->longopts,
				  NULL)) != -1) {
		if (opt != ':' && opt != '?') {
			int ret = vl_common_option(cli, opt, optarg);

			if (ret < 0)
				return false;
			if (ret > 0)
				continue;
		}
		switch (opt) {
		case 'h':
			fputs(kind->help, stdout);
			exit(0);
		case ':':
		case '?':
			vl_bad_option(argv, opt);
			return false;
		default:
			if (!kind->option || !kind->option(cli, opt, optarg))
				return false;
			break;
		}
	}
	if (optind < argc) {
		vl_err("%s takes no argument '%s'", kind->name, argv[optind]);
		return false;
	}
	return !kind->check || kind->check(cli);
}

int main(int argc, char **argv)
{
	const struct vl_device_kind *kind;
	struct vl_cli cli = { .blk.queues = 1, .vhost_user.queues = 1 };
	struct vl_device dev;
	int first, status;

	first = vl_parse_common(argc, argv, &cli);
	kind = vl_find_kind(argv[first]);
	if (!kind) {
		vl_err("unknown device '%s': choose rng, blk, console or vhost-user",
		       argv[first]);
		vl_usage_error();
		return VL_EXIT_USAGE;
	}
	if (!vl_parse_device(kind, argc - first, argv + first, &cli)) {
		fprintf(stderr, "Try 'vl-backend %s --help' for more information.\n",
			kind->name);
		return VL_EXIT_USAGE;
	}

	memset(&dev, 0, sizeof(dev));
	if (kind->init(&dev, &cli))
		return 1;
	status = vl_serve(&dev, &cli.serve);
	if (dev.ops->destroy)
		dev.ops->destroy(&dev);
	return status;
}
