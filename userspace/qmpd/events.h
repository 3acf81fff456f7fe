/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's notifications as QMP events: "stopped" is QEMU's STOP,
 * "resumed" its RESUME (both without data, as in QEMU), and the rest are
 * vl-qmpd's own, x- named: X-REPLAY-DIVERGENCE, X-REPLAY-LOSS,
 * X-REPLAY-END (a stop at the log's end, after its STOP), X-DEVICE-ADDED
 * and X-DEVICE-REMOVED, their data the notification's attributes under the
 * YNL spec's names.
 */
#ifndef QMPD_EVENTS_H
#define QMPD_EVENTS_H

struct json_object;
struct nl_msg;

/* Takes each event's name and data (consumed, may be NULL). */
typedef void (*qmpd_emit_fn)(const char *name, struct json_object *data);

/*
 * Emit the events of notification @msg of the family @family_id; a
 * message of another family, or a command this code does not know,
 * emits nothing.  Returns 0, or -EPROTO for a malformed message.
 */
int qmpd_events_from_msg(struct nl_msg *msg, int family_id, qmpd_emit_fn emit);

#endif /* QMPD_EVENTS_H */
