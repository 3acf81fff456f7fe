/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replay log file in memory, and one walk over it with the format's own
 * checks (kmod/vl_logfmt.c): what `vlctl log` decodes and what `vlctl
 * replay` checks before it gives the module a byte.
 */
#ifndef VLCTL_LOG_FILE_H
#define VLCTL_LOG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vl_logfmt.h"

/* The log's bytes, mapped or read. */
struct log_buf {
	void *data;
	size_t len;
	bool mapped;
};

/*
 * The bytes of @fd: mapped for a regular file (mmap gives the 8-byte
 * alignment the parser wants), read for a pipe or a terminal.  0 or -errno.
 */
int log_buf_load(int fd, struct log_buf *b);
void log_buf_unload(struct log_buf *b);

struct log_walk_ops {
	/* The checked file header; may be NULL. */
	void (*header)(void *arg, const struct vl_log_hdr_view *hdr);
	/* Each checked record, in order: 0, or a negative errno that stops. */
	int (*record)(void *arg, const struct vl_log_rec_view *rec);
};

/*
 * Where a log cut inside its last record stops being whole: a recorder
 * killed, or a disk that filled, between two writes.  The records before
 * the cut are a log; the cut one is lost.
 */
struct log_cut {
	size_t offset;		/* of the cut record: the whole ones end here */
	size_t bytes;		/* of it in the file, from @offset to the end */
	uint64_t index;		/* its number: how many whole records precede */
};

/* log_walk()'s results besides 0 (a whole log) and -errno. */
#define LOG_WALK_BAD	1	/* corrupt or cut: @why says where */
#define LOG_WALK_CUT	2	/* cut inside its last record: see @cut */

/*
 * Check @b's file header and every record, handing them to @ops.  Returns
 * 0; LOG_WALK_BAD for a bad log, @why then saying where and what ("offset
 * 0: bad magic", "record 12 at offset 4096: crc mismatch"); or the
 * negative errno of @ops->record.
 *
 * With @cut (may be NULL), a log whose only fault is an incomplete last
 * record gives LOG_WALK_CUT instead: the records before it were walked,
 * @cut says what is lost and @why still says what the format found.  A
 * record whose length goes past the end while an intact record follows
 * inside it, or whose header contradicts the records before, is corrupt,
 * not cut: LOG_WALK_BAD.
 */
int log_walk(const struct log_buf *b, const struct log_walk_ops *ops,
	     void *arg, struct log_cut *cut, char *why, size_t size);

#endif /* VLCTL_LOG_FILE_H */
