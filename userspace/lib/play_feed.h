/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feeding a log to the module in play mode: the protocol of the descriptor
 * VIRTIO_LOOPBACK_OPEN_PLAY returns (include/uapi/linux/virtio_loopback.h),
 * shared by vlctl replay and vl-qmpd, apart from either so that host tests
 * can drive it with a module of their own.
 */
#ifndef VLCTL_PLAY_FEED_H
#define VLCTL_PLAY_FEED_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <linux/virtio_loopback.h>

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
	volatile sig_atomic_t *stop;	/* set by a signal handler; may be NULL */

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

/* vl_feed_step() went on: call it again. */
#define VL_FEED_MORE	(-1)
/* vl_feed_step() must wait for POLLOUT (or POLLHUP) on play_fd. */
#define VL_FEED_WAIT	(-2)

/*
 * One step of vl_feed_run() that never waits, for an event loop with a
 * non-blocking play_fd: VL_FEED_MORE, VL_FEED_WAIT, or how feeding ended
 * (never VL_FEED_SIGNAL: @f->stop may be NULL).
 */
int vl_feed_step(struct vl_feed *f);
void vl_feed_fini(struct vl_feed *f);

/* What the check of a whole log found: what play mode needs to know. */
struct vl_play_log {
	uint64_t size;		/* bytes to play, the file header included */
	uint64_t records;
	uint64_t end_icount;	/* of the last record played */
	/*
	 * Bytes of a record the file holds only the start of, at its end
	 * (at offset @size): never played.  0 for a whole log.
	 */
	uint64_t cut_bytes;
};

/*
 * Check the log in @fd (a regular file) whole, with the format's own
 * parser, before the module sees a byte of it: 0, or -1 with @why saying
 * what is wrong, for a bad log where ("record 12 at offset 4096: crc
 * mismatch").  A log cut inside its last record (log_walk()'s
 * LOG_WALK_CUT) is refused too, @why then naming --allow-cut; with
 * @allow_cut it is taken, @log covering the whole records before the cut
 * and @log->cut_bytes saying what is lost.
 */
int vl_play_log_check(int fd, struct vl_play_log *log, bool allow_cut,
		      char *why, size_t size);

/*
 * The warning for a log taken with its cut: "cut inside its last record,
 * at offset 4096: 40 bytes dropped, the 7 whole records before it play".
 */
void vl_play_log_cut_note(const struct vl_play_log *log, char *buf,
			  size_t size);

/* @start for @log, named @filename in query-replay (cut to fit). */
void vl_play_start_init(struct virtio_loopback_play_start *start,
			const struct vl_play_log *log, const char *filename);

/*
 * Start play mode through the module's node @device: the descriptor that
 * takes the log (close-on-exec), or -1 with @why saying what failed.
 */
int vl_play_start(const char *device,
		  const struct virtio_loopback_play_start *start, char *why,
		  size_t size);

#endif /* VLCTL_PLAY_FEED_H */
