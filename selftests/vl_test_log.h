/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recording and playing logs in the selftests: a thread that drains the
 * module's log stream into memory, and a player that feeds a log in
 * memory to play mode the way VIRTIO_LOOPBACK_OPEN_PLAY documents it
 * (write where lseek() says, follow it back after a backward seek, stop
 * at EPOLLHUP).  And what the tests that play logs share, whoever the
 * player is (vl_play_test's thread, vlctl, vl-qmpd): break and seek
 * targets between records, the device play mode made, the blk workload.
 */
#ifndef VL_TEST_LOG_H
#define VL_TEST_LOG_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/virtio_loopback.h>

#include "vl_genl.h"
#include "vl_logfmt.h"
#include "vl_test_util.h"

/* The log stream, read into a growing buffer until it ends. */
struct stream {
	int fd;
	pthread_t thread;
	unsigned char *buf;
	size_t len, cap;
	int err;
};

static inline void *stream_drain(void *arg)
{
	struct stream *s = arg;

	for (;;) {
		ssize_t n;

		if (s->len == s->cap) {
			unsigned char *more = realloc(s->buf, s->cap * 2);

			if (!more) {
				s->err = ENOMEM;
				return NULL;
			}
			s->buf = more;
			s->cap *= 2;
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n <= 0) {
			s->err = n < 0 ? errno : 0;
			return NULL;
		}
		s->len += n;
	}
}

/*
 * Open the log stream on the channel @chan into @s, with a first buffer:
 * 0, or -errno of VIRTIO_LOOPBACK_OPEN_LOG.
 */
static inline int stream_open(struct stream *s, int chan)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->cap = 1 << 20;
	s->buf = malloc(s->cap);
	if (!s->buf)
		return -ENOMEM;
	s->fd = ioctl(chan, VIRTIO_LOOPBACK_OPEN_LOG);
	return s->fd < 0 ? -errno : 0;
}

/* What a player needs to know of a whole log. */
struct log_summary {
	uint64_t records;
	uint64_t first_icount;
	uint64_t last_icount;
	uint64_t removed_icount;	/* of the first REMOVED record, or 0 */
	unsigned long kinds[VL_LOG_KIND_END];
};

/* 0, or -1 when the log does not parse (the reason in @err). */
static inline int log_summarize(const unsigned char *log, size_t len,
				struct log_summary *sum, char *err,
				size_t err_size)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;
	int ret;

	memset(sum, 0, sizeof(*sum));
	if (vl_log_check_header(log, len, &hdr, &reason)) {
		snprintf(err, err_size, "header: %s", reason);
		return -1;
	}
	vl_log_reader_init(&r, log, len, hdr.header_len);
	while ((ret = vl_log_next(&r, &v)) > 0) {
		if (!sum->records)
			sum->first_icount = v.icount;
		sum->records++;
		sum->last_icount = v.icount;
		if (v.kind < VL_LOG_KIND_END)
			sum->kinds[v.kind]++;
		if (v.kind == VIRTIO_LOOPBACK_LOG_REMOVED && !sum->removed_icount)
			sum->removed_icount = v.icount;
	}
	if (ret) {
		vl_log_format_error(&r, err, err_size);
		return -1;
	}
	return 0;
}

/* The icount of each record of a log: @icount[i] of record i. */
static inline size_t log_icounts(const unsigned char *log, size_t len,
				 uint64_t *icount, size_t max)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;
	size_t n = 0;

	if (vl_log_check_header(log, len, &hdr, &reason))
		return 0;
	vl_log_reader_init(&r, log, len, hdr.header_len);
	while (n < max && vl_log_next(&r, &v) > 0)
		icount[n++] = v.icount;
	return n;
}

/* Between records @i and @i + 1: after the one, before the other. */
static inline uint64_t between(const uint64_t *icount, size_t i)
{
	return icount[i] + (icount[i + 1] - icount[i]) / 2;
}

/* N of the vlN play mode made, once it appears; -1 if it does not. */
static inline int played_index(void)
{
	char buf[8192], *line;
	int index;

	for (int tries = 0; tries < 200; tries++) {
		if (vl_read_file(VL_DEBUGFS "/devices", buf, sizeof(buf)) > 0)
			for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
				if (strstr(line, "played from log") &&
				    sscanf(line, "vl%d:", &index) == 1)
					return index;
		usleep(50 * 1000);
	}
	return -1;
}

/* A log in memory, fed to play mode by a thread. */
struct player {
	int chan;
	int fd;
	const unsigned char *log;
	size_t len;
	pthread_t thread;
	int err;		/* errno of what stopped it, 0 at EPOLLHUP */
	off_t bad_offset;	/* where the module refused the log (EBADMSG) */
	unsigned long rewinds;	/* times the module moved the stream back */
};

static inline void *player_run(void *arg)
{
	struct player *p = arg;
	off_t last = 0;

	for (;;) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLOUT };
		off_t off = lseek(p->fd, 0, SEEK_CUR);
		ssize_t n;

		if (off < 0) {
			p->err = errno;
			return NULL;
		}
		if (off < last)
			p->rewinds++;
		last = off;
		if ((size_t)off < p->len) {
			size_t chunk = p->len - off;

			n = write(p->fd, p->log + off, chunk < (1 << 20) ? chunk : (1 << 20));
			if (n >= 0 || errno == ESTALE || errno == EINTR)
				continue;
			p->err = errno;
			p->bad_offset = lseek(p->fd, 0, SEEK_CUR);
			return NULL;
		}
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			p->err = errno;
			return NULL;
		}
		if (pfd.revents & POLLHUP)
			return NULL;
	}
}

/*
 * Enter play mode for @log, without feeding it yet (player_feed()): a
 * breakpoint set now is there before the first record plays.  0, or
 * -errno of VIRTIO_LOOPBACK_OPEN_PLAY.
 */
static inline int player_open_flags(struct player *p,
				    const unsigned char *log, size_t len,
				    uint64_t end_icount, const char *name,
				    uint32_t window, uint32_t flags)
{
	struct virtio_loopback_play_start start = {
		.size = len, .end_icount = end_icount, .window = window,
		.flags = flags,
	};

	memset(p, 0, sizeof(*p));
	p->log = log;
	p->len = len;
	snprintf(start.filename, sizeof(start.filename), "%.255s", name);
	p->chan = open(VL_DEVNODE, O_RDWR | O_CLOEXEC);
	if (p->chan < 0)
		return -errno;
	p->fd = ioctl(p->chan, VIRTIO_LOOPBACK_OPEN_PLAY, &start);
	if (p->fd < 0) {
		int err = -errno;

		close(p->chan);
		return err;
	}
	return 0;
}

static inline int player_open(struct player *p, const unsigned char *log,
			      size_t len, uint64_t end_icount,
			      const char *name, uint32_t window)
{
	return player_open_flags(p, log, len, end_icount, name, window, 0);
}

static inline int player_feed(struct player *p)
{
	if (pthread_create(&p->thread, NULL, player_run, p)) {
		close(p->fd);
		close(p->chan);
		return -EAGAIN;
	}
	return 0;
}

/* Play @log; 0, or -errno of VIRTIO_LOOPBACK_OPEN_PLAY. */
static inline int player_start(struct player *p, const unsigned char *log,
			       size_t len, uint64_t end_icount,
			       const char *name)
{
	int err = player_open(p, log, len, end_icount, name, 0);

	return err ? err : player_feed(p);
}

/* End play mode (its devices go), and the player with it. */
static inline void player_stop(struct player *p, struct vl_genl *genl)
{
	vl_genl_play_stop(genl);
	pthread_join(p->thread, NULL);
	close(p->fd);
	close(p->chan);
}

/*
 * Wait until play mode has applied @records records of its log and
 * stopped, or for @seconds.  True when it did.
 */
static inline bool wait_played(struct vl_genl *genl, uint64_t records,
			       int seconds)
{
	struct vl_replay_info info;

	for (int i = 0; i < seconds * 20; i++) {
		if (!vl_genl_replay_get(genl, &info) && info.has_position &&
		    info.position == records && info.paused)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Wait until replay has stopped at @icount, or for @seconds. */
static inline bool wait_stopped_at(struct vl_genl *genl, uint64_t icount,
				   int seconds)
{
	struct vl_replay_info info;

	for (int i = 0; i < seconds * 20; i++) {
		if (!vl_genl_replay_get(genl, &info) && info.paused &&
		    info.icount == icount)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Wait until the devices' counters stop moving for half a second. */
static inline bool wait_devices_quiet(int seconds)
{
	char a[8192], b[8192];

	if (vl_read_file(VL_DEBUGFS "/devices", a, sizeof(a)) < 0)
		return false;
	for (int i = 0; i < seconds * 2; i++) {
		usleep(500 * 1000);
		if (vl_read_file(VL_DEBUGFS "/devices", b, sizeof(b)) < 0)
			return false;
		if (!strcmp(a, b))
			return true;
		memcpy(a, b, sizeof(a));
	}
	return false;
}

/*
 * Run @fn(@arg) in a child and wait for it at most @seconds.  A workload
 * whose I/O waits on a frozen device cannot even be killed: past the
 * deadline play mode is ended, which fails that I/O and lets it go.
 * Returns what @fn returned (0 for success), or -ETIMEDOUT.  What the
 * child must hand back goes through memory from shared_alloc().
 */
static inline int run_with_deadline(int (*fn)(void *), void *arg,
				    int seconds, struct vl_genl *genl)
{
	int status;
	pid_t pid;

	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(fn(arg) ? 1 : 0);
	for (int i = 0; i < seconds * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
		usleep(100 * 1000);
	}
	vl_genl_play_stop(genl);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

/* Page-aligned memory a child's writes show through (O_DIRECT-ready). */
static inline void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The workload of the blk play tests: @pattern written at 0 and read
 * back there, then what the disk holds at BLK_READ_AT read into
 * @elsewhere.  In a child (run_with_deadline()): the buffers come from
 * shared_alloc().
 */
#define BLK_PATTERN	(1 << 20)
#define BLK_READ_AT	(4 << 20)

struct blk_job {
	const char *disk;
	const unsigned char *pattern;
	unsigned char *back;
	unsigned char *elsewhere;
	int nice;		/* added to the child's nice value */
};

/*
 * BLK_PATTERN bytes in requests the block layer never splits: how it
 * splits a larger one depends on where the buffer's pages lie (a request
 * has at most seg_max segments), which differs from run to run, and a
 * replay must see the requests the recording saw.
 */
#define BLK_IO_CHUNK	(256 << 10)

static inline bool blk_io(int fd, unsigned char *buf, off_t at, bool write)
{
	for (size_t done = 0; done < BLK_PATTERN; done += BLK_IO_CHUNK) {
		ssize_t n = write ? pwrite(fd, buf + done, BLK_IO_CHUNK, at + done) :
				    pread(fd, buf + done, BLK_IO_CHUNK, at + done);

		if (n != BLK_IO_CHUNK)
			return false;
	}
	return true;
}

static inline int blk_job_run(void *arg)
{
	struct blk_job *job = arg;
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/dev/%s", job->disk);
	errno = 0;
	if (job->nice && nice(job->nice) == -1 && errno)
		return -1;
	if (!wait_devices_quiet(30))
		return -1;
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return -1;
	ok = blk_io(fd, (void *)job->pattern, 0, true) && !fsync(fd) &&
	     blk_io(fd, job->back, 0, false) &&
	     blk_io(fd, job->elsewhere, BLK_READ_AT, false);
	close(fd);
	return ok && wait_devices_quiet(30) ? 0 : -1;
}

#endif /* VL_TEST_LOG_H */
