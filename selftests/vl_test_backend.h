/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running vl-backend from a selftest: start it, learn which device it
 * created from the line it prints once registered, stop or kill it.
 */
#ifndef VL_TEST_BACKEND_H
#define VL_TEST_BACKEND_H

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vl_test_util.h"

#define VL_BACKEND "/usr/bin/vl-backend"
#define VL_SYSFS "/sys/devices/virtual/misc/virtio-loopback"

struct vl_backend_proc {
	pid_t pid;
	int index;		/* N of vlN */
	int virtio_index;	/* M of virtioM */
	int out;		/* its stdout */
};

/* Start vl-backend with @argv (NULL-terminated, without the program). */
static inline int vl_backend_start(struct vl_backend_proc *p,
				   const char *const *argv)
{
	const char *args[16] = { VL_BACKEND };
	char line[256];
	size_t len = 0;
	int pipefd[2], i;

	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	if (pipe(pipefd))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execv(VL_BACKEND, (char *const *)args);
		_exit(127);
	}
	close(pipefd[1]);
	p->out = pipefd[0];

	/* "vl-backend: <type> device vl<N> is virtio<M>" once registered. */
	for (;;) {
		struct pollfd pfd = { .fd = p->out, .events = POLLIN };
		char *mark;

		if (poll(&pfd, 1, 30000) <= 0 || len + 1 >= sizeof(line) ||
		    read(p->out, line + len, 1) != 1)
			return -1;
		if (line[len] != '\n') {
			len++;
			continue;
		}
		line[len] = '\0';
		len = 0;
		mark = strstr(line, " device vl");
		if (mark && sscanf(mark, " device vl%d is virtio%d", &p->index,
				   &p->virtio_index) == 2)
			return 0;
	}
}

/* Stop it with @sig and reap it; returns its wait status. */
static inline int vl_backend_stop(struct vl_backend_proc *p, int sig)
{
	int status = -1;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	waitpid(p->pid, &status, 0);
	close(p->out);
	p->pid = 0;
	return status;
}

/* The first entry of the device's sysfs folder @sub, e.g. "block": vda. */
static inline int vl_backend_child(const struct vl_backend_proc *p,
				   const char *sub, char *name, size_t size)
{
	char path[256];
	struct dirent *e;
	DIR *d;

	for (int tries = 0; tries < 200; tries++) {
		snprintf(path, sizeof(path), VL_SYSFS "/vl%d/virtio%d/%s",
			 p->index, p->virtio_index, sub);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			if (strlen(e->d_name) >= size)
				break;
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
			closedir(d);
			return 0;
		}
		if (d)
			closedir(d);
		usleep(50 * 1000);
	}
	return -1;
}

static inline bool vl_backend_device_gone(const struct vl_backend_proc *p)
{
	char path[128];

	snprintf(path, sizeof(path), VL_SYSFS "/vl%d", p->index);
	for (int tries = 0; tries < 200; tries++) {
		if (access(path, F_OK))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/*
 * Fresh counters from a backend started with --stats @path, into @buf:
 * it rewrites the file (atomically, by rename) on SIGUSR1, so the file's
 * reappearance after unlink() means the new numbers are there.
 */
static inline int vl_backend_stats(const struct vl_backend_proc *p,
				   const char *path, char *buf, size_t size)
{
	unlink(path);
	if (kill(p->pid, SIGUSR1))
		return -1;
	for (int tries = 0; tries < 200; tries++) {
		if (vl_read_file(path, buf, size) > 0)
			return 0;
		usleep(25 * 1000);
	}
	return -1;
}

/* The value of the "@key N" line in @stats, or -1. */
static inline long long vl_stat_value(const char *stats, const char *key)
{
	size_t len = strlen(key);
	const char *line;

	for (line = stats; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, len) && line[len] == ' ')
			return atoll(line + len + 1);
	}
	return -1;
}

/*
 * Requests of vlN the transport handed to its backend and that are not
 * complete yet: the sum of "inflight N" over the queue lines under
 * "vlN: ..." in debugfs "devices".  -1 when vlN is not listed.
 */
static inline long vl_debugfs_inflight(int index)
{
	static char buf[65536];
	char head[32];
	const char *line, *f;
	long sum = -1;

	if (vl_read_file(VL_DEBUGFS "/devices", buf, sizeof(buf)) <= 0)
		return -1;
	snprintf(head, sizeof(head), "vl%d: ", index);
	for (line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (sum < 0) {
			if (!strncmp(line, head, strlen(head)))
				sum = 0;
			continue;
		}
		if (*line != ' ')
			break;		/* the next device */
		f = strstr(line, " inflight ");
		if (!strncmp(line, "  queue ", 8) && f &&
		    f < strchrnul(line, '\n'))
			sum += atol(f + 10);
	}
	return sum;
}

/* Wait up to @seconds for vlN to have requests in flight; how many, or 0. */
static inline long vl_wait_inflight(int index, int seconds)
{
	long n;

	for (int tries = 0; tries < seconds * 100; tries++) {
		n = vl_debugfs_inflight(index);
		if (n > 0)
			return n;
		usleep(10 * 1000);
	}
	return 0;
}

#endif /* VL_TEST_BACKEND_H */
