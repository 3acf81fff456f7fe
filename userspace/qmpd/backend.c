// SPDX-License-Identifier: GPL-2.0
/*
 * The QMP commands' side of the module: two generic netlink sockets, one
 * for requests and one joined to the "events" group, connected when the
 * module is there, at start or at the first request after it was loaded.
 *
 * Events are read from the loop, and also right after every request:
 * the module sends a STOP or RESUME while it handles the request, so it
 * is already waiting then, and QEMU too says STOP before its reply to
 * stop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include <json-c/json.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include <linux/virtio_loopback.h>

#include "backend.h"
#include "events.h"
#include "loop.h"
#include "qmpd.h"
#include "vl_attrs.h"
#include "vl_genl.h"

static struct {
	struct vl_genl cmd;	/* requests */
	struct vl_genl ev;	/* notifications */
	bool up;
	struct qmpd_watch ev_watch;
	bool quit;
	char why[512];		/* the last failure, in words */
} be;

bool qmpd_quitting(void)
{
	return be.quit;
}

void qmpd_quit(void)
{
	be.quit = true;
}

void qmpd_quit_signal(void)
{
	struct json_object *data = json_object_new_object();

	json_object_object_add(data, "guest", json_object_new_boolean(0));
	json_object_object_add(data, "reason", json_object_new_string("host-signal"));
	qmpd_broadcast("SHUTDOWN", data);
	be.quit = true;
}

/* ---- Events ------------------------------------------------------------------ */

static int on_notification(struct nl_msg *msg, void *arg)
{
	(void)arg;
	qmpd_events_from_msg(msg, be.ev.family_id, qmpd_broadcast);
	return 0;
}

/* Every notification waiting, without waiting for more. */
static void read_events(void)
{
	int err;

	while (be.up) {
		err = vl_genl_recv(&be.ev, on_notification, NULL);
		if (err == -EAGAIN)
			return;
		if (err == -ENOBUFS) {
			qmpd_log("module events were lost: the socket's buffer overflowed");
			continue;
		}
		if (err) {
			qmpd_log("reading the module's events: %s", strerror(-err));
			return;
		}
	}
}

static void on_events(void *arg, uint32_t events)
{
	(void)arg;
	(void)events;
	read_events();
}

/* ---- Connecting ---------------------------------------------------------------- */

static int connect_events(void)
{
	int err = vl_genl_open(&be.ev);

	if (err)
		return err;
	err = vl_genl_subscribe_events(&be.ev);
	if (!err)
		err = nl_socket_set_nonblocking(be.ev.sock) ? -EIO : 0;
	be.ev_watch = (struct qmpd_watch){
		.fd = nl_socket_get_fd(be.ev.sock), .fn = on_events,
	};
	if (!err)
		err = qmpd_loop_add(&be.ev_watch, EPOLLIN);
	if (err)
		vl_genl_close(&be.ev);
	return err;
}

/* -ENODEV: the family is not there, the module not loaded. */
static int connect_module(void)
{
	int err;

	if (be.up)
		return 0;
	err = vl_genl_open(&be.cmd);
	if (err == -ENOENT)
		return -ENODEV;
	if (err)
		return err;
	err = connect_events();
	if (err) {
		vl_genl_close(&be.cmd);
		return err;
	}
	be.up = true;
	return 0;
}

void qmpd_backend_init(void)
{
	int err = connect_module();

	if (err == -ENODEV)
		qmpd_log("the virtio_loopback module is not loaded: serving QMP without it until it is");
	else if (err)
		qmpd_log("cannot reach the virtio_loopback module: %s", strerror(-err));
}

int qmpd_backend_require(void)
{
	int err = connect_module();

	if (err == -ENODEV)
		qmpd_log("the virtio_loopback module is not loaded");
	else if (err)
		qmpd_log("cannot reach the virtio_loopback module: %s", strerror(-err));
	return err ? -1 : 0;
}

void qmpd_backend_fini(void)
{
	qmpd_record_fini(be.up ? &be.cmd : NULL);
	qmpd_play_fini();
	if (!be.up)
		return;
	qmpd_loop_del(&be.ev_watch);
	vl_genl_close(&be.ev);
	vl_genl_close(&be.cmd);
	be.up = false;
}

/* ---- Requests -------------------------------------------------------------------- */

const char *qmpd_strerror(int err)
{
	if (err == -ENODEV)
		return "the virtio_loopback module is not loaded";
	if (be.why[0])
		return be.why;
	return strerror(-err);
}

static int begin(void)
{
	be.why[0] = '\0';
	be.cmd.error_msg[0] = '\0';	/* a failure before any request has none */
	return connect_module();
}

/* After a request: the kernel's words for a refusal, and its events. */
static int finish(int err)
{
	if (err && be.cmd.error_msg[0])
		snprintf(be.why, sizeof(be.why), "%s", be.cmd.error_msg);
	read_events();
	return err;
}

int qmpd_replay_get(struct vl_replay_info *info)
{
	int err = begin();

	return err ? err : finish(vl_genl_replay_get(&be.cmd, info));
}

int qmpd_break_set(uint64_t icount)
{
	int err = begin();

	return err ? err : finish(vl_genl_break_set(&be.cmd, icount));
}

int qmpd_break_delete(void)
{
	int err = begin();

	return err ? err : finish(vl_genl_break_delete(&be.cmd));
}

int qmpd_seek(uint64_t icount)
{
	int err = begin();

	return err ? err : finish(vl_genl_seek(&be.cmd, icount));
}

int qmpd_stop(void)
{
	int err = begin();

	return err ? err : finish(vl_genl_stop(&be.cmd));
}

int qmpd_cont(void)
{
	int err = begin();

	return err ? err : finish(vl_genl_cont(&be.cmd));
}

int qmpd_record_start(const char *filename)
{
	int err = begin();

	if (err)
		return err;
	return finish(qmpd_record_begin(&be.cmd, filename, be.why, sizeof(be.why)));
}

int qmpd_record_stop(void)
{
	int err = begin();

	if (err)
		return err;
	return finish(qmpd_record_end(&be.cmd, be.why, sizeof(be.why)));
}

/* One device of the dump, as an object of the list. */
static int add_device(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VL_ATTR_TB_SIZE];
	struct json_object *dev;

	if (vl_attrs_parse(msg, &vl_device_set, tb))
		return -EPROTO;
	dev = json_object_new_object();
	vl_attrs_json_add(dev, tb, &vl_device_set);
	json_object_array_add(arg, dev);
	return 0;
}

static int set_divergence(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VL_ATTR_TB_SIZE];

	if (vl_attrs_parse(msg, &vl_divergence_set, tb))
		return -EPROTO;
	vl_attrs_json_add(arg, tb, &vl_divergence_set);
	return 0;
}

/*
 * Request @msg and make its replies into *@out (a new @into, dropped on
 * failure) with @parse.  -ENOENT stands: for some it is an answer.
 */
static int query(struct nl_msg *msg, vl_genl_parse_fn parse,
		 struct json_object *into, struct json_object **out)
{
	int err;

	if (!msg) {
		json_object_put(into);
		return -ENOMEM;
	}
	err = finish(vl_genl_transact(&be.cmd, msg, parse, into));
	*out = err ? NULL : into;
	if (err)
		json_object_put(into);
	return err;
}

int qmpd_devices(struct json_object **list)
{
	int err = begin();

	if (err)
		return err;
	return query(vl_genl_new_dump(&be.cmd, VIRTIO_LOOPBACK_CMD_DEVICE_GET),
		     add_device, json_object_new_array(), list);
}

int qmpd_divergence(struct json_object **div)
{
	int err = begin();

	if (err)
		return err;
	err = query(vl_genl_new_request(&be.cmd, VIRTIO_LOOPBACK_CMD_DIVERGENCE_GET),
		    set_divergence, json_object_new_object(), div);
	/* None in this play mode: an empty object, not a failure. */
	if (err == -ENOENT) {
		*div = json_object_new_object();
		err = 0;
	}
	return err;
}
