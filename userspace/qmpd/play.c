// SPDX-License-Identifier: GPL-2.0
/*
 * Replaying: the daemon is play mode's player.  The log is checked whole
 * first (a cut or corrupt one is refused before the module sees a byte),
 * then fed from the loop whenever the module wants bytes (EPOLLOUT on a
 * non-blocking descriptor), wherever it asks for them: after a backward
 * seek it asks for a snapshot point again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "play_feed.h"
#include "qmpd.h"

/* Steps per callback, so that one busy feed cannot starve the clients. */
#define QMPD_PLAY_STEPS	16

static struct {
	bool active;
	int log;
	struct vl_feed feed;
	struct qmpd_watch w;
	const char *path;
} play = { .log = -1 };

static void end(void)
{
	qmpd_loop_del(&play.w);
	vl_feed_fini(&play.feed);
	close(play.feed.play_fd);
	close(play.log);
	play.log = -1;
	play.active = false;
}

/* How feeding ended: play mode is over, or the log cannot go on. */
static void ended(int how)
{
	switch (how) {
	case VL_FEED_HUP:
		qmpd_log("%s: play mode ended", play.path);
		end();
		return;
	case VL_FEED_REFUSED:
		/* Play mode stays, stopped at the record, for inspection. */
		qmpd_log("%s: the module refused the record at offset %" PRIu64,
			 play.path, play.feed.bad_offset);
		qmpd_loop_mod(&play.w, 0);
		return;
	default:
		qmpd_log("%s: %s%s%s: play mode ended", play.path,
			 play.feed.what, play.feed.err ? ": " : "",
			 play.feed.err ? strerror(play.feed.err) : "");
		end();
	}
}

static void on_play(void *arg, uint32_t events)
{
	int i, ret = VL_FEED_MORE;

	(void)arg;
	if ((events & EPOLLHUP) || !(events & EPOLLOUT)) {
		/* Refused before: only the end of play mode is awaited. */
		if (events & EPOLLHUP)
			ended(VL_FEED_HUP);
		return;
	}
	for (i = 0; i < QMPD_PLAY_STEPS && ret == VL_FEED_MORE; i++)
		ret = vl_feed_step(&play.feed);
	if (ret >= 0)
		ended(ret);
}

static int start(const char *file, const struct vl_play_log *log)
{
	struct virtio_loopback_play_start st;
	char *abs = realpath(file, NULL), why[256];
	int fd;

	vl_play_start_init(&st, log, abs ? abs : file);
	free(abs);
	fd = vl_play_start(QMPD_DEVICE, &st, why, sizeof(why));
	if (fd < 0) {
		qmpd_log("%s: %s", file, why);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	play.feed = (struct vl_feed){
		.log_fd = play.log, .size = log->size, .play_fd = fd,
	};
	play.w = (struct qmpd_watch){ .fd = fd, .fn = on_play };
	if (qmpd_loop_add(&play.w, EPOLLOUT)) {
		close(fd);
		return -1;
	}
	return 0;
}

int qmpd_play_begin(const char *file)
{
	struct vl_play_log log;
	char why[256];
	int ret;

	play.log = open(file, O_RDONLY | O_CLOEXEC);
	if (play.log < 0) {
		qmpd_log("%s: %s", file, strerror(errno));
		return -1;
	}
	ret = vl_play_log_check(play.log, &log, false, why, sizeof(why));
	if (ret)
		qmpd_log("%s: %s", file, why);
	if (ret || start(file, &log)) {
		close(play.log);
		play.log = -1;
		return -1;
	}
	play.path = file;
	play.active = true;
	qmpd_log("playing %s: %" PRIu64 " records, icount 0..%" PRIu64,
		 file, log.records, log.end_icount);
	return 0;
}

void qmpd_play_fini(void)
{
	if (play.active)
		end();
}
