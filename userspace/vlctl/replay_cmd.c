// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl replay FILE [--window N] [--per-queue] [--allow-cut] [--json]:
 * play a log, the player of play mode.
 *
 * FILE is checked whole first, by the format's own parser: a cut or
 * corrupt log is refused, naming its first bad record, before the module
 * sees a byte of it.  With --allow-cut, a log whose only fault is a cut
 * inside its last record (a recorder killed mid-write, a full disk) plays
 * its whole records, with a warning saying what was dropped.
 *
 * Then ioctl(VIRTIO_LOOPBACK_OPEN_PLAY) starts play mode and returns the
 * descriptor that takes the log, which play_feed.c feeds until play mode
 * ends (vlctl stop-replay, or anything that ends it).  SIGINT or SIGTERM
 * end it too: closing the descriptor does.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include <linux/virtio_loopback.h>

#include "play_feed.h"
#include "vlctl.h"

/* The log, and what the check of the whole file learnt. */
struct replay_log {
	const char *path;	/* as given */
	char *realpath;		/* what the module and --json are told */
	uint32_t window;	/* --window: matching ahead for racing submitters */
	bool per_queue;		/* --per-queue: each queue in its own order */
	bool allow_cut;		/* --allow-cut: play a cut log's whole records */
	int fd;
	struct vl_play_log log;
};

static volatile sig_atomic_t replay_stop;
static volatile sig_atomic_t replay_fd = -1;

/*
 * Close the play descriptor from the handler itself: a signal that lands
 * just before a blocking write() or poll() would otherwise wait with it
 * until the module next wakes the player, at the log's end never.  Closed,
 * play mode ends at once and the next system call fails, which the loop
 * then reads as the signal's doing.
 */
static void on_signal(int sig)
{
	int saved = errno, fd = replay_fd;

	(void)sig;
	replay_stop = 1;
	replay_fd = -1;
	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* Check FILE whole: 0, or 1 after saying where it is bad. */
static int check_log(struct replay_log *log, FILE *err)
{
	char why[320];

	if (vl_play_log_check(log->fd, &log->log, log->allow_cut, why,
			      sizeof(why))) {
		fprintf(err, "vlctl: %s: %s\n", log->path, why);
		return 1;
	}
	if (log->log.cut_bytes) {
		vl_play_log_cut_note(&log->log, why, sizeof(why));
		fprintf(err, "vlctl: warning: %s: %s\n", log->path, why);
	}
	return 0;
}

/* Start play mode: the descriptor that takes the log, or -1 (said why). */
static int open_play(const struct replay_log *log, const char *device,
		     FILE *err)
{
	struct virtio_loopback_play_start start;
	char why[300];
	int fd;

	vl_play_start_init(&start, &log->log, log->realpath);
	start.window = log->window;
	if (log->per_queue)
		start.flags |= VIRTIO_LOOPBACK_PLAY_PER_QUEUE;
	fd = vl_play_start(device, &start, why, sizeof(why));
	if (fd < 0)
		fprintf(err, "vlctl: %s\n", why);
	return fd;
}

/* Add @key: @v to @o (a new object when NULL) and print it, one line. */
static void print_json(FILE *out, struct json_object *o, const char *key,
		       struct json_object *v)
{
	if (!o)
		o = json_object_new_object();
	json_object_object_add(o, key, v);
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(out);
	json_object_put(o);
}

static void announce(const struct replay_log *log, bool json, FILE *out,
		     FILE *err)
{
	struct json_object *o;

	fprintf(err, "vlctl: playing %s: %" PRIu64 " records, icount 0..%" PRIu64 "\n",
		log->path, log->log.records, log->log.end_icount);
	if (!json)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "filename", json_object_new_string(log->realpath));
	json_object_object_add(o, "size", json_object_new_uint64(log->log.size));
	json_object_object_add(o, "end-icount", json_object_new_uint64(log->log.end_icount));
	if (log->log.cut_bytes) {
		json_object_object_add(o, "cut-offset", json_object_new_uint64(log->log.size));
		json_object_object_add(o, "cut-bytes", json_object_new_uint64(log->log.cut_bytes));
	}
	print_json(out, o, "records", json_object_new_uint64(log->log.records));
}

/* Feed the log until play mode ends; the exit status. */
static int play(const struct replay_log *log, int fd, bool json, FILE *out,
		FILE *err)
{
	struct vl_feed f = {
		.log_fd = log->fd, .size = log->log.size, .play_fd = fd,
		.stop = &replay_stop,
	};
	enum vl_feed_end end = vl_feed_run(&f);

	vl_feed_fini(&f);
	switch (end) {
	case VL_FEED_HUP:
	case VL_FEED_SIGNAL:
		if (json)
			print_json(out, NULL, "ended", json_object_new_string(
				   end == VL_FEED_HUP ? "hup" : "signal"));
		return 0;
	case VL_FEED_REFUSED:
		fprintf(err, "vlctl: %s: the module refused the record at offset %" PRIu64 "\n",
			log->path, f.bad_offset);
		break;
	case VL_FEED_ERROR:
		if (f.err)
			fprintf(err, "vlctl: %s: %s: %s\n", log->path, f.what,
				strerror(f.err));
		else
			fprintf(err, "vlctl: %s: %s\n", log->path, f.what);
		break;
	}
	return 1;
}

/* Start play mode and feed it with SIGINT and SIGTERM caught. */
static int start_and_play(const struct replay_log *log, const char *device,
			  bool json, FILE *out, FILE *err)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigset_t mask, old_mask;
	int fd, ret = 1;

	/* No SA_RESTART: a blocked write() or poll() returns EINTR. */
	replay_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fd = open_play(log, device, err);
	if (fd >= 0) {
		replay_fd = fd;
		announce(log, json, out, err);
		ret = play(log, fd, json, out, err);
	}
	/* The handler may close it too: not both.  A signal that came
	 * meanwhile reaches the handler, not the default action, on unmask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old_mask);
	if (replay_fd >= 0)
		close(replay_fd);
	replay_fd = -1;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return ret;
}

int vlctl_replay_main(int argc, char **argv, const char *device, FILE *out,
		      FILE *err)
{
	struct replay_log log = { 0 };
	struct vlctl_args a;
	int ret;

	ret = vlctl_parse_args(argc, argv, VLCTL_OPT_JSON | VLCTL_OPT_WINDOW |
			       VLCTL_OPT_PER_QUEUE | VLCTL_OPT_ALLOW_CUT, 1,
			       "vlctl replay FILE [--window N] [--per-queue] [--allow-cut] [--json]",
			       &a, err);
	if (ret)
		return ret;
	if (a.window > VIRTIO_LOOPBACK_PLAY_MAX_WINDOW) {
		fprintf(err, "vlctl replay: --window is at most %u\n",
			VIRTIO_LOOPBACK_PLAY_MAX_WINDOW);
		return 2;
	}
	log.window = a.window;
	log.per_queue = a.per_queue;
	log.allow_cut = a.allow_cut;
	log.path = a.operands[0];
	log.fd = open(log.path, O_RDONLY | O_CLOEXEC);
	if (log.fd < 0) {
		fprintf(err, "vlctl: %s: %s\n", log.path, strerror(errno));
		return 1;
	}
	ret = check_log(&log, err);
	if (!ret) {
		log.realpath = realpath(log.path, NULL);
		if (!log.realpath)
			log.realpath = strdup(log.path);
		ret = log.realpath ? start_and_play(&log, device, a.json, out, err) : 1;
	}
	free(log.realpath);
	close(log.fd);
	return ret;
}
