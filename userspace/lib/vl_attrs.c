// SPDX-License-Identifier: GPL-2.0
/*
 * Attribute tables of the virtio_loopback family's replies and
 * notifications, and their JSON form.
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/genl/genl.h>

#include <linux/virtio_loopback.h>

#include "vl_attrs.h"
#include "vl_genl.h"

#define SET(a, max) { a, sizeof(a) / sizeof(a[0]), max }

static const struct vl_attr device_attrs[] = {
	{ VIRTIO_LOOPBACK_A_DEVICE_INDEX, "index", VL_ATTR_VLN, true },
	{ VIRTIO_LOOPBACK_A_DEVICE_DEVICE_ID, "device-id", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_VIRTIO_INDEX, "virtio-index", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_STATUS, "status", VL_ATTR_HEX, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_DEVICE_FEATURES, "device-features", VL_ATTR_HEX, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_DRIVER_FEATURES, "driver-features", VL_ATTR_HEX, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_NUM_QUEUES, "num-queues", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_INFLIGHT, "inflight", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_REQUESTS, "requests", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_COMPLETIONS, "completions", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_LOG_INDEX, "log-index", VL_ATTR_VLN, false },
};

static const struct vl_attr divergence_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, "icount", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_DEVICE, "device", VL_ATTR_VLN, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_QUEUE, "queue", VL_ATTR_QUEUE, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_RECORD, "record", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_FIELD, "field", VL_ATTR_STR, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_EXPECTED, "expected", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_ACTUAL, "actual", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_MESSAGE, "message", VL_ATTR_STR, false },
};

static const struct vl_attr stopped_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, "icount", VL_ATTR_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_REASON, "reason", VL_ATTR_REASON, false },
};

static const struct vl_attr resumed_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, "icount", VL_ATTR_DEC, false },
};

static const struct vl_attr loss_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_LOST, "lost", VL_ATTR_DEC, false },
};

const struct vl_attr_set vl_device_set =
	SET(device_attrs, VIRTIO_LOOPBACK_A_DEVICE_MAX);
const struct vl_attr_set vl_divergence_set =
	SET(divergence_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);
const struct vl_attr_set vl_stopped_set =
	SET(stopped_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);
const struct vl_attr_set vl_resumed_set =
	SET(resumed_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);
const struct vl_attr_set vl_loss_set =
	SET(loss_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);

_Static_assert(VIRTIO_LOOPBACK_A_REPLAY_MAX < VL_ATTR_TB_SIZE &&
	       VIRTIO_LOOPBACK_A_DEVICE_MAX < VL_ATTR_TB_SIZE,
	       "attribute table too small");

uint64_t vl_attr_uint(const struct nlattr *a)
{
	switch (nla_len(a)) {
	case 1:
		return nla_get_u8(a);
	case 2:
		return nla_get_u16(a);
	case 4:
		return nla_get_u32(a);
	case 8:
		return nla_get_u64(a);
	}
	return 0;
}

size_t vl_attr_strlen(const struct nlattr *a)
{
	return strnlen(nla_data(a), nla_len(a));
}

static struct json_object *attr_json(const struct nlattr *a,
				     enum vl_attr_fmt fmt)
{
	uint64_t v = vl_attr_uint(a);

	switch (fmt) {
	case VL_ATTR_QUEUE:
		if (v == VIRTIO_LOOPBACK_LOG_NO_QUEUE)
			return NULL;	/* JSON null */
		break;
	case VL_ATTR_REASON:
		return json_object_new_string(vl_stop_reason_name(v));
	case VL_ATTR_STR:
		return json_object_new_string_len(nla_data(a), vl_attr_strlen(a));
	default:
		break;
	}
	return json_object_new_uint64(v);
}

int vl_attrs_parse(struct nl_msg *msg, const struct vl_attr_set *set,
		   struct nlattr **tb)
{
	memset(tb, 0, VL_ATTR_TB_SIZE * sizeof(*tb));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, set->maxattr, NULL) < 0)
		return -EPROTO;
	return 0;
}

void vl_attrs_json_add(struct json_object *o, struct nlattr **tb,
		       const struct vl_attr_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (tb[set->attrs[i].type])
			json_object_object_add(o, set->attrs[i].key,
					       attr_json(tb[set->attrs[i].type],
							 set->attrs[i].fmt));
}
