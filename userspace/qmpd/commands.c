// SPDX-License-Identifier: GPL-2.0
/*
 * The commands: QEMU's (qmp_capabilities, query-version, query-commands,
 * query-status, query-replay, replay-break, replay-delete-break,
 * replay-seek, stop, cont, quit) with QEMU's replies, and vl-qmpd's own
 * under the x- prefix QEMU reserves for extensions.  Each asks the module
 * through backend.h; a refusal becomes a GenericError in the kernel's
 * words, which for the replay commands are QEMU's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include <linux/virtio_loopback.h>

#include "backend.h"
#include "commands.h"
#include "qmp.h"
#include "vl_genl.h"

void qmp_call_fail(struct qmp_call *call, const char *cls, const char *fmt, ...)
{
	va_list ap;

	call->err_class = cls;
	va_start(ap, fmt);
	vsnprintf(call->err_desc, sizeof(call->err_desc), fmt, ap);
	va_end(ap);
}

/* A backend call's result: nothing to add on success. */
static void check(struct qmp_call *call, int err)
{
	if (err)
		qmp_call_fail(call, QMP_GENERIC_ERROR, "%s", qmpd_strerror(err));
}

/*
 * The replay controls' result.  Without the module there is no play mode
 * (query-replay says none), so the refusal is QEMU's @not_playing, as the
 * module itself words it.
 */
static void check_play(struct qmp_call *call, int err, const char *not_playing)
{
	if (err == -ENODEV)
		qmp_call_fail(call, QMP_GENERIC_ERROR, "%s", not_playing);
	else
		check(call, err);
}

static uint64_t arg_icount(struct qmp_call *call)
{
	/* QEMU's 'int': a negative one is compared as unsigned there too. */
	return (uint64_t)json_object_get_int64(json_object_object_get(call->args,
								      "icount"));
}

static void cmd_qmp_capabilities(struct qmp_call *call)
{
	struct json_object *enable;

	if (call->session->negotiated) {
		qmp_call_fail(call, QMP_COMMAND_NOT_FOUND,
			      "Capabilities negotiation is already complete, command ignored");
		return;
	}
	/* The arguments were checked: any element is "oob", never offered. */
	if (json_object_object_get_ex(call->args, "enable", &enable) &&
	    json_object_array_length(enable)) {
		qmp_call_fail(call, QMP_GENERIC_ERROR,
			      "Capability oob not available");
		return;
	}
	call->session->negotiated = true;
}

static void cmd_query_version(struct qmp_call *call)
{
	call->ret = qmp_version();
}

static void cmd_query_commands(struct qmp_call *call);

/* Paused while the module's device side is frozen; no module: running. */
static void cmd_query_status(struct qmp_call *call)
{
	struct vl_replay_info info = { 0 };
	int err = qmpd_replay_get(&info);
	bool paused = !err && info.paused;

	if (err && err != -ENODEV) {
		check(call, err);
		return;
	}
	/* In the schema's order (running, singlestep, status). */
	call->ret = json_object_new_object();
	json_object_object_add(call->ret, "running", json_object_new_boolean(!paused));
	json_object_object_add(call->ret, "singlestep", json_object_new_boolean(0));
	json_object_object_add(call->ret, "status",
			       json_object_new_string(paused ? "paused" : "running"));
}

/* Never fails, as QEMU's: without an answer from the module, mode none. */
static void cmd_query_replay(struct qmp_call *call)
{
	struct vl_replay_info info = { 0 };

	if (qmpd_replay_get(&info))
		memset(&info, 0, sizeof(info));
	call->ret = json_object_new_object();
	json_object_object_add(call->ret, "mode",
			       json_object_new_string(vl_replay_mode_name(info.mode)));
	if (info.mode != VIRTIO_LOOPBACK_REPLAY_MODE_NONE && info.filename[0])
		json_object_object_add(call->ret, "filename",
				       json_object_new_string(info.filename));
	json_object_object_add(call->ret, "icount", json_object_new_uint64(info.icount));
}

static void cmd_replay_break(struct qmp_call *call)
{
	check_play(call, qmpd_break_set(arg_icount(call)),
		   "setting the breakpoint is allowed only in play mode");
}

static void cmd_replay_delete_break(struct qmp_call *call)
{
	check_play(call, qmpd_break_delete(),
		   "replay breakpoints are allowed only in play mode");
}

static void cmd_replay_seek(struct qmp_call *call)
{
	check_play(call, qmpd_seek(arg_icount(call)),
		   "replay must be enabled to seek");
}

static void cmd_stop(struct qmp_call *call)
{
	check(call, qmpd_stop());
}

static void cmd_cont(struct qmp_call *call)
{
	check(call, qmpd_cont());
}

/* QEMU says SHUTDOWN before its reply to quit. */
static void cmd_quit(struct qmp_call *call)
{
	struct json_object *data = json_object_new_object();

	(void)call;
	json_object_object_add(data, "guest", json_object_new_boolean(0));
	json_object_object_add(data, "reason", json_object_new_string("host-qmp-quit"));
	qmpd_broadcast("SHUTDOWN", data);
	qmpd_quit();
}

static void cmd_x_record_start(struct qmp_call *call)
{
	check(call, qmpd_record_start(json_object_get_string(
		json_object_object_get(call->args, "filename"))));
}

static void cmd_x_record_stop(struct qmp_call *call)
{
	check(call, qmpd_record_stop());
}

static void cmd_x_query_devices(struct qmp_call *call)
{
	check(call, qmpd_devices(&call->ret));
}

/* {} when this play mode has not diverged. */
static void cmd_x_query_divergence(struct qmp_call *call)
{
	check(call, qmpd_divergence(&call->ret));
}

/* {} when the daemon plays no log. */
static void cmd_x_query_play_log(struct qmp_call *call)
{
	check(call, qmpd_play_log(&call->ret));
}

static const struct qmp_arg icount_args[] = {
	{ "icount", QMP_ARG_INT, false },
};

static const struct qmp_arg capabilities_args[] = {
	{ "enable", QMP_ARG_CAPS, true },
};

static const struct qmp_arg record_start_args[] = {
	{ "filename", QMP_ARG_STR, false },
};

#define ARGS(a) a, sizeof(a) / sizeof(a[0])

static const struct qmp_command commands[] = {
	{ "qmp_capabilities", ARGS(capabilities_args), cmd_qmp_capabilities },
	{ "query-version", NULL, 0, cmd_query_version },
	{ "query-commands", NULL, 0, cmd_query_commands },
	{ "query-status", NULL, 0, cmd_query_status },
	{ "query-replay", NULL, 0, cmd_query_replay },
	{ "replay-break", ARGS(icount_args), cmd_replay_break },
	{ "replay-delete-break", NULL, 0, cmd_replay_delete_break },
	{ "replay-seek", ARGS(icount_args), cmd_replay_seek },
	{ "stop", NULL, 0, cmd_stop },
	{ "cont", NULL, 0, cmd_cont },
	{ "quit", NULL, 0, cmd_quit },
	{ "x-record-start", ARGS(record_start_args), cmd_x_record_start },
	{ "x-record-stop", NULL, 0, cmd_x_record_stop },
	{ "x-query-devices", NULL, 0, cmd_x_query_devices },
	{ "x-query-divergence", NULL, 0, cmd_x_query_divergence },
	{ "x-query-play-log", NULL, 0, cmd_x_query_play_log },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_query_commands(struct qmp_call *call)
{
	size_t i;

	call->ret = json_object_new_array();
	for (i = 0; i < NCOMMANDS; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(commands[i].name));
		json_object_array_add(call->ret, c);
	}
}

const struct qmp_command *qmp_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}
