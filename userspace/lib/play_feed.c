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
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_file.h"

#include "play_feed.h"

static bool stopped(const struct vl_feed *f)
{
	return f->stop && *f->stop;
}

/* A signal handler closes play_fd: what fails after it is no error. */
static int fail(struct vl_feed *f, int err, const char *what)
{
	if (stopped(f))
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
		return errno == EINTR ? VL_FEED_MORE :
		       fail(f, errno, "waiting for the module");
	if (p.revents & POLLHUP)
		return VL_FEED_HUP;
	if (p.revents & POLLNVAL)
		return fail(f, EBADF, "waiting for the module");
	if (p.revents & POLLERR)
		return fail(f, EIO, "waiting for the module");
	return VL_FEED_MORE;
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
		return VL_FEED_MORE;
	err = errno;
	switch (err) {
	case EINTR:	/* the loop looks at *stop */
	case ESTALE:	/* a seek moved the position while the write waited */
		return VL_FEED_MORE;
	case EAGAIN:	/* the play buffer is full */
		return VL_FEED_WAIT;
	case EBADMSG:
		return refused(f);
	}
	if (hung_up(f->play_fd))
		return VL_FEED_HUP;
	return fail(f, err, "writing to the module");
}

int vl_feed_step(struct vl_feed *f)
{
	off_t off = lseek(f->play_fd, 0, SEEK_CUR);

	if (off < 0)
		return fail(f, errno, "asking the module where it is");
	if ((uint64_t)off > f->size)
		return fail(f, 0, "the module asks for bytes past the log's end");
	if ((uint64_t)off < f->size)
		return feed_at(f, off);
	return VL_FEED_WAIT;	/* all given: until a seek moves back */
}

enum vl_feed_end vl_feed_run(struct vl_feed *f)
{
	int ret = VL_FEED_MORE;

	while (ret == VL_FEED_MORE) {
		if (stopped(f))
			return VL_FEED_SIGNAL;
		ret = vl_feed_step(f);
		if (ret == VL_FEED_WAIT)
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

/* ---- Starting play mode --------------------------------------------------- */

static int count_record(void *arg, const struct vl_log_rec_view *rec)
{
	struct vl_play_log *log = arg;

	log->records++;
	log->end_icount = rec->icount;
	return 0;
}

/* Refused, or taken with @allow_cut: what log_walk() found decides. */
static int judge_walk(int ret, const struct log_cut *cut, bool allow_cut,
		      struct vl_play_log *log, char *why, size_t size)
{
	size_t used;

	if (ret == LOG_WALK_CUT && allow_cut) {
		log->size = cut->offset;
		log->cut_bytes = cut->bytes;
		return 0;
	}
	if (ret == LOG_WALK_CUT) {
		used = strnlen(why, size);
		snprintf(why + used, size - used,
			 "; cut inside its last record: --allow-cut plays the %llu whole records before it",
			 (unsigned long long)cut->index);
	}
	return ret ? -1 : 0;
}

int vl_play_log_check(int fd, struct vl_play_log *log, bool allow_cut,
		      char *why, size_t size)
{
	static const struct log_walk_ops ops = { .record = count_record };
	struct log_cut cut;
	struct log_buf b;
	struct stat st;
	int ret;

	memset(log, 0, sizeof(*log));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, size, "not a regular file (the module may ask for any part of it again)");
		return -1;
	}
	ret = log_buf_load(fd, &b);
	if (ret) {
		snprintf(why, size, "%s", strerror(-ret));
		return -1;
	}
	log->size = b.len;
	ret = log_walk(&b, &ops, log, &cut, why, size);
	log_buf_unload(&b);
	return judge_walk(ret, &cut, allow_cut, log, why, size);
}

void vl_play_log_cut_note(const struct vl_play_log *log, char *buf,
			  size_t size)
{
	snprintf(buf, size,
		 "cut inside its last record, at offset %llu: %llu bytes dropped, the %llu whole records before it play",
		 (unsigned long long)log->size,
		 (unsigned long long)log->cut_bytes,
		 (unsigned long long)log->records);
}

/* Cut @s to fit @size bytes with its NUL, never inside a UTF-8 sequence. */
static void copy_name(char *dst, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len >= size) {
		len = size - 1;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

void vl_play_start_init(struct virtio_loopback_play_start *start,
			const struct vl_play_log *log, const char *filename)
{
	memset(start, 0, sizeof(*start));
	start->size = log->size;
	start->end_icount = log->end_icount;
	copy_name(start->filename, sizeof(start->filename), filename);
}

int vl_play_start(const char *device,
		  const struct virtio_loopback_play_start *start, char *why,
		  size_t size)
{
	int chan, fd, err;

	chan = open(device, O_RDWR | O_CLOEXEC);
	if (chan < 0) {
		snprintf(why, size, "cannot open %s: %s", device, strerror(errno));
		return -1;
	}
	fd = ioctl(chan, VIRTIO_LOOPBACK_OPEN_PLAY, start);
	err = errno;
	close(chan);
	if (fd < 0) {
		snprintf(why, size, "cannot start playing: %s",
			 err == EBUSY ? "busy (recording, or another player is playing)" :
			 err == ENOTTY ? "this module has no play mode" : strerror(err));
		return -1;
	}
	/* The module's descriptor is not close-on-exec by itself. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}
