// SPDX-License-Identifier: GPL-2.0
/*
 * Replaying: the daemon is play mode's player.  The log is checked whole
 * first (a cut or corrupt one is refused before the module sees a byte;
 * with --allow-cut, one cut inside its last record plays its whole
 * records), then fed from the loop whenever the module wants bytes
 * (EPOLLOUT on a non-blocking descriptor), wherever it asks for them:
 * after a backward seek it asks for a snapshot point again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backend.h"
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
	const char *path;	/* as given */
	char *abs;		/* as the module was told it */
	struct qmpd_play_opts opts;
	struct vl_play_log checked;	/* what is played, what was cut */
} play = { .log = -1 };

static void end(void)
{
	qmpd_loop_del(&play.w);
	vl_feed_fini(&play.feed);
	close(play.feed.play_fd);
	close(play.log);
	play.log = -1;
	play.active = false;
	free(play.abs);
	play.abs = NULL;
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
	char why[256];
	int fd;

	vl_play_start_init(&st, log, play.abs);
	st.window = play.opts.window;
	if (play.opts.per_queue)
		st.flags |= VIRTIO_LOOPBACK_PLAY_PER_QUEUE;
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

/* Check @file whole: 0, or -1 after saying why; a cut taken is said too. */
static int check(const char *file, bool allow_cut)
{
	char why[320];

	if (vl_play_log_check(play.log, &play.checked, allow_cut, why,
			      sizeof(why))) {
		qmpd_log("%s: %s", file, why);
		return -1;
	}
	if (play.checked.cut_bytes) {
		vl_play_log_cut_note(&play.checked, why, sizeof(why));
		qmpd_log("warning: %s: %s", file, why);
	}
	return 0;
}

int qmpd_play_begin(const char *file, const struct qmpd_play_opts *opts)
{
	play.log = open(file, O_RDONLY | O_CLOEXEC);
	if (play.log < 0) {
		qmpd_log("%s: %s", file, strerror(errno));
		return -1;
	}
	/* What query-replay names: absolute, since the daemon moves to /. */
	play.abs = realpath(file, NULL);
	if (!play.abs)
		play.abs = strdup(file);
	play.opts = *opts;
	if (!play.abs || check(file, opts->allow_cut) ||
	    start(file, &play.checked)) {
		free(play.abs);
		play.abs = NULL;
		close(play.log);
		play.log = -1;
		return -1;
	}
	play.path = file;
	play.active = true;
	qmpd_log("playing %s: %" PRIu64 " records, icount 0..%" PRIu64,
		 file, play.checked.records, play.checked.end_icount);
	return 0;
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

int qmpd_play_log(struct json_object **info)
{
	struct json_object *o = json_object_new_object();

	*info = o;
	if (!play.active)
		return 0;
	json_object_object_add(o, "filename", json_object_new_string(play.abs));
	add_u64(o, "size", play.checked.size);
	add_u64(o, "records", play.checked.records);
	add_u64(o, "end-icount", play.checked.end_icount);
	add_u64(o, "window", play.opts.window);
	json_object_object_add(o, "per-queue",
			       json_object_new_boolean(play.opts.per_queue));
	if (play.checked.cut_bytes) {
		add_u64(o, "cut-offset", play.checked.size);
		add_u64(o, "cut-bytes", play.checked.cut_bytes);
	}
	return 0;
}

void qmpd_play_fini(void)
{
	if (play.active)
		end();
}
