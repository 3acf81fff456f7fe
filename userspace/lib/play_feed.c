// SPDX-License-Identifier: GPL-2.0
/*
 * The player's side of play mode.  The module says where it wants the log
 * next (lseek(fd, 0, SEEK_CUR)): usually where the last write ended, after
 * a backward seek a snapshot point behind it.  So the loop never keeps a
 * position of its own: it asks, reads the log there, writes, and asks
 * again; at the log's end it waits until the module wants bytes again
 * (EPOLLOUT) or play mode ends (EPOLLHUP).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "play_feed.h"

/* vl_feed_run()'s steps return this to go round again, or how it ended. */
#define VL_FEED_GO_ON	(-1)

/* A signal handler closes play_fd: what fails after it is no error. */
static int fail(struct vl_feed *f, int err, const char *what)
{
	if (*f->stop)
		return VL_FEED_SIGNAL;
	f->err = err;
	f->what = what;
	return VL_FEED_ERROR;
}

/* Has play mode ended?  Asked, without waiting, after a write failed. */
static bool hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

/* Wait until the module wants bytes (EPOLLOUT) or play mode ends. */
static int wait_for_module(struct vl_feed *f)
{
	struct pollfd p = { .fd = f->play_fd, .events = POLLOUT };

	if (poll(&p, 1, -1) < 0)
		return errno == EINTR ? VL_FEED_GO_ON :
		       fail(f, errno, "waiting for the module");
	if (p.revents & POLLHUP)
		return VL_FEED_HUP;
	if (p.revents & POLLNVAL)
		return fail(f, EBADF, "waiting for the module");
	if (p.revents & POLLERR)
		return fail(f, EIO, "waiting for the module");
	return VL_FEED_GO_ON;
}

/* The log's bytes from @off in f->buf, read unless they are there. */
static int fill(struct vl_feed *f, uint64_t off)
{
	uint64_t left = f->size - off;
	ssize_t n;

	if (off >= f->buf_off && off < f->buf_off + f->buf_len)
		return 0;
	if (!f->buf) {
		f->buf = malloc(VL_FEED_CHUNK);
		if (!f->buf)
			return -ENOMEM;
	}
	do
		n = pread(f->log_fd, f->buf,
			  left < VL_FEED_CHUNK ? left : VL_FEED_CHUNK, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!n)
		return -ENODATA;	/* the file shrank since it was checked */
	f->buf_off = off;
	f->buf_len = n;
	return 0;
}

/* EBADMSG: the module took the bytes up to the record it refused. */
static int refused(struct vl_feed *f)
{
	off_t off = lseek(f->play_fd, 0, SEEK_CUR);

	if (off < 0)
		return fail(f, errno, "asking the module where it stopped");
	f->bad_offset = off;
	return VL_FEED_REFUSED;
}

/* Write what the module wants from @off; a partial write is fine. */
static int feed_at(struct vl_feed *f, uint64_t off)
{
	ssize_t n;
	int err;

	err = fill(f, off);
	if (err)
		return fail(f, -err, "reading the log");
	n = write(f->play_fd, f->buf + (off - f->buf_off),
		  f->buf_off + f->buf_len - off);
	if (n >= 0)
		return VL_FEED_GO_ON;
	err = errno;
	switch (err) {
	case EINTR:	/* the loop looks at *stop */
	case ESTALE:	/* a seek moved the position while the write waited */
		return VL_FEED_GO_ON;
	case EAGAIN:
		return wait_for_module(f);
	case EBADMSG:
		return refused(f);
	}
	if (hung_up(f->play_fd))
		return VL_FEED_HUP;
	return fail(f, err, "writing to the module");
}

enum vl_feed_end vl_feed_run(struct vl_feed *f)
{
	int ret = VL_FEED_GO_ON;
	off_t off;

	while (ret == VL_FEED_GO_ON) {
		if (*f->stop)
			return VL_FEED_SIGNAL;
		off = lseek(f->play_fd, 0, SEEK_CUR);
		if (off < 0)
			ret = fail(f, errno, "asking the module where it is");
		else if ((uint64_t)off > f->size)
			ret = fail(f, 0, "the module asks for bytes past the log's end");
		else if ((uint64_t)off < f->size)
			ret = feed_at(f, off);
		else
			ret = wait_for_module(f);
	}
	return ret;
}

void vl_feed_fini(struct vl_feed *f)
{
	free(f->buf);
	f->buf = NULL;
	f->buf_len = 0;
}
