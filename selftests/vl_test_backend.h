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

#endif /* VL_TEST_BACKEND_H */
