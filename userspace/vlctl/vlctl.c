// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl: control virtio-loopback from the command line, over generic
 * netlink.  The same operations as vl-qmpd's QMP commands, for scripts and
 * humans.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vl_genl.h"
#include "vlctl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vlctl COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  query     show the replay mode and instruction count\n"
		"  log FILE  decode a replay log (vlctl log --help: its options)\n"
		"  help      show this text\n");
}

static int cmd_query(struct vl_genl *genl)
{
	struct vl_replay_info info;
	int err;

	err = vl_genl_replay_get(genl, &info);
	if (err) {
		fprintf(stderr, "vlctl: query failed: %s\n", strerror(-err));
		return 1;
	}
	printf("mode: %s\n", vl_replay_mode_name(info.mode));
	printf("icount: %" PRIu64 "\n", info.icount);
	return 0;
}

int main(int argc, char **argv)
{
	struct vl_genl genl;
	int err, ret;

	if (argc >= 2 && !strcmp(argv[1], "log"))	/* a file: no netlink */
		return vlctl_log_main(argc - 1, argv + 1, stdout, stderr);
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "query")) {
		fprintf(stderr, "vlctl: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}

	err = vl_genl_open(&genl);
	if (err == -ENOENT) {
		fprintf(stderr,
			"vlctl: generic netlink family 'virtio_loopback' not found: is virtio_loopback.ko loaded?\n");
		return 1;
	}
	if (err) {
		fprintf(stderr, "vlctl: cannot open generic netlink: %s\n",
			strerror(-err));
		return 1;
	}
	ret = cmd_query(&genl);
	vl_genl_close(&genl);
	return ret;
}
