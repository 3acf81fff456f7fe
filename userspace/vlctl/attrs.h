/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printing the attributes of a generic netlink message (a dump's reply, a
 * notification) from a table: one line per message, "key=value" pairs or
 * one JSON object, keys as the YNL spec names the attributes.
 */
#ifndef VLCTL_ATTRS_H
#define VLCTL_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct nl_msg;

enum vlctl_attr_fmt {
	VLCTL_DEC,	/* an unsigned integer of any width */
	VLCTL_HEX,	/* the same, 0x... in text (a number in JSON) */
	VLCTL_VLN,	/* a device index: vlN in text, N in JSON */
	VLCTL_QUEUE,	/* a queue; "-" in text, null in JSON for none */
	VLCTL_REASON,	/* enum virtio_loopback_stop_reason, by name */
	VLCTL_STR,
};

struct vlctl_attr {
	int type;		/* the netlink attribute */
	const char *key;
	enum vlctl_attr_fmt fmt;
	bool bare;		/* text: the value alone, without "key=" */
};

/* The attributes of one kind of message, in the order they are printed. */
struct vlctl_attr_set {
	const struct vlctl_attr *attrs;
	size_t n;
	int maxattr;
};

extern const struct vlctl_attr_set vlctl_device_set;	/* "device" */
extern const struct vlctl_attr_set vlctl_divergence_set;
extern const struct vlctl_attr_set vlctl_stopped_set;
extern const struct vlctl_attr_set vlctl_resumed_set;
extern const struct vlctl_attr_set vlctl_loss_set;

/*
 * Print @msg's attributes that @set names (those it carries) as one line
 * on @out, flushed: text, or a JSON object when @json.  @event, when not
 * NULL, comes first: the line's first word, the object's "event".
 * Returns 0, or -EPROTO for a message that is not a valid genl message.
 */
int vlctl_print_msg(FILE *out, struct nl_msg *msg,
		    const struct vlctl_attr_set *set, const char *event,
		    bool json);

/* vlctl_print_msg() on stdout as a vl_genl_parse_fn: @arg is this. */
struct vlctl_printer {
	const struct vlctl_attr_set *set;
	const char *event;
	bool json;
};
int vlctl_print_cb(struct nl_msg *msg, void *arg);

#endif /* VLCTL_ATTRS_H */
