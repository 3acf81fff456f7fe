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
 * Check @b's file header and every record, handing them to @ops.  Returns
 * 0; 1 for a bad log, @why then saying where and what ("offset 0: bad
 * magic", "record 12 at offset 4096: crc mismatch"); or the negative errno
 * of @ops->record.
 */
int log_walk(const struct log_buf *b, const struct log_walk_ops *ops,
	     void *arg, char *why, size_t size);

#endif /* VLCTL_LOG_FILE_H */
