/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feeding a log to the module in play mode: the protocol of the descriptor
 * VIRTIO_LOOPBACK_OPEN_PLAY returns (include/uapi/linux/virtio_loopback.h),
 * apart from vlctl replay's command line so that host tests can drive it
 * with a module of their own.
 */
#ifndef VLCTL_PLAY_FEED_H
#define VLCTL_PLAY_FEED_H

#include <signal.h>
#include <stdint.h>
#include <stddef.h>

/* Bytes of the log read and written at once. */
#define VL_FEED_CHUNK	(1u << 20)

enum vl_feed_end {
	VL_FEED_HUP,		/* play mode ended (EPOLLHUP) */
	VL_FEED_SIGNAL,		/* *stop was set */
	VL_FEED_REFUSED,	/* the module refused a record (EBADMSG) */
	VL_FEED_ERROR,		/* a system call failed: @err, @what */
};

struct vl_feed {
	int log_fd;		/* the log file, read with pread() */
	uint64_t size;		/* its bytes */
	int play_fd;
	volatile sig_atomic_t *stop;	/* set by a signal handler */

	/* How it ended: the refused record's offset, or what failed. */
	uint64_t bad_offset;
	int err;		/* a positive errno */
	const char *what;	/* "reading the log", ... */

	/* Bytes of the log read last, kept for a partial write's rest. */
	char *buf;
	uint64_t buf_off;
	size_t buf_len;
};

/*
 * Give the module the log, wherever it asks for it, until play mode ends,
 * *@f->stop is set, or something fails.  @f->buf etc. must be zero at the
 * start; vl_feed_fini() frees them.
 */
enum vl_feed_end vl_feed_run(struct vl_feed *f);
void vl_feed_fini(struct vl_feed *f);

#endif /* VLCTL_PLAY_FEED_H */
