/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attributes of the virtio_loopback family's replies and
 * notifications, as tables: which attribute, under which key (the YNL
 * spec's name), in which form.  vlctl prints them as text or JSON and
 * vl-qmpd makes them the data of its QMP replies and events, so both say
 * the same for the same attributes.  Needs libnl and json-c.
 */
#ifndef VL_ATTRS_H
#define VL_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct nl_msg;
struct nlattr;

enum vl_attr_fmt {
	VL_ATTR_DEC,	/* an unsigned integer of any width */
	VL_ATTR_HEX,	/* the same, 0x... in text (a number in JSON) */
	VL_ATTR_VLN,	/* a device index: vlN in text, N in JSON */
	VL_ATTR_QUEUE,	/* a queue; "-" in text, null in JSON for none */
	VL_ATTR_REASON,	/* enum virtio_loopback_stop_reason, by name */
	VL_ATTR_STR,
};

struct vl_attr {
	int type;		/* the netlink attribute */
	const char *key;
	enum vl_attr_fmt fmt;
	bool bare;		/* text: the value alone, without "key=" */
};

/* The attributes of one kind of message, in the order they are shown. */
struct vl_attr_set {
	const struct vl_attr *attrs;
	size_t n;
	int maxattr;
};

extern const struct vl_attr_set vl_device_set;	/* "device" */
extern const struct vl_attr_set vl_divergence_set;
extern const struct vl_attr_set vl_stopped_set;
extern const struct vl_attr_set vl_resumed_set;
extern const struct vl_attr_set vl_loss_set;

/* Room in a table for either attribute set, and a few attributes to come. */
#define VL_ATTR_TB_SIZE	64

/* @msg's attributes into @tb (VL_ATTR_TB_SIZE entries): 0, or -EPROTO. */
int vl_attrs_parse(struct nl_msg *msg, const struct vl_attr_set *set,
		   struct nlattr **tb);

/* Parsed without a policy: an integer is read by its length. */
uint64_t vl_attr_uint(const struct nlattr *a);
/* A string attribute up to its NUL or its end, whichever comes first. */
size_t vl_attr_strlen(const struct nlattr *a);

/* Add to @o each attribute of @set that @tb holds, under its key. */
void vl_attrs_json_add(struct json_object *o, struct nlattr **tb,
		       const struct vl_attr_set *set);

#endif /* VL_ATTRS_H */
