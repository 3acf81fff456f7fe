// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl: control virtio-loopback from the command line, over generic
 * netlink.  The same operations as vl-qmpd's QMP commands, for scripts and
 * humans.  Exit status: 0 done, 1 failed, 2 bad usage; vlctl record: 3
 * when the recording finished but the module lost records.
 */
#include <stdio.h>
#include <string.h>

#include <linux/virtio_loopback.h>

#include "vl_genl.h"
#include "vlctl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vlctl COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  query [--json]        the replay mode, instruction count, log and\n"
		"                        play state\n"
		"  record FILE           record into FILE until interrupted or stopped\n"
		"  start-recording       record into the module's ring only, with no\n"
		"                        reader: a flight recorder (debugfs log)\n"
		"  stop-recording        end the recording\n"
		"  replay FILE [--window N] [--per-queue] [--allow-cut] [--json]\n"
		"                        play FILE: check it whole, then feed it to the\n"
		"                        module until play mode ends or interrupted;\n"
		"                        --window N: a request may match one of its\n"
		"                        queue's next N (racing submitters, N <= %u);\n"
		"                        --per-queue: each queue in its own log order\n"
		"                        (multiqueue devices);\n"
		"                        --allow-cut: a FILE cut inside its last record\n"
		"                        (a recorder killed, a full disk) plays its\n"
		"                        whole records, with a warning (else refused)\n"
		"  stop-replay           end play mode\n"
		"  break ICOUNT          pause replay when it reaches ICOUNT\n"
		"  delete-break          forget the breakpoint\n"
		"  seek ICOUNT           play to ICOUNT (backward: from a snapshot), pause\n"
		"  stop                  freeze the device side (replay pauses)\n"
		"  cont                  thaw it\n"
		"  divergence [--json]   the last divergence of this play mode\n"
		"  devices [--json]      every device, one line each\n"
		"  events [--json] [--count N]\n"
		"                        print notifications as they come (N of them)\n"
		"  log FILE              decode a replay log (vlctl log --help: its options)\n"
		"  help                  show this text\n"
		"\n"
		"--json: one JSON object per line.  ICOUNT and N: decimal.\n"
		"Exit status: 0 done, 1 failed, 2 usage error (vlctl record: 3 when\n"
		"records were lost).\n", VIRTIO_LOOPBACK_PLAY_MAX_WINDOW);
}

typedef int (*vlctl_genl_cmd)(struct vl_genl *genl, int argc, char **argv);

static const struct {
	const char *name;
	vlctl_genl_cmd run;
} vlctl_genl_cmds[] = {
	{ "query", vlctl_query_main },
	{ "record", vlctl_record_main },
	{ "start-recording", vlctl_request_main },
	{ "stop-recording", vlctl_request_main },
	{ "stop-replay", vlctl_request_main },
	{ "break", vlctl_request_main },
	{ "delete-break", vlctl_request_main },
	{ "seek", vlctl_request_main },
	{ "stop", vlctl_request_main },
	{ "cont", vlctl_request_main },
	{ "divergence", vlctl_request_main },
	{ "devices", vlctl_request_main },
	{ "events", vlctl_events_main },
};

/* The subcommand opens the socket once its arguments are good. */
static int run_genl_cmd(vlctl_genl_cmd run, int argc, char **argv)
{
	struct vl_genl genl = { 0 };
	int ret;

	ret = run(&genl, argc, argv);
	if (genl.sock)
		vl_genl_close(&genl);
	return ret;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* Files and the device node: no netlink. */
	if (!strcmp(argv[1], "log"))
		return vlctl_log_main(argc - 1, argv + 1, stdout, stderr);
	if (!strcmp(argv[1], "replay"))
		return vlctl_replay_main(argc - 1, argv + 1,
					 "/dev/" VIRTIO_LOOPBACK_DEVICE_NAME,
					 stdout, stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(vlctl_genl_cmds) / sizeof(vlctl_genl_cmds[0]); i++)
		if (!strcmp(argv[1], vlctl_genl_cmds[i].name))
			return run_genl_cmd(vlctl_genl_cmds[i].run, argc - 1,
					    argv + 1);
	fprintf(stderr, "vlctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
