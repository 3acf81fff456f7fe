/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printing the attributes of a generic netlink message (a dump's reply, a
 * notification) from the library's tables (vl_attrs.h): one line per
 * message, "key=value" pairs or one JSON object, keys as the YNL spec
 * names the attributes.
 */
#ifndef VLCTL_ATTRS_H
#define VLCTL_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vl_attrs.h"

struct nl_msg;

/*
 * Print @msg's attributes that @set names (those it carries) as one line
 * on @out, flushed: text, or a JSON object when @json.  @event, when not
 * NULL, comes first: the line's first word, the object's "event".
 * Returns 0, or -EPROTO for a message that is not a valid genl message.
 */
int vlctl_print_msg(FILE *out, struct nl_msg *msg,
		    const struct vl_attr_set *set, const char *event,
		    bool json);

/* vlctl_print_msg() on stdout as a vl_genl_parse_fn: @arg is this. */
struct vlctl_printer {
	const struct vl_attr_set *set;
	const char *event;
	bool json;
};
int vlctl_print_cb(struct nl_msg *msg, void *arg);

#endif /* VLCTL_ATTRS_H */
