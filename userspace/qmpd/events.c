// SPDX-License-Identifier: GPL-2.0
/*
 * From a netlink notification to QMP events, by table.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <netlink/genl/genl.h>

#include <linux/virtio_loopback.h>

#include "events.h"
#include "vl_attrs.h"

static const struct qmpd_event {
	uint8_t cmd;
	const char *name;
	const struct vl_attr_set *set;	/* its data; NULL: none, as QEMU's */
} qmpd_events[] = {
	{ VIRTIO_LOOPBACK_CMD_STOPPED_NTF, "STOP", NULL },
	{ VIRTIO_LOOPBACK_CMD_RESUMED_NTF, "RESUME", NULL },
	{ VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF, "X-REPLAY-DIVERGENCE", &vl_divergence_set },
	{ VIRTIO_LOOPBACK_CMD_LOSS_NTF, "X-REPLAY-LOSS", &vl_loss_set },
	{ VIRTIO_LOOPBACK_CMD_DEVICE_ADDED_NTF, "X-DEVICE-ADDED", &vl_device_set },
	{ VIRTIO_LOOPBACK_CMD_DEVICE_REMOVED_NTF, "X-DEVICE-REMOVED", &vl_device_set },
};

static const struct qmpd_event *find_event(uint8_t cmd)
{
	size_t i;

	for (i = 0; i < sizeof(qmpd_events) / sizeof(qmpd_events[0]); i++)
		if (qmpd_events[i].cmd == cmd)
			return &qmpd_events[i];
	return NULL;
}

static struct json_object *event_data(struct nlattr **tb,
				      const struct vl_attr_set *set)
{
	struct json_object *data = json_object_new_object();

	vl_attrs_json_add(data, tb, set);
	return data;
}

/* A stop at the log's end says so after its STOP: {"icount"}. */
static void emit_end(struct nlattr **tb, qmpd_emit_fn emit)
{
	struct nlattr *reason = tb[VIRTIO_LOOPBACK_A_REPLAY_REASON];

	if (reason && vl_attr_uint(reason) == VIRTIO_LOOPBACK_STOP_END)
		emit("X-REPLAY-END", event_data(tb, &vl_resumed_set));
}

int qmpd_events_from_msg(struct nl_msg *msg, int family_id, qmpd_emit_fn emit)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[VL_ATTR_TB_SIZE];
	const struct qmpd_event *ev;
	const struct vl_attr_set *set;

	if (nlh->nlmsg_type != family_id || !genlmsg_valid_hdr(nlh, 0))
		return 0;
	ev = find_event(((struct genlmsghdr *)nlmsg_data(nlh))->cmd);
	if (!ev)
		return 0;	/* a newer module's: nothing to name it by */
	set = ev->set ? ev->set : &vl_stopped_set;
	if (vl_attrs_parse(msg, set, tb))
		return -EPROTO;
	emit(ev->name, ev->set ? event_data(tb, ev->set) : NULL);
	if (ev->cmd == VIRTIO_LOOPBACK_CMD_STOPPED_NTF)
		emit_end(tb, emit);
	return 0;
}
