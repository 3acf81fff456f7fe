// SPDX-License-Identifier: GPL-2.0
/*
 * One printer for the virtio_loopback family's replies and notifications,
 * in text or JSON, from the library's attribute tables (vl_attrs.c): what
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
		      enum vl_attr_fmt fmt)
{
	uint64_t v = vl_attr_uint(a);

	switch (fmt) {
	case VL_ATTR_DEC:
		fprintf(out, "%" PRIu64, v);
		break;
	case VL_ATTR_HEX:
		fprintf(out, "0x%" PRIx64, v);
		break;
	case VL_ATTR_VLN:
		fprintf(out, "vl%" PRIu64, v);
		break;
	case VL_ATTR_QUEUE:
		if (v == VIRTIO_LOOPBACK_LOG_NO_QUEUE)
			fputc('-', out);
		else
			fprintf(out, "%" PRIu64, v);
		break;
	case VL_ATTR_REASON:
		fputs(vl_stop_reason_name(v), out);
		break;
	case VL_ATTR_STR:
		print_text_string(out, nla_data(a), vl_attr_strlen(a));
		break;
	}
}

static void print_json(FILE *out, struct nlattr **tb,
		       const struct vl_attr_set *set, const char *event)
{
	struct json_object *o = json_object_new_object();

	if (event)
		json_object_object_add(o, "event", json_object_new_string(event));
	vl_attrs_json_add(o, tb, set);
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void print_text(FILE *out, struct nlattr **tb,
		       const struct vl_attr_set *set, const char *event)
{
	const char *sep = "";
	size_t i;

	if (event) {
		fputs(event, out);
		sep = " ";
	}
	for (i = 0; i < set->n; i++) {
		const struct vl_attr *d = &set->attrs[i];

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
		    const struct vl_attr_set *set, const char *event,
		    bool json)
{
	struct nlattr *tb[VL_ATTR_TB_SIZE];

	if (vl_attrs_parse(msg, set, tb))
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
