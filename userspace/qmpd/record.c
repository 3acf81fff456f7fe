// SPDX-License-Identifier: GPL-2.0
/*
 * Recording: the daemon is the module's log reader and copies the stream
 * into the file as it comes, from the loop, so that a recording of any
 * length fits (the ring is only a buffer) while the clients are served.
 * The stream is opened before recording starts: the module then never
 * logs into a ring nobody drains.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "qmpd.h"
#include "vl_genl.h"
#include "vl_log_stream.h"

/* Bytes moved per read; also how long one callback may take. */
#define QMPD_RECORD_CHUNK	(256u << 10)
/* After the stop, how long the rest of the ring may take to arrive. */
#define QMPD_RECORD_DRAIN_MS	5000

static struct {
	bool active;
	int log;		/* the stream */
	int out;		/* the file */
	char path[PATH_MAX];
	uint64_t bytes;
	struct qmpd_watch w;
	bool lost;		/* a recording lost records */
	bool failed;		/* writing the file failed: stopped */
} rec = { .log = -1, .out = -1 };

static char chunk[QMPD_RECORD_CHUNK];

bool qmpd_record_lost(void)
{
	return rec.lost;
}

bool qmpd_record_failed(void)
{
	return rec.failed;
}

/* The end of the stream: the file is whole, and how it went is said. */
static void finish(struct vl_genl *genl)
{
	struct vl_replay_info info;

	qmpd_loop_del(&rec.w);
	/* /dev/null and pipes cannot be synced, and need not be. */
	if (fsync(rec.out) && errno != EINVAL && errno != EROFS)
		qmpd_log("%s: %s", rec.path, strerror(errno));
	close(rec.out);
	close(rec.log);
	rec.out = rec.log = -1;
	rec.active = false;
	if (genl && !vl_genl_replay_get(genl, &info) && info.lost) {
		rec.lost = true;
		qmpd_log("%s: %" PRIu64 " bytes, %" PRIu64 " records lost (marked in the log)",
			 rec.path, rec.bytes, info.lost);
	} else {
		qmpd_log("%s: %" PRIu64 " bytes recorded", rec.path, rec.bytes);
	}
}

/* One read's worth: 1 moved some, 0 at the end, -EAGAIN, or -errno. */
static int move(void)
{
	ssize_t n = vl_log_stream_copy(rec.log, rec.out, chunk, sizeof(chunk));

	if (n > 0) {
		rec.bytes += n;
		return 1;
	}
	return n;
}

/* Writing failed (a full disk): recording stops, the file keeps what it has. */
static void fail(struct vl_genl *genl, int err)
{
	qmpd_log("%s: %s: recording stopped", rec.path, strerror(-err));
	rec.failed = true;
	if (genl)
		vl_genl_record_stop(genl);
	finish(genl);
}

static struct vl_genl *rec_genl;

static void on_stream(void *arg, uint32_t events)
{
	int ret = move();

	(void)arg;
	(void)events;
	if (ret == 0)
		finish(rec_genl);	/* ended elsewhere: vlctl stop-recording */
	else if (ret < 0 && ret != -EAGAIN)
		fail(rec_genl, ret);
}

/* The stream, and the file, made ready before the module is asked. */
static int open_both(const char *file, char *why, size_t size)
{
	rec.log = vl_log_stream_open(QMPD_DEVICE);
	if (rec.log < 0) {
		snprintf(why, size, "cannot open the log stream: %s",
			 rec.log == -EBUSY ? "another reader has it" : strerror(-rec.log));
		return rec.log;
	}
	rec.out = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (rec.out < 0) {
		int err = -errno;

		snprintf(why, size, "%s: %s", file, strerror(-err));
		close(rec.log);
		rec.log = -1;
		return err;
	}
	fcntl(rec.log, F_SETFL, O_NONBLOCK);
	return 0;
}

/* The name query-replay shows: absolute, since the daemon moves to /. */
static void set_path(const char *file)
{
	char *abs = realpath(file, NULL);

	snprintf(rec.path, sizeof(rec.path), "%s", abs ? abs : file);
	free(abs);
}

int qmpd_record_begin(struct vl_genl *genl, const char *file, char *why,
		      size_t size)
{
	int err;

	if (rec.active) {
		snprintf(why, size, "already recording");
		return -EBUSY;
	}
	err = open_both(file, why, size);
	if (err)
		return err;
	set_path(file);
	rec_genl = genl;
	err = vl_genl_record_start(genl, rec.path);
	if (!err) {
		rec.w = (struct qmpd_watch){ .fd = rec.log, .fn = on_stream };
		err = qmpd_loop_add(&rec.w, EPOLLIN);
		if (err)
			vl_genl_record_stop(genl);
	}
	if (err) {
		snprintf(why, size, "%s", genl->error_msg[0] ? genl->error_msg :
			 strerror(-err));
		close(rec.log);
		close(rec.out);
		rec.log = rec.out = -1;
		return err;
	}
	rec.active = true;
	rec.bytes = 0;
	rec.failed = false;
	return 0;
}

/* The rest of the ring, now that the stream ends once it is empty. */
static int drain(void)
{
	int waited = 0, ret;

	while ((ret = move()) != 0) {
		if (ret == -EAGAIN && waited < QMPD_RECORD_DRAIN_MS) {
			poll(&(struct pollfd){ .fd = rec.log, .events = POLLIN }, 1, 100);
			waited += 100;
		} else if (ret < 0) {
			return ret;
		}
	}
	return 0;
}

int qmpd_record_end(struct vl_genl *genl, char *why, size_t size)
{
	int err = vl_genl_record_stop(genl);

	/* Stopped elsewhere while the stream still drains: not a failure. */
	if (err && !(err == -EALREADY && rec.active)) {
		snprintf(why, size, "%s", genl->error_msg[0] ? genl->error_msg :
			 strerror(-err));
		return err;
	}
	if (!rec.active)
		return 0;	/* another recorder's recording: stopped */
	err = drain();
	if (err) {
		fail(genl, err);
		snprintf(why, size, "%s: %s", rec.path, strerror(-err));
		return err;
	}
	finish(genl);
	return 0;
}

void qmpd_record_fini(struct vl_genl *genl)
{
	char why[256];

	if (rec.active && genl)
		qmpd_record_end(genl, why, sizeof(why));
	else if (rec.active)
		finish(NULL);
}
