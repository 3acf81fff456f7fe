// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl: control virtio-loopback from the command line, over generic
 * netlink.  The same operations as vl-qmpd's QMP commands, for scripts and
 * humans.  Exit status: 0 done, 1 failed, 2 bad usage; vlctl record: 3
 * when the recording finished but the module lost records.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vl_genl.h"
#include "vlctl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vlctl COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  query [--json]   show the replay mode, instruction count and log\n"
		"  record FILE      record into FILE until interrupted or stopped\n"
		"  stop-recording   end the recording\n"
		"  log FILE         decode a replay log (vlctl log --help: its options)\n"
		"  help             show this text\n");
}

static void query_json(const struct vl_replay_info *info)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "mode",
			       json_object_new_string(vl_replay_mode_name(info->mode)));
	json_object_object_add(o, "icount", json_object_new_int64(info->icount));
	json_object_object_add(o, "icount-source",
			       json_object_new_string(vl_icount_source_name(info->icount_source)));
	if (info->filename[0])
		json_object_object_add(o, "filename",
				       json_object_new_string(info->filename));
	json_object_object_add(o, "records", json_object_new_int64(info->records));
	json_object_object_add(o, "lost", json_object_new_int64(info->lost));
	json_object_object_add(o, "log-fill", json_object_new_int64(info->log_fill));
	json_object_object_add(o, "log-size", json_object_new_int64(info->log_size));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int cmd_query(struct vl_genl *genl, int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	struct vl_replay_info info;
	int err;

	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "usage: vlctl query [--json]\n");
		return 2;
	}
	err = vl_genl_replay_get(genl, &info);
	if (err) {
		fprintf(stderr, "vlctl: query failed: %s\n", strerror(-err));
		return 1;
	}
	if (json) {
		query_json(&info);
		return 0;
	}
	printf("mode: %s\n", vl_replay_mode_name(info.mode));
	printf("icount: %" PRIu64 "\n", info.icount);
	printf("icount source: %s\n", vl_icount_source_name(info.icount_source));
	if (info.filename[0])
		printf("filename: %s\n", info.filename);
	printf("records: %" PRIu64 ", lost %" PRIu64 "\n", info.records,
	       info.lost);
	printf("log: %" PRIu32 " of %" PRIu32 " bytes waiting\n", info.log_fill,
	       info.log_size);
	return 0;
}

typedef int (*vlctl_genl_cmd)(struct vl_genl *genl, int argc, char **argv);

static const struct {
	const char *name;
	vlctl_genl_cmd run;
} vlctl_genl_cmds[] = {
	{ "query", cmd_query },
	{ "record", vlctl_record_main },
	{ "stop-recording", vlctl_stop_recording_main },
};

static int run_genl_cmd(vlctl_genl_cmd run, int argc, char **argv)
{
	struct vl_genl genl;
	int err, ret;

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
	ret = run(&genl, argc, argv);
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
	if (!strcmp(argv[1], "log"))	/* a file: no netlink */
		return vlctl_log_main(argc - 1, argv + 1, stdout, stderr);
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
