/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vl-qmpd's one event loop, on epoll: every descriptor it serves (the QMP
 * listeners and clients, the netlink events socket, the log stream while
 * recording, the play descriptor while replaying) is watched here, and
 * nothing it does waits on a descriptor that is not ready.
 */
#ifndef QMPD_LOOP_H
#define QMPD_LOOP_H

#include <stdint.h>

/* Called with the epoll events that are ready on @fd. */
typedef void (*qmpd_io_fn)(void *arg, uint32_t events);

struct qmpd_watch {
	int fd;
	qmpd_io_fn fn;
	void *arg;
};

int qmpd_loop_init(void);
void qmpd_loop_fini(void);
/* Watch @w->fd for @events (EPOLLIN, EPOLLOUT): 0 or -errno. */
int qmpd_loop_add(struct qmpd_watch *w, uint32_t events);
int qmpd_loop_mod(struct qmpd_watch *w, uint32_t events);
void qmpd_loop_del(struct qmpd_watch *w);
/*
 * Wait up to @timeout_ms (-1: no limit) and run what is ready.  A watch
 * deleted by a callback is not called later in the same round, but its
 * memory must stay valid until this returns.  0, or -errno.
 */
int qmpd_loop_run_once(int timeout_ms);

#endif /* QMPD_LOOP_H */
