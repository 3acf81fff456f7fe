// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop: epoll, level-triggered, so that a callback that leaves
 * work for later (a full client, a stream with more to read) is simply
 * called again.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

#define QMPD_LOOP_BATCH	32

static int epfd = -1;
/* The round's events, so that a deleted watch's are dropped. */
static struct epoll_event ready[QMPD_LOOP_BATCH];
static int nready;

int qmpd_loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -errno : 0;
}

void qmpd_loop_fini(void)
{
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
}

static int ctl(int op, struct qmpd_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, op, w->fd, &ev) ? -errno : 0;
}

int qmpd_loop_add(struct qmpd_watch *w, uint32_t events)
{
	return ctl(EPOLL_CTL_ADD, w, events);
}

int qmpd_loop_mod(struct qmpd_watch *w, uint32_t events)
{
	return ctl(EPOLL_CTL_MOD, w, events);
}

void qmpd_loop_del(struct qmpd_watch *w)
{
	int i;

	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	for (i = 0; i < nready; i++)
		if (ready[i].data.ptr == w)
			ready[i].data.ptr = NULL;
}

int qmpd_loop_run_once(int timeout_ms)
{
	int i, n;

	n = epoll_wait(epfd, ready, QMPD_LOOP_BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	nready = n;
	for (i = 0; i < n; i++) {
		struct qmpd_watch *w = ready[i].data.ptr;

		if (w)
			w->fn(w->arg, ready[i].events);
	}
	nready = 0;
	return 0;
}
