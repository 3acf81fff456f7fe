// SPDX-License-Identifier: GPL-2.0
/*
 * Attribute tables of the virtio_loopback family's replies and
 * notifications, and one printer for all of them, in text or JSON: what
 * `vlctl devices`, `vlctl divergence` and `vlctl events` print is then the
 * same for the same attributes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/genl/genl.h>

#include <linux/virtio_loopback.h>

#include "attrs.h"
#include "vl_genl.h"

#define SET(a, max) { a, sizeof(a) / sizeof(a[0]), max }

static const struct vlctl_attr device_attrs[] = {
	{ VIRTIO_LOOPBACK_A_DEVICE_INDEX, "index", VLCTL_VLN, true },
	{ VIRTIO_LOOPBACK_A_DEVICE_DEVICE_ID, "device-id", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_VIRTIO_INDEX, "virtio-index", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_STATUS, "status", VLCTL_HEX, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_DEVICE_FEATURES, "device-features", VLCTL_HEX, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_DRIVER_FEATURES, "driver-features", VLCTL_HEX, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_NUM_QUEUES, "num-queues", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_INFLIGHT, "inflight", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_REQUESTS, "requests", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_COMPLETIONS, "completions", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_DEVICE_LOG_INDEX, "log-index", VLCTL_VLN, false },
};

static const struct vlctl_attr divergence_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, "icount", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_DEVICE, "device", VLCTL_VLN, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_QUEUE, "queue", VLCTL_QUEUE, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_RECORD, "record", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_FIELD, "field", VLCTL_STR, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_EXPECTED, "expected", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_ACTUAL, "actual", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_MESSAGE, "message", VLCTL_STR, false },
};

static const struct vlctl_attr stopped_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, "icount", VLCTL_DEC, false },
	{ VIRTIO_LOOPBACK_A_REPLAY_REASON, "reason", VLCTL_REASON, false },
};

static const struct vlctl_attr resumed_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, "icount", VLCTL_DEC, false },
};

static const struct vlctl_attr loss_attrs[] = {
	{ VIRTIO_LOOPBACK_A_REPLAY_LOST, "lost", VLCTL_DEC, false },
};

const struct vlctl_attr_set vlctl_device_set =
	SET(device_attrs, VIRTIO_LOOPBACK_A_DEVICE_MAX);
const struct vlctl_attr_set vlctl_divergence_set =
	SET(divergence_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);
const struct vlctl_attr_set vlctl_stopped_set =
	SET(stopped_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);
const struct vlctl_attr_set vlctl_resumed_set =
	SET(resumed_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);
const struct vlctl_attr_set vlctl_loss_set =
	SET(loss_attrs, VIRTIO_LOOPBACK_A_REPLAY_MAX);

/* Room for the larger attribute set, and for a few attributes to come. */
#define VLCTL_TB_SIZE	64
_Static_assert(VIRTIO_LOOPBACK_A_REPLAY_MAX < VLCTL_TB_SIZE &&
	       VIRTIO_LOOPBACK_A_DEVICE_MAX < VLCTL_TB_SIZE,
	       "attribute table too small");

/* Parsed without a policy: integers are read by their length. */
static uint64_t attr_uint(const struct nlattr *a)
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

/* A string attribute up to its NUL or its end, whichever comes first. */
static size_t attr_strlen(const struct nlattr *a)
{
	return strnlen(nla_data(a), nla_len(a));
}

static struct json_object *attr_json(const struct nlattr *a,
				     enum vlctl_attr_fmt fmt)
{
	uint64_t v = attr_uint(a);

	switch (fmt) {
	case VLCTL_QUEUE:
		if (v == VIRTIO_LOOPBACK_LOG_NO_QUEUE)
			return NULL;	/* JSON null */
		break;
	case VLCTL_REASON:
		return json_object_new_string(vl_stop_reason_name(v));
	case VLCTL_STR:
		return json_object_new_string_len(nla_data(a), attr_strlen(a));
	default:
		break;
	}
	return json_object_new_uint64(v);
}

/* A string a shell splits on blanks, quoted when it needs it. */
static void print_text_string(FILE *out, const char *s, size_t len)
{
	bool quote = !len;
	size_t i;

	for (i = 0; i < len && !quote; i++)
		quote = !isgraph((unsigned char)s[i]) || strchr("\"\\=", s[i]);
	if (!quote) {
		fprintf(out, "%.*s", (int)len, s);
		return;
	}
	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == ' ' || isgraph(c))
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
	fputc('"', out);
}

static void attr_text(FILE *out, const struct nlattr *a,
		      enum vlctl_attr_fmt fmt)
{
	uint64_t v = attr_uint(a);

	switch (fmt) {
	case VLCTL_DEC:
		fprintf(out, "%" PRIu64, v);
		break;
	case VLCTL_HEX:
		fprintf(out, "0x%" PRIx64, v);
		break;
	case VLCTL_VLN:
		fprintf(out, "vl%" PRIu64, v);
		break;
	case VLCTL_QUEUE:
		if (v == VIRTIO_LOOPBACK_LOG_NO_QUEUE)
			fputc('-', out);
		else
			fprintf(out, "%" PRIu64, v);
		break;
	case VLCTL_REASON:
		fputs(vl_stop_reason_name(v), out);
		break;
	case VLCTL_STR:
		print_text_string(out, nla_data(a), attr_strlen(a));
		break;
	}
}

static void print_json(FILE *out, struct nlattr **tb,
		       const struct vlctl_attr_set *set, const char *event)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	if (event)
		json_object_object_add(o, "event", json_object_new_string(event));
	for (i = 0; i < set->n; i++)
		if (tb[set->attrs[i].type])
			json_object_object_add(o, set->attrs[i].key,
					       attr_json(tb[set->attrs[i].type],
							 set->attrs[i].fmt));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void print_text(FILE *out, struct nlattr **tb,
		       const struct vlctl_attr_set *set, const char *event)
{
	const char *sep = "";
	size_t i;

	if (event) {
		fputs(event, out);
		sep = " ";
	}
	for (i = 0; i < set->n; i++) {
		const struct vlctl_attr *d = &set->attrs[i];

		if (!tb[d->type])
			continue;
		fputs(sep, out);
		sep = " ";
		if (!d->bare)
			fprintf(out, "%s=", d->key);
		attr_text(out, tb[d->type], d->fmt);
	}
	fputc('\n', out);
}

int vlctl_print_msg(FILE *out, struct nl_msg *msg,
		    const struct vlctl_attr_set *set, const char *event,
		    bool json)
{
	struct nlattr *tb[VLCTL_TB_SIZE] = { 0 };

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, set->maxattr, NULL) < 0)
		return -EPROTO;
	if (json)
		print_json(out, tb, set, event);
	else
		print_text(out, tb, set, event);
	fflush(out);
	return 0;
}

int vlctl_print_cb(struct nl_msg *msg, void *arg)
{
	const struct vlctl_printer *p = arg;

	return vlctl_print_msg(stdout, msg, p->set, p->event, p->json);
}
