// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl record FILE: start recording and write the module's log stream to
 * FILE until interrupted (SIGINT, SIGTERM) or until `vlctl stop-recording`
 * ends the recording; then drain what is left, so FILE holds every record
 * the module logged.  (vlctl stop-recording, which ends it from elsewhere,
 * is in request_cmd.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virtio_loopback.h>

#include "vl_genl.h"
#include "vl_log_stream.h"
#include "vlctl.h"

static volatile sig_atomic_t vlctl_interrupted;

static void vlctl_on_signal(int sig)
{
	(void)sig;
	vlctl_interrupted = 1;
}

/* Copy the stream to @out until it ends; stop recording once interrupted. */
static int drain(struct vl_genl *genl, int log, int out, uint64_t *bytes)
{
	static char buf[1 << 16];
	bool stopping = false;

	for (;;) {
		struct pollfd pfd = { .fd = log, .events = POLLIN };
		ssize_t n;
		int err;

		if (vlctl_interrupted && !stopping) {
			stopping = true;
			err = vl_genl_record_stop(genl);
			if (err && err != -EALREADY)
				return err;
		}
		if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
			return -errno;
		if (!(pfd.revents & POLLIN))
			continue;
		n = vl_log_stream_copy(log, out, buf, sizeof(buf));
		if (n == -EAGAIN)
			continue;
		if (n <= 0)
			return n;
		*bytes += n;
	}
}

static int record(struct vl_genl *genl, const char *file)
{
	struct sigaction sa = { .sa_handler = vlctl_on_signal };
	struct vl_replay_info info;
	uint64_t bytes = 0;
	int log, out, err;

	log = vl_log_stream_open("/dev/" VIRTIO_LOOPBACK_DEVICE_NAME);
	if (log < 0) {
		fprintf(stderr, "vlctl: cannot open the log stream: %s\n",
			log == -EBUSY ? "another reader has it" : strerror(-log));
		return 1;
	}
	out = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		fprintf(stderr, "vlctl: %s: %s\n", file, strerror(errno));
		close(log);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = vl_genl_record_start(genl, file);
	if (err) {
		fprintf(stderr, "vlctl: cannot start recording: %s\n",
			err == -EBUSY ? "already recording" : strerror(-err));
		close(out);
		close(log);
		return 1;
	}
	err = drain(genl, log, out, &bytes);
	/* /dev/null and pipes cannot be synced, and need not be. */
	if (!err && fsync(out) && errno != EINVAL && errno != EROFS)
		err = -errno;
	close(out);
	close(log);
	if (err) {
		fprintf(stderr, "vlctl: recording into %s: %s\n", file,
			strerror(-err));
		vl_genl_record_stop(genl);
		return 1;
	}
	if (!vl_genl_replay_get(genl, &info))
		fprintf(stderr, "vlctl: %s: %" PRIu64 " bytes, %" PRIu64
			" records, %" PRIu64 " lost\n", file, bytes,
			info.records, info.lost);
	return info.lost ? 3 : 0;
}

int vlctl_record_main(struct vl_genl *genl, int argc, char **argv)
{
	struct vlctl_args a;
	int err;

	err = vlctl_parse_args(argc, argv, 0, 1, "vlctl record FILE", &a, stderr);
	if (err)
		return err;
	if (vlctl_connect(genl))
		return 1;
	return record(genl, a.operands[0]);
}
