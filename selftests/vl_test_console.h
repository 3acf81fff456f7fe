/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A console session for the record/replay tests: the driver writes a
 * line on its tty and reads what the peer of `vl-backend console
 * --socket` sends.  Recorded with the backend, the same job played with
 * none must read the same bytes again, from the log.
 */
#ifndef VL_TEST_CONSOLE_H
#define VL_TEST_CONSOLE_H

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "vl_test_log.h"

static const char console_out[] = "written by the driver, compared on replay";
static const char console_in[] = "sent by the peer, sent again by the log";

/* The console's tty, raw: no echo, no line discipline. */
static inline int console_open(void)
{
	struct termios t;
	int tty = -1;

	for (int i = 0; i < 200 && tty < 0; i++) {
		tty = open("/dev/hvc0", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty < 0)
			usleep(50 * 1000);
	}
	if (tty < 0)
		return -1;
	tcgetattr(tty, &t);
	cfmakeraw(&t);
	tcsetattr(tty, TCSANOW, &t);
	return tty;
}

/* Read exactly @len bytes within 10 s each; 0 when they came. */
static inline int console_read(int fd, char *buf, size_t len)
{
	for (size_t n = 0; n < len; ) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&pfd, 1, 10000) != 1)
			return -1;
		k = read(fd, buf + n, len - n);
		if (k <= 0)
			return -1;
		n += k;
	}
	return 0;
}

/* The backend's socket at @path, once it listens: the peer's end, or -1. */
static inline int console_peer_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	for (int i = 0; fd >= 0 && i < 100; i++) {
		if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
			return fd;
		usleep(50 * 1000);
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* What the driver writes and reads, recording and playing alike. */
struct console_job {
	int peer;		/* -1 when playing: the log is the peer */
	char got[64];
};

/* In a child (run_with_deadline()): @arg from shared_alloc(). */
static inline int console_job_run(void *arg)
{
	struct console_job *job = arg;
	int tty = console_open();
	int ok;

	if (tty < 0 || !wait_devices_quiet(20))
		return -1;
	ok = write(tty, console_out, sizeof(console_out) - 1) ==
	     sizeof(console_out) - 1;
	if (ok && job->peer >= 0)
		ok = write(job->peer, console_in, sizeof(console_in) - 1) ==
		     sizeof(console_in) - 1;
	ok = ok && !console_read(tty, job->got, sizeof(console_in) - 1);
	close(tty);
	return ok && wait_devices_quiet(20) ? 0 : -1;
}

#endif /* VL_TEST_CONSOLE_H */
