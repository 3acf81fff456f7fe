/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the QMP commands ask of the module and of the daemon around them.
 * backend.c does it over generic netlink and the module's log streams;
 * the host tests link a fake of their own instead, so that dispatch is
 * tested without a kernel.  Each returns 0 or a negative errno; -ENODEV
 * when the module is not loaded.
 */
#ifndef QMPD_BACKEND_H
#define QMPD_BACKEND_H

#include <stdint.h>

struct json_object;
struct vl_replay_info;

int qmpd_replay_get(struct vl_replay_info *info);
int qmpd_break_set(uint64_t icount);
int qmpd_break_delete(void);
int qmpd_seek(uint64_t icount);
int qmpd_stop(void);
int qmpd_cont(void);
/* Record into @filename: the daemon writes the module's log stream there. */
int qmpd_record_start(const char *filename);
/* Stop recording; returns once the file holds the whole log. */
int qmpd_record_stop(void);
/* Every device: a new array of objects. */
int qmpd_devices(struct json_object **list);
/* The last divergence: a new object, or NULL when there was none. */
int qmpd_divergence(struct json_object **div);
/*
 * The log this daemon plays (play.c): a new object, empty when it plays
 * none; what was cut off its end, if anything.
 */
int qmpd_play_log(struct json_object **info);

/*
 * Why the last call failed with @err, in words for a QMP error: the
 * kernel's own (its texts for break and seek are QEMU's) when it gave
 * any, else the daemon's.
 */
const char *qmpd_strerror(int err);

/* Send event @name (@data consumed, may be NULL) to every negotiated client. */
void qmpd_broadcast(const char *name, struct json_object *data);
/* End the daemon once the current request is answered. */
void qmpd_quit(void);

#endif /* QMPD_BACKEND_H */
